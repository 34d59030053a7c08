"""The command examples of README.md and docs/*.md run as tests, on a fresh copy of the samples.

A fenced block whose info string is ``console`` is an example: each line starting with ``$ ``
is a command, run with bash in a copy of the repository's workspace (``kamdocs.yaml``,
``dossiers/``, ``templates/``) with the build date pinned to ``DOC_DATE``; the lines up to the
next command are what it prints (standard output and standard error together, as a terminal
shows them). A line ``...`` in the expected output stands for any number of lines, and ``...``
at the end of a line for the rest of that line. A command ends with ``# exits N`` when it is
meant to fail with that code; every other command must exit 0. Each block runs in a copy of
its own, so the commands of one block see what the block's earlier commands wrote, and no block
sees another's.
"""

from __future__ import annotations

import datetime as dt
import os
import re
import shutil
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from helpers import ROOT

DOC_DATE = "2026-12-01"  # the build date the examples show
DOCS = sorted([ROOT / "README.md", *(ROOT / "docs").glob("*.md")])
WORKSPACE = ("kamdocs.yaml", "dossiers", "templates")
_FENCE = re.compile(r"^(?P<indent> *)(?P<fence>```+|~~~+)\s*(?P<info>[^\n`]*)$")
_EXIT = re.compile(r"\s+#\s*exits\s+(\d+)\s*$")


@dataclass
class Command:
    line: int  # in the document
    text: str
    expected: list[str] = field(default_factory=list)
    exit_code: int = 0


@dataclass
class Example:
    doc: Path
    line: int
    commands: list[Command]

    @property
    def id(self) -> str:
        return f"{self.doc.relative_to(ROOT)}:{self.line}"


def examples_in(path: Path) -> list[Example]:
    """The ``console`` blocks of one Markdown file, with their commands and expected output."""
    found: list[Example] = []
    lines = path.read_text(encoding="utf-8").splitlines()
    i = 0
    while i < len(lines):
        match = _FENCE.match(lines[i])
        if not match:
            i += 1
            continue
        indent, fence = len(match["indent"]), match["fence"]
        info = match["info"].strip().split()
        start, body = i + 1, []
        i += 1
        while i < len(lines) and not lines[i].strip().startswith(fence):
            body.append(lines[i][indent:] if lines[i][:indent].strip() == "" else lines[i])
            i += 1
        i += 1
        if info[:1] == ["console"]:
            found.append(Example(path, start, _commands(body, start)))
    return found


def _commands(body: list[str], first_line: int) -> list[Command]:
    commands: list[Command] = []
    for offset, text in enumerate(body):
        if text.startswith("$ "):
            command = text[2:]
            code = 0
            if exit_match := _EXIT.search(command):
                code = int(exit_match.group(1))
            commands.append(Command(first_line + offset + 1, command, exit_code=code))
        elif commands:
            commands[-1].expected.append(text)
        elif text.strip():
            raise ValueError(f"line {first_line + offset + 1}: output before any '$ ' command")
    for command in commands:
        while command.expected and not command.expected[-1].strip():
            command.expected.pop()
    return commands


def matches(expected: list[str], actual: list[str]) -> bool:
    """``actual`` lines fit ``expected``: ``...`` alone is any lines, at a line's end the rest."""
    if not expected:
        return not actual
    head, rest = expected[0], expected[1:]
    if head.strip() == "...":
        return any(matches(rest, actual[k:]) for k in range(len(actual) + 1))
    if not actual:
        return False
    line = actual[0]
    fits = line.startswith(head[:-3]) if head.endswith("...") else line.rstrip() == head.rstrip()
    return fits and matches(rest, actual[1:])


def _copy_workspace(dest: Path) -> None:
    for name in WORKSPACE:
        source = ROOT / name
        if source.is_dir():
            shutil.copytree(source, dest / name, ignore=shutil.ignore_patterns(".*"))
        elif source.is_file():
            shutil.copy2(source, dest / name)


def _environment(home: Path) -> dict[str, str]:
    env = dict(os.environ)
    bin_dir = str(Path(sys.executable).parent)
    env["PATH"] = bin_dir + os.pathsep + env.get("PATH", "")
    midnight = dt.datetime.fromisoformat(DOC_DATE).replace(tzinfo=dt.UTC)
    env["SOURCE_DATE_EPOCH"] = str(int(midnight.timestamp()))
    env["KAMDOCS_CACHE_DIR"] = "off"
    env["HOME"] = str(home)
    env["COLUMNS"] = "100"
    env.pop("CI", None)
    return env


def run_example(example: Example, workdir: Path) -> list[str]:
    """Run every command of ``example`` in ``workdir``; the ways its output differs from the doc."""
    failures = []
    env = _environment(workdir.parent)
    for command in example.commands:
        done = subprocess.run(
            ["bash", "-c", command.text],
            cwd=workdir,
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
            timeout=300,
        )
        actual = done.stdout.splitlines()
        where = f"{example.doc.relative_to(ROOT)}:{command.line}: $ {command.text}"
        if done.returncode != command.exit_code:
            failures.append(
                f"{where}\n  exit {done.returncode}, the doc says {command.exit_code}\n"
                + "\n".join("  | " + a for a in actual)
            )
        elif command.expected and not matches(command.expected, actual):
            failures.append(
                f"{where}\n  printed:\n"
                + "\n".join("  | " + a for a in actual)
                + "\n  the doc shows:\n"
                + "\n".join("  | " + e for e in command.expected)
            )
    return failures


DOC_EXAMPLES = {doc: examples_in(doc) for doc in DOCS}


@pytest.mark.parametrize(
    "doc", [d for d in DOCS if DOC_EXAMPLES[d]], ids=lambda d: str(d.relative_to(ROOT))
)
def test_the_examples_of_a_document_print_what_it_shows(doc: Path, tmp_path: Path) -> None:
    failures = []
    for n, example in enumerate(DOC_EXAMPLES[doc]):
        workdir = tmp_path / str(n) / "workspace"
        workdir.mkdir(parents=True)
        _copy_workspace(workdir)
        failures += run_example(example, workdir)
    assert not failures, "\n\n".join(failures)


def test_the_readme_has_examples_that_run() -> None:
    assert sum(len(e.commands) for e in DOC_EXAMPLES[ROOT / "README.md"]) >= 5


# The harness itself: an example that stops being true must fail.


def _doc(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "probe.md"
    path.write_text(text, encoding="utf-8")
    return path


def test_commands_and_their_output_are_read(tmp_path: Path) -> None:
    text = "x\n\n```console\n$ echo hi\nhi\n$ false  # exits 1\n```\n\n```sh\n$ not run\n```\n"
    (example,) = examples_in(_doc(tmp_path, text))
    assert example.line == 3
    assert [(c.line, c.text, c.expected, c.exit_code) for c in example.commands] == [
        (4, "echo hi", ["hi"], 0),
        (6, "false  # exits 1", [], 1),
    ]


@pytest.mark.parametrize(
    ("expected", "actual", "fits"),
    [
        (["a", "b"], ["a", "b"], True),
        (["a", "b"], ["a", "c"], False),
        (["a"], ["a", "b"], False),
        (["a", "..."], ["a", "b", "c"], True),
        (["...", "c"], ["a", "b", "c"], True),
        (["...", "d"], ["a", "b", "c"], False),
        (["wrote ..."], ["wrote build/x.md"], True),
        (["wrote ..."], ["made build/x.md"], False),
    ],
)
def test_output_is_matched_line_by_line_with_ellipses(
    expected: list[str], actual: list[str], fits: bool
) -> None:
    assert matches(expected, actual) is fits


def test_an_example_that_prints_something_else_fails(tmp_path: Path) -> None:
    example = Example(ROOT / "README.md", 1, [Command(2, "echo hello", ["goodbye"])])
    (failure,) = run_example(example, tmp_path)
    assert "| hello" in failure and "| goodbye" in failure


def test_an_example_that_fails_unannounced_fails_and_an_announced_one_passes(
    tmp_path: Path,
) -> None:
    assert run_example(Example(ROOT / "README.md", 1, [Command(2, "exit 3")]), tmp_path)
    assert not run_example(Example(ROOT / "README.md", 1, [Command(2, "exit 3", [], 3)]), tmp_path)
    # An example announced to fail that passes is wrong too.
    assert run_example(Example(ROOT / "README.md", 1, [Command(2, "true", [], 1)]), tmp_path)
