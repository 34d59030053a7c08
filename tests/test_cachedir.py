"""The cache folder's trust rule: a folder someone else may write is not used, whatever it holds."""

from __future__ import annotations

import marshal
import os
from collections.abc import Callable
from pathlib import Path

import pytest

from kamdocs import cachedir

pytestmark = pytest.mark.skipif(not hasattr(os, "getuid"), reason="POSIX owners and modes")


def test_the_folders_are_made_private(cache_base: Path) -> None:
    code = cachedir._code_cache()
    assert code == cache_base / "jinja"
    kind = cachedir.kind_folder("library")
    assert kind == cache_base / "library"
    for folder in (cache_base, code, kind):
        assert folder.stat().st_mode & 0o777 == 0o700


@pytest.mark.parametrize("mode", [0o777, 0o770, 0o702])
def test_a_base_folder_others_may_write_turns_the_cache_off(cache_base: Path, mode: int) -> None:
    cache_base.mkdir(mode=0o700)
    cache_base.chmod(mode)
    try:
        assert cachedir._code_cache() is None
        assert cachedir.kind_folder("library") is None
    finally:
        cache_base.chmod(0o700)


@pytest.mark.parametrize("kind", ["jinja", "library", "patterns"])
def test_a_kind_folder_others_may_write_is_not_used(cache_base: Path, kind: str) -> None:
    (cache_base / kind).mkdir(parents=True, mode=0o700)
    cache_base.chmod(0o700)
    (cache_base / kind).chmod(0o777)
    if kind == "jinja":
        assert cachedir._code_cache() is None
    else:
        assert cachedir._code_cache() == cache_base / "jinja"
        assert cachedir.kind_folder(kind) is None
        assert cachedir.kind_folder("reference") == cache_base / "reference"


def test_a_folder_that_is_a_link_is_not_used(cache_base: Path, tmp_path: Path) -> None:
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir(mode=0o700)
    cache_base.mkdir(mode=0o700)
    (cache_base / "library").symlink_to(elsewhere)
    assert cachedir.kind_folder("library") is None


def _entry(tmp_path: Path) -> tuple[Path, Callable[[], dict]]:
    entry = tmp_path / "entry"
    return entry, lambda: marshal.loads(entry.read_bytes())


def test_an_empty_entry_takes_all_a_run_added(tmp_path: Path) -> None:
    entry, kept = _entry(tmp_path)
    cachedir.keep_added(entry, {}, {"a": 1, "b": 2}, limit=10)
    assert kept() == {"a": 1, "b": 2}
    assert not entry.with_name("entry.new").exists()


def test_what_two_runs_in_a_row_added_is_kept(tmp_path: Path) -> None:
    entry, kept = _entry(tmp_path)
    cachedir.keep_added(entry, {}, {"a": 1}, limit=10)
    cachedir.keep_added(entry, {"a": 1}, {"b": 2}, limit=10)
    assert kept() == {"a": 1}  # seen once: listed beside the entry, not in it
    assert marshal.loads(entry.with_name("entry.new").read_bytes()) == ["b"]
    cachedir.keep_added(entry, {"a": 1}, {"b": 2, "c": 3}, limit=10)
    assert kept() == {"a": 1, "b": 2}
    assert marshal.loads(entry.with_name("entry.new").read_bytes()) == ["c"]


def test_what_changes_from_run_to_run_never_rewrites_the_entry(tmp_path: Path) -> None:
    entry, kept = _entry(tmp_path)
    cachedir.keep_added(entry, {}, {"a": 1}, limit=10)
    written = entry.stat().st_mtime_ns, entry.stat().st_ino
    for run in range(5):
        cachedir.keep_added(entry, {"a": 1}, {f"order {run}": run}, limit=10)
    assert kept() == {"a": 1}
    assert (entry.stat().st_mtime_ns, entry.stat().st_ino) == written


def test_an_entry_over_its_limit_starts_again(tmp_path: Path) -> None:
    entry, kept = _entry(tmp_path)
    stored = {"a": 1, "b": 2}
    cachedir.keep_added(entry, {}, stored, limit=2)
    cachedir.keep_added(entry, stored, {"c": 3}, limit=2)
    cachedir.keep_added(entry, stored, {"c": 3}, limit=2)
    assert kept() == {"c": 3}


@pytest.mark.parametrize("damage", [b"", b"not marshal", marshal.dumps(7), marshal.dumps([[1]])])
def test_a_damaged_list_is_read_as_empty(tmp_path: Path, damage: bytes) -> None:
    entry, kept = _entry(tmp_path)
    cachedir.keep_added(entry, {}, {"a": 1}, limit=10)
    side = entry.with_name("entry.new")
    side.write_bytes(damage)
    side.chmod(0o600)
    cachedir.keep_added(entry, {"a": 1}, {"b": 2}, limit=10)
    assert kept() == {"a": 1}
    assert marshal.loads(side.read_bytes()) == ["b"]


def test_a_list_others_may_write_is_not_read(tmp_path: Path) -> None:
    entry, kept = _entry(tmp_path)
    cachedir.keep_added(entry, {}, {"a": 1}, limit=10)
    side = entry.with_name("entry.new")
    side.write_bytes(marshal.dumps(["b"]))
    side.chmod(0o666)
    cachedir.keep_added(entry, {"a": 1}, {"b": 2}, limit=10)
    assert kept() == {"a": 1}
