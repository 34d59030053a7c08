"""``kamdocs preview``: every dossier in every format, and a gallery (``index.html``) to look
at them all, for marketing and the account managers (internal: never sent to a client).

The proposals are made by the build (``app.render`` with a manifest), so what is up to date is
kept; where LibreOffice is installed the build writes the PDF too. The gallery is one
standalone page: its styles inline, links relative, no script, nothing from the network; it
opens from the file system. Each card shows a thumbnail of every page of the proposal's PDF
(``pdftoppm``) where there is one, else a scaled-down view of its HTML.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import os
import shutil
import subprocess
import tempfile
from dataclasses import dataclass, field
from html import escape
from pathlib import Path
from typing import Any

from kamdocs.library import pick

DEFAULT_OUT = Path("build/preview")
FORMATS = ("md", "docx", "html")
INDEX = "index.html"
THUMBS = "thumbs"
THUMBNAIL_SECONDS = 60  # pdftoppm for one proposal


@dataclass
class Card:
    """One proposal in the gallery: public facts only (no private block ever reaches it)."""

    slug: str
    client: str
    title: str
    lang: str
    valid_until: dt.date
    sections: list[tuple[str, list[str]]]  # persona label, the names of its readers
    files: list[str]  # file names in the gallery's folder, one per format
    pages: list[str] = field(default_factory=list)  # thumbnails of the PDF's pages


@dataclass
class Gallery:
    out: Path
    cards: list[Card]
    thumbnails: str  # "pdf" or "html": what the thumbnails show


def can_make_pdf() -> bool:
    """LibreOffice (for the build's PDF) and pdftoppm (for the thumbnails) are installed."""
    from kamdocs.render.pdf import PROGRAMS  # noqa: PLC0415

    return any(shutil.which(p) for p in PROGRAMS) and bool(shutil.which("pdftoppm"))


def preview(
    workspace: Any,
    out: Path | None = None,
    date: dt.date | None = None,
    pdf: bool | None = None,
    checked: Any = None,
) -> Gallery:
    """Build every dossier of ``workspace`` into ``out`` (default build/preview) and write the
    gallery; ``InputError`` (nothing written) when anything is wrong. ``pdf``: make page
    thumbnails from a PDF (default: where LibreOffice is installed)."""
    from kamdocs import app  # noqa: PLC0415

    out = Path(out or DEFAULT_OUT)
    if checked is None:
        checked = app.load_all(workspace, None, date)
    use_pdf = can_make_pdf() if pdf is None else pdf
    formats = (*FORMATS, "pdf") if use_pdf else FORMATS
    app.render(workspace, None, formats, out, date, manifest=True)
    cards = [_card(item, checked.library, formats) for item in checked.dossiers]
    if use_pdf:
        for card in cards:
            card.pages = _page_thumbnails(out, card.slug)
    gallery = Gallery(out, cards, "pdf" if use_pdf else "html")
    _write(out / INDEX, index_html(gallery).encode("utf-8"))
    return gallery


def _card(loaded: Any, library: Any, formats: tuple[str, ...]) -> Card:
    from kamdocs.tailor import tailor  # noqa: PLC0415

    d = loaded.dossier
    plan = tailor(d, library)
    sections = [
        (pick(library.personas[s.persona].label, loaded.lang), [m.name for m in s.members])
        for s in plan.sections
    ]
    files = [f"{loaded.slug}.{ext}" for ext in formats]
    return Card(
        loaded.slug, d.client.name, d.offer.title, loaded.lang, loaded.valid_until, sections, files
    )


def _write(path: Path, data: bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    tmp.write_bytes(data)
    os.replace(tmp, path)


# --- thumbnails of the PDF's pages ---------------------------------------------------------------


def _page_thumbnails(out: Path, slug: str) -> list[str]:
    """PNGs of each page of the proposal's PDF (the build's, LibreOffice's conversion of the
    DOCX), made again only when the PDF changed. File names relative to ``out``."""
    pdf = out / f"{slug}.pdf"
    digest = hashlib.sha256(pdf.read_bytes()).hexdigest()
    folder = out / THUMBS
    stamp = folder / f"{slug}.sha256"
    existing = sorted(folder.glob(f"{slug}-*.png"))
    if existing and stamp.is_file() and stamp.read_text().strip() == digest:
        return [f"{THUMBS}/{p.name}" for p in existing]
    folder.mkdir(parents=True, exist_ok=True)
    for old in existing:
        old.unlink()
    with tempfile.TemporaryDirectory(prefix="kamdocs-preview-", dir=folder) as tmp:
        try:
            subprocess.run(
                ["pdftoppm", "-png", "-r", "40", str(pdf), str(Path(tmp) / slug)],
                check=False,
                capture_output=True,
                timeout=THUMBNAIL_SECONDS,
            )
        except (OSError, subprocess.TimeoutExpired):
            return []  # a gallery without this proposal's thumbnails
        made = sorted(Path(tmp).glob(f"{slug}-*.png"))
        for page in made:
            os.replace(page, folder / page.name)
    stamp.write_text(digest + "\n")
    return [f"{THUMBS}/{p.name}" for p in made]


# --- the page ------------------------------------------------------------------------------------

_STYLE = """
body { margin: 0; padding: 1.5rem; background: #e9edf2; color: #1d232b;
  font: 15px/1.45 Calibri, Carlito, "Segoe UI", Arial, sans-serif; }
h1 { margin: 0 0 1rem; color: #1f3a5f; font-size: 1.5rem; }
.cards { display: grid; grid-template-columns: repeat(auto-fill, minmax(20rem, 1fr)); gap: 1rem; }
.card { background: #fff; border-top: 4px solid #1f3a5f; padding: 1rem;
  box-shadow: 0 1px 3px rgba(31, 58, 95, 0.15); min-width: 0; }
.card h2 { margin: 0; font-size: 1.1rem; color: #1f3a5f; }
.card .title { margin: 0.2rem 0 0.5rem; color: #5b6573; }
.card dl { display: grid; grid-template-columns: auto 1fr; gap: 0.1rem 0.6rem; margin: 0 0 0.6rem; }
.card dt { color: #5b6573; }
.card dd { margin: 0; }
.card ul { margin: 0 0 0.6rem; padding-left: 1.2rem; }
.formats a { display: inline-block; margin-right: 0.6rem; color: #1a8c8c; font-weight: bold; }
.pages { display: flex; flex-wrap: wrap; gap: 0.4rem; margin-top: 0.6rem; }
.pages img { width: 6rem; border: 1px solid #d5dae1; }
.page { width: 100%; height: 14rem; overflow: hidden; margin-top: 0.6rem;
  border: 1px solid #d5dae1; position: relative; }
.page iframe { width: 400%; height: 400%; border: 0; transform: scale(0.25);
  transform-origin: 0 0; pointer-events: none; }
"""


def index_html(gallery: Gallery, script: str = "") -> str:
    """The gallery page; ``script`` is added by ``kamdocs serve`` (its reload script)."""
    cards = "\n".join(_card_html(card) for card in gallery.cards)
    n = len(gallery.cards)
    return (
        "<!DOCTYPE html>\n"
        '<html lang="en">\n<head>\n<meta charset="utf-8" />\n'
        '<meta name="viewport" content="width=device-width, initial-scale=1" />\n'
        "<title>kamdocs preview</title>\n"
        f"<style>{_STYLE}</style>\n{script}</head>\n<body>\n"
        f"<h1>Proposals: {n}</h1>\n"
        f'<div class="cards">\n{cards}\n</div>\n</body>\n</html>\n'
    )


def _card_html(card: Card) -> str:
    sections = "".join(
        f"<li>{escape(label)}: {escape(', '.join(names))}</li>" for label, names in card.sections
    )
    links = " ".join(
        f'<a href="{escape(name)}">{escape(name.rpartition(".")[2].upper())}</a>'
        for name in card.files
    )
    if card.pages:
        pages = "".join(
            f'<img src="{escape(p)}" alt="page {i}" />' for i, p in enumerate(card.pages, 1)
        )
        view = f'<div class="pages">{pages}</div>'
    else:
        view = (
            f'<div class="page"><iframe src="{escape(card.slug)}.html" '
            f'title="{escape(card.client)}" loading="lazy" tabindex="-1"></iframe></div>'
        )
    return (
        f'<section class="card" id="{escape(card.slug)}">\n'
        f"<h2>{escape(card.client)}</h2>\n"
        f'<p class="title">{escape(card.title)}</p>\n'
        f"<dl><dt>Language</dt><dd>{escape(card.lang)}</dd>"
        f"<dt>Valid until</dt><dd>{card.valid_until.isoformat()}</dd></dl>\n"
        f'<ul class="personas">{sections}</ul>\n'
        f'<p class="formats">{links}</p>\n{view}\n</section>'
    )
