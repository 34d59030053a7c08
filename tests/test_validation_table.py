"""What `kamdocs validate` says about the mistakes a newcomer makes: the exact message, its line,
and whether it is an error (exit 1) or a warning (exit 0, or exit 1 with --strict)."""

from __future__ import annotations

import os
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from helpers import ARGUMENTS, DOSSIER, build_file_tree, run, small_library
from hypothesis import given, settings
from hypothesis import strategies as st

FILE = "dossiers/acme.yaml"
VALID = DOSSIER.lstrip("\n")
SUFFIX = " (a point for decimals, no spaces, separators or %)"
# An argument written in English only: a Bulgarian proposal prints its English text.
ENGLISH_ONLY = """
- id: english-only
  kind: benefit
  title: {en: "Only in English"}
  text: {en: "Nobody translated this."}
"""


@dataclass(frozen=True)
class Row:
    id: str
    content: str | bytes  # the dossier
    expected: list[tuple[int, str, str, str]]  # (line, "error" | "warning", field, message)
    arguments: str = ARGUMENTS
    files: dict[str, str] = field(default_factory=dict)  # more files of the workspace

    def lines(self) -> list[str]:
        out = []
        for line, level, where, message in self.expected:
            head = f"{FILE}:{line}: warning" if level == "warning" else f"{FILE}:{line}"
            if where.startswith("templates/"):  # a problem in the library, not the dossier
                path, _, rest = where.partition(" ")
                head = f"{path}: warning" if level == "warning" else path
                where = rest
            out.append(f"{head}: {where}: {message}" if where else f"{head}: {message}")
        return out

    @property
    def warnings_only(self) -> bool:
        return all(level == "warning" for _, level, _, _ in self.expected)


def edit(old: str, new: str, text: str = VALID) -> str:
    assert old in text, old
    return text.replace(old, new, 1)


def plain_number(text: str, example: str) -> str:
    return f"'{text}' is not a plain number; write a plain number such as {example}{SUFFIX}"


TENDER = "tender:\n  name: Big tender\n  submission_date: 2027-06-01\ncriteria:\n"

ROWS = [
    # Messages a person can act on (issue 12, item 4).
    Row(
        "vat-percent-with-sign",
        edit("vat_percent: 20", "vat_percent: 19%"),
        [(29, "error", "offer.pricing.vat_percent", plain_number("19%", "19"))],
    ),
    Row(
        "price-with-space-and-comma",
        edit("unit_price: 1249.90", "unit_price: 1 249,90"),
        [(33, "error", "offer.pricing.items[0].unit_price", plain_number("1 249,90", "1249.90"))],
    ),
    Row(
        "currency-as-a-word",
        edit("currency: EUR", "currency: euro"),
        [
            (
                28,
                "error",
                "offer.pricing.currency",
                "'euro' is not an ISO 4217 code; did you mean 'EUR'?",
            )
        ],
    ),
    Row(
        "currency-in-lower-case",
        edit("currency: EUR", "currency: bgn"),
        [
            (
                28,
                "error",
                "offer.pricing.currency",
                "'bgn' is not an ISO 4217 code; did you mean 'BGN'?",
            )
        ],
    ),
    Row(
        "date-day-first",
        edit("issued: 2026-11-26", "issued: 01.12.2026"),
        [(25, "error", "offer.issued", "write dates as YYYY-MM-DD, e.g. 2026-12-01")],
    ),
    Row(
        "tab-indentation",
        edit("    position: CFO", "\tposition: CFO"),
        [(19, "error", "", "tab used for indentation; use spaces")],
    ),
    Row(
        "persona-capitalised",
        edit("persona: finance", "persona: Finance"),
        [
            (
                20,
                "error",
                "dmu[1].persona",
                "unknown persona 'Finance' (known: executive, hr, finance, technical); "
                "did you mean 'finance'?",
            )
        ],
    ),
    Row(
        "persona-spelt-out",
        edit("persona: finance", "persona: human_resources"),
        [
            (
                20,
                "error",
                "dmu[1].persona",
                "unknown persona 'human_resources' (known: executive, hr, finance, technical); "
                "did you mean 'hr'?",
            )
        ],
    ),
    Row(
        "include-misspelt",
        edit("  valid_days: 30\n", "  valid_days: 30\n  include: [tcoo]\n"),
        [(27, "error", "offer.include[0]", "unknown argument 'tcoo'; did you mean 'tco'?")],
    ),
    # Checks that were missing (issue 12, item 3).
    Row(
        "placeholder-title",
        edit("title: Warehouse automation", 'title: "Title of the offer"'),
        [
            (
                24,
                "warning",
                "offer.title",
                "still the starter's placeholder 'Title of the offer'; write the real value",
            )
        ],
    ),
    Row(
        "placeholder-email",
        edit("email: maria@supplier.example", "email: you@supplier.example"),
        [
            (
                40,
                "warning",
                "team[0].email",
                "still the starter's placeholder 'you@supplier.example'; write the real value",
            )
        ],
    ),
    Row(
        "two-leads",
        VALID + "  - name: Petar Nikolov\n    position: Engineer\n    lead: true\n",
        [
            (
                45,
                "error",
                "team[1].lead",
                "team[0] is the lead already; mark exactly one member lead: true",
            )
        ],
    ),
    Row(
        "no-lead",
        edit("    lead: true", "    lead: false"),
        [
            (
                37,
                "warning",
                "team",
                "no member is marked lead: true; the first (Maria Georgieva) is shown as the lead",
            )
        ],
    ),
    Row(
        "unknown-product",
        edit("  valid_days: 30\n", "  valid_days: 30\n  products: [wms-pr]\n"),
        [
            (
                27,
                "error",
                "offer.products[0]",
                "no argument is about the product 'wms-pr'; did you mean 'wms'?",
            )
        ],
    ),
    Row(
        "criterion-no-argument-answers",
        edit("  - implementation speed", "  - implementation sped"),
        [
            (
                8,
                "warning",
                "criteria[1]",
                "no argument answers 'implementation sped', so it changes nothing; "
                "did you mean 'implementation speed'?",
            )
        ],
    ),
    Row(
        "priority-no-argument-answers",
        edit("    knowledge: expert\n", "    knowledge: expert\n    priorities: [price]\n"),
        [
            (
                23,
                "warning",
                "dmu[1].priorities[0]",
                "no argument answers 'price', so it changes nothing",
            )
        ],
    ),
    Row(
        "industry-no-reference-has",
        edit("industry: logistics", "industry: pharma"),
        [
            (
                3,
                "warning",
                "client.industry",
                "no reference project has the industry 'pharma', so none is shown first "
                "(industries: logistics, retail)",
            )
        ],
    ),
    Row(
        "offer-expires-before-the-tender",
        edit("criteria:\n", TENDER),
        [
            (
                29,
                "warning",
                "offer.valid_days",
                "the offer expires (2026-12-26) before the tender's submission date "
                "(2027-06-01); make it valid until then",
            )
        ],
    ),
    Row(
        "history-of-a-new-client",
        edit(
            "  status: new\n",
            "  status: new\n  history:\n    - {date: 2025-04-01, summary: Pilot}\n",
        ),
        [
            (
                6,
                "warning",
                "relationship.history",
                "a new client's proposal shows no history (relationship.status is new); "
                "make the status existing to show it, or remove the history",
            )
        ],
    ),
    Row(
        "text-missing-for-the-language",
        edit("  industry: logistics\n", "  industry: logistics\n  locale: bg\n"),
        [
            (
                60,
                "warning",
                "templates/arguments/main.yaml:60 title",
                "argument 'english-only' has no 'bg' text; a 'bg' proposal prints the 'en' one",
            ),
            (
                61,
                "warning",
                "templates/arguments/main.yaml:61 text",
                "argument 'english-only' has no 'bg' text; a 'bg' proposal prints the 'en' one",
            ),
        ],
        arguments=ARGUMENTS + ENGLISH_ONLY,
    ),
    # Wrong output with exit 0 before (issue 11).
    Row(
        "valid-days-yes",
        edit("valid_days: 30", "valid_days: yes"),
        [
            (
                26,
                "error",
                "offer.valid_days",
                "must be a whole number (such as 30), not yes: YAML reads that as true/false",
            )
        ],
    ),
    Row(
        "issued-a-number",
        edit("issued: 2026-11-26", "issued: 0"),
        [(25, "error", "offer.issued", "write dates as YYYY-MM-DD, e.g. 2026-12-01")],
    ),
    Row(
        "price-in-hexadecimal",
        edit("unit_price: 1249.90", "unit_price: 0x10"),
        [(33, "error", "offer.pricing.items[0].unit_price", plain_number("0x10", "1249.90"))],
    ),
    Row(
        "name-read-as-a-boolean",
        edit("name: Acme Logistics AD", "name: no"),
        [
            (
                2,
                "error",
                "client.name",
                "YAML reads no as a boolean (true/false); write it in quotes: 'no'",
            )
        ],
    ),
    Row(
        "locale-read-as-a-boolean",
        edit("  industry: logistics\n", "  industry: logistics\n  locale: no\n"),
        [
            (
                4,
                "error",
                "client.locale",
                "YAML reads no as a boolean (true/false); write it in quotes: 'no'",
            )
        ],
    ),
    Row(
        "expiry-past-the-calendar",
        edit("issued: 2026-11-26\n  valid_days: 30", "issued: 9999-01-01\n  valid_days: 3650"),
        [
            (
                26,
                "error",
                "offer.valid_days",
                "the offer would expire 3650 days after 9999-01-01, past the last date kamdocs "
                "can write (9999-12-31)",
            )
        ],
    ),
    Row(
        "name-too-long-for-a-file-name",
        edit("name: Acme Logistics AD", "name: " + "Acme " * 50),
        [
            (
                2,
                "error",
                "client.name",
                "makes a file name of 249 characters (at most 100); give a shorter client.slug",
            )
        ],
    ),
    # A private value never appears in a message (issue 11, privacy 7).
    Row(
        "private-impossible-date",
        edit("birthday: 1971-05-14", "birthday: 1971-02-30"),
        [
            (
                15,
                "error",
                "dmu[0].private.birthday",
                "not a real date (day is out of range for month)",
            )
        ],
    ),
    # Odd files (issue 11).
    Row(
        "utf-16",
        VALID.encode("utf-16"),
        [
            (
                1,
                "error",
                "",
                "saved as UTF-16 (it starts with a UTF-16 byte order mark); save the file as UTF-8",
            )
        ],  # noqa: E501
    ),
    Row(
        "utf-32",
        VALID.encode("utf-32"),
        [
            (
                1,
                "error",
                "",
                "saved as UTF-32 (it starts with a UTF-32 byte order mark); save the file as UTF-8",
            )
        ],  # noqa: E501
    ),
    Row("empty-document", "---\n...\n", [(1, "error", "", "the file is empty")]),
    # Every problem at once (issue 12, item 2): a YAML-level problem hides nothing.
    Row(
        "four-problems-one-of-them-a-date",
        edit(
            "    role: approver\n",
            "    role: approver\n    priorites: [total cost of ownership]\n",
            edit(
                "issued: 2026-11-26",
                "issued: 2026-13-01",
                edit("persona: finance", "persona: human_resources", edit("EUR", "euro")),
            ),
        ),
        [
            (
                20,
                "error",
                "dmu[1].persona",
                "unknown persona 'human_resources' (known: executive, hr, finance, technical); "
                "did you mean 'hr'?",
            ),
            (22, "error", "dmu[1].priorites", "unknown field; did you mean 'priorities'?"),
            (
                26,
                "error",
                "offer.issued",
                "'2026-13-01' is not a real date (month must be in 1..12)",
            ),
            (
                29,
                "error",
                "offer.pricing.currency",
                "'euro' is not an ISO 4217 code; did you mean 'EUR'?",
            ),
        ],
    ),
    Row(
        "history-date-and-schema-problems",
        edit(
            "  status: new\n",
            "  status: existing\n  history:\n    - {date: 2024-02-30, summary: Pilot}\n",
            edit(
                "    role: approver", "    role: boss", edit("vat_percent: 20", "vat_percent: 200")
            ),
        ),
        [
            (
                7,
                "error",
                "relationship.history[0].date",
                "'2024-02-30' is not a real date (day is out of range for month)",
            ),
            (
                23,
                "error",
                "dmu[1].role",
                "must be 'decision_maker', 'approver', 'evaluator' or 'influencer'",
            ),
            (31, "error", "offer.pricing.vat_percent", "must be less than or equal to 100"),
        ],
    ),
    Row(
        "duplicate-key-and-a-warning-and-an-error",
        edit(
            "    role: approver\n",
            "    role: approver\n    role: evaluator\n",
            edit("    lead: true", "    lead: false", edit("persona: executive", "persona: ceo")),
        ),
        [
            (
                12,
                "error",
                "dmu[0].persona",
                "unknown persona 'ceo' (known: executive, hr, finance, technical)",
            ),
            (22, "error", "dmu[1].role", "key written twice (first on line 21)"),
            (
                38,
                "warning",
                "team",
                "no member is marked lead: true; the first (Maria Georgieva) is shown as the lead",
            ),
        ],
    ),
    Row(
        "missing-name-does-not-hide-the-persona",
        edit(
            "  - name: Elena Dimitrova\n    position: CFO\n",
            "  - position: CFO\n",
            edit("persona: finance", "persona: cfo"),
        ),
        [
            (18, "error", "dmu[1].name", "required field is missing"),
            (
                19,
                "error",
                "dmu[1].persona",
                "unknown persona 'cfo' (known: executive, hr, finance, technical)",
            ),
        ],
    ),
    Row(
        "email-and-slug-say-their-form",
        edit(
            "maria@supplier.example",
            "maria-at-supplier",
            edit("  industry:", "  slug: Acme_Logistics\n  industry:"),
        ),
        [
            (
                3,
                "error",
                "client.slug",
                "must be lowercase letters a-z, digits and - (such as acme-logistics), "
                "not 'Acme_Logistics'",
            ),
            (
                41,
                "error",
                "team[0].email",
                "must be an email address such as name@company.example, not 'maria-at-supplier'",
            ),
        ],
    ),
    Row(
        "control-character-and-both-validities",
        edit(
            "  valid_days: 30\n",
            "  valid_days: 30\n  valid_until: 2027-01-01\n",
            edit("title: Warehouse automation", 'title: "Warehouse\\u0007automation"'),
        ),
        [
            (
                24,
                "error",
                "offer.title",
                "contains the control character U+0007, which documents cannot hold; remove it",
            ),
            (
                27,
                "error",
                "offer.valid_until",
                "give offer.valid_days or offer.valid_until, not both",
            ),
        ],
    ),
]


@pytest.fixture
def ws(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.chdir(tmp_path)
    return tmp_path


def workspace(root: Path, row: Row) -> None:
    small_library(root, arguments=row.arguments)
    build_file_tree(root, {FILE: row.content, **row.files})


def test_the_table_is_large_enough() -> None:
    assert len(ROWS) >= 25
    assert len({row.id for row in ROWS}) == len(ROWS)


@pytest.mark.parametrize("row", ROWS, ids=lambda row: row.id)
def test_validate_says_exactly(row: Row, ws: Path) -> None:
    workspace(ws, row)
    result = run("validate", "--date", "2026-11-26")
    assert "Traceback" not in result.output
    assert result.stderr.splitlines() == row.lines()
    if row.warnings_only:
        assert result.exit_code == 0
        assert result.stdout.startswith("OK: 1 dossier;")
    else:
        assert result.exit_code == 1
        assert result.stdout == ""


@pytest.mark.parametrize("row", [r for r in ROWS if r.warnings_only], ids=lambda row: row.id)
def test_strict_makes_each_warning_an_error(row: Row, ws: Path) -> None:
    workspace(ws, row)
    result = run("validate", "--strict", "--date", "2026-11-26")
    assert result.exit_code == 1
    assert result.stdout == ""
    assert result.stderr.splitlines() == [line.replace(": warning", "", 1) for line in row.lines()]


def test_a_private_value_is_in_no_message(ws: Path) -> None:
    row = next(r for r in ROWS if r.id == "private-impossible-date")
    workspace(ws, row)
    result = run("validate")
    assert result.exit_code == 1
    assert "1971" not in result.output and "02-30" not in result.output


# Warnings on exit 0, and --strict, for validate, render and build.

NO_LEAD = edit("    lead: true", "    lead: false")
NO_LEAD_WARNING = (
    f"{FILE}:37: warning: team: no member is marked lead: true; the first (Maria Georgieva) "
    "is shown as the lead"
)


def test_render_prints_warnings_and_writes(ws: Path) -> None:
    workspace(ws, Row("no-lead", NO_LEAD, []))
    result = run("render", FILE, "-f", "md", "-o", "out")
    assert result.exit_code == 0, result.output
    assert result.stderr.splitlines() == [NO_LEAD_WARNING]
    assert result.stdout == "wrote out/acme-logistics-ad.md\n"


@pytest.mark.parametrize("command", [["render", FILE], ["build"]], ids=["render", "build"])
def test_strict_writes_nothing(command: list[str], ws: Path) -> None:
    workspace(ws, Row("no-lead", NO_LEAD, []))
    result = run(*command, "--strict", "-f", "md,html", "-o", "out")
    assert result.exit_code == 1
    assert result.stdout == ""
    assert result.stderr.splitlines() == [NO_LEAD_WARNING.replace(": warning", "")]
    assert not (ws / "out").exists() or list((ws / "out").iterdir()) == []


def test_strict_leaves_an_earlier_build_as_it_was(ws: Path) -> None:
    workspace(ws, Row("valid", VALID, []))
    assert run("build", "--strict", "-f", "md", "-o", "out").exit_code == 0
    before = {p.name: p.read_bytes() for p in (ws / "out").iterdir()}
    build_file_tree(ws, {FILE: NO_LEAD})
    result = run("build", "--strict", "-f", "md", "-o", "out")
    assert result.exit_code == 1
    assert {p.name: p.read_bytes() for p in (ws / "out").iterdir()} == before


def test_build_prints_the_warnings_of_kept_dossiers_too(ws: Path) -> None:
    workspace(ws, Row("no-lead", NO_LEAD, []))
    first = run("build", "-f", "md", "-o", "out")
    assert first.exit_code == 0, first.output
    assert first.stderr.splitlines() == [NO_LEAD_WARNING]
    again = run("build", "-f", "md", "-o", "out")
    assert "up to date" in again.stdout
    assert again.stderr.splitlines() == [NO_LEAD_WARNING]
    assert run("build", "--strict", "-f", "md", "-o", "out").exit_code == 1


def test_warnings_from_render_workers_are_printed_once_sorted(ws: Path) -> None:
    from kamdocs import build

    small_library(ws)
    count = build.PARALLEL_MIN + 2  # enough for worker processes
    build_file_tree(
        ws,
        {
            f"dossiers/d{i:02}.yaml": edit("Acme Logistics AD", f"Client {i:02}", NO_LEAD)
            for i in range(count)
        },
    )
    result = run("build", "-f", "md", "-o", "out")
    assert result.exit_code == 0, result.output
    expected = [NO_LEAD_WARNING.replace(FILE, f"dossiers/d{i:02}.yaml") for i in range(count)]
    assert result.stderr.splitlines() == expected


def test_warnings_and_errors_are_printed_together_sorted_by_file_and_line(ws: Path) -> None:
    small_library(ws)
    build_file_tree(
        ws,
        {
            "dossiers/a.yaml": edit("Acme Logistics AD", "Alpha", NO_LEAD),
            "dossiers/b.yaml": edit("persona: finance", "persona: cfo"),
        },
    )
    result = run("validate")
    assert result.exit_code == 1
    assert result.stderr.splitlines() == [
        NO_LEAD_WARNING.replace(FILE, "dossiers/a.yaml"),
        "dossiers/b.yaml:20: dmu[1].persona: unknown persona 'cfo' "
        "(known: executive, hr, finance, technical)",
    ]


# Input that used to be read wrongly, hang or be reported many times (issue 11).


def test_numbers_in_text_fields_stay_as_written(ws: Path) -> None:
    text = edit('phone: "+359 2 123 4567"', "phone: +35921234567")
    workspace(ws, Row("phone", edit("name: Acme Logistics AD", "name: 0x1F", text), []))
    result = run("render", FILE, "-f", "md", "-o", "out")
    assert result.exit_code == 0, result.output
    markdown = (ws / "out" / "0x1f.md").read_text(encoding="utf-8")
    assert "[+35921234567](tel:+35921234567)" in markdown
    assert "0x1F" in markdown and "| 31 " not in markdown


def test_minus_zero_is_zero(ws: Path) -> None:
    workspace(ws, Row("zero", edit("unit_price: 0.1", "unit_price: -0.0"), []))
    result = run("render", FILE, "-f", "md", "-o", "out")
    assert result.exit_code == 0, result.output
    markdown = (ws / "out" / "acme-logistics-ad.md").read_text(encoding="utf-8")
    assert "| 1,000 | €0.00 | €0.00 |" in markdown
    assert "-€" not in markdown


def test_a_fifo_is_refused_not_waited_for(ws: Path) -> None:
    workspace(ws, Row("valid", VALID, []))
    os.mkfifo(ws / "dossiers" / "pipe.yaml")
    result = run("validate", "dossiers/pipe.yaml")
    assert result.exit_code == 1
    assert result.stderr == "dossiers/pipe.yaml:1: not a regular file; is this a dossier?\n"


def test_the_settings_locale_is_reported_once_at_its_line(ws: Path) -> None:
    small_library(ws)
    build_file_tree(
        ws,
        {
            "kamdocs.yaml": "valid_days: 30\nlocale: fr\n",
            "dossiers/a.yaml": VALID,
            "dossiers/b.yaml": edit("Acme Logistics AD", "Beta", VALID),
        },
    )
    result = run("validate")
    assert result.exit_code == 1
    assert result.stderr == (
        "kamdocs.yaml:2: locale: no wording for the default language 'fr' (known: bg, en)\n"
    )


def test_valid_days_yes_in_the_settings(ws: Path) -> None:
    workspace(ws, Row("valid", VALID, [], files={"kamdocs.yaml": "valid_days: yes\n"}))
    result = run("validate")
    assert result.exit_code == 1
    assert result.stderr == (
        "kamdocs.yaml:1: valid_days: must be a whole number (such as 30), not yes: "
        "YAML reads that as true/false\n"
    )


def test_persona_weights_are_zero_to_five(ws: Path) -> None:
    small_library(ws)
    build_file_tree(ws, {FILE: VALID})
    personas = (ws / "templates" / "personas.yaml").read_text(encoding="utf-8")
    (ws / "templates" / "personas.yaml").write_text(
        personas.replace("financial: 3, statistic: 3", "financial: 9, statistic: 3"),
        encoding="utf-8",
    )
    result = run("validate")
    assert result.exit_code == 1
    assert result.stderr == (
        "templates/personas.yaml:9: finance.kinds.financial: must be less than or equal to 5\n"
    )


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["validate", "--date", "9999-12-31"], "validate"),
        (["explain", FILE, "--date", "9999-12-31"], "explain"),
        (["render", FILE, "-f", "md", "--date", "9999-12-31"], "render"),
    ],
)
def test_a_build_date_at_the_end_of_the_calendar(argv: list[str], message: str, ws: Path) -> None:
    text = edit("  issued: 2026-11-26\n", "", VALID)
    workspace(ws, Row("no-issue-date", text, []))
    result = run(*argv)
    assert result.exit_code == 1, message
    assert result.stderr == (
        f"{FILE}:25: offer.valid_days: the offer would expire 30 days after 9999-12-31, past the "
        "last date "
        "kamdocs can write (9999-12-31)\n"
    )


# Every problem at once, whatever the mix: mistakes on different lines, made together, are
# reported together, each as when it is alone.

LINE_EDITS = {  # row id -> the one-line edit the row makes
    "vat-percent-with-sign": ("vat_percent: 20", "vat_percent: 19%"),
    "price-with-space-and-comma": ("unit_price: 1249.90", "unit_price: 1 249,90"),
    "currency-as-a-word": ("currency: EUR", "currency: euro"),
    "date-day-first": ("issued: 2026-11-26", "issued: 01.12.2026"),
    "persona-spelt-out": ("persona: finance", "persona: human_resources"),
    "placeholder-email": ("email: maria@supplier.example", "email: you@supplier.example"),
    "no-lead": ("    lead: true", "    lead: false"),
    "criterion-no-argument-answers": ("  - implementation speed", "  - implementation sped"),
    "industry-no-reference-has": ("industry: logistics", "industry: pharma"),
    "valid-days-yes": ("valid_days: 30", "valid_days: yes"),
    "name-read-as-a-boolean": ("name: Acme Logistics AD", "name: no"),
    "private-impossible-date": ("birthday: 1971-05-14", "birthday: 1971-02-30"),
}
BY_ID = {row.id: row for row in ROWS}


def test_the_line_edits_are_the_rows_edits() -> None:
    for row_id, (old, new) in LINE_EDITS.items():
        assert BY_ID[row_id].content == edit(old, new), row_id


@settings(max_examples=25, deadline=None)
@given(st.sets(st.sampled_from(sorted(LINE_EDITS)), min_size=2, max_size=6))
def test_mistakes_made_together_are_all_reported(chosen: set[str]) -> None:
    text = VALID
    expected: list[tuple[int, str, str, str]] = []
    for row_id in chosen:
        text = edit(*LINE_EDITS[row_id], text)
        expected += BY_ID[row_id].expected
    expected.sort(key=lambda e: (e[0], e[2], e[3]))
    together = Row("together", text, expected)
    here = Path.cwd()
    with tempfile.TemporaryDirectory() as folder:
        root = Path(folder)
        workspace(root, together)
        os.chdir(root)
        try:
            result = run("validate", "--date", "2026-11-26")
        finally:
            os.chdir(here)
    assert result.stderr.splitlines() == together.lines()
    assert result.exit_code == (0 if together.warnings_only else 1)


def test_validate_outside_a_workspace_names_the_folder_and_the_ways_out(ws: Path) -> None:
    result = run("validate")
    assert result.exit_code == 1
    assert result.stderr == (
        f"templates:1: templates folder not found (looked for {ws.resolve() / 'templates'}); "
        "run kamdocs in a workspace (the folder with kamdocs.yaml, or below it), or give "
        "--templates DIR\n"
    )


def test_a_language_babel_does_not_know_is_a_warning(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    small_library(tmp_path)
    english = (tmp_path / "templates/locales/en.yaml").read_text(encoding="utf-8")
    build_file_tree(tmp_path, {"templates/locales/xx.yaml": english, "dossiers/acme.yaml": DOSSIER})
    monkeypatch.chdir(tmp_path)
    result = run("validate")
    assert result.exit_code == 0, result.output
    assert (
        "templates/locales/xx.yaml:1: warning: Babel has no locale data for 'xx': the dates and "
        "numbers of a 'xx' proposal print as in English (name the file after a CLDR locale, "
        "e.g. de, fr_CH)"
    ) in result.stderr.splitlines()
    assert "locales/en.yaml" not in result.stderr
    assert run("validate", "--strict").exit_code == 1


@pytest.mark.parametrize("command", ["validate", "render"])
def test_a_library_error_hides_no_dossier_error(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, command: str
) -> None:
    small_library(tmp_path)
    library = tmp_path / "templates/arguments/main.yaml"
    text = library.read_text(encoding="utf-8")
    assert "  kind: financial\n" in text
    library.write_text(text.replace("  kind: financial\n", "  kind: finance\n", 1), "utf-8")
    dossier = DOSSIER.replace("  title: Warehouse automation\n", "  titel: Warehouse automation\n")
    build_file_tree(tmp_path, {"dossiers/acme.yaml": dossier})
    monkeypatch.chdir(tmp_path)
    args = [command, "dossiers/acme.yaml"] + (["-o", "out"] if command == "render" else [])
    result = run(*args)
    assert result.exit_code == 1, result.output
    lines = result.stderr.splitlines()
    assert any(line.startswith("templates/arguments/main.yaml:") and ".kind: " in line
               for line in lines), lines  # fmt: skip
    line = dossier.lstrip("\n").splitlines().index("  titel: Warehouse automation") + 1
    assert f"dossiers/acme.yaml:{line}: offer.titel: unknown field; did you mean 'title'?" in lines
    assert not (tmp_path / "out").exists()
