"""kamdocs' shortcuts through Python-Markdown give what Python-Markdown itself gives."""

from __future__ import annotations

import markdown
from hypothesis import given
from hypothesis import strategies as st
from markdown.extensions.tables import TableProcessor

from kamdocs.render.markup import EXTENSIONS, Converter, _split_cells

# Rows made of what matters to a table row: pipes, escapes, backticks, spaces and letters.
ROWS = st.text(alphabet="|\\`ab *", max_size=40)


@given(ROWS)
def test_a_table_row_splits_as_python_markdown_splits_it(row: str) -> None:
    table = Converter().md.parser.blockprocessors["table"]
    assert _split_cells(table, row) == TableProcessor._split(table, row)


@given(st.one_of(st.text(max_size=12), st.sampled_from(["p", "DIV", "table", "Td", "hr/", "em"])))
def test_block_level_answers_as_python_markdown_answers(tag: str) -> None:
    stock = markdown.Markdown(extensions=EXTENSIONS)
    ours = Converter().md
    assert ours.is_block_level(tag) == stock.is_block_level(tag)
    assert ours.is_block_level(tag) == stock.is_block_level(tag)  # the second, remembered answer


def test_escape_markers_become_characters_again_only_where_they_are() -> None:
    tree, html = Converter().convert(
        "A \\*star\\* and `co\\de` | \\_x\\_\n\n| a \\| b | `c|d` |\n|---|---|\n| 1 | 2 |"
    )
    assert "A *star* and <code>co\\de</code> | _x_" in html
    cells = [el.text for el in tree.iter("th")]
    assert cells == ["a | b", None]  # the code span's cell holds an element, not text
    assert [el.text for el in tree.iter("code")] == ["co\\de", "c|d"]
