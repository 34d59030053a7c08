"""Malformed dossiers: exit 1, one located line per problem, no traceback, nothing written."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

import pytest
from click.testing import Result
from helpers import DOSSIER, run, small_library

from kamdocs.dossier import load_dossier
from kamdocs.library import load_library

VALID = DOSSIER.lstrip("\n")
FILE = "dossiers/acme.yaml"
SLUG = "acme-logistics-ad"
PROBLEM_LINE = re.compile(r"^[^:\n]+:\d+: ")

# Line numbers of VALID (DOSSIER as build_file_tree writes it), for reading the table below:
#  1 client:                     18   - name: Elena Dimitrova       32         quantity: 3
#  2   name: Acme Logistics AD   19     position: CFO               33         unit_price: 1249.90
#  3   industry: logistics       20     persona: finance            34       - description: Labels
#  4 relationship:               21     role: approver              35         quantity: 1000
#  5   status: new               22     knowledge: expert           36         unit_price: 0.1
#  6 criteria:                   23 offer:                          37 team:
#  9 dmu:                        24   title: Warehouse automation   38   - name: Maria Georgieva
# 10   - name: Ivan Petrov       25   issued: 2026-11-26            39     position: Key Account…
# 11     position: Chief Exec…   26   valid_days: 30                40     email: maria@supplier…
# 12     persona: executive      27   pricing:                      41     phone: "+359 2 123 4567"
# 13     role: decision_maker    28     currency: EUR               42     lead: true
# 14     private:                29     vat_percent: 20             (43: the first appended line)
# 15-17  birthday/hobbies/notes  30     items: / 31 - description: WMS licence


def edit(old: str, new: str, text: str = VALID) -> str:
    """``text`` with ``old`` (which must occur exactly once) replaced by ``new``."""
    assert text.count(old) == 1, f"{old!r} occurs {text.count(old)} times"
    return text.replace(old, new)


def cut(start: str, end: str | None = None, put: str = "") -> str:
    """VALID with the lines from ``start`` up to (not including) ``end`` replaced by ``put``."""
    i = VALID.index(start)
    j = VALID.index(end) if end else len(VALID)
    return VALID[:i] + put + VALID[j:]


def alias_bomb() -> str:
    """The "billion laughs": 9 levels of lists of 9 aliases of the level below."""
    lines = ["x-bomb:", '  l0: &l0 ["lol"]']
    for level in range(1, 10):
        lines.append(f"  l{level}: &l{level} [" + ", ".join([f"*l{level - 1}"] * 9) + "]")
    return VALID + "\n".join(lines) + "\n"


@dataclass(frozen=True)
class Case:
    id: str
    content: str | bytes
    line: int
    field: str  # "" for a problem with the whole file (no field path)
    message: str
    problems: int = 1  # how many lines stderr must hold in all

    @property
    def prefix(self) -> str:
        return f"{FILE}:{self.line}: {self.field}: " if self.field else f"{FILE}:{self.line}: "


CASES = [
    # unknown keys, with did-you-mean hints
    Case(
        "unknown-top-key",
        VALID + "budget: 100\n",
        43,
        "budget",
        "unknown field; known fields: business, client, criteria, dmu, offer, relationship, team",
    ),
    Case(
        "unknown-top-key-typo",
        edit("criteria:\n", "critera:\n"),
        6,
        "critera",
        "unknown field; did you mean 'criteria'?",
    ),
    Case(
        "unknown-nested-key",
        edit("    knowledge: expert", "    knowlege: expert"),
        22,
        "dmu[1].knowlege",
        "unknown field; did you mean 'knowledge'?",
    ),
    Case(
        "unknown-client-key",
        edit("  industry: logistics", "  industy: logistics"),
        3,
        "client.industy",
        "did you mean 'industry'?",
    ),
    Case(
        "unknown-deep-key",
        edit("        unit_price: 0.1", "        unitprice: 0.1"),
        36,
        "offer.pricing.items[1].unitprice",
        "did you mean 'unit_price'?",
        problems=2,
    ),
    # missing required fields (reported at the nearest line that exists)
    Case(
        "missing-client-name",
        edit("  name: Acme Logistics AD\n", ""),
        1,
        "client.name",
        "required field is missing",
    ),
    Case(
        "missing-relationship-status",
        edit("  status: new\n", "  history: []\n"),
        4,
        "relationship.status",
        "required field is missing",
    ),
    Case(
        "missing-member-position",
        edit("    position: CFO\n", ""),
        18,
        "dmu[1].position",
        "required field is missing",
    ),
    Case(
        "missing-history-summary",
        edit("  status: new\n", "  status: existing\n  history:\n    - date: 2025-04-01\n"),
        7,
        "relationship.history[0].summary",
        "required field is missing",
    ),
    Case(
        "dmu-empty-list", cut("dmu:", "offer:", "dmu: []\n"), 9, "dmu", "must have at least 1 item"
    ),
    Case(
        "missing-offer-title",
        edit("  title: Warehouse automation\n", ""),
        23,
        "offer.title",
        "required field is missing",
    ),
    Case("missing-team", cut("team:"), 1, "team", "required field is missing"),
    Case(
        "empty-client-name",
        edit("  name: Acme Logistics AD", '  name: "   "'),
        2,
        "client.name",
        "must not be empty",
    ),
    Case(
        "null-offer-title",
        edit("  title: Warehouse automation", "  title:"),
        24,
        "offer.title",
        "must be a valid string",
    ),
    # wrong types
    Case(
        "string-for-list",
        edit(
            "criteria:\n  - total cost of ownership\n  - implementation speed\n",
            "criteria: total cost of ownership\n",
        ),
        6,
        "criteria",
        "must be a list",
    ),
    Case(
        "string-for-team-list",
        cut("team:", None, "team: Maria Georgieva\n"),
        37,
        "team",
        "must be a list",
    ),
    Case(
        "list-for-string",
        edit("  title: Warehouse automation", "  title: [Warehouse, automation]"),
        24,
        "offer.title",
        "must be a valid string",
    ),
    Case(
        "mapping-for-scalar",
        edit("        quantity: 3", "        quantity: {value: 3}"),
        32,
        "offer.pricing.items[0].quantity",
        "must be a number",
    ),
    Case(
        "scalar-for-mapping",
        edit("client:\n  name: Acme Logistics AD\n  industry: logistics\n", "client: Acme\n"),
        1,
        "client",
        "must be a mapping of fields",
    ),
    Case(
        "bool-for-date",
        edit("  issued: 2026-11-26", "  issued: yes"),
        25,
        "offer.issued",
        "write dates as YYYY-MM-DD, e.g. 2026-12-01",
    ),
    # keys written twice
    Case(
        "duplicate-key-nested",
        edit("    persona: executive\n", "    persona: executive\n    persona: hr\n"),
        13,
        "dmu[0].persona",
        "key written twice (first on line 12)",
    ),
    Case(
        "duplicate-key-top",
        VALID + "offer:\n  title: Again\n",
        43,
        "offer",
        "key written twice (first on line 23)",
    ),
    # what is not one mapping in one UTF-8 document
    Case("several-documents", VALID + "---\n" + VALID, 43, "", "holds several YAML documents"),
    Case(
        "top-level-list",
        "- client: {name: Acme}\n- dmu: []\n",
        1,
        "",
        "a dossier must be a mapping with client, relationship, dmu, offer and team",
    ),
    Case("top-level-scalar", "Acme Logistics AD\n", 1, "", "a dossier must be a mapping"),
    Case("empty-file", "", 1, "", "the file is empty"),
    Case("only-comments", "# Acme Logistics\n\n# to be written\n", 1, "", "the file is empty"),
    Case(
        "not-utf8",
        edit("Acme Logistics AD", "Acme \udcff").encode("utf-8", "surrogateescape"),
        2,
        "",
        "not UTF-8 text (byte 0xff)",
    ),
    Case("utf16", VALID.encode("utf-16"), 1, "", "saved as UTF-16 (it starts with a UTF-16 byte"),
    # YAML itself
    Case(
        "yaml-syntax-error",
        edit("  title: Warehouse automation", "  title: Warehouse: automation"),
        24,
        "",
        "YAML syntax error: mapping values are not allowed",
    ),
    Case(
        "yaml-tab-indent",
        edit("    position: CFO", "\tposition: CFO"),
        19,
        "",
        "tab used for indentation; use spaces",
    ),
    Case("undefined-alias", VALID + "x-note: *nowhere\n", 43, "", "undefined alias"),
    Case(
        "merge-key",
        edit("offer:\n", "offer:\n  <<: {summary: Short}\n"),
        24,
        "offer",
        "merge keys (<<) are not supported",
    ),
    Case("complex-key", VALID + "? [a, b]\n: c\n", 43, "", "a key must be a plain word"),
    Case(
        "python-tag",
        edit("  title: Warehouse automation", "  title: !!python/object/apply:os.system [echo]"),
        24,
        "offer.title",
        "unsupported YAML tag !!python/object/apply:os.system",
    ),
    Case(
        "local-tag",
        edit("  title: Warehouse automation", "  title: !secret automation"),
        24,
        "offer.title",
        "unsupported YAML tag !secret",
    ),
    Case(
        "control-char-escape",
        edit("  title: Warehouse automation", '  title: "Warehouse\\x07automation"'),
        24,
        "offer.title",
        "contains the control character U+0007",
    ),
    Case(
        "control-char-raw",
        edit("  title: Warehouse automation", "  title: Ware\x07house"),
        24,
        "",
        "contains the character U+0007",
    ),
    # Line and field of the key whose aliases pass the limit (l5), not of the anchor (l0, line 44).
    Case("alias-bomb", alias_bomb(), 49, "x-bomb.l5", "too large: more than 100,000 values"),
    Case(
        "deep-nesting",
        VALID + "x-deep: " + "[" * 100 + "]" * 100 + "\n",
        43,
        "x-deep",
        "too large: nested deeper than 40 levels",
    ),
    Case(
        "deeper-than-yaml-allows",
        VALID + "x-deep: " + "[" * 5000 + "]" * 5000 + "\n",
        43,
        "",
        "exceeded maximum nesting depth",
    ),
    Case(
        "over-one-mib",
        VALID + "x-padding: " + "a" * (1024 * 1024) + "\n",
        1,
        "",
        "larger than 1024 KiB",
    ),
    # dates
    Case(
        "impossible-date",
        edit("  issued: 2026-11-26", "  issued: 2026-02-30"),
        25,
        "offer.issued",
        "'2026-02-30' is not a real date",
    ),
    Case(
        "impossible-month",
        edit(
            "criteria:\n", "tender:\n  name: Warehouses\n  submission_date: 2027-13-01\ncriteria:\n"
        ),
        8,
        "tender.submission_date",
        "'2027-13-01' is not a real date",
    ),
    # client
    Case(
        "bad-slug",
        edit("  industry:", "  slug: Acme_Logistics\n  industry:"),
        3,
        "client.slug",
        "must be lowercase letters a-z, digits and - (such as acme-logistics), "
        "not 'Acme_Logistics'",
    ),
    Case(
        "name-without-letters",
        edit("  name: Acme Logistics AD", '  name: "!!!"'),
        2,
        "client.name",
        "cannot make a file name from this name; give client.slug",
    ),
    Case(
        "share-above-one",
        edit("relationship:", "  share_of_sales: 1.5\nrelationship:"),
        4,
        "client.share_of_sales",
        "less than or equal to 1",
    ),
    Case(
        "share-negative",
        edit("relationship:", "  share_of_sales: -0.1\nrelationship:"),
        4,
        "client.share_of_sales",
        "greater than or equal to 0",
    ),
    Case(
        "unknown-locale",
        edit("relationship:", "  locale: fr\nrelationship:"),
        4,
        "client.locale",
        "no wording for language 'fr' (known: bg, en)",
    ),
    # DMU
    Case(
        "unknown-persona",
        edit("    persona: executive", "    persona: ceo"),
        12,
        "dmu[0].persona",
        "unknown persona 'ceo' (known: executive, hr, finance, technical)",
    ),
    Case(
        "unknown-role",
        edit("    role: decision_maker", "    role: boss"),
        13,
        "dmu[0].role",
        "must be 'decision_maker', 'approver', 'evaluator' or 'influencer'",
    ),
    Case(
        "unknown-knowledge",
        edit("    knowledge: expert", "    knowledge: guru"),
        22,
        "dmu[1].knowledge",
        "must be 'expert', 'informed' or 'novice'",
    ),
    Case(
        "unknown-prefers-kind",
        edit(
            "    role: decision_maker\n",
            "    role: decision_maker\n    prefers: [exclusivity, bribery]\n",
        ),
        14,
        "dmu[0].prefers[1]",
        "must be 'business_insight'",
    ),
    Case(
        "duplicate-member-id",
        edit(
            "    position: CFO\n",
            "    position: CFO\n    id: boss\n",
            edit(
                "    position: Chief Executive Officer\n",
                "    position: Chief Executive Officer\n    id: boss\n",
            ),
        ),
        21,
        "dmu[1].id",
        "member id 'boss' is already used by dmu[0]",
    ),
    Case(
        "duplicate-member-derived-id",
        edit("Elena Dimitrova", "IVAN  Petrov"),
        18,
        "dmu[1].name",
        "member id 'ivan-petrov' is already used by dmu[0]",
    ),
    # offer
    Case(
        "include-unknown",
        edit("  issued:", "  include: [tco, nope]\n  issued:"),
        25,
        "offer.include[1]",
        "unknown argument 'nope'",
    ),
    Case(
        "exclude-unknown",
        edit("  issued:", "  exclude: [nope]\n  issued:"),
        25,
        "offer.exclude[0]",
        "unknown argument 'nope'",
    ),
    Case(
        "include-and-exclude",
        edit("  issued:", "  include: [tco]\n  exclude: [tco]\n  issued:"),
        25,
        "offer.include[0]",
        "argument 'tco' is both included and excluded",
    ),
    Case(
        "both-validities",
        edit("  valid_days: 30\n", "  valid_days: 30\n  valid_until: 2026-12-31\n"),
        27,
        "offer.valid_until",
        "give offer.valid_days or offer.valid_until, not both",
    ),
    Case(
        "valid-days-zero",
        edit("  valid_days: 30", "  valid_days: 0"),
        26,
        "offer.valid_days",
        "greater than or equal to 1",
    ),
    Case(
        "valid-until-before-issued",
        edit("  valid_days: 30", "  valid_until: 2026-11-01"),
        26,
        "offer.valid_until",
        "the offer expires (2026-11-01) on or before it is issued (2026-11-26)",
    ),
    Case(
        "valid-until-is-issued",
        edit("  valid_days: 30", "  valid_until: 2026-11-26"),
        26,
        "offer.valid_until",
        "the offer expires (2026-11-26) on or before it is issued",
    ),
    Case(
        "currency-four-letters",
        edit("currency: EUR", "currency: EURO"),
        28,
        "offer.pricing.currency",
        "'EURO' is not an ISO 4217 code; did you mean 'EUR'?",
    ),
    Case(
        "currency-not-iso",
        edit("currency: EUR", "currency: XYZ"),
        28,
        "offer.pricing.currency",
        "'XYZ' is not an ISO 4217 code (such as EUR, BGN, USD)",
    ),
    Case(
        "quantity-zero",
        edit("        quantity: 3", "        quantity: 0"),
        32,
        "offer.pricing.items[0].quantity",
        "greater than 0",
    ),
    Case(
        "quantity-negative",
        edit("        quantity: 1000", "        quantity: -5"),
        35,
        "offer.pricing.items[1].quantity",
        "greater than 0",
    ),
    Case(
        "unit-price-negative",
        edit("unit_price: 1249.90", "unit_price: -1249.90"),
        33,
        "offer.pricing.items[0].unit_price",
        "greater than or equal to 0",
    ),
    Case(
        "vat-above-100",
        edit("vat_percent: 20", "vat_percent: 120"),
        29,
        "offer.pricing.vat_percent",
        "less than or equal to 100",
    ),
    Case(
        "pricing-without-items",
        cut("    items:", "team:"),
        27,
        "offer.pricing.items",
        "required field is missing",
    ),
    # team
    Case(
        "bad-email",
        edit("maria@supplier.example", "maria-at-supplier"),
        40,
        "team[0].email",
        "must be an email address such as name@company.example, not 'maria-at-supplier'",
    ),
    Case(
        "line-break-in-echoed-text",
        edit("    persona: executive", '    persona: "ce\\no"'),
        12,
        "dmu[0].persona",
        "unknown persona 'ce\\no' (known:",
    ),
    Case(
        "line-break-in-key",
        edit("  title:", '  "ti\\u2028tle": x\n  title:'),
        24,
        "offer.ti\\u2028tle",
        "unknown field; did you mean 'title'?",
    ),
    Case(
        "crlf-line-ends",
        edit("    persona: executive", "    persona: ceo").replace("\n", "\r\n"),
        12,
        "dmu[0].persona",
        "unknown persona 'ceo'",
    ),
]


def workspace(root: Path, files: dict[str, str | bytes]) -> None:
    small_library(root)
    for name, content in files.items():
        path = root / name
        path.write_bytes(content.encode("utf-8") if isinstance(content, str) else content)


def problem_lines(result: Result) -> list[str]:
    return result.stderr.splitlines()


def assert_reported(result: Result, case: Case) -> None:
    assert result.exit_code == 1, result.output
    assert "Traceback" not in result.output
    assert result.stdout == ""
    lines = problem_lines(result)
    assert all(PROBLEM_LINE.match(line) for line in lines), lines
    hits = [line for line in lines if line.startswith(case.prefix)]
    assert hits, f"no line starts with {case.prefix!r}: {lines}"
    assert any(case.message in hit for hit in hits), hits
    assert len(lines) == case.problems, lines


def test_the_table_is_large_enough() -> None:
    assert len(CASES) >= 35
    assert len({case.id for case in CASES}) == len(CASES)


def test_the_valid_dossier_passes(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    workspace(tmp_path, {FILE: VALID})
    monkeypatch.chdir(tmp_path)
    result = run("validate")
    assert result.exit_code == 0, result.output
    assert result.stdout.startswith("OK: 1 dossier;")
    assert result.stderr == ""


@pytest.mark.parametrize("case", CASES, ids=lambda case: case.id)
def test_validate_reports(case: Case, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    workspace(tmp_path, {FILE: case.content})
    monkeypatch.chdir(tmp_path)
    assert_reported(run("validate"), case)
    assert_reported(run("validate", FILE), case)


@pytest.mark.parametrize("case", CASES, ids=lambda case: case.id)
def test_render_writes_nothing(case: Case, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    workspace(tmp_path, {FILE: case.content})
    monkeypatch.chdir(tmp_path)
    old = tmp_path / "build" / f"{SLUG}.md"
    old.parent.mkdir()
    old.write_bytes(b"# the proposal sent last week\n")
    before = {p.name: p.read_bytes() for p in old.parent.iterdir()}

    fresh = run("render", FILE, "-f", "md,html,docx", "-o", "fresh", "--date", "2026-11-26")
    assert_reported(fresh, case)
    assert not (tmp_path / "fresh").exists()

    again = run("render", FILE, "-f", "md,html,docx", "--date", "2026-11-26")
    assert_reported(again, case)
    assert {p.name: p.read_bytes() for p in old.parent.iterdir()} == before


VALID_CASES = {
    "x-keys": edit(
        "  industry: logistics\n",
        "  industry: logistics\n  x-crm-id: 4711\n",
        "x-source: crm export\n" + VALID,
    )
    + "x-notes:\n  - {anything: [goes, 1, 2026-01-01]}\n",
    "private-free-form": edit(
        "      notes:",
        "      kids: {names: [Ana, Boris], ages: [7, 9]}\n"
        "      favourite_number: 0x2A\n      notes:",
    ),
    "unit-price-one-tenth": VALID,
    "quoted-numbers": edit("unit_price: 1249.90", 'unit_price: "1249.90"'),
    "byte-order-mark": "\ufeff" + VALID,
    "crlf": VALID.replace("\n", "\r\n"),
    "cyrillic-name-no-slug": edit("Acme Logistics AD", "Балкан Транс ЕООД"),
}


@pytest.mark.parametrize("content", VALID_CASES.values(), ids=VALID_CASES.keys())
def test_valid_variants_pass(content: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    workspace(tmp_path, {FILE: content})
    monkeypatch.chdir(tmp_path)
    result = run("validate")
    assert result.exit_code == 0, result.output
    assert result.stdout.startswith("OK: 1 dossier;")


@pytest.mark.parametrize("written", ["0.1", '"0.1"', "'0.1'", "1e-1", "0.10"])
def test_unit_price_is_read_exactly(written: str, tmp_path: Path) -> None:
    workspace(tmp_path, {FILE: edit("unit_price: 0.1", f"unit_price: {written}")})
    library = load_library(tmp_path / "templates")
    loaded = load_dossier(tmp_path / FILE, library, dt.date(2026, 11, 26))
    price = loaded.dossier.offer.pricing.items[1].unit_price
    assert isinstance(price, Decimal)
    assert price == Decimal("0.1")
    assert price * 1000 == Decimal("100")
    first = loaded.dossier.offer.pricing.items[0]
    assert first.unit_price * first.quantity == Decimal("3749.70")


def test_text_yaml_1_1_would_read_as_a_number_is_kept(tmp_path: Path) -> None:
    text = edit('    phone: "+359 2 123 4567"', "    phone: 0700123456")
    text = edit("  title: Warehouse automation", "  title: 20:30", text)
    text = edit("        quantity: 3", "        quantity: 010", text)
    workspace(tmp_path, {FILE: text})
    library = load_library(tmp_path / "templates")
    dossier = load_dossier(tmp_path / FILE, library, dt.date(2026, 11, 26)).dossier
    assert dossier.team[0].phone == "0700123456"  # not octal 117483310
    assert dossier.offer.title == "20:30"  # not base-60 1230
    assert dossier.offer.pricing.items[0].quantity == 10  # not octal 8


def test_three_problems_in_one_file_sorted_by_line(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    text = edit("currency: EUR", "currency: XYZ")  # line 28, found last (cross-check)
    text = edit("    persona: executive", "    persona: ceo", text)  # line 12
    text = edit("  industry: logistics", "  industy: logistics", text)  # line 3, found first
    workspace(tmp_path, {FILE: text})
    monkeypatch.chdir(tmp_path)
    result = run("validate")
    assert result.exit_code == 1
    assert "Traceback" not in result.output
    lines = result.stderr.splitlines()
    assert [int(line.split(":")[1]) for line in lines] == [3, 12, 28], lines
    assert lines[0] == f"{FILE}:3: client.industy: unknown field; did you mean 'industry'?"
    assert lines[1].startswith(f"{FILE}:12: dmu[0].persona: unknown persona 'ceo'")
    assert lines[2] == (
        f"{FILE}:28: offer.pricing.currency: 'XYZ' is not an ISO 4217 code (such as EUR, BGN, USD)"
    )


def test_two_bad_files_are_both_reported(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    workspace(
        tmp_path,
        {
            "dossiers/acme.yaml": edit("    persona: executive", "    persona: ceo"),
            "dossiers/beta.yaml": edit(
                "  valid_days: 30", "  valid_days: 0", edit("Acme Logistics AD", "Beta Trade OOD")
            ),
            "dossiers/_draft.yaml": "not: [a, dossier\n",
        },
    )
    monkeypatch.chdir(tmp_path)
    result = run("validate")
    assert result.exit_code == 1
    assert "Traceback" not in result.output
    assert result.stderr.splitlines() == [
        "dossiers/acme.yaml:12: dmu[0].persona: unknown persona 'ceo' (known: executive, hr, "
        "finance, technical)",
        "dossiers/beta.yaml:26: offer.valid_days: must be greater than or equal to 1",
    ]

    rendered = run("render", "dossiers", "-o", "out")
    assert rendered.exit_code == 1
    assert rendered.stderr == result.stderr
    assert not (tmp_path / "out").exists()


def test_one_bad_file_stops_the_whole_render(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    workspace(
        tmp_path,
        {
            "dossiers/acme.yaml": VALID,
            "dossiers/beta.yaml": edit("Acme Logistics AD", "Beta Trade OOD", edit("EUR", "EURO")),
        },
    )
    monkeypatch.chdir(tmp_path)
    result = run("render", "dossiers", "-f", "md", "-o", "out")
    assert result.exit_code == 1
    assert result.stderr.startswith("dossiers/beta.yaml:28: offer.pricing.currency: ")
    assert not (tmp_path / "out").exists()


def test_same_slug_from_two_files(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    workspace(
        tmp_path,
        {
            "dossiers/acme.yaml": VALID,
            "dossiers/acme-copy.yaml": edit("Acme Logistics AD", "ACME logistics, AD"),
        },
    )
    monkeypatch.chdir(tmp_path)
    result = run("validate")
    assert result.exit_code == 1
    assert result.stderr.startswith(
        "dossiers/acme.yaml:2: client.name: makes the same file name "
        f"'{SLUG}' as dossiers/acme-copy.yaml"
    )
