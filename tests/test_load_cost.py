"""Inputs that cost more than their size: many arguments, a huge templates file, deep lists."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from helpers import ARGUMENTS, DOSSIER, ROOT, build_file_tree, run

from kamdocs.library import load_library

# --- an argument file of many small entries loads in linear time --------------------------------


def test_sixteen_thousand_arguments_load_in_linear_time(ws: Path) -> None:
    # 16,000 minimal entries (about 800 KB, under the 1 MiB limit): each item's lines were found
    # by a pass over the whole file's, 16,000 passes of 64,000 lines. The timeout is generous
    # (a loaded machine), the quadratic version took 86 s.
    entries = "".join(
        f"- id: a{i}\n  kind: benefit\n  title: t\n  text: x\n" for i in range(16_000)
    )
    build_file_tree(ws, {"templates/arguments/one.yaml": entries})
    assert (ws / "templates/arguments/one.yaml").stat().st_size < 1024 * 1024
    result = subprocess.run(
        [sys.executable, "-m", "kamdocs", "validate"],
        cwd=ws,
        capture_output=True,
        text=True,
        timeout=30,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
    )
    assert result.returncode == 0, result.stderr
    assert "16007 arguments" in result.stdout  # with the 7 of the small library


def test_the_lines_of_each_item_are_its_own(ws: Path) -> None:
    library = load_library(ws / "templates")
    lines = (ws / "templates/arguments/main.yaml").read_text("utf-8").splitlines()
    for arg_id, origin in library.origins.items():
        if arg_id.startswith("reference:"):
            continue
        text_line = origin.line_of("text")
        assert lines[text_line - 1].startswith("  text:"), (arg_id, text_line)
        assert lines[origin.line - 1] == f"- id: {arg_id}"


# --- the templates fingerprint reads a file in chunks ---------------------------------------------

PEAK = """
import resource, sys
from pathlib import Path
from kamdocs import uptodate
before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
digest = uptodate.fingerprint(Path(sys.argv[1]), ("md",), {})
after = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
print(digest, (after - before) // 1024)
"""


def test_a_huge_templates_file_is_hashed_in_little_memory(ws: Path) -> None:
    # A sparse file: 1 GiB on paper, nothing on disk; read whole it would take 1 GiB of memory.
    video = ws / "templates/assets/promo-video.mp4"
    video.parent.mkdir()
    with video.open("wb") as f:
        f.truncate(1024**3)
    result = subprocess.run(
        [sys.executable, "-c", PEAK, str(ws / "templates")],
        capture_output=True,
        text=True,
        timeout=120,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
    )
    assert result.returncode == 0, result.stderr
    digest, grown_mib = result.stdout.split()
    assert int(grown_mib) < 64, grown_mib
    # The same fingerprint as hashing the bytes in one piece.
    video.unlink()
    with video.open("wb") as f:
        f.truncate(1000)
    from kamdocs import uptodate  # noqa: PLC0415

    chunked = uptodate.fingerprint(ws / "templates", ("md",), {})
    original = uptodate.CHUNK
    try:
        uptodate.CHUNK = 7
        assert uptodate.fingerprint(ws / "templates", ("md",), {}) == chunked
    finally:
        uptodate.CHUNK = original
    assert len(digest) == 64


# --- lists nested too deep are an error at validate, not a RecursionError -------------------------

NESTED = "\\n".join("    " * i + "- x" for i in range(300))


def nested_argument(ws: Path, text: str) -> int:
    build_file_tree(
        ws,
        {
            "templates/arguments/main.yaml": ARGUMENTS
            + f"""
- id: deep
  kind: exclusivity
  title: {{en: "Deep", bg: "Дълбоко"}}
  text:
    en: "{text}"
    bg: "x"
""",
            "dossiers/acme.yaml": DOSSIER.replace(
                "  valid_days: 30\n", "  valid_days: 30\n  include: [deep]\n"
            ),
        },
    )
    lines = (ws / "templates/arguments/main.yaml").read_text("utf-8").splitlines()
    return next(i for i, line in enumerate(lines, 1) if line.startswith('    en: "'))


@pytest.mark.parametrize("command", ["validate", "render-md", "render-html", "render-docx"])
def test_a_300_level_list_in_an_argument_text_is_a_located_error(ws: Path, command: str) -> None:
    line = nested_argument(ws, NESTED)
    if command == "validate":
        result = run("validate")
    else:
        result = run("render", "dossiers/acme.yaml", "-f", command.split("-")[1], "-o", "out")
    assert result.exit_code == 1, result.output
    assert "Traceback" not in result.output and "RecursionError" not in result.output
    assert result.stderr.splitlines() == [
        f"templates/arguments/main.yaml:{line}: [deep].text.en: lists or quotes nest 300 levels "
        "deep (line 300 of the text); at most 16 are allowed"
    ]


def test_nesting_up_to_the_limit_renders(ws: Path) -> None:
    nested_argument(ws, "\\n".join("    " * i + "- x" for i in range(16)))
    result = run("render", "dossiers/acme.yaml", "-f", "md,html,docx", "-o", "out")
    assert result.exit_code == 0, result.output


@pytest.mark.parametrize(
    "text",
    [
        "\\n".join("\t" * i + "- x" for i in range(300)),  # tabs
        "\\n".join("    " * i + "1. x" for i in range(300)),  # numbered
        "> " * 300 + "x",  # quotes
        "- " * 300 + "x",  # markers on one line
    ],
    ids=["tabs", "numbered", "quotes", "markers"],
)
def test_every_kind_of_nesting_is_counted(ws: Path, text: str) -> None:
    nested_argument(ws, text)
    result = run("validate")
    assert result.exit_code == 1, result.output
    assert "lists or quotes nest" in result.stderr
    assert "Traceback" not in result.output


def test_a_template_that_nests_too_deep_is_a_located_error(ws: Path) -> None:
    template = ws / "templates/proposal.md.j2"
    template.write_text(
        template.read_text("utf-8")
        + "\n{% for i in range(300) %}{% filter indent(4 * i, first=True) %}- x"
        "{% endfilter %}\n\n{% endfor %}\n",
        "utf-8",
    )
    result = run("render", "dossiers/acme.yaml", "-f", "html", "-o", "out")
    assert result.exit_code == 1, result.output
    assert "RecursionError" not in result.output and "Traceback" not in result.output
    (message,) = result.stderr.splitlines()
    assert message.startswith("templates/proposal.md.j2:1: the proposal's Markdown nests lists")
    assert not (ws / "out").exists()
