"""Faults while writing: a full disk, a failing rename, Ctrl-C, a kill, two builds at once.

Whatever happens, every output file is the old version or a complete new one, a failed run
changes nothing, and no temporary file is ever taken for an output (docs/security.md).
"""

from __future__ import annotations

import contextlib
import errno
import hashlib
import json
import os
import shutil
import signal
import subprocess
import sys
import time
import zipfile
from collections.abc import Callable
from pathlib import Path

import pytest
from click.testing import Result
from helpers import numbered_workspace as workspace
from helpers import run

from kamdocs import output

FIRST, SECOND = "2026-11-26", "2026-12-01"
ALL = ("-f", "md,docx,html")
Big = tuple[Path, dict[str, bytes], dict[str, bytes]]  # a workspace, outputs of FIRST and SECOND
# The numbered workspace's dossiers have no issue date, so the build date is in every
# document: a build with another date changes every file.


@pytest.fixture
def ws(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Thirty dossiers (enough for a parallel batch), built once into out/; the current folder."""
    workspace(tmp_path, 30)
    monkeypatch.chdir(tmp_path)
    assert run("build", *ALL, "-o", "out", "--date", FIRST).exit_code == 0
    return tmp_path


def snapshot(folder: Path) -> dict[str, tuple[bytes, int]]:
    """Every entry of ``folder``, hidden ones too, with its bytes and modification time."""
    return {p.name: (p.read_bytes(), p.stat().st_mtime_ns) for p in sorted(folder.iterdir())}


def temporary(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir() if p.name.endswith(".tmp"))


def failed(result: Result, exit_code: int = 1) -> str:
    assert result.exit_code == exit_code, result.output
    assert "Traceback" not in result.output
    assert result.stdout == ""
    return result.stderr


def failing_on(
    call: int, error: BaseException, real: Callable[..., object]
) -> Callable[..., object]:
    """``real``, except that its ``call``-th call raises ``error``."""
    calls = []

    def fake(*args: object, **kwargs: object) -> object:
        calls.append(args)
        if len(calls) == call:
            raise error
        return real(*args, **kwargs)

    fake.calls = calls  # type: ignore[attr-defined]
    return fake


def failing_write(call: int, error: BaseException) -> Callable[..., object]:
    """The built-in ``open``, except that the ``call``-th file created (mode "x") gets a few bytes
    and then ``error``, as when the disk fills up or Ctrl-C comes halfway through a write."""
    real_open = open
    created: list[object] = []

    def fake(path: object, mode: str = "r", *args: object, **kwargs: object) -> object:
        handle = real_open(path, mode, *args, **kwargs)  # type: ignore[call-overload]
        if "x" in mode:
            created.append(path)
            if len(created) == call:
                handle.write(b"half a document")
                handle.close()
                raise error
        return handle

    fake.created = created  # type: ignore[attr-defined]
    return fake


ENOSPC = OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))
EIO = OSError(errno.EIO, os.strerror(errno.EIO))


# --- in-process faults: disk full, a rename that fails, Ctrl-C ------------------------------------


def test_disk_full_on_the_nth_file_of_a_parallel_build(
    ws: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    before = snapshot(ws / "out")
    full_disk = failing_write(40, ENOSPC)  # the disk fills up in the middle of the 40th file
    monkeypatch.setattr(output, "open", full_disk, raising=False)
    stderr = failed(run("build", *ALL, "-o", "out", "--date", SECOND))
    staged = Path(str(full_disk.created[-1]))  # type: ignore[attr-defined]
    name = staged.name.split(".")[1]  # .<name>.<pid>.<n>.tmp
    assert stderr.startswith(f"out/{name}.")
    assert stderr.rstrip().endswith(": cannot write: No space left on device")
    assert len(stderr.splitlines()) == 1
    assert snapshot(ws / "out") == before  # nothing changed, no temporary file left


@pytest.mark.parametrize("error", [ENOSPC, EIO], ids=["ENOSPC", "EIO"])
def test_a_staged_file_that_cannot_be_flushed_stops_the_build(
    ws: Path, monkeypatch: pytest.MonkeyPatch, error: OSError
) -> None:
    """Each staged file is flushed to the disk before the next is written; a flush that fails
    (a disk that fills up only when the data is allocated, a failing disk) stops the build
    before anything is put in place, and names its file."""
    before = snapshot(ws / "out")
    flushed: list[str] = []
    real = output._flush

    def flush(fd: int) -> None:
        flushed.append(os.path.basename(os.readlink(f"/proc/self/fd/{fd}")))
        if len(flushed) == 40:
            raise error
        real(fd)

    monkeypatch.setattr(output, "_flush", flush)
    stderr = failed(run("build", *ALL, "-o", "out", "--date", SECOND))
    name = flushed[39].lstrip(".").split(f".{os.getpid()}.")[0]
    assert stderr == f"out/{name}: cannot write: {error.strerror}\n"
    assert len(flushed) == 40  # none flushed after the failure
    assert snapshot(ws / "out") == before  # nothing changed, no temporary file left


@pytest.mark.parametrize("error", [ENOSPC, EIO], ids=["ENOSPC", "EIO"])
def test_a_rename_failing_partway_through_commit_changes_nothing(
    ws: Path, monkeypatch: pytest.MonkeyPatch, error: OSError
) -> None:
    before = snapshot(ws / "out")
    fake = failing_on(25, error, os.replace)  # 24 outputs are already in place by then
    monkeypatch.setattr(output.os, "replace", fake)
    stderr = failed(run("build", *ALL, "-o", "out", "--date", SECOND))
    target = Path(str(fake.calls[24][1]))  # type: ignore[attr-defined]
    assert stderr == f"out/{target.name}: cannot replace: {error.strerror}\n"
    assert snapshot(ws / "out") == before  # the 24 were put back: same bytes, same mtimes


def test_ctrl_c_partway_through_commit_changes_nothing(
    ws: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    before = snapshot(ws / "out")
    monkeypatch.setattr(output.os, "replace", failing_on(40, KeyboardInterrupt(), os.replace))
    stderr = failed(run("build", *ALL, "-o", "out", "--date", SECOND), exit_code=130)
    assert stderr == "interrupted; no output was changed\n"
    assert snapshot(ws / "out") == before


def test_ctrl_c_while_staging_leaves_no_temporary_file(
    ws: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    before = snapshot(ws / "out")
    monkeypatch.setattr(output, "open", failing_write(7, KeyboardInterrupt()), raising=False)
    stderr = failed(run("build", *ALL, "-o", "out", "--date", SECOND), exit_code=130)
    assert stderr == "interrupted; no output was changed\n"
    assert snapshot(ws / "out") == before


def test_a_folder_without_hard_links_is_still_written(
    ws: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Some file systems (FAT, some network shares) have no hard links, so no backups: the
    # build still works, it just cannot undo a rename that fails half-way.
    def no_links(*args: object, **kwargs: object) -> None:
        raise OSError(errno.EPERM, os.strerror(errno.EPERM))

    monkeypatch.setattr(output.os, "link", no_links)
    assert run("build", *ALL, "-o", "out", "--date", SECOND).exit_code == 0
    assert temporary(ws / "out") == []
    manifest = json.loads((ws / "out/manifest.json").read_text("utf-8"))
    assert manifest["build_date"] == SECOND
    assert_manifest_matches(ws / "out")


def test_without_hard_links_a_failing_rename_loses_no_output(
    ws: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # No backups, so nothing can be put back: every earlier output must still be there, whole,
    # either as it was or as the new build wrote it.
    def no_links(*args: object, **kwargs: object) -> None:
        raise OSError(errno.EPERM, os.strerror(errno.EPERM))

    before = snapshot(ws / "out")
    with monkeypatch.context() as patch:
        patch.setattr(output.os, "link", no_links)
        patch.setattr(output.os, "replace", failing_on(25, ENOSPC, os.replace))
        failed(run("build", *ALL, "-o", "out", "--date", SECOND))
    after = snapshot(ws / "out")
    assert sorted(after) == sorted(before)
    assert run("build", *ALL, "-o", "new", "--date", SECOND).exit_code == 0
    for name, (data, _) in after.items():
        if not name.startswith("."):  # the lock file
            assert data in (before[name][0], (ws / "new" / name).read_bytes()), name


def dead_pid() -> int:
    process = subprocess.Popen([sys.executable, "-c", "pass"])
    process.wait()
    return process.pid


def test_a_build_removes_temporary_files_of_killed_builds(ws: Path) -> None:
    # "Alive" is a process this test starts: were kamdocs to send a signal to the builds it
    # finds, it would reach that one alone (and the test would see it gone).
    running = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(600)"])
    try:
        removes_the_killed_leave_the_running(ws, dead_pid(), running.pid)
        assert running.poll() is None, "kamdocs signalled the build still running"
    finally:
        running.kill()
        running.wait()


def removes_the_killed_leave_the_running(ws: Path, dead: int, alive: int) -> None:
    leftovers = {
        f".c001.md.{dead}.0.tmp": b"half",
        f".c001.docx.{dead}.17.bak.tmp": b"old",
        f".c002.md.{alive}.3.tmp": b"a build still running",
        ".notes.tmp": b"not ours",
        "draft.tmp": b"not ours either",
    }
    for name, data in leftovers.items():
        (ws / "out" / name).write_bytes(data)
    assert run("build", *ALL, "-o", "out", "--date", SECOND).exit_code == 0
    assert temporary(ws / "out") == sorted([f".c002.md.{alive}.3.tmp", ".notes.tmp", "draft.tmp"])
    assert_manifest_matches(ws / "out")


# --- other processes: Ctrl-C, a kill, two builds at once ------------------------------------------


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def assert_manifest_matches(folder: Path) -> dict:
    manifest = json.loads((folder / "manifest.json").read_text("utf-8"))
    listed = {o["path"]: o["sha256"] for o in manifest["outputs"]}
    on_disk = {p.name for p in folder.iterdir() if not p.name.startswith(".")}
    on_disk -= {"manifest.json", "draft.tmp"}  # draft.tmp: a user's file, not an output
    assert set(listed) == on_disk
    for name, digest in listed.items():
        assert sha256(folder / name) == digest, name
    return manifest


def outputs(folder: Path) -> dict[str, bytes]:
    """What a reader of ``folder`` takes for outputs (hidden files are not outputs)."""
    return {p.name: p.read_bytes() for p in folder.iterdir() if not p.name.startswith(".")}


def start_build(root: Path, date: str, out: str = "out") -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-m", "kamdocs", "build", *ALL, "-o", out, "--date", date],
        cwd=root,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=True,  # its own process group: a signal goes to it alone
    )


def stop(process: subprocess.Popen[str]) -> None:
    """Make sure ``process`` (started here) has ended, and close its pipes."""
    if process.poll() is None:
        process.kill()
    try:
        process.communicate(timeout=30)  # its workers leave once it is gone (kamdocs.build)
    finally:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGKILL)  # its own group: only what it started
        # Read to the end and close the pipes, also when the wait above timed out: pipes left
        # open are reported when they are collected, as a failure of whichever test runs then.
        process.communicate(timeout=30)


def wait_for_staging(process: subprocess.Popen[str], out: Path) -> None:
    """Return once ``process`` has staged a file in ``out`` (a hidden .tmp appeared)."""
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if any(n.endswith(".tmp") for n in os.listdir(out)):
            return
        assert process.poll() is None, "the build finished before it was caught staging"
        time.sleep(0.001)
    raise AssertionError("the build never staged a file")


@pytest.fixture(scope="module")
def big(tmp_path_factory: pytest.TempPathFactory) -> Big:
    """120 dossiers, with every output of a build on FIRST and of a build on SECOND."""
    root = workspace(tmp_path_factory.mktemp("big"), 120)
    for date, out in ((FIRST, "ref1"), (SECOND, "ref2")):
        done = subprocess.run(
            [sys.executable, "-m", "kamdocs", "build", *ALL, "-o", out, "--date", date],
            cwd=root,
            capture_output=True,
            text=True,
            check=False,
            timeout=300,
        )
        assert done.returncode == 0, done.stderr
    return root, outputs(root / "ref1"), outputs(root / "ref2")


def fresh_out(big: Big, name: str) -> Path:
    root = big[0]
    shutil.copytree(root / "ref1", root / name)
    return root / name


# A build that stops after staging its first file until a line arrives on stdin, so that a
# signal is sure to come while it stages (a fast machine could otherwise finish first).
HOLD_WHILE_STAGING = """
import sys
from kamdocs import output
from kamdocs.cli import main

real_add = output.Batch.add
held = []

def add(self, name, data):
    digest = real_add(self, name, data)
    if not held:
        held.append(name)
        print("staged", flush=True)
        sys.stdin.readline()
    return digest

output.Batch.add = add
main(sys.argv[1:], prog_name="kamdocs")
"""


def test_ctrl_c_during_a_build(big: Big) -> None:
    root, _, _ = big
    out = fresh_out(big, "interrupted")
    before = snapshot(out)
    process = subprocess.Popen(
        [sys.executable, "-c", HOLD_WHILE_STAGING, "build", *ALL, "-o", out.name, "--date", SECOND],
        cwd=root,
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=True,
    )
    try:
        assert process.stdout.readline() == "staged\n", process.stderr.read()
        assert any(n.endswith(".tmp") for n in os.listdir(out))  # caught while staging
        process.send_signal(signal.SIGINT)
        stdout, stderr = process.communicate(timeout=60)
    finally:
        stop(process)
    assert process.returncode == 130, stderr
    assert stderr == "interrupted; no output was changed\n"
    assert stdout == ""
    assert snapshot(out) == before  # same files, bytes and mtimes; no temporary file left


def test_a_build_killed_midway(big: Big) -> None:
    root, old, new = big
    out = fresh_out(big, "killed")
    for delay in (0.0, 0.3):  # while staging, and (perhaps) while committing
        process = start_build(root, SECOND, out.name)
        try:
            wait_for_staging(process, out)
            time.sleep(delay)
            process.send_signal(signal.SIGKILL)
        finally:
            stop(process)
        assert process.returncode == -signal.SIGKILL
        found = outputs(out)
        assert set(found) == set(old)  # no temporary file is taken for an output
        for name, data in found.items():
            assert data in (old[name], new[name]), name  # never half-written
            if name.endswith(".docx"):
                with zipfile.ZipFile(out / name) as package:
                    assert package.testzip() is None
        leftovers = [n for n in os.listdir(out) if n.endswith(".tmp")]
        assert all(output._TEMP.match(n) for n in leftovers), leftovers
    # The next build finishes the job and clears what the killed ones left behind.
    done = subprocess.run(
        [sys.executable, "-m", "kamdocs", "build", *ALL, "-o", out.name, "--date", SECOND],
        cwd=root,
        capture_output=True,
        text=True,
        check=False,
        timeout=300,
    )
    assert done.returncode == 0, done.stderr
    assert outputs(out) == new
    assert temporary(out) == []


# A batch killed right after it forked its workers: a worker that starts once its parent is gone
# (reparented, so os.getppid() names another process) still holds the batch's stdout.
WORKER_AFTER_ITS_PARENT = """
import os, time
from kamdocs import build

parent = os.getpid()
if os.fork() == 0:
    while os.getppid() == parent:
        time.sleep(0.01)
    build._worker_init(parent)
    time.sleep(60)  # waits for work that never comes
    os._exit(0)
print("forked", flush=True)
os._exit(0)
"""


def test_a_worker_started_after_its_parent_was_killed_leaves() -> None:
    # The run ends when nothing holds its stdout any more: the worker must be gone too. Before
    # the parent's id was handed in, such a worker waited forever (a build killed at the wrong
    # moment hung whoever read its output).
    done = subprocess.run(
        [sys.executable, "-c", WORKER_AFTER_ITS_PARENT],
        capture_output=True,
        text=True,
        timeout=20,
        check=False,
    )
    assert done.stdout == "forked\n", done.stderr


def test_two_builds_at_once_leave_a_consistent_folder(big: Big) -> None:
    root, old, new = big
    out = root / "shared"
    for _ in range(2):
        first, second = start_build(root, FIRST, out.name), start_build(root, SECOND, out.name)
        for process in (first, second):
            _, stderr = process.communicate(timeout=300)
            assert process.returncode == 0, stderr
        manifest = assert_manifest_matches(out)  # committed together with the files it lists
        expected = old if manifest["build_date"] == FIRST else new
        assert outputs(out) == expected  # every file of the same (last) build, complete
        assert temporary(out) == []


# --- the undo of a failed commit, file by file ------------------------------------------------


@pytest.fixture
def small(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Three dossiers built on FIRST into out/, and the same built on SECOND into ref/; the
    current folder."""
    workspace(tmp_path, 3)
    monkeypatch.chdir(tmp_path)
    for date, out in ((FIRST, "out"), (SECOND, "ref")):
        assert run("build", *ALL, "-o", out, "--date", date).exit_code == 0
    return tmp_path


def test_a_failing_rename_removes_new_files_and_puts_old_ones_back(
    small: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    before = snapshot(small / "out")
    third = (small / "dossiers/c002.yaml").read_text("utf-8")
    fourth = third.replace("Client 002", "Client 003")  # its three files are new to out/
    (small / "dossiers/c003.yaml").write_text(fourth, "utf-8")
    # Its files are staged after the nine of the others: the 11th rename is its second file,
    # the 10th its first, already in place when the 11th fails.
    fake = failing_on(11, ENOSPC, os.replace)
    monkeypatch.setattr(output.os, "replace", fake)
    stderr = failed(run("build", *ALL, "-o", "out", "--date", SECOND))
    new_one = Path(str(fake.calls[10][1]))  # type: ignore[attr-defined]
    assert new_one.name.startswith("client-003.")
    assert stderr == f"out/{new_one.name}: cannot replace: No space left on device\n"
    assert snapshot(small / "out") == before


def test_a_file_that_cannot_be_linked_keeps_its_new_version_and_the_rest_is_undone(
    small: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # A file with as many hard links as its file system allows cannot get a backup: its new
    # version stays, whole, and every other file is put back, before it and after it.
    before = snapshot(small / "out")
    links = failing_on(5, OSError(errno.EMLINK, os.strerror(errno.EMLINK)), os.link)
    monkeypatch.setattr(output.os, "link", links)
    monkeypatch.setattr(output.os, "replace", failing_on(9, EIO, os.replace))
    failed(run("build", *ALL, "-o", "out", "--date", SECOND))
    unlinked = Path(str(links.calls[4][0])).name  # type: ignore[attr-defined]
    after = snapshot(small / "out")
    assert after[unlinked][0] == (small / "ref" / unlinked).read_bytes()
    assert {n: v for n, v in after.items() if n != unlinked} == {
        n: v for n, v in before.items() if n != unlinked
    }


def test_a_folder_the_file_system_cannot_flush_still_gets_its_build(
    small: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Some file systems refuse fsync on a folder (EINVAL): the files themselves are flushed.
    def no_folder_sync(fd: int) -> None:
        raise OSError(errno.EINVAL, os.strerror(errno.EINVAL))

    monkeypatch.setattr(output.os, "fsync", no_folder_sync)
    result = run("build", *ALL, "-o", "out", "--date", SECOND)
    assert result.exit_code == 0, result.output
    assert outputs(small / "out") == outputs(small / "ref")


def test_every_hidden_file_a_commit_makes_is_one_a_later_build_can_clear(
    small: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Were the build killed mid-commit, the next build removes what it left: only names it
    # recognises as a dead build's (.<name>.<pid>.<n>[.bak].tmp) can be cleared.
    made: list[str] = []
    real_link, real_replace = os.link, os.replace

    def link(src: object, dst: object) -> None:
        made.append(Path(str(dst)).name)
        real_link(src, dst)  # type: ignore[arg-type]

    def replace(src: object, dst: object) -> None:
        made.append(Path(str(dst)).name)
        real_replace(src, dst)  # type: ignore[arg-type]

    monkeypatch.setattr(output.os, "link", link)
    monkeypatch.setattr(output.os, "replace", replace)
    # Markdown alone: three files and the manifest replaced, six DOCX and HTML files removed.
    assert run("build", "-f", "md", "-o", "out", "--date", SECOND).exit_code == 0
    hidden = [name for name in made if name.startswith(".")]
    assert len(hidden) == 4 + 6  # a backup of each replaced file, and of each removed one
    for name in hidden:
        found = output._TEMP.match(name)
        assert found and int(found.group(1)) == os.getpid(), name
    assert len(set(hidden)) == len(hidden)
    assert temporary(small / "out") == []
