"""kamdocs' shortcuts through Python-Markdown give what Python-Markdown itself gives."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET

import markdown
import pytest
from hypothesis import assume, example, given
from hypothesis import strategies as st
from markdown.extensions.tables import TableProcessor

from kamdocs.render.markup import Converter, _split_cells, escape_attr, escape_text

# Rows made of what matters to a table row: pipes, escapes, backticks, spaces and letters.
ROWS = st.text(alphabet="|\\`ab *", max_size=40)


@given(ROWS)
def test_a_table_row_splits_as_python_markdown_splits_it(row: str) -> None:
    table = Converter().md.parser.blockprocessors["table"]
    assert _split_cells(table, row) == TableProcessor._split(table, row)


@given(st.one_of(st.text(max_size=12), st.sampled_from(["p", "DIV", "table", "Td", "hr/", "em"])))
def test_block_level_answers_as_python_markdown_answers(tag: str) -> None:
    stock = markdown.Markdown(extensions=["tables", "attr_list", "sane_lists"])
    ours = Converter().md
    assert ours.is_block_level(tag) == stock.is_block_level(tag)
    assert ours.is_block_level(tag) == stock.is_block_level(tag)  # the second, remembered answer


# Blocks made of what the block stages look for: headings, quotes, underlines, references.
BLOCKS = st.text(alphabet="#>=-[]:() \n\\a'\"", max_size=40) | st.sampled_from(
    ["# a", "a\n## b", " > q", "t\n===", "t\n--- ", "[a]: /u", "x\n[a]:\n /u 'b'", "a]:"]
)


@given(BLOCKS)
@example("#")
@example(">")
@example("a\n=")
@example("a\n-")
@example("[a]: b")
def test_a_block_stage_skips_only_blocks_that_cannot_be_its_own(block: str) -> None:
    stock = markdown.Markdown(extensions=["tables", "attr_list", "sane_lists"])
    ours = Converter().md
    for name in ("hashheader", "quote", "setextheader"):
        parent = ET.Element("div")
        mine, theirs = ours.parser.blockprocessors[name], stock.parser.blockprocessors[name]
        assert bool(mine.test(parent, block)) == bool(theirs.test(parent, block)), name
    # The reference stage runs on every block: the same answer, blocks and references after it.
    answers, left, found = [], [], []
    for md in (ours, stock):
        md.reset()
        blocks = [block, "next"]
        answers.append(bool(md.parser.blockprocessors["reference"].run(ET.Element("div"), blocks)))
        left.append(blocks)
        found.append(dict(md.references))
    assert answers[0] == answers[1]
    assert left[0] == left[1]
    assert found[0] == found[1]


def test_escape_markers_become_characters_again_only_where_they_are() -> None:
    tree, html = Converter().convert(
        "A \\*star\\* and `co\\de` | \\_x\\_\n\n| a \\| b | `c|d` |\n|---|---|\n| 1 | 2 |"
    )
    assert "A *star* and <code>co\\de</code> | _x_" in html
    cells = [el.text for el in tree.iter("th")]
    assert cells == ["a | b", None]  # the code span's cell holds an element, not text
    assert [el.text for el in tree.iter("code")] == ["co\\de", "c|d"]


BLOCKS = [
    "# Title {: .title }",
    "## Part",
    "### Sub *part*",
    "Setext\n======",
    "Plain text.",
    "Text with *em*, **strong**, `code` and [a link](https://x.example).",
    "Para\n{: .small }",
    "Two\nlines",
    "Hard  \nbreak",
    "\\# not a heading",
    "1\\. not a list",
    "- a\n- b",
    "- a\n\n- b",
    "1. one\n2. two",
    "* star",
    "+ plus",
    "- item\n  continued",
    "- item\n\n    inside the item",
    "    code block",
    "> quote",
    "> quote\n\n> more",
    "| a | b |\n|---|--:|\n| 1 | 2 |",
    "---",
    "***",
    "___",
    "{: .x }",
    "  indented text",
    "Текст на български.",
    "",
]


@given(
    st.lists(
        st.tuples(st.sampled_from(BLOCKS), st.sampled_from(["\n\n", "\n", "\n\n\n"])), max_size=8
    )
)
def test_a_document_converts_in_chunks_as_it_converts_whole(parts: list[tuple[str, str]]) -> None:
    """Met first, a document's chunks are converted together; met again, one by one (and kept);
    then they come from the cache. Each time the result is that of one conversion of it all."""
    text = "".join(block + sep for block, sep in parts).rstrip("\n")
    whole_elements, whole_html = Converter()._convert(text)
    chunked = Converter()
    for _ in ("first met", "seen before", "cached"):
        tree, html = chunked.convert(text)
        assert html == whole_html
        assert [ET.tostring(e) for e in tree] == [ET.tostring(e) for e in whole_elements]


@given(
    st.lists(
        st.tuples(st.sampled_from(BLOCKS), st.sampled_from(["\n\n", "\n", "\n\n\n"])), max_size=8
    ),
    st.lists(st.booleans(), min_size=3, max_size=3),
)
def test_a_tree_without_its_xhtml_is_the_same_tree(
    parts: list[tuple[str, str]], xhtml: list[bool]
) -> None:
    """A DOCX-only render asks for the tree alone: the tree is the same, and the chunks the
    converter keeps still have their XHTML, for a later render that asks for it."""
    text = "".join(block + sep for block, sep in parts).rstrip("\n")
    whole_elements, whole_html = Converter()._convert(text)
    chunked = Converter()
    for wanted in xhtml:  # first met, seen before, cached: each with or without the XHTML
        tree, html = chunked.convert(text, xhtml=wanted)
        assert [ET.tostring(e) for e in tree] == [ET.tostring(e) for e in whole_elements]
        if wanted:
            assert html == whole_html
    assert chunked.convert(text)[1] == whole_html


def test_a_blank_chunk_brings_nothing_of_the_previous_document() -> None:
    # A template whose text starts with blank lines before a heading makes a blank first chunk.
    converter = Converter()
    converter.convert("# Offer for Acme\n\nAcme's secret terms.")
    tree, html = converter.convert("\n\n# Offer for Beta")
    assert "Acme" not in ET.tostring(tree, encoding="unicode")
    assert html == "<h1>Offer for Beta</h1>"
    assert Converter().convert("  \n\n# Only this")[1] == "<h1>Only this</h1>"


# Characters XML 1.0 allows, as a parser gives them back (no carriage return: parsers turn it
# into a line feed), with the ones that need escaping made frequent.
_XML_CHARS = st.characters(blacklist_categories=("Cs", "Cc")) | st.sampled_from("&<>\"'\n\t;#x")


@given(st.text(_XML_CHARS))
@example("a ]]> b")  # the one place XML forbids a bare ">" in text
def test_xml_escapes_read_back_as_the_same_text(text: str) -> None:
    # In element text and in a double-quoted attribute an XML parser reads back what was
    # escaped; whitespace in an attribute is normalised by every parser, so leave it out there.
    value = text.replace("\n", " ").replace("\t", " ")
    root = ET.fromstring(f'<a title="{escape_attr(value)}">{escape_text(text)}</a>')
    assert (root.text or "") == text
    assert root.get("title") == value


_TEXT_CHARS = st.characters(blacklist_categories=("Cs", "Cc"))  # the dossier refuses the others


@given(st.text(st.sampled_from("\\`*_{}[]<>#|&!-+=.()aя 1") | _TEXT_CHARS, min_size=1))
@example("`code` and `more`")
@example("*strong* _em_ [link](x) <b> &amp; a | b {: .x }")
@example("<https://autolink.example> <b>bold</b>")
@example("# heading")
@example("> quoted")
@example("- item")
@example("1. item")
@example("=")
@example("\\*not em\\* and a\\`b` \\\\")  # backslashes before what Markdown unescapes
@example("**" * 150)  # longer than the escape cache takes
@example("a *b* " * 60)
def test_escaped_markdown_reads_back_as_the_same_text(text: str) -> None:
    # What a template prints is read by a client as it was written: no emphasis, no link, no
    # heading or list, no HTML, on one line.
    from kamdocs.render.markup import convert
    from kamdocs.templating import escape_md

    shown = re.sub(" +", " ", text).strip(" ")
    assume(shown and not any(c in text for c in "\x1c\x1d\x1e\x85\u2028\u2029"))
    assume(shown.strip() == shown)  # Markdown trims a paragraph's ends (NBSP too); kamdocs not
    tree, _ = convert(f"{escape_md(text)}\n")
    assert [child.tag for child in tree] == ["p"], "one paragraph: no heading, list or quote"
    (paragraph,) = tree
    assert len(paragraph) == 0, "no element inside the paragraph: no emphasis, link or code"
    assert paragraph.text == shown


def _plain_serialize(el: ET.Element) -> str:
    """The serializer's definition, without its shortcuts."""
    table = str.maketrans({"&": "&amp;", "<": "&lt;", ">": "&gt;"})
    attrs = "".join(f' {k}="{escape_attr(str(v))}"' for k, v in sorted(el.items()))
    if el.tag in {"br", "hr", "img", "col", "area", "base", "input", "link", "meta", "wbr"} and (
        not len(el) and not el.text
    ):
        out = f"<{el.tag}{attrs} />"
    else:
        inner = "".join(_plain_serialize(child) for child in el)
        out = f"<{el.tag}{attrs}>{(el.text or '').translate(table)}{inner}</{el.tag}>"
    return out + (el.tail or "").translate(table)


_TAGS = st.sampled_from(["p", "td", "br", "hr", "strong", "a", "img"])
_TEXTS = st.none() | st.text(st.sampled_from('ab &<>"я\n'), max_size=6)
_ATTRS = st.dictionaries(
    st.sampled_from(["href", "style", "class", "id"]), _TEXTS.filter(bool), max_size=3
)


@st.composite
def _trees(draw: st.DrawFn, depth: int = 0) -> ET.Element:
    el = ET.Element(draw(_TAGS), draw(_ATTRS))
    el.text, el.tail = draw(_TEXTS), draw(_TEXTS)
    if depth < 3:
        el.extend(draw(st.lists(_trees(depth + 1), max_size=3)))
    return el


@given(_trees())
def test_the_serializer_writes_what_its_definition_writes(tree: ET.Element) -> None:
    from kamdocs.render.markup import serialize

    assert serialize(tree) == _plain_serialize(tree)


def test_code_text_is_literal_in_the_tree_and_escaped_once_in_the_html() -> None:
    # Python-Markdown keeps a code span's text entity-escaped; kamdocs makes it literal again.
    tree, html = Converter().convert("A `x < y > w && z &lt; 5 &amp;` span.")
    assert [el.text for el in tree.iter("code")] == ["x < y > w && z &lt; 5 &amp;"]
    assert "<code>x &lt; y &gt; w &amp;&amp; z &amp;lt; 5 &amp;amp;</code>" in html


def test_the_chunk_cache_keeps_within_its_bounds(monkeypatch: pytest.MonkeyPatch) -> None:
    from kamdocs.render import markup

    chunks = [f"# Part {i}\n\nText {i}." for i in range(5)]
    size = len(chunks[0])
    monkeypatch.setattr(markup, "CACHE_SIZE", 3)
    monkeypatch.setattr(markup, "CACHE_CHARS", 3 * size)
    converter = Converter()
    for chunk in chunks[:3]:  # seen twice: kept from then on
        converter.convert(chunk)
        converter.convert(chunk)
    assert list(converter.cache) == chunks[:3]  # three chunks: at both bounds
    assert converter.cached_chars == 3 * size
    converter.convert(chunks[3])
    converter.convert(chunks[3])
    assert list(converter.cache) == chunks[1:4]  # the oldest went
    assert converter.cached_chars == 3 * size
    monkeypatch.setattr(markup, "CACHE_SIZE", 10)  # now the characters bound the cache
    converter.convert(chunks[4])
    converter.convert(chunks[4])
    assert list(converter.cache) == chunks[2:5]
    assert converter.cached_chars == 3 * size
    for chunk in chunks:
        assert converter.convert(chunk)[1] == Converter().convert(chunk)[1], chunk


def test_a_backslash_before_what_markdown_does_not_escape_stays() -> None:
    html = Converter().convert("C:\\Users \\q \\X \\é and \\* \\< \\& \\= star")[1]
    assert html == "<p>C:\\Users \\q \\X \\é and * &lt; &amp; = star</p>"


def test_escapes_in_a_link_target_and_title_read_back_as_their_characters() -> None:
    text = '[x](https://a.example/\\_b "a \\* title") and [y](https://b.example/\\(c\\))'
    stock = markdown.Markdown(extensions=["tables", "attr_list", "sane_lists"]).convert(text)
    html = Converter().convert(text)[1]
    assert (
        html
        == stock
        == (
            '<p><a href="https://a.example/_b" title="a * title">x</a> and '
            '<a href="https://b.example/(c)">y</a></p>'
        )
    )


def test_a_reference_link_is_text_and_its_definition_is_left_out() -> None:
    # docs/security.md: reference links are not recognised; a definition line is left out, as
    # Markdown readers leave it out of the Markdown file.
    _, html = Converter().convert("See [the terms][t] below.\n\n[t]: https://ok.example/terms")
    assert html == "<p>See [the terms][t] below.</p>"
