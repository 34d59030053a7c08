"""Draw docs/img/portfolio-chart.png: the chart of `kamdocs portfolio --html` on the samples.

    .venv/bin/python scripts/make_portfolio_picture.py

The picture is the page's own SVG (the shipped dossiers on the README's date), turned into a
PNG by vl-convert, so README shows what the report draws.
"""

from __future__ import annotations

import datetime as dt
import os
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DATE = dt.date(2026, 12, 14)  # the date of README's example
OUT = ROOT / "docs" / "img" / "portfolio-chart.png"


def main() -> int:
    import vl_convert

    from kamdocs.portfolio import portfolio
    from kamdocs.render.portfolio import chart_svg
    from kamdocs.workspace import find_workspace

    os.chdir(ROOT)
    report = portfolio(find_workspace(ROOT), None, DATE)
    png = vl_convert.svg_to_png(chart_svg(report), scale=2)
    OUT.parent.mkdir(parents=True, exist_ok=True)
    OUT.write_bytes(png)
    print(f"wrote {OUT.relative_to(ROOT)} ({len(png):,} bytes)")
    return 0


if __name__ == "__main__":
    sys.path.insert(0, str(ROOT))
    sys.exit(main())
