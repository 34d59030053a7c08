"""What a fresh `kamdocs render` imports: nothing heavy that the command does not need.

A single render is the account manager's everyday command and most of its time is imports; a
module added to its path by accident (a process pool, LibreOffice's driver, the portfolio's
chart, the calendar's holidays) would cost every render. The list is taken from a real run in a
fresh interpreter."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

# Needed by other commands or formats, never by a render of Markdown, DOCX or HTML.
NEVER = {
    "multiprocessing", "concurrent.futures",  # a batch's workers: render renders in-process
    "kamdocs.render.pdf", "kamdocs.render.chart", "kamdocs.render.portfolio",
    "kamdocs.portfolio", "kamdocs.followup", "kamdocs.ics", "kamdocs.calendar",
    "holidays", "vl_convert", "docx", "docxtpl", "selenium", "PIL", "numpy",
    "asyncio", "http.server", "unittest", "pytest",
    "pytz",  # Babel's look-up of the local time zone through it: kamdocs prints no time
    "_strptime",  # click's DateTime reading --date: kamdocs.cli reads the one format itself
}  # fmt: skip
# Only for the formats that need them.
DOCX_ONLY = {"lxml", "kamdocs.render.docx"}

# The command ends the process itself once its atexit functions have run (kamdocs.cli.run):
# the modules are listed by one of them.
PROBE = """
import atexit, json, runpy, sys
sys.argv = ["kamdocs", *sys.argv[1:]]
atexit.register(lambda: print(json.dumps(sorted(sys.modules))))
runpy.run_module("kamdocs", run_name="__main__")
"""


def imported(ws: Path, *args: str) -> set[str]:
    proc = subprocess.run(
        [sys.executable, "-c", PROBE, *args], cwd=ws, capture_output=True, text=True, check=False
    )
    assert proc.returncode == 0, proc.stderr
    return set(json.loads(proc.stdout.splitlines()[-1]))


def heavy(modules: set[str], names: set[str]) -> set[str]:
    return {m for m in modules if any(m == n or m.startswith(n + ".") for n in names)}


@pytest.mark.parametrize("formats", ["docx", "md,docx,html", "md", "html"])
def test_a_render_imports_only_what_its_formats_need(ws: Path, formats: str) -> None:
    modules = imported(
        ws, "render", "dossiers/acme.yaml", "-f", formats, "-o", "out", "--date", "2026-11-26"
    )
    assert (ws / "out/acme-logistics-ad.md").exists() or "md" not in formats
    assert heavy(modules, NEVER) == set()
    if "docx" not in formats:
        assert heavy(modules, DOCX_ONLY) == set()
    else:
        assert "kamdocs.render.docx" in modules  # the probe sees what the command imported


def test_a_render_builds_its_validator_once_then_imports_no_pydantic(
    ws: Path, cache_base: Path
) -> None:
    """The first render builds the validator from pydantic's models and keeps it; the next
    finds it kept and imports pydantic-core only: pydantic and the models are a third of it."""
    args = ("render", "dossiers/acme.yaml", "-f", "md,docx,html", "-o", "out")
    first = imported(ws, *args)
    assert {"pydantic", "kamdocs.models"} <= first  # the validator was built
    assert any((cache_base / "validators").iterdir())
    written = {p.name: p.read_bytes() for p in (ws / "out").iterdir()}
    again = imported(ws, *args) - {"pydantic.plugin._loader"}  # the command's stand-in
    assert heavy(again, {"pydantic", "kamdocs.models"}) == set()
    assert "pydantic_core._pydantic_core" in again  # the dossier was validated
    # by the compiled module alone: the package's Python part is pydantic's (records.core)
    assert heavy(again, {"pydantic_core", "typing_extensions"}) == {"pydantic_core._pydantic_core"}
    assert {p.name: p.read_bytes() for p in (ws / "out").iterdir()} == written


def test_a_docx_render_parses_the_reference_once_then_imports_no_lxml(
    ws: Path, cache_base: Path
) -> None:
    """The first DOCX render parses reference.docx (with lxml, from its zip) and keeps what it
    found; the next one takes that and writes the same document without importing either."""
    args = ("render", "dossiers/acme.yaml", "-f", "docx", "-o", "out")
    assert "lxml" in imported(ws, *args)
    assert len(list((cache_base / "reference").iterdir())) == 1
    written = (ws / "out/acme-logistics-ad.docx").read_bytes()
    assert heavy(imported(ws, *args), {"lxml", "zipfile"}) == set()
    assert (ws / "out/acme-logistics-ad.docx").read_bytes() == written
    # A changed reference is parsed again, under a key of its own.
    reference = ws / "templates/reference.docx"
    reference.write_bytes(reference.read_bytes() + b"\0")  # still a zip: a trailing byte
    assert "lxml" in imported(ws, *args)
    assert len(list((cache_base / "reference").iterdir())) == 2


def test_a_render_looks_for_no_pydantic_plugin(ws: Path, cache_base: Path) -> None:
    """pydantic's search for plugins imports ``importlib.metadata``: a tenth of a render that
    builds its validator (the first, or each one with ``KAMDOCS_CACHE_DIR=off``)."""
    del cache_base  # a cache of the test's own: the validator is built in this run
    modules = imported(ws, "render", "dossiers/acme.yaml", "-f", "md,docx,html", "-o", "out")
    assert "pydantic" in modules  # the validator was built
    assert heavy(modules, {"importlib.metadata", "email"}) == set()


def test_pydantic_still_asks_the_loader_the_command_replaces() -> None:
    """The command's loader is only used while pydantic imports ``get_plugins`` from
    ``pydantic.plugin._loader`` when it builds a validator; should that move, this fails."""
    import inspect

    from pydantic.plugin import _schema_validator

    source = inspect.getsource(_schema_validator.create_schema_validator)
    assert "from ._loader import get_plugins" in source


def test_a_program_that_imports_kamdocs_keeps_its_pydantic_plugins(ws: Path) -> None:
    probe = (
        "import sys, kamdocs.app, kamdocs.cli, pydantic.plugin._loader as loader;"
        "print(type(loader.get_plugins).__name__, getattr(loader, '__file__', None) is not None)"
    )
    proc = subprocess.run(
        [sys.executable, "-c", probe], cwd=ws, capture_output=True, text=True, check=True
    )
    assert proc.stdout.split() == ["function", "True"]


def test_help_imports_no_model_template_or_markdown(ws: Path) -> None:
    modules = imported(ws, "--help")
    assert heavy(modules, {"pydantic", "jinja2", "markdown", "babel", "yaml", "lxml"}) == set()


def test_a_program_that_imports_kamdocs_keeps_babels_time_zones(ws: Path) -> None:
    """kamdocs has Babel find the local time zone without pytz; Babel's time zones, for anyone
    asking, still come from pytz where it is installed (as without kamdocs)."""
    from importlib.util import find_spec

    probe = (
        "import sys, kamdocs.formatting, babel.dates as d;"
        "before = 'pytz' in sys.modules;"
        "tz = d.get_timezone('Europe/Sofia');"
        "import babel.localtime._helpers as h;"
        "print(before, type(tz).__module__.split('.')[0], type(d.pytz).__name__,"
        " type(h.pytz).__name__, h._get_tzinfo('Europe/Sofia').zone)"
    )
    proc = subprocess.run(
        [sys.executable, "-c", probe], cwd=ws, capture_output=True, text=True, check=False
    )
    assert proc.returncode == 0, proc.stderr
    assert find_spec("pytz") is not None  # the tests' ICS reader (vobject) brings it
    assert proc.stdout.split() == ["False", "pytz", "module", "module", "Europe/Sofia"]
