"""The HTML view: a standalone page around the Markdown's XHTML, with the brand CSS inlined."""

from __future__ import annotations

from functools import lru_cache
from html import escape
from pathlib import Path

from kamdocs.errors import InputError, Problem

STYLESHEET = "proposal.css"


def _css(path: Path) -> str:
    try:
        stat = path.stat()
    except FileNotFoundError:
        return ""
    # The stylesheet is copied into every page: a link in the templates folder must not make
    # that a copy of some other file on the machine that builds the proposals.
    if not path.resolve().is_relative_to(path.parent.resolve()):
        message = "links to a file outside the templates folder; copy the stylesheet in instead"
        raise InputError([Problem(str(path), 1, "", message)])
    # Keyed by the real path and its change time: another workspace, or an edited file, in the
    # same process gets its own stylesheet.
    return _read_css(path.resolve(), stat.st_mtime_ns, stat.st_size)


@lru_cache(maxsize=8)
def _read_css(path: Path, mtime_ns: int, size: int) -> str:
    css = path.read_text(encoding="utf-8")
    # Inside <style> only "</" could end the element early.
    return css.replace("</", "<\\/")


_css.cache_clear = _read_css.cache_clear  # type: ignore[attr-defined]


def page(body: str, title: str, lang: str, templates: Path) -> str:
    """A complete, well-formed XHTML5 page."""
    css = _css(templates / STYLESHEET)
    style = f"<style>\n{css.rstrip()}\n</style>\n" if css else ""
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
        f"{body.strip()}\n"
        "</main>\n</body>\n</html>\n"
    )
