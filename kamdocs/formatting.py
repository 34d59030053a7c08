"""Dates, numbers and money in the proposal's language, through Babel (CLDR data).

Every figure is printed with no-break spaces inside it, so that a line never ends between
"334 200,00" and "€", or between "18 март 2024" and "г.". (CLDR's narrow no-break space
becomes a plain one: fonts without the narrow glyph made LibreOffice break there.)
"""

from __future__ import annotations

import copy
import datetime as dt
import re
import sys
import types
from decimal import ROUND_HALF_UP, Decimal
from functools import cache, lru_cache
from importlib.util import find_spec


def _import_babel_dates() -> None:
    """Import ``babel.dates`` without asking pytz for the machine's time zone.

    ``babel.dates`` takes the local time zone (``babel.localtime.LOCALTZ``) when it is imported.
    Where pytz is installed (a test tool brings it), Babel asks pytz, whose first look-up checks
    a file for each of the 600 zones it knows: 10-20 ms of every command, for a zone kamdocs
    never uses (it prints dates, never times). Without pytz, Babel asks the standard library's
    ``zoneinfo`` instead, at once; kamdocs has it do so for that one look-up, then gives Babel
    pytz back (imported when Babel first needs it), so that a program using kamdocs gets
    Babel's time zones as it always did."""
    if "babel.dates" in sys.modules or "pytz" in sys.modules:
        return
    sys.modules["pytz"] = None  # type: ignore[assignment] - "import pytz" fails: not installed
    try:
        import babel.dates  # noqa: PLC0415
    finally:
        del sys.modules["pytz"]
    from babel.localtime import _helpers  # noqa: PLC0415

    if find_spec("pytz") is not None:
        # Each of Babel's modules that imported pytz, and found none.
        holders = [m for m in (babel.dates, _helpers) if getattr(m, "pytz", 0) is None]
        stand_in = _LazyPytz(holders)
        for module in holders:
            module.pytz = stand_in


class _LazyPytz(types.ModuleType):
    """pytz, imported when Babel first reads anything of it; then Babel holds pytz itself."""

    def __init__(self, holders: list[types.ModuleType]):
        super().__init__("pytz")
        self._holders = holders

    def __getattr__(self, name: str) -> object:
        import pytz  # noqa: PLC0415

        for module in self._holders:
            if module.pytz is self:
                module.pytz = pytz
        return getattr(pytz, name)


_import_babel_dates()

from babel import Locale, UnknownLocaleError  # noqa: E402 - after the import above
from babel.dates import format_date  # noqa: E402
from babel.numbers import (  # noqa: E402
    NumberPattern,
    format_currency,
    format_decimal,
    format_percent,
    get_currency_precision,
    get_currency_symbol,
)


@cache
def locale(lang: str) -> Locale:
    """The Babel locale for a proposal language such as ``en`` or ``bg``, its CLDR data loaded.

    Babel loads a locale's data from two pickles, the locale's and the root's, and merges them:
    20-30 ms of a fresh command, more than rendering the proposal. The merged result is kept
    between runs with the library (``kamdocs.stored``, under a key of Babel's version and the
    locale), and the locale read back from it needs nothing loaded."""
    try:
        parsed = Locale.parse(lang.replace("-", "_"))
    except (UnknownLocaleError, ValueError):
        parsed = Locale.parse("en")
    from kamdocs import stored  # noqa: PLC0415 - (stored imports nothing of this module)

    babel_globals()

    def loaded() -> Locale:
        parsed.date_formats  # noqa: B018 - any of its data loads all of it
        return parsed

    found = stored.remembered("locales", stored.locale_key(str(parsed)), loaded)
    return found if isinstance(found, Locale) and found == parsed else loaded()


# The tables of Babel's global data (``babel/global.dat``, 470 KB) that a proposal reads: the ISO
# codes a dossier's currency is checked against, and each currency's decimals.
BABEL_GLOBALS = ("all_currencies", "currency_fractions")


def babel_globals() -> None:
    """Have Babel read the tables it is asked for most (``BABEL_GLOBALS``) from a copy kept
    between runs with the locales, instead of unpickling all of its global data: 5-6 ms of a
    fresh command, for two small tables.

    Babel holds its global data in ``babel.core._global_data``, loaded by ``get_global`` when
    it is ``None``. Here, while it is, it becomes ``_BabelGlobals`` of the kept tables; the
    first look-up of any other table loads all of the data as Babel would, and Babel holds that
    from then on. The copy is made from Babel's own data (its first run loads it anyway) and
    is kept under Babel's version."""
    import babel.core  # noqa: PLC0415 - imported already by whoever asks

    if getattr(babel.core, "_global_data", 0) is not None:
        return  # loaded (or laid out otherwise): Babel's own
    from kamdocs import stored  # noqa: PLC0415

    def tables() -> dict[str, dict]:
        return {name: dict(babel.core.get_global(name)) for name in BABEL_GLOBALS}  # type: ignore[arg-type]

    kept = stored.remembered("locales", stored.locale_key("\0globals"), tables)
    if (
        babel.core._global_data is None
        and isinstance(kept, dict)
        and sorted(kept) == sorted(BABEL_GLOBALS)
        and all(isinstance(table, dict) for table in kept.values())
    ):
        babel.core._global_data = _BabelGlobals(kept)


class _BabelGlobals(dict):
    """Some tables of Babel's global data, standing where Babel holds all of it: Babel reads it
    with ``get`` alone, and a table not here loads the whole data into Babel's hands."""

    def get(self, key: object, default: object = None) -> object:
        if dict.__contains__(self, key):
            return dict.get(self, key)
        import babel.core  # noqa: PLC0415

        if babel.core._global_data is self or babel.core._global_data is None:
            babel.core._global_data = None  # Babel loads it again, all of it
            babel.core.get_global(key)  # type: ignore[arg-type]
        return babel.core._global_data.get(key, default)  # type: ignore[union-attr]


# Figures kept per function: the dates and amounts one proposal prints again and again (a total,
# the build and expiry dates). A build's amounts rarely repeat across dossiers, so a larger cache
# only grows each worker's memory with the batch.
FIGURES = 256
NBSP = "\u00a0"
_SPACES = str.maketrans({" ": NBSP, "\u202f": NBSP, "\u2009": NBSP})


def unbreakable(text: str) -> str:
    """``text`` with every space made a no-break space."""
    return text.translate(_SPACES)


@lru_cache(maxsize=FIGURES)
def date(value: dt.date, lang: str, form: str = "long") -> str:
    """The date as CLDR writes it (U+202F before "г." in Bulgarian)."""
    return format_date(value, form, locale=locale(lang))


@lru_cache(maxsize=FIGURES)
def printed_date(value: dt.date, lang: str, form: str = "long") -> str:
    """The date as a proposal prints it (the ``date`` filter): with no-break spaces only."""
    return unbreakable(date(value, lang, form))


def quantize(amount: Decimal, currency: str) -> Decimal:
    """Round half-up to the currency's minor unit (2 for EUR, 0 for JPY)."""
    exponent = Decimal(1).scaleb(-get_currency_precision(currency))
    return amount.quantize(exponent, rounding=ROUND_HALF_UP)


@lru_cache(maxsize=64)
def _currency_pattern(lang: str, currency: str) -> NumberPattern | None:
    """The locale's currency pattern with this currency's sign and digits written into it.

    ``format_currency`` looks the currency's symbol, precision and plural name up again for
    every amount (the plural name even when the pattern does not show it): three fifths of its
    time. Babel's own pattern, given them once, prints the same text. None where the pattern
    shows the currency's code or name (``¤¤``, ``¤¤¤``; no CLDR locale's standard pattern does):
    ``format_currency`` prints those."""
    pattern = locale(lang).currency_formats["standard"]
    if any("¤¤" in part for part in (*pattern.prefix, *pattern.suffix)):
        return None
    symbol = get_currency_symbol(currency, locale(lang))
    fixed = copy.copy(pattern)
    fixed.prefix = tuple(part.replace("¤", symbol) for part in pattern.prefix)
    fixed.suffix = tuple(part.replace("¤", symbol) for part in pattern.suffix)
    fixed.frac_prec = (get_currency_precision(currency),) * 2
    return fixed


@lru_cache(maxsize=FIGURES)
def money(value: Decimal, lang: str, currency: str) -> str:
    amount = quantize(Decimal(value), currency)
    pattern = _currency_pattern(lang, currency)
    if pattern is None:
        text = format_currency(amount, currency, locale=locale(lang), decimal_quantization=True)
    else:
        text = pattern.apply(amount, locale(lang), currency_digits=False)
    return unbreakable(text)


@lru_cache(maxsize=FIGURES)
def number(value: Decimal | int, lang: str) -> str:
    return unbreakable(format_decimal(value, locale=locale(lang), decimal_quantization=False))


@lru_cache(maxsize=FIGURES)
def percent(value: Decimal | int, lang: str) -> str:
    """``20`` -> ``20%`` (``20 %`` in Bulgarian); the value is in percent, not a fraction."""
    text = format_percent(Decimal(value) / 100, locale=locale(lang), decimal_quantization=False)
    return unbreakable(text)


# A number written by hand with its percent sign, in any spacing: "38%", "38 %", "30–40 %". The
# sign is what is searched for (a literal, found at C speed); the digit and the one space before
# it are looked at in ``figures`` (a pattern starting with them is tried at every character).
_PERCENT_SIGN_RE = re.compile(r"%(?![\w%{}\\])")
_PERCENT_SPACES = " \u00a0\u202f"


@cache
def _percent_gap(lang: str) -> str:
    """What this locale puts between a number and its percent sign (CLDR): "" or a space."""
    sample = percent(7, lang)
    return sample[sample.index("7") + 1 : sample.index("%")] if "%" in sample else ""


def figures(text: str, lang: str) -> str:
    """Percentages written in the library's and the dossier's texts, in the locale's format:
    the one the ``percent`` filter prints, so that "38 %" and "20%" never meet in one page.

    A sign counts when a decimal digit stands right before it, or before the one space (plain,
    no-break or narrow no-break) before it, and no word character, "%", brace or backslash
    follows it; that space and the sign become the locale's."""
    if "%" not in text:
        return text
    sign = _percent_gap(lang) + "%"
    out: list[str] = []
    done = 0
    for match in _PERCENT_SIGN_RE.finditer(text):
        at = match.start()
        start = at - 1 if at and text[at - 1] in _PERCENT_SPACES else at
        if start and text[start - 1].isdecimal():  # what "\d" matches in a str pattern
            out.append(text[done:start])
            out.append(sign)
            done = at + 1
    if not out:
        return text
    out.append(text[done:])
    return "".join(out)


@lru_cache(maxsize=FIGURES)
def day(value: dt.date, lang: str) -> str:
    """A short date with its weekday: ``Mon, Nov 30, 2026``; ``пн, 30.11.2026 г.``."""
    from babel.dates import format_skeleton  # noqa: PLC0415

    return format_skeleton("yMMMEd", value, locale=locale(lang))


@lru_cache(maxsize=FIGURES)
def share(value: Decimal | int, lang: str) -> str:
    """A fraction as a percentage with at most one decimal: ``0.125`` -> ``12.5%`` (``12,5%``
    in Bulgarian), in the locale's own percent pattern; ``<0.1%`` for a share that would
    round to zero."""
    from babel.numbers import parse_pattern

    pattern = parse_pattern(locale(lang).percent_formats[None].pattern)
    pattern.frac_prec = (0, 1)
    value = Decimal(value)
    text = pattern.apply(value, locale(lang))
    if value > 0 and text == pattern.apply(Decimal(0), locale(lang)):
        # a share, however small, is not shown as none
        return "<" + pattern.apply(Decimal("0.001"), locale(lang))
    return text


@lru_cache(maxsize=1024)
def duration(value: int, unit: str, lang: str) -> str:
    """``14`` days -> ``14 days`` (``14 дни``): a count of ``day`` or ``month`` with the
    language's own plural."""
    from babel.units import format_unit

    return format_unit(value, f"duration-{unit}", length="long", locale=locale(lang))
