"""How long `kamdocs portfolio` takes over a large department (default: 5,000 dossiers).

    python bench/portfolio.py --n 5000 --out /tmp/kamdocs-portfolio

writes a workspace with ``bench/gen.py`` (realistic dossiers, a quarter of them with a tender),
scales the generated shares so that they add up to 60% of sales (one dossier in ten without a
share), then times fresh processes of ``kamdocs portfolio --json`` and ``--html``, the way a
department head runs them. Wall-clock seconds, best and median of ``--runs``.
"""

from __future__ import annotations

import argparse
import re
import statistics
import subprocess
import sys
import time
from decimal import ROUND_DOWN, Decimal
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SHARE = re.compile(r"^(  share_of_sales: )(\S+)\n", re.MULTILINE)


def rescale(folder: Path, total: Decimal = Decimal("0.6")) -> int:
    """Scale every share so that they add up to at most ``total``; drop every tenth."""
    files = sorted(folder.glob("*.yaml"))
    found = {}
    for path in files:
        match = SHARE.search(path.read_text(encoding="utf-8"))
        if match:
            found[path] = Decimal(match.group(2))
    scale = total / sum(found.values())
    for i, (path, share) in enumerate(found.items()):
        text = path.read_text(encoding="utf-8")
        value = (share * scale).quantize(Decimal("0.000001"), rounding=ROUND_DOWN)
        new = "" if i % 10 == 9 else rf"\g<1>{value}\n"
        path.write_text(SHARE.sub(new, text, count=1), encoding="utf-8")
    return len(found)


def timed(args: list[str], cwd: Path) -> float:
    start = time.perf_counter()
    subprocess.run(args, cwd=cwd, check=True, stdout=subprocess.DEVNULL)
    return time.perf_counter() - start


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--n", type=int, default=5000)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--out", type=Path, required=True, help="workspace folder to write")
    args = ap.parse_args(argv)
    sys.path.insert(0, str(ROOT / "bench"))
    import gen

    if not (args.out / "dossiers").is_dir():
        gen.generate(args.out, args.n, args.seed)
        rescale(args.out / "dossiers")
    kamdocs = [sys.executable, "-m", "kamdocs", "portfolio", "--date", "2026-12-14"]
    for label, extra in (("--json", ["--json"]), ("--html", ["--html", "portfolio.html"])):
        times = [timed(kamdocs + extra, args.out) for _ in range(args.runs)]
        print(
            f"kamdocs portfolio {label:<7} {args.n} dossiers: "
            f"best {min(times):.2f} s, median {statistics.median(times):.2f} s"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
