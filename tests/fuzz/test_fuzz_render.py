"""Property-based fuzzing: any valid dossier renders in all three formats, whole and private-free.

`make test` runs a few dozen examples; `make fuzz` runs KAMDOCS_FUZZ_EXAMPLES (2,000) of them.
"""

from __future__ import annotations

import datetime as dt
import io
import os
import xml.etree.ElementTree as ET
import zipfile
from decimal import Decimal
from pathlib import Path

import docx
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from kamdocs.dossier import check_source
from kamdocs.errors import InputError
from kamdocs.formatting import date as format_date
from kamdocs.library import load_library
from kamdocs.render.pipeline import render
from kamdocs.yamlsrc import parse

ROOT = Path(__file__).resolve().parents[2]
TEMPLATES = ROOT / "templates"
LIBRARY = load_library(TEMPLATES)
EXAMPLES = int(os.environ.get("KAMDOCS_FUZZ_EXAMPLES", "40"))
BUILD_DATE = dt.date(2026, 11, 26)

# Public text: anything printable, with Markdown/HTML syntax, Cyrillic, Arabic, emoji, combining
# marks. Private values come from a disjoint alphabet, so a hit in an output is a real leak.
SYNTAX = [
    "*",
    "_",
    "#",
    "|",
    "[x](javascript:alert(1))",
    "<script>",
    "`",
    "{{ 7*7 }}",
    "&amp;",
    "- ",
    "1. ",
    "> ",
    "===",
    "\\",
    "{: .x }",
    "{%",
    "ж",
    "ش",
    "🚚",
    "é",
    "\u00a0",
]
public_char = st.characters(
    blacklist_categories=("Cc", "Cs", "Co", "Cn", "Zl", "Zp"),
    blacklist_characters="\ufeff\ufffe\uffff\u2028\u2029",
)
public_text = (
    st.lists(
        st.one_of(st.text(public_char, min_size=1, max_size=12), st.sampled_from(SYNTAX)),
        min_size=1,
        max_size=6,
    )
    .map(lambda parts: " ".join(parts))
    .filter(lambda s: s.strip())
)
private_text = st.text("ΩΨΦΣΔΛΞΠ", min_size=6, max_size=14).map(lambda s: "ΣΣ" + s)

PERSONAS = sorted(LIBRARY.personas)
money = st.decimals(min_value=Decimal("0"), max_value=Decimal("99999.999"), places=3)
quantity = st.decimals(min_value=Decimal("0.001"), max_value=Decimal("5000"), places=3)


@st.composite
def dossiers(draw: st.DrawFn) -> dict:
    n_members = draw(st.integers(1, 6))
    members = []
    for i in range(n_members):
        members.append(
            {
                "name": draw(public_text),
                "id": f"m{i}",
                "position": draw(public_text),
                "persona": draw(st.sampled_from(PERSONAS)),
                "role": draw(
                    st.sampled_from(["decision_maker", "approver", "evaluator", "influencer"])
                ),
                "knowledge": draw(st.sampled_from(["expert", "informed", "novice"])),
                "cooperated_before": draw(st.booleans()),
                "private": {"notes": draw(private_text), "hobbies": [draw(private_text)]},
            }
        )
    items = [
        {
            "description": draw(public_text),
            "quantity": str(draw(quantity)),
            "unit_price": str(draw(money)),
        }
        for _ in range(draw(st.integers(0, 8)))
    ]
    offer = {
        "title": draw(public_text),
        "summary": draw(public_text),
        "issued": "2026-11-26",
        "valid_days": draw(st.integers(1, 400)),
    }
    if items:
        offer["pricing"] = {
            "currency": draw(st.sampled_from(["EUR", "BGN", "USD", "JPY"])),
            "vat_percent": str(draw(st.decimals(0, 100, places=1))),
            "items": items,
        }
    status = draw(st.sampled_from(["new", "existing"]))
    return {
        "client": {
            "name": draw(public_text),
            "slug": "fuzz-client",
            "locale": draw(st.sampled_from(["en", "bg"])),
        },
        "business": {
            "situation": draw(public_text),
            "weaknesses": [draw(public_text)],
            "growth_areas": [draw(public_text)],
        },
        "relationship": {
            "status": status,
            "history": [
                {"date": "2025-04-01", "summary": draw(public_text), "result": draw(public_text)}
            ]
            if status == "existing"
            else [],
        },
        "criteria": draw(
            st.lists(
                st.sampled_from(
                    ["total cost of ownership", "reliability", "скорост на внедряване"]
                ),
                max_size=3,
            )
        ),
        "dmu": members,
        "offer": offer,
        "team": [
            {
                "name": draw(public_text),
                "position": draw(public_text),
                "email": "team@supplier.example",
                "phone": "+359 2 123 4567",
                "lead": i == 0,
            }
            for i in range(draw(st.integers(1, 4)))
        ],
    }


def _squash(text: str) -> str:
    return " ".join(text.split())


@settings(max_examples=EXAMPLES, deadline=None, suppress_health_check=list(HealthCheck))
@given(dossiers())
def test_any_valid_dossier_renders_whole_in_every_format(data: dict) -> None:
    text = yaml.safe_dump(data, allow_unicode=True, sort_keys=False)
    loaded = check_source(parse(text, "fuzz.yaml"), LIBRARY, BUILD_DATE)
    try:
        rendered = render(loaded, LIBRARY, ("md", "docx", "html"), TEMPLATES)
    except InputError as exc:  # only a privacy hit may stop it, and private values are disjoint
        raise AssertionError(f"rendering failed: {exc}") from None
    files = rendered.files
    expiry = format_date(loaded.valid_until, loaded.lang)
    private = [m["private"]["notes"] for m in data["dmu"]] + [
        h for m in data["dmu"] for h in m["private"]["hobbies"]
    ]

    package = zipfile.ZipFile(io.BytesIO(files["fuzz-client.docx"]))
    document = docx.Document(io.BytesIO(files["fuzz-client.docx"]))
    docx_text = "\n".join(p.text for p in document.paragraphs) + "\n".join(
        cell.text for table in document.tables for row in table.rows for cell in row.cells
    )
    html = files["fuzz-client.html"].decode()
    page = ET.fromstring(html.split("\n", 1)[1])  # well-formed after the doctype
    html_text = "".join(page.itertext())
    assert page.find(".//{http://www.w3.org/1999/xhtml}script") is None
    assert "javascript:" not in "".join(a.get("href", "") for a in page.iter())

    views = {"md": files["fuzz-client.md"].decode(), "docx": docx_text, "html": html_text}
    for name, view in views.items():
        assert _squash(expiry) in _squash(view), name
    for member in data["team"]:  # the readers' views show every name whole and literal
        assert _squash(member["name"]) in _squash(docx_text), member["name"]
        assert _squash(member["name"]) in _squash(html_text), member["name"]
    for part in package.namelist():
        body = package.read(part).decode("utf-8", "replace")
        for value in private:
            assert value not in body, (part, value)
    for value in private:
        assert value not in views["md"] and value not in html
