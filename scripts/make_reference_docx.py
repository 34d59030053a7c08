#!/usr/bin/env python3
"""Generate ``templates/reference.docx``, the style reference for kamdocs DOCX output.

kamdocs opens the reference document, throws its (empty) body away and writes the
proposal using the styles defined here *by name*. Marketing may fine-tune the file in
Word or LibreOffice; this script is the reviewable source of truth and regenerates the
file byte-for-byte identically on every run (see ``scripts/README.md``).

    .venv/bin/python scripts/make_reference_docx.py [--output PATH]

What the package contains
-------------------------
* ``word/styles.xml``    -- written from scratch below: docDefaults plus only the styles
  kamdocs needs (and their ``basedOn`` chains). No latent-style table, no leftovers.
* ``word/numbering.xml`` -- two abstract numbering definitions, see ``NUMBERING`` below:

  =============  ==============  ========  =====================================
  abstractNumId  w:name          w:nsid    linked from
  =============  ==============  ========  =====================================
  0              KamdocsBullet   4B414D42  style "List Bullet" via w:num numId 1
  1              KamdocsDecimal  4B414D44  style "List Number" via w:num numId 2
  =============  ==============  ========  =====================================

  kamdocs restarts every numbered list at 1 by appending a fresh ``w:num`` that points
  at the *KamdocsDecimal* abstractNum with ``w:lvlOverride/w:startOverride``. Word may
  renumber abstractNumIds when marketing re-saves the file, so look the abstractNum up
  by its ``w:name`` ("KamdocsDecimal" / "KamdocsBullet"), not by the number.
* ``word/header1.xml`` / ``word/footer1.xml`` -- logo + company line; page X / Y.
* A4 page, 2.2 cm margins, an empty body (only the final ``w:sectPr``).

The logo is drawn here in pure Python (zlib + struct), so no image library is needed.
"""

from __future__ import annotations

import argparse
import io
import struct
import sys
import zipfile
import zlib
from pathlib import Path

from docx import Document
from docx.enum.section import WD_ORIENT
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.opc.constants import RELATIONSHIP_TYPE as RT
from docx.oxml import parse_xml
from docx.oxml.ns import nsdecls, qn
from docx.shared import Cm
from lxml import etree

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_OUTPUT = ROOT / "templates" / "reference.docx"

# --------------------------------------------------------------------------------------
# Corporate identity
# --------------------------------------------------------------------------------------
COMPANY = "Stratos Automation OOD"
# kamdocs fills these in each proposal from kamdocs.yaml's ``supplier``, in the proposal's
# language; a part left empty takes its " · " with it. Type a placeholder in one go in Word,
# so that it stays in one run.
HEADER_NAME = "{supplier.name}"
HEADER_REST = " \u00b7 {supplier.address} \u00b7 {supplier.website}"
FOOTER_NAME = "{supplier.name} \u00b7 "
DEFAULT_LOGO = ROOT / "templates" / "logo.png"  # the same logo for the HTML page

NAVY = "1F3A5F"  # headings, table header row, logo background
TEAL = "1A8C8C"  # accent: links, bullets, closing sentence, rules
INK = "2B2F33"  # body text (softer than pure black)
GREY = "5F6B78"  # secondary text: subtitle, captions, quotes, header line
FINE = "6B7785"  # fine print
RULE = "C9D1DA"  # thin table borders
BAND = "EEF2F6"  # banded table rows
CODE_BG = "EEF1F4"  # inline code background
WHITE = "FFFFFF"

BODY_FONT = "Calibri"  # LibreOffice substitutes the metric-compatible Carlito
MONO_FONT = "Consolas"  # LibreOffice falls back to Liberation Mono / DejaVu Sans Mono

BODY_SIZE = 21  # half-points: 10.5 pt
TABLE_SIZE = 19  # 9.5 pt
SMALL_SIZE = 18  # 9 pt

# A4 portrait, 2.2 cm margins; header/footer 0.9 cm from the paper edge.
PAGE_WIDTH, PAGE_HEIGHT = Cm(21.0), Cm(29.7)
MARGIN = Cm(2.2)
HEADER_DISTANCE = Cm(0.9)
TEXT_WIDTH_TWIPS = 11906 - 2 * 1247  # 9412 twips between the margins
LOGO_HEIGHT = Cm(0.8)
LOGO_DOCPR_ID = 1001  # far above the ids kamdocs' body pictures will get (1, 2, ...)

FIXED_DATE = "2026-01-01T00:00:00Z"
ZIP_DATE = (1980, 1, 1, 0, 0, 0)

# Words an internal-label scanner in kamdocs rejects; the package must not contain them.
FORBIDDEN_WORDS = ("executive", "persona", "decision_maker", "knowledge", "prefers", "score")

W_NS = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"


# --------------------------------------------------------------------------------------
# Logo: 96x96 navy square with a teal diagonal band, written as a PNG by hand
# --------------------------------------------------------------------------------------
def _png_chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))


def make_logo_png(size: int = 96, supersample: int = 4) -> bytes:
    """Navy tile, teal band rising from bottom-left to top-right, thin white rule above it.

    Each pixel is the average of ``supersample**2`` sub-samples, so the diagonal edges
    are anti-aliased; everything is integer arithmetic, hence fully deterministic.
    """
    navy = (0x1F, 0x3A, 0x5F)
    teal = (0x1A, 0x8C, 0x8C)
    white = (0xFF, 0xFF, 0xFF)
    n = size * supersample

    def colour(sx: int, sy: int) -> tuple[int, int, int]:
        # d: signed distance (in sub-samples, scaled by sqrt 2) from the anti-diagonal.
        d = sx + sy - n
        band = n * 13 // 96  # half width of the teal band
        if -band <= d <= band:
            return teal
        gap, rule = n * 19 // 96, n * 23 // 96  # white rule, up-left of the band
        if -rule <= d <= -gap:
            return white
        return navy

    raw = bytearray()
    ss2 = supersample * supersample
    for y in range(size):
        raw.append(0)  # filter type: None
        for x in range(size):
            acc = [0, 0, 0]
            for j in range(supersample):
                for i in range(supersample):
                    c = colour(x * supersample + i, y * supersample + j)
                    acc[0] += c[0]
                    acc[1] += c[1]
                    acc[2] += c[2]
            raw.extend((channel + ss2 // 2) // ss2 for channel in acc)
    ihdr = struct.pack(">IIBBBBB", size, size, 8, 2, 0, 0, 0)  # 8-bit RGB
    phys = struct.pack(">IIB", 3780, 3780, 1)  # 96 dpi
    return (
        b"\x89PNG\r\n\x1a\n"
        + _png_chunk(b"IHDR", ihdr)
        + _png_chunk(b"pHYs", phys)
        + _png_chunk(b"IDAT", zlib.compress(bytes(raw), 9))
        + _png_chunk(b"IEND", b"")
    )


# --------------------------------------------------------------------------------------
# styles.xml
# --------------------------------------------------------------------------------------
def _fonts(name: str) -> str:
    return f'<w:rFonts w:ascii="{name}" w:eastAsia="{name}" w:hAnsi="{name}" w:cs="{name}"/>'


def _borders(tag: str, sides: tuple[str, ...], sz: int, color: str) -> str:
    inner = "".join(
        f'<w:{s} w:val="single" w:sz="{sz}" w:space="0" w:color="{color}"/>' for s in sides
    )
    return f"<w:{tag}>{inner}</w:{tag}>"


def _shd(fill: str) -> str:
    return f'<w:shd w:val="clear" w:color="auto" w:fill="{fill}"/>'


ALL_SIDES = ("top", "left", "bottom", "right", "insideH", "insideV")

# Word stores the built-in names "heading 1".."heading 3", "caption", "header" and
# "footer" in lower case (the UI shows "Heading 1", ...); python-docx maps
# doc.styles["Heading 1"] to w:name "heading 1", so these must stay lower case.
# Child elements follow the schema order (CT_Style, CT_PPrBase, CT_RPr, CT_TblPrBase).
STYLES: list[str] = [
    # ---- defaults ---------------------------------------------------------------------
    # Body font, size and colour live in docDefaults (not in "Normal") so that table-style
    # conditional formatting (white header text) is not overridden by the Normal style.
    f"""<w:docDefaults>
      <w:rPrDefault><w:rPr>{_fonts(BODY_FONT)}<w:color w:val="{INK}"/>
        <w:sz w:val="{BODY_SIZE}"/><w:szCs w:val="{BODY_SIZE}"/></w:rPr></w:rPrDefault>
      <w:pPrDefault><w:pPr>
        <w:spacing w:after="120" w:line="276" w:lineRule="auto"/></w:pPr></w:pPrDefault>
    </w:docDefaults>""",
    """<w:style w:type="paragraph" w:default="1" w:styleId="Normal">
      <w:name w:val="Normal"/><w:qFormat/>
    </w:style>""",
    """<w:style w:type="character" w:default="1" w:styleId="DefaultParagraphFont">
      <w:name w:val="Default Paragraph Font"/><w:uiPriority w:val="1"/><w:semiHidden/>
      <w:unhideWhenUsed/>
    </w:style>""",
    """<w:style w:type="table" w:default="1" w:styleId="TableNormal">
      <w:name w:val="Normal Table"/><w:uiPriority w:val="99"/><w:semiHidden/>
      <w:unhideWhenUsed/>
      <w:tblPr><w:tblInd w:w="0" w:type="dxa"/><w:tblCellMar>
        <w:top w:w="0" w:type="dxa"/><w:left w:w="108" w:type="dxa"/>
        <w:bottom w:w="0" w:type="dxa"/><w:right w:w="108" w:type="dxa"/>
      </w:tblCellMar></w:tblPr>
    </w:style>""",
    """<w:style w:type="numbering" w:default="1" w:styleId="NoList">
      <w:name w:val="No List"/><w:uiPriority w:val="99"/><w:semiHidden/><w:unhideWhenUsed/>
    </w:style>""",
    # ---- titles and headings ----------------------------------------------------------
    f"""<w:style w:type="paragraph" w:styleId="Title">
      <w:name w:val="Title"/><w:basedOn w:val="Normal"/><w:next w:val="Normal"/>
      <w:uiPriority w:val="10"/><w:qFormat/>
      <w:pPr><w:keepNext/>
        <w:pBdr><w:bottom w:val="single" w:sz="12" w:space="6" w:color="{TEAL}"/></w:pBdr>
        <w:spacing w:before="0" w:after="160" w:line="240" w:lineRule="auto"/></w:pPr>
      <w:rPr><w:color w:val="{NAVY}"/><w:kern w:val="28"/>
        <w:sz w:val="52"/><w:szCs w:val="52"/></w:rPr>
    </w:style>""",
    f"""<w:style w:type="paragraph" w:styleId="Subtitle">
      <w:name w:val="Subtitle"/><w:basedOn w:val="Normal"/><w:next w:val="Normal"/>
      <w:uiPriority w:val="11"/><w:qFormat/>
      <w:pPr><w:spacing w:before="0" w:after="240"/></w:pPr>
      <w:rPr><w:color w:val="{TEAL}"/><w:sz w:val="28"/><w:szCs w:val="28"/></w:rPr>
    </w:style>""",
    f"""<w:style w:type="paragraph" w:styleId="Heading1">
      <w:name w:val="heading 1"/><w:basedOn w:val="Normal"/><w:next w:val="Normal"/>
      <w:uiPriority w:val="9"/><w:qFormat/>
      <w:pPr><w:keepNext/><w:keepLines/>
        <w:spacing w:before="360" w:after="120" w:line="240" w:lineRule="auto"/>
        <w:outlineLvl w:val="0"/></w:pPr>
      <w:rPr><w:b/><w:bCs/><w:color w:val="{NAVY}"/><w:sz w:val="32"/><w:szCs w:val="32"/></w:rPr>
    </w:style>""",
    f"""<w:style w:type="paragraph" w:styleId="Heading2">
      <w:name w:val="heading 2"/><w:basedOn w:val="Normal"/><w:next w:val="Normal"/>
      <w:uiPriority w:val="9"/><w:unhideWhenUsed/><w:qFormat/>
      <w:pPr><w:keepNext/><w:keepLines/>
        <w:spacing w:before="280" w:after="80" w:line="240" w:lineRule="auto"/>
        <w:outlineLvl w:val="1"/></w:pPr>
      <w:rPr><w:b/><w:bCs/><w:color w:val="{NAVY}"/><w:sz w:val="26"/><w:szCs w:val="26"/></w:rPr>
    </w:style>""",
    f"""<w:style w:type="paragraph" w:styleId="Heading3">
      <w:name w:val="heading 3"/><w:basedOn w:val="Normal"/><w:next w:val="Normal"/>
      <w:uiPriority w:val="9"/><w:unhideWhenUsed/><w:qFormat/>
      <w:pPr><w:keepNext/><w:keepLines/>
        <w:spacing w:before="200" w:after="60" w:line="240" w:lineRule="auto"/>
        <w:outlineLvl w:val="2"/></w:pPr>
      <w:rPr><w:b/><w:bCs/><w:color w:val="{TEAL}"/><w:sz w:val="22"/><w:szCs w:val="22"/></w:rPr>
    </w:style>""",
    # ---- lists (numPr links the style to numbering.xml; indents come from the levels) --
    """<w:style w:type="paragraph" w:styleId="ListBullet">
      <w:name w:val="List Bullet"/><w:basedOn w:val="Normal"/><w:uiPriority w:val="34"/>
      <w:qFormat/>
      <w:pPr><w:numPr><w:ilvl w:val="0"/><w:numId w:val="1"/></w:numPr>
        <w:spacing w:after="80"/></w:pPr>
    </w:style>""",
    """<w:style w:type="paragraph" w:styleId="ListNumber">
      <w:name w:val="List Number"/><w:basedOn w:val="Normal"/><w:uiPriority w:val="34"/>
      <w:qFormat/>
      <w:pPr><w:numPr><w:ilvl w:val="0"/><w:numId w:val="2"/></w:numPr>
        <w:spacing w:after="80"/></w:pPr>
    </w:style>""",
    # ---- other body paragraphs ---------------------------------------------------------
    f"""<w:style w:type="paragraph" w:styleId="Quote">
      <w:name w:val="Quote"/><w:basedOn w:val="Normal"/><w:next w:val="Normal"/>
      <w:uiPriority w:val="29"/><w:qFormat/>
      <w:pPr>
        <w:pBdr><w:left w:val="single" w:sz="18" w:space="8" w:color="{TEAL}"/></w:pBdr>
        <w:spacing w:before="120" w:after="120"/><w:ind w:left="340" w:right="340"/></w:pPr>
      <w:rPr><w:i/><w:iCs/><w:color w:val="{GREY}"/></w:rPr>
    </w:style>""",
    f"""<w:style w:type="paragraph" w:styleId="Caption">
      <w:name w:val="caption"/><w:basedOn w:val="Normal"/><w:next w:val="Normal"/>
      <w:uiPriority w:val="35"/><w:unhideWhenUsed/><w:qFormat/>
      <w:pPr><w:spacing w:before="60" w:after="160" w:line="240" w:lineRule="auto"/></w:pPr>
      <w:rPr><w:i/><w:iCs/><w:color w:val="{GREY}"/>
        <w:sz w:val="{SMALL_SIZE}"/><w:szCs w:val="{SMALL_SIZE}"/></w:rPr>
    </w:style>""",
    f"""<w:style w:type="paragraph" w:styleId="Closing">
      <w:name w:val="Closing"/><w:basedOn w:val="Normal"/><w:next w:val="Normal"/>
      <w:uiPriority w:val="39"/><w:qFormat/>
      <w:pPr><w:keepLines/><w:spacing w:before="240"/></w:pPr>
      <w:rPr><w:b/><w:bCs/><w:color w:val="{TEAL}"/></w:rPr>
    </w:style>""",
    f"""<w:style w:type="paragraph" w:customStyle="1" w:styleId="Detail">
      <w:name w:val="Detail"/><w:basedOn w:val="Normal"/><w:next w:val="Normal"/>
      <w:uiPriority w:val="39"/><w:qFormat/>
      <w:pPr>
        <w:pBdr><w:left w:val="single" w:sz="12" w:space="8" w:color="{RULE}"/></w:pBdr>
        <w:spacing w:before="0" w:after="160"/><w:ind w:left="200"/></w:pPr>
      <w:rPr><w:color w:val="{GREY}"/>
        <w:sz w:val="{TABLE_SIZE}"/><w:szCs w:val="{TABLE_SIZE}"/></w:rPr>
    </w:style>""",
    # A reference project stays on one page with the recommender line under it.
    """<w:style w:type="paragraph" w:customStyle="1" w:styleId="Reference">
      <w:name w:val="Reference"/><w:basedOn w:val="Normal"/><w:next w:val="Recommender"/>
      <w:uiPriority w:val="39"/><w:qFormat/>
      <w:pPr><w:keepNext/><w:keepLines/><w:spacing w:before="200" w:after="40"/></w:pPr>
    </w:style>""",
    """<w:style w:type="paragraph" w:customStyle="1" w:styleId="ReferenceEnd">
      <w:name w:val="Reference End"/><w:basedOn w:val="Reference"/><w:next w:val="Reference"/>
      <w:uiPriority w:val="39"/><w:qFormat/>
      <w:pPr><w:keepNext w:val="0"/><w:spacing w:after="120"/></w:pPr>
    </w:style>""",
    f"""<w:style w:type="paragraph" w:customStyle="1" w:styleId="Recommender">
      <w:name w:val="Recommender"/><w:basedOn w:val="Normal"/><w:next w:val="Reference"/>
      <w:uiPriority w:val="39"/><w:qFormat/>
      <w:pPr><w:keepLines/><w:spacing w:after="120" w:line="240" w:lineRule="auto"/></w:pPr>
      <w:rPr><w:color w:val="{FINE}"/>
        <w:sz w:val="{SMALL_SIZE}"/><w:szCs w:val="{SMALL_SIZE}"/></w:rPr>
    </w:style>""",
    # The closing block: the next steps stay with the validity sentence (and pull the team
    # table before them onto the same page: kamdocs keeps a table with a paragraph that keeps
    # with its next).
    """<w:style w:type="paragraph" w:customStyle="1" w:styleId="NextSteps">
      <w:name w:val="Next Steps"/><w:basedOn w:val="Normal"/><w:next w:val="Closing"/>
      <w:uiPriority w:val="39"/><w:qFormat/>
      <w:pPr><w:keepNext/><w:keepLines/><w:spacing w:before="240"/></w:pPr>
    </w:style>""",
    # Acceptance: the client's decision maker signs here; the block stays on one page.
    """<w:style w:type="paragraph" w:customStyle="1" w:styleId="Acceptance">
      <w:name w:val="Acceptance"/><w:basedOn w:val="Normal"/><w:next w:val="Signature"/>
      <w:uiPriority w:val="39"/><w:qFormat/>
      <w:pPr><w:keepNext/><w:keepLines/></w:pPr>
    </w:style>""",
    f"""<w:style w:type="paragraph" w:customStyle="1" w:styleId="Signature">
      <w:name w:val="Signature"/><w:basedOn w:val="Normal"/><w:next w:val="Signature"/>
      <w:uiPriority w:val="39"/><w:qFormat/>
      <w:pPr><w:keepNext/><w:keepLines/>
        <w:pBdr><w:bottom w:val="single" w:sz="4" w:space="2" w:color="{GREY}"/>
          <w:between w:val="single" w:sz="4" w:space="2" w:color="{GREY}"/></w:pBdr>
        <w:spacing w:before="360" w:after="0"/><w:ind w:right="{TEXT_WIDTH_TWIPS // 3}"/></w:pPr>
      <w:rPr><w:color w:val="{GREY}"/></w:rPr>
    </w:style>""",
    # The cover page, when the content template asks for one.
    """<w:style w:type="paragraph" w:customStyle="1" w:styleId="CoverTitle">
      <w:name w:val="Cover Title"/><w:basedOn w:val="Title"/><w:next w:val="CoverSubtitle"/>
      <w:uiPriority w:val="10"/><w:qFormat/>
      <w:pPr><w:spacing w:before="3400" w:after="360"/></w:pPr>
      <w:rPr><w:sz w:val="64"/><w:szCs w:val="64"/></w:rPr>
    </w:style>""",
    """<w:style w:type="paragraph" w:customStyle="1" w:styleId="CoverSubtitle">
      <w:name w:val="Cover Subtitle"/><w:basedOn w:val="Subtitle"/><w:next w:val="CoverNote"/>
      <w:uiPriority w:val="11"/><w:qFormat/>
      <w:pPr><w:spacing w:after="1200"/></w:pPr>
      <w:rPr><w:sz w:val="36"/><w:szCs w:val="36"/></w:rPr>
    </w:style>""",
    f"""<w:style w:type="paragraph" w:customStyle="1" w:styleId="CoverNote">
      <w:name w:val="Cover Note"/><w:basedOn w:val="Normal"/><w:uiPriority w:val="39"/>
      <w:qFormat/>
      <w:pPr><w:spacing w:after="80"/></w:pPr>
      <w:rPr><w:color w:val="{GREY}"/></w:rPr>
    </w:style>""",
    f"""<w:style w:type="paragraph" w:customStyle="1" w:styleId="Small">
      <w:name w:val="Small"/><w:basedOn w:val="Normal"/><w:uiPriority w:val="39"/>
      <w:qFormat/>
      <w:pPr><w:spacing w:after="60" w:line="240" w:lineRule="auto"/></w:pPr>
      <w:rPr><w:color w:val="{FINE}"/>
        <w:sz w:val="{SMALL_SIZE}"/><w:szCs w:val="{SMALL_SIZE}"/></w:rPr>
    </w:style>""",
    # ---- table cell paragraphs ---------------------------------------------------------
    f"""<w:style w:type="paragraph" w:customStyle="1" w:styleId="TableText">
      <w:name w:val="Table Text"/><w:basedOn w:val="Normal"/><w:uiPriority w:val="39"/>
      <w:qFormat/>
      <w:pPr><w:spacing w:before="0" w:after="0" w:line="240" w:lineRule="auto"/></w:pPr>
      <w:rPr><w:sz w:val="{TABLE_SIZE}"/><w:szCs w:val="{TABLE_SIZE}"/></w:rPr>
    </w:style>""",
    f"""<w:style w:type="paragraph" w:customStyle="1" w:styleId="TableHeading">
      <w:name w:val="Table Heading"/><w:basedOn w:val="TableText"/>
      <w:next w:val="TableText"/><w:uiPriority w:val="39"/><w:qFormat/>
      <w:pPr><w:keepNext/></w:pPr>
      <w:rPr><w:b/><w:bCs/><w:color w:val="{WHITE}"/></w:rPr>
    </w:style>""",
    # ---- header and footer ---------------------------------------------------------------
    f"""<w:style w:type="paragraph" w:styleId="Header">
      <w:name w:val="header"/><w:basedOn w:val="Normal"/><w:uiPriority w:val="99"/>
      <w:unhideWhenUsed/>
      <w:pPr>
        <w:pBdr><w:bottom w:val="single" w:sz="4" w:space="4" w:color="{TEAL}"/></w:pBdr>
        <w:tabs><w:tab w:val="right" w:pos="{TEXT_WIDTH_TWIPS}"/></w:tabs>
        <w:spacing w:after="0" w:line="240" w:lineRule="auto"/></w:pPr>
      <w:rPr><w:color w:val="{GREY}"/><w:sz w:val="17"/><w:szCs w:val="17"/></w:rPr>
    </w:style>""",
    f"""<w:style w:type="paragraph" w:styleId="Footer">
      <w:name w:val="footer"/><w:basedOn w:val="Normal"/><w:uiPriority w:val="99"/>
      <w:unhideWhenUsed/>
      <w:pPr><w:tabs><w:tab w:val="center" w:pos="{TEXT_WIDTH_TWIPS // 2}"/>
          <w:tab w:val="right" w:pos="{TEXT_WIDTH_TWIPS}"/></w:tabs>
        <w:spacing w:after="0" w:line="240" w:lineRule="auto"/></w:pPr>
      <w:rPr><w:color w:val="{FINE}"/>
        <w:sz w:val="{SMALL_SIZE}"/><w:szCs w:val="{SMALL_SIZE}"/></w:rPr>
    </w:style>""",
    # ---- character styles --------------------------------------------------------------
    f"""<w:style w:type="character" w:styleId="Hyperlink">
      <w:name w:val="Hyperlink"/><w:basedOn w:val="DefaultParagraphFont"/>
      <w:uiPriority w:val="99"/><w:unhideWhenUsed/>
      <w:rPr><w:color w:val="{TEAL}"/><w:u w:val="single"/></w:rPr>
    </w:style>""",
    """<w:style w:type="character" w:styleId="Strong">
      <w:name w:val="Strong"/><w:basedOn w:val="DefaultParagraphFont"/>
      <w:uiPriority w:val="22"/><w:qFormat/>
      <w:rPr><w:b/><w:bCs/></w:rPr>
    </w:style>""",
    """<w:style w:type="character" w:styleId="Emphasis">
      <w:name w:val="Emphasis"/><w:basedOn w:val="DefaultParagraphFont"/>
      <w:uiPriority w:val="20"/><w:qFormat/>
      <w:rPr><w:i/><w:iCs/></w:rPr>
    </w:style>""",
    f"""<w:style w:type="character" w:customStyle="1" w:styleId="Code">
      <w:name w:val="Code"/><w:basedOn w:val="DefaultParagraphFont"/>
      <w:uiPriority w:val="39"/><w:qFormat/>
      <w:rPr>{_fonts(MONO_FONT)}<w:noProof/>
        <w:sz w:val="{TABLE_SIZE}"/><w:szCs w:val="{TABLE_SIZE}"/>{_shd(CODE_BG)}</w:rPr>
    </w:style>""",
    # ---- table style -------------------------------------------------------------------
    # Whole table: thin light-grey grid, roomy cell margins, compact 9.5 pt cell text.
    # firstRow: navy fill, white bold text, repeats on every page. band1Horz: light grey
    # every other body row. lastRow (only if a table enables it): bold with a navy rule.
    f"""<w:style w:type="table" w:customStyle="1" w:styleId="ProposalTable">
      <w:name w:val="Proposal Table"/><w:basedOn w:val="TableNormal"/>
      <w:uiPriority w:val="59"/><w:qFormat/>
      <w:pPr><w:spacing w:before="0" w:after="0" w:line="240" w:lineRule="auto"/></w:pPr>
      <w:rPr><w:sz w:val="{TABLE_SIZE}"/><w:szCs w:val="{TABLE_SIZE}"/></w:rPr>
      <w:tblPr>
        <w:tblStyleRowBandSize w:val="1"/><w:tblStyleColBandSize w:val="1"/>
        <w:tblInd w:w="0" w:type="dxa"/>
        {_borders("tblBorders", ALL_SIDES, 4, RULE)}
        <w:tblCellMar>
          <w:top w:w="57" w:type="dxa"/><w:left w:w="113" w:type="dxa"/>
          <w:bottom w:w="57" w:type="dxa"/><w:right w:w="113" w:type="dxa"/>
        </w:tblCellMar>
      </w:tblPr>
      <w:tblStylePr w:type="firstRow">
        <w:pPr><w:keepNext/></w:pPr>
        <w:rPr><w:b/><w:bCs/><w:color w:val="{WHITE}"/></w:rPr>
        <w:tblPr/>
        <w:trPr><w:tblHeader/></w:trPr>
        <w:tcPr>
          {_borders("tcBorders", ("top", "left", "bottom", "right", "insideV"), 4, NAVY)}
          {_shd(NAVY)}<w:vAlign w:val="center"/>
        </w:tcPr>
      </w:tblStylePr>
      <w:tblStylePr w:type="lastRow">
        <w:rPr><w:b/><w:bCs/></w:rPr>
        <w:tblPr/>
        <w:tcPr>
          <w:tcBorders><w:top w:val="single" w:sz="8" w:space="0" w:color="{NAVY}"/></w:tcBorders>
        </w:tcPr>
      </w:tblStylePr>
      <w:tblStylePr w:type="band1Horz">
        <w:tblPr/>
        <w:tcPr>{_shd(BAND)}</w:tcPr>
      </w:tblStylePr>
    </w:style>""",
]


def styles_xml() -> bytes:
    body = "\n".join(STYLES)
    return (
        "<?xml version='1.0' encoding='UTF-8' standalone='yes'?>\n"
        f'<w:styles xmlns:w="{W_NS}">\n{body}\n</w:styles>'
    ).encode()


# --------------------------------------------------------------------------------------
# numbering.xml
# --------------------------------------------------------------------------------------
BULLET_ABSTRACT_ID = 0  # w:name "KamdocsBullet",  w:nsid 4B414D42 ("KAMB")
DECIMAL_ABSTRACT_ID = 1  # w:name "KamdocsDecimal", w:nsid 4B414D44 ("KAMD")
BULLET_NUM_ID = 1  # referenced by style "List Bullet"
DECIMAL_NUM_ID = 2  # referenced by style "List Number"


def _lvl(ilvl: int, fmt: str, text: str, left: int, hanging: int, rpr: str) -> str:
    return f"""<w:lvl w:ilvl="{ilvl}">
        <w:start w:val="1"/><w:numFmt w:val="{fmt}"/><w:lvlText w:val="{text}"/>
        <w:lvlJc w:val="left"/>
        <w:pPr><w:ind w:left="{left}" w:hanging="{hanging}"/></w:pPr>
        <w:rPr>{rpr}</w:rPr>
      </w:lvl>"""


def numbering_xml() -> bytes:
    bullet_rpr = f'{_fonts(BODY_FONT)}<w:color w:val="{TEAL}"/>'
    number_rpr = f'<w:color w:val="{NAVY}"/>'
    bullets = "".join(
        _lvl(i, "bullet", glyph, 357 * (i + 1), 357, bullet_rpr)
        for i, glyph in enumerate(("\u2022", "\u2013", "\u25e6"))
    )
    decimals = "".join(
        (
            _lvl(0, "decimal", "%1.", 357, 357, number_rpr),
            _lvl(1, "decimal", "%1.%2.", 851, 494, number_rpr),
            _lvl(2, "decimal", "%1.%2.%3.", 1474, 623, number_rpr),
        )
    )
    return f"""<?xml version='1.0' encoding='UTF-8' standalone='yes'?>
<w:numbering xmlns:w="{W_NS}">
  <w:abstractNum w:abstractNumId="{BULLET_ABSTRACT_ID}">
    <w:nsid w:val="4B414D42"/><w:multiLevelType w:val="hybridMultilevel"/>
    <w:name w:val="KamdocsBullet"/>
    {bullets}
  </w:abstractNum>
  <w:abstractNum w:abstractNumId="{DECIMAL_ABSTRACT_ID}">
    <w:nsid w:val="4B414D44"/><w:multiLevelType w:val="multilevel"/>
    <w:name w:val="KamdocsDecimal"/>
    {decimals}
  </w:abstractNum>
  <w:num w:numId="{BULLET_NUM_ID}"><w:abstractNumId w:val="{BULLET_ABSTRACT_ID}"/></w:num>
  <w:num w:numId="{DECIMAL_NUM_ID}"><w:abstractNumId w:val="{DECIMAL_ABSTRACT_ID}"/></w:num>
</w:numbering>""".encode()


# --------------------------------------------------------------------------------------
# Other package parts
# --------------------------------------------------------------------------------------
def font_table_xml() -> bytes:
    return f"""<?xml version='1.0' encoding='UTF-8' standalone='yes'?>
<w:fonts xmlns:w="{W_NS}">
  <w:font w:name="{BODY_FONT}"><w:altName w:val="Carlito"/>
    <w:panose1 w:val="020F0502020204030204"/><w:charset w:val="00"/>
    <w:family w:val="swiss"/><w:pitch w:val="variable"/></w:font>
  <w:font w:name="{MONO_FONT}"><w:altName w:val="Liberation Mono"/>
    <w:panose1 w:val="020B0609020204030204"/><w:charset w:val="00"/>
    <w:family w:val="modern"/><w:pitch w:val="fixed"/></w:font>
</w:fonts>""".encode()


def core_xml() -> bytes:
    return f"""<?xml version='1.0' encoding='UTF-8' standalone='yes'?>
<cp:coreProperties \
xmlns:cp="http://schemas.openxmlformats.org/package/2006/metadata/core-properties" \
xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:dcterms="http://purl.org/dc/terms/" \
xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">
  <dc:title></dc:title>
  <dc:creator>Stratos Automation</dc:creator>
  <cp:revision>1</cp:revision>
  <dcterms:created xsi:type="dcterms:W3CDTF">{FIXED_DATE}</dcterms:created>
  <dcterms:modified xsi:type="dcterms:W3CDTF">{FIXED_DATE}</dcterms:modified>
</cp:coreProperties>""".encode()


def app_xml() -> bytes:
    return f"""<?xml version='1.0' encoding='UTF-8' standalone='yes'?>
<Properties \
xmlns="http://schemas.openxmlformats.org/officeDocument/2006/extended-properties" \
xmlns:vt="http://schemas.openxmlformats.org/officeDocument/2006/docPropsVTypes">
  <Application>kamdocs</Application>
  <DocSecurity>0</DocSecurity>
  <ScaleCrop>false</ScaleCrop>
  <Company>{COMPANY}</Company>
  <LinksUpToDate>false</LinksUpToDate>
  <SharedDoc>false</SharedDoc>
  <HyperlinksChanged>false</HyperlinksChanged>
</Properties>""".encode()


def retheme(theme: bytes) -> bytes:
    """Put the corporate palette and font into the theme, so Word's/LibreOffice's colour
    and font pickers offer navy/teal and Calibri first."""
    root = parse_xml(theme)
    a = "{http://schemas.openxmlformats.org/drawingml/2006/main}"
    root.set("name", "Stratos")
    scheme = root.find(f"{a}themeElements/{a}clrScheme")
    scheme.set("name", "Stratos")
    for slot, rgb in (
        ("dk2", NAVY),
        ("accent1", NAVY),
        ("accent2", TEAL),
        ("accent3", GREY),
        ("hlink", TEAL),
        ("folHlink", "4A5A8C"),
    ):
        scheme.find(f"{a}{slot}/{a}srgbClr").set("val", rgb)
    fonts = root.find(f"{a}themeElements/{a}fontScheme")
    fonts.set("name", "Stratos")
    for kind in ("majorFont", "minorFont"):
        fonts.find(f"{a}{kind}/{a}latin").set("typeface", BODY_FONT)
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8", standalone=True)


def _field(paragraph, instruction: str, placeholder: str) -> None:
    """Append a complex field (begin / instrText / separate / cached result / end)."""
    p = paragraph._p
    for xml in (
        '<w:r {ns}><w:fldChar w:fldCharType="begin"/></w:r>',
        f'<w:r {{ns}}><w:instrText xml:space="preserve"> {instruction} </w:instrText></w:r>',
        '<w:r {ns}><w:fldChar w:fldCharType="separate"/></w:r>',
        f"<w:r {{ns}}><w:rPr><w:noProof/></w:rPr><w:t>{placeholder}</w:t></w:r>",
        '<w:r {ns}><w:fldChar w:fldCharType="end"/></w:r>',
    ):
        p.append(parse_xml(xml.format(ns=nsdecls("w"))))


def _drop_rels(part, *reltypes: str) -> None:
    for rId, rel in list(part.rels.items()):
        if rel.reltype in reltypes:
            del part.rels[rId]


def _strip_rsids(element) -> None:
    for el in element.iter():
        for attr in list(el.attrib):
            if attr.startswith(f"{{{W_NS}}}rsid"):
                del el.attrib[attr]


# --------------------------------------------------------------------------------------
# Build
# --------------------------------------------------------------------------------------
def build() -> bytes:
    doc = Document()  # python-docx's bundled default template
    main = doc.part
    package = main.package

    # Leftovers of the default template that have no business in our file.
    _drop_rels(
        main,
        RT.CUSTOM_XML,
        RT.WEB_SETTINGS,
        "http://schemas.microsoft.com/office/2007/relationships/stylesWithEffects",
    )
    _drop_rels(package, RT.THUMBNAIL, RT.CUSTOM_PROPERTIES)

    # styles.xml and numbering.xml are replaced wholesale by the definitions above.
    main._styles_part._element = parse_xml(styles_xml())
    main.numbering_part._element = parse_xml(numbering_xml())
    main.part_related_by(RT.FONT_TABLE)._blob = font_table_xml()
    theme = main.part_related_by(RT.THEME)
    theme._blob = retheme(theme.blob)
    package.part_related_by(RT.CORE_PROPERTIES)._element = parse_xml(core_xml())
    package.part_related_by(RT.EXTENDED_PROPERTIES)._blob = app_xml()

    settings = doc.settings.element
    for xpath in ("w:proofState", "w:savePreviewPicture", "w:rsids", "w14:docId"):
        for el in settings.xpath(xpath):
            settings.remove(el)
    for el in settings.xpath('w:compat/w:compatSetting[@w:name="compatibilityMode"]'):
        el.set(qn("w:val"), "15")  # Word 2013+ layout

    # Page: A4 portrait, 2.2 cm margins. The body stays empty (only the w:sectPr).
    section = doc.sections[0]
    section.orientation = WD_ORIENT.PORTRAIT
    section.page_width, section.page_height = PAGE_WIDTH, PAGE_HEIGHT
    section.top_margin = section.bottom_margin = MARGIN
    section.left_margin = section.right_margin = MARGIN
    section.header_distance = section.footer_distance = HEADER_DISTANCE
    section.gutter = 0

    # Header: logo at the left margin, a tab to the right-aligned stop of the "Header"
    # style, then the company line (language-neutral on purpose).
    header = section.header
    header.is_linked_to_previous = False
    hp = header.paragraphs[0]
    hp.style = doc.styles["Header"]
    logo_run = hp.add_run()
    logo_run.add_picture(io.BytesIO(make_logo_png()), height=LOGO_HEIGHT)
    inline = logo_run._r.xpath(".//wp:inline")[0]
    for side in "TBLR":  # LibreOffice adds ~0.3 cm around an inline picture without these
        inline.set(f"dist{side}", "0")
    inline.docPr.set("id", str(LOGO_DOCPR_ID))
    inline.docPr.set("name", "Stratos Automation logo")
    inline.docPr.set("descr", "Stratos Automation logo")
    # Raise the text by 7 pt so it sits level with the middle of the 0.8 cm logo.
    for text, bold in (("\t", False), (HEADER_NAME, True), (HEADER_REST, False)):
        run = hp.add_run(text)
        run.font.bold = bold or None
        rpr = run._r.get_or_add_rPr()
        if bold:
            rpr.append(parse_xml(f'<w:color {nsdecls("w")} w:val="{NAVY}"/>'))
        rpr.append(parse_xml(f'<w:position {nsdecls("w")} w:val="14"/>'))

    # Footer: "Stratos Automation Ltd · 3 / 7", centred, in the "Small" style.
    footer = section.footer
    footer.is_linked_to_previous = False
    fp = footer.paragraphs[0]
    fp.style = doc.styles["Small"]
    fp.alignment = WD_ALIGN_PARAGRAPH.CENTER
    fp.paragraph_format.space_after = 0
    fp.add_run(FOOTER_NAME)
    _field(fp, "PAGE", "1")
    fp.add_run(" / ")
    _field(fp, "NUMPAGES", "1")

    body = doc.element.body
    for child in list(body):
        if child.tag != qn("w:sectPr"):
            body.remove(child)
    add_samples(doc)
    _strip_rsids(doc.element)

    raw = io.BytesIO()
    doc.save(raw)
    return normalise_zip(raw.getvalue())


# One paragraph of every style kamdocs uses, saying where it is used: opening the file in Word
# shows what to edit. kamdocs throws the body away when it renders a proposal.
SAMPLES: tuple[tuple[str, str], ...] = (
    ("Cover Title", "Cover Title: the offer's title on the cover page (when the template has one)"),
    ("Cover Subtitle", "Cover Subtitle: \u201cPrepared for\u201d and the client, on the cover"),
    ("Cover Note", "Cover Note: dates and the supplier's line on the cover"),
    ("Title", "Title: the offer's title"),
    ("Subtitle", "Subtitle: \u201cPrepared for\u201d and the client"),
    ("Small", "Small: the issue date and validity under the subtitle"),
    ("Normal", "Normal: body text of the summary, the arguments and the client's situation."),
    ("List Bullet", "List Bullet: the readers addressed, weaknesses, growth areas"),
    ("List Number", "List Number: numbered lists in library texts"),
    ("Heading 1", "Heading 1: not used by the shipped template"),
    ("Heading 2", "Heading 2: a section (one per reader), pricing, team, acceptance"),
    ("Heading 3", "Heading 3: an argument's title; situation, figures, similar projects"),
    ("Detail", "Detail: the expert detail under an argument, for readers who know the field."),
    ("Reference", "Reference: a similar project and its result, kept with the line under it"),
    ("Recommender", "Recommender: who will recommend us, with email and phone"),
    ("Reference End", "Reference End: a similar project with no recommender line"),
    ("Quote", "Quote: a quotation in a library text"),
    ("Caption", "Caption: a caption in a library text"),
    ("Next Steps", "Next Steps: what happens after sending, under the team table"),
    ("Closing", "Closing: the sentence that says until when the offer is valid"),
    ("Acceptance", "Acceptance: the sentence above the client's signature lines"),
    ("Signature", "Signature: one line to fill in (name, position, date, signature)"),
)


def add_samples(doc) -> None:
    """The sample body: every paragraph style, and a table in the table style."""
    for style, text in SAMPLES[:9]:
        doc.add_paragraph(text, style=doc.styles[style])
    table = doc.add_table(rows=3, cols=2)
    table.style = doc.styles["Proposal Table"]
    rows = (
        ("Table Heading: header row", "of figures, pricing and team tables"),
        ("Table Text: a cell", "Proposal Table: the table style"),
        ("Strong, Emphasis, Code, Hyperlink", "the character styles"),
    )
    for row, texts in zip(table.rows, rows, strict=True):
        style = doc.styles["Table Heading" if row is table.rows[0] else "Table Text"]
        for cell, text in zip(row.cells, texts, strict=True):
            cell.paragraphs[0].text = text
            cell.paragraphs[0].style = style
    for style, text in SAMPLES[9:]:
        doc.add_paragraph(text, style=doc.styles[style])


def normalise_zip(data: bytes) -> bytes:
    """Re-pack with fixed timestamps/attributes/compression and a stable entry order."""
    with zipfile.ZipFile(io.BytesIO(data)) as src:
        entries = {info.filename: src.read(info) for info in src.infolist()}
    first = ["[Content_Types].xml", "_rels/.rels"]
    order = first + sorted(name for name in entries if name not in first)
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as dst:
        for name in order:
            info = zipfile.ZipInfo(name, date_time=ZIP_DATE)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.create_system = 0
            info.external_attr = 0
            dst.writestr(info, entries[name], compresslevel=9)
    return out.getvalue()


def check(data: bytes) -> None:
    """Fail loudly if the package picked up anything kamdocs would reject."""
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        names = z.namelist()
        for banned in ("docProps/custom.xml", "docProps/thumbnail.jpeg", "customXml/"):
            if any(n.startswith(banned) for n in names):
                raise SystemExit(f"unexpected part in package: {banned}")
        for name in names:
            text = z.read(name).decode("latin-1").lower()
            for word in (*FORBIDDEN_WORDS, "python-docx"):
                if word in text:
                    raise SystemExit(f"{name} contains the forbidden word {word!r}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--output", "-o", type=Path, default=DEFAULT_OUTPUT)
    parser.add_argument("--logo", type=Path, default=DEFAULT_LOGO, help="the logo as PNG")
    args = parser.parse_args(argv)
    data = build()
    check(data)
    args.output.parent.mkdir(parents=True, exist_ok=True)
    args.output.write_bytes(data)
    print(f"wrote {args.output} ({len(data):,} bytes)")
    args.logo.parent.mkdir(parents=True, exist_ok=True)
    args.logo.write_bytes(make_logo_png())
    print(f"wrote {args.logo}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
