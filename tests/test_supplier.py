"""The supplier's identity from kamdocs.yaml, in the proposal's language: the DOCX header and
footer, the HTML page's header; a change of it renders every proposal again."""

from __future__ import annotations

import base64
import json
import re
import zipfile
from pathlib import Path

import pytest
from helpers import DOSSIER, build_file_tree, run, small_library
from samples import render_samples

from kamdocs.render.docx import _fill

SUPPLIER = """supplier:
  name: {en: "Stratos Automation Ltd", bg: "Стратос Автоматизация ООД"}
  address: {en: "Sofia, Bulgaria", bg: "София, България"}
  website: stratos-automation.example
"""


def part_text(docx: Path, pattern: str) -> str:
    """The text of the package's parts whose names match ``pattern``, joined."""
    with zipfile.ZipFile(docx) as z:
        xml = "".join(z.read(n).decode() for n in z.namelist() if re.fullmatch(pattern, n))
    return "".join(re.findall(r"<w:t(?:\s[^>]*)?>([^<]*)</w:t>", xml))


@pytest.fixture(scope="module")
def samples(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("samples")
    render_samples(out, ("docx", "html"))
    return out


@pytest.mark.parametrize(
    ("slug", "header", "footer"),
    [
        (
            "balkan-trans-eood",
            "Стратос Автоматизация ООД · София, България · stratos-automation.example",
            "Стратос Автоматизация ООД · 1 / 1",
        ),
        (
            "danubia-retail",
            "Stratos Automation Ltd · Sofia, Bulgaria · stratos-automation.example",
            "Stratos Automation Ltd · 1 / 1",
        ),
    ],
)
def test_docx_header_and_footer_in_the_proposals_language(
    samples: Path, slug: str, header: str, footer: str
) -> None:
    docx = samples / f"{slug}.docx"
    assert part_text(docx, r"word/header\d*\.xml") == header
    assert part_text(docx, r"word/footer\d*\.xml") == footer  # page fields' cached 1 / 1


@pytest.mark.parametrize(
    ("slug", "name"),
    [
        ("balkan-trans-eood", "Стратос Автоматизация ООД"),
        ("danubia-retail", "Stratos Automation Ltd"),
    ],
)
def test_html_page_has_the_logo_and_supplier_line(samples: Path, slug: str, name: str) -> None:
    page = (samples / f"{slug}.html").read_text("utf-8")
    header = re.search(r'<header class="supplier">(.*?)</header>', page, re.S)
    assert header is not None
    assert re.search(r'<img class="logo" src="data:image/png;base64,[A-Za-z0-9+/=]+"', page)
    assert f"<strong>{name}</strong>" in header.group(1)
    assert '<a href="https://stratos-automation.example">' in header.group(1)
    assert page.index('<header class="supplier">') < page.index("<h1")


def test_no_supplier_leaves_no_placeholder_or_separator(ws: Path) -> None:
    result = run("render", "dossiers/acme.yaml", "-f", "docx,html", "-o", "out")
    assert result.exit_code == 0, result.output
    [docx] = (ws / "out").glob("*.docx")
    with zipfile.ZipFile(docx) as z:
        assert not any(b"{supplier." in z.read(n) for n in z.namelist())
    assert part_text(docx, r"word/header\d*\.xml") == ""
    assert part_text(docx, r"word/footer\d*\.xml") == "1 / 1"
    [html] = (ws / "out").glob("*.html")
    assert "supplier" not in html.read_text("utf-8").split("<main", 1)[1].split("<h1", 1)[0]


@pytest.mark.parametrize(
    ("fields", "expected"),
    [
        ({"name": "N", "address": "A", "website": "W"}, ["N", " · A · W", "N · "]),
        ({"name": "N", "address": "", "website": "W"}, ["N", " · W", "N · "]),
        ({"name": "N", "address": "A", "website": ""}, ["N", " · A", "N · "]),
        ({"name": "", "address": "", "website": ""}, ["", "", ""]),
        (
            {"name": "A & B <Ltd>", "address": "", "website": ""},
            ["A &amp; B &lt;Ltd&gt;", "", "A &amp; B &lt;Ltd&gt; · "],
        ),
    ],
)
def test_placeholders_are_filled_and_escaped(fields: dict[str, str], expected: list[str]) -> None:
    xml = (
        "<w:t>{supplier.name}</w:t>"
        '<w:t xml:space="preserve"> · {supplier.address} · {supplier.website}</w:t>'
        '<w:t xml:space="preserve">{supplier.name} · </w:t><w:t>keep {x}</w:t>'
    )
    texts = re.findall(r"<w:t(?:\s[^>]*)?>([^<]*)</w:t>", _fill(xml, fields))
    assert texts == [*expected, "keep {x}"]


def test_a_new_supplier_renders_every_proposal_again(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    small_library(tmp_path)
    build_file_tree(tmp_path, {"dossiers/acme.yaml": DOSSIER, "kamdocs.yaml": SUPPLIER})
    monkeypatch.chdir(tmp_path)
    assert run("build", "-f", "docx,html", "-o", "out", "--date", "2026-11-26").exit_code == 0
    first = json.loads((tmp_path / "out/manifest.json").read_text("utf-8"))
    assert run("build", "-f", "docx,html", "-o", "out", "--date", "2026-11-26").exit_code == 0
    assert json.loads((tmp_path / "out/manifest.json").read_text("utf-8")) == first
    (tmp_path / "kamdocs.yaml").write_text(SUPPLIER.replace("Automation Ltd", "Robotics Ltd"))
    result = run("build", "-f", "docx,html", "-o", "out", "--date", "2026-11-26")
    assert result.exit_code == 0, result.output
    second = json.loads((tmp_path / "out/manifest.json").read_text("utf-8"))
    assert second["inputs"] != first["inputs"]
    [docx] = (tmp_path / "out").glob("*.docx")
    assert part_text(docx, r"word/header\d*\.xml").startswith("Stratos Robotics Ltd · ")
    [html] = (tmp_path / "out").glob("*.html")
    assert "<strong>Stratos Robotics Ltd</strong>" in html.read_text("utf-8")


LOGO = b"\x89PNG\r\n\x1a\n a logo"
LOGO_URI = "data:image/png;base64," + base64.b64encode(LOGO).decode("ascii")


@pytest.mark.parametrize(
    ("config", "logo", "header"),
    [
        (
            SUPPLIER,
            True,
            f'<img class="logo" src="{LOGO_URI}" alt="Stratos Automation Ltd logo" width="30" '
            'height="30" /><span class="supplier-line"><strong>Stratos Automation Ltd</strong> · '
            'Sofia, Bulgaria · <a href="https://stratos-automation.example">'
            "stratos-automation.example</a></span>",
        ),
        (
            "supplier: {name: Stratos Ltd}\n",
            False,
            '<span class="supplier-line"><strong>Stratos Ltd</strong></span>',
        ),
        (
            "supplier: {address: Sofia}\n",
            False,
            '<span class="supplier-line">Sofia</span>',
        ),
        (
            "supplier: {website: 'http://stratos.example'}\n",
            False,
            '<span class="supplier-line"><a href="http://stratos.example">'
            "http://stratos.example</a></span>",
        ),
        (
            "supplier: {website: 'HTTPS://Stratos.example/'}\n",
            False,
            '<span class="supplier-line"><a href="HTTPS://Stratos.example/">'
            "HTTPS://Stratos.example/</a></span>",
        ),
        ("", True, f'<img class="logo" src="{LOGO_URI}" alt="logo" width="30" height="30" />'),
        ("", False, None),
    ],
    ids=["all", "name", "address", "website", "https", "logo", "nothing"],
)
def test_the_page_is_headed_by_what_the_supplier_has(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, config: str, logo: bool, header: str | None
) -> None:
    small_library(tmp_path)
    build_file_tree(tmp_path, {"dossiers/acme.yaml": DOSSIER, "kamdocs.yaml": config})
    if logo:
        (tmp_path / "templates/logo.png").write_bytes(LOGO)
    monkeypatch.chdir(tmp_path)
    result = run("render", "dossiers/acme.yaml", "-f", "html", "-o", "out")
    assert result.exit_code == 0, result.output
    [html] = (tmp_path / "out").glob("*.html")
    page = html.read_text("utf-8")
    if header is None:
        assert '<main class="proposal">\n<h1' in page
    else:
        assert f'<main class="proposal">\n<header class="supplier">{header}</header>\n<h1' in page
