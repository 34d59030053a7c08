"""The one Jinja environment: sandboxed, strict, Markdown-escaping every value it prints."""

from __future__ import annotations

import contextlib
import functools
import hashlib
import inspect
import marshal
import math
import os
import re
import signal
import string
import threading
import time
import traceback
import types
from collections.abc import Callable, Iterable, Iterator, Mapping
from contextvars import ContextVar
from dataclasses import dataclass, fields, is_dataclass
from decimal import Decimal
from functools import update_wrapper
from pathlib import Path
from typing import TYPE_CHECKING, Any

import jinja2
from jinja2 import StrictUndefined, nodes, pass_context
from jinja2.compiler import CodeGenerator, Frame, optimizeconst
from jinja2.loaders import split_template_path
from jinja2.sandbox import (
    MAX_RANGE,
    ImmutableSandboxedEnvironment,
    SandboxedEnvironment,
    SecurityError,
    safe_range,
)
from jinja2.utils import Namespace, generate_lorem_ipsum

from kamdocs.cachedir import (  # noqa: F401 - the cache folder, also as templating.*
    _CACHE_OFF,
    CACHE_ENV,
    _code_cache,
    _private,
    _read_private,
    _store,
)
from kamdocs.errors import Problem

if TYPE_CHECKING:
    from kamdocs.library import Library

# Bounds on what one render of a template (or of one library text) may build. A template is
# written by marketing and runs on every dossier; none of these comes near a real proposal.
MAX_STRING = 2_000_000  # characters in one value a template builds or prints (> any dossier value)
MAX_OUTPUT = 8_000_000  # characters one render writes (and the most one filter or call returns)
MAX_STEPS = 1_000_000  # loop rounds, calls and filters in one render
MAX_SECONDS = 5.0  # CPU seconds of one render (a 1 MiB dossier takes well under one)
# Address space one render may add to the process: the operating system refuses more, whatever
# code asks for it (a real proposal needs a few MiB).
MAX_MEMORY = 512 * 1024 * 1024
MAX_EXPONENT = 1000
MAX_INT_BITS = 256  # integers from * and ** (10**77 is more than any proposal counts)
# Characters the Markdown renderer must take literally when they come from data. Python-Markdown
# unescapes a backslash before any of these ("<", "&" and "=" are added to its list in markup.py).
# Some only matter where a line starts (lists, quotes, setext headings); a value may always end up
# at the start of a line, so those are escaped at the start of every value.
_ALWAYS = "`*_{}[]<#|&"  # and the backslash, escaped first (``_backslashed``)
_LEADING_RE = re.compile(r"^(>|[-+=](?=\s|$|[-=]))|^(\d+)([.)])(?=\s|$)")
_SPACE_RE = re.compile(r"[ \t\n\r\f\v]+")  # not NBSP: Babel puts it in numbers


class Md(str):
    """Markdown that is trusted (written by marketing in the library): printed as it is."""

    __slots__ = ()


ESCAPE_CACHE_CHARS = 256  # the texts printed again and again (names, labels) are short


def escape_md(value: Any) -> Md:
    """Any value as Markdown that reads back as the same literal text, on one line."""
    if isinstance(value, Md):
        return value
    text = str(value)
    if len(text) <= ESCAPE_CACHE_CHARS:
        return _escape_short(text)
    return _escape(text)


def _escape(text: str) -> Md:
    text = _backslashed(_SPACE_RE.sub(" ", text).strip())
    return Md(_LEADING_RE.sub(_escape_leading, text, count=1))


def _backslashed(text: str) -> str:
    """A backslash before every backslash and every character of ``_ALWAYS``.

    One search and, where found, one replace per character: a tenth of the time of a
    ``str.translate``, which rebuilds the text character by character (slowest when it is
    Cyrillic), and the same text.
    """
    text = text.replace("\\", "\\\\")
    for char in _ALWAYS:
        if char in text:
            text = text.replace(char, "\\" + char)
    return text


_escape_short = functools.lru_cache(maxsize=4096)(_escape)


def _escape_leading(match: re.Match[str]) -> str:
    if match.group(1):
        return "\\" + match.group(1)
    return match.group(2) + "\\" + match.group(3)


def _finalize(value: Any) -> Any:
    if value is None:
        return ""
    if isinstance(value, Md):
        return value
    if not isinstance(value, str):
        _check_size(value, MAX_STRING, "printing that value")
    return escape_md(value)


# --- limits: what one render may cost ------------------------------------------------------------


class TemplateLimit(SecurityError):
    """Raised when a template goes over a limit of time, loop rounds or size."""


@dataclass
class _Budget:
    deadline: float
    steps: int = 0
    output: int = 0
    expired: bool = False  # set by the CPU timer (``_held``)


_BUDGET: ContextVar[_Budget | None] = ContextVar("kamdocs_template_budget", default=None)


@contextlib.contextmanager
def _budget() -> Iterator[_Budget]:
    """One render's allowance of CPU time, steps and output (CPU time: load is no error).

    The step counter and the size checks stop a runaway template where it is, with its line.
    Under them the operating system holds the render to its budget whatever runs: a CPU-time
    timer and a limit of the address space (``_held``).
    """
    outer = _BUDGET.get() is None
    budget = _Budget(time.thread_time() + MAX_SECONDS)
    token = _BUDGET.set(budget)
    try:
        with _held() if outer else contextlib.nullcontext():
            yield budget
    finally:
        _BUDGET.reset(token)


def _out_of_time(signum: int, frame: Any) -> None:
    budget = _BUDGET.get()
    if budget is None:
        return  # the handler left in place between renders (``_held``): no render to stop
    budget.expired = True  # the next step raises too, should this raise be swallowed
    raise TemplateLimit(f"rendering took more than {MAX_SECONDS:g} s of CPU time")


@contextlib.contextmanager
def _held() -> Iterator[None]:
    """The render's budget as the operating system enforces it, for as long as it runs.

    A profiling timer (the process's CPU time) raises ``TemplateLimit`` half a second after the
    step counter would have, for work the counter does not see (a C function calling back into
    Python); set only in the main thread, where Python runs signal handlers. The address space
    may grow by ``MAX_MEMORY``: past it every allocation fails (``MemoryError``, reported as
    the limit). Both are put back as they were once the render ends. The timer's handler stays
    when it took the place of the default one (which ends the process: no other code counts on
    it), and does nothing outside a render; another's handler is put back after every render.
    """
    undo: list[Callable[[], Any]] = []
    try:
        import resource  # noqa: PLC0415 - POSIX only

        soft, hard = resource.getrlimit(resource.RLIMIT_AS)
        used = _recent_address_space()
        if used:
            limit = used + MAX_MEMORY
            if hard != resource.RLIM_INFINITY:
                limit = min(limit, hard)
            if soft == resource.RLIM_INFINITY or limit < soft:
                resource.setrlimit(resource.RLIMIT_AS, (limit, hard))
                undo.append(lambda: resource.setrlimit(resource.RLIMIT_AS, (soft, hard)))
    except (ImportError, ValueError, OSError):
        pass  # no address-space limit here: the size checks remain
    if threading.current_thread() is threading.main_thread() and hasattr(signal, "setitimer"):
        # Ours stays once it replaced the default handler (nobody else's), so that a render does
        # not pay for putting it in and back (~25 us each); another's (a profiler's, also one
        # set after ours) is put back after every render.
        if _handler(signal.SIGPROF) is not _out_of_time:
            previous = signal.signal(signal.SIGPROF, _out_of_time)
            if previous != signal.SIG_DFL:
                undo.append(lambda: signal.signal(signal.SIGPROF, previous))
        # Again every quarter second: a raise in a finaliser or a garbage collector's callback
        # is only printed, and the render would go on.
        signal.setitimer(signal.ITIMER_PROF, MAX_SECONDS + 0.5, 0.25)
        undo.append(lambda: signal.setitimer(signal.ITIMER_PROF, 0))
    try:
        yield
    finally:
        for step in reversed(undo):
            step()


# Read at every render in the middle of a build, the address space (a file of /proc) and the
# SIGPROF handler (``signal.getsignal`` first tries a handler as a value of its enum, and fails)
# cost some 35 and 25 us: more than rendering a short library text, of which a proposal renders a
# few. The handler is read as the C module holds it; the address space once for a few renders.
try:
    from _signal import getsignal as _handler  # CPython's, under signal.getsignal
except ImportError:  # pragma: no cover - another Python
    _handler = signal.getsignal
SPACE_RENDERS = 32  # renders that are given the limit from one reading of the address space


class _Space:
    """The last reading of the address space: in which process, how much, for how many more."""

    pid = 0
    used = 0
    left = 0


def _recent_address_space() -> int:
    """The address space as read at most ``SPACE_RENDERS`` renders ago in this process. Between
    two readings a build's process moves by a few megabytes (its memory is flat), against the
    ``MAX_MEMORY`` a render may add: the limit stays where it would be within a hundredth."""
    pid = os.getpid()
    if _Space.pid != pid or _Space.left <= 0:
        _Space.pid, _Space.used, _Space.left = pid, _address_space(), SPACE_RENDERS
    _Space.left -= 1
    return _Space.used


def _address_space() -> int:
    """Bytes of address space this process has now (0 where that cannot be read). Read with
    one ``os.read``: every template render asks, and a file object costs it twice as much."""
    try:
        fd = os.open("/proc/self/statm", os.O_RDONLY)
        try:
            pages = int(os.read(fd, 256).split()[0])
        finally:
            os.close(fd)
        return pages * os.sysconf("SC_PAGE_SIZE")
    except (OSError, ValueError, IndexError):
        return 0


def _step() -> None:
    """Count one loop round, call or filter; look at the clock now and then (it costs ~1 µs)."""
    budget = _BUDGET.get()
    if budget is None:
        return
    budget.steps += 1
    if budget.expired:
        raise TemplateLimit(f"rendering took more than {MAX_SECONDS:g} s of CPU time")
    if budget.steps > MAX_STEPS:
        raise TemplateLimit(
            f"more than {MAX_STEPS:,} loop rounds and calls in one render; is a loop running away?"
        )
    if not budget.steps & 15 and time.thread_time() > budget.deadline:
        raise TemplateLimit(f"rendering took more than {MAX_SECONDS:g} s of CPU time")


def _size(value: Any, limit: int = MAX_STRING) -> int:
    """About how many characters ``str(value)`` makes (at least); counting stops past ``limit``.

    Containers count every item, so a list holding one long text many times counts as long as
    its ``str()``, which is what printing or joining it would build.
    """
    total = 0
    todo = [value]
    while todo:
        item = todo.pop()
        if isinstance(item, str | bytes | bytearray):
            total += len(item)
        elif isinstance(item, bool) or item is None:
            total += 5
        elif isinstance(item, int):
            total += item.bit_length() * 30103 // 100000 + 2
        elif isinstance(item, float):
            finite = math.isfinite(item) and abs(item) >= 1
            total += int(math.log10(abs(item))) + 32 if finite else 32
        elif isinstance(item, Decimal):
            exact = item.is_finite()
            total += abs(item.adjusted()) + len(item.as_tuple().digits) + 8 if exact else 8
        elif isinstance(item, range):
            digits = len(str(max(abs(item.start), abs(item.stop))))
            total += len(item) * (digits + 2) + 16
        elif isinstance(item, Mapping):
            total += 2 + 4 * len(item)
            if total <= limit:
                todo.extend(item.keys())
                todo.extend(item.values())
        elif isinstance(item, list | tuple | set | frozenset):
            total += 2 + 2 * len(item)
            if total <= limit:
                todo.extend(item)
        elif isinstance(item, Namespace):
            todo.append(object.__getattribute__(item, "_Namespace__attrs"))
        elif is_dataclass(item) and not isinstance(item, type):
            total += len(type(item).__name__) + 2
            for f in fields(item):
                total += len(f.name) + 3
                todo.append(getattr(item, f.name))
        else:
            total += 32
        if total > limit:
            return total
    return total


def _check_size(value: Any, limit: int, what: str) -> None:
    _check_estimate(_size(value, limit), what, limit)


def _check_estimate(estimate: int, what: str, limit: int = MAX_STRING) -> None:
    if estimate > limit:
        raise TemplateLimit(f"{what} would build more than {limit:,} characters")


def _small_int(value: Any, what: str) -> int:
    """An int used as a width or count, refused when it alone would make a huge value."""
    if isinstance(value, int) and not isinstance(value, bool) and abs(value) > MAX_STRING:
        raise TemplateLimit(f"{what}: {value:,} is too large")
    return value if isinstance(value, int) else 0


_PRINTF = re.compile(r"%(?:\(([^)]*)\))?[-#0 +]*(\*|\d+)?(?:\.(\*|\d+))?[hlL]?(.)", re.DOTALL)


def _printf_size(fmt: str, args: Any) -> int:
    """At most how many characters ``fmt % args`` makes."""
    mapping = args if isinstance(args, Mapping) else None
    positional = list(args) if isinstance(args, tuple) else [] if mapping is not None else [args]
    total, i = len(fmt), 0
    for match in _PRINTF.finditer(fmt):
        key, width, precision, conversion = match.groups()
        if conversion == "%":
            continue
        if "*" in (width, precision):
            raise TemplateLimit("a '*' width in a % format is not allowed; write the number")
        pads = [len(p) > 9 and MAX_STRING + 1 or int(p) for p in (width, precision) if p]
        if key is not None and mapping is not None:
            value = mapping.get(key)
        elif i < len(positional):
            value, i = positional[i], i + 1
        else:
            value = None
        total += max(pads, default=0) + _size(value)
        if total > MAX_STRING:
            break
    return total


_FORMATTER = string.Formatter()
_FIELD_FIRST = re.compile(r"[^.\[]*")


def _format_size(fmt: str, args: tuple[Any, ...], kwargs: Any) -> int:
    """At most how many characters ``fmt.format(*args, **kwargs)`` makes."""
    total, auto = 0, 0
    try:
        parsed = list(_FORMATTER.parse(fmt))
    except ValueError:
        return len(fmt)  # str.format raises the same error itself
    for literal, field, spec, _ in parsed:
        total += len(literal)
        if field is None:
            continue
        if spec and "{" in spec:
            raise TemplateLimit("nested {} inside a format field is not allowed; write the width")
        pads = [len(p) > 9 and MAX_STRING + 1 or int(p) for p in re.findall(r"\d+", spec or "")]
        first = _FIELD_FIRST.match(field).group()  # type: ignore[union-attr]
        value: Any = None
        if not first:
            value = args[auto] if auto < len(args) else None
            auto += 1
        elif first.isdigit():
            value = args[int(first)] if int(first) < len(args) else None
        elif isinstance(kwargs, Mapping):
            value = kwargs.get(first)
        total += max(max(pads, default=0), _size(value))
        if total > MAX_STRING:
            break
    return total


# Filters that never turn their input into one string (they count, pick, sort or regroup it).
_NOT_STRINGIFYING = frozenset(
    {
        "attr", "batch", "count", "d", "default", "dictsort", "first", "groupby", "items",
        "last", "length", "list", "map", "max", "min", "reject", "rejectattr", "reverse",
        "select", "selectattr", "slice", "sort", "sum", "unique",
    }
)  # fmt: skip


def _filter_estimate(name: str, a: dict[str, Any]) -> int:
    """At most how many characters filter ``name`` makes from its bound arguments ``a``."""
    text = next(iter(a.values()), None)  # what the filter is applied to
    size = _size(text)
    if name == "center":
        return max(size, _small_int(a.get("width"), "center width"))
    if name == "indent":
        width = a.get("width")
        unit = len(width) if isinstance(width, str) else _small_int(width, "indent width")
        lines = text.count("\n") + 1 if isinstance(text, str) else size
        return size + lines * unit
    if name == "replace":
        old, new, count = str(a.get("old")), str(a.get("new")), a.get("count")
        if not isinstance(text, str):
            return size * max(len(new), 1)
        times = count if isinstance(count, int) else text.count(old) if old else len(text) + 1
        return size + _small_int(times, "replace count") * len(new)
    if name == "wordwrap":
        return size + (size + 1) * len(str(a.get("wrapstring") or "\n"))
    if name == "format":
        args = a.get("kwargs") or a.get("args") or ()
        return _printf_size(str(text), args)
    if name == "slice":
        return _small_int(a.get("slices"), "slice count")
    return size


_PASSED = frozenset({"environment", "eval_ctx", "context"})  # what Jinja passes a filter itself

# Filters that only read their input item by item (and the kinds of input they are counted on).
_ITERATING = frozenset(
    {
        "list", "sort", "unique", "map", "select", "reject", "selectattr", "rejectattr",
        "max", "min", "sum", "batch", "slice", "groupby",
    }
)  # fmt: skip
_ITERATED = (str, list, tuple, set, frozenset, range, Iterator)


# Filters whose output size depends on their arguments, not only on their input.
_ESTIMATED = frozenset({"center", "indent", "replace", "wordwrap", "format", "slice", "join"})


def _guard_filter(name: str, func: Callable[..., Any]) -> Callable[..., Any]:
    """``func`` counted as a step, refused before it builds a huge value, checked after."""
    signature = inspect.signature(func) if name in _ESTIMATED else None  # of the wrapped function
    params = list(signature.parameters) if signature else []
    # Jinja passes the context (or environment) first when the filter asks for it; an async
    # variant asks for it although the function it wraps does not take it.
    passes_own = getattr(func, "jinja_pass_arg", None) is not None
    skip = 1 if passes_own and (not params or params[0] not in _PASSED) else 0
    stringifies = name not in _NOT_STRINGIFYING
    iterates = name in _ITERATING

    def guarded(*args: Any, **kwargs: Any) -> Any:
        _step()
        if signature is not None:
            try:
                bound = signature.bind(*args[skip:], **kwargs)
            except TypeError:
                bound = None  # the filter raises the same error itself
            if bound is not None:
                bound.apply_defaults()
                a = {k: v for k, v in bound.arguments.items() if k not in _PASSED}
                if name == "join":
                    items = list(a["value"])
                    estimate = sum(_size(i) for i in items) + len(str(a["d"])) * len(items)
                    _check_estimate(estimate, "join")
                    bound.arguments["value"] = items
                    args, kwargs = (*args[:skip], *bound.args), bound.kwargs
                else:
                    _check_estimate(_filter_estimate(name, a), f"the filter {name}")
        elif stringifies and len(args) > skip:
            value = args[skip]
            size = len(value) if isinstance(value, str) else _size(value)
            _check_estimate(size, f"the filter {name}")
        if iterates and len(args) > skip and isinstance(args[skip], _ITERATED):
            # Each item the filter reads is a step, also when C code reads them (list, sort).
            args = (*args[:skip], _Guarded(args[skip]), *args[skip + 1 :])
        if name == "sum":
            _check_sum(args[skip + 2] if len(args) > skip + 2 else kwargs.get("start", 0))
        result = func(*args, **kwargs)
        if isinstance(result, Iterator):
            # A lazy result (batch, map, select, unique, ...) runs later, inside whatever
            # consumes it, perhaps C code (list, max, join): each item it makes is a step.
            return _Guarded(result)
        size = len(result) if isinstance(result, str) else _size(result, MAX_OUTPUT)
        _check_estimate(size, f"the filter {name}", MAX_OUTPUT)
        return result

    return update_wrapper(guarded, func)


def _check_sum(start: Any) -> None:
    """``sum`` adds numbers: lists or texts summed are copied once per item, in one C call
    whose time grows with the square of their number (``[[0]] * 100000``)."""
    if not isinstance(start, int | float | Decimal) or isinstance(start, bool):
        raise TemplateLimit("the filter sum adds numbers only; join texts with join")


def _range(*args: int) -> range:
    try:
        return safe_range(*args)
    except OverflowError:
        raise TemplateLimit(f"range() of more than {MAX_RANGE:,} numbers") from None


def _lipsum(n: int = 5, html: bool = True, min: int = 20, max: int = 100) -> str:  # noqa: A002
    if n * max > 100_000:
        raise TemplateLimit("lipsum is limited to 100,000 words")
    return generate_lorem_ipsum(n, html, min, max)


_BUILTIN_CALLABLE = types.BuiltinMethodType | types.BuiltinFunctionType
# Methods of lists, dicts and sets that make them grow (checked after the call).
_MUTATORS = frozenset({"append", "extend", "insert", "update", "setdefault", "add"})


def _check_call(func: Any, args: tuple[Any, ...], kwargs: dict[str, Any]) -> tuple[Any, ...]:
    """Refuse a call of a built-in method that would build a huge value; return the args to use."""
    if not isinstance(func, _BUILTIN_CALLABLE):
        return args
    owner, name = getattr(func, "__self__", None), getattr(func, "__name__", "")
    if name == "join" and isinstance(owner, str | bytes | bytearray) and args:
        items = list(args[0])
        _check_estimate(sum(_size(i) for i in items) + len(owner) * len(items), "join")
        return (items, *args[1:])
    if not isinstance(owner, str | bytes | bytearray | int):
        return args
    for value in (*args, *kwargs.values()):  # widths, lengths, counts
        _small_int(value, f"{name} argument")
    if isinstance(owner, int):
        return args
    values = [*args, *kwargs.values()]
    if name == "expandtabs":
        tab = values[0] if values else 8
        tabs = owner.count("\t" if isinstance(owner, str) else b"\t")
        _check_estimate(len(owner) + tabs * _small_int(tab, "tab size"), name)
    elif name == "replace" and len(values) >= 2:
        old, new = values[0], values[1]
        count = values[2] if len(values) > 2 and isinstance(values[2], int) else -1
        with contextlib.suppress(TypeError):
            times = count if count >= 0 else owner.count(old) if old else len(owner) + 1
            _check_estimate(len(owner) + times * len(new), name)
    elif name == "translate" and values and isinstance(values[0], Mapping):
        longest = max((_size(v) for v in values[0].values()), default=1)
        _check_estimate(len(owner) * max(longest, 1), name)
    elif name in ("ljust", "rjust", "center", "zfill") and values:
        _check_estimate(max(len(owner), _small_int(values[0], "width")), name)
    return args


_SEQUENCES = (str, bytes, bytearray, list, tuple)  # what * repeats and + joins


def _check_power(left: Any, right: Any) -> None:
    if isinstance(right, int) and abs(right) > MAX_EXPONENT:
        raise TemplateLimit(f"exponent {right} is too large")
    ints = isinstance(left, int) and isinstance(right, int)
    if ints and abs(left) > 1 and right > 0 and (abs(left).bit_length() - 1) * right > MAX_INT_BITS:
        raise TemplateLimit("that power would build a huge number")


def _check_product(left: Any, right: Any) -> None:
    for seq, times in ((left, right), (right, left)):
        if isinstance(seq, _SEQUENCES) and isinstance(times, int) and times > 1:
            _check_estimate(_size(seq) * times, "that multiplication")
    ints = isinstance(left, int) and isinstance(right, int)
    if ints and abs(left).bit_length() + abs(right).bit_length() > MAX_INT_BITS + 1:
        raise TemplateLimit("that multiplication would build a huge number")


class _Guarded:
    """An iterable a template loops over, counting every round against the render's budget."""

    __slots__ = ("_items",)

    def __init__(self, items: Iterable[Any]):
        self._items = items

    def __iter__(self) -> Iterator[Any]:
        for item in self._items:
            _step()
            yield item

    def __len__(self) -> int:  # loop.length without a second pass; TypeError when unsized
        return len(self._items)  # type: ignore[arg-type]

    def __bool__(self) -> bool:  # what ``if value`` asks (Jinja's map and select do)
        try:
            return bool(len(self._items))  # type: ignore[arg-type]
        except TypeError:
            return True  # a generator, which is true as well


class _CodeGenerator(CodeGenerator):
    """Jinja's compiler, with every loop counted and every ``~`` bounded."""

    def visit_Template(self, node: nodes.Template, frame: Frame | None = None) -> None:
        for loop in list(node.find_all(nodes.For)):
            loop.iter = nodes.Call(
                nodes.EnvironmentAttribute("guard_loop", lineno=loop.iter.lineno),
                [loop.iter],
                [],
                None,
                None,
                lineno=loop.iter.lineno,
            )
        super().visit_Template(node, frame)

    @optimizeconst
    def visit_Concat(self, node: nodes.Concat, frame: Frame) -> None:
        if frame.eval_ctx.volatile:
            join = "(markup_join if context.eval_ctx.volatile else str_join)"
        elif frame.eval_ctx.autoescape:
            join = "markup_join"
        else:
            join = "str_join"
        self.write(f"environment.join_values({join}, (")
        for arg in node.nodes:
            self.visit(arg, frame)
            self.write(", ")
        self.write("))")


class _Template(jinja2.Template):
    """A template whose every render has its own budget of time, steps and output, and sees
    nothing an earlier render left behind."""

    def render(self, *args: Any, **kwargs: Any) -> str:
        with _budget():
            return super().render(*args, **kwargs)

    def _get_default_module(self, ctx: Any = None) -> Any:
        """The module ``{% import %}`` gives, made afresh each time. Jinja keeps the first one
        made and hands it to every later render: a namespace set in it by one proposal would be
        read by the next."""
        if ctx is not None:
            keys = ctx.globals_keys - self.globals.keys()
            if keys:
                return self.make_module({k: ctx.parent[k] for k in keys})
        return self.make_module()


# Field names of the record types templates have read, by type (namedtuple field names cannot
# start with an underscore, so none of them is an internal attribute).
_RECORD_FIELDS: dict[type, frozenset[str]] = {}


class _Sandbox(ImmutableSandboxedEnvironment):
    """Jinja's immutable sandbox, also bounding what tiny input can make a render build or spend.

    Jinja's own sandbox stops attribute tricks (``__class__``, ``__globals__``, …) and ranges over
    100,000 items; the immutable one also refuses every method that changes a list, dict or set
    (``append``, ``update``, ``pop``, …), so no render can change what it is given, and a value
    shared by every proposal (the wording ``t``) stays as the library has it. On top: a CPU-time
    and step budget per render (every loop round, call and filter counts), and a size check
    wherever a value can grow — operators, ``~``, filters, method calls, ``format``, printing and
    the output itself — before the value is built.
    """

    intercepted_binops = frozenset(["*", "**", "+", "%"])
    code_generator_class = _CodeGenerator
    template_class = _Template

    def compile(  # type: ignore[override]
        self,
        source: str | nodes.Template,
        name: str | None = None,
        filename: str | None = None,
        raw: bool = False,
        defer_init: bool = False,
    ) -> Any:
        """Jinja's compile, with the result kept in the code cache across runs (``_code_cache``)."""
        if raw or defer_init or not isinstance(source, str):
            return super().compile(source, name, filename, raw, defer_init)
        folder = _code_cache()
        if folder is None:
            return super().compile(source, name, filename)
        key = _code_key(source, name, filename)
        path = folder / key[:2] / key
        data = _read_private(path)
        try:
            cached = marshal.loads(data) if data is not None else None
            if isinstance(cached, types.CodeType):
                return cached
        except (ValueError, EOFError, TypeError):
            pass  # not cached yet, unreadable or not trusted: compile it
        code = super().compile(source, name, filename)
        _store(path, marshal.dumps(code))
        return code

    def getattr(self, obj: Any, attribute: str) -> Any:
        """A field of a record (a NamedTuple, as the template context is made of) is plain data:
        read it directly. Anything else goes through the sandbox's checks."""
        fields = _RECORD_FIELDS.get(type(obj))
        if fields is None and isinstance(obj, tuple):
            fields = _RECORD_FIELDS[type(obj)] = frozenset(getattr(type(obj), "_fields", ()))
        if fields and attribute in fields:
            return getattr(obj, attribute)
        return super().getattr(obj, attribute)

    def call_binop(self, context: Any, operator: str, left: Any, right: Any) -> Any:
        _step()
        if operator == "**":
            _check_power(left, right)
        elif operator == "*":
            _check_product(left, right)
        elif operator == "+" and isinstance(left, _SEQUENCES):
            _check_estimate(_size(left) + _size(right), "that concatenation")
        elif operator == "%" and isinstance(left, str):
            _check_estimate(_printf_size(left, right), "that % format")
        return super().call_binop(context, operator, left, right)

    def call(
        __self,  # noqa: N805 - Jinja's own spelling, so no keyword argument of a call can clash
        __context: Any,
        __obj: Any,
        *args: Any,
        **kwargs: Any,
    ) -> Any:
        _step()
        args = _check_call(__obj, args, kwargs)
        result = super().call(__context, __obj, *args, **kwargs)
        _check_size(result, MAX_OUTPUT, "that call")
        if getattr(__obj, "__name__", "") in _MUTATORS and isinstance(__obj, _BUILTIN_CALLABLE):
            _check_size(getattr(__obj, "__self__", None), MAX_STRING, "growing that value")
        return result

    def wrap_str_format(self, value: Any) -> Callable[..., str] | None:
        if not isinstance(value, _BUILTIN_CALLABLE):  # the common case, on every attribute
            return None
        wrapper = super().wrap_str_format(value)
        if wrapper is None:
            return None
        fmt, is_map = value.__self__, value.__name__ == "format_map"

        def bounded(*args: Any, **kwargs: Any) -> str:
            if is_map:
                _check_estimate(_format_size(fmt, (), args[0] if args else {}), "format_map")
            else:
                _check_estimate(_format_size(fmt, args, kwargs), "format")
            return wrapper(*args, **kwargs)

        return update_wrapper(bounded, value)

    def concat(self, parts: Iterable[str]) -> str:  # type: ignore[override]
        """Join the pieces of a render, stopping once it writes more than ``MAX_OUTPUT``."""
        budget = _BUDGET.get()
        if budget is None:
            return "".join(parts)
        out: list[str] = []
        append = out.append
        for part in parts:
            budget.output += len(part)
            if budget.output > MAX_OUTPUT:
                error = TemplateLimit(f"the text would be longer than {MAX_OUTPUT:,} characters")
                if isinstance(parts, types.GeneratorType):
                    parts.throw(error)  # raised where the template is, for its line number
                raise error
            append(part)
        return "".join(out)

    def join_values(self, join: Callable[[Iterable[Any]], str], parts: tuple[Any, ...]) -> str:
        """``a ~ b``, refused before it builds a huge text."""
        _check_estimate(sum(_size(p) for p in parts), "that ~ concatenation")
        return join(parts)

    def guard_loop(self, items: Iterable[Any]) -> _Guarded:
        """What a ``{% for %}`` loops over, counted round by round."""
        return _Guarded(items)


# --- the code cache: each template and library text is compiled once per machine, not per run ----
#
# Compiling Jinja source to Python code costs more than a whole proposal's rendering; a single
# ``kamdocs render`` compiles the content template and every library text with template code.
# The code is kept in the user's cache folder, keyed by everything that shapes it: the source, its
# name and file name, this module (the environment's settings and its code generator), Jinja's
# version and Python's bytecode format. ``KAMDOCS_CACHE_DIR`` moves it; set to ``off`` (or empty)
# it turns the cache off. Cached code runs outside the sandbox, so the cache is used only where
# nobody else can write it: the folders are created private to the user (0700), and a folder or
# entry owned by someone else or writable by group or others is not used. An unreadable or
# unwritable folder only means compiling as before. The folder and its rules: kamdocs.cachedir.


@functools.cache
def _code_salt() -> bytes:
    from importlib.util import MAGIC_NUMBER  # noqa: PLC0415 - only when the cache is used

    own = hashlib.sha256(Path(__file__).read_bytes()).digest()
    return b"\0".join([own, jinja2.__version__.encode(), MAGIC_NUMBER])


def _code_key(source: str, name: str | None, filename: str | None) -> str:
    digest = hashlib.sha256(_code_salt())
    for part in (name or "", filename or "", source):
        digest.update(b"\0" + part.encode("utf-8", "surrogatepass"))
    return digest.hexdigest()


class _FolderLoader(jinja2.FileSystemLoader):
    """Templates from one folder and nothing else: a link leading out of it is no template.

    Jinja's loader already refuses ``..`` and absolute names; a link inside the folder to a file
    elsewhere (``notes.txt -> ../kamdocs.yaml``) it would follow. The real path is checked before
    anything is read, so a link to a device or a pipe is never opened either.
    """

    def __init__(self, root: Path):
        super().__init__(str(root))
        self.real = root.resolve()

    def get_source(
        self, environment: jinja2.Environment, template: str
    ) -> tuple[str, str, Callable[[], bool]]:
        path = Path(self.searchpath[0], *split_template_path(template))
        try:
            real = path.resolve(strict=True)
        except (OSError, RuntimeError):  # missing, or a loop of links
            raise jinja2.TemplateNotFound(template) from None
        if not real.is_relative_to(self.real) or not real.is_file():
            raise jinja2.TemplateNotFound(template)
        return super().get_source(environment, template)


_ENVIRONMENTS: dict[tuple[Path | None, Path | None], SandboxedEnvironment] = {}


def environment(root: Path | None = None) -> SandboxedEnvironment:
    """The environment for templates under ``root`` (one per folder and process)."""
    # A relative folder is another folder once the current folder changes.
    key = (root, Path.cwd() if root is not None and not root.is_absolute() else None)
    env = _ENVIRONMENTS.get(key)
    if env is None:
        env = _Sandbox(
            loader=_FolderLoader(root) if root else None,
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
            date=_with_lang(formatting.printed_date),  # no-break spaces: no line ends inside
            money=_with_lang(formatting.money),
            number=_with_lang(formatting.number),
            percent=_with_lang(formatting.percent),
            mailto=mailto,
            tel=tel,
        )
        env.filters = {name: _guard_filter(name, f) for name, f in env.filters.items()}
        env.globals.update(lipsum=_lipsum, range=_range)
        _ENVIRONMENTS[key] = env
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


def library_template(library: Library, owner: str, field: str, text: str) -> jinja2.Template:
    """The template of one library text with template code, compiled once per library.

    Loading the library compiles each (to report syntax errors with their lines); rendering
    then finds it here, in every worker of a batch too (they inherit the loaded library).
    """
    key = (owner, field, text)
    template = library.compiled.get(key)
    if template is None:
        template = library.compiled[key] = compile_text(text, library_text_name(library, owner))
    return template


def library_text_name(library: Library, owner: str) -> str:
    """The template name of a library text: its file and owner, ``arguments/x.yaml#roi``."""
    origin = library.origins.get(owner)
    return f"{origin.path if origin else 'library'}#{owner}"


class TemplateFailure(Exception):
    """Raised inside rendering; carries the template name and line where it went wrong."""

    def __init__(self, name: str, line: int, message: str):
        super().__init__(message)
        self.name, self.line, self.message = name, line, message


# Tags that open a block closed by ``end<tag>`` (``set`` only without ``=``: ``{% set x %}``).
_BLOCK_TAGS = frozenset({"if", "for", "macro", "call", "filter", "with", "block", "autoescape"})


def syntax_line(exc: jinja2.TemplateSyntaxError) -> int:
    """The line to report a syntax error at: for a block left open, the line that opens it.

    Jinja finds an unclosed ``{% if %}`` only at the end of the template and says so there;
    the tag that was never closed is found again by reading the template's tags.
    """
    source = getattr(exc, "source", None)
    if not source or not (exc.message or "").startswith("Unexpected end of template"):
        return exc.lineno
    open_tags: list[tuple[str, int]] = []
    tag: tuple[str, int] | None = None  # a set tag waiting for its "=" or its end
    expecting_tag = False
    try:
        for line, kind, value in environment().lex(source):
            if kind == "block_begin":
                expecting_tag, tag = True, None
            elif kind == "name" and expecting_tag:
                expecting_tag = False
                if value in _BLOCK_TAGS:
                    open_tags.append((value, line))
                elif value == "set":
                    tag = ("set", line)
                elif value.startswith("end"):
                    for i in range(len(open_tags) - 1, -1, -1):
                        if open_tags[i][0] == value[3:]:
                            del open_tags[i:]
                            break
            elif kind == "operator" and value == "=" and tag is not None:
                tag = None
            elif kind == "block_end":
                if tag is not None:
                    open_tags.append(tag)
                expecting_tag, tag = False, None
    except jinja2.TemplateSyntaxError:
        return exc.lineno
    return open_tags[-1][1] if open_tags else exc.lineno


def describe(exc: Exception, default_name: str) -> TemplateFailure:
    """Turn any exception raised while rendering a template into a located failure."""
    if isinstance(exc, jinja2.TemplateSyntaxError):
        return TemplateFailure(
            exc.filename or exc.name or default_name,
            syntax_line(exc),
            f"template syntax error: {exc.message}",
        )
    name, line = default_name, 1
    for frame in reversed(traceback.extract_tb(exc.__traceback__)):
        if frame.filename and (frame.filename.endswith(".j2") or "#" in frame.filename):
            name, line = frame.filename, frame.lineno or 1
            break
    if isinstance(exc, jinja2.UndefinedError):
        message = f"template uses something that does not exist: {exc.message}"
    elif isinstance(exc, TemplateLimit):
        message = f"template went over a limit: {exc}"
    elif isinstance(exc, jinja2.sandbox.SecurityError):
        message = f"template is not allowed to do that: {exc}"
    elif isinstance(exc, RecursionError):
        message = "template recurses too deeply"
    elif isinstance(exc, MemoryError):
        message = f"template went over a limit: it would need more than {MAX_MEMORY >> 20} MiB"
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
                    library_template(library, arg_id, field, text)
                except jinja2.TemplateSyntaxError as exc:
                    key_line = origin.line_of(field, lang) if lang != "*" else origin.line_of(field)
                    path = f"[{arg_id}].{field}" + (f".{lang}" if lang != "*" else "")
                    problems.append(
                        Problem(
                            origin.path,
                            key_line + (syntax_line(exc) or 1) - 1,
                            path,
                            f"template syntax error: {exc.message}",
                        )
                    )
    return problems
