"""Writing outputs: every file replaced atomically, a batch all or nothing."""

from __future__ import annotations

import contextlib
import errno
import hashlib
import os
import re
from collections.abc import Iterable
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
        # Name and sha256 of each staged file, nothing more: a batch of any size keeps ~200 bytes
        # a file (the temporary and backup names are derived from the name and the position).
        self.staged: list[tuple[str, str]] = []
        # Files of an earlier build that stay as they are, with the sha256 they must still have.
        self.kept: list[tuple[str, str]] = []
        self._pid = os.getpid()
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

    def _temp(self, i: int, name: str) -> Path:
        return self.out / f".{name}.{self._pid}.{i}.tmp"

    def keep(self, name: str, digest: str) -> None:
        """Count ``out/name``, as it is, among the batch's files; ``commit`` checks (under the
        folder's lock) that it still has the sha256 ``digest``."""
        self.kept.append((name, digest))

    def add(self, name: str, data: bytes) -> str:
        """Stage ``data`` as ``out/name``; return its sha256."""
        return self.add_chunks(name, (data,))

    def add_chunks(self, name: str, chunks: Iterable[bytes]) -> str:
        """Stage the concatenation of ``chunks`` as ``out/name``, never all of it in memory at
        once (the manifest of a large batch); return its sha256."""
        self._ensure_out()
        target = self.out / name
        temp = self._temp(len(self.staged), name)
        sha = hashlib.sha256()
        try:
            with open(temp, "xb") as fh:
                for chunk in chunks:
                    fh.write(chunk)
                    sha.update(chunk)
        except BaseException as exc:  # also Ctrl-C: never leave a half-written temporary file
            with contextlib.suppress(OSError):
                temp.unlink()
            if isinstance(exc, OSError):
                raise OutputError(f"{target}: cannot write: {exc.strerror}") from None
            raise
        digest = sha.hexdigest()
        self.staged.append((name, digest))
        return digest

    def commit(self) -> list[tuple[str, str]]:
        """Move every staged file into place, holding the folder's lock against other builds.

        All or nothing here too: each target that exists is first hard-linked to a backup, and
        if a replacement fails (or Ctrl-C arrives) the ones already made are undone. Returns the
        name and sha256 of every file written, in the order they were staged.
        """
        if not self.staged and not self.kept:
            return []
        # One flush of every staged file to disk, so a power cut after a rename cannot leave
        # an empty document in place of the old one (cheaper than an fsync per file).
        os.sync()
        self._lock()
        # For each target replaced so far: True, backed up; False, did not exist; None, existed
        # but could not be backed up (no hard links), so the new file stays.
        done: list[bool | None] = []
        failed = self.out
        try:
            for name, digest in self.kept:
                if sha256_of(self.out / name) != digest:
                    raise OutputError(
                        f"{self.out / name}: changed while this build ran; run the build again"
                    )
            remove_stale(self.out)
            for name, _ in self.staged:
                target = self.out / name
                if target.is_dir() and not target.is_symlink():
                    raise OutputError(f"{target}: cannot replace: a folder is in the way")
            for i, (name, _) in enumerate(self.staged):
                failed = target = self.out / name
                done.append(_backup(target, i))
                os.replace(self._temp(i, name), target)
            failed = self.out
            _fsync_dir(self.out)
        except BaseException as exc:
            _undo(self.out, self.staged, done)
            self.abort()
            if isinstance(exc, OSError):
                raise OutputError(f"{failed}: cannot replace: {exc.strerror}") from None
            raise
        finally:
            self._unlock()
        for i, (name, _) in enumerate(self.staged):
            if done[i]:
                with contextlib.suppress(OSError):
                    _backup_path(self.out / name, i).unlink()
        result, self.staged, self.kept = self.staged + self.kept, [], []
        return result

    def abort(self) -> None:
        """Remove every staged file; what was in the folder before stays as it was."""
        for i, (name, _) in enumerate(self.staged):
            with contextlib.suppress(OSError):
                self._temp(i, name).unlink()
        self.staged, self.kept = [], []
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


def sha256_of(path: Path) -> str | None:
    """The sha256 of a regular file's bytes; None where there is none to read (nothing, a
    folder, or a pipe, whose reading would wait for a writer)."""
    if not path.is_file():
        return None
    sha = hashlib.sha256()
    try:
        with open(path, "rb") as fh:
            while chunk := fh.read(1 << 20):
                sha.update(chunk)
    except OSError:
        return None
    return sha.hexdigest()


# The temporary files a batch makes: ".<name>.<pid>.<n>.tmp" and ".<name>.<pid>.<n>.bak.tmp".
_TEMP = re.compile(r"^\..+\.(\d+)\.\d+(?:\.bak)?\.tmp$")


def _backup_path(target: Path, i: int) -> Path:
    return target.with_name(f".{target.name}.{os.getpid()}.{i}.bak.tmp")


def _backup(target: Path, i: int) -> bool | None:
    """Hard-link ``target`` to a hidden backup: True if made, False when there is no target.

    Where the file system has no hard links the file is replaced without a backup (None): an
    undo then leaves the new file, whole, rather than remove the only copy.
    """
    try:
        os.link(target, _backup_path(target, i))
    except FileNotFoundError:
        return False
    except OSError as exc:
        if exc.errno in (errno.EPERM, errno.ENOTSUP, errno.EXDEV, errno.EMLINK, errno.EACCES):
            return None
        raise
    return True


def _undo(out: Path, staged: list[tuple[str, str]], done: list[bool | None]) -> None:
    """Put back what a failed commit replaced: each backup, and no file where there was none."""
    for i in reversed(range(len(done))):
        target = out / staged[i][0]
        with contextlib.suppress(OSError):
            if done[i] is None:
                continue  # no backup could be made: the new file stays
            if not done[i]:
                target.unlink()
                continue
            backup = _backup_path(target, i)
            os.replace(backup, target)
            # A rename onto another link of the same file does nothing: the target was never
            # replaced. Either way the backup name must go.
            backup.unlink(missing_ok=True)


def _alive(pid: int) -> bool:
    if pid == os.getpid():
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except OSError:  # e.g. a process of another user
        return True
    return True


def remove_stale(folder: Path) -> list[Path]:
    """Remove the temporary files of builds that were killed (their process is gone).

    Those of a build still running on this machine are left alone.
    """
    removed = []
    with contextlib.suppress(OSError):
        for entry in os.scandir(folder):
            match = _TEMP.match(entry.name)
            if match and not _alive(int(match.group(1))) and entry.is_file(follow_symlinks=False):
                with contextlib.suppress(OSError):
                    os.unlink(entry.path)
                    removed.append(Path(entry.path))
    return removed


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
