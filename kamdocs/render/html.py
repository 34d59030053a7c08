"""The HTML view: a standalone page around the Markdown's XHTML, with the brand CSS inlined."""

from __future__ import annotations

import base64
from functools import lru_cache
from html import escape
from pathlib import Path
from typing import Any

from kamdocs.render import real_file

STYLESHEET = "proposal.css"
LOGO = "logo.png"  # the logo of reference.docx's header, for the page's header


def _css(path: Path) -> str:
    try:
        real, status = real_file(path, "stylesheet")
    except FileNotFoundError:
        return ""
    # Keyed by the real path and its change time: another workspace, or an edited file, in the
    # same process gets its own stylesheet.
    return _read_css(real, status.st_mtime_ns, status.st_size)


@lru_cache(maxsize=8)
def _read_css(path: str, mtime_ns: int, size: int) -> str:
    css = Path(path).read_text(encoding="utf-8")
    # Inside <style> only "</" could end the element early.
    return css.replace("</", "<\\/")


_css.cache_clear = _read_css.cache_clear  # type: ignore[attr-defined]


def _logo(path: Path) -> str:
    """The logo as a data URI (the page stands alone), or "" when the templates have none."""
    try:
        real, status = real_file(path, "logo")
    except FileNotFoundError:
        return ""
    return _read_logo(real, status.st_mtime_ns, status.st_size)


@lru_cache(maxsize=8)
def _read_logo(path: str, mtime_ns: int, size: int) -> str:
    return "data:image/png;base64," + base64.b64encode(Path(path).read_bytes()).decode("ascii")


def _masthead(supplier: Any, logo: str) -> str:
    """The supplier's line (and logo) over the proposal, as in the DOCX header."""
    name = getattr(supplier, "name", None)
    rest = [part for part in (getattr(supplier, "address", None),) if part]
    website = getattr(supplier, "website", None)
    if not (name or rest or website or logo):
        return ""
    parts = []
    if logo:
        alt = escape(f"{name} logo" if name else "logo")
        parts.append(f'<img class="logo" src="{logo}" alt="{alt}" width="30" height="30" />')
    line = [f"<strong>{escape(name)}</strong>"] if name else []
    line += [escape(part) for part in rest]
    if website:
        href = website if website.lower().startswith(("https://", "http://")) else ""
        href = href or f"https://{website}"
        line.append(f'<a href="{escape(href)}">{escape(website)}</a>')
    if line:
        parts.append(f'<span class="supplier-line">{" · ".join(line)}</span>')
    return f'<header class="supplier">{"".join(parts)}</header>\n'


def page(body: str, title: str, lang: str, templates: Path, supplier: Any = None) -> str:
    """A complete, well-formed XHTML5 page; ``supplier`` (name, address, website in the page's
    language) and the templates' logo head it."""
    css = _css(templates / STYLESHEET)
    style = f"<style>\n{css.rstrip()}\n</style>\n" if css else ""
    masthead = _masthead(supplier, _logo(templates / LOGO))
    return (
        "<!DOCTYPE html>\n"
        f'<html xmlns="http://www.w3.org/1999/xhtml" lang="{escape(lang)}" '
        f'xml:lang="{escape(lang)}">\n'
        "<head>\n"
        '<meta charset="utf-8" />\n'
        '<meta name="viewport" content="width=device-width, initial-scale=1" />\n'
        '<meta name="generator" content="kamdocs" />\n'
        f"<title>{escape(title)}</title>\n"
        f"{style}"
        "</head>\n"
        '<body>\n<main class="proposal">\n'
        f"{masthead}"
        f"{body.strip()}\n"
        "</main>\n</body>\n</html>\n"
    )
