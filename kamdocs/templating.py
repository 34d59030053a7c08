"""The one Jinja environment: sandboxed, strict, Markdown-escaping every value it prints."""

from __future__ import annotations

import re
import traceback
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

import jinja2
from jinja2 import StrictUndefined, pass_context
from jinja2.sandbox import SandboxedEnvironment

from kamdocs.errors import Problem

if TYPE_CHECKING:
    from kamdocs.library import Library

MAX_STRING = 1_000_000
MAX_EXPONENT = 1000

# Characters the Markdown renderer must take literally when they come from data. Python-Markdown
# unescapes a backslash before any of these ("<", "&" and "=" are added to its list in markup.py).
# Some only matter where a line starts (lists, quotes, setext headings); a value may always end up
# at the start of a line, so those are escaped at the start of every value.
_ALWAYS_RE = re.compile(r"([\\`*_{}\[\]<#|&])")
_LEADING_RE = re.compile(r"^(>|[-+=](?=\s|$|[-=]))|^(\d+)([.)])(?=\s|$)")
_SPACE_RE = re.compile(r"[ \t\n\r\f\v]+")  # not NBSP: Babel puts it in numbers


class Md(str):
    """Markdown that is trusted (written by marketing in the library): printed as it is."""

    __slots__ = ()


def escape_md(value: Any) -> Md:
    """Any value as Markdown that reads back as the same literal text, on one line."""
    if isinstance(value, Md):
        return value
    text = _ALWAYS_RE.sub(r"\\\1", _SPACE_RE.sub(" ", str(value)).strip())
    return Md(_LEADING_RE.sub(_escape_leading, text, count=1))


def _escape_leading(match: re.Match[str]) -> str:
    if match.group(1):
        return "\\" + match.group(1)
    return match.group(2) + "\\" + match.group(3)


def _finalize(value: Any) -> Any:
    if value is None:
        return ""
    if isinstance(value, Md):
        return value
    return escape_md(value)


class _Sandbox(SandboxedEnvironment):
    """Jinja's sandbox, also bounding the operators that can build huge values from tiny input."""

    intercepted_binops = frozenset(["*", "**", "+"])

    def call_binop(self, context: Any, operator: str, left: Any, right: Any) -> Any:
        if operator == "**" and isinstance(right, int) and abs(right) > MAX_EXPONENT:
            raise jinja2.sandbox.SecurityError(f"exponent {right} is too large")
        if operator == "*":
            size = _sequence_size(left, right) or _sequence_size(right, left)
            if size > MAX_STRING:
                raise jinja2.sandbox.SecurityError("that multiplication would build a huge value")
        if operator == "+" and isinstance(left, str | list) and len(left) + len(right) > MAX_STRING:
            raise jinja2.sandbox.SecurityError("that concatenation would build a huge value")
        return super().call_binop(context, operator, left, right)


def _sequence_size(seq: Any, times: Any) -> int:
    if isinstance(seq, str | list | tuple) and isinstance(times, int):
        return len(seq) * times
    return 0


_ENVIRONMENTS: dict[Path | None, SandboxedEnvironment] = {}


def environment(root: Path | None = None) -> SandboxedEnvironment:
    """The environment for templates under ``root`` (one per folder and process)."""
    env = _ENVIRONMENTS.get(root)
    if env is None:
        env = _Sandbox(
            loader=jinja2.FileSystemLoader(str(root)) if root else None,
            undefined=StrictUndefined,
            finalize=_finalize,
            autoescape=False,  # Markdown output: values are escaped for Markdown by _finalize
            trim_blocks=True,
            lstrip_blocks=True,
            keep_trailing_newline=True,
            auto_reload=False,
        )
        from kamdocs import formatting  # noqa: PLC0415 - Babel loads only when rendering

        env.filters.update(
            md=escape_md,
            date=_with_lang(formatting.date),
            money=_with_lang(formatting.money),
            number=_with_lang(formatting.number),
            percent=_with_lang(formatting.percent),
            mailto=mailto,
            tel=tel,
        )
        _ENVIRONMENTS[root] = env
    return env


def _with_lang(func: Callable[..., str]) -> Callable[..., str]:
    @pass_context
    def filter_(context: Any, value: Any, *args: Any) -> str:
        return func(value, context["lang"], *args)

    filter_.__name__ = func.__name__
    return filter_


def mailto(email: Any) -> Md:
    """An email address as a working Markdown link."""
    text = escape_md(email)
    return Md(f"[{text}](mailto:{text})")


def tel(phone: Any) -> Md:
    """A phone number as a Markdown ``tel:`` link (digits and a leading + only in the target)."""
    target = re.sub(r"[^0-9+]", "", str(phone))
    text = escape_md(phone)
    return Md(f"[{text}](tel:{target})") if target else text


def compile_text(source: str, name: str) -> jinja2.Template:
    """Compile a library text (argument, reference) as a template named for its origin."""
    env = environment()
    code = env.compile(source, name=name, filename=name)
    return env.template_class.from_code(env, code, env.make_globals(None), None)


class TemplateFailure(Exception):
    """Raised inside rendering; carries the template name and line where it went wrong."""

    def __init__(self, name: str, line: int, message: str):
        super().__init__(message)
        self.name, self.line, self.message = name, line, message


def describe(exc: Exception, default_name: str) -> TemplateFailure:
    """Turn any exception raised while rendering a template into a located failure."""
    if isinstance(exc, jinja2.TemplateSyntaxError):
        return TemplateFailure(
            exc.filename or exc.name or default_name,
            exc.lineno,
            f"template syntax error: {exc.message}",
        )
    name, line = default_name, 1
    for frame in reversed(traceback.extract_tb(exc.__traceback__)):
        if frame.filename and (frame.filename.endswith(".j2") or "#" in frame.filename):
            name, line = frame.filename, frame.lineno or 1
            break
    if isinstance(exc, jinja2.UndefinedError):
        message = f"template uses something that does not exist: {exc.message}"
    elif isinstance(exc, jinja2.sandbox.SecurityError):
        message = f"template is not allowed to do that: {exc}"
    elif isinstance(exc, RecursionError):
        message = "template recurses too deeply"
    else:
        message = f"template failed: {type(exc).__name__}: {exc}"
    return TemplateFailure(name, line, message)


def check_library_templates(library: Library) -> list[Problem]:
    """Compile every library text that may hold template code; report syntax errors with lines."""
    problems = []
    for arg_id, arg in library.arguments.items():
        origin = library.origins[arg_id]
        for field in ("title", "text", "detail"):
            texts = getattr(arg, field) or {}
            for lang, text in texts.items():
                if "{" not in text:
                    continue
                try:
                    compile_text(text, f"{origin.path}#{arg_id}")
                except jinja2.TemplateSyntaxError as exc:
                    key_line = origin.line_of(field, lang) if lang != "*" else origin.line_of(field)
                    path = f"[{arg_id}].{field}" + (f".{lang}" if lang != "*" else "")
                    problems.append(
                        Problem(
                            origin.path,
                            key_line + (exc.lineno or 1) - 1,
                            path,
                            f"template syntax error: {exc.message}",
                        )
                    )
    return problems
