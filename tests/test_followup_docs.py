"""README's "After you send it": its kamdocs.yaml is true (tests/test_doc_examples.py runs its
example and compares the output)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from helpers import ROOT, build_file_tree

from kamdocs.workspace import find_workspace

SECTION = ROOT.joinpath("README.md").read_text(encoding="utf-8").split("## After you send it")[1]
SECTION = SECTION.split("\n## ")[0]


def test_the_settings_example_is_valid(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    match = re.search(r"```yaml\n# kamdocs.yaml\n(.*?)```", SECTION, re.DOTALL)
    assert match
    build_file_tree(tmp_path, {"kamdocs.yaml": match.group(1)})
    monkeypatch.chdir(tmp_path)
    workspace = find_workspace()
    assert workspace.supplier.country == "BG"
    assert [str(d) for d in workspace.calendar.working_days] == ["2026-11-28"]
    assert [m.months for m in workspace.tender_milestones] == [9]
