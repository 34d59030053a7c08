"""Property: however a dossier is mangled, `kamdocs validate` answers 0 or 1, never a crash."""

from __future__ import annotations

import os
import re
import tempfile
from pathlib import Path

import pytest
from click.testing import CliRunner
from helpers import DOSSIER, small_library
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from kamdocs.cli import main

VALID = DOSSIER.lstrip("\n").encode("utf-8")
PROBLEM_LINE = re.compile(r"^[^:]+:\d+: ")
KEY_LINE = re.compile(rb"^(\s*(?:- )?)([^\s:#][^:#]*):(.*)$")
NEW_VALUES = [
    b"[a, b]",
    b"42",
    b"-1",
    b"{x: 1}",
    b"~",
    b'""',
    b"0.1",
    b"yes",
    b"2026-02-30",
    b"- a",
    b"!!binary aGk=",
    b"*nowhere",
    b"&anchor x",
    b"'unclosed",
]


def _key_lines(lines: list[bytes]) -> list[int]:
    return [i for i, line in enumerate(lines) if KEY_LINE.match(line)]


def _block_end(lines: list[bytes], i: int) -> int:
    """The index after the line ``i`` and every more-indented line below it."""
    indent = len(lines[i]) - len(lines[i].lstrip())
    j = i + 1
    while j < len(lines) and (
        not lines[j].strip() or len(lines[j]) - len(lines[j].lstrip()) > indent
    ):
        j += 1
    return j


@st.composite
def mutated(draw: st.DrawFn) -> bytes:
    text = VALID
    for _ in range(draw(st.integers(1, 4))):
        kind = draw(
            st.sampled_from(["delete-key", "swap-value", "junk", "duplicate-line", "truncate"])
        )
        lines = text.split(b"\n")
        keys = _key_lines(lines)
        if kind == "delete-key" and keys:
            i = draw(st.sampled_from(keys))
            del lines[i : _block_end(lines, i)]
            text = b"\n".join(lines)
        elif kind == "swap-value" and keys:
            i = draw(st.sampled_from(keys))
            match = KEY_LINE.match(lines[i])
            assert match is not None
            new = draw(st.sampled_from(NEW_VALUES))
            lines[i : _block_end(lines, i)] = [match.group(1) + match.group(2) + b": " + new]
            text = b"\n".join(lines)
        elif kind == "junk":
            at = draw(st.integers(0, len(text)))
            junk = draw(
                st.one_of(
                    st.binary(min_size=1, max_size=8),
                    st.sampled_from(
                        [
                            b":",
                            b"- ",
                            b"\t",
                            b"\n  ",
                            b"{",
                            b"]",
                            b"&a ",
                            b"*a",
                            b"<<: ",
                            b"---\n",
                            b"\xff",
                            b"\x00",
                            b"#",
                            b'"',
                            b"!!python/name:x ",
                        ]
                    ),
                )
            )
            text = text[:at] + junk + text[at:]
        elif kind == "duplicate-line" and lines:
            i = draw(st.integers(0, len(lines) - 1))
            lines.insert(i, lines[i])
            text = b"\n".join(lines)
        elif kind == "truncate":
            text = text[: draw(st.integers(0, len(text)))]
    return text


@settings(
    max_examples=200, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(content=mutated())
def test_validate_never_crashes(content: bytes, monkeypatch: pytest.MonkeyPatch) -> None:
    with tempfile.TemporaryDirectory() as folder:
        root = Path(folder)
        small_library(root)
        (root / "dossiers" / "acme.yaml").write_bytes(content)
        monkeypatch.chdir(root)
        try:
            result = CliRunner().invoke(main, ["validate", "--date", "2026-11-26"])
        finally:
            os.chdir(Path(__file__).parent)  # leave the folder before it is removed
        assert result.exception is None or isinstance(result.exception, SystemExit), result.exc_info
        assert result.exit_code in (0, 1), result.output
        assert "Traceback" not in result.output
        if result.exit_code == 0:
            assert result.stdout.startswith("OK: 1 dossier;")
            warnings = result.stderr.splitlines()  # a valid dossier may still have warnings
            assert all(re.match(r"^[^:]+:\d+: warning: ", line) for line in warnings), warnings
        else:
            assert result.stdout == ""
            lines = result.stderr.splitlines()
            assert lines
            assert all(PROBLEM_LINE.match(line) for line in lines), lines
            assert all(line.startswith("dossiers/acme.yaml:") for line in lines), lines
            assert lines == sorted(lines, key=lambda line: int(line.split(":")[1])), lines


def test_the_mutations_start_from_a_valid_dossier(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    small_library(tmp_path)
    (tmp_path / "dossiers" / "acme.yaml").write_bytes(VALID)
    monkeypatch.chdir(tmp_path)
    result = CliRunner().invoke(main, ["validate"])
    assert result.exit_code == 0, result.output
    assert len(_key_lines(VALID.split(b"\n"))) > 30
