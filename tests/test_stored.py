"""The validated library kept between runs: a speed-up that never changes what is loaded."""

from __future__ import annotations

import datetime as dt
import os
import pickle
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path

import babel
import babel.localedata
import pytest
from helpers import DOSSIER, build_file_tree, small_library

from kamdocs import formatting, privacy, stored, templating
from kamdocs.errors import InputError
from kamdocs.library import _load_library, load_library


@pytest.fixture
def cache(cache_base: Path) -> Path:
    return cache_base / "library"


@pytest.fixture
def root(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    small_library(tmp_path / "ws")
    build_file_tree(tmp_path / "ws", {"dossiers/acme.yaml": DOSSIER})
    monkeypatch.chdir(tmp_path / "ws")
    return Path("templates")


def same(a: object, b: object) -> bool:
    fields = ("root", "personas", "arguments", "references", "locales", "origins", "warnings")
    return all(getattr(a, f) == getattr(b, f) for f in fields)


def entries(folder: Path) -> list[Path]:
    return sorted(p for p in folder.iterdir() if p.is_file()) if folder.exists() else []


def test_the_library_is_kept_and_read_back_as_loaded(root: Path, cache: Path) -> None:
    first = load_library(root)
    (entry,) = entries(cache)
    assert entry.stat().st_mode & 0o077 == 0  # private to the user
    again = load_library(root)
    assert same(again, first) and same(again, _load_library(root))
    assert again.compiled == {}  # compiled templates have their own cache
    assert entries(cache) == [entry]


def test_a_kept_library_is_what_is_used(root: Path, cache: Path) -> None:
    library = load_library(root)
    (entry,) = entries(cache)
    library.locales["en"]["proposal"] = "kept, not read again"
    entry.write_bytes(pickle.dumps(library))
    assert load_library(root).locales["en"]["proposal"] == "kept, not read again"


def test_an_edited_library_file_is_read_again(root: Path, cache: Path) -> None:
    load_library(root)
    path = root / "locales" / "en.yaml"
    path.write_text(path.read_text(encoding="utf-8") + "extra_word: Extra\n", encoding="utf-8")
    with pytest.raises(InputError):  # bg.yaml now lacks the word: the error, not the old copy
        load_library(root)
    path.write_text(path.read_text(encoding="utf-8").replace("extra_word: Extra\n", ""))
    assert same(load_library(root), _load_library(root))


def test_another_current_folder_is_another_entry(root: Path, cache: Path) -> None:
    load_library(root)
    os.chdir(root)
    load_library(Path("."))
    assert len(entries(cache)) == 2  # messages name files relative to the current folder


@pytest.mark.parametrize("mode", [0o666, 0o644 | 0o020])
def test_an_entry_others_may_write_is_not_used(root: Path, cache: Path, mode: int) -> None:
    library = load_library(root)
    (entry,) = entries(cache)
    library.locales["en"]["proposal"] = "planted"
    entry.write_bytes(pickle.dumps(library))
    entry.chmod(mode)
    assert load_library(root).locales["en"]["proposal"] != "planted"


def test_a_damaged_entry_is_only_a_miss(root: Path, cache: Path) -> None:
    load_library(root)
    (entry,) = entries(cache)
    entry.write_bytes(b"\x80\x05not a pickle")
    assert same(load_library(root), _load_library(root))


def test_off_keeps_nothing(root: Path, cache: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(templating.CACHE_ENV, "off")
    templating._code_cache.cache_clear()
    load_library(root)
    assert not cache.parent.exists()


def test_an_invalid_library_is_not_kept(root: Path, cache: Path) -> None:
    (root / "personas.yaml").write_text("- not a mapping\n", encoding="utf-8")
    with pytest.raises(InputError):
        load_library(root)
    assert entries(cache) == []


def test_the_key_covers_every_file_of_the_folder(root: Path) -> None:
    key = stored.library_key(root)
    (root / "notes.txt").write_text("a new file\n", encoding="utf-8")
    assert stored.library_key(root) != key


# --- the privacy guard's public inputs are kept with the library ---------------------------------


def _inputs(root: Path) -> privacy._Inputs:
    privacy._library_inputs.cache_clear()  # as in a fresh process: only the kept entry is left
    return privacy._library_inputs(load_library(root))


def test_the_public_inputs_are_kept_under_the_library_s_key(root: Path, cache: Path) -> None:
    first = _inputs(root)
    (entry,) = entries(cache.parent / "inputs")
    assert entry.name == load_library(root).key
    again = _inputs(root)
    assert again is not first  # read back from the entry, not this process's copy
    fresh = privacy._read_inputs(_load_library(root))
    assert (again.items, again.text, again.words) == (fresh.items, fresh.text, fresh.words)


def test_an_edited_library_text_is_in_the_public_inputs_at_once(root: Path, cache: Path) -> None:
    assert "zanzibar" not in _inputs(root).words
    path = root / "arguments" / "main.yaml"
    stock = path.read_text(encoding="utf-8")
    path.write_text(stock.replace("Costs drop for", "Zanzibar costs drop for", 1))
    assert "zanzibar" in _inputs(root).words
    path.write_text(stock, encoding="utf-8")
    assert "zanzibar" not in _inputs(root).words
    assert len(entries(cache.parent / "inputs")) == 2  # the two versions of the file


def test_a_library_not_kept_between_runs_has_its_public_inputs_too(root: Path) -> None:
    # A library loaded without the cache (no key: a templates folder kamdocs.stored cannot key,
    # a library made in a test) is read for its public inputs all the same.
    library = _load_library(root)
    assert library.key == ""
    privacy._library_inputs.cache_clear()
    found = privacy._library_inputs(library)
    assert "recommends" in found.words and found.items == privacy._read_inputs(library).items


# --- Babel's locale data, merged once -----------------------------------------------------------

DAYS = [dt.date(1971, 5, 14), dt.date(2026, 12, 1), dt.date(2000, 2, 29)]


def _printed(lang: str) -> list[str]:
    texts = [formatting.date(day, lang, form) for day in DAYS for form in privacy.DATE_FORMS]
    texts += [formatting.money(Decimal("334200.5"), lang, "EUR"), formatting.number(1234, lang)]
    texts.append(formatting.percent(Decimal("12.5"), lang))
    return texts


@pytest.fixture
def fresh_locales(cache_base: Path) -> Iterator[Path]:
    for function in (formatting.locale, formatting.date, formatting.money, formatting.number):
        function.cache_clear()
    yield cache_base / "locales"
    for function in (formatting.locale, formatting.date, formatting.money, formatting.number):
        function.cache_clear()


@pytest.mark.parametrize("lang", ["en", "bg"])
def test_a_locale_s_data_is_kept_and_prints_the_same(
    fresh_locales: Path, monkeypatch: pytest.MonkeyPatch, lang: str
) -> None:
    first = _printed(lang)
    (entry,) = entries(fresh_locales)
    assert entry.stat().st_mode & 0o077 == 0
    for function in (formatting.locale, formatting.date, formatting.money, formatting.number):
        function.cache_clear()

    def not_again(*args: object, **kwargs: object) -> None:
        raise AssertionError("the kept locale needs no data loaded")

    monkeypatch.setattr(babel.localedata, "load", not_again)
    monkeypatch.setattr(babel.localedata, "get_locale_data", not_again, raising=False)
    assert formatting.locale(lang) == babel.Locale.parse(lang)
    assert _printed(lang) == first
    assert entries(fresh_locales) == [entry]


def test_a_damaged_locale_entry_is_only_a_miss(fresh_locales: Path) -> None:
    first = _printed("bg")
    (entry,) = entries(fresh_locales)
    entry.write_bytes(b"not a pickle")
    formatting.locale.cache_clear()
    formatting.date.cache_clear()
    assert _printed("bg") == first


def test_a_kept_entry_of_another_locale_is_not_taken(fresh_locales: Path) -> None:
    formatting.locale("en")
    (entry,) = entries(fresh_locales)
    key = stored.locale_key(str(babel.Locale.parse("bg")))
    entry.rename(entry.with_name(key))  # the English data under the Bulgarian key
    formatting.locale.cache_clear()
    assert formatting.locale("bg") == babel.Locale.parse("bg")
    assert formatting.date(DAYS[0], "bg", "long") == "14 май 1971\u202fг."
