"""cProfile of an in-process ``kamdocs build`` of generated dossiers (serial, one process).

    .venv/bin/python bench/profile_build.py --n 200 [--formats md,docx,html] [--top 25] [--save F]

Prints the top entries by cumulative time and by own time (tottime). The build runs in this
process with kamdocs' worker pool switched off, so that every call shows in one profile; the
per-document work is the same as in a pooled build.
"""

from __future__ import annotations

import argparse
import cProfile
import datetime as dt
import io
import pstats
import shutil
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

import gen  # noqa: E402


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--n", type=int, default=200)
    ap.add_argument("--formats", default="md,docx,html")
    ap.add_argument("--top", type=int, default=25)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--save", type=Path, help="also write the raw stats here (for pstats/snakeviz)")
    args = ap.parse_args(argv)

    base = Path(tempfile.mkdtemp(prefix="kamdocs-profile-"))
    try:
        ws = gen.generate(base / "ws", args.n, args.seed)
        from kamdocs import app  # noqa: PLC0415
        from kamdocs.workspace import find_workspace, parse_formats  # noqa: PLC0415

        try:  # one process: a pool's workers would not show in the profile
            import kamdocs.build as kbuild  # noqa: PLC0415

            kbuild.workers = lambda: 1
        except ImportError:
            pass
        workspace = find_workspace(start=ws)
        formats = parse_formats(args.formats, workspace.formats)
        date = dt.date(2026, 11, 26)
        profiler = cProfile.Profile()
        t0 = time.perf_counter()
        profiler.enable()
        written = app.render(workspace, None, formats, ws / "out", date, manifest=True)
        profiler.disable()
        wall = time.perf_counter() - t0
        print(
            f"in-process build of {args.n} dossiers to {','.join(formats)} under cProfile: "
            f"{wall:.2f} s ({args.n / wall:.0f} docs/s with profiling overhead), "
            f"{len(written.outputs)} files\n"
        )
        if args.save:
            profiler.dump_stats(str(args.save))
        for key in ("cumulative", "tottime"):
            out = io.StringIO()
            stats = pstats.Stats(profiler, stream=out)
            stats.sort_stats(key).print_stats(args.top)
            text = out.getvalue()
            start = text.find("   ncalls")
            print(f"--- top {args.top} by {key} ---")
            print(text[start:].rstrip().replace(str(Path.cwd()) + "/", ""), "\n")
    finally:
        shutil.rmtree(base, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
