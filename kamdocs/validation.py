"""Shared pieces of the typed models: the strict base class and pydantic errors as problems."""

from __future__ import annotations

import difflib
import re
from typing import Annotated, Any, TypeVar

from pydantic import BaseModel, ConfigDict, StringConstraints, ValidationError, model_validator

from kamdocs.errors import Problem
from kamdocs.yamlsrc import Source

Text = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1)]
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

    model_config = ConfigDict(extra="forbid", coerce_numbers_to_str=True)

    @model_validator(mode="before")
    @classmethod
    def _drop_extension_keys(cls, data: Any) -> Any:
        if isinstance(data, dict):
            return {
                k: v for k, v in data.items() if not (isinstance(k, str) and k.startswith("x-"))
            }
        return data


def _message(error: dict[str, Any], model: type[BaseModel], loc: tuple) -> str:
    kind = error["type"]
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
            problems.append(source.problem((*base, *loc), _message(error, model, loc)))
        return None, problems


# Parts pydantic adds to an error location that are not keys of the input.
_PYDANTIC_LOC = {"function-after", "function-before", "function-wrap", "function-plain", "[key]"}
