"""A kept file checked again under the lock is read again unless it cannot have changed."""

from __future__ import annotations

import hashlib
import os
import time
from pathlib import Path

import pytest

from kamdocs import output


def later(monkeypatch: pytest.MonkeyPatch, seconds: float) -> None:
    """Make the next readings happen ``seconds`` from now, as if the files were old."""
    now = time.time
    monkeypatch.setattr(output.time, "time", lambda: now() + seconds)


def reads(monkeypatch: pytest.MonkeyPatch) -> list[Path]:
    seen: list[Path] = []
    original = output.sha256_of

    def counting(path: Path) -> str | None:
        seen.append(path)
        return original(path)

    monkeypatch.setattr(output, "sha256_of", counting)
    return seen


def test_an_old_unchanged_file_is_not_read_again(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "a.md"
    path.write_bytes(b"first")
    later(monkeypatch, 10)
    digest = output.sha256_of(path)
    seen = reads(monkeypatch)
    assert output.sha256_again(path) == digest == hashlib.sha256(b"first").hexdigest()
    assert seen == []


def test_a_file_changed_since_is_read_again_even_with_its_old_size_and_mtime(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "a.md"
    path.write_bytes(b"first")
    later(monkeypatch, 10)
    output.sha256_of(path)
    st = path.stat()
    time.sleep(0.05)  # past the file system's clock tick
    path.write_bytes(b"secnd")
    os.utime(path, ns=(st.st_atime_ns, st.st_mtime_ns))  # ctime cannot be set back
    assert output.sha256_again(path) == hashlib.sha256(b"secnd").hexdigest()


def test_a_file_replaced_by_another_is_read_again(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path, other = tmp_path / "a.md", tmp_path / "b.md"
    path.write_bytes(b"first")
    other.write_bytes(b"other")
    later(monkeypatch, 10)
    output.sha256_of(path)
    os.replace(other, path)
    assert output.sha256_again(path) == hashlib.sha256(b"other").hexdigest()


def test_a_file_changed_just_before_its_reading_is_read_again(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "a.md"
    path.write_bytes(b"first")
    output.sha256_of(path)  # now: within RACY seconds of the file's last change
    seen = reads(monkeypatch)
    assert output.sha256_again(path) == hashlib.sha256(b"first").hexdigest()
    assert seen == [path]


def test_a_file_gone_or_never_read(tmp_path: Path) -> None:
    path = tmp_path / "a.md"
    assert output.sha256_again(path) is None
    path.write_bytes(b"x")
    assert output.sha256_again(path) == hashlib.sha256(b"x").hexdigest()
    path.unlink()
    assert output.sha256_again(path) is None
    (tmp_path / "d").mkdir()
    assert output.sha256_again(tmp_path / "d") is None
    os.mkfifo(tmp_path / "p")
    assert output.sha256_of(tmp_path / "p") is None  # not waited on


def test_a_file_changed_a_second_before_its_reading_is_read_again(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "a.md"
    path.write_bytes(b"first")
    later(monkeypatch, 1.0)  # within RACY of the change: the same tick could hide another
    output.sha256_of(path)
    seen = reads(monkeypatch)
    assert output.sha256_again(path) == hashlib.sha256(b"first").hexdigest()
    assert seen == [path]


def test_a_file_read_exactly_racy_seconds_after_its_change_is_read_again(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "a.md"
    path.write_bytes(b"first")
    changed = path.stat().st_ctime_ns / 1e9
    monkeypatch.setattr(output.time, "time", lambda: changed + output.RACY)
    output.sha256_of(path)
    seen = reads(monkeypatch)
    assert output.sha256_again(path) == hashlib.sha256(b"first").hexdigest()
    assert seen == [path]  # "well before" is strictly more than RACY seconds
