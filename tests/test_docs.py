"""docs/security.md names the tests that guard each threat: every one of them must exist."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest
from helpers import ROOT

SECURITY = ROOT / "docs" / "security.md"
# `tests/test_x.py::test_name`, optionally with a parameter id: `...::test_name[case]`.
REFERENCE = re.compile(r"\b(tests/[\w/]+\.py)::(test_\w+)")
THREATS = ("(a)", "(b)", "(c)", "(d)", "(e)")


def functions_in(path: Path) -> set[str]:
    """The names of the test functions pytest would collect from ``path`` (in classes too)."""
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    return {
        node.name
        for node in ast.walk(tree)
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef) and node.name.startswith("test")
    }


def missing_references(text: str, root: Path = ROOT) -> list[str]:
    """Every ``tests/FILE.py::test_name`` in ``text`` whose file or function does not exist."""
    missing = []
    found: dict[str, set[str]] = {}
    for file, name in REFERENCE.findall(text):
        path = root / file
        if file not in found:
            found[file] = functions_in(path) if path.is_file() else set()
        if name not in found[file]:
            missing.append(f"{file}::{name}")
    return missing


def sections(text: str) -> dict[str, str]:
    """The text of each threat section, by its letter: ``### (a) ...`` up to the next heading."""
    parts = re.split(r"^(#{2,3} .*)$", text, flags=re.MULTILINE)
    out = {}
    for heading, body in zip(parts[1::2], parts[2::2], strict=True):
        for letter in THREATS:
            if heading.startswith(f"### {letter}"):
                out[letter] = body
    return out


def test_every_test_named_in_the_threat_model_exists() -> None:
    text = SECURITY.read_text(encoding="utf-8")
    assert len(REFERENCE.findall(text)) >= 50, "the threat model should name its tests"
    assert missing_references(text) == []


def test_every_threat_names_tests_that_guard_it() -> None:
    found = sections(SECURITY.read_text(encoding="utf-8"))
    assert sorted(found) == list(THREATS)
    for letter, body in found.items():
        assert len(REFERENCE.findall(body)) >= 3, letter


@pytest.mark.parametrize(
    "reference",
    [
        "tests/test_security.py::test_no_such_test",  # a test that was renamed or removed
        "tests/test_gone.py::test_dossier_too_large",  # a file that was renamed or removed
        "tests/test_security.py::test_dossier_too_larg",  # a prefix of a real name is not enough
    ],
)
def test_a_reference_to_a_missing_test_is_found(reference: str) -> None:
    text = f"Guarded by `tests/test_security.py::test_dossier_too_large` and `{reference}`."
    assert missing_references(text) == [reference]


def test_functions_in_classes_count_and_helpers_do_not(tmp_path: Path) -> None:
    (tmp_path / "tests").mkdir()
    (tmp_path / "tests/test_x.py").write_text(
        "def helper():\n    pass\n\n"
        "def test_top():\n    pass\n\n"
        "class TestGroup:\n    def test_inner(self):\n        pass\n",
        encoding="utf-8",
    )
    text = "`tests/test_x.py::test_top` `tests/test_x.py::test_inner` `tests/test_x.py::helper`"
    assert missing_references(text, tmp_path) == []  # helper is not a test reference at all
    assert missing_references("`tests/test_x.py::test_helper`", tmp_path) == [
        "tests/test_x.py::test_helper"
    ]
