"""Command lines a script gets wrong: empty options, folders without dossiers, a file twice."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from helpers import DOSSIER, build_file_tree, run, small_library

DATE = "2026-11-26"
NOT_FOUND = (
    "no dossier found (a dossier is a .yaml or .yml file whose name does not start with '_')"
)


@pytest.fixture
def ws(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    small_library(tmp_path)
    build_file_tree(tmp_path, {"dossiers/acme.yaml": DOSSIER})
    monkeypatch.chdir(tmp_path)
    return tmp_path


@pytest.mark.parametrize(
    ("args", "option"),
    [
        (["render", "dossiers/acme.yaml", "-f", ""], "'-f' / '--formats'"),
        (["render", "dossiers/acme.yaml", "-f", " , "], "'-f' / '--formats'"),
        (["build", "-f", ""], "'-f' / '--formats'"),
        (["render", "dossiers/acme.yaml", "-o", ""], "'-o' / '--out'"),
        (["build", "-o", " "], "'-o' / '--out'"),
    ],
)
def test_an_empty_option_is_a_usage_error(ws: Path, args: list[str], option: str) -> None:
    result = run(*args)
    assert result.exit_code == 2, result.output
    assert result.stderr.splitlines()[-1] == f"Error: Invalid value for {option}: must not be empty"
    assert result.stderr.startswith("Usage: ")
    assert sorted(os.listdir(ws)) == ["dossiers", "templates"]  # nothing written anywhere


@pytest.mark.parametrize("command", ["render", "validate"])
def test_a_folder_without_dossiers_is_an_error(ws: Path, command: str) -> None:
    (ws / "empty").mkdir()
    build_file_tree(ws, {"empty/_draft.yaml": DOSSIER, "empty/notes.txt": "x\n"})
    result = run(command, "empty")
    assert result.exit_code == 1, result.output
    assert result.stderr == f"empty: {NOT_FOUND}\n"
    assert result.stdout == ""
    assert not (ws / "build").exists()


@pytest.mark.parametrize("command", ["render", "validate"])
def test_an_upper_case_suffix_is_named_and_not_taken(ws: Path, command: str) -> None:
    build_file_tree(ws, {"other/Acme.YAML": DOSSIER, "other/Beta.Yml": DOSSIER})
    result = run(command, "other")
    assert result.exit_code == 1, result.output
    assert result.stderr == (
        f"other: {NOT_FOUND}; not taken: Acme.YAML, Beta.Yml (the suffix is case-sensitive: "
        "rename it to end in .yaml)\n"
    )


def test_one_file_named_twice_is_one_dossier(ws: Path) -> None:
    result = run(
        "render",
        "dossiers/acme.yaml",
        "./dossiers/acme.yaml",
        str(ws / "dossiers/acme.yaml"),
        "dossiers",
        "-f",
        "md",
        "-o",
        "out",
        "--date",
        DATE,
    )
    assert result.exit_code == 0, result.output
    assert result.stdout == "wrote out/acme-logistics-ad.md\n"
    result = run("validate", "dossiers/acme.yaml", "dossiers/../dossiers/acme.yaml")
    assert result.exit_code == 0, result.output
    assert result.stdout.startswith("OK: 1 dossier;")
