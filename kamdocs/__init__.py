"""kamdocs: key-account proposals tailored to every member of the client's decision-making unit."""

from __future__ import annotations

# Written here only: pyproject.toml reads it (tool.setuptools.dynamic), and every command that
# records it (the manifest, the build fingerprint) reads it here, without searching the
# installed packages' metadata as importlib.metadata.version() does on every start.
__version__ = "0.1.0"


def version() -> str:
    """kamdocs' version."""
    return __version__
