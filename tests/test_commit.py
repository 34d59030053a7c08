"""The commit of a batch: the folder's own lock (nothing left in the folder), a flush of only the
files this build wrote, and SIGTERM handled like Ctrl-C."""

from __future__ import annotations

import contextlib
import errno
import fcntl
import hashlib
import json
import os
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from pathlib import Path

import pytest
from helpers import numbered_workspace as workspace
from helpers import run

from kamdocs import output
from kamdocs.errors import OutputError

FIRST, SECOND = "2026-11-26", "2026-12-01"
ALL = ("-f", "md,docx,html")


@pytest.fixture
def ws(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    workspace(tmp_path, 3)
    monkeypatch.chdir(tmp_path)
    return tmp_path


def listing(folder: Path) -> list[str]:
    return sorted(os.listdir(folder))


def contents(folder: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(folder.iterdir())}


def stop(process: subprocess.Popen[str]) -> None:
    """Make sure ``process`` (started here, in its own group) has ended; close its pipes."""
    if process.poll() is None:
        process.kill()
    try:
        process.communicate(timeout=30)
    finally:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGKILL)


# --- the lock: the folder itself, nothing in it ---------------------------------------------


def test_a_build_leaves_only_outputs_and_the_manifest(ws: Path) -> None:
    assert run("build", *ALL, "-o", "out", "--date", FIRST).exit_code == 0
    assert run("render", "dossiers/c000.yaml", "-o", "out", "--date", FIRST).exit_code == 0
    names = listing(ws / "out")
    assert names == sorted(
        [f"client-{i:03d}.{ext}" for i in range(3) for ext in ("md", "docx", "html")]
        + ["manifest.json"]
    )


@pytest.mark.parametrize("kind", ["symlink", "folder"])
def test_a_lock_name_in_the_folder_changes_nothing(ws: Path, kind: str) -> None:
    (ws / "out").mkdir()
    lock, outside = ws / "out/.kamdocs.lock", ws / "outside.txt"
    if kind == "symlink":
        lock.symlink_to(outside)
    else:
        lock.mkdir()
    assert run("build", *ALL, "-o", "out", "--date", FIRST).exit_code == 0
    assert not outside.exists()  # no file made through the link
    assert lock.is_symlink() if kind == "symlink" else lock.is_dir()


def test_the_lock_file_of_earlier_versions_is_removed(ws: Path) -> None:
    (ws / "out").mkdir()
    (ws / "out/.kamdocs.lock").write_bytes(b"")
    assert run("build", *ALL, "-o", "out", "--date", FIRST).exit_code == 0
    assert ".kamdocs.lock" not in listing(ws / "out")


# A build run as a subprocess with one of two hooks: "hold" stops its commit at the critical
# point (the lock taken, nothing replaced yet) until a line arrives on stdin; "report" says
# "commit" on stdout when its commit starts, before it asks for the lock.
HARNESS = """
import sys
from kamdocs import output
from kamdocs.cli import main

hook = sys.argv.pop(1)
if hook == "hold":
    real_backup = output._backup

    def held(target, i):
        if i == 0:
            print("held", flush=True)
            sys.stdin.readline()
        return real_backup(target, i)

    output._backup = held
else:
    real_commit = output.Batch.commit

    def commit(self):
        print("commit", flush=True)
        return real_commit(self)

    output.Batch.commit = commit
main(sys.argv[1:], prog_name="kamdocs")
"""


def start(root: Path, hook: str, date: str) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-c", HARNESS, hook, "build", *ALL, "-o", "out", "--date", date],
        cwd=root,
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=True,
    )


def test_a_second_commit_waits_for_the_first(ws: Path) -> None:
    assert run("build", *ALL, "-o", "reference", "--date", SECOND).exit_code == 0
    second_outputs = contents(ws / "reference")
    first = start(ws, "hold", FIRST)
    second = None
    try:
        assert first.stdout.readline() == "held\n", first.stderr.read()
        second = start(ws, "report", SECOND)
        assert second.stdout.readline() == "commit\n", second.stderr.read()
        time.sleep(1.5)  # ample time to commit three dossiers, were it not for the lock
        assert second.poll() is None, "the second build committed while the first held the lock"
        first.stdin.write("\n")
        first.stdin.flush()
        out1, err1 = first.communicate(timeout=120)
        out2, err2 = second.communicate(timeout=120)
    finally:
        stop(first)
        if second is not None:
            stop(second)
    assert first.returncode == 0, err1
    assert second.returncode == 0, err2
    assert out2.endswith("manifest.json in out\n")
    assert contents(ws / "out") == second_outputs  # the one that committed last, whole


# --- flushing: the files this build wrote, not every file system ----------------------------


def test_a_commit_flushes_its_own_files_and_not_the_machine(
    ws: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def no_sync() -> None:
        raise AssertionError("os.sync() flushes every file system of the machine")

    flushed: list[str] = []
    real = output._flush

    def flush(fd: int) -> None:
        flushed.append(os.path.basename(os.readlink(f"/proc/self/fd/{fd}")))
        real(fd)

    monkeypatch.setattr(os, "sync", no_sync)
    monkeypatch.setattr(output, "_flush", flush)
    result = run("build", *ALL, "-o", "out", "--date", FIRST)
    assert result.exit_code == 0, result.output
    pid = os.getpid()
    written = [n for n in listing(ws / "out")]
    assert len(flushed) == len(written) == 10
    assert sorted(name.split(f".{pid}.")[0].lstrip(".") for name in flushed) == written


# --- SIGTERM, what a CI time-out sends ------------------------------------------------------------


def test_sigterm_during_a_build_changes_nothing(tmp_path: Path) -> None:
    root = workspace(tmp_path, 90)
    cmd = [sys.executable, "-m", "kamdocs", "build", *ALL, "-o", "out"]
    done = subprocess.run([*cmd, "--date", FIRST], cwd=root, capture_output=True, timeout=300)
    assert done.returncode == 0, done.stderr
    out = root / "out"
    before = {p.name: (p.read_bytes(), p.stat().st_mtime_ns) for p in out.iterdir()}
    process = subprocess.Popen(
        [*cmd, "--date", SECOND],
        cwd=root,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=True,
    )
    try:
        deadline = time.monotonic() + 120
        while not any(n.endswith(".tmp") for n in os.listdir(out)):
            assert process.poll() is None, "the build finished before it was caught staging"
            assert time.monotonic() < deadline, "the build never staged a file"
            time.sleep(0.001)
        os.killpg(process.pid, signal.SIGTERM)  # to the whole group, workers too, as CI does
        stdout, stderr = process.communicate(timeout=120)
    finally:
        stop(process)
    assert process.returncode == 143, stderr
    assert stderr == "terminated; no output was changed\n"
    assert stdout == ""
    after = {p.name: (p.read_bytes(), p.stat().st_mtime_ns) for p in out.iterdir()}
    assert after == before  # no temporary file left, nothing replaced
    assert json.loads((out / "manifest.json").read_text("utf-8"))["build_date"] == FIRST


def test_sigterm_handler_is_put_back_after_a_command(ws: Path) -> None:
    before = signal.getsignal(signal.SIGTERM)
    assert run("build", "-f", "md", "-o", "out", "--date", FIRST).exit_code == 0
    assert signal.getsignal(signal.SIGTERM) is before


# --- the lock, in this process: held for the whole commit, released after it ----------------


def free(folder: Path) -> bool:
    """Whether another open of ``folder`` could take its lock now (taken and released at once)."""
    fd = os.open(folder, os.O_RDONLY)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        return False
    finally:
        os.close(fd)  # also releases it
    return True


def test_a_commit_waits_while_another_build_holds_the_lock(tmp_path: Path) -> None:
    out = tmp_path / "out"
    out.mkdir()
    (out / "a.md").write_bytes(b"old\n")
    batch = output.Batch(out)
    batch.add("a.md", b"new\n")
    held = os.open(out, os.O_RDONLY)
    fcntl.flock(held, fcntl.LOCK_EX)  # as another build's commit does
    outcome: list[object] = []
    committer = threading.Thread(target=lambda: outcome.append(batch.commit()))
    try:
        committer.start()
        committer.join(1.0)  # ample time to move one file into place, were it not for the lock
        assert committer.is_alive(), "the commit went ahead while another build held the lock"
        assert (out / "a.md").read_bytes() == b"old\n"
    finally:
        os.close(held)
        committer.join(60)
    assert outcome == [[("a.md", hashlib.sha256(b"new\n").hexdigest())]]
    assert (out / "a.md").read_bytes() == b"new\n"
    assert free(out)  # and the commit let go of it


def test_a_failed_commit_lets_go_of_the_lock(tmp_path: Path) -> None:
    out = tmp_path / "out"
    batch = output.Batch(out)
    batch.add("a.md", b"new\n")
    (out / "a.md").mkdir()
    with pytest.raises(OutputError, match="a folder is in the way"):
        batch.commit()
    assert free(out)
    assert sorted(os.listdir(out)) == ["a.md"]  # the staged file went too


def test_a_folder_that_cannot_be_locked(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    missing = tmp_path / "gone"
    with pytest.raises(OutputError) as caught:
        output.lock_folder(missing)
    assert (
        str(caught.value) == f"{missing}: cannot lock the output folder: No such file or directory"
    )

    # A network file system without a lock service refuses flock: said so, no descriptor left.
    def no_locks(fd: int, operation: int) -> None:
        raise OSError(errno.ENOLCK, os.strerror(errno.ENOLCK))

    monkeypatch.setattr(output.fcntl, "flock", no_locks)
    before = sorted(os.listdir("/proc/self/fd"))
    with pytest.raises(OutputError) as caught:
        output.lock_folder(tmp_path)
    assert str(caught.value) == f"{tmp_path}: cannot lock the output folder: No locks available"
    assert sorted(os.listdir("/proc/self/fd")) == before


# --- a commit that fails while removing the files of an earlier build ----------------------


def failing_on(
    call: int, error: BaseException, real: Callable[..., object]
) -> Callable[..., object]:
    """``real``, except that its ``call``-th call raises ``error``."""
    calls: list[tuple[object, ...]] = []

    def fake(*args: object) -> object:
        calls.append(args)
        if len(calls) == call:
            raise error
        return real(*args)

    fake.calls = calls  # type: ignore[attr-defined]
    return fake


def snapshot(folder: Path) -> dict[str, tuple[bytes, int]]:
    return {p.name: (p.read_bytes(), p.stat().st_mtime_ns) for p in sorted(folder.iterdir())}


@pytest.mark.parametrize(
    "error", [OSError(errno.EIO, os.strerror(errno.EIO)), KeyboardInterrupt()], ids=["EIO", "^C"]
)
def test_a_failed_removal_of_an_old_file_puts_everything_back(
    ws: Path, monkeypatch: pytest.MonkeyPatch, error: BaseException
) -> None:
    assert run("build", *ALL, "-o", "out", "--date", FIRST).exit_code == 0
    before = snapshot(ws / "out")
    # Markdown only, another date: three files and the manifest replaced (four renames), then
    # the six DOCX and HTML files of the first build moved aside; the second of those fails.
    fake = failing_on(6, error, os.replace)
    monkeypatch.setattr(output.os, "replace", fake)
    result = run("build", "-f", "md", "-o", "out", "--date", SECOND)
    moved = Path(str(fake.calls[5][0]))  # type: ignore[attr-defined]
    assert moved.suffix in (".docx", ".html")
    if isinstance(error, OSError):
        assert result.exit_code == 1, result.output
        assert result.stderr == f"out/{moved.name}: cannot remove: {error.strerror}\n"
    else:
        assert result.exit_code == 130, result.output
        assert result.stderr == "interrupted; no output was changed\n"
    assert snapshot(ws / "out") == before  # the one moved aside is back, the four undone


# --- a batch on its own -------------------------------------------------------------------------


def sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def test_an_empty_batch_commits_nothing_and_makes_no_folder(tmp_path: Path) -> None:
    assert output.Batch(tmp_path / "never").commit() == []
    assert not (tmp_path / "never").exists()
    batch = output.Batch(tmp_path)
    (tmp_path / "a.md").write_bytes(b"kept\n")
    batch.keep("a.md", sha(b"kept\n"))  # kept alone: checked under the lock, and returned
    assert batch.commit() == [("a.md", sha(b"kept\n"))]


def test_an_output_folder_removed_while_a_batch_stages_is_an_error(tmp_path: Path) -> None:
    # The folder is made (or found) once, for the first file; one removed afterwards took the
    # files staged in it, so the next file is refused, with its name, and nothing is written.
    out = tmp_path / "deep/out"
    batch = output.Batch(out)
    batch.add("a.md", b"a\n")
    assert out.is_dir()
    for path in out.iterdir():
        path.unlink()
    out.rmdir()
    with pytest.raises(OutputError, match=r"out/b\.md: cannot write: No such file or directory"):
        batch.add("b.md", b"b\n")
    batch.abort()
    assert not out.exists() and not (tmp_path / "deep").exists()


def test_a_commit_lists_the_files_staged_in_order_then_those_kept(tmp_path: Path) -> None:
    (tmp_path / "k.md").write_bytes(b"kept\n")
    batch = output.Batch(tmp_path)
    assert batch.add("b.md", b"b\n") == sha(b"b\n")
    batch.add("a.md", b"a\n")
    batch.keep("k.md", sha(b"kept\n"))
    assert batch.staged == [("b.md", sha(b"b\n")), ("a.md", sha(b"a\n"))]
    assert batch.names() == ["b.md", "a.md"] and batch.digest("a.md") == sha(b"a\n")
    files = batch.commit()
    expected = [("b.md", sha(b"b\n")), ("a.md", sha(b"a\n")), ("k.md", sha(b"kept\n"))]
    assert files == expected and list(files) == expected and len(files) == 3
    assert (files[0], files[-1], files[1:]) == (expected[0], expected[-1], expected[1:])
    for past in (3, -4):
        with pytest.raises(IndexError, match="^file index out of range$"):
            files[past]
    assert files != "ab" and files != 3 and files != [expected[0]]
    assert repr(files) == f"Files({expected!r})"
    assert batch.staged == [] and batch.commit() == []


@pytest.mark.parametrize("folder", [".", "build", "a/b", "/abs/out", "./x"])
def test_a_file_is_named_in_its_folder_as_pathlib_names_it(folder: str) -> None:
    # Messages name out/name as str(Path(out) / name) would: "a.md" in the current folder.
    assert output.joined(os.fspath(Path(folder)), "a.md") == str(Path(folder) / "a.md")


def test_a_name_staged_twice_is_refused(tmp_path: Path) -> None:
    batch = output.Batch(tmp_path)
    batch.add("a.md", b"first\n")
    with pytest.raises(ValueError, match="a.md: staged twice"):
        batch.add("a.md", b"second\n")
    batch.commit()
    assert (tmp_path / "a.md").read_bytes() == b"first\n"


def test_a_file_written_again_is_never_removed_as_obsolete(tmp_path: Path) -> None:
    (tmp_path / "a.md").write_bytes(b"same\n")
    batch = output.Batch(tmp_path)
    batch.add("a.md", b"same\n")  # the same bytes as before, so the same sha256
    batch.remove("a.md", sha(b"same\n"))
    batch.commit()
    assert (tmp_path / "a.md").read_bytes() == b"same\n"
    assert batch.removed == []


def test_a_link_in_the_place_of_an_obsolete_file_stays(tmp_path: Path) -> None:
    out, elsewhere = tmp_path / "out", tmp_path / "elsewhere.md"
    out.mkdir()
    elsewhere.write_bytes(b"old output\n")
    (out / "a.md").symlink_to(elsewhere)  # a link to a file with the recorded sha256
    batch = output.Batch(out)
    batch.add("b.md", b"new\n")
    batch.remove("a.md", sha(b"old output\n"))
    batch.commit()
    assert (out / "a.md").is_symlink() and elsewhere.read_bytes() == b"old output\n"
    assert batch.removed == []


def test_a_lock_file_of_earlier_versions_that_is_a_link_stays(ws: Path) -> None:
    (ws / "out").mkdir()
    outside = ws / "outside.txt"
    outside.write_bytes(b"not ours\n")
    (ws / "out/.kamdocs.lock").symlink_to(outside)
    assert run("build", *ALL, "-o", "out", "--date", FIRST).exit_code == 0
    assert (ws / "out/.kamdocs.lock").is_symlink()
    assert outside.read_bytes() == b"not ours\n"


def test_only_a_folder_can_be_locked(tmp_path: Path) -> None:
    (tmp_path / "a.md").write_bytes(b"")
    with pytest.raises(OutputError) as caught:
        output.lock_folder(tmp_path / "a.md")
    assert (
        str(caught.value) == f"{tmp_path / 'a.md'}: cannot lock the output folder: Not a directory"
    )


def test_an_abort_leaves_a_folder_it_made_once_another_file_is_in_it(tmp_path: Path) -> None:
    out = tmp_path / "new/out"
    batch = output.Batch(out)
    batch.add("a.md", b"staged\n")
    (out / "notes.txt").write_bytes(b"someone else's\n")
    batch.abort()
    assert os.listdir(out) == ["notes.txt"]


def test_a_removal_that_cannot_be_put_back_either_still_undoes_the_rest(
    ws: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    assert run("build", *ALL, "-o", "out", "--date", FIRST).exit_code == 0
    before = snapshot(ws / "out")
    calls: list[tuple[object, ...]] = []
    real = os.replace

    def replace(*args: object) -> None:
        calls.append(args)
        if len(calls) in (6, 7):  # the second removal fails, then putting back the first
            raise OSError(errno.EIO, os.strerror(errno.EIO))
        real(*args)  # type: ignore[arg-type]

    monkeypatch.setattr(output.os, "replace", replace)
    result = run("build", "-f", "md", "-o", "out", "--date", SECOND)
    assert result.exit_code == 1, result.output
    moved = Path(str(calls[5][0])).name
    assert result.stderr == f"out/{moved}: cannot remove: {os.strerror(errno.EIO)}\n"
    after = snapshot(ws / "out")
    first_removed = Path(str(calls[4][0])).name
    assert {n: v for n, v in after.items() if not n.startswith(".")} == {
        n: v for n, v in before.items() if n != first_removed
    }  # the four replaced files put back; the one that could not be is kept, hidden
    (hidden,) = (n for n in after if n.startswith("."))
    assert after[hidden] == before[first_removed]


def test_the_files_of_another_users_build_are_left_alone(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    theirs = 999_999_999  # a build of another user: kill(pid, 0) is not permitted
    real_kill = os.kill

    def kill(pid: int, sig: int) -> None:
        if pid == theirs:
            raise PermissionError(errno.EPERM, os.strerror(errno.EPERM))
        real_kill(pid, sig)

    monkeypatch.setattr(output.os, "kill", kill)
    (tmp_path / f".a.md.{theirs}.0.tmp").write_bytes(b"their staged file")
    assert output.remove_stale(tmp_path) == []
    assert os.listdir(tmp_path) == [f".a.md.{theirs}.0.tmp"]


def test_a_temporary_file_left_by_a_killed_build_with_this_builds_pid_is_no_obstacle(
    ws: Path,
) -> None:
    # In a container every build may run under the same process id: a killed one leaves its
    # temporary files under the names the next build stages to.
    assert run("build", *ALL, "-o", "out", "--date", FIRST).exit_code == 0
    leftover = ws / "out" / f".client-000.md.{os.getpid()}.0.tmp"
    leftover.write_bytes(b"half a document")
    result = run("build", *ALL, "-o", "out", "--date", SECOND)
    assert result.exit_code == 0, result.output
    assert sorted(n for n in listing(ws / "out") if n.startswith(".")) == []
    assert json.loads((ws / "out/manifest.json").read_text("utf-8"))["build_date"] == SECOND


def test_a_folder_made_by_another_build_just_after_this_one_looked(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    out = tmp_path / "out"
    out.mkdir()
    looked = []
    real_is_dir = Path.is_dir

    def is_dir(self: Path) -> bool:
        if self == out and not looked:  # not there yet when this build looked
            looked.append(self)
            return False
        return real_is_dir(self)

    monkeypatch.setattr(Path, "is_dir", is_dir)
    batch = output.Batch(out)
    batch.add("a.md", b"new\n")
    assert looked == [out]
    batch.commit()
    assert (out / "a.md").read_bytes() == b"new\n"


@pytest.mark.parametrize("kind", ["folder", "link"])
def test_a_temporary_name_taken_by_a_folder_or_link_is_an_error(tmp_path: Path, kind: str) -> None:
    # Not a killed build's leftover (kamdocs stages regular files only): an error. The name is
    # cleared as after any failed write (a link goes, never what it points to).
    batch = output.Batch(tmp_path)
    in_the_way = Path(batch._temp(0, "a.md"))
    if kind == "folder":
        in_the_way.mkdir()
    else:
        (tmp_path / "elsewhere").mkdir()
        (tmp_path / "elsewhere/file").write_bytes(b"")
        in_the_way.symlink_to(tmp_path / "elsewhere/file")
    with pytest.raises(OutputError) as caught:
        batch.add("a.md", b"new\n")
    assert str(caught.value) == f"{tmp_path / 'a.md'}: cannot write: File exists"
    if kind == "link":
        assert (tmp_path / "elsewhere/file").read_bytes() == b""
    else:
        assert in_the_way.is_dir()
    assert batch.staged == []


def test_only_the_files_a_dead_build_left_are_removed_and_listed(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    dead = subprocess.Popen([sys.executable, "-c", "pass"])
    dead.wait()
    elsewhere = tmp_path / "elsewhere.md"
    elsewhere.write_bytes(b"not a leftover\n")
    out = tmp_path / "out"
    out.mkdir()
    names = [f".{n}.{dead.pid}.0.tmp" for n in ("a.md", "b.md", "c.md", "link.md")]
    for name in names[:3]:
        (out / name).write_bytes(b"half")
    (out / names[3]).symlink_to(elsewhere)  # named like one, but a link: not kamdocs' own
    real_unlink = os.unlink

    def unlink(path: str) -> None:  # b.md: not ours to remove (a sticky folder, say)
        if path.endswith(names[1]):
            raise PermissionError(errno.EPERM, os.strerror(errno.EPERM))
        real_unlink(path)

    monkeypatch.setattr(output.os, "unlink", unlink)
    removed = output.remove_stale(out)
    assert sorted(removed) == [out / names[0], out / names[2]]
    assert sorted(os.listdir(out)) == sorted(names[1:2] + names[3:])
    assert elsewhere.read_bytes() == b"not a leftover\n"
