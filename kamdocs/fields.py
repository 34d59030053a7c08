"""How the models read a field's value, before its type is checked: free of pydantic.

The models (``kamdocs.models``) name these functions in their validators, and so does the
validator a command runs (``kamdocs.records``): it is built from the models' schema once and
kept between runs, and the functions it calls are found here by name without importing
pydantic."""

from __future__ import annotations

import contextlib
import datetime as dt
import re
from decimal import Decimal, InvalidOperation
from typing import Any

from kamdocs.errors import closest
from kamdocs.yamlsrc import printable

ANY_LANGUAGE = "*"


def drop_extension_keys(data: Any) -> Any:
    """Unknown keys are errors (typos must not pass silently); ``x-`` keys are free."""
    if isinstance(data, dict):
        return {k: v for k, v in data.items() if not (isinstance(k, str) and k.startswith("x-"))}
    return data


def as_written(value: Any) -> Any:
    # A number in a text field (a phone number, an id, a name such as 0x1F) is the text the user
    # wrote, not the number YAML made of it: +35921234567 keeps its plus sign.
    return getattr(value, "yaml_text", value)


_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_DMY = re.compile(r"^(\d{1,2})[./](\d{1,2})[./](\d{4})$")


def date(value: Any) -> Any:
    if isinstance(value, dt.datetime):
        raise ValueError("write a date without a time, as YYYY-MM-DD")
    if isinstance(value, dt.date):
        return value
    if isinstance(value, str) and _DATE.match(value.strip()):
        try:
            return dt.date.fromisoformat(value.strip())
        except ValueError:
            raise ValueError(f"'{value.strip()}' is not a real date") from None
    example = "2026-12-01"
    found = _DMY.match(value.strip()) if isinstance(value, str) else None
    if found:
        day, month, year = (int(g) for g in found.groups())
        with contextlib.suppress(ValueError):
            example = dt.date(year, month, day).isoformat()
    raise ValueError(f"write dates as YYYY-MM-DD, e.g. {example}")


_NUMBER_HINT = re.compile(r"[\s\u00a0\u202f%]")


def amount(value: Any) -> Any:
    if isinstance(value, bool):
        raise ValueError("must be a number, not true/false")
    if isinstance(value, str):
        try:
            number = Decimal(value.strip())
        except InvalidOperation:
            raise ValueError(plain_number(value)) from None
        value = number if number.is_zero() else value.strip()
    elif isinstance(value, int):
        value = int(value)  # a plain int, not the YAML number with its text
    # -0.0 is zero: a price printed as "-€0.00" is nonsense.
    if isinstance(value, Decimal) and value.is_zero():
        return value.copy_abs()
    return value


def plain_number(text: str) -> str:
    """How to write ``text`` as a number kamdocs reads: ``1 249,90`` -> ``1249.90``."""
    guess = _NUMBER_HINT.sub("", text)
    if guess.count(",") == 1 and "." not in guess:
        guess = guess.replace(",", ".")
    elif "," in guess and "." in guess:
        guess = guess.replace(",", "")
    try:
        example = str(Decimal(guess)) if Decimal(guess).is_finite() else "1249.90"
    except InvalidOperation:
        example = "1249.90"
    return (
        f"'{printable(text)}' is not a plain number; write a plain number such as {example} "
        "(a point for decimals, no spaces, separators or %)"
    )


def iso_currency(value: Any) -> Any:
    """An ISO 4217 code, or a message that says which one was meant (``euro`` -> ``EUR``)."""
    if not isinstance(value, str):
        return value
    from babel import Locale  # noqa: PLC0415 - Babel is slow to import
    from babel.numbers import list_currencies  # noqa: PLC0415

    from kamdocs.formatting import babel_globals  # noqa: PLC0415 - imports Babel

    babel_globals()

    code = value.strip()
    if code in list_currencies():
        return code
    shown = printable(code)
    if code.upper() in list_currencies():
        raise ValueError(f"'{shown}' is not an ISO 4217 code; did you mean '{code.upper()}'?")
    names = {name.casefold(): c for c, name in Locale("en").currencies.items()}
    names.update({n.casefold(): c for c, n in Locale("bg").currencies.items()})
    close = closest(code.casefold(), names)
    hint = f"; did you mean '{names[close]}'?" if close else " (such as EUR, BGN, USD)"
    raise ValueError(f"'{shown}' is not an ISO 4217 code{hint}")


def local_text(value: Any) -> Any:
    # A plain string is the same text in every language.
    if isinstance(value, str):
        return {ANY_LANGUAGE: value}
    return value
