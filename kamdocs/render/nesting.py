"""How deep Markdown nests: checked before Python-Markdown, which recurses once per level."""

from __future__ import annotations

import re

# Lists and quotes inside each other: Python-Markdown parses each level by recursion, and past
# about 250 levels it fails with a RecursionError. No proposal nests more than a few.
MAX_NESTING = 16
_NEST_MARKER = re.compile(r"(?:>|[-*+](?=[ \t]|$)|\d{1,9}[.)](?=[ \t]|$))[ \t]*")


def nesting(text: str) -> tuple[int, int]:
    """How deep lists, quotes and indented blocks nest in Markdown ``text``, and the first line
    (from 1) that deep. Each four columns of indentation, each ``>`` and each list marker at a
    line's start count one level: at least as many as Python-Markdown makes of them."""
    deepest, where = 0, 1
    for number, line in enumerate(text.split("\n"), 1):
        if "\t" in line:
            line = line.expandtabs(4)
        rest = line.lstrip(" ")
        depth = (len(line) - len(rest)) // 4
        pos = 0
        while (marker := _NEST_MARKER.match(rest, pos)) is not None and marker.end() > pos:
            depth += 1
            pos = marker.end()
        if depth > deepest:
            deepest, where = depth, number
    return deepest, where
