"""What every test starts from."""

from __future__ import annotations

import os
import tempfile
import types
from collections.abc import Iterator
from pathlib import Path

import pytest
from browser import browser  # noqa: F401 - the headless Chromium fixture, for every test
from helpers import DOSSIER, build_file_tree, small_library

from kamdocs import formatting, privacy, templating
from kamdocs.render import html as html_view
from kamdocs.render import markup


def pytest_configure(config: pytest.Config) -> None:
    """The suite's own cache folder (``KAMDOCS_CACHE_DIR``, unless set): what its processes keep
    (this one's patterns and generated code among them: pytest's, Hypothesis') goes there, not
    into the user's, which every kamdocs command reads."""
    if "KAMDOCS_CACHE_DIR" not in os.environ:
        cache = getattr(config, "cache", None)
        folder = cache.mkdir("kamdocs") if cache is not None else tempfile.mkdtemp()
        os.environ["KAMDOCS_CACHE_DIR"] = str(folder)


def _caches_of(module: types.ModuleType, but: tuple[object, ...] = ()) -> list:
    """What ``module`` defines that keeps results (has ``cache_clear``), ``but`` these."""
    return [
        f
        for f in vars(module).values()
        if hasattr(f, "cache_clear")
        and not isinstance(f, type)
        and getattr(f, "__module__", None) == module.__name__
        and all(f is not kept for kept in but)
    ]


# What a process that inherits them (a mutation test forks from one that ran the suite) would
# answer from instead of the code: the figures formatting.py keeps (dates, amounts, shares; not
# ``locale``, Babel's data, loaded once for the suite), and the texts the privacy guard has seen
# (a text seen before is judged by its words first, so a test would not reach the search a
# mutant changed) and the lines it folded.
FIGURE_CACHES = _caches_of(formatting, but=(formatting.locale,))
GUARD_CACHES = _caches_of(privacy)


@pytest.fixture(autouse=True)
def _fresh_template_caches(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    # One kamdocs process renders with one set of templates; the tests edit templates between
    # renders in one process, so each starts with no environment or stylesheet kept, and with
    # no build date from the environment.
    monkeypatch.setattr(templating, "_ENVIRONMENTS", {})
    monkeypatch.delenv("SOURCE_DATE_EPOCH", raising=False)
    html_view._css.cache_clear()
    # Nor a text escaped or converted by an earlier test: a process that inherits them (a
    # mutation test forks from one that ran the suite) would answer from them, not the code.
    templating._escape_short.cache_clear()
    monkeypatch.setattr(markup, "_CONVERTER", None)
    for cached in (*FIGURE_CACHES, *GUARD_CACHES):
        cached.cache_clear()
    yield
    html_view._css.cache_clear()


@pytest.fixture
def cache_base(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """A cache folder of the test's own (``KAMDOCS_CACHE_DIR``), not yet made; each kind of
    entry is a folder in it (``jinja``, ``library``, ``inputs``, ``hashes``, ``locales``,
    ``reference``, ...)."""
    folder = tmp_path / "cache"
    monkeypatch.setenv(templating.CACHE_ENV, str(folder))
    templating._code_cache.cache_clear()
    yield folder
    templating._code_cache.cache_clear()


@pytest.fixture
def ws(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """The small workspace of tests/helpers.py with its one dossier; the current folder.

    Test files that need another workspace define their own ``ws``.
    """
    small_library(tmp_path)
    build_file_tree(tmp_path, {"dossiers/acme.yaml": DOSSIER})
    monkeypatch.chdir(tmp_path)
    return tmp_path
