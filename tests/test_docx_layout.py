"""How the DOCX writer keeps things together, checked in the XML (the PDF pages themselves are
checked in test_pagination.py): the closing block in one unsplittable row, table rows kept
with each other, columns as wide as their longest word, space under a table."""

from __future__ import annotations

import re
import zipfile
from pathlib import Path

import pytest
from helpers import DOSSIER, build_file_tree, run, small_library

W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"


@pytest.fixture
def document(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> str:
    small_library(tmp_path)
    build_file_tree(tmp_path, {"dossiers/acme.yaml": DOSSIER})
    monkeypatch.chdir(tmp_path)
    result = run("render", "dossiers/acme.yaml", "-f", "docx", "-o", "out", "--date", "2026-11-26")
    assert result.exit_code == 0, result.output
    [docx] = (tmp_path / "out").glob("*.docx")
    with zipfile.ZipFile(docx) as z:
        return z.read("word/document.xml").decode()


def test_the_team_next_steps_and_closing_share_one_row_that_cannot_split(document: str) -> None:
    outer = re.search(
        r'<w:tbl><w:tblPr><w:tblW w:w="5000" w:type="pct"/><w:tblLayout w:type="fixed"/>.*?'
        r"<w:tr><w:trPr><w:cantSplit/></w:trPr><w:tc>(.*)</w:tc></w:tr></w:tbl>",
        document,
    )
    assert outer is not None
    inside = outer.group(1)
    assert "The team that prepared this proposal" in inside
    assert "Maria Georgieva" in inside
    assert '<w:pStyle w:val="NextSteps"/>' in inside
    assert "This offer is valid until" in inside
    assert "Acceptance of the offer" not in inside  # the signature block may go to the next page


def test_rows_keep_together_and_with_the_next_steps(document: str) -> None:
    team = document[document.index("The team that prepared") :]
    team = team[team.index("<w:tbl>", 1) : team.index("</w:tbl>")]
    rows = re.findall(r"<w:tr>.*?</w:tr>", team)
    assert len(rows) == 2  # the header and Maria Georgieva
    for row in rows:
        assert "<w:cantSplit/>" in row
        cells = re.findall(r"<w:p>.*?</w:p>", row)
        assert cells and all("<w:keepNext/>" in p for p in cells)


def test_columns_are_as_wide_as_their_longest_word(document: str) -> None:
    item = document.index(">Item<")
    pricing = document[document.rindex("<w:tbl>", 0, item) : item]
    grid = re.search(r"<w:tblGrid>(.*?)</w:tblGrid>", pricing).group(1)
    widths = [int(w) for w in re.findall(r'w:w="(\d+)"', grid)]
    assert len(widths) == 4 and sum(widths) == 9412
    # "Quantity" in bold, and an amount such as "€4,619.64" (no-break spaces join words).
    assert widths[1] >= 266 + len("Quantity") * 132
    assert widths[3] >= 266 + len("**€4,619.64**".strip("*")) * 132


def test_text_under_a_table_gets_space(document: str) -> None:
    after = re.findall(r"</w:tbl><w:p><w:pPr>(.*?)</w:pPr>", document)
    assert after and all("w:spacing" in p or "pStyle" in p for p in after)
