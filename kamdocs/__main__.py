"""``python -m kamdocs``."""

from kamdocs.cli import run

run()
