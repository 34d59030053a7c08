"""Property: any valid dossier renders in every format, completely, and leaks nothing private.

Hypothesis writes valid dossiers with any text in any field (Markdown and HTML syntax, Cyrillic,
Arabic, emoji, combining marks, sizes up to tens of kilobytes), 1-6 DMU members, 0-8 pricing
items with exact decimal quantities and prices, and private blocks with random values. Each is
rendered in-process with the shipped library. How many: KAMDOCS_FUZZ_EXAMPLES (default 50; `make
fuzz` runs 2,000). A failing case found here goes into tests/test_fuzz_corpus.py.
"""

from __future__ import annotations

import datetime as dt
import html
import io
import os
import re
import xml.etree.ElementTree as ET
import zipfile
from collections.abc import Iterator
from decimal import Decimal
from functools import cache
from pathlib import Path
from typing import Any

import docx
import markdown
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from markdown.treeprocessors import Treeprocessor

from kamdocs import formatting, yamlsrc
from kamdocs.dossier import check_source
from kamdocs.library import KINDS, Library, load_library
from kamdocs.render.markup import _LinearInline
from kamdocs.render.pipeline import Rendered, render

ROOT = Path(__file__).resolve().parents[2]
TEMPLATES = ROOT / "templates"
EXAMPLES = int(os.environ.get("KAMDOCS_FUZZ_EXAMPLES", "50"))
BUILD_DATE = dt.date(2026, 11, 26)
DOCTYPE = "<!DOCTYPE html>\n"
# Every private text holds this letter and no public text does: a private value can then never
# be in a proposal by coincidence, and one found there is a leak.
MARK = "\u01c2"  # ǂ, a letter without case that no template, locale or library text uses


@cache
def library() -> Library:
    return load_library(TEMPLATES)


# --- what a dossier may hold ----------------------------------------------------------------------


# Any character a dossier may hold (control characters are an error, see docs/security.md).
chars = st.characters(
    codec="utf-8",
    exclude_categories=("Cc", "Cs", "Zl", "Zp"),
    exclude_characters="\ufffe\uffff" + MARK,
)

SYNTAX = [
    "*", "**", "_", "__", "`", "``", "#", "# ", "## ", "- ", "+ ", "1. ", "2) ", "> ", "===",
    "---", "***", "|", " | ", "[x](y)", "[click](javascript:alert(1))", "![i](http://x/p.png)",
    "<b>", "</p>", "<script>alert(1)</script>", "<!--", "&amp;", "&lt;", "&#42;", "&copy;",
    "\\", "\\*", "{: .title }", "{{ 7*7 }}", "{% raw %}", "{#", "    ", "\t", "\n", "\n\n",
    "<http://x.example>", "~~", "^", "==", "[^1]", ": ", "'", '"', "&", "<", ">",
]  # fmt: skip
SCRIPTS = [
    "Acme", "Иван Петров", "Ёжик", "شركة النور", "\u200fمرحبا\u200f", "\U0001f680",
    "\U0001f469\u200d\U0001f469\u200d\U0001f467", "\U0001f1e7\U0001f1ec", "Cafe\u0301",
    "Z\u0307\u0323", "\u0e01\u0e34\u0e4a", "日本語", "\U0001d54f", "\u202eevil\u202c", "\u00a0",
    "\u3000", "ß", "İ", "ﬁ", "0.1", "2026-11-26", "yes", "~", "null", "010",
]  # fmt: skip

pieces = st.one_of(
    st.sampled_from(SYNTAX),
    st.sampled_from(SCRIPTS),
    st.text(chars, min_size=1, max_size=12),
)


def _nonblank(text: str) -> bool:
    return bool(text.strip())


small_text = st.lists(pieces, min_size=1, max_size=8).map("".join).filter(_nonblank)
big_text = st.builds(
    lambda unit, times: (unit * times)[:20_000], small_text, st.integers(50, 3000)
).filter(_nonblank)
text = small_text
long_text = st.one_of(small_text, big_text)  # for the few fields that take long texts
texts = st.lists(small_text, max_size=4)

private_text = st.builds(
    lambda head, tail: f"{head}{MARK}{tail}",
    st.text(chars, max_size=6),
    st.text(chars, max_size=10),
)
private_value = st.recursive(
    st.one_of(
        private_text,
        st.dates(dt.date(1901, 1, 1), dt.date(1950, 12, 31)),
        st.booleans(),
        st.none(),
        st.integers(0, 999),  # shorter than privacy.MIN_LENGTH: never taken for a leak
    ),
    lambda inner: st.one_of(
        st.lists(inner, max_size=3),
        st.dictionaries(st.sampled_from(["a", "b", "notes", "x-y", "birthday"]), inner, max_size=3),
    ),
    max_leaves=8,
)
private = st.one_of(
    st.none(),
    st.dictionaries(
        st.sampled_from(["birthday", "hobbies", "family", "values", "notes", "children"]),
        private_value,
        min_size=1,
        max_size=5,
    ),
)

email = st.builds(
    lambda local, domain: f"{local}@{domain}.example",
    st.from_regex(r"[a-z0-9][a-z0-9._+-]{0,15}", fullmatch=True),
    st.from_regex(r"[a-z0-9][a-z0-9-]{0,10}", fullmatch=True),
)
decimal = st.decimals(min_value=0, max_value=10**7, places=4, allow_nan=False, allow_infinity=False)
quantity = st.decimals(
    min_value=Decimal("0.0001"), max_value=10**6, places=4, allow_nan=False, allow_infinity=False
)
date = st.dates(dt.date(2000, 1, 1), dt.date(2035, 12, 31))


def optional(strategy: st.SearchStrategy[Any]) -> st.SearchStrategy[Any]:
    return st.one_of(st.none(), strategy)


@st.composite
def member(draw: st.DrawFn, i: int) -> dict[str, Any]:
    return {
        "name": draw(text),
        "id": f"m{i}",  # unique, whatever the names
        "position": draw(text),
        "persona": draw(st.sampled_from(sorted(library().personas))),
        "role": draw(st.sampled_from(["decision_maker", "approver", "evaluator", "influencer"])),
        "knowledge": draw(st.sampled_from(["expert", "informed", "novice"])),
        "cooperated_before": draw(st.booleans()),
        "priorities": draw(texts),
        "prefers": draw(st.lists(st.sampled_from(KINDS), max_size=3, unique=True)),
        "email": draw(optional(email)),
        "phone": draw(optional(text)),
        "private": draw(private),
    }


@st.composite
def dossiers(draw: st.DrawFn) -> dict[str, Any]:
    ids = sorted(library().arguments)
    picked = draw(st.lists(st.sampled_from(ids), max_size=4, unique=True))
    split = draw(st.integers(0, len(picked)))
    existing = draw(st.booleans())
    items = [
        {"description": draw(long_text), "quantity": draw(quantity), "unit": draw(optional(text)),
         "unit_price": draw(decimal)}
        for _ in range(draw(st.integers(0, 8)))
    ]  # fmt: skip
    team = [
        {"name": draw(text), "position": draw(text), "email": draw(optional(email)),
         "phone": draw(optional(text)), "lead": False}
        for _ in range(draw(st.integers(1, 4)))
    ]  # fmt: skip
    lead = draw(st.integers(-1, len(team) - 1))  # at most one lead (two are an error); -1: none
    if lead >= 0:
        team[lead]["lead"] = True
    validity = draw(st.one_of(
        st.builds(lambda d: {"valid_days": d}, st.integers(1, 3650)),
        st.builds(lambda d: {"valid_until": dt.date(2026, 11, 27) + dt.timedelta(days=d)},
                  st.integers(0, 3000)),
        st.just({}),
    ))  # fmt: skip
    data: dict[str, Any] = {
        "client": {
            "name": draw(long_text),
            "slug": "fuzz",
            "industry": draw(optional(st.sampled_from(["logistics", "retail", "pharma"]) | text)),
            "locale": draw(st.sampled_from(["en", "bg", None])),
            "share_of_sales": draw(optional(st.decimals(0, 1, places=3))),
        },
        "business": {
            "situation": draw(optional(long_text)),
            "weaknesses": draw(texts),
            "growth_areas": draw(texts),
        },
        "relationship": {
            "status": "existing" if existing else "new",
            "history": [
                {"date": draw(date), "summary": draw(text), "result": draw(optional(text))}
                for _ in range(draw(st.integers(0, 3)))
            ],
        },
        "criteria": draw(
            st.lists(
                st.sampled_from(["total cost of ownership", "implementation speed", "reliability"])
                | small_text,
                max_size=4,
            )
        ),
        "tender": draw(optional(st.fixed_dictionaries({"name": text, "submission_date": date}))),
        "dmu": [draw(member(i)) for i in range(draw(st.integers(1, 6)))],
        "offer": {
            "title": draw(text),
            "summary": draw(optional(long_text)),
            "include": picked[:split],
            "exclude": picked[split:],
            "issued": BUILD_DATE,
            **validity,
            "pricing": {
                "currency": draw(st.sampled_from(["EUR", "BGN", "USD", "JPY", "KWD"])),
                "vat_percent": draw(optional(st.decimals(0, 100, places=2))),
                "items": items,
            }
            if items
            else None,
        },
        "team": team,
    }
    return data


# --- reading what was rendered --------------------------------------------------------------------


def _clean(node: Any) -> Any:
    """Drop empty optional fields, and write decimals as strings YAML reads back exactly."""
    if isinstance(node, dict):
        return {k: _clean(v) for k, v in node.items() if v is not None}
    if isinstance(node, list):
        return [_clean(v) for v in node]
    if isinstance(node, Decimal):
        return str(node)
    return node


def to_yaml(data: dict[str, Any]) -> str:
    dumper = getattr(yaml, "CSafeDumper", yaml.SafeDumper)
    return yaml.dump(
        _clean(data), Dumper=dumper, allow_unicode=True, sort_keys=False, width=1 << 20
    )


class _Tree(Treeprocessor):
    def run(self, root: ET.Element) -> None:
        self.root = root


def words(value: str) -> str:
    return " ".join(value.split())


def markdown_text(source: str) -> str:
    """The Markdown as a reader sees it: Python-Markdown's tree, CommonMark escapes."""
    md = markdown.Markdown(extensions=["tables", "attr_list", "sane_lists"])
    md.ESCAPED_CHARS.extend(c for c in "<&=" if c not in md.ESCAPED_CHARS)
    # Stock Python-Markdown, made linear on escapes (it is quadratic on a long escaped value);
    # tests/test_fuzz_corpus.py checks that this changes nothing it reads.
    md.treeprocessors.register(_LinearInline(md), "inline", 20)
    tree = _Tree(md)
    md.treeprocessors.register(tree, "keep-tree", -1000)
    md.convert(source)
    return "\n".join(words("".join(el.itertext())) for el in tree.root.iter())


def html_text(page: str) -> str:
    assert page.startswith(DOCTYPE)
    root = ET.fromstring(page.removeprefix(DOCTYPE))  # well-formed, or this raises
    return "\n".join(words("".join(el.itertext())) for el in root.iter())


def _cell_texts(tables: list) -> Iterator[str]:
    """Every cell's text, nested tables too (kamdocs keeps a block on one page in a layout
    table: the team table, the next steps and the closing sentence)."""
    for table in tables:
        for row in table.rows:
            for cell in row.cells:
                yield cell.text
                yield from _cell_texts(cell.tables)


def docx_text(data: bytes) -> str:
    document = docx.Document(io.BytesIO(data))  # re-opens, or this raises
    cells = list(_cell_texts(document.tables))
    return "\n".join(words(t) for t in [p.text for p in document.paragraphs] + cells)


def private_texts(node: Any) -> list[str]:
    if isinstance(node, dict):
        return [t for v in node.values() for t in private_texts(v)]
    if isinstance(node, list):
        return [t for v in node for t in private_texts(v)]
    return [node] if isinstance(node, str) and MARK in node else []


def private_dates(node: Any) -> list[dt.date]:
    if isinstance(node, dict):
        return [d for v in node.values() for d in private_dates(v)]
    if isinstance(node, list):
        return [d for v in node for d in private_dates(v)]
    return [node] if isinstance(node, dt.date) else []


def check(data: dict[str, Any]) -> None:
    """Render ``data`` in every format and check every property."""
    source = yamlsrc.parse(to_yaml(data), "fuzz.yaml")
    loaded = check_source(source, library(), BUILD_DATE)  # valid: InputError here is a failure
    result: Rendered = render(loaded, library(), ("md", "docx", "html"), TEMPLATES)
    files = result.files
    assert set(files) == {"fuzz.md", "fuzz.docx", "fuzz.html"}
    shown = {
        "md": markdown_text(files["fuzz.md"].decode("utf-8")),
        "html": html_text(files["fuzz.html"].decode("utf-8")),
        "docx": docx_text(files["fuzz.docx"]),
    }
    expires = words(formatting.date(loaded.valid_until, loaded.lang))
    team = [words(m["name"]) for m in data["team"]]
    for fmt, seen in shown.items():
        assert expires in seen, (fmt, expires)
        for name in team:
            assert name in seen, (fmt, name)
    with zipfile.ZipFile(io.BytesIO(files["fuzz.docx"])) as package:
        assert package.testzip() is None
        parts = {n: package.read(n).decode("utf-8", "replace") for n in package.namelist()}
    everything = {"fuzz.md": files["fuzz.md"].decode("utf-8"),
                  "fuzz.html": files["fuzz.html"].decode("utf-8"), **parts}  # fmt: skip
    secrets = [s for m in data["dmu"] for s in private_texts(m.get("private"))]
    for name, content in everything.items():
        folded = content.casefold()
        for secret in secrets:
            for form in {secret, html.escape(secret), html.escape(secret, quote=False)}:
                assert form.casefold() not in folded, (name, secret)
        assert MARK not in content, name  # not even a part of a private value
    # Private dates (1901-1950; every public date is later) in no form a reader would see.
    birthdays = [d for m in data["dmu"] for d in private_dates(m.get("private"))]
    for day in birthdays:
        forms = {day.isoformat(), *(formatting.date(day, lang) for lang in ("en", "bg"))}
        forms |= {formatting.date(day, lang, "short") for lang in ("en", "bg")}
        for fmt, seen in shown.items():
            assert not [f for f in forms if words(f) in seen], (fmt, day)
        for name, content in everything.items():
            assert day.isoformat() not in content, (name, day)
    assert re.search(r"\bvalid\b|валидн", shown["md"], re.IGNORECASE)


@settings(
    max_examples=EXAMPLES,
    deadline=None,
    database=None,
    print_blob=True,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
@given(dossiers())
def test_any_valid_dossier_renders_completely_and_privately(data: dict[str, Any]) -> None:
    check(data)
