"""Shared pieces of the typed models: the strict base class and pydantic errors as problems."""

from __future__ import annotations

import contextlib
import datetime as dt
import difflib
import re
from decimal import Decimal, InvalidOperation
from typing import Annotated, Any, TypeVar

from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    StringConstraints,
    ValidationError,
    model_validator,
)
from pydantic import Strict as StrictType

from kamdocs.errors import Problem
from kamdocs.yamlsrc import Source, printable


def _as_written(value: Any) -> Any:
    # A number in a text field (a phone number, an id, a name such as 0x1F) is the text the user
    # wrote, not the number YAML made of it: +35921234567 keeps its plus sign.
    return getattr(value, "yaml_text", value)


Text = Annotated[
    str, StringConstraints(strip_whitespace=True, min_length=1), BeforeValidator(_as_written)
]
# A whole number, and only a number: YAML's yes/true is not 1, and "30" in quotes is a text.
Whole = Annotated[int, StrictType()]

_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_DMY = re.compile(r"^(\d{1,2})[./](\d{1,2})[./](\d{4})$")


def _date(value: Any) -> Any:
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


Date = Annotated[dt.date, BeforeValidator(_date)]

_NUMBER_HINT = re.compile(r"[\s\u00a0\u202f%]")


def _amount(value: Any) -> Any:
    if isinstance(value, bool):
        raise ValueError("must be a number, not true/false")
    if isinstance(value, str):
        try:
            number = Decimal(value.strip())
        except InvalidOperation:
            raise ValueError(_plain_number(value)) from None
        value = number if number.is_zero() else value.strip()
    elif isinstance(value, int):
        value = int(value)  # a plain int, not the YAML number with its text
    # -0.0 is zero: a price printed as "-€0.00" is nonsense.
    if isinstance(value, Decimal) and value.is_zero():
        return value.copy_abs()
    return value


def _plain_number(text: str) -> str:
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


def amount(**limits: Any) -> Any:
    """An exact decimal number within ``limits`` (``ge=0``…): written 0.1 or "0.1", never a
    float, never a boolean, never infinite. The limits go before the conversion, so that pydantic
    checks them on the decimal itself (as Python code, it would compare a float)."""
    return Annotated[Decimal, Field(allow_inf_nan=False, **limits), BeforeValidator(_amount)]


Email = Annotated[
    str,
    StringConstraints(
        strip_whitespace=True,
        pattern=r"^[^@\s<>()\[\],;:\"]+@[^@\s<>()\[\],;:\"]+\.[^@\s<>()\[\],;:\"]+$",
    ),
]

M = TypeVar("M", bound=BaseModel)


class Strict(BaseModel):
    """Unknown keys are errors (typos must not pass silently); ``x-`` keys are free."""

    model_config = ConfigDict(extra="forbid", coerce_numbers_to_str=True, defer_build=True)

    @model_validator(mode="before")
    @classmethod
    def _drop_extension_keys(cls, data: Any) -> Any:
        if isinstance(data, dict):
            return {
                k: v for k, v in data.items() if not (isinstance(k, str) and k.startswith("x-"))
            }
        return data


# What a text of a fixed form must look like, by the key it is written under.
_FORMATS = {
    "email": "must be an email address such as name@company.example",
    "slug": "must be lowercase letters a-z, digits and - (such as acme-logistics)",
    "id": "must be letters, digits, _, . and -, starting with a letter or digit (such as cfo)",
    "locale": "must be a language code such as en or bg",
    "country": "must be a two-letter country code in capitals (ISO 3166), such as BG",
}


def _message(
    error: dict[str, Any], model: type[BaseModel], loc: tuple, written: str | None = None
) -> str:
    kind = error["type"]
    given = error.get("input")
    if isinstance(given, bool) and kind == "string_type":
        shown = written if written is not None else str(given).lower()
        return f"YAML reads {shown} as a boolean (true/false); write it in quotes: '{shown}'"
    if isinstance(given, bool) and kind == "int_type":
        shown = written if written is not None else str(given).lower()
        return f"must be a whole number (such as 30), not {shown}: YAML reads that as true/false"
    if kind == "string_pattern_mismatch" and loc and loc[-1] in _FORMATS:
        return f"{_FORMATS[loc[-1]]}, not '{printable(str(given))}'"
    if kind == "int_type" and isinstance(given, str):
        return "must be a whole number, written without quotes (such as 30)"
    if kind == "int_type":
        return "must be a whole number (such as 30)"
    if kind == "missing":
        return "required field is missing"
    if kind == "extra_forbidden":
        known = _known_fields(model, loc[:-1])
        close = difflib.get_close_matches(str(loc[-1]), known, n=1)
        hint = f"; did you mean '{close[0]}'?" if close else f"; known fields: {', '.join(known)}"
        return "unknown field" + hint
    if kind in ("model_type", "model_attributes_type"):
        return "must be a mapping of fields (key: value)"
    if kind == "list_type":
        return "must be a list (one '- item' per line, or [a, b])"
    if kind == "dict_type":
        return "must be a mapping (key: value)"
    if kind == "too_short" and error.get("ctx", {}).get("field_type") == "List":
        least = error["ctx"]["min_length"]
        return f"must have at least {least} item{'s' if least != 1 else ''}"
    if kind == "decimal_type":
        return "must be a number"
    if kind == "value_error":
        return str(error.get("ctx", {}).get("error", error["msg"]))
    msg = error["msg"].removeprefix("Value error, ").removeprefix("Assertion failed, ")
    msg = re.sub(r"^Input should be", "must be", msg)
    msg = re.sub(r"^String should have at least 1 character", "must not be empty", msg)
    msg = re.sub(r"^String should match pattern .*", "has an invalid format", msg)
    return msg[:1].lower() + msg[1:]


def _known_fields(model: type[BaseModel], loc: tuple) -> list[str]:
    """The field names of the model found at ``loc`` (best effort, for did-you-mean hints)."""
    current: Any = model
    for part in loc:
        if isinstance(part, int):
            continue
        fields = getattr(current, "model_fields", None)
        if not fields or part not in fields:
            return []
        current = _inner_model(fields[part].annotation)
    fields = getattr(current, "model_fields", None)
    return sorted(fields) if fields else []


def _inner_model(annotation: Any) -> Any:
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return annotation
    for arg in getattr(annotation, "__args__", ()):
        found = _inner_model(arg)
        if found is not None:
            return found
    return None


def validate(
    model: type[M], source: Source, data: Any, base: tuple = ()
) -> tuple[M | None, list[Problem]]:
    """Validate ``data`` (found at ``base`` in ``source``) into ``model``; problems carry lines."""
    try:
        return model.model_validate(data), []
    except ValidationError as exc:
        problems = []
        for error in exc.errors():
            loc = tuple(
                p for p in error["loc"] if isinstance(p, int | str) and p not in _PYDANTIC_LOC
            )
            path = (*base, *loc)
            if source.is_bad(path):
                continue  # YAML could not read this value; that problem is reported already
            written = source.written.get(path)
            problems.append(source.problem(path, _message(error, model, loc, written)))
        return None, problems


# Parts pydantic adds to an error location that are not keys of the input.
_PYDANTIC_LOC = {"function-after", "function-before", "function-wrap", "function-plain", "[key]"}
