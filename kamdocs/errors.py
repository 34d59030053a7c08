"""The one exception hierarchy of kamdocs; the CLI maps it to exit codes."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass


@dataclass(frozen=True, order=True)
class Problem:
    """One thing wrong with one input file, located as precisely as the input allows."""

    path: str
    line: int
    field: str
    message: str
    level: str = "error"  # or "warning": the document is not wrong, but a user must see it

    def __str__(self) -> str:
        where = f"{self.path}:{self.line}"
        if self.level == "warning":
            where += ": warning"
        return (
            f"{where}: {self.field}: {self.message}" if self.field else f"{where}: {self.message}"
        )

    @property
    def is_warning(self) -> bool:
        return self.level == "warning"

    def as_warning(self) -> Problem:
        """The same problem at the warning level."""
        return Problem(self.path, self.line, self.field, self.message, "warning")

    def as_error(self) -> Problem:
        """The same problem at the error level (``--strict`` makes warnings errors)."""
        return Problem(self.path, self.line, self.field, self.message, "error")


class KamdocsError(Exception):
    """Raised for every failure kamdocs reports to its user; ``str()`` is what the user sees."""

    exit_code = 1


class InputError(KamdocsError):
    """Raised when dossiers, the library, locales or templates are invalid (every problem)."""

    def __init__(self, problems: Iterable[Problem]):
        self.problems = sort_problems(problems)
        super().__init__(report(self.problems))


class OutputError(KamdocsError):
    """Raised when an output cannot be written; nothing that was there before is changed."""


class UsageError(KamdocsError):
    """Raised when the command line asks for something that cannot be done as asked."""

    exit_code = 2


def raise_if(problems: Iterable[Problem], strict: bool = False) -> list[Problem]:
    """Raise an ``InputError`` carrying ``problems`` when any of them is an error; else return
    the warnings, sorted, for the caller to pass on.

    Warnings alone do not raise, unless ``strict`` (``--strict``) makes them errors; when errors
    do, the warnings go with them, so that the user sees every problem at once.
    """
    problems = list(problems)
    if strict:
        problems = [p.as_error() for p in problems]
    errors, warnings = split(problems)
    if errors:
        raise InputError(problems)
    return sort_problems(warnings)


def report(problems: Iterable[Problem]) -> str:
    """The lines a user reads for ``problems``: one each, by file and line. Errors and warnings
    are printed by this one function."""
    return "\n".join(str(p) for p in sort_problems(problems))


def split(problems: Iterable[Problem]) -> tuple[list[Problem], list[Problem]]:
    """``problems`` as (errors, warnings)."""
    errors: list[Problem] = []
    warnings: list[Problem] = []
    for p in problems:
        (warnings if p.is_warning else errors).append(p)
    return errors, warnings


def sort_problems(problems: Iterable[Problem]) -> list[Problem]:
    """Problems once each, by file, line, field and message: the order users see them in."""
    return sorted(set(problems), key=lambda p: (p.path, p.line, p.field, p.message, p.level))


def closest(word: str, choices: Iterable[str]) -> str | None:
    """The choice most like ``word`` (difflib's ratio of at least 0.6), for a "did you mean"
    hint; difflib is imported only when an input is wrong."""
    import difflib  # noqa: PLC0415

    found = difflib.get_close_matches(word, list(choices), n=1)
    return found[0] if found else None
