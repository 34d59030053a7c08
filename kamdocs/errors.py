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

    def __str__(self) -> str:
        where = f"{self.path}:{self.line}"
        return (
            f"{where}: {self.field}: {self.message}" if self.field else f"{where}: {self.message}"
        )


class KamdocsError(Exception):
    """Raised for every failure kamdocs reports to its user; ``str()`` is what the user sees."""

    exit_code = 1


class InputError(KamdocsError):
    """Raised when dossiers, the library, locales or templates are invalid (every problem)."""

    def __init__(self, problems: Iterable[Problem]):
        self.problems = sorted(set(problems), key=lambda p: (p.path, p.line, p.field, p.message))
        super().__init__("\n".join(str(p) for p in self.problems))


class OutputError(KamdocsError):
    """Raised when an output cannot be written; nothing that was there before is changed."""


class UsageError(KamdocsError):
    """Raised when the command line asks for something that cannot be done as asked."""

    exit_code = 2


def raise_if(problems: list[Problem]) -> None:
    """Raise an ``InputError`` carrying ``problems`` when there are any."""
    if problems:
        raise InputError(problems)
