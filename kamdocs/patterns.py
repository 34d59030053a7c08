"""Regular expressions compiled once per machine, not on every start.

Python compiles a pattern in every process that uses it: the libraries a ``render`` imports
(PyYAML, Python-Markdown, Jinja, the standard library) compile some 170 at import time, a tenth
of a fresh command's time. PyYAML's class of non-printable characters alone takes 7 ms. What
compiling gives is data: the pattern's code (a list of integers), its flags and its groups. So
the code of each pattern compiled while a module is imported is kept in the cache folder
(``kamdocs.cachedir``: the same folders and trust rules as the compiled templates) and handed to
the regular-expression engine on the next start, which checks it (as it checks any code) and
builds the same pattern object the compiler would.

Only patterns compiled while a module is imported are kept: they are the libraries' own texts,
never a dossier's. An entry is keyed by Python's exact version and the engine's format; any
doubt (another Python, an engine laid out otherwise, a damaged entry) means compiling as before.
"""

from __future__ import annotations

import atexit
import hashlib
import marshal
import sys
import threading
from pathlib import Path
from types import FrameType
from typing import Any

from kamdocs.cachedir import _read_private, keep_added, kind_folder

KEPT_AT_MOST = 2048  # patterns in the entry; one more and it starts again (and kept in a run)
LONGEST = 20_000  # characters: a longer pattern is compiled as before

_IMPORTING = "<frozen importlib._bootstrap>"


def _entry() -> Path | None:
    import _sre  # noqa: PLC0415

    folder = kind_folder("patterns")
    if folder is None:
        return None
    layout = f"{sys.version}\0{sys.implementation.cache_tag}\0{_sre.MAGIC}\0{_sre.CODESIZE}"
    # Only patterns two runs in a row compiled are added (``keep_added``); an entry written
    # before could hold a thousand orders of one pattern, and is left for a new one.
    layout += "\0kept-twice"
    return folder / hashlib.sha256(layout.encode()).hexdigest()


class _Patterns:
    def __init__(self, compiler: Any, engine: Any, known: dict, entry: Path):
        self.compiler = compiler
        self.engine = engine
        self.original = compiler.compile
        self.stored = known  # the entry as read
        self.known = dict(known)  # (type, pattern, flags) -> engine's arguments after the pattern
        self.added: dict = {}  # compiled by this run, for the entry
        self.entry = entry
        self.asked = threading.local()

    def compile(self, p: Any, flags: int = 0) -> Any:
        if type(p) in (str, bytes) and not flags & self.compiler.SRE_FLAG_DEBUG:
            key = (type(p) is str, p, int(flags))  # (a flag enum would not marshal)
            found = self.known.get(key)
            if found is not None:
                try:
                    return self.engine.compile(p, *found)
                except Exception:  # noqa: BLE001 - code the engine refuses: compile it again
                    del self.known[key]
                    self.stored.pop(key, None)
            if len(p) <= LONGEST and importing(sys._getframe(1)):
                self.asked.key = key
                try:
                    return self.original(p, flags)
                finally:
                    self.asked.key = None
        return self.original(p, flags)

    def made(
        self, pattern: Any, flags: int, code: list, groups: int, index: dict, names: tuple
    ) -> Any:
        """``_sre.compile`` as the compiler calls it: what it is given is kept for the pattern
        asked for."""
        compiled = self.engine.compile(pattern, flags, code, groups, index, names)
        key = getattr(self.asked, "key", None)
        if key is not None and key[1] is pattern and len(self.added) < KEPT_AT_MOST:
            # The compiler writes its opcodes as named ints; the engine takes plain ones.
            self.known[key] = self.added[key] = (
                int(flags),
                [int(c) for c in code],
                groups,
                dict(index),
                tuple(names),
            )
        return compiled

    @property
    def new(self) -> int:
        """Patterns this run compiled while a module was imported."""
        return len(self.added)

    def save(self) -> None:
        keep_added(self.entry, self.stored, self.added, KEPT_AT_MOST)


class _Engine:
    """The engine as the compiler sees it, with ``compile`` going through ``_Patterns.made``."""

    def __init__(self, engine: Any, patterns: _Patterns):
        # The engine's other functions as they are (the compiler asks for some at every
        # character of an IGNORECASE class): copied, not looked up at each use.
        self.__dict__.update(vars(engine))
        self.compile = patterns.made


def importing(frame: FrameType | None) -> bool:
    """Whether ``frame`` runs, directly or not, for a module being imported."""
    while frame is not None:
        if frame.f_code.co_filename == _IMPORTING:
            return True
        frame = frame.f_back
    return False


def _load(entry: Path) -> dict:
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
    for key, value in known.items():
        if not (isinstance(key, tuple) and len(key) == 3 and isinstance(value, tuple)):
            return False
        if len(value) != 5 or not isinstance(value[1], list):
            return False
    return True


def _works(compiler: Any, engine: Any) -> bool:
    """Whether the engine builds from kept code what the compiler makes (this Python's
    ``re`` laid out as this module expects)."""
    try:
        made = compiler.compile(r"(?P<a>x+)(y)?", 2)
        sample = _Patterns(compiler, engine, {}, Path())
        compiler._sre = _Engine(engine, sample)
        sample.asked.key = (True, made.pattern, 2)
        compiler.compile(made.pattern, 2)
        kept = sample.known.get((True, made.pattern, 2))
        if kept is None:
            return False
        again = engine.compile(made.pattern, *kept)
    except Exception:  # noqa: BLE001 - any surprise: compile as Python does
        return False
    finally:
        compiler._sre = engine
    # Patterns are equal when their texts, flags and the engine's code are.
    return again == made and dict(again.groupindex) == dict(made.groupindex)


def install() -> None:
    """Compile the patterns of the modules imported from now on from kept code where it is
    kept, and keep the code of the others when the process ends."""
    try:
        import re._compiler as compiler  # noqa: PLC0415

        engine = compiler._sre
        entry = _entry()
    except (ImportError, AttributeError):
        return
    if entry is None or isinstance(engine, _Engine) or not _works(compiler, engine):
        return
    patterns = _Patterns(compiler, engine, _load(entry), entry)
    compiler._sre = _Engine(engine, patterns)
    compiler.compile = patterns.compile
    atexit.register(patterns.save)
