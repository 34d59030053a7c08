"""Guards of docs/security.md that a deliberate break once left standing, each with a test that
fails when the guard is removed: the privacy scan of the DOCX relationship parts, the entity-free
parsers of the reference document, the stylesheet that cannot close
its own <style> element, and problems reported in file and line order.
"""

from __future__ import annotations

import zipfile
from html.parser import HTMLParser
from pathlib import Path

import pytest
from helpers import DOSSIER, build_file_tree, refused, run, small_library
from test_threats import reference_with, with_argument, with_entity

from kamdocs.errors import InputError, Problem

SLUG = "acme-logistics-ad"


@pytest.fixture
def ws(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    small_library(tmp_path)
    build_file_tree(tmp_path, {"dossiers/acme.yaml": DOSSIER})
    monkeypatch.chdir(tmp_path)
    return tmp_path


# --- the privacy guard reads the DOCX relationship parts -------------------------------------


def test_a_public_link_target_reaches_the_docx_rels(ws: Path) -> None:
    # The same text with another host renders, and the target is where the guard looked.
    with_argument(ws, "Fine. See [our partner](https://harbour.example/x).")

    result = run("render", "dossiers/acme.yaml", "-f", "docx", "-o", "out")
    assert result.exit_code == 0, result.output
    with zipfile.ZipFile(ws / "out" / f"{SLUG}.docx") as package:
        assert b"https://harbour.example/x" in package.read("word/_rels/document.xml.rels")


def test_a_private_value_made_into_a_link_target_is_found_in_the_docx_rels(ws: Path) -> None:
    # Template code assembles Ivan's hobby "sailing" into a link target: it stands in no input as
    # written, so it is a leak, and in a DOCX it is only in word/_rels/document.xml.rels.
    with_argument(ws, "Fine. See [our partner](https://{{ 'sai' ~ 'ling' }}.example/x).")
    result = run("render", "dossiers/acme.yaml", "-f", "docx", "-o", "out")
    lines = refused(result, "dossiers/acme.yaml:")
    assert any("word/_rels/document.xml.rels" in problem for problem in lines), lines
    assert "sailing" not in result.stderr
    assert not (ws / "out").exists() or not list((ws / "out").iterdir())


# --- the reference document's parsers expand no entity and reach no network ------------------

MARKER = "EXTERNAL-ENTITY-MARKER-57"


@pytest.mark.parametrize(
    ("part", "root", "end"),
    [
        ("word/styles.xml", "w:styles", "</w:styles>"),  # parsed and written into every document
        ("word/document.xml", "w:document", "</w:sectPr>"),  # its page setup is kept
    ],
)
def test_an_external_entity_in_element_text_is_never_read(
    ws: Path, part: str, root: str, end: str
) -> None:
    secret = ws / "secret.txt"
    secret.write_text(MARKER, encoding="utf-8")
    reference_with(
        ws,
        part,
        lambda xml: with_entity(xml, root, secret).replace(end, f"<w:x>&xxe;</w:x>{end}", 1),
    )
    result = run("render", "dossiers/acme.yaml", "-f", "docx", "-o", "out")
    # Left unexpanded, the entity cannot be written out again: the reference is refused.
    # Expanded, the file's contents would be in the document.
    [problem] = refused(result)
    assert problem.endswith(
        "reference.docx:1: not a usable reference document "
        "(uses the XML entity &xxe;, which no Word document needs)"
    )
    assert MARKER not in result.output
    assert not (ws / "out").exists()


# --- the stylesheet cannot close its <style> element -----------------------------------------


class _Tags(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.starts: list[str] = []
        self.ends: list[str] = []

    def handle_starttag(self, tag: str, attrs: list) -> None:
        self.starts.append(tag)

    def handle_endtag(self, tag: str) -> None:
        self.ends.append(tag)


def test_a_stylesheet_cannot_end_its_style_element(ws: Path) -> None:
    css = "body { color: #222; }\n/* </style><script>alert(1)</script> */\nh1 { color: red; }\n"
    (ws / "templates" / "proposal.css").write_text(css, encoding="utf-8")

    result = run("render", "dossiers/acme.yaml", "-f", "html", "-o", "out")
    assert result.exit_code == 0, result.output
    page = (ws / "out" / f"{SLUG}.html").read_text(encoding="utf-8")
    tags = _Tags()
    tags.feed(page)
    # As a browser reads it: one <style> element that holds the whole stylesheet, no script.
    assert "script" not in tags.starts
    assert tags.starts.count("style") == tags.ends.count("style") == 1
    assert "h1 { color: red; }" in page.split("</style>")[0]


# --- problems come sorted by file and line, whatever order they are found in -----------------


def test_problems_are_sorted_by_file_then_line() -> None:
    found = [
        Problem("b.yaml", 2, "x", "late file"),
        Problem("a.yaml", 9, "y", "late line"),
        Problem("a.yaml", 3, "z", "early line"),
        Problem("a.yaml", 3, "z", "early line"),  # found twice, reported once
    ]
    assert str(InputError(found)).splitlines() == [
        "a.yaml:3: z: early line",
        "a.yaml:9: y: late line",
        "b.yaml:2: x: late file",
    ]


def test_files_named_in_any_order_are_reported_in_file_order(ws: Path) -> None:
    bad = DOSSIER.replace("    persona: executive", "    persona: ceo")
    build_file_tree(
        ws,
        {
            "dossiers/a.yaml": bad,
            "dossiers/b.yaml": bad.replace("Acme Logistics AD", "Beta Trade OOD"),
        },
    )
    lines = refused(run("validate", "dossiers/b.yaml", "dossiers/a.yaml"))
    assert [line.split(":")[0] for line in lines] == [
        str(Path("dossiers/a.yaml")),
        str(Path("dossiers/b.yaml")),
    ]
