"""Every sample DOCX (and reference.docx) validates against the Office Open XML schemas with
Microsoft's Open XML SDK validator (npm @ooxml-tools/validate, run offline in node).

All files are validated in one node process, once per test run: starting the .NET runtime is
what costs (about 12 s). Skipped only where node or the package is absent; CI installs it
(``.ci/run``, into ``.tools/``).
"""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import pytest
from helpers import ROOT
from samples import npm_tool, render_samples

NODE = shutil.which("node")
PACKAGE = npm_tool("@ooxml-tools/validate")
SCRIPT = Path(__file__).resolve().parent / "tools" / "ooxml_validate.mjs"
SAMPLES = sorted(p.stem for p in (ROOT / "dossiers").glob("*.yaml"))

pytestmark = pytest.mark.skipif(
    NODE is None or PACKAGE is None, reason="needs node and npm's @ooxml-tools/validate"
)


def validate(files: list[Path]) -> dict[str, list[dict]]:
    done = subprocess.run(
        [NODE or "node", str(SCRIPT), str(PACKAGE), *map(str, files)],
        check=True,
        capture_output=True,
        timeout=900,
    )
    return {Path(name).name: errors for name, errors in json.loads(done.stdout).items()}


@pytest.fixture(scope="module")
def results(tmp_path_factory: pytest.TempPathFactory) -> dict[str, list[dict]]:
    out = tmp_path_factory.mktemp("docx")
    files = render_samples(out, ("docx",))
    return validate([*files, ROOT / "templates" / "reference.docx"])


@pytest.mark.parametrize("slug", [*SAMPLES, "reference"])
def test_validates(results: dict[str, list[dict]], slug: str) -> None:
    assert results[f"{slug}.docx"] == []


def test_the_validator_finds_schema_errors(tmp_path: Path) -> None:
    """A w:keepNext after w:spacing (the wrong order) is an error: the check can fail."""
    import zipfile

    [good] = render_samples(tmp_path / "good", ("docx",))[:1]
    bad = tmp_path / "bad.docx"
    with zipfile.ZipFile(good) as src, zipfile.ZipFile(bad, "w") as dst:
        for info in src.infolist():
            data = src.read(info)
            if info.filename == "word/document.xml":
                data = data.replace(b"<w:pPr>", b'<w:pPr><w:spacing w:before="1"/><w:keepNext/>', 1)
            dst.writestr(info, data)
    assert validate([bad])["bad.docx"] != []
