"""One dossier in, every requested format out: tailor, build the context, render, guard."""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Context, Decimal
from pathlib import Path

from kamdocs.dossier import Loaded
from kamdocs.errors import InputError, Problem
from kamdocs.library import Library
from kamdocs.privacy import Guard, leak_problem
from kamdocs.render import html as html_view
from kamdocs.render.content import render_markdown
from kamdocs.render.context import build_context
from kamdocs.render.markup import convert
from kamdocs.tailor import tailor
from kamdocs.templating import TemplateFailure

REFERENCE_DOCX = "reference.docx"
BCP47 = {"en": "en-US", "bg": "bg-BG"}

# Bounds on the numbers of a price list. Within them every amount, subtotal and VAT is computed
# exactly in 28-digit decimal arithmetic; past them `unit_price: 1e27` crashed the rounding and a
# quantity of 1E+999999 asked Babel for a number a million digits long.
MAX_AMOUNT = Decimal(10) ** 15  # a quantity, a price or a line's amount: more than any offer
MAX_PLACES = 10  # decimal places of a quantity, a price or the VAT rate
_EXACT = Context(prec=80)  # enough for the product of two numbers within the bounds above


_ESCAPE_RE = re.compile(r"\\(.)")
# Neither part may hold its own opening bracket: a text of many unclosed "[" or "(" is then read
# in one pass instead of once per bracket.
_LINK_RE = re.compile(r"\[([^\[\]]*)\]\([^()]*\)")
_EMPHASIS_RE = re.compile(r"[*_`]+")


def _readable(markdown: str) -> str:
    """Markdown as a reader sees it, near enough for a privacy scan: no escapes, links, emphasis."""
    return _EMPHASIS_RE.sub("", _LINK_RE.sub(r"\1", _ESCAPE_RE.sub(r"\1", markdown)))


def _places(value: Decimal) -> int:
    """Decimal places of ``value`` as written, trailing zeros aside (``1.50`` has one)."""
    _, digits, exponent = value.as_tuple()
    written = "".join(map(str, digits)).rstrip("0")
    if not isinstance(exponent, int) or exponent >= 0 or not written:
        return 0
    return max(0, -(exponent + len(digits) - len(written)))


def pricing_problems(loaded: Loaded) -> list[Problem]:
    """Numbers of the price list too large or too fine to compute and print exactly."""
    pricing = loaded.dossier.offer.pricing
    if pricing is None:
        return []
    limit = f"{MAX_AMOUNT:,.0f}"
    problems = []

    def check(value: Decimal | None, path: tuple[str | int, ...]) -> bool:
        if value is None:
            return True
        if value.copy_abs() >= MAX_AMOUNT:
            problems.append(loaded.source.problem(path, f"must be less than {limit}"))
            return False
        if _places(value) > MAX_PLACES:
            message = f"more than {MAX_PLACES} decimal places; round it"
            problems.append(loaded.source.problem(path, message))
            return False
        return True

    check(pricing.vat_percent, ("offer", "pricing", "vat_percent"))
    for i, item in enumerate(pricing.items):
        at = ("offer", "pricing", "items", i)
        fine = check(item.quantity, (*at, "quantity"))
        fine = check(item.unit_price, (*at, "unit_price")) and fine
        if fine and _EXACT.multiply(item.quantity, item.unit_price).copy_abs() >= MAX_AMOUNT:
            message = f"quantity × unit_price must be less than {limit}"
            problems.append(loaded.source.problem((*at, "unit_price"), message))
    return problems


@dataclass
class Rendered:
    """The documents of one proposal, ready to write: file name -> bytes."""

    slug: str
    files: dict[str, bytes]


def render(loaded: Loaded, library: Library, formats: tuple[str, ...], templates: Path) -> Rendered:
    """Render one validated dossier.

    ``InputError`` on a price list out of bounds, a template failure or a privacy leak.
    """
    d = loaded.dossier
    problems = pricing_problems(loaded)
    if problems:
        raise InputError(problems)
    plan = tailor(d, library)
    try:
        context = build_context(loaded, library, plan)
        text = render_markdown(templates, context)
    except TemplateFailure as exc:
        raise InputError([Problem(exc.name, exc.line, "", exc.message)]) from None

    guard = Guard(d, (loaded.lang,))
    leaks: list[Problem] = []

    def check(output: str, content: str, markup: bool) -> None:
        if markup:
            field = guard.scan_markup(content)
        else:  # Markdown: as written, and as read (syntax inside a value must not hide it)
            field = guard.find(content) or guard.find(_readable(content))
        if field is not None:
            leaks.append(leak_problem(loaded.source, output, field))

    files: dict[str, bytes] = {}
    slug = loaded.slug
    if "md" in formats:
        check(f"{slug}.md", text, markup=False)
        files[f"{slug}.md"] = text.encode("utf-8")
    if "docx" in formats or "html" in formats:
        tree, body = convert(text)
        title = f"{d.offer.title} — {d.client.name}"
        if "docx" in formats:
            from kamdocs.render.docx import DocMeta, render_docx  # noqa: PLC0415 - only when asked for

            lead = next((m for m in d.team if m.lead), d.team[0])
            meta = DocMeta(
                title=title,
                subject=context.t.get("proposal", ""),
                author=lead.name,
                created=loaded.issued,
                language=BCP47.get(loaded.lang, loaded.lang),
            )
            data, parts = render_docx(tree, meta, templates / REFERENCE_DOCX)
            for name, part in parts.items():
                if name.endswith((".xml", ".rels")):
                    check(f"{slug}.docx ({name})", part.decode("utf-8", "replace"), markup=True)
            files[f"{slug}.docx"] = data
        if "html" in formats:
            page = html_view.page(body, title, loaded.lang, templates)
            check(f"{slug}.html", page, markup=True)
            files[f"{slug}.html"] = page.encode("utf-8")
    if leaks:
        raise InputError(leaks)
    return Rendered(slug, files)
