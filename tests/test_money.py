"""Amounts are printed as Babel's ``format_currency`` prints them (``formatting.money``).

``money`` gives Babel's own currency pattern the currency's sign and digits once, instead of
having ``format_currency`` look them up for every amount; what it prints must not change."""

from __future__ import annotations

from collections.abc import Iterator
from decimal import Decimal

import pytest
from babel import Locale, localedata
from babel.numbers import format_currency, parse_pattern
from hypothesis import given, settings
from hypothesis import strategies as st

from kamdocs import formatting

LANGS = ("en", "bg", "de", "fr", "de_CH", "en_IN", "ja", "ar", "he", "fa", "my", "sv", "pt_BR")
# Two digits, none (JPY, XAF), three (KWD), four (CLF); symbols before and after the number.
CURRENCIES = ("EUR", "BGN", "USD", "GBP", "CHF", "JPY", "XAF", "KWD", "CLF", "INR", "SEK")


def reference(value: Decimal, lang: str, currency: str) -> str:
    amount = formatting.quantize(value, currency)
    text = format_currency(
        amount, currency, locale=formatting.locale(lang), decimal_quantization=True
    )
    return formatting.unbreakable(text)


amounts = st.decimals(
    min_value=Decimal("-1e12"), max_value=Decimal("1e12"), allow_nan=False, places=6
)


@settings(max_examples=400, deadline=None)
@given(amounts, st.sampled_from(LANGS), st.sampled_from(CURRENCIES))
def test_an_amount_is_printed_as_format_currency_prints_it(
    value: Decimal, lang: str, currency: str
) -> None:
    assert formatting.money.__wrapped__(value, lang, currency) == reference(value, lang, currency)


@pytest.mark.parametrize(
    ("value", "lang", "currency", "printed"),
    [
        ("334200.5", "en", "EUR", "€334,200.50"),
        ("334200.5", "bg", "EUR", "334\u00a0200,50\u00a0€"),
        ("-1234.565", "bg", "BGN", "-1\u00a0234,57\u00a0лв."),
        ("1234.5", "en", "JPY", "¥1,235"),
        ("0.0005", "en", "KWD", "KWD0.001"),  # three digits; CLDR has no sign for it in English
        ("12.5", "de", "CHF", "12,50\u00a0CHF"),
    ],
)
def test_amounts_as_a_reader_sees_them(value: str, lang: str, currency: str, printed: str) -> None:
    assert formatting.money(Decimal(value), lang, currency) == printed
    assert printed == reference(Decimal(value), lang, currency)


@pytest.fixture
def code_pattern(monkeypatch: pytest.MonkeyPatch) -> Iterator[Locale]:
    """English whose currency pattern shows the code and, when negative, the name."""
    written = Locale.parse("en")
    data = dict(written._data)
    data["currency_formats"] = {
        **written.currency_formats,
        "standard": parse_pattern("#,##0.00 ¤¤;-#,##0.00 ¤¤¤"),
    }
    written._Locale__data = localedata.LocaleDataDict(data)  # type: ignore[attr-defined]
    formatting._currency_pattern.cache_clear()
    monkeypatch.setattr(formatting, "locale", lambda lang: written)
    yield written
    formatting._currency_pattern.cache_clear()


def test_a_pattern_that_shows_the_currency_s_code_or_name_is_printed_by_babel(
    code_pattern: Locale,
) -> None:
    assert formatting.money.__wrapped__(Decimal("12.5"), "en", "EUR") == "12.50\u00a0EUR"
    assert formatting.money.__wrapped__(Decimal("-2"), "en", "EUR") == "-2.00\u00a0euros"
