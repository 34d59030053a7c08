"""Numbers, percentages and dates the way kamdocs prints them, in English and Bulgarian: the
cases the proposals' goldens do not reach (more decimals than a pattern shows, a date form
other than the long one, a default left out). Amounts are in ``tests/test_money.py``."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from kamdocs import formatting

NBSP = "\u00a0"
DAY = dt.date(2026, 11, 26)


@pytest.mark.parametrize(
    ("lang", "printed"),
    [("en", "1,234,567.12345"), ("bg", f"1{NBSP}234{NBSP}567,12345")],
)
def test_a_number_keeps_every_decimal_it_was_given(lang: str, printed: str) -> None:
    # Babel's decimal pattern shows three decimals at most; a figure from a dossier is printed
    # as written, in the language's separators.
    assert formatting.number(Decimal("1234567.12345"), lang) == printed


@pytest.mark.parametrize(("lang", "printed"), [("en", "12.5%"), ("bg", "12,5%")])
def test_a_percentage_keeps_its_decimals(lang: str, printed: str) -> None:
    # The percent pattern shows no decimals: 12.5 must not print as 12 or 13.
    assert formatting.percent(Decimal("12.5"), lang) == printed


@pytest.mark.parametrize(
    ("lang", "form", "printed"),
    [
        ("en", "short", "11/26/26"),
        ("bg", "short", f"26.11.26{NBSP}г."),
        ("bg", "medium", f"26.11.2026{NBSP}г."),
        ("en", "long", f"November{NBSP}26,{NBSP}2026"),
    ],
)
def test_a_printed_date_is_in_the_form_asked_with_no_break_spaces(
    lang: str, form: str, printed: str
) -> None:
    assert formatting.printed_date(DAY, lang, form) == printed


def test_a_date_is_long_unless_another_form_is_asked() -> None:
    assert formatting.date(DAY, "en") == "November 26, 2026"
    assert formatting.date(DAY, "bg") == "26 ноември 2026\u202fг."
    assert formatting.printed_date(DAY, "bg") == f"26{NBSP}ноември{NBSP}2026{NBSP}г."
