"""The privacy guard judges what a reader sees, and tells a leak from a value that is public anyway.

A private value the manager writes into one of the dossier's own texts (summary, file name, ...)
stops the render, in every format, however it is spelled. A private value that also stands in
an input every proposal prints (the team's names, a date, the library, the templates, the
reference.docx) cannot be kept secret by any scan: it is a warning naming where it is public,
and the render goes on.
"""

from __future__ import annotations

import datetime as dt
import re
import zipfile
from pathlib import Path

import pytest
from helpers import ARGUMENTS, DOSSIER, build_file_tree, refused, run

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


# --- every public input a value can stand in, named as such --------------------------------------

ARGS = "templates/arguments/main.yaml"
REFS = "templates/references.yaml"


def public(start: str, where: str) -> list[str]:
    """The one warning of a private value that is public in ``where``, after ``start``."""
    return [f"{start}this private value is also public in {where}; the guard cannot protect it"]


def hometown(ws: Path, value: str, industry: str = "logistics") -> str:
    """Ivan's private hometown set to ``value`` (YAML text as written); the warning's start."""
    text = DOSSIER.replace("  industry: logistics\n", f"  industry: {industry}\n", 1)
    text = text.replace(
        '      notes: "Secretly prefers the competitor"\n',
        f'      notes: "Secretly prefers the competitor"\n      hometown: {value}\n',
    )
    build_file_tree(ws, {"dossiers/acme.yaml": text})
    return f"dossiers/acme.yaml:{line_of(ws, 'hometown:')}: warning: dmu[0].private.hometown: "


@pytest.mark.parametrize(
    ("value", "public_in"),
    [
        ('"Lower total cost"', f"{ARGS} [tco].title.en"),
        ('"Median go-live is six weeks"', f"{ARGS} [fast].text.en"),
        ('"Measured over 40 projects"', f"{ARGS} [fast].detail.en"),
        ("Спестявания", f"{ARGS} [tco].figures[0].label.bg"),
        ('"21 %"', f"{ARGS} [tco].figures[0].value"),
        ('"6 седмици"', f"{ARGS} [fast].figures[0].value.bg"),
        ('"A WMS for 40 stores"', f"{REFS} [big-retail].project.en"),
        ('"Errors down 38%"', f"{REFS} [big-retail].result.en"),
        ('"Big Retail"', f"{REFS} [big-retail].company"),
        ('"Rita Recommends"', f"{REFS} [big-retail].recommender.name"),
        ('"Figures and financial result"', "personas.yaml [finance].label.en"),
        ('"Commercial proposal"', "locales/en.yaml proposal"),
        ('"The content template of every proposal"', "templates/proposal.md.j2"),
        ('"Marketing owns this file"', "templates/proposal.css"),
        ('"Acme Logistics AD"', "client.name"),
        ("retail", "client.industry"),
        ('"Chief Executive Officer"', "dmu[0].position"),
        ('"Elena Dimitrova"', "dmu[1].name"),
        ('"Maria Georgieva"', "team[0].name"),
        ('"maria@supplier.example"', "team[0].email"),
        ('"1249.90"', "offer.pricing.items[0].unit_price"),
        ("2026-11-26", "offer.issued"),
        ('"26.11.2026"', "offer.issued"),  # the issue date as the dd.mm.yyyy form
        ("2026-12-26", "the validity date"),
        ('"Dec 26, 2026"', "the validity date"),  # the medium form
        ('"Saturday, December 26, 2026"', "the validity date"),  # the full form
        ('"December 26, 2026"', "the validity date"),
    ],
)
def test_each_public_input_is_named_where_the_value_is_public(
    ws: Path, value: str, public_in: str
) -> None:
    # Each kind of input the guard knows to be public, in the library, the templates folder and
    # the dossier's printed fields: a private value in it is a warning naming that input, and
    # the proposal is written (a value left out of the public inputs would stop the render).
    start = hometown(ws, value, industry="retail" if value == "retail" else "logistics")
    expected = public(start, public_in)
    assert warnings(ws) == (expected, expected)


@pytest.mark.parametrize(
    ("kamdocs_yaml", "value", "public_in"),
    [
        ("supplier:\n  name: Stratos Ltd\n", '"Stratos Ltd"', "kamdocs.yaml supplier.name"),
        (
            "supplier:\n  name: Stratos Ltd\n  website: https://stratos.example\n",
            '"stratos.example"',
            "kamdocs.yaml supplier.website",
        ),
    ],
)
def test_the_supplier_s_name_and_website_are_public(
    ws: Path, kamdocs_yaml: str, value: str, public_in: str
) -> None:
    # The supplier's only text, the value whole: the value's words are all the input's words.
    build_file_tree(ws, {"kamdocs.yaml": kamdocs_yaml})
    start = hometown(ws, value)
    expected = public(start, public_in)
    assert warnings(ws) == (expected, expected)


LOOKS_PUBLIC = """
- id: aaa-words
  kind: benefit
  title: {en: "Zorblaxes"}
  text: {en: "Deliveries from north_side through side_gate. Zorblax."}
  detail: {en: "Zorblaxian"}
"""


@pytest.mark.parametrize("value", ["Retai", "etail", "north", "gate"])
def test_part_of_a_word_of_a_public_input_is_not_public(ws: Path, value: str) -> None:
    # A letter, a digit or "_" next to it: the value is not a word of that input.
    build_file_tree(ws, {"templates/arguments/main.yaml": ARGUMENTS + LOOKS_PUBLIC})
    hometown(ws, value)
    assert warnings(ws) == ([], [])


def test_a_whole_occurrence_between_partial_ones_is_found(ws: Path) -> None:
    # "zorblax" in "Zorblaxes" (title), whole in the text, in "Zorblaxian" (detail), and
    # nowhere else: the search goes on past the first partial one, occurrence by occurrence.
    build_file_tree(ws, {"templates/arguments/main.yaml": ARGUMENTS + LOOKS_PUBLIC})
    start = hometown(ws, "Zorblax")
    expected = public(start, f"{ARGS} [aaa-words].text.en")
    assert warnings(ws) == (expected, expected)


@pytest.mark.parametrize(
    ("field", "edit"),
    [
        (
            "business.weaknesses[0]",
            ("offer:\n", "business:\n  weaknesses: [Lower total cost]\noffer:\n"),
        ),
        (
            "relationship.history[0].summary",
            (
                "  status: new\n",
                "  status: existing\n  history:\n"
                "    - {date: 2025-04-01, summary: Lower total cost}\n",
            ),
        ),
        ("offer.pricing.items[0].description", ("WMS licence", "Lower total cost")),
        (
            "offer.summary",
            (
                "  title: Warehouse automation\n",
                "  title: Warehouse automation\n  summary: Lower total cost\n",
            ),
        ),
    ],
)
def test_a_value_in_a_written_text_is_a_leak_though_a_library_text_holds_it(
    ws: Path, field: str, edit: tuple[str, str]
) -> None:
    # The value stands in a library title too (public), but the dossier's own text is how it
    # would reach the client: the render stops, naming that text, in lists as in single texts.
    text = DOSSIER.replace(*edit, 1).replace(
        '      notes: "Secretly prefers the competitor"\n',
        '      notes: "Secretly prefers the competitor"\n      hometown: Lower total cost\n',
    )
    build_file_tree(ws, {"dossiers/acme.yaml": text})
    result = run("render", "dossiers/acme.yaml", "-f", "md", "-o", "out")
    lines = refused(result)
    line = line_of(ws, "hometown:")
    assert lines[0] == (
        f"dossiers/acme.yaml:{line}: dmu[0].private.hometown: this private value would appear "
        f"in {SLUG}.md through {field}; private data must never reach the client "
        f"(remove it from {field})"
    )


def test_a_bulgarian_proposal_knows_a_private_date_in_its_own_forms(ws: Path) -> None:
    # Ivan's birthday, 1971-05-14, as a Bulgarian proposal prints it, in the summary.
    from kamdocs import formatting  # noqa: PLC0415

    printed = formatting.date(dt.date(1971, 5, 14), "bg", "long")
    text = DOSSIER.replace("  industry: logistics\n", "  industry: logistics\n  locale: bg\n", 1)
    text = text.replace(
        "  title: Warehouse automation\n",
        f'  title: Warehouse automation\n  summary: "Роден на {printed}"\n',
    )
    build_file_tree(ws, {"dossiers/acme.yaml": text})
    lines = refused(run("render", "dossiers/acme.yaml", "-f", "md", "-o", "out"))
    line = line_of(ws, "birthday:")
    assert lines[0] == (
        f"dossiers/acme.yaml:{line}: dmu[0].private.birthday: this private value would appear "
        f"in {SLUG}.md through offer.summary; private data must never reach the client "
        "(remove it from offer.summary)"
    )


def test_a_private_date_on_the_issue_date_no_dossier_field_gives_is_named_as_such(
    ws: Path,
) -> None:
    # No offer.issued: the proposal is issued on the build date, which it prints. (The offer
    # comes after the members: removing its line moves no line of theirs.)
    start = hometown(ws, "2026-11-27")
    path = ws / "dossiers/acme.yaml"
    path.write_text(path.read_text("utf-8").replace("  issued: 2026-11-26\n", ""), "utf-8")
    workspace = find_workspace(ws)
    on = dt.date(2026, 11, 27)
    checked = app.validate(workspace, [Path("dossiers/acme.yaml")], on)
    written = app.render(workspace, [Path("dossiers/acme.yaml")], ("md",), ws / "out", on)
    expected = public(start, "the issue date")
    assert [str(p) for p in checked.warnings] == expected
    assert [str(p) for p in written.warnings] == expected


# --- which input a warning names, when a value is part of a word in one and whole in another ------


@pytest.mark.parametrize(
    "title",
    ["Xzorblax", "_zorblax", "zorblax_", "Zorblax2"],
    ids=["letter-before", "underscore-before", "underscore-after", "digit-after"],
)
def test_the_warning_names_the_input_that_holds_the_value_whole(ws: Path, title: str) -> None:
    # The title holds "zorblax" inside a word only; the text holds it whole.
    words = f"""
- id: aaa-words
  kind: benefit
  title: {{en: "{title}"}}
  text: {{en: "Zorblax"}}
"""
    build_file_tree(ws, {"templates/arguments/main.yaml": ARGUMENTS + words})
    start = hometown(ws, "Zorblax")
    expected = public(start, f"{ARGS} [aaa-words].text.en")
    assert warnings(ws) == (expected, expected)


def test_a_link_target_in_the_reference_docx_rels_is_public(ws: Path) -> None:
    reference = ws / "templates/reference.docx"
    with zipfile.ZipFile(reference) as package:
        parts = {name: package.read(name) for name in package.namelist()}
    rels = sorted(n for n in parts if re.match(r"word/_rels/header\d*\.xml\.rels$", n))[0]
    link = (
        '<Relationship Id="rIdKamdocsTest" TargetMode="External" Target="https://zorblax.example/" '
        'Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/hyperlink"/>'
    )
    parts[rels] = parts[rels].replace(b"</Relationships>", link.encode() + b"</Relationships>")
    with zipfile.ZipFile(reference, "w") as package:
        for name, data in parts.items():
            package.writestr(name, data)
    start = hometown(ws, "zorblax.example")
    expected = public(start, f"templates/reference.docx ({rels})")
    assert warnings(ws) == (expected, expected)


def test_only_printed_fields_of_the_dossier_are_public_inputs(ws: Path) -> None:
    # The client's name and industry, each member's name and position, the team, the dossier's
    # own texts, its numbers and dates: not a member's role, persona, e-mail or priorities,
    # nor a yes/no answer or a field left empty.
    from kamdocs import privacy  # noqa: PLC0415
    from kamdocs.dossier import load_dossier  # noqa: PLC0415
    from kamdocs.library import load_library  # noqa: PLC0415

    library = load_library(ws / "templates")
    loaded = load_dossier(ws / "dossiers/acme.yaml", library, dt.date(2026, 11, 26))
    named = [privacy._where(where) for where, _, _ in privacy._dossier_inputs(loaded)]
    assert [w for w in named if w.startswith("dmu")] == [
        "dmu[0].name",
        "dmu[0].position",
        "dmu[1].name",
        "dmu[1].position",
    ]
    assert "team[0].lead" not in named and "team[0].name" in named


def test_a_reference_s_id_and_flags_are_no_public_input(ws: Path) -> None:
    from kamdocs import privacy  # noqa: PLC0415
    from kamdocs.library import _load_library  # noqa: PLC0415

    named = [where for where, _, _ in privacy._read_inputs(_load_library(ws / "templates")).items]
    of_references = [w for w in named if w.startswith(REFS)]
    assert f"{REFS} [big-retail].recommender.name" in of_references
    assert not [w for w in of_references if w.endswith((".id", ".significant", ".consent"))]
