"""The privacy guard in depth: no private value, and no internal label, ever reaches a client."""

from __future__ import annotations

import dataclasses
import datetime as dt
import html
import re
import unicodedata
from collections.abc import Iterator, Mapping
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
import yaml
from click.testing import Result
from helpers import ARGUMENTS, DOSSIER, ROOT, build_file_tree, run, small_library
from hypothesis import given, settings
from hypothesis import strategies as st

from kamdocs import privacy
from kamdocs.dossier import ROLES, Dossier, load_dossier
from kamdocs.library import load_library
from kamdocs.privacy import Guard
from kamdocs.render.context import TemplateContext, build_context
from kamdocs.tailor import tailor
from kamdocs.templating import Md

NOTE = "Secretly prefers the competitor"  # dmu[0].private.notes of the small dossier
SLUG = "acme-logistics-ad"
FORMATS = ["md", "html", "docx"]
KINDS = {
    "business_insight",
    "benefit",
    "uniqueness",
    "exclusivity",
    "reference",
    "people",
    "statistic",
    "financial",
    "technical",
    "cooperation",
}
KNOWLEDGE = {"expert", "informed", "novice"}
INTERNAL_FIELDS = {
    "private",
    "persona",
    "role",
    "knowledge",
    "prefers",
    "score",
    "reasons",
    "priorities",
    "cooperated_before",
    "share_of_sales",
}


def line_of(path: Path, needle: str) -> int:
    lines = path.read_text(encoding="utf-8").splitlines()
    return next(i for i, line in enumerate(lines, 1) if needle in line)


def where(fmt: str) -> str:
    return f"{SLUG}.docx (word/document.xml)" if fmt == "docx" else f"{SLUG}.{fmt}"


def assert_leak(
    result: Result, ws: Path, field: str, needle: str, fmt: str, through: str | None = None
) -> None:
    """Exit 1, one located problem naming the private field (and the dossier's own text it came
    through, where one holds it), and nothing written."""
    assert result.exit_code == 1, result.output
    assert "Traceback" not in result.output
    line = line_of(ws / "dossiers/acme.yaml", needle)
    if through is None:
        message = (
            f"this private value would appear in {where(fmt)}; "
            "private data must never reach the client (check the templates and texts)"
        )
    else:
        message = (
            f"this private value would appear in {where(fmt)} through {through}; "
            f"private data must never reach the client (remove it from {through})"
        )
    assert result.stderr.splitlines() == [f"dossiers/acme.yaml:{line}: {field}: {message}"]
    assert not (ws / "out").exists()


def computed(text: str) -> str:
    """Template code that prints ``text`` without holding it: each character on its own.

    A value that stands in a library text as written is public anyway (a warning, see
    test_public_inputs.py); one a text makes is the leak the guard stops."""
    return "{{ " + " ~ ".join(f"'{char}'" for char in text) + " }}"


def with_argument(ws: Path, text: str) -> None:
    """Pin an argument with ``text`` (the library may say anything) into the small dossier."""
    build_file_tree(
        ws,
        {
            "templates/arguments/main.yaml": ARGUMENTS
            + f"""
- id: smuggle
  kind: exclusivity
  title: {{en: "Between us", bg: "Между нас"}}
  text: {{en: "{text}", bg: "{text}"}}
""",
            "dossiers/acme.yaml": DOSSIER.replace(
                "  valid_days: 30\n", "  valid_days: 30\n  include: [smuggle]\n"
            ),
        },
    )


# --- (a) a leak through the templates stops the render --------------------------------------------


@pytest.mark.parametrize("fmt", FORMATS)
def test_content_template_leak(ws: Path, fmt: str) -> None:
    # Templates cannot reach private data; a template that prints the same words is the leak.
    template = ws / "templates/proposal.md.j2"
    template.write_text(
        template.read_text("utf-8") + f"\nP.S. {computed(NOTE.lower())}.\n", "utf-8"
    )
    result = run("render", "dossiers/acme.yaml", "-f", fmt, "-o", "out")
    assert_leak(result, ws, "dmu[0].private.notes", "notes:", fmt)


@pytest.mark.parametrize("fmt", FORMATS)
def test_argument_text_leak(ws: Path, fmt: str) -> None:
    with_argument(ws, computed(f"Between us: {NOTE.upper()}!"))
    result = run("render", "dossiers/acme.yaml", "-f", fmt, "-o", "out")
    assert_leak(result, ws, "dmu[0].private.notes", "notes:", fmt)


@pytest.mark.parametrize("fmt", FORMATS)
@pytest.mark.parametrize(
    ("text", "field", "needle"),
    [
        ("Born 1971-05-14.", "dmu[0].private.birthday", "birthday:"),
        ("Born 14.05.1971.", "dmu[0].private.birthday", "birthday:"),
        ("A SAILING trip for the board.", "dmu[0].private.hobbies[0]", "hobbies:"),
    ],
)
def test_any_private_field_leak(ws: Path, fmt: str, text: str, field: str, needle: str) -> None:
    with_argument(ws, computed(text))
    result = run("render", "dossiers/acme.yaml", "-f", fmt, "-o", "out")
    assert_leak(result, ws, field, needle, fmt)


@pytest.mark.parametrize("fmt", FORMATS)
def test_public_field_repeating_a_private_value(ws: Path, fmt: str) -> None:
    build_file_tree(
        ws,
        {
            "dossiers/acme.yaml": DOSSIER.replace(
                "  title: Warehouse automation\n",
                f'  title: Warehouse automation\n  summary: "Note: {NOTE}"\n',
            )
        },
    )
    result = run("render", "dossiers/acme.yaml", "-f", fmt, "-o", "out")
    assert_leak(result, ws, "dmu[0].private.notes", "notes:", fmt, through="offer.summary")


def test_leak_keeps_earlier_outputs(ws: Path) -> None:
    assert run("render", "dossiers/acme.yaml", "-f", "md,docx,html", "-o", "out").exit_code == 0
    before = {p.name: p.read_bytes() for p in (ws / "out").iterdir()}
    with_argument(ws, computed(NOTE))
    result = run("render", "dossiers/acme.yaml", "-f", "md,docx,html", "-o", "out")
    assert result.exit_code == 1
    assert len(result.stderr.splitlines()) == 3  # one problem per format
    assert {p.name: p.read_bytes() for p in (ws / "out").iterdir()} == before


def test_similar_words_are_no_leak(ws: Path) -> None:
    # Whole values only: a word that merely contains a private value ("sailing") is fine.
    with_argument(ws, "Unsailingly prefers the competition.")
    assert run("render", "dossiers/acme.yaml", "-f", "md,docx,html", "-o", "out").exit_code == 0


# --- (b) what the guard finds ---------------------------------------------------------------------


@pytest.fixture
def dossier(ws: Path) -> Dossier:
    build_file_tree(
        ws,
        {
            "dossiers/acme.yaml": DOSSIER.replace(
                "      hobbies: [sailing]\n", "      hobbies: [sailing, Yoga, ski]\n      pin: 7\n"
            )
        },
    )
    library = load_library(ws / "templates")
    return load_dossier(ws / "dossiers/acme.yaml", library, dt.date(2026, 11, 26)).dossier


@pytest.fixture
def guard(dossier: Dossier) -> Guard:
    return Guard(dossier)


NOTES = ("dmu", 0, "private", "notes")


@pytest.mark.parametrize(
    "text",
    [
        f"We know: {NOTE}.",
        NOTE.upper(),
        "secretly PREFERS the Competitor",
        "Secretly\n  prefers\tthe  competitor",
        "Secretly\u00a0prefers the competitor",
    ],
)
def test_guard_ignores_case_and_spacing(guard: Guard, text: str) -> None:
    assert guard.find(text) == NOTES


def test_guard_short_values(guard: Guard) -> None:
    assert guard.find("Morning yoga for all") == ("dmu", 0, "private", "hobbies", 1)
    assert guard.find("Go ski, take a pin, 7 days") is None  # under 4 characters: too common
    assert guard.find("Secretly prefers the competition") is None


def test_guard_sees_text_across_docx_runs(guard: Guard) -> None:
    xml = (
        '<w:p><w:r><w:t xml:space="preserve">Psst: secretly </w:t></w:r>'
        "<w:r><w:rPr><w:b/></w:rPr><w:t>PREFERS</w:t></w:r>"
        '<w:hyperlink r:id="rIdH1">'
        '<w:r><w:t xml:space="preserve"> the com</w:t></w:r></w:hyperlink>'
        "<w:r><w:t>petitor</w:t></w:r></w:p>"
    )
    assert guard.find(xml) is None  # not in the raw XML...
    assert guard.scan_markup(xml) == NOTES  # ...but in the text a reader sees


@pytest.mark.parametrize(
    ("lang", "printed"),
    [("bg", "14 май 1971 г."), ("bg", "14.05.71 г."), ("en", "Friday, May 14, 1971")],
)
def test_guard_knows_a_private_date_in_every_printed_form(
    dossier: Dossier, lang: str, printed: str
) -> None:
    birthday = ("dmu", 0, "private", "birthday")
    assert Guard(dossier, (lang,)).find(f"Born on {printed}") == birthday


def test_guard_decodes_entities(guard: Guard) -> None:
    assert guard.scan_markup("<p>Secretly&#160;prefers&#x20;the&nbsp;competitor</p>") == NOTES


@pytest.mark.parametrize(
    "markup",
    [
        # A run a reader sees joined to the word before it still holds the value on its own.
        "<w:p><w:r><w:t>example.com</w:t></w:r><w:r><w:t>Secretly prefers the competitor"
        "</w:t></w:r></w:p>",
        # Attribute values are data too, double- or single-quoted, entities decoded.
        '<a href="https://x.example/?q=no" title="Secretly prefers the competitor">x</a>',
        "<dc:title lang='en' alt='Secretly&#32;prefers the&#x20;competitor'>Offer</dc:title>",
    ],
)
def test_guard_sees_runs_and_attribute_values(guard: Guard, markup: str) -> None:
    assert guard.scan_markup(markup) == NOTES


def test_guard_ignores_tag_and_attribute_names(dossier: Dossier) -> None:
    # Only what markup carries as data counts: a tag named like a value is no leak.
    guard = Guard(dossier)
    assert guard.scan_markup("<yoga:morning xmlns:yoga='u'>Offer</yoga:morning>") is None


@pytest.mark.parametrize("fmt", ["docx", "html"])
def test_leak_split_by_formatting(ws: Path, fmt: str) -> None:
    # Bold and a link split the words into separate DOCX runs and HTML elements.
    with_argument(ws, "Secretly **prefers** the [competitor](https://rival.example)")
    result = run("render", "dossiers/acme.yaml", "-f", fmt, "-o", "out")
    assert_leak(result, ws, "dmu[0].private.notes", "notes:", fmt)


@pytest.mark.parametrize("vector", ["formatting", "escaped public field"])
def test_leak_split_by_formatting_in_markdown(ws: Path, vector: str) -> None:
    if vector == "formatting":
        with_argument(ws, "Secretly **prefers** the [competitor](https://rival.example)")
    else:
        note = "Budget [2027] closes on 15 January"
        build_file_tree(
            ws,
            {
                "dossiers/acme.yaml": DOSSIER.replace(NOTE, note).replace(
                    "  title: Warehouse automation\n",
                    f'  title: Warehouse automation\n  summary: "{note}"\n',
                )
            },
        )
    result = run("render", "dossiers/acme.yaml", "-f", "md", "-o", "out")
    through = None if vector == "formatting" else "offer.summary"
    assert_leak(result, ws, "dmu[0].private.notes", "notes:", "md", through)


@pytest.mark.parametrize("fmt", FORMATS)
def test_birthday_in_the_proposals_date_format(ws: Path, fmt: str) -> None:
    with_argument(ws, computed("Happy birthday on May 14, 1971!"))
    result = run("render", "dossiers/acme.yaml", "-f", fmt, "-o", "out")
    assert_leak(result, ws, "dmu[0].private.birthday", "birthday:", fmt)


# --- (c) the template context holds nothing private -----------------------------------------------


def walk(node: Any, path: str = "") -> Iterator[tuple[str, Any]]:
    """Every leaf of the context with its path; dict keys count as leaves too."""
    if dataclasses.is_dataclass(node) and not isinstance(node, type):
        for f in dataclasses.fields(node):
            yield from walk(getattr(node, f.name), f"{path}.{f.name}")
    elif isinstance(node, tuple) and hasattr(node, "_fields"):  # the context's NamedTuples
        for name in node._fields:
            yield from walk(getattr(node, name), f"{path}.{name}")
    elif isinstance(node, Mapping):
        for key, value in node.items():
            yield f"{path}[{key!r}] (key)", key
            yield from walk(value, f"{path}[{key!r}]")
    elif isinstance(node, list | tuple):
        for i, value in enumerate(node):
            yield from walk(value, f"{path}[{i}]")
    else:
        yield path, node


def private_leaves(node: Any) -> Iterator[Any]:
    if isinstance(node, dict):
        for value in node.values():
            yield from private_leaves(value)
    elif isinstance(node, list):
        for value in node:
            yield from private_leaves(value)
    elif node is not None and not isinstance(node, bool):
        yield node


def contexts() -> Iterator[tuple[str, Path, Path]]:
    yield "small", Path(), Path()  # built in the test, in tmp_path
    for path in sorted((ROOT / "dossiers").glob("[!_]*.yaml")):
        yield path.stem, path, ROOT / "templates"


@pytest.mark.parametrize(
    ("name", "dossier", "templates"), list(contexts()), ids=[c[0] for c in contexts()]
)
def test_template_context_is_public(
    name: str, dossier: Path, templates: Path, tmp_path: Path
) -> None:
    if name == "small":
        templates = small_library(tmp_path)
        dossier = tmp_path / "dossiers/acme.yaml"
        build_file_tree(
            tmp_path,
            {
                "dossiers/acme.yaml": DOSSIER.replace(
                    "    role: decision_maker\n",
                    "    role: decision_maker\n    prefers: [exclusivity]\n    knowledge: novice\n",
                )
            },
        )
    library = load_library(templates)
    loaded = load_dossier(dossier, library, dt.date(2026, 11, 26))
    context = build_context(loaded, library, tailor(loaded.dossier, library))
    assert isinstance(context, TemplateContext)
    leaves = list(walk(context))
    assert len(leaves) > 20

    # Only plain values: no dossier model (which would carry `private`) hides in the context.
    for path, value in leaves:
        assert value is None or isinstance(value, str | Md | bool | int | Decimal | dt.date), (
            path,
            type(value),
        )
        assert not set(re.findall(r"\.(\w+)", path)) & INTERNAL_FIELDS, path

    data = yaml.safe_load(dossier.read_text("utf-8"))
    texts = [" ".join(v.split()).casefold() for _, v in leaves if isinstance(v, str)]
    dates = {v for _, v in leaves if isinstance(v, dt.date)}
    private = [v for m in data["dmu"] for v in private_leaves(m.get("private"))]
    assert private, "the dossier should carry private data for this test to mean something"
    for value in private:
        if isinstance(value, dt.date):
            assert value not in dates, value
            value = value.isoformat()
        text = " ".join(str(value).split()).casefold()
        if len(text) >= 4:
            assert not any(text in t for t in texts), value

    labels = set(KINDS | KNOWLEDGE | set(ROLES))
    for member in data["dmu"]:
        labels |= {member["persona"], *member.get("prefers", [])}
    assert not labels & set(texts), labels & set(texts)
    # Nor inside a longer text ("CEO (decision_maker)"), unless the wording of the library,
    # the template or the dossier's public fields uses that word ("technical details").
    written = [(templates / "proposal.md.j2").read_text("utf-8")]
    written += [v for words in library.locales.values() for v in words.values()]
    written += [v for p in library.personas.values() for v in p.label.values()]
    for a in library.arguments.values():
        for text in (a.title, a.text, a.detail or {}, *(f.label for f in a.figures)):
            written += text.values()
    for ref in library.references:
        written += [ref.company, *ref.project.values(), *(ref.result or {}).values()]
        if ref.recommender is not None:
            written += [ref.recommender.name, ref.recommender.position or ""]
    written += _public_texts(data)  # a position may well be "Chief Executive Officer"
    wording = {word for text in written for word in re.findall(r"[\w-]+", str(text).casefold())}
    for label in sorted(labels - wording):
        word = re.compile(rf"(?<![\w-]){re.escape(label.casefold())}(?![\w-])")
        assert not [t for t in texts if word.search(t)], label


def _public_texts(node: object) -> list[str]:
    """The dossier's texts a proposal may print: none under ``private`` or an internal field."""
    if isinstance(node, dict):
        return [t for k, v in node.items() if k not in INTERNAL_FIELDS for t in _public_texts(v)]
    if isinstance(node, list):
        return [t for v in node for t in _public_texts(v)]
    return [node] if isinstance(node, str) else []


# --- find() against the plain definition: fold the whole text, then look for whole words ------

_PIECES = st.sampled_from(
    [
        "Ivan",
        "IVAN",
        "ivanov",
        "Straße",
        "STRASSE",
        "Иван",
        "ИВАН",
        "1990-04-01",
        "_",
        "-",
        ".",
        "x",
        "ǅ",
        "İ",
        "ｉｖａｎ",  # fullwidth
        "Iv\u200ban",  # a zero-width space inside
        "I\u00advan",  # a soft hyphen inside
        "Café",
        "Cafe\u0301",  # the same, decomposed
        "\U0001d408van",  # a mathematical bold I, beyond the Basic Multilingual Plane
        "Iv\U000e0100an",  # a variation selector of the supplement inside
        "Iva\U0001d173n",  # a musical format character inside
        "\u00a0\u0301",  # a no-break space with an accent over it
    ]
)
_SPACES = st.sampled_from(
    [" ", "  ", "\n", "\t", "\u00a0", "\u2003", "\u2007", "\u2009", "\u202f", ""]
)


def _variation_selector(c: str) -> bool:
    return 0xFE00 <= ord(c) <= 0xFE0F or 0xE0100 <= ord(c) <= 0xE01EF


def test_the_characters_removed_are_exactly_the_invisible_ones() -> None:
    # Every code point: removed when Unicode calls it a format character, the combining grapheme
    # joiner or a variation selector, kept otherwise (the fast classes of the guard are hand-made).
    wrong = []
    for code in range(0x110000):
        c = chr(code)
        if unicodedata.category(c) == "Cs":
            continue  # a lone surrogate is no text
        invisible = unicodedata.category(c) == "Cf" or _variation_selector(c) or c == "\u034f"
        if (privacy._visible_chars(f"a{c}b") == "ab") != invisible:
            wrong.append(f"U+{code:04X}")
    assert wrong == []


@pytest.mark.parametrize(
    ("text", "astral"),
    [
        ("plain", False),
        ("Кирилица – “quotes”", False),
        ("\ufffd\uffff", False),
        ("a\U00010000b", True),
        ("\U0001f600", True),
        ("a\ud800b", False),  # a lone surrogate (Python text may hold one) is one UTF-16 unit
        ("\ud83d\ude00", False),  # two lone surrogates are two code points, not an emoji
    ],
)
def test_a_character_beyond_the_basic_plane_is_told_apart(text: str, astral: bool) -> None:
    assert privacy._has_astral(text) is astral
    assert privacy._has_astral(text) == bool(re.search("[\U00010000-\U0010ffff]", text))


def _reference_fold(text: str) -> str:
    """What a reader compares: no invisible characters, one form of each letter, any case."""
    visible = "".join(
        c
        for c in text
        if unicodedata.category(c) != "Cf" and not _variation_selector(c) and c != "\u034f"
    )
    folded = unicodedata.normalize("NFKC", unicodedata.normalize("NFKC", visible).casefold())
    return " ".join(folded.split())


def _reference_find(fields: dict[str, tuple], text: str) -> tuple | None:
    folded = _reference_fold(text)
    for value, field in fields.items():
        for match in re.finditer(f"(?={re.escape(value)})", folded):
            start, end = match.start(), match.start() + len(value)
            before = folded[start - 1] if start else " "
            after = folded[end] if end < len(folded) else " "
            if not (before.isalnum() or before == "_" or after.isalnum() or after == "_"):
                return field
    return None


@settings(max_examples=300, deadline=None)
@given(
    values=st.lists(st.lists(_PIECES, min_size=1, max_size=3), min_size=1, max_size=4),
    text=st.lists(st.tuples(_PIECES, _SPACES), max_size=12),
)
def test_find_is_the_folded_whole_word_search(
    values: list[list[str]], text: list[tuple[str, str]]
) -> None:
    guard = _guard_of(
        [(_reference_fold(" ".join(words)), ("v", i)) for i, words in enumerate(values)]
    )
    written = "".join(piece + space for piece, space in text)
    expected = _reference_find(guard.fields, written)
    assert guard.find(written) == expected
    # Seen again, the text is split into words once and a value with a word it lacks is passed
    # over: the verdict stays the same.
    assert guard.find(written) == expected
    assert guard.find(written) == expected


def _guard_of(fields: list[tuple[str, tuple]]) -> Guard:
    """A guard of folded values and their fields (the first field of a value named twice)."""
    guard = Guard.__new__(Guard)
    guard.fields = {}
    for value, field in fields:
        guard.fields.setdefault(value, field)
    guard._words = {}
    return guard


def test_a_text_seen_again_is_still_searched_for_every_value() -> None:
    guard = _guard_of([("ivan petrov", ("a",)), ("sofia", ("b",)), ("....", ("c",))])
    for text in ("Dear Ivan  Petrov,", "from SOFIA", "dots .... here", "Ivanov in Sofiagrad"):
        found = [guard.find(text) for _ in range(3)]
        assert found == [_reference_find(guard.fields, text)] * 3
    assert guard.find("Dear Ivan  Petrov,") == ("a",)
    assert guard.find("dots .... here") == ("c",)  # a value with no word passes the word test


_LINE_SPACES = st.sampled_from([" ", "\n", "\n\n", "\t", "\u00a0", "", "\n\u0301", "\n "])
_FILLER = "Lorem ipsum dolor sit amet. " * 20  # the text is long enough to be folded by lines


@settings(max_examples=200, deadline=None)
@given(text=st.lists(st.tuples(_PIECES, _LINE_SPACES), max_size=40))
def test_a_long_text_folded_line_by_line_is_the_text_folded_in_one_piece(
    text: list[tuple[str, str]],
) -> None:
    written = _FILLER + "\n" + "".join(piece + space for piece, space in text) + "\n" + _FILLER
    assert len(written) >= privacy._LINED
    expected = _reference_fold(written)
    assert privacy._fold(written) == expected
    assert privacy._fold(written) == expected  # every line now looked up


@pytest.mark.parametrize(("lines", "chars"), [(8, 10**6), (10**6, 300)])
def test_the_folded_lines_kept_are_bounded(
    monkeypatch: pytest.MonkeyPatch, lines: int, chars: int
) -> None:
    monkeypatch.setattr(privacy, "_LINES_KEPT", lines)
    monkeypatch.setattr(privacy, "_LINES_CHARS", chars)
    monkeypatch.setattr(privacy, "_lines", privacy._Lines())
    text = "\n".join(f"Line {i}: Иван ПЕТРОВ" for i in range(100)) + "\n" + "x" * 600
    assert privacy._fold(text) == _reference_fold(text)
    kept = privacy._lines
    assert 0 < len(kept) <= lines
    assert kept.chars == sum(len(k) + (0 if v is k else len(v)) for k, v in kept.items()) <= chars
    assert all(len(line) <= privacy._LINE_CHARS_KEPT for line in kept)
    assert privacy._fold(text) == _reference_fold(text)


_UNNORMALISED = st.sampled_from(
    ["m²", "ﬁ", "e\u0301", "\u0301", "Ａ", "\u212b", "\u1100\u1161", "ǅ", "…", "plain", "Иван"]
)


@settings(max_examples=200, deadline=None)
@given(
    pieces=st.lists(
        st.tuples(_UNNORMALISED, st.integers(0, 300), st.sampled_from(["\n", "", " "])),
        max_size=30,
    )
)
def test_normalising_by_parts_is_normalising_the_whole(pieces: list[tuple[str, int, str]]) -> None:
    # Long stretches of normalised text, broken into lines, with here and there a character NFKC
    # changes, or one that composes with the character before it (also at a line's start).
    text = "".join(piece + "a" * run + brk for piece, run, brk in pieces)
    assert privacy._nfkc(text) == unicodedata.normalize("NFKC", text)


_MARKUP = st.lists(
    st.sampled_from(
        ["<", ">", "/", "</p>", "</w:p>", "<w:t>", "a", "Я", " ", "\n", "&amp;", "&", ";"]
    )
    | st.sampled_from(['="x y"', "='z'", "=", '"', "'", "<br/>", "</dc:title>", "<p class='c'>"])
    | st.sampled_from(["\u00a0", "\u2028", "\u3000", "\r", "\t", "&#32;", "&nbsp;", "\u0301"])
    | st.sampled_from(["\x00", "&am", "p;", "</li", "</", "<x y='", "\u0308"]),
    max_size=30,
).map("".join)

# The attribute values' patterns, written out again: the views are checked against them.
_DOUBLE_QUOTED, _SINGLE_QUOTED = re.compile(r'=\s*"([^"]*)"'), re.compile(r"=\s*'([^']*)'")


def _reference_views(markup: str) -> tuple[str, str]:
    """The visible and separated views as one substitution each defines them."""
    tag, block_end = re.compile(r"<[^>]*>"), privacy._BLOCK_END
    visible = html.unescape(tag.sub("", block_end.sub("\n", markup)))
    values = [v for pattern in (_DOUBLE_QUOTED, _SINGLE_QUOTED) for v in pattern.findall(markup)]
    separated = html.unescape(tag.sub("\n", markup) + "\n" + "\n".join(dict.fromkeys(values)))
    return visible, separated


@settings(max_examples=600, deadline=None)
@given(markup=_MARKUP)
def test_the_views_of_markup_are_the_tags_removed_as_one_substitution_does(markup: str) -> None:
    # Any text, well formed or not: a "<" inside a tag, a ">" alone, a tag left open before a
    # block's end (closed by its ">", or never), a character the views use as a mark.
    visible, separated = _reference_views(markup)
    assert privacy._visible(markup) == visible
    # The separated view leaves out the texts that are white space alone: it folds the same.
    assert privacy._fold(privacy._separated(markup)) == _reference_fold(separated)
    assert privacy._fold(privacy._separated(markup)) == privacy._fold(separated)
    # Both made from one split of the tags: the same visible text, the same separated folded.
    both = privacy._views(markup)
    assert both[0] == visible
    assert privacy._fold(both[1]) == privacy._fold(separated)


@pytest.mark.parametrize(
    "markup",
    [
        "<w:p><w:r><w:t>Ann</w:t></w:r></w:p><w:p><w:r><w:t>Lee</w:t></w:r></w:p>",
        '<p class="x">Ann</p>\n  <li>Lee</li>',
        "<a </p> b> c",  # a "<" left open before a block's end, closed after it
        "<a </p> b",  # ... and never closed
        "x</p>\x00<w:t>y</w:t>",  # the views' own mark in the markup
    ],
)
def test_the_views_of_one_split_are_the_views_of_two(markup: str) -> None:
    visible, separated = _reference_views(markup)
    both = privacy._views(markup)
    assert both[0] == visible
    assert privacy._fold(both[1]) == privacy._fold(separated)
