"""Writing outputs: every file replaced atomically, a batch all or nothing."""

from __future__ import annotations

import contextlib
import errno
import hashlib
import os
import re
import stat
import time
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path
from types import TracebackType
from typing import overload

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


# Data and size of a file on disk, not its times: what a reader needs after a power cut.
_flush = getattr(os, "fdatasync", os.fsync)

# Written by kamdocs before 0.x locked the folder itself; removed by a commit when found.
OLD_LOCK = ".kamdocs.lock"


def joined(folder: str, name: str) -> str:
    """``str(Path(folder) / name)``, for a ``folder`` as ``str(Path(...))`` writes it and a
    plain file ``name``, without making a ``Path``: pathlib interns each name it parses for the
    life of the process."""
    return name if folder == "." else os.path.join(folder, name)


class Batch:
    """Stage files next to their targets, then move them all into place, or none of them.

    Staged files are hidden temporary files in the output folder (the same file system, so the
    final ``os.replace`` is atomic). Until ``commit`` nothing a reader can see has changed; an
    error, Ctrl-C or a kill before then leaves only temporary files that ``abort`` (or the next
    build) removes, and a reader never sees a truncated document.
    """

    def __init__(self, out: Path):
        self.out = out
        # Name -> sha256 (32 bytes) of each staged file, in the order staged, nothing more: a
        # batch of any size keeps ~110 bytes a file besides its name (the temporary and backup
        # names are made from the name and the position).
        self._staged: dict[str, bytes] = {}
        # Files of an earlier build that stay as they are, with the sha256 they must still have.
        self.kept: list[tuple[str, str]] = []
        # Files of an earlier build that this one no longer writes: name and recorded sha256.
        self.obsolete: list[tuple[str, str]] = []
        self.removed: list[str] = []  # of those, the names a commit removed
        self._moved: list[tuple[str, str]] = []  # each removed file and its backup
        self._pid = os.getpid()
        # Each file's path is a string made from this one: a Path per file would intern its
        # name for the life of the process (pathlib does), some 60 bytes a file of a batch.
        self._dir = os.fspath(out)
        self._created: list[Path] = []
        self._out_made = False  # the folder was there, or made, when the first file was staged
        self._lock_fd: int | None = None

    def __enter__(self) -> Batch:
        return self

    def __exit__(
        self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        if kind is not None:
            self.abort()

    def _ensure_out(self) -> None:
        # Once per batch: a folder removed while the build runs takes the files staged in it,
        # and the next file's stage says it cannot be written there.
        if self._out_made:
            return
        if self.out.is_dir():
            self._out_made = True
            return
        missing = [p for p in (self.out, *self.out.parents) if not p.exists()]
        try:
            self.out.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise OutputError(
                f"{self.out}: cannot create the output folder: {exc.strerror}"
            ) from None
        self._created = missing
        self._out_made = True

    def _at(self, name: str) -> str:
        """``out/name``, written as ``str(out / name)`` would be."""
        return joined(self._dir, name)

    def _temp(self, i: int, name: str) -> str:
        return self._at(f".{name}.{self._pid}.{i}.tmp")

    def remove(self, name: str, digest: str) -> None:
        """Remove ``out/name`` at ``commit`` if it still has the sha256 ``digest`` (a file an
        earlier build wrote and this one no longer does); any other file stays."""
        self.obsolete.append((name, digest))

    def keep(self, name: str, digest: str) -> None:
        """Count ``out/name``, as it is, among the batch's files; ``commit`` checks (under the
        folder's lock) that it still has the sha256 ``digest``."""
        self.kept.append((name, digest))

    def add(self, name: str, data: bytes) -> str:
        """Stage ``data`` as ``out/name``; return its sha256."""
        return self.add_chunks(name, (data,))

    @property
    def staged(self) -> list[tuple[str, str]]:
        """Name and sha256 of each file staged so far, in the order staged."""
        return [(name, digest.hex()) for name, digest in self._staged.items()]

    def names(self) -> list[str]:
        """The name of each file staged so far, in the order staged."""
        return list(self._staged)

    def digest(self, name: str) -> str:
        """The sha256 of the file staged as ``out/name``."""
        return self._staged[name].hex()

    def add_chunks(self, name: str, chunks: Iterable[bytes]) -> str:
        """Stage the concatenation of ``chunks`` as ``out/name``, never all of it in memory at
        once (the manifest of a large batch); return its sha256."""
        if name in self._staged:
            raise ValueError(f"{name}: staged twice in one batch")
        self._ensure_out()
        target = self._at(name)
        temp = self._temp(len(self._staged), name)
        sha = hashlib.sha256()
        try:
            try:
                fh = open(temp, "xb")  # noqa: SIM115 - closed by the with below
            except FileExistsError:
                if os.path.islink(temp) or not os.path.isfile(temp):
                    raise
                # Left by a killed build that ran under this process's id (in a container every
                # build may): no running build stages to it, and it would fail this one.
                os.unlink(temp)
                fh = open(temp, "xb")  # noqa: SIM115
            with fh:
                for chunk in chunks:
                    fh.write(chunk)
                    sha.update(chunk)
                fh.flush()
                # This file alone reaches the disk before the commit renames it: a power cut
                # after the rename cannot leave an empty document in place of the old one.
                _flush(fh.fileno())
        except BaseException as exc:  # also Ctrl-C: never leave a half-written temporary file
            with contextlib.suppress(OSError):
                os.unlink(temp)
            if isinstance(exc, OSError):
                raise OutputError(f"{target}: cannot write: {exc.strerror}") from None
            raise
        self._staged[name] = sha.digest()
        return sha.hexdigest()

    def commit(self) -> list[tuple[str, str]]:
        """Move every staged file into place, holding the folder's lock against other builds.

        All or nothing here too: each target that exists is first hard-linked to a backup, and
        if a replacement fails (or Ctrl-C arrives) the ones already made are undone. Returns the
        name and sha256 of every file written, in the order they were staged, then those kept.
        """
        if not self._staged and not self.kept and not self.obsolete:
            return []
        self._lock()
        # For each target replaced so far: True, backed up; False, did not exist; None, existed
        # but could not be backed up (no hard links), so the new file stays.
        done: list[bool | None] = []
        failed: str | Path = self.out
        try:
            for name, digest in self.kept:
                if sha256_again(self._at(name)) != digest:
                    raise OutputError(
                        f"{self._at(name)}: changed while this build ran; run the build again"
                    )
            remove_stale(self.out)
            for name in self._staged:
                target = self._at(name)
                if os.path.isdir(target) and not os.path.islink(target):
                    raise OutputError(f"{target}: cannot replace: a folder is in the way")
            for i, name in enumerate(self._staged):
                failed = target = self._at(name)
                done.append(_backup(target, i))
                os.replace(self._temp(i, name), target)
            moved = self._remove_obsolete(len(self._staged))
            failed = self.out
            _fsync_dir(self.out)
        except BaseException as exc:
            for target, backup in reversed(self._moved):
                with contextlib.suppress(OSError):
                    os.replace(backup, target)
            _undo(self._at, list(self._staged), done)
            self.removed, self._moved = [], []
            self.abort()
            if isinstance(exc, OSError):
                raise OutputError(f"{failed}: cannot replace: {exc.strerror}") from None
            raise
        finally:
            self._unlock()
        for i, name in enumerate(self._staged):
            if done[i]:
                with contextlib.suppress(OSError):
                    os.unlink(_backup_path(self._at(name), i))
        for _, backup in moved:
            with contextlib.suppress(OSError):
                os.unlink(backup)
        self._moved = []
        result = Files(self._staged, self.kept)
        self._staged, self.kept, self.obsolete = {}, [], []
        return result

    def _remove_obsolete(self, first: int) -> list[tuple[str, str]]:
        """Under the lock: move each obsolete file that is still the one recorded to a hidden
        backup (put back if the commit fails); return (file, backup) of each one moved."""
        kept = {name for name, _ in self.kept}
        for j, (name, digest) in enumerate(self.obsolete):
            target = self._at(name)
            ours = name in self._staged or name in kept
            if ours or os.path.islink(target) or sha256_of(target) != digest:
                continue  # written again, or no longer the file the earlier build wrote
            backup = _backup_path(target, first + j)
            try:
                os.replace(target, backup)
            except OSError as exc:  # named here: the commit's message names the last file staged
                raise OutputError(f"{target}: cannot remove: {exc.strerror}") from None
            self._moved.append((target, backup))
            self.removed.append(name)
        return self._moved

    def abort(self) -> None:
        """Remove every staged file; what was in the folder before stays as it was."""
        for i, name in enumerate(self._staged):
            with contextlib.suppress(OSError):
                os.unlink(self._temp(i, name))
        self._staged, self.kept, self.obsolete = {}, [], []
        for folder in self._created:  # only folders this batch made, and only while empty
            with contextlib.suppress(OSError):
                folder.rmdir()
        self._created = []

    def _lock(self) -> None:
        """Take the folder's own lock: ``flock`` on the output folder itself, so that nothing
        is created in it (or, through a link, anywhere else) and a second build waits."""
        if fcntl is None:  # pragma: no cover - Windows: no lock (README)
            return
        self._lock_fd = lock_folder(self.out)
        old = self.out / OLD_LOCK
        if old.is_file() and not old.is_symlink():
            with contextlib.suppress(OSError):
                old.unlink()

    def _unlock(self) -> None:
        if self._lock_fd is not None:
            os.close(self._lock_fd)  # closing the last descriptor releases the lock
            self._lock_fd = None


class Files(Sequence[tuple[str, str]]):
    """Name and sha256 of each file a batch wrote, then of each it kept: made when read, so
    that a batch of 15,000 files holds no pair of strings a file for its caller."""

    def __init__(self, staged: dict[str, bytes], kept: list[tuple[str, str]]):
        self._names = list(staged)
        self._staged = staged
        self._kept = kept

    def __len__(self) -> int:
        return len(self._names) + len(self._kept)

    @overload
    def __getitem__(self, i: int) -> tuple[str, str]: ...
    @overload
    def __getitem__(self, i: slice) -> list[tuple[str, str]]: ...
    def __getitem__(self, i: int | slice) -> tuple[str, str] | list[tuple[str, str]]:
        if isinstance(i, slice):
            return [self[j] for j in range(*i.indices(len(self)))]
        if i < 0:
            i += len(self)
        if not 0 <= i < len(self):
            raise IndexError("file index out of range")
        if i < len(self._names):
            name = self._names[i]
            return name, self._staged[name].hex()
        return self._kept[i - len(self._names)]

    def __eq__(self, other: object) -> bool:
        if isinstance(other, Sequence) and not isinstance(other, str):
            return list(self) == list(other)
        return NotImplemented

    def __repr__(self) -> str:
        return f"Files({list(self)!r})"


def lock_folder(folder: Path) -> int:
    """An open descriptor of ``folder`` holding its exclusive ``flock`` (waits for another
    holder); close it to release the lock."""
    try:
        fd = os.open(folder, os.O_RDONLY | getattr(os, "O_DIRECTORY", 0))
    except OSError as exc:
        raise OutputError(f"{folder}: cannot lock the output folder: {exc.strerror}") from None
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
    except OSError as exc:
        os.close(fd)
        raise OutputError(f"{folder}: cannot lock the output folder: {exc.strerror}") from None
    return fd


def sha256_of(path: str | Path) -> str | None:
    """The sha256 of a regular file's bytes; None where there is none to read (nothing, a
    folder, or a pipe, whose reading would wait for a writer)."""
    try:
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0))
    except OSError:
        return None
    try:
        with os.fdopen(fd, "rb") as fh:
            before = os.fstat(fh.fileno())
            if not stat.S_ISREG(before.st_mode):
                return None
            digest = hashlib.file_digest(fh, "sha256").hexdigest()
    except OSError:
        return None
    _hashed[os.fspath(path)] = (_signature(before), digest, time.time())
    return digest


# What sha256_of read: path -> the file's identity and times, its sha256, when it was read.
_hashed: dict[str, tuple[tuple[int, ...], str, float]] = {}
RACY = 2.0  # seconds: a file changed this close to its reading is read again, whatever its times
# What an earlier build recorded of the same (see recall_hashes): path -> the same, as JSON.
_recorded: dict[str, list] = {}
RECORDS = 32  # output folders whose record is kept; the least recently built into go first


SIGNED = 5  # numbers in a signature


def _signature(st: os.stat_result) -> tuple[int, ...]:
    return (st.st_dev, st.st_ino, st.st_size, st.st_mtime_ns, st.st_ctime_ns)


def sha256_again(path: str | Path) -> str | None:
    """``sha256_of(path)``, without reading the file again when this process read it before and
    it cannot have changed since: the same file (device, inode), size and times, its last
    change (ctime, which no program can set back) well before that reading. A change after the
    reading would have moved ctime to the time of the change; one in the same clock tick as the
    reading would not, so a file changed within ``RACY`` seconds of it is read again."""
    name = os.fspath(path)
    known = _hashed.get(name) or (_from_record(name) if _recorded else None)
    if known is not None:
        signature, digest, read_at = known
        try:
            st = os.stat(path)
        except OSError:
            return None
        if (
            stat.S_ISREG(st.st_mode)
            and _signature(st) == signature
            and st.st_ctime_ns / 1e9 < read_at - RACY
        ):
            _hashed[name] = known
            return digest
    return sha256_of(path)


def recall_hashes(out: Path) -> None:
    """Let ``sha256_again`` trust what an earlier build into ``out`` hashed, so that a build
    that changed little does not read every dossier and output again. The record is kept in the
    user's cache folder (``stored``), one per output folder and current folder; each entry is
    judged by the file's identity and times as ``sha256_again`` judges its own, so an outdated
    record costs only a reading, and one that cannot be read only means reading every file."""
    from kamdocs import stored  # noqa: PLC0415

    found = stored.recalled("hashes", _record_key(out))
    _recorded.clear()
    if isinstance(found, dict):
        _recorded.update(found)


def _from_record(name: str) -> tuple[tuple[int, ...], str, float] | None:
    """An entry of the recalled record, as ``_hashed`` holds it; ``None`` if it is not one."""
    try:
        signature, digest, read_at = _recorded[name]
        known = (tuple(int(n) for n in signature), str(digest), float(read_at))
    except (KeyError, TypeError, ValueError):
        return None
    return known if len(known[0]) == SIGNED else None


def keep_hashes(out: Path, paths: Iterable[str | Path]) -> None:
    """Record, for the next build into ``out``, what this process hashed or trusted of ``paths``
    (the dossiers, and the outputs it kept: one it wrote was never read); nothing is written
    when the record already says the same."""
    from kamdocs import stored  # noqa: PLC0415

    record = {}
    for path in map(os.fspath, paths):
        known = _hashed.get(path)
        if known is not None:
            record[path] = [list(known[0]), known[1], known[2]]
    if record != _recorded:
        stored.keep("hashes", _record_key(out), record, at_most=RECORDS)
    else:
        stored.used("hashes", _record_key(out))


def _record_key(out: Path) -> str:
    # Relative names in the record mean what they meant from the same current folder only.
    where = f"{Path.cwd()}\0{out.resolve()}"
    return hashlib.sha256(where.encode("utf-8", "surrogatepass")).hexdigest()


# The temporary files a batch makes: ".<name>.<pid>.<n>.tmp" and ".<name>.<pid>.<n>.bak.tmp".
_TEMP = re.compile(r"^\..+\.(\d+)\.\d+(?:\.bak)?\.tmp$")


def _backup_path(target: str, i: int) -> str:
    folder, name = os.path.split(target)
    return os.path.join(folder, f".{name}.{os.getpid()}.{i}.bak.tmp")


def _backup(target: str, i: int) -> bool | None:
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


def _undo(at: Callable[[str], str], staged: list[str], done: list[bool | None]) -> None:
    """Put back what a failed commit replaced: each backup, and no file where there was none."""
    for i in reversed(range(len(done))):
        target = at(staged[i])
        with contextlib.suppress(OSError):
            if done[i] is None:
                continue  # no backup could be made: the new file stays
            if not done[i]:
                os.unlink(target)
                continue
            backup = _backup_path(target, i)
            os.replace(backup, target)
            # A rename onto another link of the same file does nothing: the target was never
            # replaced. Either way the backup name must go.
            with contextlib.suppress(FileNotFoundError):
                os.unlink(backup)


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
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
    except OSError as exc:  # a file where the folder should be, or no right to make it
        raise OutputError(f"{path.parent}: cannot create the folder: {exc.strerror}") from None
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
