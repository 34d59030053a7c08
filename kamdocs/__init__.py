"""kamdocs: key-account proposals tailored to every member of the client's decision-making unit."""

from __future__ import annotations


def version() -> str:
    """The installed version of kamdocs."""
    from importlib.metadata import PackageNotFoundError
    from importlib.metadata import version as _installed

    try:
        return _installed("kamdocs")
    except PackageNotFoundError:  # pragma: no cover - running from a source tree
        return "0+unknown"
