"""`-f pdf`: the DOCX through LibreOffice headless, many documents per start, fonts embedded, the
same bytes for the same input, listed in the manifest and kept when up to date."""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import subprocess
from pathlib import Path

import pytest
import yaml
from helpers import ROOT, run

from kamdocs.render import pdf

DATE = "2026-11-26"
needs_libreoffice = pytest.mark.skipif(
    shutil.which("soffice") is None or shutil.which("pdftotext") is None,
    reason="needs LibreOffice (soffice) and poppler (pdftotext, pdffonts)",
)


def text_of(path: Path) -> str:
    done = subprocess.run(
        ["pdftotext", "-enc", "UTF-8", str(path), "-"],
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    return " ".join(done.stdout.split())


def fonts_of(path: Path) -> list[list[str]]:
    """pdffonts' rows: name, ..., emb, sub, uni, object, generation."""
    done = subprocess.run(
        ["pdffonts", str(path)], capture_output=True, text=True, timeout=60, check=True
    )
    return [line.split() for line in done.stdout.splitlines()[2:]]


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


@pytest.fixture
def samples(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """The project's workspace as the current folder; outputs go to ``tmp_path``."""
    monkeypatch.chdir(ROOT)
    return tmp_path


def client_name(dossier: Path) -> str:
    return yaml.safe_load(dossier.read_text("utf-8"))["client"]["name"]


@pytest.mark.libreoffice
@needs_libreoffice
def test_render_pdf_of_a_sample(samples: Path) -> None:
    out = samples / "out"
    result = run("render", "dossiers/vitapharma.yaml", "-f", "pdf", "-o", str(out), "--date", DATE)
    assert result.exit_code == 0, result.output
    assert result.stdout == f"wrote {out}/vitapharma.pdf\n"
    assert sorted(os.listdir(out)) == ["manifest.json", "vitapharma.pdf"]  # no DOCX asked for
    target = out / "vitapharma.pdf"
    assert target.read_bytes().startswith(b"%PDF-")
    text = text_of(target)
    assert client_name(ROOT / "dossiers/vitapharma.yaml") in text
    assert "Ралица Петрова" in text  # the team
    rows = fonts_of(target)
    assert rows and all(row[-5] == "yes" for row in rows), rows  # every font embedded
    info = subprocess.run(
        ["pdfinfo", str(target)], capture_output=True, text=True, timeout=60, check=True
    )
    assert "CreationDate:    Thu Nov 26 00:00:00 2026 UTC" in info.stdout
    assert info.stderr == ""  # the cross-reference table laid out again is sound
    manifest = json.loads((out / "manifest.json").read_text("utf-8"))
    [entry] = manifest["outputs"]
    assert entry["path"] == "vitapharma.pdf"
    assert entry["sha256"] == sha256(target)
    assert entry["dossier"] == "dossiers/vitapharma.yaml"
    # The same input, the same bytes: LibreOffice's clock is not in the file.
    again = samples / "again"
    result = run(
        "render", "dossiers/vitapharma.yaml", "-f", "pdf", "-o", str(again), "--date", DATE
    )
    assert result.exit_code == 0, result.output
    assert (again / "vitapharma.pdf").read_bytes() == target.read_bytes()


@pytest.mark.libreoffice
@needs_libreoffice
def test_a_parallel_batch_gives_every_pdf_and_keeps_them(
    samples: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    started: list[list[str]] = []
    real_start = pdf.Converter._start

    def start(self: pdf.Converter, i: int, part: list[str]):  # noqa: ANN202
        started.append(part)
        return real_start(self, i, part)

    monkeypatch.setattr(pdf.Converter, "_start", start)
    monkeypatch.setattr(pdf, "workers", lambda: 3)  # three LibreOffice at once, on any machine
    out = samples / "site"
    result = run("build", "-f", "docx,pdf", "-o", str(out), "--date", DATE)
    assert result.exit_code == 0, result.output
    dossiers = sorted(p for p in (ROOT / "dossiers").glob("*.yaml") if not p.name.startswith("_"))
    assert len(started) == 3  # a list of files per LibreOffice start, not one start a file
    assert sorted(slug for part in started for slug in part) == sorted(p.stem for p in dossiers)
    manifest = json.loads((out / "manifest.json").read_text("utf-8"))
    listed = {o["path"]: o for o in manifest["outputs"]}
    for dossier in dossiers:
        target = out / f"{dossier.stem}.pdf"
        assert listed[target.name]["sha256"] == sha256(target)
        assert " ".join(client_name(dossier).split()) in text_of(target), target.name
    # Up to date: the next build starts no LibreOffice at all.
    started.clear()
    result = run("build", "-f", "docx,pdf", "-o", str(out), "--date", DATE)
    assert result.exit_code == 0, result.output
    assert f"({2 * len(dossiers)} up to date" in result.stdout
    assert started == []


def test_pdf_without_libreoffice_is_an_error(ws: Path) -> None:
    empty = ws / "bin"
    empty.mkdir()
    for command in (["render", "dossiers/acme.yaml"], ["build"]):
        result = run(*command, "-f", "md,pdf", "-o", "out", env={"PATH": str(empty)})
        assert result.exit_code == 1, result.output
        assert result.stderr == "-f pdf needs LibreOffice: install libreoffice-writer-nogui\n"
        assert result.stdout == ""
        assert not (ws / "out").exists()


@pytest.mark.libreoffice
@needs_libreoffice
def test_a_conversion_over_its_time_limit_writes_nothing(
    ws: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(pdf, "START_SECONDS", 0)
    monkeypatch.setattr(pdf, "SECONDS_PER_DOCUMENT", 0)
    result = run("render", "dossiers/acme.yaml", "-f", "md,pdf", "-o", "out", "--date", DATE)
    assert result.exit_code == 1, result.output
    assert result.stderr == (
        "LibreOffice did not convert acme-logistics-ad.docx to PDF within 0 s\n"
    )
    assert not (ws / "out").exists() or os.listdir(ws / "out") == []


def test_split_spreads_the_documents_over_the_converters() -> None:
    names = [f"d{i}" for i in range(7)]
    assert pdf._split(names, 3) == [["d0", "d1", "d2"], ["d3", "d4"], ["d5", "d6"]]
    assert pdf._split(names[:1], 2) == [["d0"], []]
