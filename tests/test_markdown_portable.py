"""The written .md reads clean in any CommonMark/GFM reader: no attribute lists, no raw HTML."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from helpers import DOSSIER, build_file_tree, run, small_library
from hypothesis import given, settings
from hypothesis import strategies as st
from markdown_it import MarkdownIt
from samples import render_samples

from kamdocs.render.content import portable


def parser() -> MarkdownIt:
    return MarkdownIt("commonmark").enable("table").enable("strikethrough")


def visible_text(markdown: str) -> list[str]:
    """Every piece of text a reader sees, and every raw HTML token (which should be none)."""
    found = []
    for token in parser().parse(markdown):
        if token.type in ("html_block", "html_inline"):
            found.append(f"HTML: {token.content}")
        for child in token.children or []:
            if child.type == "html_inline":
                found.append(f"HTML: {child.content}")
            elif child.type in ("text", "code_inline"):
                found.append(child.content)
    return found


@pytest.fixture(scope="module")
def sample_markdown(tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    out = tmp_path_factory.mktemp("md")
    return {p.name: p.read_text("utf-8") for p in render_samples(out, ("md",))}


def test_every_sample_reads_clean(sample_markdown: dict[str, str]) -> None:
    assert len(sample_markdown) == 7
    for name, text in sample_markdown.items():
        seen = visible_text(text)
        leftovers = [t for t in seen if "{:" in t or "{." in t or t.startswith("HTML:")]
        assert leftovers == [], name
        assert any("valid until" in t or "валидна до" in t for t in seen), name


def test_classes_are_taken_out_and_nothing_else() -> None:
    text = "# Title {: .title }\n\nPrepared for X\n{: .subtitle }\n\nBody {: .x } stays\n"
    assert portable(text) == "# Title\n\nPrepared for X\n\nBody {: .x } stays\n"


def test_a_value_that_looks_like_an_attribute_list_is_kept(tmp_path: Path, monkeypatch) -> None:
    """Values are escaped: a client called "Acme {: .title }" keeps its name in the .md."""
    small_library(tmp_path)
    build_file_tree(
        tmp_path,
        {"dossiers/acme.yaml": DOSSIER.replace("Acme Logistics AD", '"Acme {: .title }"')},
    )
    monkeypatch.chdir(tmp_path)
    result = run("render", "dossiers/acme.yaml", "-f", "md", "-o", "out")
    assert result.exit_code == 0, result.output
    [md] = (tmp_path / "out").glob("*.md")
    seen = " ".join(visible_text(md.read_text("utf-8")))
    assert "Prepared for Acme {: .title }" in seen


# The attribute lists as ``portable`` removed them before it looked at single lines: both
# patterns over the whole text. It must give the same text for any input.
_WHOLE_LINE = re.compile(r"^[ \t]*(?<!\\)\{:[^{}\n]*\}[ \t]*\n", re.MULTILINE)
_LINE_END = re.compile(r"[ \t]+(?<!\\)\{:[^{}\n]*\}[ \t]*$", re.MULTILINE)


def _over_the_whole_text(markdown: str) -> str:
    return _LINE_END.sub("", _WHOLE_LINE.sub("", markdown))


@settings(max_examples=400, deadline=None)
@given(st.text(alphabet=" \t\n{}:\\.ax", max_size=60))
def test_portable_is_the_patterns_over_the_whole_text(markdown: str) -> None:
    assert portable(markdown) == _over_the_whole_text(markdown)


@settings(max_examples=200, deadline=None)
@given(
    st.lists(
        st.sampled_from(
            [
                "# Title {: .title }",
                "{: .subtitle }",
                "  {: #x }  ",
                "text",
                "a {:b}",
                "",
                "\\{: .kept }",
                "x {: .a } {: .b }",
                "\t{:}\t",
                "{: .open",
                "} {: .",
            ]
        ),
        max_size=12,
    ),
    st.booleans(),
)
def test_portable_lines_as_a_template_writes_them(lines: list[str], final_break: bool) -> None:
    markdown = "\n".join(lines) + ("\n" if final_break else "")
    assert portable(markdown) == _over_the_whole_text(markdown)
