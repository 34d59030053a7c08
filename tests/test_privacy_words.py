"""The privacy guard's word rule, each edge on its own: a private value is found as a whole word
(any case, any spacing), at the start or end of a text, after an earlier occurrence inside a
longer word, and never as part of a longer word or identifier. Found by ``make mutate``."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from helpers import DOSSIER, build_file_tree, small_library

from kamdocs.dossier import load_dossier
from kamdocs.library import load_library
from kamdocs.privacy import Guard

HOBBY = ("dmu", 0, "private", "hobbies", 0)  # "sailing" in the small dossier


@pytest.fixture(scope="module")
def guard(tmp_path_factory: pytest.TempPathFactory) -> Guard:
    root = tmp_path_factory.mktemp("ws")
    templates = small_library(root)
    build_file_tree(root, {"dossiers/acme.yaml": DOSSIER})
    library = load_library(templates)
    loaded = load_dossier(root / "dossiers/acme.yaml", library, dt.date(2026, 11, 26))
    return Guard(loaded.dossier, ("en", "bg"))


@pytest.mark.parametrize(
    "text",
    [
        "sailing",
        "Sailing is his thing",
        "we go sailing",
        "(sailing)",
        "SAILING!",
        "resailing and then sailing",  # the first occurrence is inside a word, the second not
        "sailing and resailing",  # the first one counts, whatever follows
        "resailing sailing resailing",  # inside, whole, inside
        "sailings, then sailing.",
        "sailing_club sailing",
    ],
)
def test_a_whole_word_is_found(guard: Guard, text: str) -> None:
    assert guard.find(text) == HOBBY


@pytest.mark.parametrize(
    "text",
    ["sailings", "resailing", "sailing_club", "club_sailing", "sailing2", "2sailing", "xsailingx"],
)
def test_part_of_a_longer_word_is_no_leak(guard: Guard, text: str) -> None:
    assert guard.find(text) is None


def test_a_private_date_is_found_in_the_forms_a_proposal_prints(guard: Guard) -> None:
    # The small dossier's birthday, 1971-05-14, in English and Bulgarian forms.
    for text in ("born 1971-05-14", "14.05.1971", "May 14, 1971", "14 май 1971 г."):
        assert guard.find(text) == ("dmu", 0, "private", "birthday"), text


def test_only_private_values_are_looked_for(guard: Guard) -> None:
    fields = set(guard.fields.values())
    assert HOBBY in fields and ("dmu", 0, "private", "notes") in fields
    # A list inside private gives each item its own path; no public field is among them.
    assert all(path[:3] == ("dmu", 0, "private") for path in fields)


def test_a_guard_without_private_values_finds_nothing(tmp_path: Path) -> None:
    templates = small_library(tmp_path)
    text = (
        DOSSIER.split("    private:\n")[0]
        + DOSSIER.split('      notes: "Secretly prefers the competitor"\n')[1]
    )
    build_file_tree(tmp_path, {"dossiers/acme.yaml": text})
    loaded = load_dossier(
        tmp_path / "dossiers/acme.yaml", load_library(templates), dt.date(2026, 11, 26)
    )
    guard = Guard(loaded.dossier)
    assert guard.fields == {}
    assert guard.find("sailing") is None
    assert guard.scan_markup("<p>sailing</p>") is None


def test_dates_in_lists_are_looked_for_and_booleans_are_not(tmp_path: Path) -> None:
    templates = small_library(tmp_path)
    text = DOSSIER.replace(
        "      hobbies: [sailing]\n",
        "      hobbies: [sailing]\n      smoker: false\n      anniversaries: [2001-02-03]\n",
    )
    build_file_tree(tmp_path, {"dossiers/acme.yaml": text})
    loaded = load_dossier(
        tmp_path / "dossiers/acme.yaml", load_library(templates), dt.date(2026, 11, 26)
    )
    guard = Guard(loaded.dossier, ("en",))
    day = ("dmu", 0, "private", "anniversaries", 0)
    assert guard.find("on 2001-02-03") == day
    assert guard.find("on February 3, 2001") == day
    # "false" is a yes/no answer, not a text anyone could recognise in a proposal.
    assert guard.find("this is false") is None
