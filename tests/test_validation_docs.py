"""The validation examples of README.md and docs/dossier-format.md print what they show, and the
walkthrough of README works on a fresh copy of the samples."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest
from helpers import ROOT, run

from kamdocs import yamlsrc


def block_after(text: str, marker: str, fence: str = "```") -> str:
    """The first fenced block after ``marker`` in ``text``, without its fences."""
    start = text.index(marker)
    opening = text.index(fence, start)
    body = text.index("\n", opening) + 1
    return text[body : text.index("\n```", body) + 1]


@pytest.fixture
def samples(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A fresh copy of the shipped templates and sample dossiers; the current folder."""
    shutil.copytree(ROOT / "templates", tmp_path / "templates")
    shutil.copytree(ROOT / "dossiers", tmp_path / "dossiers")
    monkeypatch.chdir(tmp_path)
    return tmp_path


def edited(text: str, edits: list[tuple[str, str]]) -> str:
    for old, new in edits:
        assert old in text, old
        text = text.replace(old, new, 1)
    return text


def test_the_samples_and_library_are_clean_even_strictly(samples: Path) -> None:
    result = run("validate", "--strict")
    assert result.exit_code == 0, result.output
    assert result.stderr == ""
    assert result.stdout.startswith("OK: 7 dossiers; library: ")


def test_the_full_example_validates_without_a_warning(samples: Path) -> None:
    docs = (ROOT / "docs" / "dossier-format.md").read_text(encoding="utf-8")
    example = block_after(docs, "## A full example", "```yaml")
    (samples / "dossiers" / "acme.yaml").write_text(example, encoding="utf-8")
    result = run("validate", "--strict", "dossiers/acme.yaml")
    assert result.exit_code == 0, result.output
    assert result.stderr == ""


def test_the_error_messages_example_is_what_validate_prints(samples: Path) -> None:
    docs = (ROOT / "docs" / "dossier-format.md").read_text(encoding="utf-8")
    example = block_after(docs, "## A full example", "```yaml")
    shown = block_after(docs, "For example, the [full example]")
    # The mistakes the text lists, made in the full example.
    mistakes = [
        ("  industry: logistics ", "  industry: logistic  "),
        ("share_of_sales: 0.12 ", "share_of_sales: 12   "),
        ("    persona: finance\n    role: approver\n    knowledge: expert\n",
         "    persona: cfo\n    role: approver\n    role: evaluator\n"),
        ("    prefers: [financial, statistic]", "    prefer: [financial, statistic]"),
        ("  valid_days: 30                       # or valid_until: 2026-12-26 — not both",
         "  valid_days: 30\n  valid_until: 2026-12-26"),
        ("        quantity: 3\n", "        quantity: 0\n"),
        ("    lead: true", "    lead: false"),
    ]  # fmt: skip
    (samples / "dossiers" / "acme.yaml").write_text(edited(example, mistakes), encoding="utf-8")
    result = run("validate", "dossiers/acme.yaml")
    assert result.exit_code == 1
    assert result.stderr == shown


def test_the_readme_validate_example_is_what_validate_prints(samples: Path) -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    example = block_after(readme, "A dossier in short", "```yaml")
    shown = block_after(readme, "`kamdocs validate` would answer")
    mistakes = [
        ("implementation speed]", "implementation sped]"),
        ("persona: finance", "persona: cfo"),
        ("  valid_days: 30\n", "  valid_days: 30\n  valid_until: 2026-12-31\n"),
        ("currency: EUR", "currency: euro"),
    ]
    (samples / "dossiers" / "acme.yaml").write_text(edited(example, mistakes), encoding="utf-8")
    result = run("validate", "dossiers/acme.yaml")
    assert result.exit_code == 1
    assert result.stderr == shown


def test_the_readme_walkthrough_works_on_a_fresh_copy(samples: Path) -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    steps = block_after(readme, "## Five minutes with a dossier", "```sh")
    commands = [line.split("  #")[0].strip() for line in steps.splitlines()]
    commands = [c for c in commands if c.startswith("kamdocs ")]
    name = re.match(r'kamdocs new "(.+)"', commands[0]).group(1)
    made = run("new", name)
    assert made.exit_code == 0, made.output
    path = re.search(r"wrote (\S+):", made.stdout).group(1)
    assert all(path in c for c in commands[2:]), commands  # explain and render use its file
    data = yamlsrc.load(path).data
    assert data["client"]["name"] == name
    assert data["client"]["locale"] == "bg"  # a Cyrillic name
    assert "industry" not in data["client"]  # not chosen for the user
    for command in commands[1:]:
        result = run(*command.split()[1:])
        assert result.exit_code == 0, (command, result.output)
    # The starter's placeholders are warned about, line by line; strictly, they are errors.
    warned = run("validate", path).stderr.splitlines()
    assert any(
        "offer.title: still the starter's placeholder 'Title of the offer'" in w for w in warned
    )
    assert all(": warning: " in line for line in warned)
    assert run("validate", "--strict", path).exit_code == 1


def test_a_latin_name_leaves_the_language_to_the_workspace(samples: Path) -> None:
    made = run("new", "Northwind Traders")
    assert made.exit_code == 0, made.output
    data = yamlsrc.load(samples / "dossiers" / "northwind-traders.yaml").data
    assert "locale" not in data["client"] and "industry" not in data["client"]
