"""Validating input into records (``kamdocs.records``), and the models' errors as problems."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any

from kamdocs import records
from kamdocs.errors import Problem, closest
from kamdocs.yamlsrc import Source, printable

if TYPE_CHECKING:
    from pydantic import BaseModel


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
        close = closest(str(loc[-1]), known)
        hint = f"; did you mean '{close}'?" if close else f"; known fields: {', '.join(known)}"
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
    from pydantic import BaseModel  # noqa: PLC0415 - only for a message

    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return annotation
    for arg in getattr(annotation, "__args__", ()):
        found = _inner_model(arg)
        if found is not None:
            return found
    return None


def validate(name: str, source: Source, data: Any, base: tuple = ()) -> tuple[Any, list[Problem]]:
    """Validate ``data`` (found at ``base`` in ``source``) as the model ``name`` (one of
    ``records.TOP``) into a record; problems carry lines."""
    validator = records.validator(name)
    try:
        return validator.validate_python(data), []
    except records.core().ValidationError as exc:
        from kamdocs import models  # noqa: PLC0415 - the fields' names, for did-you-mean hints

        model = getattr(models, name)
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
