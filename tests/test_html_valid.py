"""Every sample HTML proposal passes the W3C Nu HTML checker (npm vnu-jar, run with Java,
offline): no error and no warning (its notes on XHTML's "/>", which kamdocs writes on purpose
so the page is also well-formed XML, are information only).

All pages are checked in one Java run. Skipped only where Java or the package is absent; CI
installs it (``.ci/run``, into ``.tools/``).
"""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import pytest
from helpers import ROOT
from samples import npm_tool, render_samples

JAVA = shutil.which("java")
PACKAGE = npm_tool("vnu-jar")
JAR = PACKAGE / "build" / "dist" / "vnu.jar" if PACKAGE else None
SAMPLES = sorted(p.stem for p in (ROOT / "dossiers").glob("*.yaml"))

pytestmark = pytest.mark.skipif(
    JAVA is None or JAR is None or not JAR.is_file(), reason="needs Java and npm's vnu-jar"
)


def check(files: list[Path]) -> dict[str, list[str]]:
    """File name -> the checker's errors and warnings, as "LINE: message"."""
    done = subprocess.run(
        [
            JAVA or "java",
            "-jar",
            str(JAR),
            "--format",
            "json",
            "--exit-zero-always",
            *map(str, files),
        ],
        capture_output=True,
        timeout=600,
    )
    found: dict[str, list[str]] = {f.name: [] for f in files}
    for message in json.loads(done.stderr or done.stdout)["messages"]:
        if message["type"] == "error" or message.get("subType") == "warning":
            name = Path(message.get("url", "?")).name
            found.setdefault(name, []).append(f"{message.get('lastLine')}: {message['message']}")
    return found


@pytest.fixture(scope="module")
def results(tmp_path_factory: pytest.TempPathFactory) -> dict[str, list[str]]:
    return check(render_samples(tmp_path_factory.mktemp("html"), ("html",)))


@pytest.mark.parametrize("slug", SAMPLES)
def test_passes_the_nu_checker(results: dict[str, list[str]], slug: str) -> None:
    assert results[f"{slug}.html"] == []


def test_the_checker_finds_errors(tmp_path: Path) -> None:
    """An image without alt text is an error: the check can fail."""
    page = tmp_path / "bad.html"
    page.write_text(
        '<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8"/><title>x</title></head>'
        '<body><img src="data:image/png;base64,iVBORw0KGgo=" /></body></html>\n',
        "utf-8",
    )
    assert check([page])["bad.html"] != []
