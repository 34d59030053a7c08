"""The end and the start of a proposal: the acceptance block for the client's decision maker
(DOCX, HTML, PDF of both), the cover page a tender bid gets, and the HTML page on a phone and
on paper (a real Chromium)."""

from __future__ import annotations

import base64
import subprocess
from pathlib import Path

import pytest
from docx import Document
from docx.oxml.ns import qn
from samples import PDFTOTEXT, render_samples


@pytest.fixture(scope="module")
def samples(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("samples")
    render_samples(out, ("docx", "html"))
    return out


def paragraphs(docx: Path) -> list:
    return [p for p in Document(str(docx)).paragraphs if p.text.strip()]


@pytest.mark.parametrize(
    ("slug", "lines"),
    [
        (
            "danubia-retail",
            [
                ("Heading 2", "Acceptance of the offer"),
                ("Acceptance", "Danubia Retail Group SRL accepts this offer on the terms above."),
                ("Signature", "Name: Andrei Popescu"),
                ("Signature", "Position: Chief Executive Officer"),
                ("Signature", "Date:"),
                ("Signature", "Signature:"),
            ],
        ),
        (
            "balkan-trans-eood",
            [
                ("Heading 2", "Приемане на офертата"),
                ("Acceptance", "Балкан Транс ЕООД приема офертата при условията по-горе."),
                ("Signature", "Име: Георги Стоянов"),
                ("Signature", "Длъжност: Управител"),
                ("Signature", "Дата:"),
                ("Signature", "Подпис:"),
            ],
        ),
    ],
)
def test_the_decision_maker_signs_at_the_end(
    samples: Path, slug: str, lines: list[tuple[str, str]]
) -> None:
    found = [(p.style.name, p.text) for p in paragraphs(samples / f"{slug}.docx")[-6:]]
    assert found == lines
    page = (samples / f"{slug}.html").read_text("utf-8")
    for style, text in lines[2:]:
        assert f'<p class="{style.lower()}">{text}</p>' in page


def test_a_tender_bid_gets_a_cover_page(samples: Path) -> None:
    tender = paragraphs(samples / "danubia-retail.docx")
    assert [p.style.name for p in tender[:3]] == ["Cover Title", "Cover Subtitle", "Cover Note"]
    starts = [
        p for p in tender if p._p.find(f"{qn('w:pPr')}/{qn('w:pageBreakBefore')}") is not None
    ]
    assert [p.text for p in starts] == ["Addressed to:"]
    plain = paragraphs(samples / "balkan-trans-eood.docx")
    assert plain[0].style.name == "Title"
    assert not any(p.style.name.startswith("Cover") for p in plain)


def test_no_sideways_scrolling_at_400_px(samples: Path, browser) -> None:  # noqa: ANN001
    browser.set_window_size(400, 900)
    for slug in ("danubia-retail", "balkan-trans-eood"):
        browser.get((samples / f"{slug}.html").as_uri())
        width = browser.execute_script("return window.innerWidth")
        scroll = browser.execute_script("return document.documentElement.scrollWidth")
        assert width <= 400 and scroll <= width, (slug, scroll, width)


@pytest.mark.skipif(PDFTOTEXT is None, reason="needs pdftotext")
def test_printed_html_has_numbered_a4_pages_and_the_cover_alone(
    samples: Path,
    browser,
    tmp_path: Path,  # noqa: ANN001
) -> None:
    browser.get((samples / "danubia-retail.html").as_uri())
    # As the browser's "Save as PDF" prints: the page's own @page size.
    printed = browser.execute_cdp_cmd(
        "Page.printToPDF", {"printBackground": True, "preferCSSPageSize": True}
    )
    pdf = tmp_path / "printed.pdf"
    pdf.write_bytes(base64.b64decode(printed["data"]))
    info = subprocess.run(["pdfinfo", str(pdf)], capture_output=True, text=True).stdout
    assert "pts (A4)" in info  # @page size: A4, whatever the printer's default
    text = subprocess.run(
        ["pdftotext", "-layout", str(pdf), "-"], capture_output=True, text=True
    ).stdout
    pages = text.split("\f")[:-1]
    assert len(pages) >= 3
    cover = " ".join(pages[0].split())
    assert "Automation concept for the Ruse distribution centre" in cover
    assert "Addressed to" not in cover  # the proposal starts on page 2
    for number, page in enumerate(pages, 1):
        assert f"{number} / {len(pages)}" in page  # page numbers from @page
    assert "Signature:" in pages[-1]


def test_links_are_not_underlined_on_paper(samples: Path, browser) -> None:  # noqa: ANN001
    browser.get((samples / "danubia-retail.html").as_uri())
    underlined = "return getComputedStyle(document.querySelector('td a')).textDecorationLine"
    assert browser.execute_script(underlined) == "underline"  # on screen they are links
    browser.execute_cdp_cmd("Emulation.setEmulatedMedia", {"media": "print"})
    assert browser.execute_script(underlined) == "none"
