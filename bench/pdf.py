"""PDF per document: `kamdocs build -f pdf` (a list of files per LibreOffice start, spread over
the cores) against `soffice --convert-to pdf` started once for each file, in the same run.

    .venv/bin/python bench/pdf.py --n 10        # this piece alone, prints one JSON object

`bench/run.py` runs it as one section of `make bench` (`--pdf N`, default 100 dossiers).
"""

from __future__ import annotations

import argparse
import json
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

import gen  # noqa: E402

DATE = "2026-11-26"


def time_pdf(exe: str, ws: Path, n: int, env: dict | None = None) -> dict:
    """Seconds per PDF of kamdocs' batch against one soffice start per file, same DOCX files."""
    soffice = shutil.which("soffice")
    if soffice is None:
        return {"skipped": "no soffice on the PATH"}
    out = ws / "out-pdf"
    shutil.rmtree(out, ignore_errors=True)
    t0 = time.perf_counter()
    subprocess.run(
        [exe, "build", "-f", "docx,pdf", "-o", str(out), "--date", DATE],
        cwd=ws,
        check=True,
        capture_output=True,
        env=env,
    )
    batch_s = time.perf_counter() - t0
    docx = sorted(out.glob("*.docx"))
    one = ws / "one-by-one"
    shutil.rmtree(one, ignore_errors=True)
    with tempfile.TemporaryDirectory(prefix="kamdocs-bench-lo-") as profile:
        t0 = time.perf_counter()
        for path in docx:  # the usual script: one LibreOffice start per document
            subprocess.run(
                [
                    soffice,
                    f"-env:UserInstallation=file://{profile}",
                    "--headless",
                    "--convert-to",
                    "pdf",
                    "--outdir",
                    str(one),
                    str(path),
                ],
                check=True,
                capture_output=True,
                timeout=600,
            )
        single_s = time.perf_counter() - t0
    made = len(list(one.glob("*.pdf")))
    # kamdocs' build also renders the DOCX first; that is ~10 ms a document, kept in its figure.
    return {
        "docs": n,
        "pdfs": len(list(out.glob("*.pdf"))),
        "kamdocs_s_per_pdf": batch_s / n,
        "soffice_one_by_one_s_per_pdf": single_s / max(made, 1),
        "x_vs_soffice_one_by_one": (single_s / max(made, 1)) / (batch_s / n),
    }


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--n", type=int, default=10, help="dossiers (default 10)")
    ap.add_argument("--seed", type=int, default=1)
    args = ap.parse_args(argv)
    exe = str(Path(sys.executable).with_name("kamdocs"))
    with tempfile.TemporaryDirectory(prefix="kamdocs-bench-pdf-") as base:
        ws = Path(base) / "ws"
        gen.generate(ws, args.n, args.seed)
        result = time_pdf(exe, ws, args.n)
    print(json.dumps(result, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
