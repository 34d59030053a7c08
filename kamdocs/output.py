"""Writing outputs: every file replaced atomically, a batch all or nothing."""

from __future__ import annotations

import contextlib
import hashlib
import os
from pathlib import Path
from types import TracebackType

from kamdocs.errors import OutputError

try:
    import fcntl
except ImportError:  # pragma: no cover - Windows
    fcntl = None  # type: ignore[assignment]


def _fsync_dir(folder: Path) -> None:
    with contextlib.suppress(OSError):
        fd = os.open(folder, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)


class Batch:
    """Stage files next to their targets, then move them all into place, or none of them.

    Staged files are hidden temporary files in the output folder (the same file system, so the
    final ``os.replace`` is atomic). Until ``commit`` nothing a reader can see has changed; an
    error, Ctrl-C or a kill before then leaves only temporary files that ``abort`` (or the next
    build) removes, and a reader never sees a truncated document.
    """

    def __init__(self, out: Path):
        self.out = out
        self.staged: list[tuple[Path, Path, str]] = []
        self._created: list[Path] = []
        self._lock_fd: int | None = None

    def __enter__(self) -> Batch:
        return self

    def __exit__(
        self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        if kind is not None:
            self.abort()

    def _ensure_out(self) -> None:
        if self.out.is_dir():
            return
        missing = [p for p in (self.out, *self.out.parents) if not p.exists()]
        try:
            self.out.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise OutputError(
                f"{self.out}: cannot create the output folder: {exc.strerror}"
            ) from None
        self._created = missing

    def add(self, name: str, data: bytes) -> str:
        """Stage ``data`` as ``out/name``; return its sha256."""
        self._ensure_out()
        target = self.out / name
        temp = self.out / f".{name}.{os.getpid()}.{len(self.staged)}.tmp"
        try:
            with open(temp, "xb") as fh:
                fh.write(data)
        except OSError as exc:
            with contextlib.suppress(OSError):
                temp.unlink()
            raise OutputError(f"{target}: cannot write: {exc.strerror}") from None
        digest = hashlib.sha256(data).hexdigest()
        self.staged.append((temp, target, digest))
        return digest

    def commit(self) -> list[tuple[Path, str]]:
        """Move every staged file into place, holding the folder's lock against other builds."""
        if not self.staged:
            return []
        # One flush of every staged file to disk, so a power cut after a rename cannot leave
        # an empty document in place of the old one (cheaper than an fsync per file).
        os.sync()
        self._lock()
        try:
            for temp, target, _ in self.staged:
                os.replace(temp, target)
            _fsync_dir(self.out)
        except OSError as exc:
            self.abort()
            raise OutputError(f"{self.out}: cannot replace outputs: {exc.strerror}") from None
        finally:
            self._unlock()
        done = [(target, digest) for _, target, digest in self.staged]
        self.staged = []
        return done

    def abort(self) -> None:
        """Remove every staged file; what was in the folder before stays as it was."""
        for temp, _, _ in self.staged:
            with contextlib.suppress(OSError):
                temp.unlink()
        self.staged = []
        for folder in self._created:  # only folders this batch made, and only while empty
            with contextlib.suppress(OSError):
                folder.rmdir()
        self._created = []

    def _lock(self) -> None:
        if fcntl is None:
            return
        try:
            self._lock_fd = os.open(self.out / ".kamdocs.lock", os.O_CREAT | os.O_RDWR, 0o644)
        except OSError:
            return  # a read-only folder has already failed at staging
        fcntl.flock(self._lock_fd, fcntl.LOCK_EX)

    def _unlock(self) -> None:
        if self._lock_fd is not None:
            fcntl.flock(self._lock_fd, fcntl.LOCK_UN)
            os.close(self._lock_fd)
            self._lock_fd = None


def write_new(path: Path, text: str) -> None:
    """Create ``path`` with ``text``; never overwrite an existing file."""
    path.parent.mkdir(parents=True, exist_ok=True)
    temp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    try:
        temp.write_text(text, encoding="utf-8")
        os.link(temp, path)  # fails if path exists, unlike a rename
    except FileExistsError:
        raise OutputError(f"{path}: already exists; kamdocs never overwrites a dossier") from None
    except OSError as exc:
        raise OutputError(f"{path}: cannot write: {exc.strerror}") from None
    finally:
        with contextlib.suppress(OSError):
            temp.unlink()
