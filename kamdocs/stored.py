"""What a fresh command would otherwise rebuild on every run, kept between runs.

A single ``kamdocs render`` spends more time reading and validating the library (some 70 YAML
entries) than rendering the proposal, and more importing pydantic and building the models'
validators than either. The validated library is kept, pickled, with what the privacy guard
works out from it (its public texts, folded: ``inputs``), and so is the schema of the validator
a command runs (``kamdocs.records``), in the same cache folder as the compiled templates
(``templating._code_cache``) and under the same rules: only in folders created private to the
user and owned by them, an entry used only when it is a regular file owned by the user and
writable by nobody else (a pickle, like cached code, runs when it is loaded), any failure to
read or write it meaning only that the work is done as before. ``KAMDOCS_CACHE_DIR=off`` turns
it off with the code cache. What is only data (what a build hashed, ``output.keep_hashes``) is
kept as JSON, under the same rules (``keep``).

An entry is keyed by everything the result depends on: every file of the templates folder
(names and bytes), the folder as given and the current folder (the locations in messages are
relative to it), kamdocs' code and the versions of Python and of the libraries that shape the
result. Any change to any of them makes a new key; an old entry is never read again.
"""

from __future__ import annotations

import contextlib
import functools
import hashlib
import os
import pickle
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

import kamdocs

T = TypeVar("T")
VCS = frozenset({".git", ".hg", ".svn"})


def _folder(name: str) -> Path | None:
    from kamdocs.cachedir import kind_folder  # noqa: PLC0415 - the one trust policy

    return kind_folder(name)


@functools.cache
def pydantic_version() -> str:
    """The version of the pydantic installed, read from its ``version`` module's text where it
    has not been imported: importing pydantic costs a fresh render more than the render."""
    module = sys.modules.get("pydantic.version")
    if module is None:
        import importlib.util  # noqa: PLC0415
        import re  # noqa: PLC0415

        spec = importlib.util.find_spec("pydantic")
        text = ""
        if spec is not None and spec.origin is not None:
            with contextlib.suppress(OSError):
                text = Path(spec.origin).with_name("version.py").read_text(encoding="utf-8")
        found = re.search(r"^VERSION = ['\"]([^'\"]+)['\"]$", text, re.MULTILINE)
        if found:
            return found.group(1)
        import pydantic.version as module  # noqa: PLC0415 - written some other way: ask it
    return module.VERSION


@functools.cache
def code_digest() -> bytes:
    """sha256 of kamdocs' own code and of the versions of Python and pydantic running it."""
    sha = hashlib.sha256(f"{sys.version}\0{pydantic_version()}\0".encode())
    code = Path(kamdocs.__file__).parent
    for path in sorted(code.rglob("*.py"), key=lambda p: p.relative_to(code).as_posix()):
        data = path.read_bytes()
        sha.update(f"{path.relative_to(code).as_posix()}\0{len(data)}\0".encode())
        sha.update(data)
    return sha.digest()


def tree(folder: Path) -> list[tuple[str, Path]]:
    """Every file under ``folder``, by relative name, in a fixed order; not the metadata of a
    version control system (a templates folder may be a repository of its own)."""
    found = []
    for path in sorted(folder.rglob("*"), key=lambda p: p.relative_to(folder).as_posix()):
        name = path.relative_to(folder).as_posix()
        if path.is_file() and not VCS.intersection(name.split("/")):
            found.append((name, path))
    return found


def tree_digest(folder: Path) -> bytes:
    """sha256 of the names and bytes of every file under ``folder`` (see ``tree``)."""
    sha = hashlib.sha256()
    for name, path in tree(folder):
        data = path.read_bytes()
        sha.update(f"{name}\0{len(data)}\0".encode())
        sha.update(data)
    return sha.digest()


def validators_key() -> str:
    """The key of the validator built from the models (``kamdocs.records``): their code and
    pydantic's version are all it depends on."""
    return hashlib.sha256(b"validators\0" + code_digest()).hexdigest()


def locale_key(identifier: str) -> str:
    """The key of a Babel locale with its data loaded (``formatting.locale``): Babel's version
    and the locale are all it depends on, with kamdocs' code and Python's version."""
    import babel  # noqa: PLC0415 - imported already by whoever asks

    sha = hashlib.sha256(b"locale\0" + code_digest())
    sha.update(f"\0{babel.__version__}\0{identifier}".encode())
    return sha.hexdigest()


def library_key(root: Path) -> str:
    sha = hashlib.sha256(b"library\0" + code_digest() + tree_digest(root))
    sha.update(f"\0{root}\0{Path.cwd()}".encode("utf-8", "surrogatepass"))
    return sha.hexdigest()


def reference_key(path: Path, data: bytes) -> str:
    """The key of a parsed reference.docx (``kamdocs.render.docx``): its bytes, and its path,
    which its messages name."""
    sha = hashlib.sha256(b"reference\0" + code_digest())
    sha.update(f"\0{path}\0".encode("utf-8", "surrogatepass"))
    sha.update(data)
    return sha.hexdigest()


def remembered(kind: str, key: str, make: Callable[[], T]) -> T:
    """``make()``, or what it returned the last time it ran with this ``key``.

    Only a result is kept: when ``make`` raises, nothing is stored and the error goes on."""
    folder = _folder(kind)
    if folder is None:
        return make()
    path = folder / key
    found = _read(path)
    if found is not None:
        return found
    value = make()
    from kamdocs.templating import _store  # noqa: PLC0415

    try:
        data = pickle.dumps(value, protocol=pickle.HIGHEST_PROTOCOL)
    except (pickle.PicklingError, TypeError, AttributeError):  # pragma: no cover - defensive
        return value
    _store(path, data)
    return value


def recalled(kind: str, key: str) -> Any:
    """What ``keep`` stored under ``kind`` and ``key`` (plain JSON data: a record, not code),
    or ``None``."""
    import json  # noqa: PLC0415

    from kamdocs.templating import _read_private  # noqa: PLC0415

    folder = _folder(kind)
    if folder is None:
        return None
    data = _read_private(folder / key)
    try:
        return None if data is None else json.loads(data)
    except ValueError:
        return None


def keep(kind: str, key: str, value: Any, at_most: int | None = None) -> None:
    """Store ``value`` (JSON data) for ``recalled``; a failure to write stores nothing. With
    ``at_most``, the entries of ``kind`` used least recently beyond that many are removed (one
    per output folder ever built into, temporary ones included, would otherwise pile up)."""
    import json  # noqa: PLC0415

    from kamdocs.templating import _store  # noqa: PLC0415

    folder = _folder(kind)
    if folder is None:
        return
    _store(folder / key, json.dumps(value, separators=(",", ":")).encode())
    if at_most is not None:
        _prune(folder, at_most)


def used(kind: str, key: str) -> None:
    """Mark the entry as used now (``keep``'s ``at_most`` removes the least recently used)."""
    folder = _folder(kind)
    if folder is not None:
        with contextlib.suppress(OSError):
            os.utime(folder / key)


def _prune(folder: Path, at_most: int) -> None:
    entries = []
    with contextlib.suppress(OSError):
        for entry in os.scandir(folder):
            with contextlib.suppress(OSError):
                if entry.is_file(follow_symlinks=False) and not entry.name.startswith("."):
                    entries.append((entry.stat(follow_symlinks=False).st_mtime_ns, entry.path))
    for _, path in sorted(entries, reverse=True)[at_most:]:
        with contextlib.suppress(OSError):
            os.unlink(path)


def _read(path: Path) -> Any:
    from kamdocs.templating import _read_private  # noqa: PLC0415

    data = _read_private(path)
    try:
        return None if data is None else pickle.loads(data)  # noqa: S301 - private, written by us
    except Exception:  # noqa: BLE001 - a damaged entry is only a miss
        return None
