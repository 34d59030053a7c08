"""kamdocs in a fresh Python process with a chosen hash seed: what is the same every time must be
the same across processes, where set and dict orders of strings change with the seed."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

SEEDS = ("1", "2", "3")


def kamdocs(*args: str, cwd: Path, seed: str) -> bytes:
    """Run ``kamdocs ARGS...`` in ``cwd`` under ``PYTHONHASHSEED=seed``; its stdout (exit 0)."""
    env = {**os.environ, "PYTHONHASHSEED": seed}
    done = subprocess.run(
        [sys.executable, "-m", "kamdocs", *args], cwd=cwd, env=env, capture_output=True
    )
    assert done.returncode == 0, done.stderr.decode("utf-8", "replace")
    return done.stdout
