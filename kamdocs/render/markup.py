"""Markdown to an element tree (the source of the DOCX) and to XHTML (the body of the HTML)."""

from __future__ import annotations

import copy
import xml.etree.ElementTree as ET
from urllib.parse import urlsplit

import markdown
from markdown.treeprocessors import Treeprocessor

SAFE_SCHEMES = frozenset({"http", "https", "mailto", "tel"})
EXTENSIONS = ["tables", "attr_list", "sane_lists"]


class _Capture(Treeprocessor):
    """Runs last: neutralises unsafe links and keeps the finished tree for the DOCX writer."""

    root: ET.Element | None = None

    def run(self, root: ET.Element) -> None:
        for parent in root.iter():
            for el in parent:
                if el.tag == "a" and not _safe(el.get("href", "")):
                    el.tag = "span"
                    el.attrib.clear()
                if el.tag == "img":  # proposals carry no remote images; keep the alt text
                    alt = el.get("alt", "")
                    el.tag, el.text = "span", alt
                    el.attrib.clear()
        self.root = root


def _safe(href: str) -> bool:
    scheme = urlsplit(href.strip()).scheme.lower()
    return scheme in SAFE_SCHEMES


class Converter:
    """One Python-Markdown instance per process, reset between documents."""

    def __init__(self) -> None:
        self.md = markdown.Markdown(extensions=EXTENSIONS, output_format="xhtml")
        # Characters kamdocs escapes in data (templating.ESCAPED) that Markdown must unescape.
        for char in "<&=":
            if char not in self.md.ESCAPED_CHARS:
                self.md.ESCAPED_CHARS.append(char)
        self.capture = _Capture(self.md)
        self.md.treeprocessors.register(self.capture, "kamdocs-capture", -100)

    def convert(self, text: str) -> tuple[ET.Element, str, list]:
        """Return the body tree (a ``div``), its XHTML, and the raw HTML the tree refers to.

        Python-Markdown leaves placeholders in the tree for entities and raw HTML that the
        template itself wrote; the DOCX writer resolves them from the stash.
        """
        self.md.reset()
        html = self.md.convert(text)
        root = self.capture.root
        assert root is not None
        tree = copy.copy(root)
        tree.tag = "div"
        return tree, html, list(self.md.htmlStash.rawHtmlBlocks)


_CONVERTER: Converter | None = None


def convert(text: str) -> tuple[ET.Element, str, list]:
    global _CONVERTER
    if _CONVERTER is None:
        _CONVERTER = Converter()
    return _CONVERTER.convert(text)
