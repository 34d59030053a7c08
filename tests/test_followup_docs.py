"""README's "After you send it": its example output and its kamdocs.yaml are true."""

from __future__ import annotations

import re
import shlex
from pathlib import Path

import pytest
from helpers import ROOT, build_file_tree, run

from kamdocs.workspace import find_workspace

SECTION = ROOT.joinpath("README.md").read_text(encoding="utf-8").split("## After you send it")[1]
SECTION = SECTION.split("\n## ")[0]


def test_the_example_prints_what_the_readme_shows(monkeypatch: pytest.MonkeyPatch) -> None:
    match = re.search(r"```\n\$ kamdocs (followup [^\n]*)\n(.*?)```", SECTION, re.DOTALL)
    assert match, "the section shows a followup command with its output"
    monkeypatch.chdir(ROOT)
    result = run(*shlex.split(match.group(1)))
    assert result.exit_code == 0, result.output
    assert result.stdout == match.group(2)


def test_the_settings_example_is_valid(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    match = re.search(r"```yaml\n# kamdocs.yaml\n(.*?)```", SECTION, re.DOTALL)
    assert match
    build_file_tree(tmp_path, {"kamdocs.yaml": match.group(1)})
    monkeypatch.chdir(tmp_path)
    workspace = find_workspace()
    assert workspace.supplier.country == "BG"
    assert [str(d) for d in workspace.calendar.working_days] == ["2026-11-28"]
    assert [m.months for m in workspace.tender_milestones] == [9]
