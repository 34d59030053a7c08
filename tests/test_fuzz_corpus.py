"""The seed corpus of tests/fuzz: dossiers that broke (or nearly broke) rendering, kept as tests.

Each case is checked with every property of the fuzz test (fuzz/test_fuzz_render.py::check):
renders in md, docx and html, the DOCX re-opens, the HTML is XML, every team member and the
expiry date are in each format, and no private value is anywhere in any output.
"""

from __future__ import annotations

import copy
import datetime as dt
import xml.etree.ElementTree as ET
from decimal import Decimal
from typing import Any

import markdown
import pytest
from fuzz.test_fuzz_render import MARK, check
from markdown.treeprocessors import Treeprocessor

from kamdocs.render.markup import _LinearInline
from kamdocs.templating import escape_md

BASE: dict[str, Any] = {
    "client": {"name": "Acme Logistics AD", "slug": "fuzz", "industry": "logistics"},
    "relationship": {"status": "new"},
    "criteria": ["total cost of ownership"],
    "dmu": [
        {
            "name": "Ivan Petrov",
            "id": "m0",
            "position": "CEO",
            "persona": "executive",
            "private": {"notes": f"secret{MARK}note", "birthday": dt.date(1931, 5, 14)},
        },
        {
            "name": "Elena Dimitrova",
            "id": "m1",
            "position": "CFO",
            "persona": "finance",
            "knowledge": "expert",
        },
    ],  # fmt: skip
    "offer": {"title": "Warehouse automation", "issued": dt.date(2026, 11, 26), "valid_days": 30},
    "team": [{"name": "Maria Georgieva", "position": "Key Account Manager", "lead": True}],
}
EVERY_TEXT = [
    ("client", "name"), ("offer", "title"), ("offer", "summary"), ("business", "situation"),
    ("dmu", 0, "name"), ("dmu", 0, "position"), ("dmu", 1, "name"), ("team", 0, "name"),
    ("team", 0, "position"), ("team", 0, "phone"),
]  # fmt: skip


def with_fields(value: str, fields: list[tuple[Any, ...]] = EVERY_TEXT) -> dict[str, Any]:
    """BASE with each of ``fields`` set to ``value`` (made unique per field)."""
    data = copy.deepcopy(BASE)
    data.setdefault("business", {})
    for i, path in enumerate(fields):
        node = data
        for key in path[:-1]:
            node = node[key]
        node[path[-1]] = f"{value} {i}"
    return data


def with_pricing(currency: str, items: list[tuple[str, str, str]], vat: str | None) -> dict:
    data = copy.deepcopy(BASE)
    data["offer"]["pricing"] = {
        "currency": currency,
        "vat_percent": Decimal(vat) if vat else None,
        "items": [{"description": d, "quantity": Decimal(q), "unit_price": Decimal(p)}
                  for d, q, p in items],
    }  # fmt: skip
    return data


CASES = {
    "markdown-everywhere": with_fields("*a* _b_ `c` [d](javascript:e) <b>f</b> &amp; | # g"),
    "line-start-markers": with_fields("1. - > === --- *** # + 2)"),
    "backslashes": with_fields("\\ \\\\ \\* x\\"),
    "entity-like": with_fields("&amp; &#42; &#x2a; &copy; &nbsp; &"),
    "template-syntax": with_fields("{{ 7*7 }} {% raw %} {# {: .title }"),
    "unicode-spaces": with_fields("a\u3000b\u00a0c\u2003d\u202fe"),
    "rtl-combining-emoji": with_fields(
        "شركة \u200fالنور\u200f Cafe\u0301 Z\u0307\u0323 \U0001f469\u200d\U0001f467 \u202ex\u202c"
    ),
    "dates-and-numbers": with_fields("1925-03-14 14.03.1925 0.1 010 yes ~"),
    "yaml-lookalikes": with_fields("- [a, b] {c: d} &anchor *alias !!tag %YAML ---"),
    # Found while hardening: Python-Markdown is quadratic on escapes, and a dossier value is
    # escaped character by character: 200,000 "*" took a minute (now well under a second).
    "escapes-200k": with_fields("*" * 200_000, [("offer", "summary")]),
    "brackets-200k": with_fields("[<&" * 60_000, [("business", "situation")]),
    "pipes-in-a-cell": with_pricing("EUR", [("a | b \\| c", "1", "1")], "20"),
    "tiny-and-huge-amounts": with_pricing(
        "KWD", [("grain", "0.0001", "0.0001"), ("plant", "1000000", "9999999.9999")], "0"
    ),
    "no-minor-unit": with_pricing("JPY", [("item", "3", "0.5"), ("item 2", "1.5", "1")], "10"),
}


@pytest.mark.parametrize("name", list(CASES))
def test_seed(name: str) -> None:
    check(CASES[name])


# --- the linear inline stage changes nothing that Python-Markdown reads ---------------------------


class _Tree(Treeprocessor):
    def run(self, root: ET.Element) -> None:
        self.root = root


def read(text: str, linear: bool) -> tuple[str, list[tuple[Any, ...]]]:
    md = markdown.Markdown(extensions=["tables", "attr_list", "sane_lists"])
    md.ESCAPED_CHARS.extend(c for c in "<&=" if c not in md.ESCAPED_CHARS)
    if linear:
        md.treeprocessors.register(_LinearInline(md), "inline", 20)
    tree = _Tree(md)
    md.treeprocessors.register(tree, "keep-tree", -1000)
    html = md.convert(text)
    return html, [(e.tag, sorted(e.attrib.items()), e.text, e.tail) for e in tree.root.iter()]


READS = [
    r"[x](http://a\_b) `a\*b` \*em\* *a\*b* _x\__ [a\]b](u) \\*x* a \* b * c",
    r"\`code\` ``a\`b`` \<b\> &amp; \& \=\= \# x <b>raw</b> &copy; <http://x.example>",
    "- a\n- \\- b\n\n1\\. x\n\n\\> q\n\n\\=\\=\\=\n\n    code \\*",
    "| a | b\\|c |\n|---|---|\n| \\| | x\\*y |",
    "**bold \\* star** __under \\_ score__ ***both*** * not * _ not _",
    '[link *em* \\[x\\]](https://x.example/a\\_b "ti\\*tle") ![i](p.png)',
    escape_md("*" * 300 + " [x](javascript:y) <script> & | # `z`"),
]


@pytest.mark.parametrize("text", READS)
def test_the_linear_inline_stage_reads_like_python_markdown(text: str) -> None:
    assert read(text, linear=True) == read(text, linear=False)
