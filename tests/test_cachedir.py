"""The cache folder's trust rule: a folder someone else may write is not used, whatever it holds."""

from __future__ import annotations

import os
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
