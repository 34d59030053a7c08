"""``--date`` and ``--sent`` are read by kamdocs' own pattern instead of ``strptime`` (whose
first call costs a fresh command its ``_strptime`` import): the same texts must be taken, as the
same days, and the same refused, with the same message."""

from __future__ import annotations

import datetime as dt
import os
from pathlib import Path

import click
import pytest
from helpers import DOSSIER, build_file_tree, run, small_library
from hypothesis import example, given
from hypothesis import strategies as st

from kamdocs.cli import DATE

CLICK = click.DateTime(formats=["%Y-%m-%d"])


def read(param_type: click.ParamType, text: str) -> dt.datetime | str:
    try:
        return param_type.convert(text, None, None)
    except click.BadParameter as exc:
        return exc.format_message()


# Texts near a date: digits, a dash, a space, the Unicode digits strptime's \d takes.
NEAR = st.text(alphabet="0123456789- \u0663\u0967x", max_size=12)
PARTS = st.builds(
    "{}-{}-{}".format,
    st.integers(-1, 10000).map(str),
    st.sampled_from(["0", "1", "01", "9", "09", "10", "12", "13", "00", " 1", "1 "]),
    st.sampled_from(["0", "1", "01", "9", " 9", "28", "29", "30", "31", "32", "00", "3 "]),
)


@given(st.one_of(NEAR, PARTS, st.text(max_size=12)))
@example("2026-11-26")
@example("2024-2-29")
@example("2025-2-29")
@example("2026-12- 1")
@example("2026-12-01 ")
@example("0000-01-01")
@example("2026-1-011")
@example("\u0662\u0660\u0662\u0666-01-01")
def test_the_date_option_takes_and_refuses_what_click_datetime_does(text: str) -> None:
    assert read(DATE, text) == read(CLICK, text)


def test_the_date_option_gives_the_day_and_click_message() -> None:
    assert read(DATE, "2026-3-7") == dt.datetime(2026, 3, 7)
    assert read(DATE, "2026-02-30") == (
        "Invalid value: '2026-02-30' does not match the format '%Y-%m-%d'."
    )


def test_a_wrong_build_date_is_a_usage_error_and_writes_nothing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    small_library(tmp_path)
    build_file_tree(tmp_path, {"dossiers/acme.yaml": DOSSIER})
    monkeypatch.chdir(tmp_path)
    result = run("render", "dossiers/acme.yaml", "-f", "md", "-o", "out", "--date", "2026-02-30")
    assert result.exit_code == 2, result.output
    assert result.stderr.splitlines()[-1] == (
        "Error: Invalid value for '--date': '2026-02-30' does not match the format '%Y-%m-%d'."
    )
    assert sorted(os.listdir(tmp_path)) == ["dossiers", "templates"]
    result = run("render", "dossiers/acme.yaml", "-f", "md", "-o", "out", "--date", "2026-2-3")
    assert result.exit_code == 0, result.output
