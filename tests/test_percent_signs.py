"""Percent signs written by hand are printed the locale's way (``formatting.figures``)."""

from __future__ import annotations

import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from kamdocs import formatting

# What ``figures`` replaced before it searched for the sign alone: a decimal digit, then at most
# one space, then the sign, followed by no word character, "%", brace or backslash.
_REFERENCE = re.compile(r"(?<=\d)[ \u00a0\u202f]?%(?![\w%{}\\])")


def reference(text: str, lang: str) -> str:
    return _REFERENCE.sub(formatting._percent_gap(lang) + "%", text)


@pytest.mark.parametrize(
    ("text", "en", "de"),  # CLDR: "38%" in English (and Bulgarian), "38 %" in German
    [
        ("38%", "38%", "38\u00a0%"),
        ("38 %", "38%", "38\u00a0%"),
        ("30–40\u202f% of the cost", "30–40% of the cost", "30–40\u00a0% of the cost"),
        ("5  %", "5  %", "5  %"),  # two spaces: not a figure's sign
        ("5\u2009%", "5\u2009%", "5\u2009%"),  # nor after a thin space
        ("a %", "a %", "a %"),
        ("5%x 5%% 5%{ 5%\\", "5%x 5%% 5%{ 5%\\", "5%x 5%% 5%{ 5%\\"),
        ("%5 %", "%5%", "%5\u00a0%"),
        ("٣ %", "٣%", "٣\u00a0%"),  # an Arabic-Indic digit is a decimal digit too
    ],
)
def test_signs_after_a_number_take_the_locale_s_spacing(text: str, en: str, de: str) -> None:
    assert formatting.figures(text, "en") == en
    assert formatting.figures(text, "bg") == en
    assert formatting.figures(text, "de") == de


@settings(max_examples=500, deadline=None)
@given(
    st.lists(st.sampled_from(list("5٣² \u00a0\u202f\u2009%ax_{}\\\n.")), max_size=40).map("".join),
    st.sampled_from(["en", "bg", "de"]),
)
def test_figures_is_the_pattern_it_replaced(text: str, lang: str) -> None:
    assert formatting.figures(text, lang) == reference(text, lang)
