"""The other ways to make the same DOCX, timed side by side with kamdocs (see README.md).

Every comparison starts from the SAME Markdown that ``kamdocs build -f md`` wrote, and writes
a .docx styled by the same ``templates/reference.docx``:

* pandoc: ``pandoc -f markdown -t docx --reference-doc templates/reference.docx``, one process
  per document, as people use it;
* plain python-docx: ``docx.Document(reference.docx)``, the Markdown parsed by the
  ``markdown`` package into a tree, walked with ``add_heading`` / ``add_paragraph(style=...)``
  / ``add_table(style="Proposal Table")``, saved to bytes;
* docxtpl: one template made from reference.docx with a loop over the blocks (a styled
  paragraph per heading level, list item and paragraph, a table row loop for tables).
"""

from __future__ import annotations

import html
import io
import re
import shutil
import subprocess
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any
from xml.etree.ElementTree import Element

PLACEHOLDER = re.compile("\x02wzxhzdk:(\\d+)\x03")
TAGS = re.compile(r"<[^>]*>")
CLASS_STYLES = {
    "title": "Title",
    "subtitle": "Subtitle",
    "small": "Small",
    "closing": "Closing",
    "detail": "Quote",
}


# --- Markdown -> element tree (the markdown package, as kamdocs and most people use it) ------


class MarkdownTree:
    """Python-Markdown with tables and attribute lists; keeps the finished element tree."""

    def __init__(self) -> None:
        import markdown  # noqa: PLC0415
        from markdown.treeprocessors import Treeprocessor  # noqa: PLC0415

        class Keep(Treeprocessor):
            root: Element | None = None

            def run(self, root: Element) -> None:
                self.root = root

        self.md = markdown.Markdown(extensions=["tables", "attr_list", "sane_lists"])
        self.keep = Keep(self.md)
        self.md.treeprocessors.register(self.keep, "bench-keep", -100)

    def parse(self, text: str) -> tuple[Element, list]:
        self.md.reset()
        self.md.convert(text)
        assert self.keep.root is not None
        return self.keep.root, list(self.md.htmlStash.rawHtmlBlocks)


def _resolver(stash: list) -> Callable[[str], str]:
    def resolve(text: str) -> str:
        if "\x02" not in text:
            return text
        return PLACEHOLDER.sub(
            lambda m: html.unescape(TAGS.sub("", str(stash[int(m.group(1))]))), text
        )

    return resolve


def _style(el: Element, default: str | None = None) -> str | None:
    for cls in (el.get("class") or "").split():
        if cls in CLASS_STYLES:
            return CLASS_STYLES[cls]
    return default


# --- plain python-docx ---------------------------------------------------------------------


class PythonDocx:
    """What a developer writes with python-docx alone: open the reference, add the content."""

    name = "python-docx"

    def __init__(self, reference: Path):
        import docx  # noqa: PLC0415

        self.docx = docx
        self.reference = reference
        self.tree = MarkdownTree()

    def build(self, text: str) -> bytes:
        root, stash = self.tree.parse(text)
        self.resolve = _resolver(stash)
        doc = self.docx.Document(str(self.reference))
        for el in root:
            self._block(doc, el)
        out = io.BytesIO()
        doc.save(out)
        return out.getvalue()

    def _block(self, doc, el: Element) -> None:  # noqa: ANN001 - python-docx Document
        tag = el.tag
        if tag in ("h1", "h2", "h3", "h4", "h5", "h6"):
            style = _style(el)
            if style:
                p = doc.add_paragraph(style=style)
            else:
                p = doc.add_heading(level=min(int(tag[1]), 3))
            self._inline(p, el)
        elif tag == "p":
            self._inline(doc.add_paragraph(style=_style(el)), el)
        elif tag in ("ul", "ol"):
            style = "List Bullet" if tag == "ul" else "List Number"
            for li in el:
                p = doc.add_paragraph(style=style)
                self._inline(p, li)
        elif tag == "table":
            rows = [tr for part in el for tr in part if tr.tag == "tr"]
            cols = max((len(tr) for tr in rows), default=1)
            table = doc.add_table(rows=len(rows), cols=cols, style="Proposal Table")
            for r, tr in enumerate(rows):
                cells = table.rows[r].cells
                for c, cell in enumerate(tr):
                    p = cells[c].paragraphs[0]
                    p.style = "Table Heading" if cell.tag == "th" else "Table Text"
                    if "right" in (cell.get("style") or "") + (cell.get("align") or ""):
                        p.alignment = 2  # WD_ALIGN_PARAGRAPH.RIGHT
                    self._inline(p, cell)
        elif tag == "hr":
            return
        else:
            for child in el:
                self._block(doc, child)

    def _inline(
        self,
        p,
        el: Element,
        bold: bool = False,
        italic: bool = False,  # noqa: ANN001
        style: str | None = None,
    ) -> None:
        if el.text:
            run = p.add_run(self.resolve(el.text), style=style)
            run.bold, run.italic = bold or None, italic or None
        for child in el:
            tag = child.tag
            if tag == "br":
                p.add_run().add_break()
            elif tag == "p":  # a loose list item's paragraph
                self._inline(p, child, bold, italic, style)
            else:
                self._inline(
                    p,
                    child,
                    bold or tag in ("strong", "b"),
                    italic or tag in ("em", "i"),
                    "Hyperlink" if tag == "a" else "Code" if tag == "code" else style,
                )
            if child.tail:
                run = p.add_run(self.resolve(child.tail), style=style)
                run.bold, run.italic = bold or None, italic or None


# --- docxtpl --------------------------------------------------------------------------------

DOCXTPL_BLOCKS = [  # (kind, paragraph style) in the template, in this order
    ("title", "Title"),
    ("h1", "Heading 1"),
    ("h2", "Heading 2"),
    ("h3", "Heading 3"),
    ("li", "List Bullet"),
    ("oli", "List Number"),
    ("subtitle", "Subtitle"),
    ("small", "Small"),
    ("closing", "Closing"),
    ("detail", "Quote"),
]
DOCXTPL_COLS = 4


def make_docxtpl_template(reference: Path, target: Path) -> Path:
    """A docxtpl template made from reference.docx: one loop over the proposal's blocks."""
    import docx  # noqa: PLC0415

    doc = docx.Document(str(reference))
    doc.add_paragraph("{%p for b in blocks %}")
    for i, (kind, style) in enumerate(DOCXTPL_BLOCKS):
        doc.add_paragraph(("{%p if" if i == 0 else "{%p elif") + f' b.kind == "{kind}" %}}')
        doc.add_paragraph("{{ b.text }}", style=style)
    doc.add_paragraph('{%p elif b.kind == "table" %}')
    table = doc.add_table(rows=3, cols=DOCXTPL_COLS, style="Proposal Table")
    table.cell(0, 0).text = "{%tr for row in b.rows %}"
    for c in range(DOCXTPL_COLS):
        table.cell(1, c).text = f"{{{{ row[{c}] }}}}"
    table.cell(2, 0).text = "{%tr endfor %}"
    doc.add_paragraph("{%p else %}")
    doc.add_paragraph("{{ b.text }}")
    doc.add_paragraph("{%p endif %}")
    doc.add_paragraph("{%p endfor %}")
    doc.save(str(target))
    return target


class Docxtpl:
    """docxtpl with the template above; the context is the Markdown's blocks as plain text."""

    name = "docxtpl"

    def __init__(self, reference: Path, workdir: Path):
        import docxtpl  # noqa: PLC0415

        self.docxtpl = docxtpl
        self.template = make_docxtpl_template(reference, workdir / "docxtpl-template.docx")
        self.tree = MarkdownTree()

    def blocks(self, text: str) -> list[dict]:
        root, stash = self.tree.parse(text)
        resolve = _resolver(stash)

        def plain(el: Element) -> str:
            return resolve("".join(el.itertext()))

        out: list[dict] = []
        for el in root:
            tag = el.tag
            if tag in ("h1", "h2", "h3", "h4", "h5", "h6"):
                kind = "title" if "title" in (el.get("class") or "") else f"h{min(int(tag[1]), 3)}"
                out.append({"kind": kind, "text": plain(el)})
            elif tag in ("ul", "ol"):
                out.extend({"kind": "li" if tag == "ul" else "oli", "text": plain(li)} for li in el)
            elif tag == "table":
                rows = [[plain(c) for c in tr] for part in el for tr in part if tr.tag == "tr"]
                rows = [(r + [""] * DOCXTPL_COLS)[:DOCXTPL_COLS] for r in rows]
                out.append({"kind": "table", "rows": rows})
            elif tag == "p":
                style = _style(el)
                kind = next((k for k, s in DOCXTPL_BLOCKS if s == style), "p")
                out.append({"kind": kind, "text": plain(el)})
        return out

    def build(self, text: str) -> bytes:
        doc = self.docxtpl.DocxTemplate(str(self.template))
        doc.render({"blocks": self.blocks(text)})
        out = io.BytesIO()
        doc.save(out)
        return out.getvalue()


# --- pandoc -----------------------------------------------------------------------------------


def pandoc_path() -> str | None:
    return shutil.which("pandoc")


def pandoc_version(exe: str) -> str:
    try:
        first = subprocess.run([exe, "--version"], capture_output=True, text=True, timeout=30)
        return first.stdout.splitlines()[0] if first.stdout else "?"
    except (OSError, subprocess.SubprocessError):
        return "?"


def time_pandoc(
    exe: str, files: Sequence[Path], reference: Path, workdir: Path, cpu: list[float] | None = None
) -> list[float]:
    """Seconds per document, one pandoc process each (a warm-up run first, not counted); the
    CPU seconds (user + system) of each go into ``cpu`` when given."""
    import resource  # noqa: PLC0415

    out = workdir / "pandoc-out.docx"

    def one(md: Path) -> float:
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        t0 = time.perf_counter()
        subprocess.run(
            [
                exe,
                "-f",
                "markdown",
                "-t",
                "docx",
                "--reference-doc",
                str(reference),
                "-o",
                str(out),
                str(md),
            ],
            check=True,
            capture_output=True,
        )
        wall = time.perf_counter() - t0
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        if cpu is not None:
            cpu.append(after.ru_utime - before.ru_utime + after.ru_stime - before.ru_stime)
        return wall

    one(files[0])
    if cpu is not None:
        cpu.clear()
    return [one(md) for md in files]


def fastest_pass(build: Callable[[Any], object], items: Sequence[Any], passes: int) -> list[float]:
    """Seconds per item of the fastest of ``passes`` timed passes over ``items``."""
    best: list[float] | None = None
    for _ in range(passes):
        times = []
        for item in items:
            t0 = time.perf_counter()
            build(item)
            times.append(time.perf_counter() - t0)
        if best is None or sum(times) < sum(best):
            best = times
    return best or []


def check_docx(data: bytes) -> int:
    """The number of paragraphs python-docx reads back (a sanity check that the file is whole)."""
    import docx  # noqa: PLC0415

    return len(docx.Document(io.BytesIO(data)).paragraphs)
