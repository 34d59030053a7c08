"""DOCX view of a proposal: Markdown's element tree written straight into WordprocessingML."""

from __future__ import annotations

import datetime
import functools
import io
import operator
import re
import struct
import zlib
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import TYPE_CHECKING, Any
from xml.etree.ElementTree import Element

from kamdocs.errors import InputError, Problem
from kamdocs.render import real_file
from kamdocs.render.markup import escape_attr as _escape_attr
from kamdocs.render.markup import escape_text as _escape

if TYPE_CHECKING:
    from lxml import etree

__all__ = ["DocMeta", "Reference", "render_docx"]

# --------------------------------------------------------------------------------------------
# OOXML vocabulary
# --------------------------------------------------------------------------------------------

W_NS = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
R_NS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
PKG_REL_NS = "http://schemas.openxmlformats.org/package/2006/relationships"
CT_NS = "http://schemas.openxmlformats.org/package/2006/content-types"
_W = f"{{{W_NS}}}"

RT_OFFICE_DOCUMENT = R_NS + "/officeDocument"
RT_CORE = "http://schemas.openxmlformats.org/package/2006/relationships/metadata/core-properties"
RT_APP = R_NS + "/extended-properties"
RT_HYPERLINK = R_NS + "/hyperlink"
RT_STYLES = R_NS + "/styles"
RT_NUMBERING = R_NS + "/numbering"
RT_CUSTOM_XML = R_NS + "/customXml"

CT_MAIN = "application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"
CT_STYLES = "application/vnd.openxmlformats-officedocument.wordprocessingml.styles+xml"
CT_NUMBERING = "application/vnd.openxmlformats-officedocument.wordprocessingml.numbering+xml"
CT_CORE = "application/vnd.openxmlformats-package.core-properties+xml"
CT_APP = "application/vnd.openxmlformats-officedocument.extended-properties+xml"
CT_RELS = "application/vnd.openxmlformats-package.relationships+xml"

DOCUMENT = "word/document.xml"
DOCUMENT_RELS = "word/_rels/document.xml.rels"
NUMBERING = "word/numbering.xml"
STYLES = "word/styles.xml"
CORE = "docProps/core.xml"
APP = "docProps/app.xml"
CONTENT_TYPES = "[Content_Types].xml"
PACKAGE_RELS = "_rels/.rels"

_XML_DECL = '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'


# lxml parses the reference document, which is kept parsed between runs (``_load_reference``):
# it is imported only when a reference is parsed, not by every render.
@functools.cache
def _parser(compact: bool) -> etree.XMLParser:
    """The reference is a file from outside: no entity expansion, no network. ``compact``
    drops the white space between elements."""
    from lxml import etree  # noqa: PLC0415

    return etree.XMLParser(resolve_entities=False, no_network=True, remove_blank_text=compact)


def _xml(data: bytes, compact: bool = False) -> etree._Element:
    """A part of the reference, parsed; an entity left unexpanded there is refused, since the
    part could not be written out again as XML (Word documents use none)."""
    from lxml import etree  # noqa: PLC0415

    root = etree.fromstring(data, _parser(compact))
    entity = next(root.iter(etree.Entity), None)
    if entity is not None:
        raise ValueError(f"uses the XML entity {entity.text}, which no Word document needs")
    return root


_LINK_SCHEMES = frozenset({"http", "https", "mailto", "tel"})
_MAX_LIST_LEVEL = 2
# Fixed levels (the same zlib and level give the same bytes): parts cached once per process are
# squeezed hard; per-document parts use zlib's fast path, ~4x quicker than level 6.
_ZIP_LEVEL_STATIC = 9
_ZIP_LEVEL_DYNAMIC = 3
_DOS_DATE = (0 << 9) | (1 << 5) | 1  # 1980-01-01
_DOS_TIME = 0

# Inline formatting flags, combined as a bit set.
_STRONG, _EM, _CODE, _LINK = 1, 2, 4, 8
_BR = "\x00"  # stands for <w:br/> inside collected text (real NULs never survive cleaning)
_TAB = "\x01"  # stands for <w:tab/> inside code blocks

_HEADING_STYLES = {
    "h1": "Heading 1",
    "h2": "Heading 2",
    "h3": "Heading 3",
    "h4": "Heading 3",
    "h5": "Heading 3",
    "h6": "Heading 3",
}
# Every style the writer looks up by name in reference.docx, as (kind, name). Without one, that
# text silently takes Normal, so `kamdocs templates check` asks for each of them ("Horizontal
# Line" is left out: without it a rule is drawn as a hairline border).
WRITER_STYLES: tuple[tuple[str, str], ...] = (
    ("paragraph", "Normal"),
    *(("paragraph", name) for name in dict.fromkeys(_HEADING_STYLES.values())),
    ("paragraph", "Quote"),
    ("paragraph", "List Bullet"),
    ("paragraph", "List Number"),
    ("paragraph", "Table Text"),
    ("paragraph", "Table Heading"),
    ("table", "Proposal Table"),
    ("character", "Hyperlink"),
    ("character", "Code"),
    ("character", "Strong"),
    ("character", "Emphasis"),
)
# The class whose paragraph starts a new page (pageBreakBefore); it needs no style of its own.
PAGE_BREAK = "page-break"
_CONTAINERS = frozenset({"div", "section", "article", "main", "header", "footer", "aside"})
_BLOCKS = frozenset(
    {"p", "ul", "ol", "table", "blockquote", "hr", "pre", "dl", "li", "figure", "details"}
    | set(_HEADING_STYLES)
    | _CONTAINERS
)
_INLINE_FLAGS = {"strong": _STRONG, "b": _STRONG, "em": _EM, "i": _EM, "code": _CODE, "kbd": _CODE}

# --------------------------------------------------------------------------------------------
# Text: Markdown leftovers decoded, XML 1.0 forbidden characters dropped, escaping
# --------------------------------------------------------------------------------------------

# Python-Markdown keeps "&" of entities it generates as STX "amp" ETX, backslash escapes as
# STX <codepoint> ETX, and raw HTML / entities it meets as STX "wzxhzdk:<n>" ETX placeholders.
_MD_AMP = "\x02amp\x03"
_MD_PLACEHOLDER = re.compile("\x02(?:(\\d+)|wzxhzdk:(\\d+))\x03")
# What Python-Markdown's serializer leaves alone as an entity (so the HTML view decodes it).
_FORBIDDEN = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff\ud800-\udfff]")
_WHITESPACE = re.compile("[ \t\n\r]+")
_TAGS = re.compile(r"<[^>]*>")
_OFF = frozenset({"0", "false", "off"})
_HEADER_FOOTER = re.compile(r"word/(header|footer)\d*\.xml")
# Placeholders a reference's header and footer may hold, filled from kamdocs.yaml's supplier.
SUPPLIER_FIELDS = ("name", "address", "website", "line")
_PLACEHOLDER = re.compile(r"\{supplier\.(" + "|".join(SUPPLIER_FIELDS) + r")\}")
_RUN_TEXT = re.compile(r"(<w:t(?:\s[^>]*)?>)([^<]*)(</w:t>)")
_SEPARATOR_TEXT = " \u00b7 "


def _fill(xml: str, fields: dict[str, str]) -> str:
    """``xml`` with its supplier placeholders filled in; an empty field takes one " · " next to
    it along (the one after it, else the one before), so no separator is left dangling."""

    def text(match: re.Match[str]) -> str:
        if "{supplier." not in match.group(2):
            return match.group(0)
        # [text, field, text, field, ..., text]: fields at the odd places
        pieces = _PLACEHOLDER.split(match.group(2))
        for i in range(1, len(pieces), 2):
            pieces[i] = _escape(fields.get(pieces[i], ""))
            if pieces[i]:
                continue
            if pieces[i + 1].startswith(_SEPARATOR_TEXT):
                pieces[i + 1] = pieces[i + 1][len(_SEPARATOR_TEXT) :]
            elif pieces[i - 1].endswith(_SEPARATOR_TEXT):
                pieces[i - 1] = pieces[i - 1][: -len(_SEPARATOR_TEXT)]
        filled = "".join(pieces)
        return match.group(1) + (filled if filled.strip(" \u00b7") else "") + match.group(3)

    return _RUN_TEXT.sub(text, xml)


def _clean(text: str, stash: Sequence[object] = ()) -> str:
    """Return ``text`` as a reader of the HTML view sees it, with XML-forbidden characters gone."""
    if "\x02" in text:
        text = text.replace(_MD_AMP, "&")

        def placeholder(m: re.Match[str]) -> str:
            if m.group(1) is not None:
                return chr(int(m.group(1)))
            index = int(m.group(2))
            if index >= len(stash):
                return ""
            raw = stash[index]
            raw = raw if isinstance(raw, str) else "".join(getattr(raw, "itertext", list)())
            return _TAGS.sub("", raw)

        text = _MD_PLACEHOLDER.sub(placeholder, text)
    # No entity decoding: kamdocs' Markdown recognises no entities, so "&amp;" in the tree is
    # literal text, exactly as the HTML view shows it.
    return _FORBIDDEN.sub("", text)


# --------------------------------------------------------------------------------------------
# ZIP entries (written by hand: fixed dates, fixed order, cached deflated static parts)
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Entry:
    name: str
    raw: bytes
    crc: int
    data: bytes  # raw deflate stream

    @classmethod
    def make(cls, name: str, raw: bytes, level: int = _ZIP_LEVEL_DYNAMIC) -> _Entry:
        compressor = zlib.compressobj(level, zlib.DEFLATED, -15)
        data = compressor.compress(raw) + compressor.flush()
        return cls(name, raw, zlib.crc32(raw), data)


_LOCAL_HEADER = struct.Struct("<IHHHHHIIIHH")
_CENTRAL_HEADER = struct.Struct("<IHHHHHHIIIHHHHHII")
_END_RECORD = struct.Struct("<IHHHHIIH")
_VERSION_FLAGS_METHOD_TIME_DATE = (20, 0, 8, _DOS_TIME, _DOS_DATE)


def _zip(entries: Sequence[_Entry]) -> bytes:
    chunks: list[bytes] = []
    central: list[bytes] = []
    offset = 0
    common = _VERSION_FLAGS_METHOD_TIME_DATE
    for e in entries:
        name = e.name.encode("ascii")
        sizes = (e.crc, len(e.data), len(e.raw), len(name), 0)
        local = _LOCAL_HEADER.pack(0x04034B50, *common, *sizes)
        central.append(_CENTRAL_HEADER.pack(0x02014B50, 20, *common, *sizes, 0, 0, 0, 0, offset))
        central.append(name)
        chunks += (local, name, e.data)
        offset += len(local) + len(name) + len(e.data)
    directory = b"".join(central)
    count = len(entries)
    end = _END_RECORD.pack(0x06054B50, 0, 0, count, count, len(directory), offset, 0)
    return b"".join(chunks) + directory + end


# --------------------------------------------------------------------------------------------
# Public types
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class DocMeta:
    """Document properties written to docProps/core.xml and the document language."""

    title: str
    subject: str
    author: str
    created: datetime.date
    language: str  # BCP 47, e.g. "bg-BG" or "en-GB"
    keywords: str = ""


@dataclass
class _Numbering:
    """What the reference's numbering part offers the writer."""

    head: str  # numbering.xml up to where new <w:num> elements go
    tail: str
    next_num_id: int
    bullet_num_id: int | None  # an existing num on the bullet abstractNum, if any
    bullet_abstract: int | None
    decimal_abstract: int | None
    # (abstract, ilvl) -> (left, hanging) indents of the level, in twips as written
    indents: dict[tuple[int, int], tuple[str, str | None]] = field(default_factory=dict)


def _problem(path: Path, message: str) -> InputError:
    return InputError([Problem(str(path), 1, "", message)])


class Reference:
    """A parsed reference.docx: style ids by name, numbering, page setup and cached static parts."""

    def __init__(self, path: Path, parts: dict[str, bytes]):
        from lxml import etree  # noqa: PLC0415

        self.path = path
        try:
            self._parse(parts)
        except (KeyError, ValueError, etree.XMLSyntaxError) as exc:
            raise _problem(path, f"not a usable reference document ({exc})") from None

    # -- loading -----------------------------------------------------------------------------

    @classmethod
    def load(cls, path: Path) -> Reference:
        """Return the parsed reference at ``path``; parsed once per process and file version."""
        # Its header, footer and images go into every document: a link out of the templates
        # folder is refused (real_file).
        try:
            resolved, status = real_file(Path(path), "document")
        except OSError as exc:
            raise _problem(Path(path), f"cannot read reference document: {exc.strerror}") from None
        return _load_reference(resolved, status.st_mtime_ns, status.st_size)

    def _parse(self, parts: dict[str, bytes]) -> None:
        content_types = _xml(parts[CONTENT_TYPES])
        self._defaults = {
            d.get("Extension").lower(): d.get("ContentType")
            for d in content_types.iter(f"{{{CT_NS}}}Default")
        }
        overrides = {
            o.get("PartName").lstrip("/"): o.get("ContentType")
            for o in content_types.iter(f"{{{CT_NS}}}Override")
        }
        main = self._main_part(parts)
        if PurePosixPath(main).parent != PurePosixPath("word"):
            raise ValueError(f"main document at {main}, expected in word/")

        # Keep exactly what the main document reaches (styles, theme, header/footer and their
        # images...), but not the reference's own hyperlinks, custom XML or document properties.
        kept: dict[str, bytes] = {}
        doc_rels: list[tuple[str, str, str, str | None]] = []
        self._numbering_rel = self._styles_rel = False
        for rid, rtype, target, mode in _rels(parts, main):
            if rtype in (RT_HYPERLINK, RT_CUSTOM_XML):
                continue
            if mode != "External":
                part = _resolve(main, target)
                if part not in parts:
                    continue
                if rtype == RT_NUMBERING:
                    self._numbering_rel = True
                    target = "numbering.xml"
                elif rtype == RT_STYLES:
                    self._styles_rel = True
                    target = "styles.xml"
                else:
                    self._keep(parts, part, kept)
            doc_rels.append((rid, rtype, target, mode))
        self._rel_ids = {rid for rid, *_ in doc_rels}

        numbering_xml = parts.get(_resolve_rel_part(parts, main, RT_NUMBERING) or NUMBERING)
        styles_part = _resolve_rel_part(parts, main, RT_STYLES) or STYLES
        styles_xml = parts.get(styles_part)
        if styles_xml is None:
            raise ValueError("no styles part")

        # Parsed only here: the Reference keeps no lxml element, so it can be kept between runs.
        styles = _xml(styles_xml)
        self._styles_xml = styles_xml
        self._style_ids: dict[tuple[str, str], str] = {}
        self._default_paragraph: str | None = None
        for style in styles.iterchildren(_W + "style"):
            kind = style.get(_W + "type", "paragraph")
            sid = style.get(_W + "styleId")
            name_el = style.find(_W + "name")
            if sid is None:
                continue
            name = name_el.get(_W + "val") if name_el is not None else sid
            self._style_ids.setdefault((kind, name.casefold()), sid)
            if kind == "paragraph" and style.get(_W + "default") in ("1", "true", "on"):
                self._default_paragraph = sid
        self._styles_by_lang: dict[str, _Entry] = {}
        self._styles_for = _styles_template(styles_xml)

        self._numbering = _parse_numbering(numbering_xml, self, styles) if numbering_xml else None
        if self._numbering is not None and not self._numbering_rel:
            doc_rels.append((self._fresh_rel_id("rIdKNum"), RT_NUMBERING, "numbering.xml", None))
            self._numbering_rel = True
        if not self._styles_rel:
            doc_rels.append((self._fresh_rel_id("rIdKSty"), RT_STYLES, "styles.xml", None))
        self._rels_head = (
            _XML_DECL
            + f'<Relationships xmlns="{PKG_REL_NS}">'
            + "".join(_relationship(*r) for r in doc_rels)
        )
        self._link_prefix = self._fresh_prefix("rIdH")

        self._parse_document(parts[main])

        # Static parts, deflated once.
        generated = {DOCUMENT, DOCUMENT_RELS, STYLES, NUMBERING, CORE, APP, CONTENT_TYPES}
        generated |= {PACKAGE_RELS, main, _rels_name(main), styles_part}
        static = {name: data for name, data in kept.items() if name not in generated}
        written = sorted(static) + [DOCUMENT, DOCUMENT_RELS, STYLES, CORE, APP]
        if self._numbering is not None:
            written.append(NUMBERING)
        known = {DOCUMENT: CT_MAIN, STYLES: CT_STYLES, NUMBERING: CT_NUMBERING}
        known |= {CORE: CT_CORE, APP: CT_APP}
        defaults = dict(self._defaults)
        defaults.setdefault("rels", CT_RELS)
        defaults.setdefault("xml", "application/xml")
        type_overrides = {}
        for name in written:
            ext = name.rsplit(".", 1)[-1].lower()
            if name.endswith(".rels"):
                continue
            content_type = known.get(name) or overrides.get(name)
            if content_type is None and ext not in defaults:
                content_type = "application/octet-stream"
            if content_type is not None and content_type != defaults.get(ext):
                type_overrides[name] = content_type
        types_xml = (
            _XML_DECL
            + f'<Types xmlns="{CT_NS}">'
            + "".join(
                f'<Default Extension="{_escape_attr(ext)}" ContentType="{_escape_attr(ct)}"/>'
                for ext, ct in sorted(defaults.items())
            )
            + "".join(
                f'<Override PartName="/{_escape_attr(n)}" ContentType="{_escape_attr(ct)}"/>'
                for n, ct in sorted(type_overrides.items())
            )
            + "</Types>"
        )
        package_rels = (
            _XML_DECL
            + f'<Relationships xmlns="{PKG_REL_NS}">'
            + _relationship("rId1", RT_OFFICE_DOCUMENT, DOCUMENT, None)
            + _relationship("rId2", RT_CORE, CORE, None)
            + _relationship("rId3", RT_APP, APP, None)
            + "</Relationships>"
        )
        app_xml = (
            _XML_DECL + '<Properties xmlns="http://schemas.openxmlformats.org/officeDocument/2006/'
            'extended-properties" xmlns:vt="http://schemas.openxmlformats.org/officeDocument/'
            '2006/docPropsVTypes"><Application>kamdocs</Application><DocSecurity>0</DocSecurity>'
            "<ScaleCrop>false</ScaleCrop><LinksUpToDate>false</LinksUpToDate>"
            "<SharedDoc>false</SharedDoc><HyperlinksChanged>false</HyperlinksChanged></Properties>"
        )
        self._head_entries = [
            _Entry.make(CONTENT_TYPES, types_xml.encode(), _ZIP_LEVEL_STATIC),
            _Entry.make(PACKAGE_RELS, package_rels.encode(), _ZIP_LEVEL_STATIC),
        ]
        self._app_entry = _Entry.make(APP, app_xml.encode(), _ZIP_LEVEL_STATIC)
        self._static_entries = [
            _Entry.make(name, static[name], _ZIP_LEVEL_STATIC) for name in sorted(static)
        ]
        # Headers and footers with the supplier's placeholders are filled in per proposal.
        self._filled = {
            name: static[name].decode("utf-8")
            for name in sorted(static)
            if _HEADER_FOOTER.fullmatch(name) and b"{supplier." in static[name]
        }
        self._filled_entries: dict[tuple[str, ...], list[_Entry]] = {}
        self._static_numbering: _Entry | None = None

        self._resolve_styles(styles)

    @staticmethod
    def _main_part(parts: dict[str, bytes]) -> str:
        for _rid, rtype, target, _mode in _rels(parts, ""):
            if rtype == RT_OFFICE_DOCUMENT:
                return _resolve("", target)
        raise ValueError("no main document part")

    def _keep(self, parts: dict[str, bytes], part: str, kept: dict[str, bytes]) -> None:
        if part in kept:
            return
        kept[part] = parts[part]
        rels_name = _rels_name(part)
        if rels_name in parts:
            kept[rels_name] = parts[rels_name]
            for _rid, _rtype, target, mode in _rels(parts, part):
                if mode != "External":
                    child = _resolve(part, target)
                    if child in parts:
                        self._keep(parts, child, kept)

    def _fresh_rel_id(self, wanted: str) -> str:
        rid, n = wanted, 1
        while rid in self._rel_ids:
            n += 1
            rid = f"{wanted}{n}"
        self._rel_ids.add(rid)
        return rid

    def _fresh_prefix(self, wanted: str) -> str:
        prefix = wanted
        while any(re.fullmatch(re.escape(prefix) + r"\d+", rid) for rid in self._rel_ids):
            prefix = "rIdK" + prefix[3:]
        return prefix

    def _parse_document(self, xml: bytes) -> None:
        from lxml import etree  # noqa: PLC0415

        root = _xml(xml, compact=True)
        if root.nsmap.get("w") != W_NS:
            raise ValueError("the main document does not use the w: prefix")
        body = root.find(_W + "body")
        if body is None:
            raise ValueError("no w:body")
        section = body[-1] if len(body) and body[-1].tag == _W + "sectPr" else None
        for child in list(body):
            if child is not section:
                body.remove(child)
        page = section.find(_W + "pgSz") if section is not None else None
        margins = section.find(_W + "pgMar") if section is not None else None

        def twips(el: etree._Element | None, attr: str, default: int) -> int:
            value = el.get(_W + attr) if el is not None else None
            try:
                return int(float(value)) if value is not None else default
            except ValueError:
                return default

        self.text_width = max(
            1440,
            twips(page, "w", 11906) - twips(margins, "left", 1440) - twips(margins, "right", 1440),
        )
        text = etree.tostring(root, encoding="unicode")
        if section is None:
            text = text.replace("<w:body/>", "<w:body></w:body>", 1)
        start = text.index("<w:body>") + len("<w:body>")
        head = text[:start]
        if root.nsmap.get("r") != R_NS:
            head = head.replace("<w:document", f'<w:document xmlns:r="{R_NS}"', 1)
        self._doc_head = _XML_DECL + head
        self._doc_tail = text[start:]

    def _resolve_styles(self, styles: etree._Element) -> None:
        def find(name: str, kind: str = "paragraph") -> str | None:
            return self._style_ids.get((kind, name.casefold()))

        self.p_normal = find("Normal") or self._default_paragraph
        self.p_heading = {tag: find(name) for tag, name in _HEADING_STYLES.items()}
        self.p_quote = find("Quote")
        self.p_bullet = find("List Bullet")
        self.p_number = find("List Number")
        self.p_cell = find("Table Text")
        self.p_head_cell = find("Table Heading")
        self.p_rule = find("Horizontal Line")
        self.t_table = find("Proposal Table", "table")
        self._keep_next = _styles_with(styles, "keepNext")
        run_styles = {
            _LINK: find("Hyperlink", "character"),
            _CODE: find("Code", "character"),
            _STRONG: find("Strong", "character"),
            _EM: find("Emphasis", "character"),
        }
        # One run style per run: the most specific wins; strong/em left over become b/i toggles.
        self.rpr: list[str] = []
        for flags in range(16):
            style = None
            rest = flags
            for flag in (_LINK, _CODE, _STRONG, _EM):
                if flags & flag and run_styles[flag]:
                    style = run_styles[flag]
                    rest &= ~flag
                    break
            inner = f'<w:rStyle w:val="{_escape_attr(style)}"/>' if style else ""
            inner += "<w:b/><w:bCs/>" if rest & _STRONG else ""
            inner += "<w:i/><w:iCs/>" if rest & _EM else ""
            self.rpr.append(f"<w:rPr>{inner}</w:rPr>" if inner else "")
        self.run_open = [f'<w:r>{rpr}<w:t xml:space="preserve">' for rpr in self.rpr]
        # pStyle element per paragraph style id; none for the default paragraph style.
        self.p_style_xml = {
            sid: f'<w:pStyle w:val="{_escape_attr(sid)}"/>'
            for (kind, _), sid in self._style_ids.items()
            if kind == "paragraph" and sid != self.p_normal
        }
        self._class_cache: dict[str, str | None] = {}

    # -- queries -----------------------------------------------------------------------------

    def static_entries(self, fields: dict[str, str]) -> list[_Entry]:
        """The parts taken from the reference, headers and footers filled with ``fields``."""
        if not self._filled:
            return self._static_entries
        key = tuple(fields.get(name, "") for name in SUPPLIER_FIELDS)
        entries = self._filled_entries.get(key)
        if entries is None:
            if len(self._filled_entries) >= 16:  # a workspace has one supplier in a language or two
                self._filled_entries.clear()
            values = dict(zip(SUPPLIER_FIELDS, key, strict=True))
            entries = [
                _Entry.make(e.name, _fill(self._filled[e.name], values).encode(), _ZIP_LEVEL_STATIC)
                if e.name in self._filled
                else e
                for e in self._static_entries
            ]
            self._filled_entries[key] = entries
        return entries

    def keeps_with_next(self, style: str | None) -> bool:
        """Whether paragraphs of ``style`` (an id) keep with the next one (w:keepNext)."""
        return style in self._keep_next

    def style_id(self, name: str, kind: str = "paragraph") -> str:
        """Return the id of the style called ``name`` (case-insensitive) of ``kind``."""
        try:
            return self._style_ids[(kind, name.casefold())]
        except KeyError:
            raise KeyError(f"{kind} style {name!r} not in {self.path}") from None

    def class_style(self, classes: str) -> str | None:
        """Return the paragraph style id named by one of ``classes`` (``x-y`` names "X Y")."""
        try:
            return self._class_cache[classes]
        except KeyError:
            pass
        found = None
        for cls in classes.split():
            found = self._style_ids.get(("paragraph", cls.replace("-", " ").casefold()))
            if found:
                break
        self._class_cache[classes] = found
        return found

    def styles_entry(self, language: str) -> _Entry:
        """Return styles.xml with the document defaults' language set to ``language``."""
        entry = self._styles_by_lang.get(language)
        if entry is None:
            template = self._styles_for
            if template is not None and _LANGUAGE_TAG.fullmatch(language):
                xml = template.replace(_LANGUAGE_MARK, language).encode()  # lxml escapes none
            else:
                xml = _styles_with_language(self._styles_xml, language)
            entry = self._styles_by_lang.setdefault(
                language, _Entry.make(STYLES, xml, _ZIP_LEVEL_STATIC)
            )
        return entry

    def numbering_entry(self, nums: Sequence[str]) -> _Entry | None:
        numbering = self._numbering
        if numbering is None:
            return None
        if not nums:
            if self._static_numbering is None:
                raw = (numbering.head + numbering.tail).encode()
                self._static_numbering = _Entry.make(NUMBERING, raw, _ZIP_LEVEL_STATIC)
            return self._static_numbering
        return _Entry.make(NUMBERING, (numbering.head + "".join(nums) + numbering.tail).encode())


def _styles_with(styles: etree._Element, flag: str) -> frozenset[str]:
    """Paragraph style ids whose own pPr or basedOn chain turns ``flag`` on."""
    own: dict[str, bool | None] = {}
    based: dict[str, str] = {}
    for style in styles.iterchildren(_W + "style"):
        sid = style.get(_W + "styleId")
        if sid is None or style.get(_W + "type", "paragraph") != "paragraph":
            continue
        el = style.find(f"{_W}pPr/{_W}{flag}")
        own[sid] = None if el is None else el.get(_W + "val", "1") not in _OFF
        parent = style.find(_W + "basedOn")
        if parent is not None:
            based[sid] = parent.get(_W + "val", "")

    def on(sid: str, depth: int = 0) -> bool:
        value = own.get(sid)
        if value is not None or sid not in based or depth > 32:
            return bool(value)
        return on(based[sid], depth + 1)

    return frozenset(sid for sid in own if on(sid))


# A language tag as BCP 47 writes one ("bg-BG"): in an attribute, lxml writes it unchanged.
_LANGUAGE_TAG = re.compile(r"[A-Za-z0-9-]+")
_LANGUAGE_MARK = "kamdocs-language-6b1f0c"  # stands for the language in _styles_template


def _styles_with_language(styles_xml: bytes, language: str) -> bytes:
    """styles.xml with the document defaults' language (w:docDefaults/w:rPrDefault/w:rPr/
    w:lang w:val) set to ``language``; an empty one leaves the value the reference has."""
    from lxml import etree  # noqa: PLC0415

    tree = _xml(styles_xml)
    defaults = _child(tree, "docDefaults", first=True)
    rpr_default = _child(defaults, "rPrDefault", first=True)
    rpr = _child(rpr_default, "rPr")
    lang = rpr.find(_W + "lang")
    if lang is None:
        lang = etree.SubElement(rpr, _W + "lang")
    if language:
        lang.set(_W + "val", language)
    return etree.tostring(tree, xml_declaration=True, encoding="UTF-8", standalone=True)


def _styles_template(styles_xml: bytes) -> str | None:
    """styles.xml with ``_LANGUAGE_MARK`` for the language: each language's part is then the
    mark replaced, the same bytes ``_styles_with_language`` writes, made without lxml. None if
    the reference holds the mark itself (then each language's part is made with lxml)."""
    text = _styles_with_language(styles_xml, _LANGUAGE_MARK).decode("utf-8")
    return text if text.count(_LANGUAGE_MARK) == 1 else None


def _child(parent: etree._Element, local: str, first: bool = False) -> etree._Element:
    from lxml import etree  # noqa: PLC0415

    found = parent.find(_W + local)
    if found is None:
        found = etree.Element(_W + local)
        if first:
            parent.insert(0, found)
        else:
            parent.append(found)
    return found


def _rels_name(part: str) -> str:
    path = PurePosixPath(part)
    return str(path.parent / "_rels" / (path.name + ".rels")).lstrip("./") if part else PACKAGE_RELS


def _resolve(source: str, target: str) -> str:
    if target.startswith("/"):
        return target.lstrip("/")
    parts: list[str] = list(PurePosixPath(source).parent.parts) if source else []
    for piece in target.split("/"):
        if piece == "..":
            if parts:
                parts.pop()
        elif piece not in ("", "."):
            parts.append(piece)
    return "/".join(parts)


def _rels(parts: dict[str, bytes], source: str) -> list[tuple[str, str, str, str | None]]:
    xml = parts.get(_rels_name(source))
    if xml is None:
        return []
    return [
        (r.get("Id"), r.get("Type"), r.get("Target"), r.get("TargetMode"))
        for r in _xml(xml).iter(f"{{{PKG_REL_NS}}}Relationship")
    ]


def _resolve_rel_part(parts: dict[str, bytes], source: str, rtype: str) -> str | None:
    for _rid, t, target, mode in _rels(parts, source):
        if t == rtype and mode != "External":
            return _resolve(source, target)
    return None


def _relationship(rid: str, rtype: str, target: str, mode: str | None) -> str:
    extra = f' TargetMode="{_escape_attr(mode)}"' if mode else ""
    return (
        f'<Relationship Id="{_escape_attr(rid)}" Type="{_escape_attr(rtype)}"'
        f' Target="{_escape_attr(target)}"{extra}/>'
    )


def _parse_numbering(xml: bytes, reference: Reference, styles: etree._Element) -> _Numbering:
    from lxml import etree  # noqa: PLC0415

    root = _xml(xml, compact=True)
    abstract_by_name: dict[str, int] = {}
    indents: dict[tuple[int, int], tuple[str, str | None]] = {}
    for abstract in root.iterchildren(_W + "abstractNum"):
        aid = int(abstract.get(_W + "abstractNumId"))
        name = abstract.find(_W + "name")
        if name is not None:
            abstract_by_name.setdefault(name.get(_W + "val", "").casefold(), aid)
        for lvl in abstract.iterchildren(_W + "lvl"):
            ind = lvl.find(f"{_W}pPr/{_W}ind")
            if ind is not None:
                left = ind.get(_W + "left") or ind.get(_W + "start")
                if left:
                    ilvl = int(lvl.get(_W + "ilvl", "0"))
                    indents[(aid, ilvl)] = (left, ind.get(_W + "hanging"))
    num_abstract: dict[int, int] = {}
    for num in root.iterchildren(_W + "num"):
        ref = num.find(_W + "abstractNumId")
        if ref is not None:
            num_abstract[int(num.get(_W + "numId"))] = int(ref.get(_W + "val"))

    def style_num(name: str) -> int | None:
        sid = reference._style_ids.get(("paragraph", name.casefold()))
        if sid is None:
            return None
        for style in styles.iterchildren(_W + "style"):
            if style.get(_W + "styleId") == sid:
                num_id = style.find(f"{_W}pPr/{_W}numPr/{_W}numId")
                if num_id is not None and int(num_id.get(_W + "val")) in num_abstract:
                    return int(num_id.get(_W + "val"))
        return None

    bullet_abstract = abstract_by_name.get("kamdocsbullet")
    decimal_abstract = abstract_by_name.get("kamdocsdecimal")
    bullet_style_num = style_num("List Bullet")
    if bullet_abstract is None and bullet_style_num is not None:
        bullet_abstract = num_abstract[bullet_style_num]
    if decimal_abstract is None:
        number_style_num = style_num("List Number")
        if number_style_num is not None:
            decimal_abstract = num_abstract[number_style_num]
    bullet_num = None
    if bullet_style_num is not None and num_abstract[bullet_style_num] == bullet_abstract:
        bullet_num = bullet_style_num
    elif bullet_abstract is not None:
        candidates = [n for n, a in sorted(num_abstract.items()) if a == bullet_abstract]
        bullet_num = candidates[0] if candidates else None

    text = etree.tostring(root, encoding="unicode")
    cleanup = text.find("<w:numIdMacAtCleanup")
    if cleanup < 0:
        cleanup = text.rfind("</w:numbering>")
    if cleanup < 0:  # an empty <w:numbering/>
        text = text[: text.rfind("/>")] + "></w:numbering>"
        cleanup = text.rfind("</w:numbering>")
    return _Numbering(
        head=_XML_DECL + text[:cleanup],
        tail=text[cleanup:],
        next_num_id=max(num_abstract, default=0) + 1,
        bullet_num_id=bullet_num,
        bullet_abstract=bullet_abstract,
        decimal_abstract=decimal_abstract,
        indents=indents,
    )


@functools.lru_cache(maxsize=8)
def _load_reference(resolved: str, mtime_ns: int, size: int) -> Reference:
    """The reference at ``resolved`` parsed, once per process and file version, and kept
    between runs (``kamdocs.stored``) under its bytes and path: a fresh render neither parses
    it nor imports lxml."""
    path = Path(resolved)
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise _problem(path, f"not a Word document: {exc}") from None
    from kamdocs import stored  # noqa: PLC0415

    key = stored.reference_key(path, data)
    return stored.remembered("reference", key, lambda: _parsed(path, data))


def _parsed(path: Path, data: bytes) -> Reference:
    import zipfile  # noqa: PLC0415 - the documents are zipped by _zip; this reads the reference

    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            parts = {
                info.filename: archive.read(info)
                for info in archive.infolist()
                if not info.is_dir()
            }
    except (OSError, zipfile.BadZipFile) as exc:
        raise _problem(path, f"not a Word document: {exc}") from None
    return Reference(path, parts)


# --------------------------------------------------------------------------------------------
# The writer: element tree -> document.xml
# --------------------------------------------------------------------------------------------

_ALIGN = re.compile(r"text-align\s*:\s*(left|right|center|justify)", re.IGNORECASE)
_JC = {"left": "left", "right": "right", "center": "center", "justify": "both"}
# Only when the reference has no "Horizontal Line" style: a hairline in the text colour.
_RULE_BORDER = '<w:pBdr><w:bottom w:val="single" w:sz="6" w:space="1" w:color="auto"/></w:pBdr>'

# [formatting key, text]: the key is the inline flags | hyperlink number << 4.
Segment = list
_SPACE_OR_BR = frozenset((" ", _BR))
_SEPARATOR = "\x03"  # between segments while a paragraph's text is escaped in one go


@functools.lru_cache(maxsize=64)
def _cell_jc(style: str | None, align: str | None) -> str:
    """Return the w:jc for a cell's ``style="text-align: …"`` (or ``align``) attribute."""
    found = _ALIGN.search(style or "") or _ALIGN.search("text-align:" + (align or ""))
    return f'<w:jc w:val="{_JC[found.group(1).lower()]}"/>' if found else ""


# An empty paragraph one twentieth of a point high, between two tables that must not fuse.
_HAIRLINE = (
    '<w:p><w:pPr><w:spacing w:before="0" w:after="0" w:line="20" w:lineRule="exact"/>'
    '<w:rPr><w:sz w:val="2"/><w:szCs w:val="2"/></w:rPr></w:pPr></w:p>'
)
KEEP_ROWS = 20  # tables up to this many rows (the header included) stay on one page
_AFTER_TABLE = 160  # twips of space between a table and text right under it
_CELL_MARGINS = 2 * 113 + 40  # the table style's left and right cell margins, and some air
# Twips a character of 9.5 pt table text takes, on the wide side: DejaVu Sans, LibreOffice's
# fallback where Carlito (Calibri's metrics) is missing, is a fifth wider, its bold more.
_CHAR = 118
_HEAD_CHAR = 132  # the same in bold (header cells, totals)
_WORD_BREAKS = re.compile(r"[ \t\n/-]+")
_TEXT = operator.itemgetter(1)  # of a segment


def _column_widths(
    texts: list[list[list[Segment]]], columns: int, width: int, header: bool
) -> list[int]:
    """Column widths in twips: the text width shared by how much each column holds (within
    bounds), as browsers do, but never narrower than the column's longest word (numbers and
    dates hold no-break spaces, so an amount is one word), so no word or amount breaks."""
    weights = [4] * columns
    least = [_CELL_MARGINS + 3 * _CHAR] * columns
    cap = width * 2 // 5  # an email address may still break rather than squeeze the others
    words = _WORD_BREAKS.split  # of any text, at least one (perhaps empty) word
    for number, row in enumerate(texts):
        head = header and number == 0
        for i, segments in enumerate(row):
            text = "".join(map(_TEXT, segments))
            if len(text) > weights[i]:
                weights[i] = min(30, len(text))
            bold = head or any(s[0] & _STRONG for s in segments)
            longest = max(map(len, words(text))) * (_HEAD_CHAR if bold else _CHAR)
            least[i] = max(least[i], min(cap, _CELL_MARGINS + longest))
    total = sum(weights)
    widths = [width * w // total for w in weights]
    if sum(least) >= width:  # no room for every longest word: share by them instead
        return [width * m // sum(least) for m in least]
    short = [i for i in range(columns) if widths[i] < least[i]]
    while short:
        for i in short:
            widths[i] = least[i]
        spare = [i for i in range(columns) if widths[i] > least[i]]
        over = sum(widths) - width
        room = sum(widths[i] - least[i] for i in spare)
        for i in spare:
            widths[i] -= over * (widths[i] - least[i]) // room if room else 0
        short = [i for i in range(columns) if widths[i] < least[i]]
    widths[-1] += width - sum(widths)  # rounding
    return widths


class _Writer:
    def __init__(self, ref: Reference, stash: Sequence[object]):
        self.ref = ref
        self.stash = stash
        self.out: list[str] = []
        self.links: dict[str, int] = {}  # target -> hyperlink number, in document order
        self.nums: list[str] = []
        self.numbering = ref._numbering
        self.next_num = self.numbering.next_num_id if self.numbering else 0
        self.bullet_num: int | None = self.numbering.bullet_num_id if self.numbering else None
        self.page_break = False
        self.last_was_table = False

    # -- blocks ------------------------------------------------------------------------------

    def blocks(self, parent: Element, quote: str | None = None) -> None:
        self.loose_text(parent.text, quote)
        children = list(parent)
        i = 0
        while i < len(children):
            end = self.kept_block(children, i) if quote is None else i
            if end > i:
                self.unsplittable(children[i : end + 1])
                i = end + 1
                continue
            child = children[i]
            if child.tag == "table":
                after = children[i + 1] if i + 1 < len(children) and not child.tail else None
                self.table(child, self.keeps_with_next(after))
            else:
                self.block(child, quote)
            self.loose_text(child.tail, quote)
            i += 1

    def kept_block(self, children: list[Element], i: int) -> int:
        """The index of the last element of the block that starts at ``i`` and must stay on one
        page (``i`` when there is none): a heading, the table under it, and the paragraphs
        after the table that keep with their next, up to the first that does not (the team,
        the next steps and the validity sentence)."""
        start = children[i]
        if start.tag not in _HEADING_STYLES or start.tail and not start.tail.isspace():
            return i
        if i + 2 >= len(children) or children[i + 1].tag != "table":
            return i
        end = i + 2
        if not self.keeps_with_next(children[end]):
            return i
        while end + 1 < len(children) and self.keeps_with_next(children[end]):
            end += 1
        return end

    def unsplittable(self, elements: list[Element]) -> None:
        """Write ``elements`` inside one borderless, full-width table row that may not split:
        Word and LibreOffice then move them to the next page together (LibreOffice does not
        keep a table with the paragraph after it)."""
        width = self.ref.text_width
        if self.page_break:
            self.out.append('<w:p><w:r><w:br w:type="page"/></w:r></w:p>')
            self.page_break = False
        elif self.last_was_table:  # two tables in a row would fuse: a hairline paragraph
            self.out.append(_HAIRLINE)
        self.out.append(
            '<w:tbl><w:tblPr><w:tblW w:w="5000" w:type="pct"/><w:tblLayout w:type="fixed"/>'
            '<w:tblCellMar><w:left w:w="0" w:type="dxa"/><w:right w:w="0" w:type="dxa"/>'
            '</w:tblCellMar><w:tblLook w:val="0000" w:firstRow="0" w:lastRow="0"'
            ' w:firstColumn="0" w:lastColumn="0" w:noHBand="1" w:noVBand="1"/></w:tblPr>'
            f'<w:tblGrid><w:gridCol w:w="{width}"/></w:tblGrid><w:tr><w:trPr><w:cantSplit/>'
            f'</w:trPr><w:tc><w:tcPr><w:tcW w:w="{width}" w:type="dxa"/></w:tcPr>'
        )
        self.last_was_table = False
        for n, el in enumerate(elements):
            if el.tag == "table":
                after = elements[n + 1] if n + 1 < len(elements) else None
                self.table(el, self.keeps_with_next(after))
            else:
                self.block(el)
            self.loose_text(el.tail, None)
        if self.last_was_table:  # a cell ends with a paragraph
            self.paragraph(self.ref.p_normal, [])
        self.out.append("</w:tc></w:tr></w:tbl>")
        self.last_was_table = True

    def keeps_with_next(self, el: Element | None) -> bool:
        """Whether ``el`` is a paragraph whose style keeps it with the next one: a table just
        before it is then kept with it too (the team, the next steps and the validity)."""
        if el is None or el.tag != "p":
            return False
        classes = el.get("class")
        style = (self.ref.class_style(classes) if classes else None) or self.ref.p_normal
        return self.ref.keeps_with_next(style)

    def loose_text(self, text: str | None, quote: str | None) -> None:
        if text and not text.isspace():
            self.paragraph(quote or self.ref.p_normal, self.plain(text))

    def block(self, el: Element, quote: str | None = None) -> None:
        tag = el.tag
        if not isinstance(tag, str):  # comments, processing instructions
            return
        tag = tag.lower()
        classes = el.get("class")
        if classes and PAGE_BREAK in classes.split():
            self.page_break = True  # taken by the next paragraph as pageBreakBefore
            if tag == "hr":
                return
        ref = self.ref
        if tag == "p":
            style = (ref.class_style(classes) if classes else None) or quote or ref.p_normal
            self.paragraph(style, self.inline(el))
        elif tag in _HEADING_STYLES:
            style = ref.class_style(classes) if classes else None
            self.paragraph(style or ref.p_heading[tag] or ref.p_normal, self.inline(el))
        elif tag in ("ul", "ol"):
            self.list(el, 0, quote)
        elif tag == "table":
            self.table(el)
        elif tag == "blockquote":
            style = ref.class_style(classes) if classes else None
            self.blocks(el, style or ref.p_quote or ref.p_normal)
        elif tag == "hr":
            self.rule()
        elif tag == "pre":
            style = (ref.class_style(classes) if classes else None) or ref.p_normal
            self.paragraph(style, self.preformatted(el))
        elif tag in _CONTAINERS:
            self.blocks(el, quote)
        else:  # never lose text: anything else becomes a plain paragraph of its text
            style = (ref.class_style(classes) if classes else None) or quote or ref.p_normal
            self.paragraph(style, self.plain("".join(el.itertext())))

    def paragraph(
        self,
        style: str | None,
        segments: list[Segment],
        ppr_extra: str = "",
        keep_next: bool = False,
    ) -> None:
        """Append one w:p; ``ppr_extra`` is pPr content that follows pageBreakBefore."""
        ppr = self.ref.p_style_xml.get(style, "") if style else ""
        if keep_next:
            ppr += "<w:keepNext/>"
        if self.page_break:
            ppr += "<w:pageBreakBefore/>"
            self.page_break = False
        if self.last_was_table and style == self.ref.p_normal:
            # Text right under a table would touch it: the table style can give no space after.
            spacing = f'<w:spacing w:before="{_AFTER_TABLE}"/>'
            if ppr_extra.startswith("<w:numPr>"):
                cut = ppr_extra.index("</w:numPr>") + len("</w:numPr>")
                ppr_extra = ppr_extra[:cut] + spacing + ppr_extra[cut:]
            else:
                ppr_extra = spacing + ppr_extra
        if ppr_extra:
            ppr += ppr_extra
        out = self.out
        out.append(f"<w:p><w:pPr>{ppr}</w:pPr>" if ppr else "<w:p>")
        if segments:
            self.runs(segments)
        out.append("</w:p>")
        self.last_was_table = False

    def runs(self, segments: list[Segment]) -> None:
        """Append the runs of ``segments`` (whitespace already collapsed by ``add``)."""
        last = segments[-1]
        if not last[0] & _CODE and last[1].endswith(" "):
            last[1] = last[1].rstrip(" ")
        # Escape the paragraph's text in one pass; cleaned text never holds the separator.
        joined = _SEPARATOR.join([text for _, text in segments]) if len(segments) > 1 else last[1]
        joined = _escape(joined)
        if _BR in joined:
            joined = joined.replace(_BR, '</w:t><w:br/><w:t xml:space="preserve">')
        if _TAB in joined:
            joined = joined.replace(_TAB, '</w:t><w:tab/><w:t xml:space="preserve">')
        if len(segments) == 1 and last[0] < 16:  # one run, no hyperlink: most paragraphs
            if joined:
                self.out.append(f"{self.ref.run_open[last[0]]}{joined}</w:t></w:r>")
            return
        texts = joined.split(_SEPARATOR)
        out = self.out
        run_open = self.ref.run_open
        link_prefix = self.ref._link_prefix
        open_link = 0
        for (key, _), text in zip(segments, texts, strict=True):
            if not text:
                continue
            link = key >> 4
            if link != open_link:
                if open_link:
                    out.append("</w:hyperlink>")
                if link:
                    out.append(f'<w:hyperlink r:id="{link_prefix}{link}" w:history="1">')
                open_link = link
            out.append(f"{run_open[key & 15]}{text}</w:t></w:r>")
        if open_link:
            out.append("</w:hyperlink>")

    # -- inline content ----------------------------------------------------------------------

    def inline(self, el: Element) -> list[Segment]:
        segments: list[Segment] = []
        if len(el):
            self.collect(el, 0, segments)
        elif el.text:  # text only, as in most table cells
            self.add(el.text, 0, segments)
        return segments

    def plain(self, text: str | None) -> list[Segment]:
        segments: list[Segment] = []
        if text:
            self.add(text, 0, segments)
        return segments

    def add(self, text: str, key: int, segments: list[Segment]) -> None:
        """Append ``text`` (as it sits in the tree) with formatting ``key`` to ``segments``.

        Whitespace is collapsed as HTML does, across element boundaries too: no leading
        spaces in a paragraph, none after a space or a line break.
        """
        # Fast path in C for ordinary text; anything unusual (controls, newlines, NBSP, format
        # characters, entities) takes the careful path, which keeps what must be kept.
        if not text.isprintable() or "&" in text or "  " in text:
            text = _clean(text, self.stash)
            if key & _CODE:
                text = text.replace("\r\n", " ").replace("\n", " ").replace("\t", " ")
            else:
                text = _WHITESPACE.sub(" ", text)
            if not text:
                return
        if (
            text[0] == " "
            and not key & _CODE
            and (not segments or segments[-1][1][-1] in _SPACE_OR_BR)
        ):
            text = text.lstrip(" ")
            if not text:
                return
        if segments and segments[-1][0] == key:
            segments[-1][1] += text
        else:
            segments.append([key, text])

    def line_break(self, key: int, segments: list[Segment]) -> None:
        """Append a <w:br/> marker, dropping the spaces before it as HTML does."""
        while segments and not segments[-1][0] & _CODE and segments[-1][1].endswith(" "):
            segments[-1][1] = segments[-1][1].rstrip(" ")
            if segments[-1][1]:
                break
            segments.pop()
        if segments and segments[-1][0] == key:
            segments[-1][1] += _BR
        else:
            segments.append([key, _BR])

    def collect(self, el: Element, key: int, segments: list[Segment]) -> None:
        add = self.add
        text = el.text
        if text:
            add(text, key, segments)
        for child in el:
            flag = _INLINE_FLAGS.get(child.tag)  # the common case, without a call
            if flag is not None:
                self.collect(child, key | flag, segments)
            else:
                self.collect_child(child, key, segments)
            tail = child.tail
            if tail:
                add(tail, key, segments)

    def collect_child(self, child: Element, key: int, segments: list[Segment]) -> None:
        tag = child.tag
        flag = _INLINE_FLAGS.get(tag)
        if flag is not None:
            self.collect(child, key | flag, segments)
        elif tag == "a":
            link = self.hyperlink(child.get("href")) if key < 16 else 0
            self.collect(child, key | _LINK | link << 4 if link else key, segments)
        elif tag == "br":
            self.line_break(key, segments)
        elif tag == "img":
            alt = child.get("alt")
            if alt:
                self.add(alt, key, segments)
        elif isinstance(tag, str):  # any other inline element: its text, unformatted
            self.collect(child, key, segments)

    def hyperlink(self, href: str | None) -> int:
        """Return the number of the external relationship for ``href``, or 0 if not linkable."""
        if not href:
            return 0
        target = _clean(href, self.stash).strip()
        scheme, colon, _rest = target.partition(":")
        if not colon or scheme.lower() not in _LINK_SCHEMES:
            return 0
        target = target.replace(" ", "%20")
        number = self.links.get(target)
        if number is None:
            number = self.links[target] = len(self.links) + 1
        return number

    def preformatted(self, el: Element) -> list[Segment]:
        text = _clean("".join(el.itertext()), self.stash).rstrip("\n")
        text = text.replace("\r\n", "\n").replace("\r", "\n")
        return [[_CODE, text.replace("\n", _BR).replace("\t", _TAB)]] if text else []

    # -- lists -------------------------------------------------------------------------------

    def list(
        self, el: Element, depth: int, quote: str | None, outer_num: int | None = None
    ) -> None:
        """Write a ul/ol; ``outer_num`` is the w:num of the nearest enclosing ordered list."""
        ordered = el.tag.lower() == "ol"
        ref = self.ref
        style = (ref.p_number if ordered else ref.p_bullet) or ref.p_normal
        level = min(depth, _MAX_LIST_LEVEL)
        num_id, num_level, indent = self.list_numbering(el, ordered, level, outer_num)
        if num_id is None:
            numbered = continued = ""
        else:
            numbered = (
                f'<w:numPr><w:ilvl w:val="{num_level}"/><w:numId w:val="{num_id}"/></w:numPr>'
            )
            continued = f'<w:numPr><w:ilvl w:val="{num_level}"/><w:numId w:val="0"/></w:numPr>'
            if indent is not None:  # the list sits deeper than its own numbering level
                left, hanging = indent
                hanging_attr = f' w:hanging="{hanging}"' if hanging else ""
                numbered += f'<w:ind w:left="{left}"{hanging_attr}/>'
                continued += f'<w:ind w:left="{left}"/>'
            else:
                own = self.indent(ordered, num_level)
                if own is not None:
                    continued += f'<w:ind w:left="{own[0]}"/>'
        inner_num = num_id if ordered else outer_num

        self.loose_text(el.text, quote)
        for item in el:
            tag = item.tag.lower() if isinstance(item.tag, str) else ""
            if tag != "li":
                self.block(item, quote)
                self.loose_text(item.tail, quote)
                continue
            first = True
            pending: list[Segment] = []
            item_class = item.get("class")
            item_style = (ref.class_style(item_class) if item_class else None) or style
            if item.text:
                self.add(item.text, 0, pending)
            for child in item:
                child_tag = child.tag.lower() if isinstance(child.tag, str) else ""
                if child_tag in _BLOCKS:
                    # Text before a block is the item's own paragraph (an empty one if the
                    # item starts with a list or table, so that its number or bullet shows).
                    has_text = any(not text.isspace() for _, text in pending)
                    if has_text or (first and child_tag != "p"):
                        self.paragraph(item_style, pending, numbered if first else continued)
                        first = False
                    pending = []
                    if child_tag == "p":
                        p_class = child.get("class")
                        p_style = (ref.class_style(p_class) if p_class else None) or item_style
                        self.paragraph(
                            p_style, self.inline(child), numbered if first else continued
                        )
                        first = False
                    elif child_tag in ("ul", "ol"):
                        self.list(child, depth + 1, quote, inner_num)
                    else:
                        self.block(child, quote)
                else:
                    self.collect_child(child, 0, pending)
                if child.tail:
                    self.add(child.tail, 0, pending)
            if first or any(not text.isspace() for _, text in pending):
                self.paragraph(item_style, pending, numbered if first else continued)

    def indent(self, ordered: bool, level: int) -> tuple[str, str | None] | None:
        numbering = self.numbering
        abstract = numbering.decimal_abstract if ordered else numbering.bullet_abstract
        return numbering.indents.get((abstract, level))

    def list_numbering(
        self, el: Element, ordered: bool, level: int, outer_num: int | None
    ) -> tuple[int | None, int, tuple[str, str | None] | None]:
        """Return (numId, ilvl, indent to apply directly or None) for the items of ``el``."""
        numbering = self.numbering
        if numbering is None:
            return None, level, None
        if not ordered:
            if self.bullet_num is None and numbering.bullet_abstract is not None:
                self.bullet_num = self.new_num(numbering.bullet_abstract, level, 1)
            return self.bullet_num, level, None
        if numbering.decimal_abstract is None:
            return None, level, None
        start = el.get("start")
        try:
            start_at = max(0, int(start)) if start is not None else 1
        except ValueError:
            start_at = 1
        if outer_num is not None and start is None:
            # Nested in a numbered item: the outer list's next level ("2.1.", "2.2."), which
            # restarts by itself after every outer item.
            return outer_num, level, None
        if level == 0 or outer_num is not None:
            return self.new_num(numbering.decimal_abstract, level, start_at), level, None
        # Numbered list under bullets: numbered from its own first level, indented like them.
        bullet_indent = numbering.indents.get((numbering.bullet_abstract, level))
        own = self.indent(True, 0)
        indent = (bullet_indent[0], own[1] if own else None) if bullet_indent else None
        return self.new_num(numbering.decimal_abstract, 0, start_at), 0, indent

    def new_num(self, abstract: int, level: int, start: int) -> int:
        num_id = self.next_num
        self.next_num += 1
        overrides = "".join(
            f'<w:lvlOverride w:ilvl="{lvl}"><w:startOverride w:val="{start if lvl == level else 1}"'
            "/></w:lvlOverride>"
            for lvl in range(_MAX_LIST_LEVEL + 1)
        )
        self.nums.append(
            f'<w:num w:numId="{num_id}"><w:abstractNumId w:val="{abstract}"/>{overrides}</w:num>'
        )
        return num_id

    # -- tables and rules --------------------------------------------------------------------

    def table(self, el: Element, keep_with_next: bool = False) -> None:
        """Write a table. Its rows never split; a table of up to ``KEEP_ROWS`` rows stays on one
        page, a longer one ends with at least two rows on its last page; with
        ``keep_with_next`` its last row stays with the paragraph after it."""
        rows: list[tuple[bool, list[Element]]] = []
        for part in el:
            tag = part.tag.lower() if isinstance(part.tag, str) else ""
            if tag == "tr":
                rows.append((False, [c for c in part if c.tag in ("th", "td")]))
            elif tag in ("thead", "tbody", "tfoot"):
                for tr in part:
                    if tr.tag == "tr":
                        cells = [c for c in tr if c.tag in ("th", "td")]
                        rows.append((tag == "thead", cells))
        if not rows:
            return
        if not any(header for header, _ in rows) and all(c.tag == "th" for c in rows[0][1]):
            rows[0] = (True, rows[0][1])
        columns = max(len(cells) for _, cells in rows) or 1
        texts = [[self.inline(c) for c in cells] for _, cells in rows]

        widths = _column_widths(texts, columns, self.ref.text_width, rows[0][0])
        last = len(rows) - 1
        kept = set(range(last)) if len(rows) <= KEEP_ROWS else {0, last - 1}
        if keep_with_next:
            kept.add(last)

        ref = self.ref
        out = self.out
        if self.page_break:  # a table cannot carry pageBreakBefore itself
            out.append('<w:p><w:r><w:br w:type="page"/></w:r></w:p>')
            self.page_break = False
        elif self.last_was_table:  # two tables in a row would fuse into one
            self.paragraph(ref.p_normal, [])
        style = f'<w:tblStyle w:val="{_escape_attr(ref.t_table)}"/>' if ref.t_table else ""
        out.append(
            f'<w:tbl><w:tblPr>{style}<w:tblW w:w="5000" w:type="pct"/>'
            '<w:tblLook w:val="0420" w:firstRow="1" w:lastRow="0" w:firstColumn="0"'
            ' w:lastColumn="0" w:noHBand="0" w:noVBand="1"/></w:tblPr><w:tblGrid>'
        )
        out.extend(f'<w:gridCol w:w="{w}"/>' for w in widths)
        out.append("</w:tblGrid>")
        for number, ((header, cells), row) in enumerate(zip(rows, texts, strict=True)):
            keep = number in kept
            out.append("<w:tr><w:trPr><w:cantSplit/>")
            out.append("<w:tblHeader/></w:trPr>" if header else "</w:trPr>")
            for i in range(columns):
                out.append(f'<w:tc><w:tcPr><w:tcW w:w="{widths[i]}" w:type="dxa"/></w:tcPr>')
                if i < len(cells):
                    cell = cells[i]
                    heading = header or cell.tag == "th"
                    style = (ref.p_head_cell if heading else ref.p_cell) or ref.p_normal
                    jc = _cell_jc(cell.get("style"), cell.get("align"))
                    self.paragraph(style, row[i], jc, keep)
                else:
                    self.paragraph(ref.p_cell or ref.p_normal, [], "", keep)
                out.append("</w:tc>")
            out.append("</w:tr>")
        out.append("</w:tbl>")
        self.last_was_table = True

    def rule(self) -> None:
        if self.ref.p_rule:
            self.paragraph(self.ref.p_rule, [])
        else:
            self.paragraph(self.ref.p_normal, [], _RULE_BORDER)

    # -- the package -------------------------------------------------------------------------

    def document_xml(self) -> bytes:
        if self.page_break:  # a break with nothing after it
            self.out.append('<w:p><w:r><w:br w:type="page"/></w:r></w:p>')
        elif self.last_was_table:  # Word wants a paragraph after a final table
            self.paragraph(self.ref.p_normal, [])
        ref = self.ref
        return (ref._doc_head + "".join(self.out) + ref._doc_tail).encode()

    def rels_xml(self) -> bytes:
        prefix = self.ref._link_prefix
        links = "".join(
            _relationship(f"{prefix}{number}", RT_HYPERLINK, target, "External")
            for target, number in self.links.items()
        )
        return (self.ref._rels_head + links + "</Relationships>").encode()


def _core_xml(meta: DocMeta) -> bytes:
    def text(value: str) -> str:
        return _escape(_FORBIDDEN.sub("", value))

    when = f"{meta.created.year:04d}-{meta.created.month:02d}-{meta.created.day:02d}T00:00:00Z"
    return (
        _XML_DECL
        + '<cp:coreProperties xmlns:cp="http://schemas.openxmlformats.org/package/2006/metadata/'
        'core-properties" xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:dcterms='
        '"http://purl.org/dc/terms/" xmlns:dcmitype="http://purl.org/dc/dcmitype/" xmlns:xsi='
        '"http://www.w3.org/2001/XMLSchema-instance">'
        f"<dc:title>{text(meta.title)}</dc:title>"
        f"<dc:subject>{text(meta.subject)}</dc:subject>"
        f"<dc:creator>{text(meta.author)}</dc:creator>"
        f"<cp:keywords>{text(meta.keywords)}</cp:keywords>"
        f"<dc:language>{text(meta.language)}</dc:language>"
        f"<cp:lastModifiedBy>{text(meta.author)}</cp:lastModifiedBy>"
        "<cp:revision>1</cp:revision>"
        f'<dcterms:created xsi:type="dcterms:W3CDTF">{when}</dcterms:created>'
        f'<dcterms:modified xsi:type="dcterms:W3CDTF">{when}</dcterms:modified>'
        "</cp:coreProperties>"
    ).encode()


def render_docx(
    body: Element,
    meta: DocMeta,
    reference: Path,
    *,
    html_stash: Sequence[object] = (),
    supplier: Any = None,
) -> tuple[bytes, dict[str, bytes]]:
    """Return (the .docx bytes, {part name: uncompressed bytes} of every part in the package).

    ``body`` is the element Python-Markdown builds (a ``div`` of block elements); its text is
    written with the reference's styles only. ``html_stash`` may carry the Markdown instance's
    ``htmlStash.rawHtmlBlocks`` so that entities and raw HTML it set aside keep their text.
    ``supplier`` (``name``, ``address``, ``website``, ``line``) fills the placeholders
    ``{supplier.name}``, ... of the reference's header and footer.
    """
    ref = Reference.load(reference)
    writer = _Writer(ref, html_stash)
    writer.blocks(body)
    document = writer.document_xml()

    entries = [*ref._head_entries, _Entry.make(CORE, _core_xml(meta)), ref._app_entry]
    entries.append(_Entry.make(DOCUMENT, document))
    entries.append(_Entry.make(DOCUMENT_RELS, writer.rels_xml()))
    numbering = ref.numbering_entry(writer.nums)
    fields = {name: getattr(supplier, name, None) or "" for name in SUPPLIER_FIELDS}
    word = [ref.styles_entry(meta.language), *ref.static_entries(fields)]
    if numbering is not None:
        word.append(numbering)
    entries.extend(sorted(word, key=operator.attrgetter("name")))
    return _zip(entries), {e.name: e.raw for e in entries}
