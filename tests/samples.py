"""The shipped samples rendered once, for the tests that check whole documents (PDF pages, the
OOXML and HTML validators, the Markdown read by a CommonMark parser)."""

from __future__ import annotations

import datetime as dt
import os
import shutil
import subprocess
from pathlib import Path

from helpers import ROOT

from kamdocs import app
from kamdocs.workspace import find_workspace

DATE = dt.date(2026, 11, 26)
SOFFICE = shutil.which("soffice")
PDFTOTEXT = shutil.which("pdftotext")
TOOLS = ROOT / ".tools" / "node_modules"  # where .ci/run installs the npm tools


def render_samples(out: Path, formats: tuple[str, ...] = ("md", "docx", "html")) -> list[Path]:
    """Every sample dossier of the repository in ``formats`` into ``out``; the files written."""
    workspace = find_workspace(ROOT)
    written = app.render(workspace, None, formats, out, date=DATE)
    return sorted(out / name for name, _ in written.outputs)


def to_pdf(docx: list[Path], out: Path, profile: Path, env: dict[str, str] | None = None) -> None:
    """Convert ``docx`` to PDF in ``out`` with one LibreOffice run of its own profile."""
    subprocess.run(
        [
            SOFFICE or "soffice",
            f"-env:UserInstallation={profile.as_uri()}",
            "--headless",
            "--convert-to",
            "pdf",
            "--outdir",
            str(out),
            *map(str, docx),
        ],
        check=True,
        capture_output=True,
        timeout=300,
        env={**os.environ, **(env or {})},
    )


def pages(pdf: Path, layout: bool = False) -> list[str]:
    """The text of each page of ``pdf`` (pdftotext)."""
    args = [PDFTOTEXT or "pdftotext", "-enc", "UTF-8"] + (["-layout"] if layout else [])
    text = (
        subprocess.run([*args, str(pdf), "-"], check=True, capture_output=True, timeout=120)
        .stdout.decode("utf-8")
        .replace("\u00a0", " ")
    )
    return text.split("\f")[:-1] if text.endswith("\f") else text.split("\f")


def npm_tool(package: str) -> Path | None:
    """The folder of an npm package: in .tools (installed by .ci/run) or the global one."""
    local = TOOLS / package
    if local.is_dir():
        return local
    npm = shutil.which("npm")
    if npm is None:
        return None
    try:
        root = subprocess.run(
            [npm, "root", "-g"], check=True, capture_output=True, text=True, timeout=60
        ).stdout.strip()
    except (OSError, subprocess.SubprocessError):
        return None
    found = Path(root) / package
    return found if found.is_dir() else None
