"""The last line of defence: no value from a ``private`` block may leave in any output."""

from __future__ import annotations

import datetime as dt
import html
import re
from collections.abc import Callable, Iterator
from functools import lru_cache
from typing import Any

from kamdocs import formatting
from kamdocs.dossier import Dossier
from kamdocs.errors import Problem
from kamdocs.yamlsrc import Source, format_path

# Shorter values ("yes", "2") are too common to mean a leak.
MIN_LENGTH = 4
CACHE_LIMIT = 262_144  # characters of a markup text worth remembering its visible text

_TAG = re.compile(r"<[^>]*>")
# Attribute values, double- or single-quoted: the only data a tag carries.
_ATTR_VALUES = (re.compile(r'=\s*"([^"]*)"'), re.compile(r"=\s*'([^']*)'"))
_BLOCK_END = re.compile(r"</(w:p|p|li|td|th|tr|h[1-6]|div|title|dc:\w+|cp:\w+|dcterms:\w+)>")


DATE_FORMS = ("short", "medium", "long", "full")


def _values(node: Any, path: tuple, langs: tuple[str, ...]) -> Iterator[tuple[tuple, str]]:
    if isinstance(node, dict):
        for key, value in node.items():
            yield from _values(value, (*path, key), langs)
    elif isinstance(node, list):
        for i, value in enumerate(node):
            yield from _values(value, (*path, i), langs)
    elif isinstance(node, dt.date):
        yield path, node.isoformat()
        yield path, f"{node.day:02d}.{node.month:02d}.{node.year}"
        # Every way a proposal could print it: a date filter in a template, in any form.
        for lang in langs:
            for form in DATE_FORMS:
                yield path, formatting.date(node, lang, form)
    elif node is not None and not isinstance(node, bool):
        text = " ".join(str(node).split())
        if len(text) >= MIN_LENGTH:
            yield path, text


class Guard:
    """Finds private values of one dossier in rendered text (whole words, any letter case).

    ``langs`` are the languages whose date forms (as the ``date`` filter prints them, short to
    full) a private date is also looked for in: the proposal's own.
    """

    def __init__(self, dossier: Dossier, langs: tuple[str, ...] = ("en",)):
        self.fields: dict[str, tuple] = {}
        for i, member in enumerate(dossier.dmu):
            for path, text in _values(member.private or {}, ("dmu", i, "private"), langs):
                self.fields.setdefault(_fold(text), path)

    def find(self, text: str) -> tuple | None:
        """The private field whose value occurs in ``text``, if any."""
        if not self.fields:
            return None
        folded = _folded(text)
        for value, field in self.fields.items():
            start = folded.find(value)
            while start != -1:
                end = start + len(value)
                before = folded[start - 1] if start else " "
                after = folded[end] if end < len(folded) else " "
                if not (before.isalnum() or before == "_" or after.isalnum() or after == "_"):
                    return field
                start = folded.find(value, start + 1)
        return None

    def scan_markup(self, markup: str) -> tuple | None:
        """Search XML/HTML as the reader sees it (tags removed, entities decoded); then with every
        tag a word break (runs a reader sees joined may end a word) and in attribute values."""
        if not self.fields:
            return None
        return self.find(_visible(markup)) or self.find(_separated(markup))


def _when_repeated(func: Callable[[str], str]) -> Callable[[str], str]:
    """``func`` with its result kept for texts seen before, and only for those.

    The static parts of a DOCX (and the stylesheet in every HTML page) are the same text in
    every document of a batch; a proposal's own body is seen once and is never kept, nor is a
    text over ``CACHE_LIMIT`` characters.
    """
    cached = lru_cache(maxsize=64)(func)
    seen: dict[int, None] = {}

    def wrapper(text: str) -> str:
        if len(text) > CACHE_LIMIT:
            return func(text)
        key = hash(text)
        if key in seen:
            return cached(text)
        seen[key] = None
        if len(seen) > 1024:
            del seen[next(iter(seen))]
        return func(text)

    return wrapper


@_when_repeated
def _visible(markup: str) -> str:
    return html.unescape(_TAG.sub("", _BLOCK_END.sub("\n", markup)))


@_when_repeated
def _separated(markup: str) -> str:
    # The texts between tags, each on its own line, then every distinct attribute value once (a
    # DOCX part repeats a few dozen style ids thousands of times): what the markup carries as
    # data, without the names of its tags and attributes.
    values = dict.fromkeys(v for pattern in _ATTR_VALUES for v in pattern.findall(markup))
    return html.unescape(_TAG.sub("\n", markup) + "\n" + "\n".join(values))


def _fold(text: str) -> str:
    """Whitespace runs as one space, any letter case: how values and outputs are compared."""
    return " ".join(text.split()).casefold()


_folded = _when_repeated(_fold)


def leak_problem(source: Source, output: str, field: tuple) -> Problem:
    return source.problem(
        field,
        f"this private value would appear in {output}; "
        "private data must never reach the client (check the templates and texts)",
    )


__all__ = ["Guard", "format_path", "leak_problem"]
