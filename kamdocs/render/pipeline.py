"""One dossier in, every requested format out: tailor, build the context, render, guard."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

from kamdocs.dossier import Loaded
from kamdocs.errors import InputError, Problem
from kamdocs.library import Library
from kamdocs.privacy import Protection
from kamdocs.render import html as html_view
from kamdocs.render.content import TEMPLATE, portable, render_markdown
from kamdocs.render.context import build_context
from kamdocs.render.markup import convert
from kamdocs.render.nesting import MAX_NESTING, nesting
from kamdocs.tailor import tailor
from kamdocs.templating import TemplateFailure
from kamdocs.workspace import Supplier

REFERENCE_DOCX = "reference.docx"
BCP47 = {"en": "en-US", "bg": "bg-BG"}

_ESCAPE_RE = re.compile(r"\\(.)")
# Neither part may hold its own opening bracket: a text of many unclosed "[" or "(" is then read
# in one pass instead of once per bracket.
_LINK_RE = re.compile(r"\[([^\[\]]*)\]\([^()]*\)")
# The characters of emphasis and code spans, each removed by ``str.replace``: ten times faster
# than a regular expression's ``[*_`]+``, whose class is tried at every character of the text.
_EMPHASIS = ("*", "_", "`")


def _unescaped(markdown: str) -> str:
    """Markdown as a viewer shows a value printed in it: every backslash escape resolved."""
    return _ESCAPE_RE.sub(r"\1", markdown)


def _readable(markdown: str) -> str:
    """Markdown as a reader sees the syntax a template writes: no escapes, links, emphasis."""
    text = _LINK_RE.sub(r"\1", _unescaped(markdown))
    for char in _EMPHASIS:
        text = text.replace(char, "")
    return text


@dataclass
class Rendered:
    """The documents of one proposal, ready to write: file name -> bytes; and the warnings."""

    slug: str
    files: dict[str, bytes]
    warnings: list[Problem] = field(default_factory=list)  # for the user; the files are right


def render(
    loaded: Loaded,
    library: Library,
    formats: tuple[str, ...],
    templates: Path,
    supplier: Supplier | None = None,
) -> Rendered:
    """Render one validated dossier; ``InputError`` on a template failure or a privacy leak.

    ``supplier`` (kamdocs.yaml) heads the pages: DOCX header and footer, the HTML page."""
    d = loaded.dossier
    plan = tailor(d, library)
    try:
        context = build_context(loaded, library, plan, supplier)
        text = render_markdown(templates, context)
    except TemplateFailure as exc:
        raise InputError([Problem(exc.name, exc.line, "", exc.message)]) from None

    depth, line = nesting(text)
    if depth > MAX_NESTING:
        where = str(templates / TEMPLATE)
        message = (
            f"the proposal's Markdown nests lists or quotes {depth} levels deep (at its line "
            f"{line}); at most {MAX_NESTING} are allowed"
        )
        raise InputError([Problem(where, 1, "", message)])

    protection = Protection(loaded, library, supplier)
    guard = protection.guard()
    leaks: list[Problem] = []

    def check(output: str, content: str, markup: bool) -> None:
        if markup:
            found = guard.scan_markup(content)
        else:  # Markdown as written, as a viewer shows it, and with the syntax read
            # Each distinct text once: the guard remembers a text it is given twice.
            views = dict.fromkeys((content, _unescaped(content), _readable(content)))
            found = next(filter(None, map(guard.find, views)), None)
        if found is not None:
            leaks.append(protection.leak(output, found))

    files: dict[str, bytes] = {}
    slug = loaded.slug
    # The file name is what the client sees first (an attachment's name).
    named = guard.find(slug)
    if named is not None:
        leaks.append(protection.leak("the documents' file name", named))
    if "md" in formats:
        written = portable(text)
        check(f"{slug}.md", written, markup=False)
        files[f"{slug}.md"] = written.encode("utf-8")
    docx = "docx" in formats or "pdf" in formats  # a PDF is its DOCX converted (render/pdf.py)
    if docx or "html" in formats:
        tree, body = convert(text, xhtml="html" in formats)
        title = f"{d.offer.title} — {d.client.name}"
        if docx:
            from kamdocs.render.docx import DocMeta, render_docx  # noqa: PLC0415 - only when asked for

            lead = next((m for m in d.team if m.lead), d.team[0])
            meta = DocMeta(
                title=title,
                subject=context.t.get("proposal", ""),
                author=lead.name,
                created=loaded.issued,
                language=BCP47.get(loaded.lang, loaded.lang),
            )
            data, parts = render_docx(
                tree, meta, templates / REFERENCE_DOCX, supplier=context.supplier
            )
            for name, part in parts.items():
                if name.endswith((".xml", ".rels")):
                    check(f"{slug}.docx ({name})", part.decode("utf-8", "replace"), markup=True)
            files[f"{slug}.docx"] = data
        if "html" in formats:
            page = html_view.page(body, title, loaded.lang, templates, context.supplier)
            check(f"{slug}.html", page, markup=True)
            files[f"{slug}.html"] = page.encode("utf-8")
    warnings = protection.warnings()
    if leaks:
        raise InputError(leaks + warnings)
    return Rendered(slug, files, warnings)
