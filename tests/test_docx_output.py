"""Rendered DOCX proposals re-opened with python-docx: title, headings, tables, properties."""

from __future__ import annotations

import datetime as dt
import html
import re
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path
from typing import Any

import docx
import pytest
import yaml
from babel.dates import format_date
from babel.numbers import format_currency, format_percent
from click.testing import CliRunner
from docx.document import Document
from docx.oxml.ns import qn
from docx.table import Table
from docx.text.paragraph import Paragraph
from helpers import (
    DOSSIER,
    PERSONAS,
    ROOT,
    TEMPLATES,
    build_file_tree,
    docx_parts,
    small_library,
)

from kamdocs.cli import main

DATE = "2026-11-26"
MAILTO_TYPE = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/hyperlink"
# The small dossier of tests/helpers.py with more to check: prefers, knowledge, a second member
# of the team.
SMALL = DOSSIER.replace(
    "    role: decision_maker\n",
    "    role: decision_maker\n    knowledge: novice\n    prefers: [exclusivity]\n",
).replace(
    "    lead: true\n",
    "    lead: true\n"
    "  - name: Petar Nikolov\n"
    "    position: Solutions Engineer\n"
    "    email: petar.nikolov@supplier.example\n"
    '    phone: "+359 2 491 7741"\n',
)
CLOSING = {"en": "valid until ", "bg": "валидна до "}


@dataclass
class Rendered:
    """One rendered DOCX and what it was made from."""

    path: Path
    data: dict[str, Any]  # the dossier, as plain YAML
    personas: dict[str, Any]
    lang: str

    @property
    def doc(self) -> Document:
        return docx.Document(str(self.path))

    @property
    def t(self) -> dict[str, str]:
        return yaml.safe_load((TEMPLATES / "locales" / f"{self.lang}.yaml").read_text("utf-8"))

    @property
    def valid_until(self) -> dt.date:
        offer = self.data["offer"]
        return offer.get("valid_until") or offer["issued"] + dt.timedelta(
            days=offer.get("valid_days", 30)
        )

    @property
    def lead(self) -> dict[str, Any]:
        return next(m for m in self.data["team"] if m.get("lead"))


def render(root: Path, dossier: Path, out: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.chdir(root)
    result = CliRunner().invoke(
        main, ["render", str(dossier), "-f", "docx", "-o", str(out), "--date", DATE]
    )
    assert result.exit_code == 0, result.output
    (path,) = out.glob("*.docx")
    return path


def make(kind: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Rendered:
    if kind == "sample-bg":
        source = ROOT / "dossiers" / "balkan-trans-eood.yaml"
        path = render(ROOT, source, tmp_path / "out", monkeypatch)
        personas = yaml.safe_load((TEMPLATES / "personas.yaml").read_text("utf-8"))
        return Rendered(path, yaml.safe_load(source.read_text("utf-8")), personas, "bg")
    lang = kind.rsplit("-", 1)[1]
    text = SMALL.replace("  industry: logistics\n", f"  industry: logistics\n  locale: {lang}\n")
    small_library(tmp_path)
    build_file_tree(tmp_path, {"dossiers/acme.yaml": text})
    path = render(tmp_path, Path("dossiers/acme.yaml"), tmp_path / "out", monkeypatch)
    data = yaml.safe_load((tmp_path / "dossiers/acme.yaml").read_text("utf-8"))
    return Rendered(path, data, yaml.safe_load(PERSONAS), lang)


@pytest.fixture(params=["small-en", "small-bg", "sample-bg"])
def rendered(
    request: pytest.FixtureRequest, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> Rendered:
    return make(request.param, tmp_path, monkeypatch)


@pytest.fixture(params=["small-en", "small-bg"])
def small(
    request: pytest.FixtureRequest, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> Rendered:
    return make(request.param, tmp_path, monkeypatch)


# --- helpers ------------------------------------------------------------------------------------


def texts(table: Table) -> list[list[str]]:
    return [[cell.text for cell in row.cells] for row in table.rows]


def _layout(table: Table) -> bool:
    """A table kamdocs writes around a block that must stay on one page: one unstyled cell."""
    return len(table.rows) == 1 and len(table.columns) == 1 and table.style.name == "Normal Table"


def paragraphs(doc: Document) -> list[Paragraph]:
    """Every paragraph in reading order, those of the layout tables (``_layout``) included."""
    found = []
    for item in doc.iter_inner_content():
        if isinstance(item, Paragraph):
            found.append(item)
        elif _layout(item):
            found.extend(
                p for p in item.cell(0, 0).iter_inner_content() if isinstance(p, Paragraph)
            )
    return found


def tables(doc: Document) -> list[Table]:
    """Every table but the layout tables, with the tables inside them, in reading order."""
    found = []
    for table in doc.tables:
        if _layout(table):
            found.extend(table.cell(0, 0).tables)
        else:
            found.append(table)
    return found


def table_with_header(doc: Document, header: list[str]) -> Table:
    found = [t for t in tables(doc) if texts(t)[0] == header]
    assert len(found) == 1, [texts(t)[0] for t in tables(doc)]
    return found[0]


def nbsp(text: str) -> str:
    """``text`` with its spaces (and CLDR's narrow ones) as the no-break spaces kamdocs prints."""
    return text.replace(" ", "\u00a0").replace("\u202f", "\u00a0")


def same(text: str) -> str:
    """``text`` with every run of whitespace (no-break spaces too) as one plain space."""
    return " ".join(text.split())


def money(value: Decimal, currency: str, lang: str) -> str:
    return format_currency(value, currency, locale=lang)


def cents(value: Decimal) -> Decimal:
    return value.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


def reader_texts(raw: bytes) -> list[str]:
    """A part's text as a reader could see it: tags dropped (runs joined), and tags as spaces."""
    markup = raw.decode("utf-8", "replace")
    joined = html.unescape(re.sub(r"<[^>]*>", "", markup))
    spaced = html.unescape(re.sub(r"<[^>]*>", " ", markup))
    return [" ".join(t.split()).casefold() for t in (joined, spaced, html.unescape(markup))]


def private_values(node: Any) -> list[str]:
    """Every value under a ``private`` block as text, dates in the forms a reader would meet."""
    if isinstance(node, dict):
        return [v for value in node.values() for v in private_values(value)]
    if isinstance(node, list):
        return [v for value in node for v in private_values(value)]
    if isinstance(node, dt.date):
        forms = [node.isoformat(), f"{node.day:02d}.{node.month:02d}.{node.year}"]
        forms += [
            format_date(node, f, locale=lang) for f in ("long", "medium") for lang in ("en", "bg")
        ]
        return forms
    if node is None or isinstance(node, bool):
        return []
    text = " ".join(str(node).split())
    return [text] if len(text) >= 4 else []


# --- the tests ----------------------------------------------------------------------------------


def test_title_paragraph_holds_the_offer_title(rendered: Rendered) -> None:
    found = paragraphs(rendered.doc)
    assert found[0].style.name == "Title"
    assert found[0].text == rendered.data["offer"]["title"]
    assert found[1].style.name == "Subtitle"
    assert rendered.data["client"]["name"] in found[1].text


def test_sections_are_heading_2(rendered: Rendered) -> None:
    headings = [p.text for p in paragraphs(rendered.doc) if p.style.name == "Heading 2"]
    personas = dict.fromkeys(m["persona"] for m in rendered.data["dmu"])
    for persona in personas:
        assert rendered.personas[persona]["label"][rendered.lang] in headings, headings
    t = rendered.t
    assert t["pricing_heading"] in headings
    assert headings[-2:] == [t["team_heading"], t["acceptance_heading"]]


def test_team_table_has_every_member_with_contacts(rendered: Rendered) -> None:
    t = rendered.t
    table = table_with_header(rendered.doc, [t["name"], t["position"], t["email"], t["phone"]])
    header = table.rows[0]._tr
    assert header.find(f"{qn('w:trPr')}/{qn('w:tblHeader')}") is not None  # repeats on each page
    rows = texts(table)[1:]
    team = rendered.data["team"]
    assert len(rows) == len(team)
    assert rows[0][0] == f"{rendered.lead['name']} ({t['lead_note']})"  # the lead comes first
    by_name = {row[0].removesuffix(f" ({t['lead_note']})"): row for row in rows}
    for member in team:
        assert by_name[member["name"]] == [
            by_name[member["name"]][0],
            member["position"],
            member["email"],
            nbsp(member["phone"]),
        ]


def test_team_contacts_are_real_hyperlinks(rendered: Rendered) -> None:
    doc = rendered.doc
    t = rendered.t
    table = table_with_header(doc, [t["name"], t["position"], t["email"], t["phone"]])
    rels = doc.part.rels
    for row, member in zip(
        table.rows[1:], sorted(rendered.data["team"], key=lambda m: not m.get("lead")), strict=True
    ):
        email_cell, phone_cell = row.cells[2], row.cells[3]
        for cell, target, text in (
            (email_cell, f"mailto:{member['email']}", member["email"]),
            (phone_cell, "tel:" + re.sub(r"[^0-9+]", "", member["phone"]), nbsp(member["phone"])),
        ):
            links = cell._tc.findall(f".//{qn('w:hyperlink')}")
            assert len(links) == 1, cell.text
            rel = rels[links[0].get(qn("r:id"))]
            assert rel.reltype == MAILTO_TYPE
            assert rel.is_external
            assert rel.target_ref == target
            assert "".join(el.text or "" for el in links[0].iter(qn("w:t"))) == text


def expected_prices(rendered: Rendered) -> tuple[list[str], str, list[str]]:
    """(line amounts, VAT label, [subtotal, VAT, total]) computed in Decimal, formatted by Babel."""
    pricing = rendered.data["offer"]["pricing"]
    currency, lang, t = pricing["currency"], rendered.lang, rendered.t
    amounts = [
        cents(Decimal(str(i["quantity"])) * Decimal(str(i["unit_price"]))) for i in pricing["items"]
    ]
    subtotal = sum(amounts, Decimal(0))
    vat = cents(subtotal * Decimal(str(pricing["vat_percent"])) / 100)
    percent = format_percent(Decimal(str(pricing["vat_percent"])) / 100, locale=lang)
    return (
        [money(a, currency, lang) for a in amounts],
        f"{t['vat']} {percent}",
        [money(v, currency, lang) for v in (subtotal, vat, subtotal + vat)],
    )


def pricing_rows(rendered: Rendered) -> list[list[str]]:
    t = rendered.t
    table = table_with_header(
        rendered.doc, [t["item"], t["quantity"], t["unit_price"], t["amount"]]
    )
    return texts(table)[1:]


def test_pricing_total_is_exact(rendered: Rendered) -> None:
    lines, vat_label, totals = expected_prices(rendered)
    rows = pricing_rows(rendered)
    t = rendered.t
    assert len(rows) == len(lines) + 3
    assert [same(row[3]) for row in rows[: len(lines)]] == [same(v) for v in lines]
    assert [same(row[0]) for row in rows[len(lines) :]] == [
        t["subtotal"],
        same(vat_label),
        t["total"],
    ]
    assert [same(row[3]) for row in rows[len(lines) :]] == [same(v) for v in totals]


def test_small_dossier_totals_are_the_decimal_ones(small: Rendered) -> None:
    rendered = small
    # The dossier's 3 × 1249.90 + 1000 × 0.1 = 3849.70; VAT 20 % = 769.94; total 4619.64.
    rows = pricing_rows(rendered)
    expected = {
        "en": ["€3,849.70", "€769.94", "€4,619.64"],
        "bg": ["3 849,70 €", "769,94 €", "4 619,64 €"],  # spaces normalised; exact ones below
    }[rendered.lang]
    assert [same(row[3]) for row in rows[-3:]] == expected


def test_closing_paragraph_states_the_expiry(rendered: Rendered) -> None:
    found = [p for p in paragraphs(rendered.doc) if p.text.strip()]
    # The closing sentence, then the acceptance block: a heading, a sentence, four lines.
    closing = found[-7]
    assert [p.style.name for p in found[-7:]] == [
        "Closing",
        "Heading 2",
        "Acceptance",
        *["Signature"] * 4,
    ]
    when = format_date(rendered.valid_until, "long", locale=rendered.lang)
    assert same(CLOSING[rendered.lang] + when) in same(closing.text)
    literal = {"en": "valid until December 26, 2026", "bg": "валидна до 26 декември 2026 г."}[
        rendered.lang
    ]
    assert literal in same(closing.text)


def test_amounts_and_dates_keep_babels_spaces(rendered: Rendered) -> None:
    """Amounts and dates hold no-break spaces only (U+00A0): "4 619,64 €" must not break after
    "4" at a line end, nor "26 декември 2026 г." before "г."; nor "December 26, 2026".
    """
    _, _, totals = expected_prices(rendered)
    assert pricing_rows(rendered)[-1][3] == totals[-1]
    when = nbsp(format_date(rendered.valid_until, "long", locale=rendered.lang))
    assert " " not in when and "\u202f" not in when
    closing = [p for p in paragraphs(rendered.doc) if p.style.name == "Closing"][-1]
    assert CLOSING[rendered.lang] + when in closing.text


def test_core_properties(rendered: Rendered) -> None:
    props = rendered.doc.core_properties
    offer, client = rendered.data["offer"], rendered.data["client"]
    assert props.title == f"{offer['title']} — {client['name']}"
    assert props.author == rendered.lead["name"]
    issued = offer["issued"]
    assert props.created == dt.datetime(issued.year, issued.month, issued.day, tzinfo=dt.UTC)
    assert props.language.split("-")[0] == rendered.lang


def test_no_private_value_in_any_part(rendered: Rendered) -> None:
    values = {v.casefold() for m in rendered.data["dmu"] for v in private_values(m.get("private"))}
    assert values, "the dossier should carry private data for this test to mean something"
    for name, raw in docx_parts(rendered.path).items():
        for text in reader_texts(raw):
            for value in values:
                assert " ".join(value.split()) not in text, f"{value!r} in {name}"


def test_no_internal_label_in_any_part(rendered: Rendered) -> None:
    data = rendered.data
    labels = {
        "decision_maker",
        "approver",
        "evaluator",
        "influencer",
        "expert",
        "informed",
        "novice",
        "prefers",
        "persona",
        "score",
        "knowledge",
        "cooperated_before",
    }
    for member in data["dmu"]:
        labels |= {member["persona"], *member.get("prefers", [])}
        labels |= {v for k in ("role", "knowledge") if (v := member.get(k))}
    member_ids = {m["id"] for m in data["dmu"] if "id" in m}
    alternatives = "|".join(map(re.escape, sorted(labels | member_ids)))
    words = re.compile(rf"(?<![\w-])({alternatives})(?![\w-])")
    for name, raw in docx_parts(rendered.path).items():
        if not name.endswith((".xml", ".rels")):
            continue
        markup = raw.decode("utf-8")
        text = html.unescape(re.sub(r"<[^>]*>", " ", markup))
        attributes = " ".join(html.unescape(v) for v in re.findall(r'="([^"]*)"', markup))
        assert not words.findall(text), (name, words.findall(text))
        assert not words.findall(attributes), (name, words.findall(attributes))


def test_body_styles_exist_in_the_reference(rendered: Rendered) -> None:
    W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
    reference = docx_parts(TEMPLATES / "reference.docx")["word/styles.xml"].decode("utf-8")
    defined = set(re.findall(r'w:styleId="([^"]+)"', reference))
    document = docx_parts(rendered.path)["word/document.xml"].decode("utf-8")
    used = set(re.findall(r'<w:(?:pStyle|rStyle|tblStyle) w:val="([^"]+)"', document))
    assert {"Title", "Subtitle", "Heading2", "Closing", "Hyperlink"} <= used
    assert used <= defined, used - defined
    assert W in document
    # and python-docx resolves every paragraph's style by name (none falls back silently)
    doc = rendered.doc
    names = {s.name for s in doc.styles}
    assert {p.style.name for p in doc.paragraphs} <= names
