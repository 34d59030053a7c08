"""What one build hashed, kept for the next: a build that changed little reads little, and a
record never makes a changed file count as unchanged."""

from __future__ import annotations

import json
import os
import time
from pathlib import Path

import pytest
from helpers import numbered_workspace

from kamdocs import app, output, templating
from kamdocs.workspace import find_workspace

COUNT = 3
DATE = __import__("datetime").date(2026, 11, 26)


@pytest.fixture
def cache(cache_base: Path) -> Path:
    return cache_base / "hashes"


@pytest.fixture
def ws(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    numbered_workspace(tmp_path / "ws", COUNT)
    monkeypatch.chdir(tmp_path / "ws")
    return tmp_path / "ws"


def build() -> app.Written:
    return app.render(find_workspace(), None, ("md",), Path("build"), DATE, manifest=True)


def new_process(monkeypatch: pytest.MonkeyPatch, seconds: float = 10) -> list[str]:
    """Forget what this process hashed, as a new command would, ``seconds`` later (the files
    are then old enough to be trusted); return the list the next readings are put in."""
    monkeypatch.setattr(output, "_hashed", {})
    monkeypatch.setattr(output, "_recorded", {})
    now = time.time
    monkeypatch.setattr(output.time, "time", lambda: now() + seconds)
    seen: list[str] = []
    original = output.sha256_of

    def counting(path: Path) -> str | None:
        seen.append(os.fspath(path))
        return original(path)

    monkeypatch.setattr(output, "sha256_of", counting)
    return seen


def recorded(ws: Path, monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Build, then build again in a new process (which hashes every file and records it);
    the readings of a third build, in another new process, are collected in the list."""
    assert build().kept == 0
    new_process(monkeypatch)
    assert build().kept == COUNT  # each dossier and its output read, and recorded
    return new_process(monkeypatch, 20)


def test_a_build_after_a_recorded_one_reads_no_file_that_did_not_change(
    ws: Path, cache: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    seen = recorded(ws, monkeypatch)
    (entry,) = cache.iterdir()
    assert entry.stat().st_mode & 0o077 == 0  # private to the user, like the other entries
    assert build().kept == COUNT
    assert seen == []


def test_a_dossier_changed_with_its_old_size_and_mtime_is_rendered_again(
    ws: Path, cache: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    seen = recorded(ws, monkeypatch)
    dossier = Path("dossiers/c001.yaml")
    st = dossier.stat()
    time.sleep(0.05)  # past the file system's clock tick
    dossier.write_text(dossier.read_text().replace("Client 001", "Client 00X"))
    os.utime(dossier, ns=(st.st_atime_ns, st.st_mtime_ns))  # ctime cannot be set back
    assert dossier.stat().st_size == st.st_size
    written = build()
    assert written.kept == COUNT - 1
    assert "Client 00X" in Path("build/client-00x.md").read_text()
    # The dossier, found changed; its old output, read once more before it is removed.
    assert seen == [str(dossier), os.path.join("build", "client-001.md")]


def test_an_output_changed_since_the_record_is_written_again(
    ws: Path, cache: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    seen = recorded(ws, monkeypatch)
    target = Path("build/client-002.md")
    good, st = target.read_bytes(), target.stat()
    time.sleep(0.05)
    target.write_bytes(good.replace(b"Client 002", b"Client 00X"))
    os.utime(target, ns=(st.st_atime_ns, st.st_mtime_ns))
    assert build().kept == COUNT - 1
    assert target.read_bytes() == good
    assert seen == [os.path.join("build", "client-002.md")]


@pytest.mark.parametrize(
    "damage",
    [
        b"not json",
        b"[1, 2]",
        b'{"dossiers/c000.yaml": "no entry"}',
        b'{"dossiers/c000.yaml": [[1, 2], "abc", 0]}',
        b'{"dossiers/c000.yaml": [["a", 2, 3, 4, 5], "abc", 0]}',
    ],
)
def test_a_record_that_cannot_be_used_only_means_reading_every_file(
    ws: Path, cache: Path, monkeypatch: pytest.MonkeyPatch, damage: bytes
) -> None:
    seen = recorded(ws, monkeypatch)
    (entry,) = cache.iterdir()
    entry.write_bytes(damage)
    assert build().kept == COUNT
    assert len(seen) == COUNT * 2  # every dossier and every output


def test_a_record_someone_else_could_have_written_is_not_used(
    ws: Path, cache: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    seen = recorded(ws, monkeypatch)
    (entry,) = cache.iterdir()
    entry.chmod(0o666)
    assert build().kept == COUNT
    assert len(seen) == COUNT * 2


def test_a_file_written_by_a_build_is_not_recorded_until_it_is_read(
    ws: Path, cache: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A build knows what it wrote, not what is on disk by the time it records: only what it
    read (or trusted) goes in the record."""
    recorded(ws, monkeypatch)
    (entry,) = cache.iterdir()
    dossier = Path("dossiers/c001.yaml")
    dossier.write_text(dossier.read_text().replace("Client 001", "Client 00X"))
    assert build().kept == COUNT - 1
    record = json.loads(entry.read_bytes())
    assert str(dossier) in record  # read to find it changed
    assert os.path.join("build", "client-00x.md") not in record
    assert os.path.join("build", "client-001.md") not in record  # removed
    assert os.path.join("build", "client-000.md") in record


def test_no_record_without_a_cache(
    ws: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(templating.CACHE_ENV, "off")
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    templating._code_cache.cache_clear()
    seen = recorded(ws, monkeypatch)
    assert build().kept == COUNT
    assert len(seen) == COUNT * 2
    assert not (tmp_path / "xdg").exists()
    templating._code_cache.cache_clear()


def test_the_records_of_the_folders_built_into_least_recently_are_removed(
    tmp_path: Path, cache: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """One record per output folder: temporary folders (a CI job's, a test's) would pile up."""
    monkeypatch.setattr(output, "RECORDS", 3)
    monkeypatch.setattr(output, "_hashed", {})
    numbered_workspace(tmp_path / "ws", 1)
    monkeypatch.chdir(tmp_path / "ws")
    for i in range(5):
        out = Path(f"out{i}")
        (out / "a.md").parent.mkdir()
        (out / "a.md").write_text(str(i))
        output.sha256_of(out / "a.md")
        output.keep_hashes(out, [out / "a.md"])
        os.utime(cache / output._record_key(out), ns=(i * 10**9, i * 10**9))
    monkeypatch.setattr(output, "_recorded", {})
    output.recall_hashes(Path("out2"))  # built into again, nothing changed: used, so kept
    output.keep_hashes(Path("out2"), [Path("out2/a.md")])
    output.keep_hashes(Path("out5"), [])  # a new record: the oldest go
    kept = {p.name for p in cache.iterdir()}
    assert kept == {output._record_key(Path(f"out{i}")) for i in (2, 4, 5)}


def test_a_folder_whose_name_is_not_utf8_has_a_record_of_its_own(
    tmp_path: Path, cache: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # A name of bytes that are not UTF-8 (an old archive's, a Windows share's) is a str with a
    # lone surrogate in Python; the record's key is made of it all the same, one per folder.
    monkeypatch.setattr(output, "_hashed", {})
    folder = tmp_path / os.fsdecode(b"out-\xff")
    try:
        folder.mkdir()
    except (OSError, UnicodeEncodeError) as exc:  # pragma: no cover - a file system without them
        pytest.skip(f"no such names here: {exc}")
    monkeypatch.chdir(tmp_path)
    (folder / "a.md").write_text("a")
    output.sha256_of(folder / "a.md")
    output.keep_hashes(folder, [folder / "a.md"])
    assert output._record_key(folder) != output._record_key(Path(os.fsdecode(b"out-\xfe")))
    assert {p.name for p in cache.iterdir()} == {output._record_key(folder)}
