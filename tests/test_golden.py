"""Golden files: the Markdown and HTML of two sample proposals (en and bg), byte for byte.

The samples are rendered from the real workspace (``dossiers/`` with the shipped ``templates/``)
with ``--date 2026-11-26`` and compared with ``tests/golden/<slug>.<ext>``.

After an intended change to the template, the library, the locales, the CSS or a sample,
regenerate the golden files and review their diff before committing::

    KAMDOCS_UPDATE_GOLDEN=1 .venv/bin/python -m pytest tests/test_golden.py
"""

from __future__ import annotations

import datetime as dt
import difflib
import os
from pathlib import Path

import pytest
from babel.dates import format_date
from click.testing import CliRunner
from helpers import ROOT

from kamdocs.cli import main

GOLDEN = Path(__file__).resolve().parent / "golden"
UPDATE = os.environ.get("KAMDOCS_UPDATE_GOLDEN") == "1"
DATE = "2026-11-26"
SAMPLES = ["danubia-retail", "balkan-trans-eood"]  # one en, one bg


def render_sample(slug: str, out: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(ROOT)
    result = CliRunner().invoke(
        main, ["render", f"dossiers/{slug}.yaml", "-f", "md,html", "-o", str(out), "--date", DATE]
    )
    assert result.exit_code == 0, result.output
    assert result.stderr == ""


def diff(expected: bytes, actual: bytes, name: str) -> str:
    lines = difflib.unified_diff(
        expected.decode("utf-8", "replace").splitlines(keepends=True),
        actual.decode("utf-8", "replace").splitlines(keepends=True),
        fromfile=f"tests/golden/{name}",
        tofile=f"rendered/{name}",
    )
    text = "".join(lines) or "(same text, different bytes: line endings or encoding?)\n"
    return (
        f"{name} differs from its golden file; if the change is intended, run "
        f"KAMDOCS_UPDATE_GOLDEN=1 pytest tests/test_golden.py and review the diff.\n{text}"
    )


@pytest.mark.parametrize("ext", ["md", "html"])
@pytest.mark.parametrize("slug", SAMPLES)
def test_matches_golden_file(
    slug: str, ext: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    render_sample(slug, tmp_path, monkeypatch)
    name = f"{slug}.{ext}"
    actual = (tmp_path / name).read_bytes()
    golden = GOLDEN / name
    if UPDATE:
        GOLDEN.mkdir(exist_ok=True)
        golden.write_bytes(actual)
    assert golden.is_file(), f"{golden} is missing; create it with KAMDOCS_UPDATE_GOLDEN=1"
    expected = golden.read_bytes()
    assert actual == expected, diff(expected, actual, name)


@pytest.mark.parametrize("slug", SAMPLES)
def test_golden_files_are_proposals(slug: str) -> None:
    """Guard against blessing a broken output: the golden files hold what SPEC asks for."""
    md = (GOLDEN / f"{slug}.md").read_text(encoding="utf-8")
    page = (GOLDEN / f"{slug}.html").read_text(encoding="utf-8")

    def when(day: dt.date, lang: str) -> str:  # as Babel writes it, with no-break spaces only
        return (
            format_date(day, "long", locale=lang).replace(" ", "\u00a0").replace("\u202f", "\u00a0")
        )

    closing = {
        "danubia-retail": "This offer is valid until " + when(dt.date(2027, 9, 30), "en") + ".",
        "balkan-trans-eood": "Офертата е валидна до " + when(dt.date(2026, 12, 26), "bg"),
    }[slug]
    lines = md.splitlines()
    assert closing in lines  # then the acceptance block, under a heading of its own
    assert lines[lines.index(closing) + 2].startswith("## ")
    assert f'<p class="closing">{closing}</p>' in page
    assert md.endswith("\n") and not md.endswith("\n\n")
    assert "\r" not in md and "\r" not in page
