"""The privacy guard judges what a reader sees, and tells a leak from a value that is public anyway.

A private value the manager writes into one of the dossier's own texts (summary, file name, ...)
stops the render, in every format, however it is spelled. A private value that also stands in
an input every proposal prints (the team's names, a date, the library, the templates, the
reference.docx) cannot be kept secret by any scan: it is a warning naming where it is public,
and the render goes on.
"""

from __future__ import annotations

import re
import zipfile
from pathlib import Path

import pytest
from helpers import ARGUMENTS, DOSSIER, build_file_tree, run

from kamdocs import app
from kamdocs.errors import Problem
from kamdocs.workspace import find_workspace

SLUG = "acme-logistics-ad"
FORMATS = ["md", "html", "docx"]


def line_of(ws: Path, needle: str) -> int:
    lines = (ws / "dossiers/acme.yaml").read_text("utf-8").splitlines()
    return next(i for i, line in enumerate(lines, 1) if needle in line)


def where(fmt: str) -> str:
    return f"{SLUG}.docx (word/document.xml)" if fmt == "docx" else f"{SLUG}.{fmt}"


def dossier(ws: Path, private: str, summary: str | None = None, extra: str = "") -> None:
    """The small dossier with ``private`` as Ivan's private notes (YAML text as written) and
    ``summary`` as the offer's summary."""
    text = DOSSIER.replace('notes: "Secretly prefers the competitor"', f"notes: {private}")
    if summary is not None:
        text = text.replace(
            "  title: Warehouse automation\n",
            f"  title: Warehouse automation\n  summary: {summary}\n",
        )
    build_file_tree(ws, {"dossiers/acme.yaml": text.replace("offer:\n", extra + "offer:\n", 1)})


def leak(ws: Path, fmt: str, field: str, needle: str, through: str) -> list[str]:
    return [
        f"dossiers/acme.yaml:{line_of(ws, needle)}: {field}: this private value would appear in "
        f"{where(fmt)} through {through}; private data must never reach the client "
        f"(remove it from {through})"
    ]


def warnings(ws: Path) -> tuple[list[str], list[str]]:
    """The warnings of ``validate`` and of ``render`` (all formats), as the user reads them."""
    workspace = find_workspace(ws)
    checked = app.validate(workspace, [Path("dossiers/acme.yaml")])
    written = app.render(workspace, [Path("dossiers/acme.yaml")], tuple(FORMATS), ws / "out")
    assert all(isinstance(p, Problem) and p.is_warning for p in written.warnings)
    return [str(p) for p in checked.warnings], [str(p) for p in written.warnings]


# --- item 2: Markdown syntax in a value does not hide it ------------------------------------------


@pytest.mark.parametrize("fmt", FORMATS)
@pytest.mark.parametrize(
    "value",
    ["ivan_the_sailor", "5*star yacht", "`rosebud`", "[boat](club)", "ivan\\\\_the\\\\_sailor"],
)
def test_a_private_value_with_markdown_syntax_is_caught_in_every_format(
    ws: Path, fmt: str, value: str
) -> None:
    dossier(ws, f'"{value}"', f'"Contact handle {value}"')
    result = run("render", "dossiers/acme.yaml", "-f", fmt, "-o", "out")
    assert result.exit_code == 1, result.output
    assert result.stderr.splitlines() == leak(
        ws, fmt, "dmu[0].private.notes", "notes:", "offer.summary"
    )
    assert not (ws / "out").exists()


# --- item 4: the file name is an output ----------------------------------------------------------


def test_the_file_name_is_scanned(ws: Path) -> None:
    text = DOSSIER.replace(
        "  industry: logistics\n", "  industry: logistics\n  slug: ivan-divorce-2026\n"
    )
    text = text.replace('notes: "Secretly prefers the competitor"', "notes: ivan-divorce-2026")
    build_file_tree(ws, {"dossiers/acme.yaml": text})
    for fmt in FORMATS:
        result = run("render", "dossiers/acme.yaml", "-f", fmt, "-o", "out")
        assert result.exit_code == 1, result.output
        assert result.stderr.splitlines() == [
            f"dossiers/acme.yaml:{line_of(ws, 'notes:')}: dmu[0].private.notes: this private "
            "value would appear in the documents' file name through client.slug; private data "
            "must never reach the client (remove it from client.slug)"
        ]
        assert "ivan-divorce" not in result.output
        assert not (ws / "out").exists()


# --- item 5: look-alikes -------------------------------------------------------------------------


@pytest.mark.parametrize("fmt", FORMATS)
@pytest.mark.parametrize(
    ("private", "public"),
    [
        ('"Café Noir"', '"Dinner at Cafe\\u0301 Noir"'),  # decomposed accent
        ('"Cafe\\u0301 Noir"', '"Dinner at Café Noir"'),
        ("yachting", '"Weekend yacht\\u200bing"'),  # zero-width space
        ("yachting", '"Weekend yacht\\u00ading"'),  # soft hyphen
        ("yachting", '"Weekend ｙａｃｈｔｉｎｇ"'),  # fullwidth letters
        ("yachting", '"Weekend YACHT\\u2060ING"'),  # word joiner, another case
    ],
)
def test_look_alikes_are_caught(ws: Path, fmt: str, private: str, public: str) -> None:
    dossier(ws, private, public)
    result = run("render", "dossiers/acme.yaml", "-f", fmt, "-o", "out")
    assert result.exit_code == 1, result.output
    assert result.stderr.splitlines() == leak(
        ws, fmt, "dmu[0].private.notes", "notes:", "offer.summary"
    )


# --- item 6: a value that is public anyway is a warning, not an error ----------------------------


def test_a_name_on_the_team_is_a_warning(ws: Path) -> None:
    text = DOSSIER.replace(
        '      notes: "Secretly prefers the competitor"\n',
        '      notes: "Secretly prefers the competitor"\n      family:\n        wife: Maria\n',
    )
    build_file_tree(ws, {"dossiers/acme.yaml": text})
    line = line_of(ws, "wife:")
    expected = [
        f"dossiers/acme.yaml:{line}: warning: dmu[0].private.family.wife: "
        "this private value is also public "
        "in team[0].name; the guard cannot protect it"
    ]
    assert warnings(ws) == (expected, expected)
    assert "Maria" in (ws / f"out/{SLUG}.md").read_text("utf-8")
    # The guard goes on protecting the rest: the notes still stop a render.
    text = text.replace(
        "  title: Warehouse automation\n",
        '  title: Warehouse automation\n  summary: "Secretly prefers the competitor"\n',
    )
    build_file_tree(ws, {"dossiers/acme.yaml": text})
    result = run("render", "dossiers/acme.yaml", "-f", "md", "-o", "out2")
    assert result.exit_code == 1
    assert "dmu[0].private.notes: this private value would appear in" in result.stderr
    assert "Secretly" not in result.stderr


def test_a_year_that_is_the_issue_year_is_a_warning(ws: Path) -> None:
    text = DOSSIER.replace(
        '      notes: "Secretly prefers the competitor"\n',
        '      notes: "Secretly prefers the competitor"\n      since: 2026\n',
    )
    build_file_tree(ws, {"dossiers/acme.yaml": text})
    line = line_of(ws, "since:")
    found = warnings(ws)
    expected = [
        f"dossiers/acme.yaml:{line}: warning: dmu[0].private.since: "
        "this private value is also public in "
        "offer.issued; the guard cannot protect it"
    ]
    assert found == (expected, expected)


def test_a_word_of_a_library_text_is_a_warning(ws: Path) -> None:
    text = DOSSIER.replace(
        '      notes: "Secretly prefers the competitor"\n',
        '      notes: "Secretly prefers the competitor"\n      values: [warehouse]\n',
    ).replace("  valid_days: 30\n", "  valid_days: 30\n  include: [stock]\n")
    text = text.replace("title: Warehouse automation", "title: Automation, phase 2")
    build_file_tree(
        ws,
        {
            "dossiers/acme.yaml": text,
            "templates/arguments/main.yaml": ARGUMENTS
            + """
- id: stock
  kind: exclusivity
  title: {en: "Stock", bg: "Склад"}
  text: {en: "Your warehouse, faster.", bg: "Вашият warehouse."}
""",
        },
    )
    line = line_of(ws, "values:")
    found = warnings(ws)
    expected = [
        f"dossiers/acme.yaml:{line}: warning: dmu[0].private.values[0]: "
        "this private value is also public "
        "in templates/arguments/main.yaml [stock].text.en; the guard cannot protect it"
    ]
    assert found == (expected, expected)


def test_a_word_of_the_library_alone_is_a_warning_naming_the_text(ws: Path) -> None:
    text = DOSSIER.replace(
        '      notes: "Secretly prefers the competitor"\n',
        '      notes: "Secretly prefers the competitor"\n      values: [punctuality]\n',
    ).replace("  valid_days: 30\n", "  valid_days: 30\n  include: [stock]\n")
    build_file_tree(
        ws,
        {
            "dossiers/acme.yaml": text,
            "templates/arguments/main.yaml": ARGUMENTS
            + """
- id: stock
  kind: exclusivity
  title: {en: "On time", bg: "Навреме"}
  text: {en: "Punctuality is our promise.", bg: "Точност."}
""",
        },
    )
    line = line_of(ws, "values:")
    found = warnings(ws)
    expected = [
        f"dossiers/acme.yaml:{line}: warning: dmu[0].private.values[0]: this private value is also "
        "public in templates/arguments/main.yaml [stock].text.en; the guard cannot protect it"
    ]
    assert found == (expected, expected)
    assert "Punctuality is our promise" in (ws / f"out/{SLUG}.md").read_text("utf-8")


def test_a_word_of_the_reference_docx_header_is_a_warning(ws: Path) -> None:
    reference = ws / "templates/reference.docx"
    with zipfile.ZipFile(reference) as package:
        parts = {name: package.read(name) for name in package.namelist()}
    header = sorted(n for n in parts if re.match(r"word/header\d*\.xml$", n))[0]
    xml = parts[header].decode("utf-8")
    xml = re.sub(
        r"(<w:p[ >].*?)(</w:p>)",
        r"\1<w:r><w:t>Sofia office</w:t></w:r>\2",
        xml,
        count=1,
        flags=re.DOTALL,
    )
    parts[header] = xml.encode("utf-8")
    with zipfile.ZipFile(reference, "w") as package:
        for name, data in parts.items():
            package.writestr(name, data)
    text = DOSSIER.replace(
        '      notes: "Secretly prefers the competitor"\n',
        '      notes: "Secretly prefers the competitor"\n      hometown: Sofia\n',
    )
    build_file_tree(ws, {"dossiers/acme.yaml": text})
    line = line_of(ws, "hometown:")
    expected = [
        f"dossiers/acme.yaml:{line}: warning: dmu[0].private.hometown: "
        "this private value is also public in "
        f"templates/reference.docx ({header}); the guard cannot protect it"
    ]
    assert warnings(ws) == (expected, expected)
    with zipfile.ZipFile(ws / f"out/{SLUG}.docx") as package:
        assert "Sofia office" in package.read(header).decode("utf-8")


def test_a_word_of_the_supplier_in_kamdocs_yaml_is_a_warning(ws: Path) -> None:
    # The supplier's address heads every page (DOCX header and footer, HTML): public anyway.
    build_file_tree(
        ws, {"kamdocs.yaml": 'supplier:\n  name: Stratos Ltd\n  address: {en: "Plovdiv, BG"}\n'}
    )
    text = DOSSIER.replace(
        '      notes: "Secretly prefers the competitor"\n',
        '      notes: "Secretly prefers the competitor"\n      hometown: Plovdiv\n',
    )
    build_file_tree(ws, {"dossiers/acme.yaml": text})
    line = line_of(ws, "hometown:")
    expected = [
        f"dossiers/acme.yaml:{line}: warning: dmu[0].private.hometown: "
        "this private value is also public in kamdocs.yaml supplier.address.en; "
        "the guard cannot protect it"
    ]
    assert warnings(ws) == (expected, expected)
    assert "Plovdiv" in (ws / f"out/{SLUG}.html").read_text("utf-8")


def test_a_warning_does_not_block_and_names_no_template(ws: Path) -> None:
    text = DOSSIER.replace(
        '      notes: "Secretly prefers the competitor"\n',
        '      notes: "Secretly prefers the competitor"\n      family:\n        wife: Maria\n',
    )
    build_file_tree(ws, {"dossiers/acme.yaml": text})
    result = run("render", "dossiers/acme.yaml", "-f", "md,docx,html", "-o", "out")
    assert result.exit_code == 0, result.output
    assert "check the templates" not in result.output
    assert {f"{SLUG}.docx", f"{SLUG}.html", f"{SLUG}.md"} <= {
        p.name for p in (ws / "out").iterdir()
    }


# --- the warning as the user reads it ----------------------------------------------------------


@pytest.mark.parametrize("command", ["validate", "render", "build"])
def test_the_warning_on_stderr_and_strict(ws: Path, command: str) -> None:
    text = DOSSIER.replace(
        '      notes: "Secretly prefers the competitor"\n',
        '      notes: "Secretly prefers the competitor"\n      family:\n        wife: Maria\n',
    )
    build_file_tree(ws, {"dossiers/acme.yaml": text})
    expected = (
        f"dossiers/acme.yaml:{line_of(ws, 'wife:')}: warning: dmu[0].private.family.wife: "
        "this private value is also public in team[0].name; the guard cannot protect it"
    )
    args = {"validate": ["validate", "dossiers/acme.yaml"],
            "render": ["render", "dossiers/acme.yaml", "-f", "md,html,docx", "-o", "out"],
            "build": ["build", "-f", "md,html,docx", "-o", "out"]}[command]  # fmt: skip
    result = run(*args)
    assert result.exit_code == 0, result.output
    assert result.stderr.splitlines() == [expected]
    if command == "validate":
        assert not (ws / "out").exists()
    else:
        assert (ws / f"out/{SLUG}.md").exists()
    strict = run(*args[:1], "--strict", *args[1:]) if command != "validate" else None
    strict = strict or run("validate", "--strict", "dossiers/acme.yaml")
    assert strict.exit_code == 1, strict.output
    assert strict.stderr.splitlines() == [expected.replace(": warning:", ":")]
