"""One in-process timing, in a process of its own (bench/run.py starts one per tool).

    python bench/inproc.py TOOL WORKSPACE --sample A.yaml:A.md ... --warm B.yaml:B.md ...

TOOL is ``kamdocs:md``, ``kamdocs:docx``, ``kamdocs:html``, ``kamdocs:md,docx,html``,
``kamdocs:stage`` (kamdocs' Markdown -> DOCX step alone, on the Markdown files),
``kamdocs:load`` (reading and validating the dossiers), ``python-docx`` or ``docxtpl``.
Prints one JSON object: seconds per sampled document, or ``{"skipped": why}``.

A fresh process per tool keeps one measurement's caches (kamdocs keeps compiled templates, the
parsed reference.docx and converted Markdown fragments for the rest of a batch) out of the
next. Each tool first builds the ``--warm`` documents (other dossiers of the same batch)
untimed, so a sampled document costs what it costs inside a running batch, then builds every
sampled document once (kamdocs) or takes the fastest of ``--passes`` passes (the others: this
can only favour them).
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

import compare  # noqa: E402

DATE = dt.date(2026, 11, 26)


def _pairs(items: list[str]) -> list[tuple[Path, Path]]:
    return [(Path(a), Path(b)) for a, b in (item.split("::", 1) for item in items)]


def kamdocs_tool(
    what: str, ws: Path, sample: list[tuple[Path, Path]], warm: list[tuple[Path, Path]]
) -> list[float]:
    from kamdocs import app  # noqa: PLC0415
    from kamdocs.workspace import find_workspace  # noqa: PLC0415

    workspace = find_workspace(start=ws)
    if what == "load":  # reading + validating one dossier against the loaded library
        from kamdocs.dossier import load_dossier  # noqa: PLC0415

        library = app.load_all(workspace, [d for d, _ in warm] or [sample[0][0]], DATE).library

        def load(path: Path) -> object:
            return load_dossier(path, library, DATE, workspace.valid_days, workspace.locale)

        return compare.fastest_pass(load, [d for d, _ in sample], 1)
    if what == "stage":
        from kamdocs.render.docx import DocMeta, render_docx  # noqa: PLC0415
        from kamdocs.render.markup import convert  # noqa: PLC0415

        reference = workspace.templates / "reference.docx"
        meta = DocMeta(
            title="Benchmark", subject="Proposal", author="Bench", created=DATE, language="en-US"
        )

        def stage(text: str) -> bytes:
            converted = convert(text)  # (tree, xhtml), or (tree, xhtml, stash) in older kamdocs
            extra = {"html_stash": converted[2]} if len(converted) > 2 else {}
            return render_docx(converted[0], meta, reference, **extra)[0]

        for _, md in warm or sample[:1]:
            stage(md.read_text(encoding="utf-8"))
        return compare.fastest_pass(stage, [md.read_text(encoding="utf-8") for _, md in sample], 1)

    from kamdocs.render.pipeline import render  # noqa: PLC0415

    formats = tuple(what.split(","))
    checked = app.load_all(workspace, [d for d, _ in sample], DATE)
    warm_loaded = app.load_all(workspace, [d for d, _ in warm], DATE).dossiers if warm else []
    for item in warm_loaded or checked.dossiers[:1]:
        render(item, checked.library, formats, workspace.templates)
    return compare.fastest_pass(
        lambda item: render(item, checked.library, formats, workspace.templates),
        checked.dossiers,
        1,
    )


def other_tool(
    name: str, ws: Path, sample: list[tuple[Path, Path]], warm: list[tuple[Path, Path]], passes: int
) -> tuple[list[float], dict]:
    reference = ws / "templates" / "reference.docx"
    if name == "python-docx":
        builder = compare.PythonDocx(reference)
    else:
        builder = compare.Docxtpl(reference, ws)
    texts = [md.read_text(encoding="utf-8") for _, md in sample]
    for _, md in warm or sample[:1]:
        builder.build(md.read_text(encoding="utf-8"))
    times = compare.fastest_pass(builder.build, texts, passes)
    return times, {"paragraphs_check": compare.check_docx(builder.build(texts[0]))}


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("tool")
    ap.add_argument("workspace", type=Path)
    ap.add_argument("--sample", nargs="+", required=True, help="DOSSIER::MARKDOWN pairs")
    ap.add_argument("--warm", nargs="*", default=[], help="DOSSIER::MARKDOWN pairs, untimed")
    ap.add_argument("--passes", type=int, default=3)
    args = ap.parse_args(argv)
    sample, warm = _pairs(args.sample), _pairs(args.warm)
    extra: dict = {}
    if args.tool.startswith("kamdocs:"):
        try:
            times = kamdocs_tool(args.tool.split(":", 1)[1], args.workspace, sample, warm)
        except Exception as exc:  # noqa: BLE001 - an internal API moved: report, don't crash
            print(json.dumps({"skipped": f"{type(exc).__name__}: {exc}"}))
            return 0
    else:
        try:
            times, extra = other_tool(args.tool, args.workspace, sample, warm, args.passes)
        except ImportError as exc:
            print(
                json.dumps(
                    {"skipped": f"not installed ({exc.name}); pip install {args.tool} to compare"}
                )
            )
            return 0
    print(json.dumps({"seconds": times, **extra}))
    return 0


if __name__ == "__main__":
    sys.exit(main())
