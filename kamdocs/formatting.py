"""Dates, numbers and money in the proposal's language, through Babel (CLDR data)."""

from __future__ import annotations

import datetime as dt
from decimal import ROUND_HALF_UP, Decimal
from functools import cache, lru_cache

from babel import Locale, UnknownLocaleError
from babel.dates import format_date
from babel.numbers import format_currency, format_decimal, format_percent, get_currency_precision


@cache
def locale(lang: str) -> Locale:
    """The Babel locale for a proposal language such as ``en`` or ``bg``."""
    try:
        return Locale.parse(lang.replace("-", "_"))
    except (UnknownLocaleError, ValueError):
        return Locale.parse("en")


@lru_cache(maxsize=4096)
def date(value: dt.date, lang: str, form: str = "long") -> str:
    return format_date(value, form, locale=locale(lang))


def quantize(amount: Decimal, currency: str) -> Decimal:
    """Round half-up to the currency's minor unit (2 for EUR, 0 for JPY)."""
    exponent = Decimal(1).scaleb(-get_currency_precision(currency))
    return amount.quantize(exponent, rounding=ROUND_HALF_UP)


@lru_cache(maxsize=4096)
def money(value: Decimal, lang: str, currency: str) -> str:
    return format_currency(
        quantize(Decimal(value), currency), currency, locale=locale(lang), decimal_quantization=True
    )


@lru_cache(maxsize=4096)
def number(value: Decimal | int, lang: str) -> str:
    return format_decimal(value, locale=locale(lang), decimal_quantization=False)


@lru_cache(maxsize=4096)
def percent(value: Decimal | int, lang: str) -> str:
    """``20`` -> ``20%`` (``20 %`` in Bulgarian); the value is in percent, not a fraction."""
    return format_percent(Decimal(value) / 100, locale=locale(lang), decimal_quantization=False)


@lru_cache(maxsize=4096)
def day(value: dt.date, lang: str) -> str:
    """A short date with its weekday: ``Mon, Nov 30, 2026``; ``пн, 30.11.2026 г.``."""
    from babel.dates import format_skeleton  # noqa: PLC0415

    return format_skeleton("yMMMEd", value, locale=locale(lang))
