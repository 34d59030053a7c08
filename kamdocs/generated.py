"""The functions Python writes as text while a module is imported, compiled once per machine.

``dataclasses`` writes each dataclass's ``__init__``, ``__repr__``, ``__eq__`` (and, frozen,
``__setattr__``, ``__delattr__``, ``__hash__``) as source text and compiles it with ``exec``;
``collections.namedtuple`` (and with it ``typing.NamedTuple``) compiles its ``__new__`` with
``eval``. A render defines some 25 dataclasses and 30 named tuples (kamdocs' own and the
libraries'): compiling their 130 small functions took 15 ms of a fresh command, five sixths of
what making those classes costs. So the code each text compiles to is kept in the cache folder
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

from kamdocs.cachedir import _read_private, _store, kind_folder
from kamdocs.patterns import importing

KEPT_AT_MOST = 1024  # texts in the entry; one more and it starts again
LONGEST = 20_000  # characters: a longer text is compiled as before

# The flags a ``from __future__`` import sets. ``exec`` and ``eval`` of a text compile it with
# those of the code that calls them: here, the code of ``dataclasses`` or ``collections``.
_FUTURE = 0
for _feature in __future__.all_feature_names:
    _FUTURE |= getattr(__future__, _feature).compiler_flag

# The functions made with ``exec`` and ``eval`` of a text, and by which module.
_USERS = (("dataclasses", "exec"), ("collections", "eval"))


def _entry() -> Path | None:
    folder = kind_folder("generated")
    if folder is None:
        return None
    magic = sys.modules["_frozen_importlib_external"].MAGIC_NUMBER  # the bytecode's format
    layout = f"{sys.version}\0{sys.implementation.cache_tag}\0{magic.hex()}"
    return folder / hashlib.sha256(layout.encode()).hexdigest()


class _Generated:
    def __init__(self, known: dict[tuple[str, int, str], CodeType], entry: Path):
        self.known = known  # (mode, future flags, text) -> its code
        self.entry = entry
        self.new = 0

    def code(self, source: Any, mode: str, caller: FrameType) -> Any:
        """What ``exec`` or ``eval`` (``mode``) called from ``caller`` is to run for ``source``:
        the code of a text, kept or compiled here as they would compile it; anything else as
        it is."""
        if type(source) is not str:
            return source
        if mode == "eval":
            source = source.lstrip(" \t")  # as eval strips a text
        flags = caller.f_code.co_flags & _FUTURE
        key = (mode, flags, source)
        found = self.known.get(key)
        if found is not None:
            return found
        code = compile(source, "<string>", mode, flags, dont_inherit=True)
        if len(source) <= LONGEST and importing(caller):
            if len(self.known) >= KEPT_AT_MOST:  # kept for libraries since upgraded, say
                self.known.clear()
            self.known[key] = code
            self.new += 1
        return code

    def exec(self, source: Any, /, *args: Any, **kwargs: Any) -> None:
        builtins.exec(self.code(source, "exec", sys._getframe(1)), *args, **kwargs)

    def eval(self, source: Any, /, *args: Any, **kwargs: Any) -> Any:
        return builtins.eval(self.code(source, "eval", sys._getframe(1)), *args, **kwargs)

    def save(self) -> None:
        if self.new:
            _store(self.entry, marshal.dumps(self.known))


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
    """Give ``exec`` and ``eval`` of ``dataclasses`` and ``collections`` the kept code of the
    texts they compile from now on, and keep the code of the others when the process ends."""
    import collections  # noqa: PLC0415 - imported by Python's start
    import dataclasses  # noqa: PLC0415 - imported by every command (kamdocs.errors' Problem)

    modules = {"dataclasses": dataclasses, "collections": collections}
    if any(name in vars(modules[module]) for module, name in _USERS):
        return  # installed already, or the module has a function of that name of its own
    entry = _entry()
    if entry is None:
        return
    generated = _Generated(_load(entry), entry)
    for module, name in _USERS:
        setattr(modules[module], name, getattr(generated, name))
    atexit.register(generated.save)
