"""The compiled-template cache: a speed-up that never changes what is rendered."""

from __future__ import annotations

import errno
import marshal
import os
import stat
from pathlib import Path

import pytest
from click.testing import CliRunner, Result
from helpers import DOSSIER, build_file_tree, small_library

from kamdocs import templating
from kamdocs.cli import main

MD = "out/acme-logistics-ad.md"


@pytest.fixture
def cache(cache_base: Path) -> Path:
    return cache_base / "jinja"


@pytest.fixture
def ws(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    root = tmp_path / "ws"
    small_library(root)
    build_file_tree(root, {"dossiers/acme.yaml": DOSSIER})
    monkeypatch.chdir(root)
    return root


def render() -> Result:
    return CliRunner().invoke(main, ["render", "dossiers/acme.yaml", "-f", "md", "-o", "out"])


def entries(folder: Path) -> list[Path]:
    return sorted(p for p in folder.rglob("*") if p.is_file()) if folder.exists() else []


def test_compiled_templates_are_kept_and_reused(ws: Path, cache: Path) -> None:
    first = render()
    assert first.exit_code == 0, first.output
    kept = entries(cache)
    assert kept, "the content template was not cached"
    assert all(not p.name.startswith(".") for p in kept)  # no temporary file left behind
    text = (ws / MD).read_bytes()
    assert render().exit_code == 0
    assert (ws / MD).read_bytes() == text
    assert entries(cache) == kept  # the second run compiled nothing new


def test_an_edited_template_is_compiled_again(ws: Path, cache: Path) -> None:
    assert render().exit_code == 0
    before = set(entries(cache))
    template = ws / "templates/proposal.md.j2"
    templating._ENVIRONMENTS.clear()  # as a new process would
    template.write_text(template.read_text("utf-8") + "\nEdited by marketing.\n", "utf-8")
    assert render().exit_code == 0
    assert "Edited by marketing." in (ws / MD).read_text("utf-8")
    assert set(entries(cache)) > before


def test_a_damaged_entry_is_compiled_again(ws: Path, cache: Path) -> None:
    assert render().exit_code == 0
    text = (ws / MD).read_bytes()
    for i, entry in enumerate(entries(cache)):
        entry.write_bytes(marshal.dumps(7) if i % 2 else b"\x00not code")
    templating._ENVIRONMENTS.clear()
    result = render()
    assert result.exit_code == 0, result.output
    assert (ws / MD).read_bytes() == text


def test_cache_off_writes_nothing(
    ws: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(templating.CACHE_ENV, "off")
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    templating._code_cache.cache_clear()
    try:
        assert render().exit_code == 0
    finally:
        templating._code_cache.cache_clear()
    assert entries(tmp_path / "xdg") == entries(tmp_path / "home") == []


def _folder_modes_apply(monkeypatch: pytest.MonkeyPatch) -> None:
    """Root writes into read-only folders: there, refuse as the system refuses anyone else
    (EACCES for a new entry in a folder without its owner's write bit)."""
    if os.geteuid() != 0:
        return
    real_mkdir, real_open = os.mkdir, os.open

    def check(path: object) -> None:
        target = Path(os.fspath(path)).absolute()
        parent = target.parent
        if not target.exists() and parent.is_dir() and not parent.stat().st_mode & stat.S_IWUSR:
            raise PermissionError(errno.EACCES, os.strerror(errno.EACCES), str(target))

    def mkdir(path: object, mode: int = 0o777, *, dir_fd: int | None = None) -> None:
        check(path)
        real_mkdir(path, mode, dir_fd=dir_fd)

    def open_(path: object, flags: int, mode: int = 0o777, *, dir_fd: int | None = None) -> int:
        if flags & os.O_CREAT:
            check(path)
        return real_open(path, flags, mode, dir_fd=dir_fd)

    monkeypatch.setattr(os, "mkdir", mkdir)
    monkeypatch.setattr(os, "open", open_)


def test_an_unwritable_cache_only_means_compiling(
    ws: Path, cache: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    cache.parent.mkdir()
    cache.parent.chmod(0o500)
    _folder_modes_apply(monkeypatch)
    try:
        result = render()
    finally:
        cache.parent.chmod(0o700)
    assert result.exit_code == 0, result.output
    assert "Warehouse" in (ws / MD).read_text("utf-8")
    assert entries(cache) == []


def test_a_cache_below_a_file_only_means_compiling(ws: Path, cache: Path) -> None:
    cache.parent.write_text("not a folder")
    result = render()
    assert result.exit_code == 0, result.output
    assert "Warehouse" in (ws / MD).read_text("utf-8")
