"""``python -m kamdocs``."""

from kamdocs.cli import main

main()
