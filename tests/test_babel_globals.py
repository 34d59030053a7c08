"""Babel's global data: the tables a proposal reads come from a kept copy, any other from Babel's
own file, and what Babel answers is the same either way (``formatting.babel_globals``)."""

from __future__ import annotations

import json
import pickle
import subprocess
import sys
from pathlib import Path

import babel.core
import pytest

from kamdocs import formatting, stored


def babel_data() -> dict:
    with (Path(babel.core.__file__).parent / "global.dat").open("rb") as fh:
        return pickle.load(fh)  # noqa: S301 - Babel's own file


@pytest.fixture
def unloaded(cache_base: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Babel's global data not loaded yet (put back as it was after the test)."""
    monkeypatch.setattr(babel.core, "_global_data", None)
    return cache_base


def test_the_kept_tables_are_babels_and_any_other_loads_all_of_it(unloaded: Path) -> None:
    formatting.babel_globals()  # the first run: Babel loads its data, the tables are kept
    assert type(babel.core._global_data) is dict
    # Kept with the locales, under a key no locale has.
    assert (unloaded / "locales" / stored.locale_key("\0globals")).is_file()
    babel.core._global_data = None
    formatting.babel_globals()  # the next: from the copy
    assert isinstance(babel.core._global_data, formatting._BabelGlobals)
    real = babel_data()
    for name in formatting.BABEL_GLOBALS:
        assert babel.core.get_global(name) == real[name]
    assert isinstance(babel.core._global_data, formatting._BabelGlobals)  # still the copy
    assert babel.core.get_global("zone_aliases") == real["zone_aliases"]
    assert babel.core._global_data == real  # the whole data, Babel's from now on
    assert babel.core.get_global("no such table") == {}


def test_a_table_babel_lacks_gets_the_default_from_the_copy_too(unloaded: Path) -> None:
    kept = formatting._BabelGlobals({name: {} for name in formatting.BABEL_GLOBALS})
    babel.core._global_data = kept
    assert kept.get("no such table", "default") == "default"
    assert type(babel.core._global_data) is dict


def test_a_copy_left_behind_loads_babels_data_when_asked(unloaded: Path) -> None:
    """A copy someone still holds after Babel's data was put aside answers from Babel's file."""
    kept = formatting._BabelGlobals({name: {} for name in formatting.BABEL_GLOBALS})
    assert kept.get("zone_aliases") == babel_data()["zone_aliases"]
    assert type(babel.core._global_data) is dict


def test_a_copy_without_every_table_is_not_used(
    unloaded: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(stored, "remembered", lambda kind, key, make: {"all_currencies": {}})
    formatting.babel_globals()
    assert babel.core._global_data is None  # Babel loads its own when first asked


def test_loaded_data_is_left_as_it_is(unloaded: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Nor is the copy read: Babel has what it needs."""

    def unwanted(kind: str, key: str, make: object) -> None:
        raise AssertionError("the kept copy was read")

    monkeypatch.setattr(stored, "remembered", unwanted)
    data = {"all_currencies": {"EUR": "Euro"}}
    babel.core._global_data = data
    formatting.babel_globals()
    assert babel.core._global_data is data


def test_a_babel_without_its_global_data_there_is_left_alone(
    unloaded: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A Babel laid out otherwise (no ``babel.core._global_data``) keeps its own ways."""
    monkeypatch.delattr(babel.core, "_global_data")
    formatting.babel_globals()
    assert not hasattr(babel.core, "_global_data")
    assert not (unloaded / "locales").exists()


PROBE = """
import atexit, json, runpy, sys
import babel.core
sys.argv = ["kamdocs", *sys.argv[1:]]
atexit.register(lambda: print(json.dumps(type(babel.core._global_data).__name__)))
runpy.run_module("kamdocs", run_name="__main__")
"""


def test_a_render_with_the_copy_kept_does_not_load_babels_file(ws: Path, cache_base: Path) -> None:
    """A fresh render, the second time, reads the kept tables only, and writes what a render
    with all of Babel's data writes."""

    def render(out: str) -> str:
        args = ["render", "dossiers/acme.yaml", "-f", "md,html", "-o", out]
        done = subprocess.run(
            [sys.executable, "-c", PROBE, *args], cwd=ws, capture_output=True, text=True
        )
        assert done.returncode == 0, done.stderr
        return json.loads(done.stdout.splitlines()[-1])

    assert render("first") == "dict"
    assert render("second") == "_BabelGlobals"
    for name in ("acme-logistics-ad.md", "acme-logistics-ad.html"):
        assert (ws / "second" / name).read_bytes() == (ws / "first" / name).read_bytes()
