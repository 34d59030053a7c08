"""Every sample's DOCX opens in LibreOffice and prints the client, the team and the expiry date."""

from __future__ import annotations

import datetime as dt
import json
import shutil
import subprocess
from pathlib import Path

import pytest
import yaml
from babel.dates import format_date
from click.testing import CliRunner
from helpers import ROOT

from kamdocs.cli import main

pytestmark = [
    pytest.mark.libreoffice,
    pytest.mark.skipif(
        shutil.which("soffice") is None or shutil.which("pdftotext") is None,
        reason="needs LibreOffice (soffice) and pdftotext",
    ),
]
DATE = "2026-11-26"
CLOSING = {"en": "valid until", "bg": "валидна до"}


def same(text: str) -> str:
    """Whitespace as one plain space: pdftotext breaks lines, Babel puts no-break spaces."""
    return " ".join(text.split())


def expiry(offer: dict) -> dt.date:
    if offer.get("valid_until"):
        return offer["valid_until"]
    issued = offer.get("issued") or dt.date.fromisoformat(DATE)
    return issued + dt.timedelta(days=offer.get("valid_days", 30))


def test_every_sample_converts_to_pdf_with_its_facts(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    out = tmp_path / "docx"
    monkeypatch.chdir(ROOT)
    result = CliRunner().invoke(main, ["build", "-f", "docx", "-o", str(out), "--date", DATE])
    assert result.exit_code == 0, result.output
    manifest = json.loads((out / "manifest.json").read_text("utf-8"))
    documents = {o["path"]: ROOT / o["dossier"] for o in manifest["outputs"]}
    samples = [p for p in (ROOT / "dossiers").glob("*.yaml") if not p.name.startswith("_")]
    assert len(documents) == len(samples) > 0

    pdf = tmp_path / "pdf"
    done = subprocess.run(
        [
            "soffice",
            f"-env:UserInstallation=file://{tmp_path}/lo",
            "--headless",
            "--convert-to",
            "pdf",
            "--outdir",
            str(pdf),
            *sorted(str(out / n) for n in documents),
        ],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert done.returncode == 0, done.stdout + done.stderr

    for name, source in sorted(documents.items()):
        target = pdf / name.replace(".docx", ".pdf")
        assert target.is_file(), f"LibreOffice made no PDF of {name}: {done.stdout}{done.stderr}"
        text = subprocess.run(
            ["pdftotext", "-enc", "UTF-8", str(target), "-"],
            capture_output=True,
            text=True,
            timeout=60,
            check=True,
        ).stdout
        text = same(text)
        data = yaml.safe_load(source.read_text("utf-8"))
        lang = data["client"].get("locale", "en")
        assert same(data["client"]["name"]) in text, (name, data["client"]["name"])
        for member in data["team"]:
            assert same(member["name"]) in text, (name, member["name"])
        when = format_date(expiry(data["offer"]), "long", locale=lang)
        assert same(f"{CLOSING[lang]} {when}") in text, (name, when)
