"""PDF: each proposal's DOCX converted by LibreOffice headless, many documents per start.

A batch's DOCX files are written to a private temporary folder, split over the cores, and each
part converted by one ``soffice`` with a profile of its own (LibreOffice instances sharing a
profile lose files), under a time limit. The PDFs are PDF/A-2b (every font embedded), and the
dates and identifiers LibreOffice takes from the clock are replaced by ones derived from the
build date and the document, so that the same DOCX gives the same PDF bytes.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import hashlib
import os
import re
import shutil
import signal
import subprocess
import tempfile
import zlib
from collections.abc import Iterator
from pathlib import Path
from types import TracebackType

from kamdocs.errors import KamdocsError, OutputError

INSTALL = "-f pdf needs LibreOffice: install libreoffice-writer-nogui"
PROGRAMS = ("soffice", "libreoffice")
# PDF/A-2b: every font embedded, no transparency or encryption surprises.
FILTER = 'pdf:writer_pdf_Export:{"SelectPdfVersion":{"type":"long","value":"2"}}'
START_SECONDS = 120  # time limit of one LibreOffice start, plus ...
SECONDS_PER_DOCUMENT = 30  # ... this for each document it converts


class NoLibreOffice(KamdocsError):
    """``-f pdf`` without LibreOffice on the PATH (exit 1)."""


def soffice() -> str:
    """The LibreOffice program on the PATH; ``NoLibreOffice`` when there is none."""
    for name in PROGRAMS:
        found = shutil.which(name)
        if found:
            return found
    raise NoLibreOffice(INSTALL)


def version_key(program: str) -> str:
    """What identifies the LibreOffice build that makes the PDFs, cheaply (no start): its
    ``versionrc`` where it has one, else the program's path, size and time."""
    real = Path(program).resolve()
    for candidate in (real.parent / "versionrc", real.parent / "program" / "versionrc"):
        with contextlib.suppress(OSError):
            return hashlib.sha256(candidate.read_bytes()).hexdigest()
    stat = real.stat()
    return f"{real}:{stat.st_size}:{stat.st_mtime_ns}"


def workers() -> int:
    from kamdocs.build import workers as cores  # noqa: PLC0415

    return cores()


class Converter:
    """Collects a batch's DOCX files, then converts them all; use as a context manager (the
    temporary folder goes, whatever happens)."""

    def __init__(self, program: str, created: dt.date, processes: int | None = None):
        self.program = program
        self.created = created
        self.processes = processes or workers()
        self.folder = Path(tempfile.mkdtemp(prefix="kamdocs-pdf-"))  # private: mode 0700
        self.slugs: list[str] = []

    def __enter__(self) -> Converter:
        return self

    def __exit__(
        self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        shutil.rmtree(self.folder, ignore_errors=True)

    def add(self, slug: str, docx: bytes) -> None:
        """Queue one proposal's DOCX for conversion to ``<slug>.pdf``."""
        (self.folder / "in").mkdir(exist_ok=True)
        (self.folder / "in" / f"{slug}.docx").write_bytes(docx)
        self.slugs.append(slug)

    def convert(self) -> Iterator[tuple[str, bytes]]:
        """``(<slug>.pdf, bytes)`` of every document queued, in the order they were added."""
        if not self.slugs:
            return
        parts = [part for part in _split(self.slugs, self.processes) if part]
        running = [self._start(i, part) for i, part in enumerate(parts)]
        try:
            for (process, part), limit in zip(
                running, (_limit(len(part)) for part in parts), strict=True
            ):
                try:
                    _, err = process.communicate(timeout=limit)
                except subprocess.TimeoutExpired:
                    raise OutputError(
                        f"LibreOffice did not convert {part[0]}.docx"
                        f"{f' and {len(part) - 1} more' if len(part) > 1 else ''} to PDF within "
                        f"{limit} s"
                    ) from None
                for slug in part:
                    if not (self.folder / "out" / f"{slug}.pdf").is_file():
                        detail = " ".join(err.split())[-300:]
                        raise OutputError(
                            f"{slug}.pdf: LibreOffice made no PDF of {slug}.docx"
                            f" (exit {process.returncode}){': ' + detail if detail else ''}"
                        )
        finally:
            for process, _ in running:
                _end(process)
        for slug in self.slugs:
            data = (self.folder / "out" / f"{slug}.pdf").read_bytes()
            yield f"{slug}.pdf", pin(data, self.created)

    def _start(self, i: int, part: list[str]) -> tuple[subprocess.Popen[str], list[str]]:
        profile = self.folder / f"profile-{i}"  # one per concurrent LibreOffice
        command = [
            self.program,
            f"-env:UserInstallation={profile.as_uri()}",
            "--headless",
            "--norestore",
            "--nolockcheck",
            "--convert-to",
            FILTER,
            "--outdir",
            str(self.folder / "out"),
            *(str(self.folder / "in" / f"{slug}.docx") for slug in part),
        ]
        try:
            process = subprocess.Popen(
                command,
                stdin=subprocess.DEVNULL,
                stdout=subprocess.DEVNULL,
                stderr=subprocess.PIPE,
                text=True,
                start_new_session=True,  # its own group: ended with all it starts
            )
        except OSError as exc:
            raise OutputError(f"{self.program}: cannot start LibreOffice: {exc.strerror}") from None
        return process, part


def _split(items: list[str], n: int) -> list[list[str]]:
    """``items`` in ``n`` contiguous parts of nearly equal size."""
    size, extra = divmod(len(items), n)
    parts, start = [], 0
    for i in range(n):
        end = start + size + (1 if i < extra else 0)
        parts.append(items[start:end])
        start = end
    return parts


def _limit(documents: int) -> int:
    return START_SECONDS + SECONDS_PER_DOCUMENT * documents


def _end(process: subprocess.Popen[str]) -> None:
    """Make sure a LibreOffice started here has ended, with everything it started."""
    if process.poll() is None:
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(process.pid, signal.SIGKILL)
    with contextlib.suppress(subprocess.TimeoutExpired, OSError):
        process.communicate(timeout=10)


# --- the same DOCX, the same PDF -----------------------------------------------------------------

_INFO_DATE = re.compile(rb"/(CreationDate|ModDate)\s*\((D:\d{14})([^)]*)\)")
_XMP_DATE = re.compile(
    rb"<(xmp:CreateDate|xmp:ModifyDate|xmp:MetadataDate)>(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d)([^<]*)<"
)
_ID = re.compile(rb"/ID\s*\[\s*<([0-9A-Fa-f]+)>\s*<([0-9A-Fa-f]+)>\s*\]")
_CHECKSUM = re.compile(rb"/DocChecksum\s*/([0-9A-Fa-f]{32})")
_ICC_STREAM = re.compile(rb"<</N 3/Length (?:(\d+)|(\d+) 0 R)/Filter/FlateDecode>>\nstream\n")
_OBJECT = re.compile(rb"(?<=[\n\r])(\d+) 0 obj\b")
_XREF = re.compile(rb"\nxref\n0 (\d+)\n")


def _zone(rest: bytes) -> bytes:
    """A time zone suffix (``Z``, ``+02'00'``, ``+02:00``) as UTC, of the same length."""
    return re.sub(rb"\d", b"0", rest.replace(b"-", b"+"))


def pin(data: bytes, created: dt.date) -> bytes:
    """``data`` (a PDF LibreOffice wrote) with every clock-derived value fixed: the document
    dates are ``created`` at midnight UTC, the colour profile's date too, and the file
    identifier and checksum are derived from the rest of the file."""
    day = created.strftime("%Y%m%d").encode()
    iso = created.isoformat().encode()
    data = _INFO_DATE.sub(
        lambda m: b"/%s(D:%s000000%s)" % (m.group(1), day, _zone(m.group(3))), data
    )
    data = _XMP_DATE.sub(
        lambda m: b"<%s>%sT00:00:00%s<" % (m.group(1), iso, _zone(m.group(3))), data
    )
    data = _pin_colour_profile(data, created)
    blank = _ID.sub(lambda m: b"/ID [ <%s> <%s> ]" % (b"0" * 32, b"0" * 32), data)
    blank = _CHECKSUM.sub(b"/DocChecksum /" + b"0" * 32, blank)
    digest = hashlib.md5(blank, usedforsecurity=False).hexdigest().upper().encode()
    data = _ID.sub(lambda m: b"/ID [ <%s>\n<%s> ]" % (digest, digest), data)
    return _CHECKSUM.sub(b"/DocChecksum /" + digest, data)


def _pin_colour_profile(data: bytes, created: dt.date) -> bytes:
    """The sRGB profile of the PDF/A output intent carries the time it was made (bytes 24-35
    of its header); set it to ``created`` and lay out the file's cross-reference table again."""
    match = _ICC_STREAM.search(data)
    if match is None:
        return data
    direct, ref = match.group(1), match.group(2)
    holder = None
    if ref is not None:  # /Length N 0 R: the length is an object of its own
        holder = re.search(rb"\n%s 0 obj\n(\d+)\nendobj" % ref, data)
        if holder is None:
            return data
        length = int(holder.group(1))
    else:
        length = int(direct)
    start = match.end()
    try:
        profile = bytearray(zlib.decompress(data[start : start + length]))
    except zlib.error:
        return data
    if len(profile) < 40 or profile[36:40] != b"acsp":
        return data
    stamp = b"".join(n.to_bytes(2, "big") for n in (created.year, created.month, created.day))
    profile[24:36] = stamp + bytes(6)
    packed = zlib.compress(bytes(profile), 9)
    head = match.group(0)
    if ref is None:
        head = head.replace(b"/Length %d" % length, b"/Length %d" % len(packed))
    data = data[: match.start()] + head + packed + data[start + length :]
    if holder is not None:
        data = re.sub(
            rb"\n%s 0 obj\n\d+\nendobj" % ref,
            b"\n%s 0 obj\n%d\nendobj" % (ref, len(packed)),
            data,
            count=1,
        )
    return _renumber(data)


def _renumber(data: bytes) -> bytes:
    """The cross-reference table and ``startxref`` of a single-section PDF, for where its
    objects now are."""
    xref = _XREF.search(data)
    if xref is None or data.count(b"\nxref\n") != 1:
        return data
    size = int(xref.group(1))
    offsets = {int(m.group(1)): m.start() for m in _OBJECT.finditer(data, 0, xref.start() + 1)}
    rows = [b"0000000000 65535 f \n"]
    for number in range(1, size):
        if number not in offsets:
            return data  # not the layout LibreOffice writes: leave it as it is
        rows.append(b"%010d 00000 n \n" % offsets[number])
    table = b"\nxref\n0 %d\n" % size + b"".join(rows)
    trailer = data.index(b"trailer", xref.end())
    tail = data[trailer:]
    tail = re.sub(rb"startxref\s*\d+", b"startxref\n%d" % (xref.start() + 1), tail)
    return data[: xref.start()] + table + tail
