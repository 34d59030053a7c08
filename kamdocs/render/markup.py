"""Markdown to an element tree (the source of the DOCX) and to XHTML (the body of the HTML)."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from collections import OrderedDict
from collections.abc import Callable
from urllib.parse import urlsplit

import markdown
from markdown import util
from markdown.extensions.attr_list import AttrListExtension
from markdown.extensions.sane_lists import SaneListExtension
from markdown.extensions.tables import TableExtension, TableProcessor
from markdown.inlinepatterns import EscapeInlineProcessor, Pattern
from markdown.treeprocessors import InlineProcessor, Treeprocessor, UnescapeTreeprocessor

SAFE_SCHEMES = frozenset({"http", "https", "mailto", "tel"})
# Given as classes, not by name: a name is looked up among every installed package's entry
# points, which costs a fresh process tens of milliseconds.
EXTENSIONS = (TableExtension, AttrListExtension, SaneListExtension)

# Inline syntax a proposal uses. Raw HTML, entities, images and reference-style links are not
# recognised, so a template cannot smuggle markup into the HTML and every format shows the
# same text (type "©", not "&copy;").
INLINE = ("backtick", "escape", "link", "em_strong", "em_strong2", "not_strong")

# A heading that follows a blank line always starts a block Markdown parses on its own, so a
# document is converted heading by heading and the parts shared by many proposals (argument
# texts from the library) are converted once per process.
_CHUNK_RE = re.compile(r"\n\n(?=#)")
CACHE_SIZE = 256  # the hot chunks are the library's texts: a few hundred; more only grows memory
# Only chunks seen before (library texts, shared wording) are cached, only small ones, and up
# to a total size: a chunk that belongs to one proposal is never kept, so a batch of any size
# runs in the same memory.
CACHE_CHUNK = 16_384
CACHE_CHARS = 1_000_000
SEEN_SIZE = 8192


class _LinearInline(InlineProcessor):
    """Python-Markdown's inline stage, with every backslash escape of a text done in one pass.

    Stock Python-Markdown rebuilds the whole text and stashes a node for every escape it meets,
    which is quadratic: dossier values are escaped character by character (``escape_md``), and
    200 KB of ``*`` in one field took a minute. An escaped character becomes the same
    ``STX code ETX`` marker the stock processor produces (restored by the ``unescape`` stage);
    the markers are inert to the later patterns, so the tree is the same, built in linear time.
    """

    def _InlineProcessor__applyPattern(  # overrides the name-mangled private method
        self, pattern: Pattern, data: str, patternIndex: int, startIndex: int = 0
    ) -> tuple[str, bool, int]:
        if type(pattern) is not EscapeInlineProcessor:
            return super()._InlineProcessor__applyPattern(  # type: ignore[attr-defined]
                pattern, data, patternIndex, startIndex
            )
        escaped = self.md.ESCAPED_CHARS

        def marker(match: re.Match[str]) -> str:
            char = match.group(1)
            return f"{util.STX}{ord(char)}{util.ETX}" if char in escaped else match.group(0)

        done = pattern.getCompiledRegExp().sub(marker, data[startIndex:])
        return data[:startIndex] + done, False, 0


class _Atomic(Treeprocessor):
    """Runs before the inline stage: marks every text no inline pattern can match as atomic.

    Of the inline patterns kamdocs keeps (``INLINE``), each starts at one of ``_INLINE_START``; a
    text without any of them comes out of the inline stage as it went in, so the stage may skip
    it. Most of a proposal's text is such plain text, and the inline stage is the costliest one.
    """

    def run(self, root: ET.Element) -> None:
        atomic = util.AtomicString
        for el in root.iter():
            text = el.text
            if text and not _INLINE_START.search(text):
                el.text = atomic(text)
            tail = el.tail
            if tail and not _INLINE_START.search(tail):
                el.tail = atomic(tail)


_INLINE_START = re.compile(r"[`\\\[*_]")


class _Unescape(UnescapeTreeprocessor):
    """Python-Markdown's last stage, which turns escape markers back into characters, touching
    only the texts that hold a marker: a small part of them."""

    def run(self, root: ET.Element) -> None:
        stx, unescape = util.STX, self.unescape
        for elem in root.iter():
            text = elem.text
            if text and stx in text and elem.tag != "code":
                elem.text = unescape(text)
            tail = elem.tail
            if tail and stx in tail:
                elem.tail = unescape(tail)
            if elem.attrib:
                for key, value in elem.items():
                    if value is not None and stx in value:
                        elem.set(key, unescape(value))


def _split_cells(self: TableProcessor, row: str) -> list[str]:
    """A table row's cells. A row with neither a backslash nor a backtick (most rows) has no
    escaped pipe and no code span, so it splits at every pipe, as Python-Markdown's own
    character-by-character pass would split it."""
    if "\\" in row or "`" in row:
        return _STOCK_SPLIT(self, row)
    return row.split("|")


_STOCK_SPLIT = TableProcessor._split  # noqa: SLF001


class _Capture(Treeprocessor):
    """Runs last: neutralises unsafe links and keeps the finished tree for the DOCX writer.

    Python-Markdown leaves code text entity-escaped in its tree and its serializer passes any
    entity-like text through unescaped, so data such as "&amp;" would read "&" in the HTML.
    Here every text in the tree becomes literal, and ``serialize`` escapes it once.
    """

    root: ET.Element | None = None

    def run(self, root: ET.Element) -> None:
        for el in root.iter():
            if el.attrib:
                _allowed_attributes(el)
            if el.tag == "a" and not _safe(el.get("href", "")):
                el.tag = "span"
                el.attrib.clear()
            elif el.tag == "code" and el.text and "&" in el.text:
                el.text = _unescape_code(el.text)
        self.root = root


# What an element may carry. ``{: ...}`` (attr_list) lets a library text set any attribute; of
# those only class and id stay: no style (it can load a URL), no event handler, no other link.
# The rest are what Markdown itself writes: a link's target and title, a list's first number,
# a table column's alignment.
_ANY_ELEMENT = frozenset({"class", "id"})
_BY_TAG = {"a": {"href", "title"}, "ol": {"start"}, "th": {"style"}, "td": {"style"}}
_VALUE = {
    "start": re.compile(r"\d{1,9}"),
    "style": re.compile(r"text-align: (left|right|center);"),  # as the tables extension writes
}


def _allowed_attributes(el: ET.Element) -> None:
    allowed = _BY_TAG.get(el.tag, ())
    for key, value in list(el.attrib.items()):
        if key in _ANY_ELEMENT:
            continue
        pattern = _VALUE.get(key)
        if key not in allowed or (pattern is not None and not pattern.fullmatch(str(value))):
            del el.attrib[key]


def _unescape_code(text: str) -> str:
    # The inverse of markdown.util.code_escape.
    return text.replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&")


_VOID = frozenset({"br", "hr", "img", "col", "area", "base", "input", "link", "meta", "wbr"})


# Three replaces (each a fast search that returns the text itself when there is nothing to
# replace) cost a tenth of one str.translate, which builds every text anew character by
# character, the more slowly when the text is not ASCII.
def escape_text(text: str) -> str:
    """Text as XML/HTML character data."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def escape_attr(text: str) -> str:
    """Text as a double-quoted XML/HTML attribute value."""
    return escape_text(text).replace('"', "&quot;")


def serialize(root: ET.Element) -> str:
    """Well-formed XHTML of ``root`` with every text escaped exactly once."""
    out: list[str] = []
    _write(root, out.append)
    return "".join(out)


def _write(el: ET.Element, emit: Callable[[str], None]) -> None:
    # Called for every element of every document: the escapes are written out here, not called.
    tag = el.tag
    attrib = el.attrib
    if not attrib:
        attrs = ""
    elif len(attrib) == 1:
        ((key, value),) = attrib.items()
        attrs = f' {key}="{escape_attr(str(value))}"'
    else:
        attrs = "".join(f' {k}="{escape_attr(str(v))}"' for k, v in sorted(attrib.items()))
    text = el.text
    if not text and tag in _VOID and not len(el):
        emit(f"<{tag}{attrs} />")
    else:
        emit(f"<{tag}{attrs}>")
        if text:
            if "&" in text or "<" in text or ">" in text:
                text = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
            emit(text)
        for child in el:
            _write(child, emit)
        emit(f"</{tag}>")
    tail = el.tail
    if tail:
        if "&" in tail or "<" in tail or ">" in tail:
            tail = tail.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
        emit(tail)


def _no_markup(root: ET.Element) -> str:
    """What Python-Markdown is given to serialise when no XHTML is wanted: its empty document
    (whose tags it strips), in no time; the tree is what is kept."""
    return "<div></div>"


def _safe(href: str) -> bool:
    scheme = urlsplit(href.strip()).scheme.lower()
    return scheme in SAFE_SCHEMES


# Block stages that search a whole block for their syntax with a regular expression, each asked
# about every block, and what any match holds: a block without it (most are plain paragraphs and
# table rows) cannot be theirs, which a substring test tells at C speed. A hash heading's "#"
# (at the start of a line), a quote's ">", a Setext underline's line break and "=" or "-", a
# link reference definition's "]:".
_HASH_HEADER = "#"
_QUOTE = ">"
_SETEXT = ("\n=", "\n-")
_REFERENCE = "]:"


def _skip_blocks_without_their_syntax(processors: markdown.util.Registry) -> None:
    header, quote = processors["hashheader"], processors["quote"]
    setext, reference = processors["setextheader"], processors["reference"]
    header_test, quote_test, setext_test = header.test, quote.test, setext.test
    reference_run = reference.run
    header.test = lambda parent, block: _HASH_HEADER in block and header_test(parent, block)
    quote.test = lambda parent, block: _QUOTE in block and quote_test(parent, block)
    below, dashes = _SETEXT
    setext.test = lambda parent, block: (
        (below in block or dashes in block) and setext_test(parent, block)
    )
    # Its test takes every block; its run searches it, and leaves it as it was without a match.
    reference.run = lambda parent, blocks: _REFERENCE in blocks[0] and reference_run(parent, blocks)


class _BlockLevel(dict):
    """tag -> whether Python-Markdown takes it for a block-level element (``is_block_level``)."""

    MAX_TAGS = 1024  # tags are element names: a handful; never let odd input grow the table

    def __init__(self, blocks: list[str]) -> None:
        super().__init__()
        self.blocks = frozenset(blocks)

    def __missing__(self, tag: object) -> bool:
        found = isinstance(tag, str) and tag.lower().rstrip("/") in self.blocks
        if len(self) < self.MAX_TAGS:
            self[tag] = found
        return found


class Converter:
    """One Python-Markdown instance per process, reset between chunks; chunks are cached."""

    def __init__(self) -> None:
        self.md = markdown.Markdown(
            extensions=[extension() for extension in EXTENSIONS], output_format="xhtml"
        )
        # Characters kamdocs escapes in data (templating.escape_md) that Markdown must unescape.
        for char in "<&=":
            if char not in self.md.ESCAPED_CHARS:
                self.md.ESCAPED_CHARS.append(char)
        for name in [p.name for p in self.md.inlinePatterns._priority]:  # noqa: SLF001
            if name not in INLINE:
                self.md.inlinePatterns.deregister(name)
        self.md.preprocessors.deregister("html_block")
        self.md.postprocessors.deregister("raw_html")
        self.md.serializer = serialize
        if hasattr(InlineProcessor, "_InlineProcessor__applyPattern"):
            self.md.treeprocessors.register(_LinearInline(self.md), "inline", 20)
        self.md.treeprocessors.register(_Atomic(self.md), "kamdocs-atomic", 25)
        self.capture = _Capture(self.md)
        self.md.treeprocessors.register(self.capture, "kamdocs-capture", -100)
        # Python-Markdown asks "is this tag a block?" of a list, dozens of times per element;
        # the extensions have all added their tags by now, so a table of answers, filled on
        # first asking, answers the same without running any Python code.
        self.md.is_block_level = _BlockLevel(self.md.block_level_elements).__getitem__  # type: ignore[method-assign]
        self.md.treeprocessors.register(_Unescape(self.md), "unescape", 0)
        table = self.md.parser.blockprocessors["table"]
        table._split = _split_cells.__get__(table)  # type: ignore[method-assign]  # noqa: SLF001
        _skip_blocks_without_their_syntax(self.md.parser.blockprocessors)
        # attr_list walks every element looking for "{: ...}"; a chunk without "{" has none.
        attr_list = self.md.treeprocessors["attr_list"]
        attr_list_run = attr_list.run
        attr_list.run = lambda doc: attr_list_run(doc) if self._braces else None  # type: ignore[method-assign]
        self._braces = True
        self.cache: OrderedDict[str, tuple[list[ET.Element], str]] = OrderedDict()
        self.cached_chars = 0
        self.seen: OrderedDict[int, None] = OrderedDict()  # hashes of chunks converted once

    def _convert(self, text: str, xhtml: bool = True) -> tuple[list[ET.Element], str]:
        """The chunk's elements and, if ``xhtml``, their XHTML (else "")."""
        self.md.reset()
        self._braces = "{" in text
        # Python-Markdown returns early for a blank text, without running the tree stages: the
        # captured tree must not be the previous chunk's (another proposal's text).
        self.capture.root = None
        self.md.serializer = serialize if xhtml else _no_markup
        html = self.md.convert(text)
        return (list(self.capture.root) if self.capture.root is not None else [], html)

    def _remember(self, text: str, found: tuple[list[ET.Element], str]) -> None:
        self.cache[text] = found
        self.cached_chars += len(text)
        while len(self.cache) > CACHE_SIZE or self.cached_chars > CACHE_CHARS:
            self.cached_chars -= len(self.cache.popitem(last=False)[0])

    def _seen_before(self, text: str) -> bool:
        key = hash(text)
        if key in self.seen:
            del self.seen[key]
            return True
        self.seen[key] = None
        if len(self.seen) > SEEN_SIZE:
            self.seen.popitem(last=False)
        return False

    def convert(self, text: str, xhtml: bool = True) -> tuple[ET.Element, str]:
        """Return the body tree (a ``div``; treat it as read-only) and its XHTML; without
        ``xhtml`` the XHTML of the chunks met for the first time is not written (a DOCX needs
        only the tree), and is missing from the second value.

        Chunks met for the first time (most are this document's own: its client's figures,
        tables and team) are converted together, one Python-Markdown run for each stretch of
        them between cached chunks: a run costs about as much again as its text in fixed
        overhead. Joined, they convert as they would one by one (``_CHUNK_RE``).
        """
        tree = ET.Element("div")
        parts: list[str] = []
        first_met: list[str] = []

        def take(found: tuple[list[ET.Element], str]) -> None:
            tree.extend(found[0])
            if found[1]:
                parts.append(found[1])

        def flush() -> None:
            if first_met:
                take(self._convert("\n\n".join(first_met), xhtml))
                first_met.clear()

        for chunk in _CHUNK_RE.split(text):
            hit = self.cache.get(chunk)
            if hit is not None:
                self.cache.move_to_end(chunk)
                flush()
                take(hit)
            elif len(chunk) <= CACHE_CHUNK and self._seen_before(chunk):
                flush()
                found = self._convert(chunk)
                self._remember(chunk, found)
                take(found)
            else:
                first_met.append(chunk)
        flush()
        return tree, "\n".join(parts)


_CONVERTER: Converter | None = None


def convert(text: str, xhtml: bool = True) -> tuple[ET.Element, str]:
    """Markdown to (tree, XHTML) with the process's converter (``Converter.convert``)."""
    global _CONVERTER
    if _CONVERTER is None:
        _CONVERTER = Converter()
    return _CONVERTER.convert(text, xhtml)


__all__ = ["Converter", "convert"]
