"""Instructions one proposal costs, counted by callgrind: the same code on the same input counts
the same (to about 0.01%) however busy the machine is, where its times move by a tenth.

    .venv/bin/python bench/instructions.py [--formats docx] [--n 20] [--warm 20] [--code DIR]

Generates ``--warm`` + ``--n`` dossiers, then runs two processes under ``valgrind
--tool=callgrind``: one reads, validates and renders the ``--warm`` dossiers, the other does so
for them and the ``--n`` others (``kamdocs.app.load_all``, then ``kamdocs.render.pipeline.render``
of each). The difference of the two counts, divided by ``--n``, is what reading and rendering a
proposal costs, without the process's start-up and the first dossiers' caches. ``--code DIR``
renders with the ``kamdocs`` package found in DIR instead of the installed one (an older
revision unpacked with ``git archive REV kamdocs | tar -x -C DIR``), to compare two revisions
on the same dossiers. Needs valgrind (Debian's package ``valgrind``); each run takes about a
second a proposal.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
DATE = dt.date(2026, 11, 26)
_COLLECTED = re.compile(r"Collected : (\d+)")


def _child(ws: Path, formats: str, count: int, code: str | None) -> None:
    """Read, validate and render the first ``count`` dossiers of ``ws`` in this process."""
    if code:
        # An editable install answers for "kamdocs" before sys.path is searched.
        sys.meta_path[:] = [f for f in sys.meta_path if "editable" not in repr(f).lower()]
        sys.path.insert(0, code)
    from kamdocs import app  # noqa: PLC0415
    from kamdocs.render.pipeline import render  # noqa: PLC0415
    from kamdocs.workspace import find_workspace  # noqa: PLC0415

    workspace = find_workspace(start=ws)
    paths = sorted((ws / "dossiers").glob("*.yaml"))[:count]
    checked = app.load_all(workspace, paths, DATE)
    for loaded in checked.dossiers:
        render(loaded, checked.library, tuple(formats.split(",")), workspace.templates)


def _count(ws: Path, formats: str, count: int, code: str | None) -> int:
    """Instructions of a process that reads and renders ``count`` dossiers."""
    argv = [sys.executable, __file__, "--child", str(ws), "--formats", formats, "--n", str(count)]
    if code:
        argv += ["--code", code]
    env = dict(os.environ, PYTHONHASHSEED="0", KAMDOCS_CACHE_DIR="off")
    done = subprocess.run(
        ["valgrind", "--tool=callgrind", "--callgrind-out-file=/dev/null", *argv],
        capture_output=True,
        text=True,
        env=env,
        check=False,
    )
    found = _COLLECTED.search(done.stderr)
    if done.returncode != 0 or found is None:
        sys.exit(f"callgrind failed (exit {done.returncode}):\n{done.stderr[-2000:]}")
    return int(found.group(1))


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--formats", default="docx")
    ap.add_argument("--n", type=int, default=20, help="proposals counted")
    ap.add_argument("--warm", type=int, default=20, help="proposals rendered first, in both runs")
    ap.add_argument("--code", help="a folder holding the kamdocs package to measure")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--child", type=Path, help=argparse.SUPPRESS)
    args = ap.parse_args(argv)
    if args.child:
        _child(args.child, args.formats, args.n, args.code)
        return 0
    if shutil.which("valgrind") is None:
        print("valgrind is not installed (Debian: apt-get install valgrind)", file=sys.stderr)
        return 1
    sys.path.insert(0, str(HERE))
    import gen  # noqa: PLC0415

    code = str(Path(args.code).resolve()) if args.code else None
    base = Path(tempfile.mkdtemp(prefix="kamdocs-instructions-"))
    try:
        ws = gen.generate(base / "ws", args.warm + args.n, args.seed)
        warm = _count(ws, args.formats, args.warm, code)
        both = _count(ws, args.formats, args.warm + args.n, code)
    finally:
        shutil.rmtree(base, ignore_errors=True)
    each = (both - warm) / args.n
    print(
        f"{args.formats}: {each / 1e6:.2f} M instructions a proposal "
        f"({args.n} counted after {args.warm}; {warm:,} and {both:,} in all)"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
