"""Read YAML files into plain data while remembering the line of every key and item."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

import yaml

from kamdocs.errors import InputError, Problem

try:  # libyaml is ten times faster and still gives marks for line numbers
    from yaml import CSafeLoader as _Loader
except ImportError:  # pragma: no cover - depends on how PyYAML was built
    from yaml import SafeLoader as _Loader  # type: ignore[assignment]

MAX_BYTES = 1024 * 1024
MAX_NODES = 100_000
MAX_DEPTH = 40

FieldPath = tuple[str | int, ...]

_TAG = "tag:yaml.org,2002:"
_CONSTRUCTOR = yaml.constructor.SafeConstructor()
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ufffe\uffff]")


def format_path(path: FieldPath) -> str:
    """``("dmu", 1, "persona")`` -> ``dmu[1].persona``."""
    out = ""
    for part in path:
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            out += f".{part}" if out else str(part)
    return out


@dataclass
class Source:
    """Plain data read from one YAML file, with the line (1-based) of every key and item."""

    path: str
    data: Any
    lines: dict[FieldPath, int] = field(default_factory=dict)

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

    def fail(self, node: yaml.Node, path: FieldPath, message: str) -> None:
        self.problems.append(
            Problem(self.source.path, node.start_mark.line + 1, format_path(path), message)
        )

    def build(self, node: yaml.Node, path: FieldPath, depth: int = 0) -> Any:
        self.nodes += 1
        if self.nodes > MAX_NODES:
            raise _TooBig(f"more than {MAX_NODES:,} values (are aliases expanding it?)")
        if depth > MAX_DEPTH:
            raise _TooBig(f"nested deeper than {MAX_DEPTH} levels")
        self.source.lines.setdefault(path, node.start_mark.line + 1)
        if isinstance(node, yaml.MappingNode):
            return self.mapping(node, path, depth)
        if isinstance(node, yaml.SequenceNode):
            if node.tag != _TAG + "seq":
                self.fail(node, path, f"unsupported YAML tag {node.tag}")
                return None
            return [self.build(item, (*path, i), depth + 1) for i, item in enumerate(node.value)]
        return self.scalar(node, path)

    def mapping(self, node: yaml.MappingNode, path: FieldPath, depth: int) -> dict[str, Any] | None:
        if node.tag != _TAG + "map":
            self.fail(node, path, f"unsupported YAML tag {node.tag}")
            return None
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
        if tag == "null":
            return None
        if tag == "bool":
            return _CONSTRUCTOR.construct_yaml_bool(node)
        if tag == "int":
            try:
                return _CONSTRUCTOR.construct_yaml_int(node)
            except ValueError:
                return text
        if tag == "float":
            # Exact decimals: 0.1 stays one tenth, never a binary float.
            try:
                value = Decimal(text.replace("_", ""))
            except InvalidOperation:
                return text
            return value if value.is_finite() else text
        if tag == "timestamp":
            try:
                value = _CONSTRUCTOR.construct_yaml_timestamp(node)
            except ValueError as exc:
                self.fail(node, path, f"{text!r} is not a real date ({exc})")
                return None
            if isinstance(value, dt.datetime) and value.time() == dt.time(0) and not value.tzinfo:
                return value.date()
            return value
        self.fail(node, path, f"unsupported YAML tag !!{tag}" if node.tag.startswith(_TAG)
                  else f"unsupported YAML tag {node.tag}")
        return None


class _TooBig(Exception):
    pass


def _decode(path: str, raw: bytes) -> str:
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        raise InputError(
            [Problem(path, line, "", f"not UTF-8 text (byte 0x{raw[exc.start]:02x}); save the file as UTF-8")]
        ) from None
    return text.removeprefix("\ufeff")


def read_bytes(path: Path | str, display: str | None = None, limit: int = MAX_BYTES) -> bytes:
    """Read a whole input file, refusing ones too big to be a hand-written document."""
    display = display or str(path)
    try:
        with open(path, "rb") as fh:
            raw = fh.read(limit + 1)
    except OSError as exc:
        raise InputError([Problem(display, 1, "", f"cannot read: {exc.strerror}")]) from None
    if len(raw) > limit:
        raise InputError([Problem(display, 1, "", f"larger than {limit // 1024} KiB; is this a dossier?")])
    return raw


def parse(raw: bytes | str, path: str) -> Source:
    """Parse one YAML document from ``raw``; raise ``InputError`` with every problem found."""
    text = _decode(path, raw) if isinstance(raw, bytes) else raw
    source = Source(path, None)
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
        raise InputError([Problem(path, line, "", f"YAML syntax error: {exc.problem}{column}")]) from None
    except yaml.YAMLError as exc:  # reader errors: characters YAML does not allow
        line = getattr(getattr(exc, "problem_mark", None), "line", 0) + 1
        raise InputError([Problem(path, line, "", f"YAML error: {exc}".splitlines()[0])]) from None
    if node is None:
        raise InputError([Problem(path, 1, "", "the file is empty")])
    builder = _Builder(source)
    try:
        source.data = builder.build(node, ())
    except _TooBig as exc:
        raise InputError([Problem(path, node.start_mark.line + 1, "", f"too large: {exc}")]) from None
    except RecursionError:
        raise InputError([Problem(path, 1, "", "too deeply nested")]) from None
    if builder.problems:
        raise InputError(builder.problems)
    return source


def load(path: Path | str, display: str | None = None) -> Source:
    """Read and parse one YAML file."""
    display = display or str(path)
    return parse(read_bytes(path, display), display)
