"""The last line of defence: no value from a ``private`` block may leave in any output."""

from __future__ import annotations

import bisect
import datetime as dt
import html
import re
import unicodedata
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from decimal import Decimal
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

from kamdocs import formatting, records
from kamdocs.errors import Problem
from kamdocs.library import once_per_library
from kamdocs.records import Dossier
from kamdocs.yamlsrc import Source, format_path

if TYPE_CHECKING:
    from kamdocs.dossier import Loaded
    from kamdocs.library import Library

# Shorter values ("yes", "2") are too common to mean a leak.
MIN_LENGTH = 4
CACHE_LIMIT = 262_144  # characters of a markup text worth remembering its visible text
T = TypeVar("T")

_TAG = re.compile(r"<[^>]*>")
# Attribute values, double- or single-quoted: the only data a tag carries.
_ATTR_VALUES = (re.compile(r'=\s*"([^"]*)"'), re.compile(r"=\s*'([^']*)'"))
# A run of word characters: exactly those ``str.isalnum()`` or "_" (Python's ``\w``).
_WORD = re.compile(r"\w+")
_BLOCK_END = re.compile(r"</(w:p|p|li|td|th|tr|h[1-6]|div|title|dc:\w+|cp:\w+|dcterms:\w+)>")


DATE_FORMS = ("short", "medium", "long", "full")


def _values(node: Any, path: tuple, langs: tuple[str, ...]) -> Iterator[tuple[tuple, str]]:
    if isinstance(node, dict):
        for key, value in node.items():
            yield from _values(value, (*path, key), langs)
    elif isinstance(node, list):
        for i, value in enumerate(node):
            yield from _values(value, (*path, i), langs)
    elif isinstance(node, dt.date):
        yield path, node.isoformat()
        yield path, f"{node.day:02d}.{node.month:02d}.{node.year}"
        # Every way a proposal could print it: a date filter in a template, in any form.
        for lang in langs:
            for form in DATE_FORMS:
                yield path, formatting.date(node, lang, form)
    elif node is not None and not isinstance(node, bool):
        text = " ".join(str(node).split())
        if len(text) >= MIN_LENGTH:
            yield path, text


def private_values(dossier: Dossier, langs: tuple[str, ...]) -> Iterator[tuple[tuple, str]]:
    """(field path, text) of every value under every member's ``private`` block that is long
    enough to look for; a date once in each form it could be printed in."""
    for i, member in enumerate(dossier.dmu):
        yield from _values(member.private or {}, ("dmu", i, "private"), langs)


def folded_values(dossier: Dossier, langs: tuple[str, ...]) -> list[tuple[tuple, str]]:
    """(field path, folded text) of every private value (``private_values``)."""
    return [(path, _fold(text)) for path, text in private_values(dossier, langs)]


def _words(folded: str) -> frozenset[str]:
    """The runs of word characters in ``folded``.

    A value found as a whole word has each of its own runs of word characters as a whole run of
    the text (the characters next to each are the value's own non-word characters, or the text's,
    which the word rule requires be non-word), so a value with a run the text lacks cannot be
    in it. The public inputs are split once per library; a value passing this test is searched
    for. (A proposal's own text is seen once: splitting it costs more than searching it.)"""
    return frozenset(_WORD.findall(folded))


def _contains(folded: str, value: str) -> bool:
    """Whether folded ``value`` occurs in ``folded`` as a whole word (or words)."""
    start = folded.find(value)
    while start != -1:
        end = start + len(value)
        before = folded[start - 1] if start else " "
        after = folded[end] if end < len(folded) else " "
        if not (before.isalnum() or before == "_" or after.isalnum() or after == "_"):
            return True
        start = folded.find(value, start + 1)
    return False


class Guard:
    """Finds private values of one dossier in rendered text (whole words, any letter case).

    ``langs`` are the languages whose date forms (as the ``date`` filter prints them, short to
    full) a private date is also looked for in: the proposal's own. ``skip`` are the private
    fields not looked for (their value is public in an input; see ``exposures``). ``values``
    are the dossier's ``folded_values`` in ``langs`` when the caller has them already.
    """

    def __init__(
        self,
        dossier: Dossier,
        langs: tuple[str, ...] = ("en",),
        skip: Iterable[tuple] = (),
        values: list[tuple[tuple, str]] | None = None,
    ):
        skipped = set(skip)
        self.fields: dict[str, tuple] = {}
        for path, folded in folded_values(dossier, langs) if values is None else values:
            if path not in skipped:
                self.fields.setdefault(folded, path)
        self._words: dict[str, frozenset[str]] = {}  # of each value, once a text is seen twice

    def find(self, text: str) -> tuple | None:
        """The private field whose value occurs in ``text``, if any."""
        if not self.fields:
            return None
        folded = _folded(text)
        words = _words_if_repeated(folded)  # a text of every document (a static DOCX part)
        own = self._words
        if words is not None and not own:
            own.update((value, _words(value)) for value in self.fields)
        for value, field in self.fields.items():
            if (words is None or own[value] <= words) and _contains(folded, value):
                return field
        return None

    def scan_markup(self, markup: str) -> tuple | None:
        """Search XML/HTML as the reader sees it (tags removed, entities decoded); then with every
        tag a word break (runs a reader sees joined may end a word) and in attribute values."""
        if not self.fields:
            return None
        visible, separated = _views(markup)
        return self.find(visible) or self.find(separated)


def _when_repeated(
    func: Callable[[str], T], first: Callable[[str], T] | None = None
) -> Callable[[str], T]:
    """``func`` with its result kept for texts seen before, and only for those; ``first`` (by
    default ``func``) gives the result for a text seen the first time.

    The static parts of a DOCX (and the stylesheet in every HTML page) are the same text in
    every document of a batch; a proposal's own body is seen once and is never kept, nor is a
    text over ``CACHE_LIMIT`` characters.
    """
    cached = lru_cache(maxsize=64)(func)
    once = func if first is None else first
    seen: dict[int, None] = {}

    def wrapper(text: str) -> T:
        if len(text) > CACHE_LIMIT:
            return once(text)
        key = hash(text)
        if key in seen:
            return cached(text)
        seen[key] = None
        if len(seen) > 1024:
            del seen[next(iter(seen))]
        return once(text)

    def cache_clear() -> None:
        """Forget every text seen: the next of each is seen the first time."""
        seen.clear()
        cached.cache_clear()

    wrapper.cache_clear = cache_clear  # type: ignore[attr-defined]
    return wrapper


# Tags are removed by joining the texts ``_TAG.split`` gives, which is what ``_TAG.sub`` with the
# same string does (the pattern has no group and matches no empty text), in two thirds the time.


def _visible(markup: str) -> str:
    """The markup as a reader sees it: tags removed, each block's end a line break, entities
    decoded."""
    return html.unescape("".join(_TAG.split(_BLOCK_END.sub("\n", markup))))


def _separated(markup: str) -> str:
    """The texts between tags, each on its own line, then every distinct attribute value once (a
    DOCX part repeats a few dozen style ids thousands of times): what the markup carries as
    data, without the names of its tags and attributes. Only what folds to something is
    compared, so the texts that are white space alone (between two tags, a page's indents) are
    left out: the text folds as it would with them, with a tenth of a DOCX body's lines."""
    return _with_values(markup, "\n".join(filter(str.strip, _TAG.split(markup))))


def _with_values(markup: str, texts: str) -> str:
    double, single = _ATTR_VALUES
    values = dict.fromkeys(double.findall(markup))
    if "'" in markup:  # (about a third of the pages and DOCX parts have one)
        values.update(dict.fromkeys(single.findall(markup)))
    return html.unescape(texts + "\n" + "\n".join(values))


# Stands for a block's end while the tags are split off (``_views``): no page or DOCX part holds
# one (XML forbids it), and markup that does is read as ``_visible`` and ``_separated`` read it.
_END_MARK = "\x00"


@_when_repeated
def _views(markup: str) -> tuple[str, str]:
    """``_visible(markup)`` and a text that folds as ``_separated(markup)`` does, from one split
    of the markup at its tags instead of two (a fifth of a DOCX body's scan).

    Each block's end is first marked, then the tags split off. Where every mark is left in the
    texts and no ``<`` is, each block end was a tag of its own, so the texts are those of the
    markup itself, each two on either side of a block's end joined by a mark: with the marks
    line breaks they make the visible text, and the separated one with a line break (and
    perhaps a line of white space) more here and there, which folds the same. Otherwise a ``<``
    was left open before a block's end, whose ``>`` closed it in the markup: a longer tag took
    the mark in, or, with no ``>`` after it, the ``<`` is left in the texts. The markup is then
    read as ``_visible`` and ``_separated`` read it, a split each."""
    if _END_MARK not in markup:
        marked, ends = _BLOCK_END.subn(_END_MARK, markup)
        texts = _TAG.split(marked)
        joined = "".join(texts)
        if "<" not in joined and joined.count(_END_MARK) == ends:
            visible = html.unescape(joined.replace(_END_MARK, "\n"))
            kept = "\n".join(filter(str.strip, texts)).replace(_END_MARK, "\n")
            return visible, _with_values(markup, kept)
    return _visible(markup), _separated(markup)


# Characters a reader does not see: Unicode's format characters (category Cf: the soft hyphen,
# zero-width spaces and joiners, direction marks, the byte order mark, ...), the combining
# grapheme joiner and the variation selectors. Removed before values and outputs are compared.
# Two classes, as the engine tests a class of the Basic Multilingual Plane alone several times
# faster; the other is applied only to a text with a character beyond that plane.
_INVISIBLE_BMP = re.compile(
    "[\u00ad\u034f\u0600-\u0605\u061c\u06dd\u070f\u0890\u0891\u08e2\u180e\u200b-\u200f"
    "\u202a-\u202e\u2060-\u2064\u2066-\u206f\ufe00-\ufe0f\ufeff\ufff9-\ufffb]"
)
_INVISIBLE_ASTRAL = re.compile(
    "[\U000110bd\U000110cd\U00013430-\U00013438\U0001bca0-\U0001bca3\U0001d173-\U0001d17a"
    "\U000e0001\U000e0020-\U000e007f\U000e0100-\U000e01ef]"
)
# Spaces whose compatibility decomposition is a plain space (the no-break ones Babel and the
# ``date`` filter print): replaced before NFKC, which then gives the same text, but finds the
# text already normalised instead of decomposing and composing all of it again.
_SPACES = ("\u00a0", "\u2007", "\u2009", "\u202f")


def _visible_chars(text: str) -> str:
    """``text`` without the characters a reader does not see (above)."""
    text = _INVISIBLE_BMP.sub("", text)
    return _INVISIBLE_ASTRAL.sub("", text) if _has_astral(text) else text


def _has_astral(text: str) -> bool:
    """Whether ``text`` has a character beyond the Basic Multilingual Plane: one UTF-16 writes
    in four bytes (a lone surrogate, in two). Encoding finds it several times faster than a
    search for the class does."""
    return len(text.encode("utf-16-le", "surrogatepass")) != 2 * len(text)


def _nfkc(text: str) -> str:
    for space in _SPACES:
        if space in text:
            text = text.replace(space, " ")
    if unicodedata.is_normalized("NFKC", text):
        return text
    return _nfkc_parts(text)


_NFKC_PIECE = 256  # characters normalised in one piece, whatever they hold


def _nfkc_parts(text: str) -> str:
    """NFKC of ``text``, which is not normalised: only the parts that need it are normalised (a
    long text with one "m²"). Normalisation never joins characters across a line break (a
    starter that composes with nothing), so the text is halved at a line break, each half that
    is normalised already kept as it is: a few checks, each at C speed, find the lines that
    need it, however many lines there are."""
    if len(text) <= _NFKC_PIECE:
        return unicodedata.normalize("NFKC", text)
    middle = text.find("\n", len(text) // 2)
    if middle == -1:
        middle = text.rfind("\n", 0, len(text) // 2)
    if middle == -1:
        return unicodedata.normalize("NFKC", text)
    halves = text[:middle], text[middle + 1 :]
    return "\n".join(
        half if unicodedata.is_normalized("NFKC", half) else _nfkc_parts(half) for half in halves
    )


def _fold(text: str) -> str:
    """The text as a reader compares it: invisible characters removed, compatibility forms
    (fullwidth letters, ligatures) and composed or decomposed accents made one (NFKC), any
    letter case, white space runs as one space. Values and outputs are compared so folded.

    Folding works line by line: no step joins or reorders characters across a line break (NFKC
    composes nothing with one, removing and case-folding go character by character, and a line
    break is white space), so the text folded is its lines folded, the non-empty ones joined by
    one space. A line folded before (a library text in every proposal of a batch, the same
    paragraph in the Markdown, the page and the DOCX) is looked up instead of folded again."""
    if len(text) < _LINED or "\n" not in text:
        return _fold_line(text)
    memo = _lines
    parts = []
    for line in text.split("\n"):
        folded = memo.get(line)
        if folded is None:
            folded = memo.keep(line, _fold_line(line))
        if folded:
            parts.append(folded)
    return " ".join(parts)


# A look-up costs about what folding three characters does: every line is looked up, even the
# short ones of a DOCX part's text runs, most of them seen before (in this or another document).
_LINED = 512  # characters: a shorter text is folded in one piece
_LINES_KEPT = 4096  # lines remembered, at most ...
_LINES_CHARS = 262_144  # ... holding this many characters with their folds (then all forgotten)
_LINE_CHARS_KEPT = 512  # a longer line is not remembered


class _Lines(dict[str, str]):
    """Folded lines by line, within the bounds above: a megabyte at the most, whatever a batch
    renders (a batch does not keep what it rendered: ``tests/test_security.py``)."""

    chars = 0

    def cache_clear(self) -> None:
        self.clear()
        self.chars = 0

    def keep(self, line: str, folded: str) -> str:
        if folded == line:
            folded = line  # one string for both
        if len(line) <= _LINE_CHARS_KEPT:
            size = len(line) + (0 if folded is line else len(folded))
            if len(self) >= _LINES_KEPT or self.chars + size > _LINES_CHARS:
                self.cache_clear()
            self[line] = folded
            self.chars += size
        return folded


_lines = _Lines()


def _fold_line(text: str) -> str:
    """``_fold`` of one piece of text, line breaks and all."""
    if not text.isascii():
        text = _nfkc(_visible_chars(text))
        text = _nfkc(text.casefold())
    else:
        text = text.casefold()
    return " ".join(text.split())


_folded = _when_repeated(_fold)
# The words of a folded text seen before, None the first time: a value with a word the text
# lacks is not in it (``_words``), so a text of every document is split once, not searched for
# every value of every dossier.
_words_if_repeated: Callable[[str], frozenset[str] | None] = _when_repeated(
    _words, lambda text: None
)


def leak_problem(source: Source, output: str, field: tuple, through: str | None = None) -> Problem:
    """The error of a private value found in ``output``: where it would appear and, when one
    of the dossier's own texts holds it, which; never the value."""
    if through is not None:
        return source.problem(
            field,
            f"this private value would appear in {output} through {through}; "
            f"private data must never reach the client (remove it from {through})",
        )
    return source.problem(
        field,
        f"this private value would appear in {output}; "
        "private data must never reach the client (check the templates and texts)",
    )


# --- private values that are public anyway --------------------------------------------------------
#
# A private value may also stand in an input that every proposal prints: the name of someone on
# the team, the issue year, a word of a library text or of the reference.docx header. No scan can
# keep such a value out of the documents, and refusing them would block real proposals; such a
# value is a warning naming where it is public, and the guard looks for the others. A value the
# manager wrote into one of this dossier's own texts (the offer's summary, the business section,
# the history, the price list, the file name) is different: that text is where a private note
# copied into the proposal would go, and the guard stops the render, naming the text.

# The dossier's own texts, written for this proposal: a private value in them is a leak. A "*"
# stands for any position in a list.
_WRITTEN = frozenset(
    (
        ("client", "slug"),
        ("offer", "title"),
        ("offer", "summary"),
        ("business", "situation"),
        ("business", "weaknesses", "*"),
        ("business", "growth_areas", "*"),
        ("relationship", "history", "*", "summary"),
        ("relationship", "history", "*", "result"),
        ("tender", "name"),
        ("offer", "pricing", "items", "*", "description"),
        ("offer", "pricing", "items", "*", "unit"),
    )
)


@dataclass(frozen=True)
class Exposure:
    """A private value that also stands in a public input."""

    field: tuple  # the private field
    where: str  # the public input: a dossier field or a file of the templates folder
    written: bool  # whether ``where`` is one of the dossier's own texts (``_WRITTEN``)


def _pattern(path: tuple) -> tuple:
    """The field path with each list position a "*", as ``_WRITTEN`` names fields."""
    return tuple("*" if isinstance(step, int) else step for step in path)


def _leaves(node: Any, path: tuple) -> Iterator[tuple[tuple, Any]]:
    if isinstance(node, dict):
        for key, value in node.items():
            yield from _leaves(value, (*path, key))
    elif isinstance(node, list):
        for i, value in enumerate(node):
            yield from _leaves(value, (*path, i))
    elif node is not None and not isinstance(node, bool):
        yield path, node


def _date_forms(day: dt.date, lang: str) -> str:
    forms = [day.isoformat(), f"{day.day:02d}.{day.month:02d}.{day.year}"]
    forms += [formatting.date(day, lang, form) for form in DATE_FORMS]
    return "\n".join(forms)


# The first key of each of the dossier's own texts: a field under another is none of them.
_WRITTEN_UNDER = frozenset(pattern[0] for pattern in _WRITTEN)


def _dossier_inputs(loaded: Loaded) -> Iterator[tuple[str | tuple, str, bool]]:
    """(where, text, written) of every public value of the dossier a document may print; where
    is the field's path, written out (``_where``) only for a value that turns out to be public,
    or the name of a date every proposal prints."""
    d = loaded.dossier
    lang = loaded.lang
    data = records.dump(d)
    for member in data["dmu"]:
        del member["private"]
    for path, value in _leaves(data, ()):
        written = path[0] in _WRITTEN_UNDER and _pattern(path) in _WRITTEN
        printed = written or path[:2] in (("client", "name"), ("client", "industry"))
        printed = printed or (path[0] == "dmu" and path[2:] in (("name",), ("position",)))
        printed = printed or path[0] == "team"
        if isinstance(value, dt.date):
            yield path, _date_forms(value, lang), False
        elif isinstance(value, int | float | Decimal):
            yield path, str(value), False
        elif printed:
            yield path, str(value), written
    # The dates every proposal prints, given or not.
    yield "the issue date", _date_forms(loaded.issued, lang), False
    yield "the validity date", _date_forms(loaded.valid_until, lang), False


def _where(place: str | tuple) -> str:
    """A public input's place as a message names it: a name as it is, a dossier field's path
    written out (``dmu[0].name``)."""
    return place if isinstance(place, str) else format_path(place)


class _Inputs:
    """Public inputs, folded, searched for a value in one pass: (where, folded text, written);
    ``where`` a name, or a field path of the dossier (see ``_where``)."""

    def __init__(self, items: list[tuple[str | tuple, str, bool]], split: bool = True):
        self.items = items
        # Folded texts hold no line break (white space is one space), so one between two texts
        # ends a word and no match spans two of them.
        self.text = "\n".join(folded for _, folded, _ in items)
        # Inputs searched for many values (the library's, in every dossier) are split into
        # words once, and a value with a word they lack is not searched for; a dossier's own
        # few kilobytes, searched for its own values once, cost less searched than split.
        self.words = _words(self.text) if split else None
        self.starts, at = [], 0
        for _, folded, _ in items:
            self.starts.append(at)
            at += len(folded) + 1

    def holding(self, value: str, words: frozenset[str]) -> Iterator[tuple[str, bool]]:
        """(where, written) of every input that holds folded ``value`` (whose words are
        ``words``) as a whole word."""
        if self.words is not None and not words <= self.words:
            return
        text, seen = self.text, set()
        start = text.find(value)
        while start != -1:
            end = start + len(value)
            before = text[start - 1] if start else " "
            after = text[end] if end < len(text) else " "
            if not (before.isalnum() or before == "_" or after.isalnum() or after == "_"):
                i = bisect.bisect_right(self.starts, start) - 1
                if i not in seen:
                    seen.add(i)
                    where, _, written = self.items[i]
                    yield where, written
            start = text.find(value, start + 1)


@once_per_library(1)
def _library_inputs(library: Library) -> _Inputs:
    """(where, folded text) of every text of the templates folder a document may print: library
    texts, wording, the templates and the stylesheet, the reference.docx parts. Once per library,
    and kept between runs with the library itself (``kamdocs.stored``, under the library's key:
    the same files, code and current folder)."""
    if library.key:
        from kamdocs import stored  # noqa: PLC0415

        return stored.remembered("inputs", library.key, lambda: _read_inputs(library))
    return _read_inputs(library)


def _read_inputs(library: Library) -> _Inputs:
    found = []

    def add(where: str, texts: Any) -> None:
        if isinstance(texts, dict):
            for lang, text in texts.items():
                found.append((f"{where}.{lang}" if lang != "*" else where, _fold(str(text))))
        elif texts is not None:
            found.append((where, _fold(str(texts))))

    for arg_id, arg in library.arguments.items():
        origin = library.origins[arg_id].path
        for name in ("title", "text", "detail"):
            add(f"{origin} [{arg_id}].{name}", getattr(arg, name))
        for i, figure in enumerate(arg.figures):
            add(f"{origin} [{arg_id}].figures[{i}].label", figure.label)
            add(f"{origin} [{arg_id}].figures[{i}].value", figure.value)
    for ref in library.references:
        origin = library.origins["reference:" + ref.id].path
        for name, value in records.dump(ref).items():
            if name in ("id", "significant"):
                continue
            if isinstance(value, dict) and name == "recommender":
                for key, text in value.items():
                    if isinstance(text, str):
                        add(f"{origin} [{ref.id}].recommender.{key}", text)
            else:
                add(f"{origin} [{ref.id}].{name}", value)
    for name, persona in library.personas.items():
        add(f"personas.yaml [{name}].label", persona.label)
    for lang, wording in library.locales.items():
        for key, text in wording.items():
            add(f"locales/{lang}.yaml {key}", text)
    root = library.root
    for path in sorted([*root.rglob("*.j2"), *root.glob("*.css")]):
        if path.is_file():
            found.append((_shown(path), _fold(path.read_text("utf-8", "replace"))))
    reference = root / "reference.docx"
    if reference.is_file():
        import zipfile  # noqa: PLC0415 - read once per library, kept between runs

        try:
            with zipfile.ZipFile(reference) as package:
                for name in sorted(package.namelist()):
                    if name.endswith((".xml", ".rels")):
                        markup = package.read(name).decode("utf-8", "replace")
                        where = f"{_shown(reference)} ({name})"
                        found.extend((where, _fold(view)) for view in _views(markup))
        except (OSError, zipfile.BadZipFile, RuntimeError):
            pass  # the DOCX writer reports a broken reference; its text is then nobody's
    return _Inputs([(where, text, False) for where, text in found])


def _shown(path: Path) -> str:
    try:
        return str(path.relative_to(Path.cwd()))
    except ValueError:
        return str(path)


def _supplier_inputs(supplier: Any) -> _Inputs:
    """(where, folded text) of kamdocs.yaml's supplier, which heads every page."""
    found = []
    if supplier is not None:
        for name in ("name", "address", "website"):
            value = getattr(supplier, name, None)
            texts = value.items() if isinstance(value, dict) else [("*", value)]
            for lang, text in texts:
                if text is not None:
                    where = f"kamdocs.yaml supplier.{name}" + (f".{lang}" if lang != "*" else "")
                    found.append((where, _fold(str(text)), False))
    return _Inputs(found)


def exposures(
    loaded: Loaded,
    library: Library,
    supplier: Any = None,
    values: list[tuple[tuple, str]] | None = None,
) -> list[Exposure]:
    """Every private value of the dossier that also stands in a public input, with where;
    ``values``: the dossier's ``folded_values`` in its language, if the caller has them."""
    if values is None:
        values = folded_values(loaded.dossier, (loaded.lang,))
    if not values:
        return []
    own = _Inputs(
        [(where, _fold(text), written) for where, text, written in _dossier_inputs(loaded)],
        split=False,
    )
    shared = _library_inputs(library)
    settings = _supplier_inputs(supplier)
    found = []
    for path, text in values:
        words = _words(text)
        for inputs in (own, shared, settings):
            for where, written in inputs.holding(text, words):
                found.append(Exposure(path, _where(where), written))
    return found


class Protection:
    """What the guard does with one dossier's private values, given where they are public."""

    def __init__(self, loaded: Loaded, library: Library, supplier: Any = None):
        self.loaded = loaded
        # Folded once, for the exposures and for the guard.
        self.values = folded_values(loaded.dossier, (loaded.lang,))
        found = exposures(loaded, library, supplier, values=self.values)
        # A value in one of the dossier's own texts is looked for: that text is how it would leak.
        self.through = {}
        for e in found:
            if e.written:
                self.through.setdefault(e.field, e.where)
        self.public: dict[tuple, Exposure] = {}
        for e in found:
            if not e.written and e.field not in self.through:
                self.public.setdefault(e.field, e)

    def warnings(self) -> list[Problem]:
        """One warning per private value that is public anyway, naming where; not the value (a
        log shows it beside the private field it belongs to, which is what must stay private)."""
        source = self.loaded.source
        return [
            source.problem(
                e.field,
                f"this private value is also public in {e.where}; the guard cannot protect it",
            ).as_warning()
            for e in self.public.values()
        ]

    def guard(self) -> Guard:
        loaded = self.loaded
        return Guard(loaded.dossier, (loaded.lang,), skip=self.public, values=self.values)

    def leak(self, output: str, field: tuple) -> Problem:
        return leak_problem(self.loaded.source, output, field, self.through.get(field))


def public_warnings(loaded: Loaded, library: Library, supplier: Any = None) -> list[Problem]:
    """The warnings of ``Protection`` for one dossier (``kamdocs validate`` shows them);
    ``supplier`` is kamdocs.yaml's, printed on every page."""
    return Protection(loaded, library, supplier).warnings()


__all__ = ["Guard", "Protection", "exposures", "format_path", "leak_problem", "public_warnings"]
