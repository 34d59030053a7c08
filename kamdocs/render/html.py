"""The HTML view: a standalone page around the Markdown's XHTML, with the brand CSS inlined."""

from __future__ import annotations

from functools import lru_cache
from html import escape
from pathlib import Path

STYLESHEET = "proposal.css"


@lru_cache(maxsize=8)
def _css(path: Path) -> str:
    try:
        css = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return ""
    # Inside <style> only "</" could end the element early.
    return css.replace("</", "<\\/")


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
