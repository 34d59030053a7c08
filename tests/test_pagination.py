"""Pages that survive pagination: every sample converted to PDF by LibreOffice and read page by
page (pdftotext), with the Carlito font that reference.docx's Calibri maps to, and without it
(a fontconfig that hides Carlito, so LibreOffice falls back to a wider font).

- no page starts with a reference's recommender line, and a recommender stays with its project;
- every table stays on one page (its rows never split; none is left with one row on a page);
- no page ends with a heading;
- the team, the next steps and the validity sentence are on one page.
"""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

import pytest
from helpers import ROOT
from samples import PDFTOTEXT, SOFFICE, pages, render_samples, to_pdf

SAMPLES = sorted(p.stem for p in (ROOT / "dossiers").glob("*.yaml"))
RECOMMENDS = ("Ready to recommend us:", "Готови да ни препоръчат:")
HIDE_CARLITO = """<?xml version="1.0"?>
<!DOCTYPE fontconfig SYSTEM "urn:fontconfig:fonts.dtd">
<fontconfig>
  <include ignore_missing="no">/etc/fonts/fonts.conf</include>
  <selectfont><rejectfont><pattern>
    <patelt name="family"><string>Carlito</string></patelt>
  </pattern></rejectfont></selectfont>
  <cachedir>{cache}</cachedir>
</fontconfig>
"""

pytestmark = [
    pytest.mark.libreoffice,
    pytest.mark.skipif(
        SOFFICE is None or PDFTOTEXT is None, reason="needs LibreOffice (soffice) and pdftotext"
    ),
]


def fonts_of(pdf: Path) -> str:
    return subprocess.run(["pdffonts", str(pdf)], capture_output=True, text=True).stdout


@pytest.fixture(scope="module")
def rendered(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("samples")
    render_samples(out, ("md", "docx"))
    return out


@pytest.fixture(scope="module", params=["carlito", "fallback"])
def pdfs(request: pytest.FixtureRequest, rendered: Path, tmp_path_factory) -> Path:
    work = tmp_path_factory.mktemp(request.param)
    env = {}
    if request.param == "fallback":
        conf = work / "fonts.conf"
        conf.write_text(HIDE_CARLITO.format(cache=work / "cache"), "utf-8")
        env["FONTCONFIG_FILE"] = str(conf)
    to_pdf(sorted(rendered.glob("*.docx")), work, work / "profile", env)
    some = fonts_of(work / f"{SAMPLES[0]}.pdf")
    if request.param == "fallback":
        assert "Carlito" not in some  # the fontconfig did hide it
    elif "Carlito" not in some:
        pytest.skip("Carlito (fonts-crosextra-carlito) is not installed")
    return work


def one_line(text: str) -> str:
    return " ".join(text.split())


def plain(markdown: str) -> str:
    """A Markdown line as printed: no links' targets, no emphasis, no escapes."""
    text = re.sub(r"\[([^\]]*)\]\([^)]*\)", r"\1", markdown)
    return one_line(re.sub(r"\\(.)", r"\1", text).replace("**", ""))


def body_lines(page: str) -> list[str]:
    """A page's lines of text without its header (first line) and footer (last line)."""
    lines = [one_line(line) for line in page.splitlines() if line.strip()]
    return lines[1:-1]


def tables(markdown: str) -> list[tuple[str, str]]:
    """(first cell of the first body row, first cell of the last row) of each table."""
    found, rows = [], []
    for line in [*markdown.splitlines(), ""]:
        if line.startswith("|"):
            rows.append(plain(line.strip("|").split("|")[0]))
        elif rows:
            body = [r for r in rows[2:] if r]  # past the header and the |---| line
            if body:
                found.append((body[0], body[-1]))
            rows = []
    return found


def unbreakable(markdown: str) -> set[str]:
    """The words of table headers, and every cell text with a no-break space in it."""
    found: set[str] = set()
    lines = markdown.splitlines()
    for i, line in enumerate(lines):
        if not line.startswith("|"):
            continue
        cells = [plain(c) for c in line.strip().strip("|").split("|")]
        if i + 1 < len(lines) and lines[i + 1].startswith("|-"):
            found.update(w for c in cells for w in c.split(" ") if len(w) > 3)
        for cell in line.strip().strip("|").split("|"):
            for part in re.findall(r"[^ |]*(?:\u00a0[^ |]*)+", cell.replace("**", "")):
                found.add(plain(part).replace("\u00a0", " "))
    return {w for w in found if w and not w.startswith(("[", "(", "+", "—"))} | {
        plain(p) for p in re.findall(r"\+\d[\d\u00a0]*\d", re.sub(r"\]\([^)]*\)", "]", markdown))
    }


def page_of_row(layout_pages: list[str], cell: str) -> set[int]:
    """The pages with a table row starting with ``cell`` (as laid out: columns apart)."""
    words = one_line(cell).split(" ")
    # Its first words, as far as they surely fit on the cell's first line.
    start = " ".join(w for i, w in enumerate(words) if len(" ".join(words[: i + 1])) <= 12)
    start = re.escape(start or words[0])
    row = re.compile(rf"^\s*{start}.*?\s{{2,}}\S", re.MULTILINE)
    return {i for i, page in enumerate(layout_pages) if row.search(page)}


@pytest.mark.parametrize("slug", SAMPLES)
def test_pages(pdfs: Path, rendered: Path, slug: str) -> None:
    markdown = (rendered / f"{slug}.md").read_text("utf-8")
    text_pages = pages(pdfs / f"{slug}.pdf")
    layout_pages = pages(pdfs / f"{slug}.pdf", layout=True)
    assert len(text_pages) >= 2
    bodies = [body_lines(page) for page in text_pages]

    for number, lines in enumerate(bodies, 1):
        assert lines, f"page {number} is empty"
        assert not lines[0].startswith(RECOMMENDS), f"page {number} starts with a recommender"

    headings = [plain(line.lstrip("#")) for line in markdown.splitlines() if line.startswith("#")]
    for number, lines in enumerate(bodies[:-1], 1):
        last = lines[-1]
        ends = [h for h in headings if last == h or (" " in last and h.endswith(" " + last))]
        assert not ends, f"page {number} ends with the heading {ends[0]!r}"

    # A recommender is on the page of the project it recommends.
    paragraphs = markdown.split("\n\n")
    for before, after in zip(paragraphs, paragraphs[1:], strict=False):
        if after.startswith(RECOMMENDS):
            company = plain(before.split(":", 1)[0])
            name = plain(after.split(":", 1)[1].split(",")[0])
            on = [i for i, page in enumerate(text_pages) if name in one_line(page)]
            assert on, name
            assert any(company in one_line(text_pages[i]) for i in on), (company, name)

    # Header words, amounts, dates and phones (no-break spaces inside) are never broken.
    whole = one_line(" ".join(layout_pages))
    for word in unbreakable(markdown):
        assert word in whole, f"{word!r} is broken across lines"

    for first, last in tables(markdown):
        first_on, last_on = page_of_row(layout_pages, first), page_of_row(layout_pages, last)
        assert first_on and last_on, (first, last)
        assert first_on & last_on, f"table from {first!r} to {last!r} is split across pages"

    closing = [
        i
        for i, page in enumerate(text_pages)
        if "valid until" in one_line(page)
        or "валидна до" in one_line(page).lower()
        and "Офертата" in page
    ]
    team_rows = tables(markdown.split("\n## ")[-2])  # the team's section, before acceptance
    [(lead, last_member)] = team_rows
    assert closing and closing[-1] in page_of_row(layout_pages, lead)
    assert closing[-1] in page_of_row(layout_pages, last_member)
