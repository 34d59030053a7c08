"""DOCX writer: Markdown element trees rendered with a reference, re-read with python-docx."""

from __future__ import annotations

import datetime
import io
import os
import re
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path
from xml.etree import ElementTree

import docx
import pytest
from docx.enum.style import WD_STYLE_TYPE
from docx.oxml import parse_xml
from docx.oxml.ns import qn
from helpers import docx_parts
from markdown.treeprocessors import Treeprocessor

from kamdocs.render.docx import DocMeta, Reference, render_docx
from kamdocs.render.markup import Converter

W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
R = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
NS = {"w": W, "r": R}
META = DocMeta(
    title="Warehouse automation, phase 2 — Acme Logistics AD",
    subject="Proposal",
    author="Maria Georgieva",
    created=datetime.date(2026, 11, 26),
    language="bg-BG",
    keywords="proposal, WMS",
)
REAL_REFERENCE = Path(__file__).resolve().parents[1] / "templates" / "reference.docx"


# --- input builders -----------------------------------------------------------------------------


class _Capture(Treeprocessor):
    def run(self, root: ElementTree.Element) -> None:
        self.md.captured_tree = root  # type: ignore[attr-defined]


def md_tree(source: str) -> ElementTree.Element:
    """Return the element tree kamdocs' own Markdown converter builds for ``source``."""
    return Converter().convert(source)[0]


def html_tree(fragment: str) -> ElementTree.Element:
    return ElementTree.fromstring(f"<div>{fragment}</div>")


def _abstract_num(aid: int, name: str, fmt: str, texts: list[str]) -> str:
    levels = "".join(
        f'<w:lvl w:ilvl="{i}"><w:start w:val="1"/><w:numFmt w:val="{fmt}"/>'
        f'<w:lvlText w:val="{text}"/><w:lvlJc w:val="left"/>'
        f'<w:pPr><w:ind w:left="{360 * (i + 1)}" w:hanging="360"/></w:pPr></w:lvl>'
        for i, text in enumerate(texts)
    )
    return (
        f'<w:abstractNum xmlns:w="{W}" w:abstractNumId="{aid}">'
        f'<w:multiLevelType w:val="multilevel"/><w:name w:val="{name}"/>{levels}</w:abstractNum>'
    )


def build_reference(path: Path) -> Path:
    """A reference like templates/reference.docx, from python-docx's default template."""
    document = docx.Document()
    styles = document.styles
    for name in ("Table Text", "Table Heading", "Closing", "Small"):
        styles.add_style(name, WD_STYLE_TYPE.PARAGRAPH).base_style = styles["Normal"]
    for name in ("Hyperlink", "Code"):
        styles.add_style(name, WD_STYLE_TYPE.CHARACTER)
    styles.add_style("Proposal Table", WD_STYLE_TYPE.TABLE)

    numbering = document.part.numbering_part.element
    first_num = numbering.find(qn("w:num"))
    bullet = parse_xml(_abstract_num(90, "KamdocsBullet", "bullet", ["•", "◦", "▪"]))
    decimal = parse_xml(_abstract_num(91, "KamdocsDecimal", "decimal", ["%1.", "%1.%2.", "%3)"]))
    first_num.addprevious(bullet)
    first_num.addprevious(decimal)
    for num_id, abstract in ((90, 90), (91, 91)):
        numbering.append(
            parse_xml(
                f'<w:num xmlns:w="{W}" w:numId="{num_id}"><w:abstractNumId w:val="{abstract}"/>'
                "</w:num>"
            )
        )
    for style_name, num_id in (("List Bullet", 90), ("List Number", 91)):
        ppr = styles[style_name].element.get_or_add_pPr()
        for old in ppr.findall(qn("w:numPr")):
            ppr.remove(old)
        ppr.insert(
            0,
            parse_xml(
                f'<w:numPr xmlns:w="{W}"><w:numId w:val="{num_id}"/></w:numPr>',
            ),
        )
    section = document.sections[0]
    section.header.paragraphs[0].text = "HEADER-MARK"
    section.footer.paragraphs[0].text = "FOOTER-MARK"
    document.save(path)
    return path


@pytest.fixture(scope="module")
def reference(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build_reference(tmp_path_factory.mktemp("ref") / "reference.docx")


def render(body: ElementTree.Element, reference: Path, meta: DocMeta = META):
    data, parts = render_docx(body, meta, reference)
    return data, parts, docx.Document(io.BytesIO(data))


def texts_and_styles(document) -> list[tuple[str, str]]:
    return [(p.text, p.style.name) for p in document.paragraphs]


def body_xml(parts: dict[str, bytes]):
    return ElementTree.fromstring(parts["word/document.xml"]).find(f"{{{W}}}body")


# --- structure and styles ---------------------------------------------------------------------


def test_headings_paragraphs_and_classes_map_to_styles(reference: Path) -> None:
    tree = md_tree(
        "# Warehouse automation {: .title }\n\n"
        "For Acme\n{: .subtitle }\n\n"
        "## Why us\n\n### Detail\n\n#### Deeper\n\n"
        "Plain text.\n\n"
        "Thank you.\n{: .closing }\n\n"
        "Fine print\n{: .small }\n\n"
        "Unknown class\n{: .no-such-style }\n"
    )
    _, _, document = render(tree, reference)
    assert texts_and_styles(document) == [
        ("Warehouse automation", "Title"),
        ("For Acme", "Subtitle"),
        ("Why us", "Heading 2"),
        ("Detail", "Heading 3"),
        ("Deeper", "Heading 3"),
        ("Plain text.", "Normal"),
        ("Thank you.", "Closing"),
        ("Fine print", "Small"),
        ("Unknown class", "Normal"),
    ]


def test_plain_h1_is_heading_1_and_blockquote_is_quote(reference: Path) -> None:
    tree = md_tree("# Offer\n\n> Quoted **claim**\n")
    _, _, document = render(tree, reference)
    assert texts_and_styles(document) == [("Offer", "Heading 1"), ("Quoted claim", "Quote")]


def test_inline_runs_use_character_styles(reference: Path) -> None:
    tree = md_tree("Text with **bold**, *italic*, `code` and ***both***.\n")
    _, _, document = render(tree, reference)
    runs = [
        (r.text, r.style.name if r.style is not None else None) for r in document.paragraphs[0].runs
    ]
    assert ("bold", "Strong") in runs
    assert ("italic", "Emphasis") in runs
    assert ("code", "Code") in runs
    both = next(r for r in document.paragraphs[0].runs if r.text == "both")
    assert both.style.name in ("Strong", "Emphasis")
    assert both.bold or both.italic  # the other half of *** survives as a toggle
    assert document.paragraphs[0].text == "Text with bold, italic, code and both."


def test_soft_line_breaks_become_spaces_and_br_becomes_a_break(reference: Path) -> None:
    tree = html_tree("<p>first line\nsame paragraph  <br />after break</p>")
    _, parts, document = render(tree, reference)
    assert document.paragraphs[0].text == "first line same paragraph\nafter break"
    assert parts["word/document.xml"].count(b"<w:br/>") == 1


def test_unknown_tags_keep_their_text(reference: Path) -> None:
    tree = html_tree("<dl><dt>Term</dt><dd>Definition</dd></dl><p>x <span>inner</span> y</p>")
    _, _, document = render(tree, reference)
    assert texts_and_styles(document) == [("TermDefinition", "Normal"), ("x inner y", "Normal")]


def test_code_block_keeps_lines_and_spaces(reference: Path) -> None:
    tree = md_tree("Before:\n\n    def f():\n        return 1 < 2\n")
    _, _, document = render(tree, reference)
    code = document.paragraphs[1]
    assert code.text == "def f():\n    return 1 < 2"
    assert {r.style.name for r in code.runs} == {"Code"}


def test_rule_and_page_break(reference: Path) -> None:
    tree = html_tree('<p>one</p><hr/><p>two</p><hr class="page-break"/><p>three</p>')
    _, parts, document = render(tree, reference)
    body = body_xml(parts)
    paragraphs = body.findall(f"{{{W}}}p")
    assert [p.text for p in document.paragraphs] == ["one", "", "two", "three"]
    assert paragraphs[1].find("w:pPr/w:pBdr/w:bottom", NS) is not None
    assert paragraphs[3].find("w:pPr/w:pageBreakBefore", NS) is not None


# --- lists ------------------------------------------------------------------------------------


def _num_pr(paragraph) -> tuple[int, int] | None:
    num_pr = paragraph._p.find(qn("w:pPr") + "/" + qn("w:numPr"))
    if num_pr is None:
        return None
    return (
        int(num_pr.find(qn("w:ilvl")).get(qn("w:val"))),
        int(num_pr.find(qn("w:numId")).get(qn("w:val"))),
    )


def test_bullets_nest_and_clamp_at_level_2(reference: Path) -> None:
    tree = md_tree("- a\n    - b\n        - c\n            - d\n- e\n")
    _, _, document = render(tree, reference)
    assert [(p.text, p.style.name) for p in document.paragraphs] == [
        (t, "List Bullet") for t in "abcde"
    ]
    levels = [_num_pr(p) for p in document.paragraphs]
    assert [lvl for lvl, _ in levels] == [0, 1, 2, 2, 0]
    assert len({num for _, num in levels}) == 1


def test_each_ordered_list_restarts_at_one(reference: Path) -> None:
    tree = md_tree("1. one\n2. two\n\nBetween.\n\n1. again\n2. more\n\n3. three\n4. four\n")
    _, parts, document = render(tree, reference)
    numbered = [p for p in document.paragraphs if p.style.name == "List Number"]
    assert [p.text for p in numbered] == ["one", "two", "again", "more", "three", "four"]
    num_ids = [_num_pr(p)[1] for p in numbered]
    assert num_ids[0] == num_ids[1] and num_ids[2] == num_ids[3]
    assert num_ids[0] != num_ids[2]

    numbering = ElementTree.fromstring(parts["word/numbering.xml"])
    abstract = {
        a.get(f"{{{W}}}abstractNumId")
        for a in numbering.findall("w:abstractNum", NS)
        if a.find("w:name[@w:val='KamdocsDecimal']", NS) is not None
    }
    for num_id, start in ((num_ids[0], "1"), (num_ids[2], "1")):
        num = numbering.find(f"w:num[@w:numId='{num_id}']", NS)
        assert num.find("w:abstractNumId", NS).get(f"{{{W}}}val") in abstract
        override = num.find("w:lvlOverride[@w:ilvl='0']/w:startOverride", NS)
        assert override.get(f"{{{W}}}val") == start


def test_ordered_list_start_attribute_is_honoured(reference: Path) -> None:
    tree = md_tree("Intro\n\n3. three\n4. four\n")
    _, parts, document = render(tree, reference)
    num_id = _num_pr(document.paragraphs[1])[1]
    numbering = ElementTree.fromstring(parts["word/numbering.xml"])
    num = numbering.find(f"w:num[@w:numId='{num_id}']", NS)
    override = num.find("w:lvlOverride[@w:ilvl='0']/w:startOverride", NS)
    assert override.get(f"{{{W}}}val") == "3"


def test_loose_list_items_with_two_paragraphs(reference: Path) -> None:
    tree = md_tree("1. first\n\n    more about first\n\n2. second\n")
    _, _, document = render(tree, reference)
    assert [(p.text, p.style.name) for p in document.paragraphs] == [
        ("first", "List Number"),
        ("more about first", "List Number"),
        ("second", "List Number"),
    ]
    first, more, second = (_num_pr(p) for p in document.paragraphs)
    assert first[1] == second[1] != 0
    assert more[1] == 0  # a continuation paragraph: indented, not numbered


def test_bullets_inside_numbered_list(reference: Path) -> None:
    tree = md_tree("1. one\n    - sub\n2. two\n")
    _, _, document = render(tree, reference)
    assert texts_and_styles(document) == [
        ("one", "List Number"),
        ("sub", "List Bullet"),
        ("two", "List Number"),
    ]
    assert _num_pr(document.paragraphs[1])[0] == 1


def test_numbered_list_nested_in_numbered_item_continues_its_numbering(reference: Path) -> None:
    tree = md_tree("1. one\n2. two\n    1. two-a\n    2. two-b\n3. three\n")
    _, _, document = render(tree, reference)
    levels = [_num_pr(p) for p in document.paragraphs]
    assert [p.text for p in document.paragraphs] == ["one", "two", "two-a", "two-b", "three"]
    # one w:num: level 1 ("2.1.", "2.2.") restarts after every level-0 item by itself
    assert [lvl for lvl, _ in levels] == [0, 0, 1, 1, 0]
    assert len({num for _, num in levels}) == 1


def test_numbered_list_under_a_bullet_starts_at_its_own_first_level(reference: Path) -> None:
    tree = md_tree("- bullet\n    1. first\n    2. second\n")
    _, _, document = render(tree, reference)
    bullet, first, second = document.paragraphs
    assert (first.style.name, _num_pr(first)[0]) == ("List Number", 0)
    assert _num_pr(first)[1] != _num_pr(bullet)[1]
    ind = first._p.find(qn("w:pPr") + "/" + qn("w:ind"))
    assert ind.get(qn("w:left")) == "720"  # the bullet abstractNum's level-1 indent


def test_list_item_class_picks_its_style_and_keeps_the_bullet(reference: Path) -> None:
    tree = md_tree("- normal item\n- small item\n    {: .small }\n")
    _, _, document = render(tree, reference)
    assert texts_and_styles(document) == [("normal item", "List Bullet"), ("small item", "Small")]
    assert _num_pr(document.paragraphs[1]) == _num_pr(document.paragraphs[0])


# --- tables -----------------------------------------------------------------------------------

PRICING = """\
| Item | Quantity | Price |
|:-----|:--------:|------:|
| WMS Pro licence | 1 | 48 000,00 |
| Installation | 2 | 3 500,50 |
"""


def test_table_structure_style_and_alignment(reference: Path) -> None:
    _, parts, document = render(md_tree(PRICING), reference)
    (table,) = document.tables
    assert table.style.name == "Proposal Table"
    assert len(table.rows) == 3 and len(table.columns) == 3
    assert [c.text for c in table.rows[1].cells] == ["WMS Pro licence", "1", "48 000,00"]
    assert table.rows[0].cells[0].paragraphs[0].style.name == "Table Heading"
    assert table.rows[1].cells[0].paragraphs[0].style.name == "Table Text"

    tbl = body_xml(parts).find("w:tbl", NS)
    assert tbl.find("w:tblPr/w:tblW", NS).attrib == {f"{{{W}}}w": "5000", f"{{{W}}}type": "pct"}
    rows = tbl.findall("w:tr", NS)
    assert rows[0].find("w:trPr/w:tblHeader", NS) is not None
    assert rows[1].find("w:trPr/w:tblHeader", NS) is None
    assert len(tbl.findall("w:tblGrid/w:gridCol", NS)) == 3
    jc = [c.find("w:p/w:pPr/w:jc", NS).get(f"{{{W}}}val") for c in rows[1].findall("w:tc", NS)]
    assert jc == ["left", "center", "right"]


def test_every_cell_has_a_paragraph_even_when_rows_are_short(reference: Path) -> None:
    tree = html_tree("<table><tr><th>a</th><th>b</th></tr><tr><td>1</td></tr></table>")
    _, parts, document = render(tree, reference)
    tbl = body_xml(parts).find("w:tbl", NS)
    for tc in tbl.iter(f"{{{W}}}tc"):
        assert tc.find("w:p", NS) is not None
    assert [c.text for c in document.tables[0].rows[1].cells] == ["1", ""]
    assert tbl.find("w:tr/w:trPr/w:tblHeader", NS) is not None  # a first row of th


def test_adjacent_tables_are_kept_apart_and_body_ends_with_a_paragraph(reference: Path) -> None:
    table = "<table><tr><td>x</td></tr></table>"
    _, parts, document = render(html_tree(table + table), reference)
    tags = [child.tag.split("}")[1] for child in body_xml(parts)]
    assert tags == ["tbl", "p", "tbl", "p", "sectPr"]
    assert len(document.tables) == 2


# --- links ------------------------------------------------------------------------------------


def _relationships(parts: dict[str, bytes]) -> dict[str, dict[str, str]]:
    root = ElementTree.fromstring(parts["word/_rels/document.xml.rels"])
    return {r.get("Id"): r.attrib for r in root}


def test_safe_links_become_external_hyperlinks(reference: Path) -> None:
    tree = md_tree(
        "Write to [Maria](mailto:maria@supplier.example), call [us](tel:+35921234567), "
        "see [site](https://supplier.example/a?b=1&c=2) or [info](mailto:info@supplier.example).\n"
    )
    _, parts, document = render(tree, reference)
    hyperlinks = body_xml(parts).findall(".//w:hyperlink", NS)
    rels = _relationships(parts)
    targets = [rels[h.get(f"{{{R}}}id")] for h in hyperlinks]
    assert [t["Target"] for t in targets] == [
        "mailto:maria@supplier.example",
        "tel:+35921234567",
        "https://supplier.example/a?b=1&c=2",
        "mailto:info@supplier.example",
    ]
    assert all(t["TargetMode"] == "External" for t in targets)
    assert [h.get(f"{{{R}}}id") for h in hyperlinks] == ["rIdH1", "rIdH2", "rIdH3", "rIdH4"]
    run_style = hyperlinks[0].find("w:r/w:rPr/w:rStyle", NS).get(f"{{{W}}}val")
    assert run_style == Reference.load(reference).style_id("Hyperlink", "character")
    assert document.paragraphs[0].text == ("Write to Maria, call us, see site or info.")


@pytest.mark.parametrize(
    "href",
    ["javascript:alert(1)", "data:text/html,x", "file:///etc/passwd", "relative/page", "#top"],
)
def test_unsafe_links_become_plain_text(reference: Path, href: str) -> None:
    tree = md_tree(f"Click [here]({href}) now.\n")
    _, parts, document = render(tree, reference)
    assert document.paragraphs[0].text == "Click here now."
    assert body_xml(parts).find(".//w:hyperlink", NS) is None
    rels = parts["word/_rels/document.xml.rels"]
    package = "{http://schemas.openxmlformats.org/package/2006/relationships}Relationship"
    relationships = list(ElementTree.fromstring(rels).iter(package))
    assert relationships, "the document's relationships were read"
    # No relationship of the document is a hyperlink, nor points anywhere near the link.
    assert not any(r.get("Type").endswith("/hyperlink") for r in relationships)
    assert not any(href in r.get("Target") or r.get("TargetMode") for r in relationships)
    assert href.encode() not in rels


# --- text fidelity ----------------------------------------------------------------------------

EXACT_TEXTS = [
    "Възвръщаемост до 18 месеца — 26 декември 2026 г.",
    "Emoji 🚚📦 and flags 🇧🇬 and ZWJ 👩‍💻",
    "العربية: عرض تقديمي",
    "Combining: e\u0301 a\u0308 \u1e9b\u0323",
    "Specials < > & \" ' survive",
]


@pytest.mark.parametrize("text", EXACT_TEXTS)
def test_text_round_trips_exactly(reference: Path, text: str) -> None:
    paragraph = ElementTree.Element("p")
    paragraph.text = text
    body = ElementTree.Element("div")
    body.append(paragraph)
    _, _, document = render(body, reference)
    assert document.paragraphs[0].text == text


def test_markdown_escapes_and_entities_read_as_in_html(reference: Path) -> None:
    tree = md_tree("AT&T, a \\*star\\*, `x < y && z` and 5 &lt; 6\n")
    _, _, document = render(tree, reference)
    # kamdocs' Markdown recognises no entities: "&lt;" is literal text in every format.
    assert document.paragraphs[0].text == "AT&T, a *star*, x < y && z and 5 &lt; 6"


def test_entities_stay_literal_as_in_the_html(reference: Path) -> None:
    tree, html = Converter().convert("Copyright &copy; 2026 &amp; more\n")
    data, _ = render_docx(tree, META, reference)
    assert docx.Document(io.BytesIO(data)).paragraphs[0].text == "Copyright &copy; 2026 &amp; more"
    assert html == "<p>Copyright &amp;copy; 2026 &amp;amp; more</p>"


def test_control_characters_are_dropped(reference: Path) -> None:
    paragraph = ElementTree.Element("p")
    paragraph.text = "bell\x07 null\x00 esc\x1b vt\x0b end\ufffe"
    body = ElementTree.Element("div")
    body.append(paragraph)
    _, _, document = render(body, reference)
    assert document.paragraphs[0].text == "bell null esc vt end"


# --- package ----------------------------------------------------------------------------------


def test_rendering_is_deterministic(reference: Path) -> None:
    source = "# T\n\n1. a\n2. b\n\n[x](https://x.example)\n\n" + PRICING
    first, _ = render_docx(md_tree(source), META, reference)
    second, _ = render_docx(md_tree(source), META, reference)
    assert first == second
    with zipfile.ZipFile(io.BytesIO(first)) as archive:
        infos = archive.infolist()
    assert {info.date_time for info in infos} == {(1980, 1, 1, 0, 0, 0)}
    names = [info.filename for info in infos]
    assert names[:5] == [
        "[Content_Types].xml",
        "_rels/.rels",
        "docProps/core.xml",
        "docProps/app.xml",
        "word/document.xml",
    ]
    assert all(name.startswith("word/") for name in names[4:])


def test_rendering_is_identical_across_processes(reference: Path, tmp_path: Path) -> None:
    script = (
        "import sys, hashlib; sys.path.insert(0, sys.argv[1]);"
        "from pathlib import Path; import test_docx_writer as t;"
        "from kamdocs.render.docx import render_docx;"
        "data, _ = render_docx(t.md_tree(t.SAMPLE), t.META, Path(sys.argv[2]));"
        "print(hashlib.sha256(data).hexdigest())"
    )
    digests = {
        subprocess.run(
            [sys.executable, "-c", script, str(Path(__file__).parent), str(reference)],
            check=True,
            capture_output=True,
            text=True,
            env={**os.environ, "PYTHONHASHSEED": seed},
            timeout=60,
        ).stdout
        for seed in ("1", "2")
    }
    assert len(digests) == 1


def test_parts_cover_every_entry_and_core_properties(reference: Path) -> None:
    data, parts = render_docx(md_tree("Hello\n"), META, reference)
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        assert archive.testzip() is None
        assert set(archive.namelist()) == set(parts)
        for name in archive.namelist():
            assert archive.read(name) == parts[name]
    document = docx.Document(io.BytesIO(data))
    core = document.core_properties
    assert core.title == META.title
    assert core.subject == "Proposal"
    assert core.author == "Maria Georgieva"
    assert core.last_modified_by == "Maria Georgieva"
    assert core.keywords == "proposal, WMS"
    assert core.revision == 1
    midnight = datetime.datetime(2026, 11, 26, tzinfo=datetime.UTC)
    assert core.created == midnight
    assert core.modified == midnight
    assert b"<Application>kamdocs</Application>" in parts["docProps/app.xml"]
    for name, blob in parts.items():
        assert b"python-docx" not in blob, name
        assert b"Microsoft Macintosh Word" not in blob, name


def test_content_types_cover_every_part(reference: Path) -> None:
    _, parts = render_docx(md_tree("1. a\n"), META, reference)
    types = ElementTree.fromstring(parts["[Content_Types].xml"])
    ct = "{http://schemas.openxmlformats.org/package/2006/content-types}"
    defaults = {d.get("Extension") for d in types.iter(ct + "Default")}
    overrides = {o.get("PartName") for o in types.iter(ct + "Override")}
    for name in parts:
        if name != "[Content_Types].xml":
            assert "/" + name in overrides or name.rsplit(".", 1)[1] in defaults, name
    for name in ("/docProps/core.xml", "/docProps/app.xml", "/word/numbering.xml"):
        assert name in overrides
    assert overrides <= {"/" + name for name in parts}


def test_section_properties_stay_last_with_header_and_footer(reference: Path) -> None:
    _, parts, document = render(md_tree("# A\n\nB\n"), reference)
    body = body_xml(parts)
    assert body[-1].tag == f"{{{W}}}sectPr"
    refs = body[-1].findall("w:headerReference", NS) + body[-1].findall("w:footerReference", NS)
    rels = _relationships(parts)
    targets = {rels[r.get(f"{{{R}}}id")]["Target"] for r in refs}
    assert len(targets) == 2 and all(f"word/{t}" in parts for t in targets)
    assert document.sections[0].header.paragraphs[0].text == "HEADER-MARK"
    assert document.sections[0].footer.paragraphs[0].text == "FOOTER-MARK"


def test_empty_body_keeps_the_section(reference: Path) -> None:
    _, parts, document = render(ElementTree.Element("div"), reference)
    assert [child.tag for child in body_xml(parts)] == [f"{{{W}}}sectPr"]
    assert document.paragraphs == []


def test_document_language_is_set_in_style_defaults(reference: Path) -> None:
    _, bg = render_docx(md_tree("x\n"), META, reference)
    en_meta = DocMeta("T", "S", "A", datetime.date(2026, 1, 2), "en-GB")
    _, en = render_docx(md_tree("x\n"), en_meta, reference)
    lang = "w:docDefaults/w:rPrDefault/w:rPr/w:lang"
    for parts, language in ((bg, "bg-BG"), (en, "en-GB")):
        styles = ElementTree.fromstring(parts["word/styles.xml"])
        assert styles.find(lang, NS).get(f"{{{W}}}val") == language


def test_reference_style_lookup(reference: Path) -> None:
    ref = Reference.load(reference)
    assert Reference.load(reference) is ref  # parsed once
    assert ref.style_id("heading 1") == "Heading1"
    assert ref.style_id("TABLE TEXT") == ref.style_id("Table Text")
    assert ref.style_id("Proposal Table", "table")
    with pytest.raises(KeyError):
        ref.style_id("No Such Style")
    with pytest.raises(KeyError):
        ref.style_id("Strong", "paragraph")


def test_missing_styles_fall_back_without_crashing(tmp_path: Path) -> None:
    bare = tmp_path / "bare.docx"
    docx.Document().save(bare)  # no Table Text, Proposal Table, Closing, Kamdocs numbering
    tree = md_tree("Bye\n{: .closing }\n\n1. a\n\n" + PRICING)
    data, _ = render_docx(tree, META, bare)
    document = docx.Document(io.BytesIO(data))
    assert document.paragraphs[0].style.name == "Normal"
    assert document.tables[0].rows[1].cells[0].text == "WMS Pro licence"


def test_real_reference_when_present() -> None:
    assert REAL_REFERENCE.is_file(), "templates/reference.docx is missing: run make reference"
    tree = md_tree("# T {: .title }\n\n- a\n\n1. b\n\n" + PRICING)
    data, parts = render_docx(tree, META, REAL_REFERENCE)
    document = docx.Document(io.BytesIO(data))
    assert [p.style.name for p in document.paragraphs[:3]] == [
        "Title",
        "List Bullet",
        "List Number",
    ]
    assert document.tables[0].style.name == "Proposal Table"
    assert body_xml(parts)[-1].tag == f"{{{W}}}sectPr"
    assert not any(b"python-docx" in blob for blob in parts.values())


# --- LibreOffice ------------------------------------------------------------------------------


SAMPLE = f"""\
# Warehouse automation, phase 2 {{: .title }}

Acme Logistics AD — 26 November 2026
{{: .subtitle }}

## For the management

We understand **Acme**'s situation: *growth* in e-commerce.

- Exclusive terms for 24 months
- Unique picking technology
    - nested bullet

## Figures

1. Payback within 18 months
2. Picking errors down 38%

Steps again:

1. Confirm receipt
2. Agree next steps

{PRICING}
> Recommended by Retail Chain X.

Contact: [Maria Georgieva](mailto:maria.georgieva@supplier.example), Кирилица 🚚

Valid until 26 декември 2026 г.
{{: .closing }}
"""


@pytest.mark.libreoffice
def test_libreoffice_converts_the_document(reference: Path, tmp_path: Path) -> None:
    soffice, pdftotext = shutil.which("soffice"), shutil.which("pdftotext")
    if not soffice or not pdftotext:
        pytest.skip("LibreOffice (soffice) and pdftotext are needed")
    data, _ = render_docx(md_tree(SAMPLE), META, reference)
    source = tmp_path / "sample.docx"
    source.write_bytes(data)
    subprocess.run(
        [
            soffice,
            f"-env:UserInstallation=file://{tmp_path}/lo-profile",
            "--headless",
            "--convert-to",
            "pdf",
            "--outdir",
            str(tmp_path),
            str(source),
        ],
        check=True,
        capture_output=True,
        timeout=120,
    )
    text = subprocess.run(
        [pdftotext, "-layout", str(tmp_path / "sample.pdf"), "-"],
        check=True,
        capture_output=True,
        text=True,
        timeout=60,
    ).stdout
    flat = re.sub(r"\s+", " ", text)
    for expected in (
        "Warehouse automation, phase 2",
        "Exclusive terms for 24 months",
        "Payback within 18 months",
        "WMS Pro licence",
        "48 000,00",
        "Maria Georgieva",
        "Кирилица",
        "Valid until 26 декември 2026 г.",
        "HEADER-MARK",
        "FOOTER-MARK",
    ):
        assert expected in flat, expected
    # Both numbered lists restart: "1." appears before each list's first item.
    assert re.search(r"1\.\s+Payback", flat) and re.search(r"1\.\s+Confirm receipt", flat)
    assert re.search(r"2\.\s+Agree next steps", flat)


@pytest.mark.parametrize("language", ["en-US", "bg-BG", "de", "", "x&y", "sr_Latn"])
def test_the_styles_part_of_each_language_is_what_lxml_writes(language: str) -> None:
    """Each language's styles.xml is made from one written with a mark for the language, or,
    for a language a mark could not stand for, with lxml: the bytes are the same."""
    from kamdocs.render.docx import _styles_with_language

    ref = Reference(REAL_REFERENCE, docx_parts(REAL_REFERENCE))
    expected = _styles_with_language(ref._styles_xml, language)
    assert ref.styles_entry(language).raw == expected
    lang = re.search(rb"<w:lang\b[^>]*/>", expected)
    assert lang is not None
    if language and "&" not in language:
        assert f'w:val="{language}"'.encode() in lang.group()


def test_a_reference_that_holds_the_language_mark_is_written_with_lxml(tmp_path: Path) -> None:
    from kamdocs.render.docx import _LANGUAGE_MARK, STYLES, _styles_with_language

    parts = docx_parts(REAL_REFERENCE)
    styles = parts[STYLES].decode("utf-8")
    parts[STYLES] = styles.replace("</w:styles>", f"<!-- {_LANGUAGE_MARK} --></w:styles>").encode()
    ref = Reference(tmp_path / "reference.docx", parts)
    assert ref._styles_for is None
    assert ref.styles_entry("en-US").raw == _styles_with_language(parts[STYLES], "en-US")
