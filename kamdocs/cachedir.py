"""The user's cache folder, and the one rule for trusting what is in it.

Compiled templates (``kamdocs.templating``), the validated library and the validators' schemas
(``kamdocs.stored``), the compiled patterns of the libraries kamdocs imports
(``kamdocs.patterns``) and the compiled methods of the dataclasses and named tuples its modules
define (``kamdocs.generated``) are kept here. ``KAMDOCS_CACHE_DIR`` moves it; set to ``off`` (or
empty) it turns every cache off. Cached code runs outside the sandbox, so the cache is used only
where nobody else can write it: the folders are created private to the user (0700), and a
folder or entry owned by someone else or writable by group or others is not used. An unreadable
or unwritable folder only means doing the work as before.

This module imports nothing a command would not import anyway: the patterns' cache is opened
before the libraries are.
"""

from __future__ import annotations

import contextlib
import functools
import os
import stat
from pathlib import Path

CACHE_ENV = "KAMDOCS_CACHE_DIR"
_CACHE_OFF = frozenset({"", "0", "off", "no", "false"})


@functools.cache
def _code_cache() -> Path | None:
    """The cache folder, if it may be trusted; ``None`` turns the cache off for this process."""
    configured = os.environ.get(CACHE_ENV)
    if configured is not None:
        if configured.strip().lower() in _CACHE_OFF:
            return None
        base = Path(configured).expanduser()
    else:
        xdg = os.environ.get("XDG_CACHE_HOME", "").strip()
        base = (Path(xdg) if xdg else Path.home() / ".cache") / "kamdocs"
    try:
        base.parent.mkdir(parents=True, exist_ok=True)
    except OSError:
        return None
    return _private_folder(base) and _private_folder(base / "jinja")


def kind_folder(kind: str) -> Path | None:
    """The cache's folder for entries of ``kind`` (beside ``jinja``), made private to the user
    if it is not there; ``None`` when the cache is off or the folder may not be trusted."""
    code = _code_cache()
    return None if code is None else _private_folder(code.parent / kind)


def _private_folder(folder: Path) -> Path | None:
    """``folder``, made private (0700) if it is not there, when it is the user's own and
    writable by nobody else; ``None`` otherwise."""
    try:
        folder.mkdir(mode=0o700, exist_ok=True)
        return folder if _private(os.lstat(folder)) else None
    except OSError:
        return None


def _private(st: os.stat_result) -> bool:
    """Owned by this user and writable by nobody else: what the cache holds is code that runs."""
    if not hasattr(os, "getuid"):  # no POSIX owners: the user's profile folder is private
        return True
    return st.st_uid == os.getuid() and not st.st_mode & 0o022


def _read_private(path: Path) -> bytes | None:
    """The bytes of a cache entry that may be trusted: a regular file owned by this user and
    writable by nobody else; ``None`` for anything else, or when it cannot be read."""
    try:
        with path.open("rb") as entry:
            st = os.fstat(entry.fileno())
            if not (stat.S_ISREG(st.st_mode) and _private(st)):
                return None
            return entry.read()
    except OSError:
        return None


def _store(path: Path, data: bytes) -> None:
    """Write one cache entry atomically; any failure leaves the cache as it was."""
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    try:
        path.parent.mkdir(mode=0o700, exist_ok=True)
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "wb") as out:
            out.write(data)
        os.replace(tmp, path)
    except OSError:
        with contextlib.suppress(OSError):
            tmp.unlink()


def keep_added(entry: Path, stored: dict, added: dict, limit: int) -> None:
    """Write to ``entry`` (which held ``stored``) what a run ``added`` to it (marshalled).

    A run adds only what the run before it added too (their keys are listed beside the entry,
    in ``entry.new``): what differs from run to run, such as a pattern built from a set, whose
    order changes with the process's hash seed (Babel's plural rules), is never kept, and the
    entry is not rewritten by every run for it. Into an empty entry all of it goes at once. An
    entry that would hold more than ``limit`` keys starts again."""
    import marshal  # noqa: PLC0415 - imported by Python's start

    if not added:
        return
    if stored:
        side = entry.with_name(entry.name + ".new")
        data = _read_private(side)
        try:
            before = set(marshal.loads(data)) if data is not None else set()
        except (EOFError, ValueError, TypeError):
            before = set()
        steady = {key: value for key, value in added.items() if key in before}
        first_seen = [key for key in added if key not in before]
        if set(first_seen) != before:
            _store(side, marshal.dumps(first_seen))
        if not steady:
            return
        kept = {**stored, **steady} if len(stored) + len(steady) <= limit else steady
    else:
        kept = dict(added) if len(added) <= limit else {}
    if kept:
        _store(entry, marshal.dumps(kept))
