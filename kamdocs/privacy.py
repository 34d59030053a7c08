"""The last line of defence: no value from a ``private`` block may leave in any output."""

from __future__ import annotations

import datetime as dt
import html
import re
from collections.abc import Iterator
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
    """Finds private values of one dossier in rendered text."""

    def __init__(self, dossier: Dossier):
        self.fields: dict[str, tuple] = {}
        for i, member in enumerate(dossier.dmu):
            for path, text in _values(member.private or {}, ("dmu", i, "private")):
                self.fields.setdefault(text.casefold(), path)
        words = sorted(self.fields, key=len, reverse=True)
        self.pattern = (
            re.compile(
                r"(?<!\w)(" + "|".join(re.escape(w) for w in words) + r")(?!\w)", re.IGNORECASE
            )
            if words
            else None
        )

    def find(self, text: str) -> tuple | None:
        """The private field whose value occurs in ``text``, if any."""
        if self.pattern is None:
            return None
        found = self.pattern.search(" ".join(text.split()))
        return self.fields[found.group(1).casefold()] if found else None

    def scan_markup(self, markup: str) -> tuple | None:
        """Search XML/HTML as the reader sees it: tags removed, entities decoded."""
        if self.pattern is None:
            return None
        text = html.unescape(_TAG.sub("", _BLOCK_END.sub("\n", markup)))
        return self.find(text) or self.find(markup)


def leak_problem(source: Source, output: str, field: tuple) -> Problem:
    return source.problem(
        field,
        f"this private value would appear in {output}; "
        "private data must never reach the client (check the templates and texts)",
    )


__all__ = ["Guard", "format_path", "leak_problem"]
