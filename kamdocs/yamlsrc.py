"""Read YAML files into plain data while remembering the line of every key and item."""

from __future__ import annotations

import datetime as dt
import hashlib
import os
import re
import stat
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

import yaml

from kamdocs.errors import InputError, Problem

try:  # libyaml is ten times faster and still gives marks for line numbers
    from yaml import CSafeLoader as _SafeLoader
except ImportError:  # pragma: no cover - depends on how PyYAML was built
    from yaml import SafeLoader as _SafeLoader  # type: ignore[assignment]

# The implicit tags a plain scalar may have, in the order the safe loader tries them, by its
# first character ("" for an empty scalar): the resolvers for that character, then those for
# any character (PyYAML's safe loader has none of these).
_ANY_FIRST = tuple(_SafeLoader.yaml_implicit_resolvers.get(None, ()))
_IMPLICIT = {
    first: (*resolvers, *_ANY_FIRST)
    for first, resolvers in _SafeLoader.yaml_implicit_resolvers.items()
    if first is not None
}
_STR = _SafeLoader.DEFAULT_SCALAR_TAG  # a scalar no resolver takes, and a quoted one


class _Loader(_SafeLoader):  # type: ignore[misc,valid-type]
    """The safe loader, resolving a scalar's tag as it does with less work (libyaml asks for
    each of the few hundred keys and values of a dossier); it resolves nothing by path."""

    def resolve(self, kind: type, value: str, implicit: tuple[bool, bool]) -> str:
        if kind is not yaml.ScalarNode or self.yaml_path_resolvers:
            return super().resolve(kind, value, implicit)
        if implicit[0]:
            for tag, regexp in _IMPLICIT.get(value[:1], _ANY_FIRST):
                if regexp.match(value):
                    return tag
        return _STR


MAX_BYTES = 1024 * 1024
MAX_NODES = 100_000
MAX_DEPTH = 40

FieldPath = tuple[str | int, ...]

_TAG = "tag:yaml.org,2002:"
_CONSTRUCTOR = yaml.constructor.SafeConstructor()
# Control characters (C0 but tab and line breaks, DEL, C1 such as NEL), the Unicode line and
# paragraph separators and the non-characters: a document cannot show them, and some readers
# take them as line breaks, so one format would show a line the others do not.
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u2028\u2029\ufffe\uffff]")
# YAML 1.1 reads 0700123456 as an octal number, 20:30 as 1230 (base 60), 0x1F as 31 and 0b11 as 3:
# a phone number, a time or a name would silently become another number. They are kept as written:
# a text field keeps them, a number field refuses them (write a plain number).
_YAML11_ONLY_INT = re.compile(
    r"^[-+]?(?:0[0-9_]+|[0-9][0-9_]*(?::[0-5]?[0-9])+|0[xX][0-9a-fA-F_]+|0[bB][01_]+|.*_.*)$"
)
# The byte order marks of UTF-16 and UTF-32, longest first (UTF-32 LE starts like UTF-16 LE).
_BOMS = (
    (b"\x00\x00\xfe\xff", "UTF-32"),
    (b"\xff\xfe\x00\x00", "UTF-32"),
    (b"\xfe\xff", "UTF-16"),
    (b"\xff\xfe", "UTF-16"),
)
# What would split a one-line message: line breaks (also those str.splitlines() honours) and
# other control characters.
_UNPRINTABLE = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029]")


def printable(text: str) -> str:
    """``text`` fit for a one-line message: line breaks and control characters as escapes."""
    return _UNPRINTABLE.sub(lambda m: repr(m.group())[1:-1], text)


class Number(int):
    """A whole number read from YAML, with its text as written (``+35921234567``): a text field
    keeps what the user wrote, a number field the number."""

    yaml_text: str

    def __new__(cls, value: int, text: str) -> Number:
        self = super().__new__(cls, value)
        self.yaml_text = text
        return self


class Fraction(Decimal):
    """A decimal number read from YAML, with its text as written (``1.50``, ``+1.0``)."""

    yaml_text: str

    def __new__(cls, value: Decimal, text: str) -> Fraction:
        self = super().__new__(cls, value)
        self.yaml_text = text
        return self


class _Unreadable:
    """A value YAML could not read (an impossible date, an unsupported tag), already reported.

    Validation goes on past it, so that the file's other problems are reported too; the problems
    a schema would find in it are left out (see ``Source.bad``)."""

    def __repr__(self) -> str:
        return "<unreadable>"


UNREADABLE = _Unreadable()


def is_private(path: FieldPath) -> bool:
    """Whether ``path`` is in a DMU member's ``private`` block, whose values no message shows."""
    return len(path) >= 3 and path[0] == "dmu" and path[2] == "private"


def format_path(path: FieldPath) -> str:
    """``("dmu", 1, "persona")`` -> ``dmu[1].persona``."""
    out = ""
    for part in path:
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            out += f".{printable(part)}" if out else printable(str(part))
    return out


@dataclass
class Source:
    """Plain data read from one YAML file, with the line (1-based) of every key and item."""

    path: str
    data: Any
    lines: dict[FieldPath, int] = field(default_factory=dict)
    sha256: str = ""  # of the bytes parsed, where they were bytes
    # Problems found while reading (``parse(..., keep_going=True)``), and the values they make
    # unreadable: validation reports the rest of the file and nothing more about those values.
    problems: list[Problem] = field(default_factory=list)
    bad: set[FieldPath] = field(default_factory=set)
    # The text of every scalar YAML read as something else than a string (true, 16, 2026-01-01):
    # messages about a value of the wrong type show it as written.
    written: dict[FieldPath, str] = field(default_factory=dict)

    def is_bad(self, path: FieldPath) -> bool:
        """Whether ``path`` is, or is inside, a value already reported as unreadable."""
        return any(tuple(path[:n]) in self.bad for n in range(len(path) + 1))

    def line(self, path: FieldPath) -> int:
        """The line of ``path``, or of its nearest located ancestor."""
        path = tuple(path)
        while path:
            if path in self.lines:
                return self.lines[path]
            path = path[:-1]
        return self.lines.get((), 1)

    def problem(self, path: FieldPath, message: str) -> Problem:
        return Problem(self.path, self.line(path), format_path(path), message)


class _Builder:
    """Turns a composed node graph into data, refusing what a dossier has no use for."""

    def __init__(self, source: Source):
        self.source = source
        self.problems: list[Problem] = []
        self.nodes = 0
        self.built: set[int] = set()  # ids of the nodes built: a node built again is an alias
        self.alias_at: FieldPath | None = None  # where the outermost alias being expanded is used

    def fail(self, node: yaml.Node, path: FieldPath, message: str, bad: bool = False) -> None:
        self.problems.append(
            Problem(self.source.path, node.start_mark.line + 1, format_path(path), message)
        )
        if bad:
            self.source.bad.add(path)

    def build(self, node: yaml.Node, path: FieldPath, depth: int = 0) -> Any:
        self.nodes += 1
        if self.nodes > MAX_NODES:
            raise _TooBig(
                self.alias_at or path, f"more than {MAX_NODES:,} values (are aliases expanding it?)"
            )
        if depth > MAX_DEPTH:
            # Named by its top-level key: the path of a runaway nesting is itself runaway.
            raise _TooBig(self.alias_at or path, f"nested deeper than {MAX_DEPTH} levels", top=True)
        if self.alias_at is None and id(node) in self.built:
            self.alias_at = path
            try:
                return self._build(node, path, depth)
            finally:
                self.alias_at = None
        self.built.add(id(node))
        return self._build(node, path, depth)

    def _build(self, node: yaml.Node, path: FieldPath, depth: int) -> Any:
        self.source.lines.setdefault(path, node.start_mark.line + 1)
        if isinstance(node, yaml.MappingNode):
            return self.mapping(node, path, depth)
        if isinstance(node, yaml.SequenceNode):
            if node.tag != _TAG + "seq":
                self.fail(node, path, f"unsupported YAML tag {_tag_name(node.tag)}", bad=True)
                return UNREADABLE
            return [self.build(item, (*path, i), depth + 1) for i, item in enumerate(node.value)]
        return self.scalar(node, path)

    def mapping(self, node: yaml.MappingNode, path: FieldPath, depth: int) -> dict[str, Any] | None:
        if node.tag != _TAG + "map":
            self.fail(node, path, f"unsupported YAML tag {_tag_name(node.tag)}", bad=True)
            return UNREADABLE
        out: dict[str, Any] = {}
        for key_node, value_node in node.value:
            if not isinstance(key_node, yaml.ScalarNode):
                self.fail(key_node, path, "a key must be a plain word, not a list or mapping")
                continue
            if key_node.tag == _TAG + "merge":
                self.fail(key_node, path, "merge keys (<<) are not supported; write the keys out")
                continue
            key = key_node.value
            child = (*path, key)
            if key in out:
                first = self.source.lines.get(child, 0)
                self.fail(key_node, child, f"key written twice (first on line {first})")
                continue
            self.source.lines[child] = key_node.start_mark.line + 1
            out[key] = self.build(value_node, child, depth + 1)
        return out

    def scalar(self, node: yaml.ScalarNode, path: FieldPath) -> Any:
        tag = node.tag.removeprefix(_TAG)
        text = node.value
        if tag == "str":
            bad = _CONTROL.search(text)
            if bad:
                self.fail(
                    node,
                    path,
                    f"contains the control character U+{ord(bad.group()):04X}, "
                    "which documents cannot hold; remove it",
                )
            return text
        if tag in ("null", "bool", "int", "float", "timestamp"):
            self.source.written[path] = text
        if tag == "null":
            return None
        if tag == "bool":
            return _CONSTRUCTOR.construct_yaml_bool(node)
        if tag == "int":
            if _YAML11_ONLY_INT.match(text):
                return text
            try:
                return Number(_CONSTRUCTOR.construct_yaml_int(node), text)
            except ValueError:
                return text
        if tag == "float":
            # Exact decimals: 0.1 stays one tenth, never a binary float.
            try:
                value = Decimal(text)
            except InvalidOperation:
                return text
            return Fraction(value, text) if value.is_finite() else text
        if tag == "timestamp":
            try:
                value = _CONSTRUCTOR.construct_yaml_timestamp(node)
            except ValueError as exc:
                # A private value is never shown, not even in a message (CI logs are read by many).
                message = f"not a real date ({exc})"
                if not is_private(path):
                    message = f"{text!r} is {message}"
                self.fail(node, path, message, bad=True)
                return UNREADABLE
            if isinstance(value, dt.datetime) and value.time() == dt.time(0) and not value.tzinfo:
                return value.date()
            return value
        self.fail(node, path, f"unsupported YAML tag {_tag_name(node.tag)}", bad=True)
        return UNREADABLE


def _tag_name(tag: str) -> str:
    """``tag:yaml.org,2002:python/name`` -> ``!!python/name``, as it was written."""
    return "!!" + tag.removeprefix(_TAG) if tag.startswith(_TAG) else tag


class _TooBig(Exception):
    """Raised while building when the input grows past a limit; located where it did."""

    def __init__(self, path: FieldPath, message: str, top: bool = False):
        super().__init__(message)
        # Located at the innermost key on ``path`` (where an alias is expanded, ``path`` ends where
        # it is used; an expanded node's own line is the anchor's, often far away), so the line
        # and the field agree. Deeper than that, the path of a runaway value is itself runaway.
        keys = [i for i, part in enumerate(path) if isinstance(part, str)]
        self.path = path[: keys[-1] + 1] if keys else path[:1]
        self.field = format_path(path[:1] if top else self.path)
        self.message = message


def _reader_line(text: str, exc: yaml.YAMLError) -> int:
    """The line of a reader error, which carries an offset rather than a mark."""
    position = getattr(exc, "position", None)
    if not isinstance(position, int):
        return 1
    # libyaml counts bytes of the UTF-8 text; the pure-Python reader counts characters.
    data: str | bytes = text.encode("utf-8") if _SafeLoader.__name__ == "CSafeLoader" else text
    return data[:position].count("\n" if isinstance(data, str) else b"\n") + 1


def _decode(path: str, raw: bytes) -> str:
    for bom, encoding in _BOMS:
        if raw.startswith(bom):
            raise InputError(
                [
                    Problem(
                        path,
                        1,
                        "",
                        f"saved as {encoding} (it starts with a {encoding} byte order "
                        "mark); save the file as UTF-8",
                    )
                ]
            )
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        raise InputError(
            [
                Problem(
                    path,
                    line,
                    "",
                    f"not UTF-8 text (byte 0x{raw[exc.start]:02x}); save the file as UTF-8",
                )
            ]
        ) from None
    return text.removeprefix("\ufeff")


def read_bytes(path: Path | str, display: str | None = None, limit: int = MAX_BYTES) -> bytes:
    """Read a whole input file, refusing ones too big to be a hand-written document."""
    display = display or str(path)
    try:
        # Opened without blocking and checked before reading: a FIFO or a device named as a
        # dossier would otherwise wait (or read) forever.
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0))
        with open(fd, "rb") as fh:
            if not stat.S_ISREG(os.fstat(fh.fileno()).st_mode):
                raise InputError(
                    [Problem(display, 1, "", "not a regular file; is this a dossier?")]
                )
            raw = fh.read(limit + 1)
    except OSError as exc:
        raise InputError([Problem(display, 1, "", f"cannot read: {exc.strerror}")]) from None
    if len(raw) > limit:
        raise InputError(
            [Problem(display, 1, "", f"larger than {limit // 1024} KiB; is this a dossier?")]
        )
    return raw


def parse(
    raw: bytes | str, path: str, *, allow_empty: bool = False, keep_going: bool = False
) -> Source:
    """Parse one YAML document from ``raw``; raise ``InputError`` with every problem found.

    An empty file (nothing but comments, or an empty document ``---`` / ``...``) is an error, or
    data ``None`` with ``allow_empty``. With ``keep_going``, problems in values (an impossible
    date, a key written twice, a control character) do not raise: they are in
    ``Source.problems``, the values they make unreadable in ``Source.bad``, and the caller
    validates the rest.
    """
    if isinstance(raw, bytes):
        text, digest = _decode(path, raw), hashlib.sha256(raw).hexdigest()
    else:
        text, digest = raw, ""
    source = Source(path, None, sha256=digest)
    try:
        node = yaml.compose(text, Loader=_Loader)
    except yaml.composer.ComposerError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark else 1
        if "document" in str(exc.problem) and "alias" not in str(exc.problem):
            message = "holds several YAML documents (a line with ---); keep one per file"
        else:
            message = f"YAML error: {exc.problem}"
        raise InputError([Problem(path, line, "", message)]) from None
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark else 1
        column = f" (column {mark.column + 1})" if mark else ""
        message = f"YAML syntax error: {exc.problem}{column}"
        tabbed = _tab_indented(text, exc.problem_mark)
        if tabbed:
            line, message = tabbed, "tab used for indentation; use spaces"
        raise InputError([Problem(path, line, "", message)]) from None
    except yaml.YAMLError as exc:  # reader errors: characters YAML does not allow
        line = _reader_line(text, exc)
        if isinstance(exc, yaml.reader.ReaderError) and isinstance(exc.character, int):
            message = f"contains the character U+{exc.character:04X} ({exc.reason}); remove it"
        else:
            message = f"YAML error: {exc}".splitlines()[0]
        raise InputError([Problem(path, line, "", message)]) from None
    if node is None or _empty_document(node):
        if allow_empty:
            return source
        raise InputError([Problem(path, 1, "", "the file is empty")])
    builder = _Builder(source)
    try:
        source.data = builder.build(node, ())
    except _TooBig as exc:
        line = source.lines.get(exc.path, 1)
        problem = Problem(path, line, exc.field, f"too large: {exc.message}")
        raise InputError([problem]) from None
    except RecursionError:
        raise InputError([Problem(path, 1, "", "too deeply nested")]) from None
    if builder.problems and not keep_going:
        raise InputError(builder.problems)
    source.problems = builder.problems
    return source


def _tab_indented(text: str, mark: yaml.Mark | None) -> int | None:
    """The line (1-based) of the tab-indented line YAML stopped at, or just before, if any."""
    if mark is None:
        return None
    lines = text.splitlines()
    for number in (mark.line, mark.line - 1):
        if 0 <= number < len(lines):
            indent = lines[number][: len(lines[number]) - len(lines[number].lstrip(" \t"))]
            if "\t" in indent:
                return number + 1
    return None


def _empty_document(node: yaml.Node) -> bool:
    """``---`` and ``...`` with nothing between: a document that holds no value at all."""
    return (
        isinstance(node, yaml.ScalarNode)
        and node.tag == _TAG + "null"
        and node.value == ""
        and not node.style
    )


def load(
    path: Path | str,
    display: str | None = None,
    *,
    allow_empty: bool = False,
    keep_going: bool = False,
) -> Source:
    """Read and parse one YAML file (see ``parse``)."""
    display = display or str(path)
    return parse(read_bytes(path, display), display, allow_empty=allow_empty, keep_going=keep_going)
