"""The functions Python writes as text while a module is imported, compiled once per machine.

``dataclasses`` writes each dataclass's ``__init__``, ``__repr__``, ``__eq__`` (and, frozen,
``__setattr__``, ``__delattr__``, ``__hash__``) as source text and compiles it with ``exec``;
``collections.namedtuple`` (and with it ``typing.NamedTuple``) compiles its ``__new__`` with
``eval``; ``typing`` compiles each annotation written as a string (a field of a ``NamedTuple``
in a module with ``from __future__ import annotations``) with ``compile``. A render defines
some 25 dataclasses and 30 named tuples (kamdocs' own and the libraries'): compiling their 130
small functions and 150 annotations took 17-20 ms of a fresh command, five sixths of what
making those classes costs. So the code each text compiles to is kept in the cache folder
(``kamdocs.cachedir``: the compiled templates' folders and trust rules, as this too is code
that runs) and handed to ``exec`` or ``eval`` on the next start in place of the text: Python's
compiler makes the same code of the same text with the same flags.

Only texts compiled while a module is imported are kept: a class's fields and defaults, never a
dossier's values. An entry is keyed by Python's exact version and bytecode format; any doubt
(another Python, a damaged entry) means compiling as before.
"""

from __future__ import annotations
import __future__

import atexit
import builtins
import hashlib
import marshal
import sys
from pathlib import Path
from types import CodeType, FrameType
from typing import Any

from kamdocs.cachedir import _read_private, keep_added, kind_folder
from kamdocs.patterns import importing

KEPT_AT_MOST = 1024  # texts in the entry; one more and it starts again (and kept in a run)
LONGEST = 20_000  # characters: a longer text is compiled as before

# The flags a ``from __future__`` import sets. ``exec`` and ``eval`` of a text compile it with
# those of the code that calls them: here, the code of ``dataclasses`` or ``collections``.
_FUTURE = 0
for _feature in __future__.all_feature_names:
    _FUTURE |= getattr(__future__, _feature).compiler_flag

# Which module compiles texts with which built-in function.
_USERS = (("dataclasses", "exec"), ("collections", "eval"), ("typing", "compile"))


def _entry() -> Path | None:
    folder = kind_folder("generated")
    if folder is None:
        return None
    magic = sys.modules["_frozen_importlib_external"].MAGIC_NUMBER  # the bytecode's format
    layout = f"{sys.version}\0{sys.implementation.cache_tag}\0{magic.hex()}"
    return folder / hashlib.sha256(layout.encode()).hexdigest()


class _Generated:
    def __init__(self, known: dict[tuple[str, int, str], CodeType], entry: Path):
        self.stored = known  # the entry as read
        self.known = dict(known)  # (mode, future flags, text) -> its code
        self.added: dict[tuple[str, int, str], CodeType] = {}  # compiled by this run, to keep
        self.entry = entry

    def code(self, source: str, mode: str, flags: int, caller: FrameType) -> CodeType:
        """The code of ``source`` compiled in ``mode`` with the future ``flags``: kept, or
        compiled here (and kept, when ``caller`` runs for a module being imported)."""
        key = (mode, flags, source)
        found = self.known.get(key)
        if found is not None:
            return found
        code = compile(source, "<string>", mode, flags, dont_inherit=True)
        if len(source) <= LONGEST and len(self.added) < KEPT_AT_MOST and importing(caller):
            self.known[key] = self.added[key] = code
        return code

    @property
    def new(self) -> int:
        """Texts this run compiled while a module was imported."""
        return len(self.added)

    def exec(self, source: Any, /, *args: Any, **kwargs: Any) -> None:
        builtins.exec(self._compiled(source, "exec", sys._getframe(1)), *args, **kwargs)

    def eval(self, source: Any, /, *args: Any, **kwargs: Any) -> Any:
        return builtins.eval(self._compiled(source, "eval", sys._getframe(1)), *args, **kwargs)

    def _compiled(self, source: Any, mode: str, caller: FrameType) -> Any:
        """``source`` as ``exec`` or ``eval`` (``mode``) called from ``caller`` compile it: with
        the caller's future flags, and for ``eval`` without leading spaces and tabs."""
        flags = caller.f_code.co_flags & _FUTURE
        if type(source) is str:
            text = source.lstrip(" \t") if mode == "eval" else source
            return self.code(text, mode, flags, caller)
        if isinstance(source, bytes | bytearray):  # compiled, not kept
            data = bytes(source).lstrip(b" \t") if mode == "eval" else source
            return builtins.compile(data, "<string>", mode, flags, True)
        return source  # code

    def compile(
        self,
        source: Any,
        filename: Any,
        mode: str,
        flags: int = 0,
        dont_inherit: bool = False,
        optimize: int = -1,
        **kwargs: Any,
    ) -> Any:
        caller = sys._getframe(1)
        if not dont_inherit:  # the caller's future flags, as compile takes them
            flags |= caller.f_code.co_flags & _FUTURE
        if (
            type(source) is str
            and filename == "<string>"
            and mode in ("exec", "eval")
            and not flags & ~_FUTURE
            and optimize == -1
            and not kwargs
        ):
            return self.code(source, mode, flags, caller)
        return builtins.compile(source, filename, mode, flags, True, optimize, **kwargs)

    def save(self) -> None:
        keep_added(self.entry, self.stored, self.added, KEPT_AT_MOST)


def _load(entry: Path) -> dict[tuple[str, int, str], CodeType]:
    data = _read_private(entry)
    if data is None:
        return {}
    try:
        known = marshal.loads(data)
    except (EOFError, ValueError, TypeError):
        return {}
    return known if _valid(known) else {}


def _valid(known: Any) -> bool:
    if not isinstance(known, dict) or len(known) > KEPT_AT_MOST:
        return False
    for key, code in known.items():
        if not (isinstance(key, tuple) and len(key) == 3 and key[0] in ("exec", "eval")):
            return False
        if not (isinstance(key[1], int) and isinstance(key[2], str) and type(code) is CodeType):
            return False
    return True


def install() -> None:
    """Give ``dataclasses``, ``collections`` and ``typing`` the kept code of the texts they
    compile from now on, and keep the code of the others when the process ends."""
    import collections  # noqa: PLC0415 - imported by Python's start
    import dataclasses  # noqa: PLC0415 - imported by every command (kamdocs.errors' Problem)
    import typing  # noqa: PLC0415 - imported by click

    modules = {"dataclasses": dataclasses, "collections": collections, "typing": typing}
    if any(name in vars(modules[module]) for module, name in _USERS):
        return  # installed already, or the module has a function of that name of its own
    entry = _entry()
    if entry is None:
        return
    generated = _Generated(_load(entry), entry)
    for module, name in _USERS:
        setattr(modules[module], name, getattr(generated, name))
    atexit.register(generated.save)
