"""The last line of defence: no value from a ``private`` block may leave in any output."""

from __future__ import annotations

import datetime as dt
import html
import re
from collections.abc import Iterator
from functools import lru_cache
from typing import Any

from kamdocs.dossier import Dossier
from kamdocs.errors import Problem
from kamdocs.yamlsrc import Source, format_path

# Shorter values ("yes", "2") are too common to mean a leak.
MIN_LENGTH = 4

_TAG = re.compile(r"<[^>]*>")
_BLOCK_END = re.compile(r"</(w:p|p|li|td|th|tr|h[1-6]|div|title|dc:\w+|cp:\w+|dcterms:\w+)>")


def _values(node: Any, path: tuple) -> Iterator[tuple[tuple, str]]:
    if isinstance(node, dict):
        for key, value in node.items():
            yield from _values(value, (*path, key))
    elif isinstance(node, list):
        for i, value in enumerate(node):
            yield from _values(value, (*path, i))
    elif isinstance(node, dt.date):
        yield path, node.isoformat()
        yield path, f"{node.day:02d}.{node.month:02d}.{node.year}"
    elif node is not None and not isinstance(node, bool):
        text = " ".join(str(node).split())
        if len(text) >= MIN_LENGTH:
            yield path, text


class Guard:
    """Finds private values of one dossier in rendered text (whole words, any letter case)."""

    def __init__(self, dossier: Dossier):
        self.fields: dict[str, tuple] = {}
        for i, member in enumerate(dossier.dmu):
            for path, text in _values(member.private or {}, ("dmu", i, "private")):
                self.fields.setdefault(text.casefold(), path)

    def find(self, text: str) -> tuple | None:
        """The private field whose value occurs in ``text``, if any."""
        if not self.fields:
            return None
        folded = " ".join(text.split()).casefold()
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
        """Search XML/HTML as the reader sees it: tags removed, entities decoded."""
        if not self.fields:
            return None
        return self.find(_visible(markup)) or self.find(markup)


@lru_cache(maxsize=64)
def _visible(markup: str) -> str:
    # Cached: the static parts of a DOCX are the same objects in every document of a batch.
    return html.unescape(_TAG.sub("", _BLOCK_END.sub("\n", markup)))


def leak_problem(source: Source, output: str, field: tuple) -> Problem:
    return source.problem(
        field,
        f"this private value would appear in {output}; "
        "private data must never reach the client (check the templates and texts)",
    )


__all__ = ["Guard", "format_path", "leak_problem"]
