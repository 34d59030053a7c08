"""`kamdocs render` and `build` end to end: files, manifest, determinism, escaping, Unicode."""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import json
import os
import re
import subprocess
import sys
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from importlib.metadata import version
from pathlib import Path

import docx
import markdown
import pytest
from click.testing import Result
from helpers import ARGUMENTS, DOSSIER, build_file_tree, run, small_library
from markdown.treeprocessors import Treeprocessor
from processes import SEEDS, kamdocs

DATE = "2026-11-26"
SLUG = "acme-logistics-ad"
XHTML = "{http://www.w3.org/1999/xhtml}"
DOCTYPE = "<!DOCTYPE html>\n"
# The small dossier without an issue date, so that the build date decides the dates.
UNDATED = DOSSIER.replace("  issued: 2026-11-26\n", "")
BLOCKS = {"h1", "h2", "h3", "p", "li", "td", "th"}


def yaml_str(text: str) -> str:
    """``text`` as a YAML double-quoted scalar (JSON's syntax, non-ASCII kept as it is)."""
    return json.dumps(text, ensure_ascii=False)


def outputs(folder: Path) -> dict[str, bytes]:
    """Every document in ``folder`` (not manifest.json, which every run keeps up to date)."""
    return {
        p.name: p.read_bytes()
        for p in sorted(folder.iterdir())
        if p.is_file() and not p.name.startswith(".") and p.name != "manifest.json"
    }


def ok(result: Result) -> Result:
    assert result.exit_code == 0, result.output
    assert result.exception is None or isinstance(result.exception, SystemExit)
    return result


# --- readers: each format back to the text a client sees -----------------------------------------


def parse_page(page: str) -> ET.Element:
    """The HTML page as XML: it must be well-formed once the HTML5 doctype is removed."""
    assert page.startswith(DOCTYPE)
    return ET.fromstring(page.removeprefix(DOCTYPE))


def local(tag: object) -> str:
    return tag.rsplit("}", 1)[-1] if isinstance(tag, str) else ""


def block_texts(root: ET.Element) -> list[str]:
    return ["".join(el.itertext()) for el in root.iter() if local(el.tag) in BLOCKS]


class _Tree(Treeprocessor):
    """Keeps the finished tree: its texts are literal, before any serializer re-reads them."""

    def run(self, root: ET.Element) -> None:
        self.root = root


def read_markdown(text: str) -> ET.Element:
    """Markdown read back as a Markdown reader would show it: Python-Markdown's element tree.

    With kamdocs' extensions; like CommonMark (and unlike Python-Markdown's default), a
    backslash escapes every ASCII punctuation character, ``<``, ``&`` and ``=`` included.
    """
    md = markdown.Markdown(extensions=["tables", "attr_list", "sane_lists"])
    md.ESCAPED_CHARS.extend(c for c in "<&=" if c not in md.ESCAPED_CHARS)
    tree = _Tree(md)
    md.treeprocessors.register(tree, "keep-tree", -1000)
    md.convert(text)
    assert not any("\x02" in t for t in tree.root.itertext()), "raw HTML in the Markdown"
    return tree.root


def _cell_texts(tables: list) -> Iterator[str]:
    """Every cell's text, nested tables too (kamdocs keeps a block on one page in a layout
    table: the team table, the next steps and the closing sentence)."""
    for table in tables:
        for row in table.rows:
            for cell in row.cells:
                yield cell.text
                yield from _cell_texts(cell.tables)


def docx_texts(path: Path) -> list[str]:
    document = docx.Document(str(path))
    cells = list(_cell_texts(document.tables))
    return [p.text for p in document.paragraphs] + cells


def links_and_scripts(root: ET.Element) -> tuple[list[str], list[str]]:
    scripts = [el.tag for el in root.iter() if local(el.tag) in ("script", "iframe", "object")]
    hrefs = [
        v
        for el in root.iter()
        for k, v in el.attrib.items()
        if local(k) in ("href", "src", "action") or local(k).startswith("on")
    ]
    return scripts, hrefs


# --- what is written ------------------------------------------------------------------------------


def test_render_writes_every_requested_format(ws: Path) -> None:
    result = ok(run("render", "dossiers/acme.yaml", "-f", "md,docx,html", "-o", "out"))
    assert set(outputs(ws / "out")) == {f"{SLUG}.md", f"{SLUG}.docx", f"{SLUG}.html"}
    assert result.stdout.splitlines() == [
        f"wrote out/{SLUG}.{ext}" for ext in ("md", "docx", "html")
    ]
    files = outputs(ws / "out")
    assert files[f"{SLUG}.docx"].startswith(b"PK\x03\x04")
    assert files[f"{SLUG}.html"].startswith(DOCTYPE.encode())
    assert files[f"{SLUG}.md"].startswith(b"# Warehouse automation")


def test_default_formats_are_md_and_docx(ws: Path) -> None:
    ok(run("render", "dossiers/acme.yaml", "-o", "out"))
    assert set(outputs(ws / "out")) == {f"{SLUG}.md", f"{SLUG}.docx"}


def test_workspace_setting_chooses_the_formats(ws: Path) -> None:
    build_file_tree(ws, {"kamdocs.yaml": "formats: [html]\nout: public\n"})
    ok(run("render", "dossiers/acme.yaml"))
    assert set(outputs(ws / "public")) == {f"{SLUG}.html"}


@pytest.mark.parametrize("formats", ["odt", "md,odt", "MD,docx,txt"])
def test_unknown_format_is_a_usage_error(ws: Path, formats: str) -> None:
    result = run("render", "dossiers/acme.yaml", "-f", formats, "-o", "out")
    assert result.exit_code == 2, result.output
    assert result.stderr.startswith("unknown format"), result.stderr
    assert "Traceback" not in result.output
    assert not (ws / "out").exists()


def test_build_writes_a_manifest_of_every_output(ws: Path) -> None:
    build_file_tree(ws, {"dossiers/beta.yaml": DOSSIER.replace("Acme Logistics AD", "Beta AD")})
    result = ok(run("build", "-f", "md,docx,html", "-o", "site", "--date", DATE))
    assert result.stdout.startswith("built 2 proposals")
    files = outputs(ws / "site")
    manifest = json.loads((ws / "site/manifest.json").read_bytes())
    assert manifest["kamdocs"] == version("kamdocs")
    assert manifest["build_date"] == DATE
    assert manifest["formats"] == ["md", "docx", "html"]
    listed = {o["path"]: o for o in manifest["outputs"]}
    assert (
        set(listed)
        == set(files)
        == {f"{s}.{e}" for s in (SLUG, "beta-ad") for e in ("md", "docx", "html")}
    )
    for name, data in files.items():
        assert listed[name]["sha256"] == hashlib.sha256(data).hexdigest(), name
    assert listed[f"{SLUG}.md"]["dossier"] == "dossiers/acme.yaml"
    assert [o["path"] for o in manifest["outputs"]] == sorted(listed)


# --- determinism ----------------------------------------------------------------------------------


def test_rerender_gives_identical_bytes(ws: Path) -> None:
    # Ties only a stable rule orders (equal arguments), rendered here and in other processes,
    # whose hash seeds change every set and dict order of strings.
    ties = "".join(
        f"- {{id: tie-{c}, kind: statistic, title: {c}, text: Text {c}.}}\n" for c in "qbxam"
    )
    build_file_tree(
        ws,
        {
            "dossiers/acme.yaml": UNDATED,
            "templates/arguments/ties.yaml": ties,
        },
    )
    args = ("render", "dossiers/acme.yaml", "-f", "md,docx,html", "--date", DATE)
    ok(run(*args, "-o", "here"))
    seeds = SEEDS[:2]  # two are enough to differ; each render starts a process
    for seed in seeds:
        kamdocs(*args, "-o", f"seed-{seed}", cwd=ws, seed=seed)
    here = outputs(ws / "here")
    assert len(here) == 3
    assert "Text a." in here[f"{SLUG}.md"].decode()  # the first of the ties, by id
    for seed in seeds:
        assert outputs(ws / f"seed-{seed}") == here, seed


def test_source_date_epoch_is_the_build_date(ws: Path) -> None:
    build_file_tree(ws, {"dossiers/acme.yaml": UNDATED})
    noon = dt.datetime(2026, 11, 26, 12, 0, tzinfo=dt.UTC)
    env = {"SOURCE_DATE_EPOCH": str(int(noon.timestamp()))}
    for out in ("one", "two"):
        ok(run("render", "dossiers/acme.yaml", "-f", "md,docx,html", "-o", out, env=env))
    ok(run("render", "dossiers/acme.yaml", "-f", "md,docx,html", "-o", "dated", "--date", DATE))
    one = outputs(ws / "one")
    assert one == outputs(ws / "two") == outputs(ws / "dated")
    issued = "Issued: November\u00a026,\u00a02026 · Valid until: December\u00a026,\u00a02026"
    assert issued in one[f"{SLUG}.md"].decode()


def test_other_date_other_bytes(ws: Path) -> None:
    """The comparisons above would be empty if the date did not reach the documents."""
    build_file_tree(ws, {"dossiers/acme.yaml": UNDATED})
    ok(run("render", "dossiers/acme.yaml", "-f", "md,docx,html", "-o", "a", "--date", DATE))
    ok(run("render", "dossiers/acme.yaml", "-f", "md,docx,html", "-o", "b", "--date", "2026-11-27"))
    a, b = outputs(ws / "a"), outputs(ws / "b")
    assert all(a[name] != b[name] for name in a)


def test_identical_across_processes_and_hash_seeds(ws: Path) -> None:
    build_file_tree(ws, {"dossiers/acme.yaml": UNDATED})
    ok(run("render", "dossiers/acme.yaml", "-f", "md,docx,html", "-o", "here", "--date", DATE))
    for seed in ("1", "2"):
        env = {k: v for k, v in os.environ.items() if k != "SOURCE_DATE_EPOCH"}
        env["PYTHONHASHSEED"] = seed
        done = subprocess.run(
            [
                sys.executable,
                "-m",
                "kamdocs",
                "render",
                "dossiers/acme.yaml",
                "-f",
                "md,docx,html",
                "-o",
                f"seed{seed}",
                "--date",
                DATE,
            ],
            cwd=ws,
            env=env,
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
        )
        assert done.returncode == 0, done.stderr
    here = outputs(ws / "here")
    assert len(here) == 3
    assert outputs(ws / "seed1") == outputs(ws / "seed2") == here


# --- escaping: what a dossier says is printed as written, in every format ------------------------

NASTY = (
    "*bold* # hash | pipe | [click](javascript:alert(1)) <script>alert(1)</script> "
    "`tick` ``two`` {{ 7*7 }} {% if true %}yes{% endif %} _under_ <b>b</b> ![i](x.png) "
    "\\back <!-- c --> ~~s~~ a=b"
)
CLIENT = "Nasty " + NASTY
TITLE = "- " + NASTY
SUMMARY = "1. " + NASTY
ITEM = "| pipe | " + NASTY
READER = "- Dash", "1. First"
TEAM = "# Hash " + NASTY


def nasty_dossier(**extra: str) -> str:
    q = yaml_str
    values = {
        "client": CLIENT,
        "title": TITLE,
        "summary": SUMMARY,
        "item": ITEM,
        "team": TEAM,
    } | extra
    return f"""
client:
  name: {q(values["client"])}
  slug: nasty
relationship:
  status: new
dmu:
  - name: {q(READER[0])}
    position: {q(READER[1])}
    persona: executive
offer:
  title: {q(values["title"])}
  summary: {q(values["summary"])}
  issued: 2026-11-26
  pricing:
    currency: EUR
    items:
      - description: {q(values["item"])}
        unit_price: 10
team:
  - name: {q(values["team"])}
    position: Key Account Manager
    email: lead@supplier.example
    lead: true
"""


def render_nasty(ws: Path, **extra: str) -> dict[str, object]:
    build_file_tree(ws, {"dossiers/nasty.yaml": nasty_dossier(**extra)})
    ok(run("render", "dossiers/nasty.yaml", "-f", "md,docx,html", "-o", "out"))
    out = ws / "out"
    page = parse_page((out / "nasty.html").read_text("utf-8"))
    md = read_markdown((out / "nasty.md").read_text("utf-8"))
    return {"md": md, "html": page, "docx": out / "nasty.docx"}


def texts_of(fmt: str, doc: object) -> list[str]:
    return docx_texts(doc) if fmt == "docx" else block_texts(doc)  # type: ignore[arg-type]


@pytest.mark.parametrize("fmt", ["md", "html", "docx"])
def test_dossier_text_prints_literally(ws: Path, fmt: str) -> None:
    texts = texts_of(fmt, render_nasty(ws)[fmt])
    expected = [
        TITLE,
        f"Prepared for {CLIENT}",
        SUMMARY,
        f"{READER[0]}, {READER[1]}",
        ITEM,
        f"{TEAM} (lead)",
    ]
    for value in expected:
        assert value in texts, (value, texts)
    assert "49" not in " ".join(texts)  # {{ 7*7 }} is text, never evaluated


def test_dossier_text_makes_no_markup(ws: Path) -> None:
    rendered = render_nasty(ws)
    for fmt in ("md", "html"):
        scripts, hrefs = links_and_scripts(rendered[fmt])  # type: ignore[arg-type]
        assert scripts == [], fmt
        assert all(not h.strip().lower().startswith("javascript:") for h in hrefs), fmt
        assert hrefs == ["mailto:lead@supplier.example"], (fmt, hrefs)
        tags = {local(el.tag) for el in rendered[fmt].iter()}  # type: ignore[attr-defined]
        assert not tags & {"em", "code", "b", "img", "del", "script", "hr", "ol", "h4"}, fmt
    document = docx.Document(str(rendered["docx"]))
    assert document.core_properties.title == f"{TITLE} — {CLIENT}"
    title = document.paragraphs[0]
    assert title.style.name == "Title"
    assert [r.bold for r in title.runs] in ([None], [False])  # one plain run, no emphasis


@pytest.mark.parametrize("literal", ["&amp;", "&lt;b&gt;", "&#42;", "&copy;"])
def test_entity_like_text_prints_literally(ws: Path, literal: str) -> None:
    client = f"Smith {literal} Sons"
    rendered = render_nasty(ws, client=client)
    for fmt in ("md", "html", "docx"):
        assert f"Prepared for {client}" in texts_of(fmt, rendered[fmt]), fmt


def test_html_page_is_well_formed_with_language(ws: Path) -> None:
    build_file_tree(
        ws,
        {
            "dossiers/bg.yaml": DOSSIER.replace(
                "  industry: logistics\n",
                "  industry: logistics\n  locale: bg\n  slug: bg-client\n",
            )
        },
    )
    ok(run("render", "dossiers", "-f", "html", "-o", "out"))
    for name, lang in ((f"{SLUG}.html", "en"), ("bg-client.html", "bg")):
        root = parse_page((ws / "out" / name).read_text("utf-8"))
        assert root.tag == f"{XHTML}html"
        assert root.get("lang") == lang
        assert root.get("{http://www.w3.org/XML/1998/namespace}lang") == lang
        assert root.find(f"{XHTML}head/{XHTML}meta").get("charset") == "utf-8"
        title = root.find(f"{XHTML}head/{XHTML}title").text
        assert (
            title
            == {
                "en": "Warehouse automation — Acme Logistics AD",
                "bg": "Warehouse automation — Acme Logistics AD",
            }[lang]
        )
        assert root.find(f"{XHTML}body") is not None


def test_cyrillic_name_gives_an_ascii_file_name(ws: Path) -> None:
    build_file_tree(
        ws,
        {"dossiers/bt.yaml": DOSSIER.replace("name: Acme Logistics AD", "name: Балкан Транс ЕООД")},
    )
    result = ok(run("render", "dossiers/bt.yaml", "-f", "md,docx,html", "-o", "out"))
    assert set(outputs(ws / "out")) == {
        "balkan-trans-eood.md",
        "balkan-trans-eood.docx",
        "balkan-trans-eood.html",
    }
    assert result.stdout.isascii()
    assert "Балкан Транс ЕООД" in (ws / "out" / "balkan-trans-eood.md").read_text("utf-8")


UNICODE_NAME = (
    "Cafe\u0301 \U0001f680 شركة النور \U0001f469\u200d\U0001f469\u200d\U0001f467 Z\u0307\u0323"
)
UNICODE_TITLE = "مشروع \U0001f680 n\u0303 — ﷺ \U0001d54f"


def test_emoji_arabic_and_combining_marks_survive(ws: Path) -> None:
    dossier = DOSSIER.replace(
        "name: Acme Logistics AD", f"name: {yaml_str(UNICODE_NAME)}\n  slug: unicode"
    ).replace("title: Warehouse automation", f"title: {yaml_str(UNICODE_TITLE)}")
    build_file_tree(ws, {"dossiers/u.yaml": dossier})
    ok(run("render", "dossiers/u.yaml", "-f", "md,docx,html", "-o", "out"))
    out = ws / "out"
    md = (out / "unicode.md").read_text("utf-8")
    assert f"# {UNICODE_TITLE}" in md and UNICODE_NAME in md
    for texts in (
        block_texts(parse_page((out / "unicode.html").read_text("utf-8"))),
        block_texts(read_markdown(md)),
        docx_texts(out / "unicode.docx"),
    ):
        assert UNICODE_TITLE in texts
        assert f"Prepared for {UNICODE_NAME}" in texts


# --- library texts are Markdown (trusted), but the page stays safe and well-formed ----------------


def render_with_argument(ws: Path, text: str) -> Path:
    arguments = (
        ARGUMENTS
        + f"""
- id: raw
  kind: exclusivity
  title: {{en: "Raw", bg: "Raw"}}
  text: {{en: {yaml_str(text)}, bg: "x"}}
"""
    )
    build_file_tree(ws, {"templates/arguments/main.yaml": arguments})
    build_file_tree(
        ws,
        {
            "dossiers/acme.yaml": DOSSIER.replace(
                "  valid_days: 30\n", "  valid_days: 30\n  include: [raw]\n"
            )
        },
    )
    ok(run("render", "dossiers/acme.yaml", "-f", "md,docx,html", "-o", "out"))
    return ws / "out" / f"{SLUG}.html"


def test_unsafe_links_in_library_text_are_neutralised(ws: Path) -> None:
    page = render_with_argument(
        ws,
        "See [this](javascript:alert(1)) and [that](JavaScript:alert(2)) or "
        "[mail](mailto:a@b.example) ![img](https://tracker.example/p.png)",
    )
    root = parse_page(page.read_text("utf-8"))
    _, hrefs = links_and_scripts(root)
    assert not any(re.match(r"\s*javascript:", h, re.IGNORECASE) for h in hrefs)
    assert "mailto:a@b.example" in hrefs
    assert not any("tracker.example" in h for h in hrefs)
    assert any(t.startswith("See this and that or mail ") for t in block_texts(root))


@pytest.mark.parametrize("text", ["Ready&nbsp;in six weeks.", "Line one<br>line two."])
def test_library_html_keeps_the_page_well_formed(ws: Path, text: str) -> None:
    page = render_with_argument(ws, text)
    root = parse_page(page.read_text("utf-8"))
    # Well-formed, and the text is there as the library wrote it: raw HTML is shown, not run.
    assert text in block_texts(root)


def test_no_script_from_library_text(ws: Path) -> None:
    page = render_with_argument(
        ws, "Fast.\n\n<script>alert(1)</script>\n\nReally <script>x</script>"
    )
    root = parse_page(page.read_text("utf-8"))
    assert links_and_scripts(root)[0] == []
    assert "<script" not in page.read_text("utf-8").lower()


# --- one process, two workspaces ------------------------------------------------------------------


def test_each_workspace_uses_its_own_template(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    for name, marker in (("first", "FIRST-MARKER"), ("second", "SECOND-MARKER")):
        root = tmp_path / name
        small_library(root)
        template = root / "templates" / "proposal.md.j2"
        template.write_text(template.read_text("utf-8") + f"\n{marker}\n", encoding="utf-8")
        (root / "templates" / "proposal.css").write_text(f"/* {marker} */\n", encoding="utf-8")
        build_file_tree(root, {"dossiers/acme.yaml": DOSSIER})
        monkeypatch.chdir(root)
        ok(run("render", "dossiers/acme.yaml", "-f", "md,html", "-o", "out"))
        assert marker in (root / "out" / f"{SLUG}.md").read_text("utf-8"), name
        assert f"/* {marker} */" in (root / "out" / f"{SLUG}.html").read_text("utf-8"), name


def test_a_stylesheet_edited_in_one_process_is_read_again(ws: Path) -> None:
    css = ws / "templates" / "proposal.css"

    def style_after(text: str, mtime_ns: int) -> str:
        css.write_text(text, encoding="utf-8")
        os.utime(css, ns=(mtime_ns, mtime_ns))
        ok(run("render", "dossiers/acme.yaml", "-f", "html", "-o", "out"))
        page = (ws / "out" / f"{SLUG}.html").read_text("utf-8")
        return page.split("<style>\n")[1].split("\n</style>")[0]

    assert style_after("/* one */", 10**18) == "/* one */"
    assert style_after("/* two */", 10**18 + 10**9) == "/* two */"  # same size, a later time
    assert style_after("/* three */", 10**18 + 10**9) == "/* three */"  # same time, new size


def test_without_a_stylesheet_the_page_has_no_style_element(ws: Path) -> None:
    (ws / "templates" / "proposal.css").unlink()
    ok(run("render", "dossiers/acme.yaml", "-f", "html", "-o", "out"))
    page = (ws / "out" / f"{SLUG}.html").read_text("utf-8")
    assert "<style" not in page
    assert "</title>\n</head>\n" in page


def test_a_logo_replaced_in_one_process_is_read_again(ws: Path) -> None:
    logo = ws / "templates" / "logo.png"

    def logo_after(data: bytes, mtime_ns: int) -> bytes:
        logo.write_bytes(data)
        os.utime(logo, ns=(mtime_ns, mtime_ns))
        ok(run("render", "dossiers/acme.yaml", "-f", "html", "-o", "out"))
        page = (ws / "out" / f"{SLUG}.html").read_text("utf-8")
        found = re.search(r'src="data:image/png;base64,([A-Za-z0-9+/=]+)"', page)
        assert found is not None
        return base64.b64decode(found.group(1))

    assert logo_after(b"\x89PNG one", 10**18) == b"\x89PNG one"
    assert logo_after(b"\x89PNG two", 10**18 + 10**9) == b"\x89PNG two"  # same size, later
    assert logo_after(b"\x89PNG three", 10**18 + 10**9) == b"\x89PNG three"  # same time


def test_a_phone_is_a_tel_link_to_its_digits_unless_it_has_none(ws: Path) -> None:
    ok(run("render", "dossiers/acme.yaml", "-f", "md", "-o", "out"))
    markdown_text = (ws / "out" / f"{SLUG}.md").read_text("utf-8")
    # The text keeps the number's spaces (no-break, as typography makes them), the target
    # only its digits and +.
    assert "| [+359\u00a02\u00a0123\u00a04567](tel:+35921234567) |" in markdown_text
    dossier = ws / "dossiers/acme.yaml"
    text = dossier.read_text("utf-8")
    assert 'phone: "+359 2 123 4567"' in text
    dossier.write_text(text.replace('phone: "+359 2 123 4567"', "phone: n/a"), "utf-8")
    ok(run("render", "dossiers/acme.yaml", "-f", "md", "-o", "out"))
    markdown_text = (ws / "out" / f"{SLUG}.md").read_text("utf-8")
    assert "| n/a |" in markdown_text
    assert "tel:" not in markdown_text


def test_a_value_that_is_none_prints_as_nothing(ws: Path) -> None:
    # client.country is not given in the small dossier: None, which prints as "".
    template = ws / "templates" / "proposal.md.j2"
    template.write_text(
        template.read_text("utf-8") + "\n[{{ client.country }}]\n", encoding="utf-8"
    )
    ok(run("render", "dossiers/acme.yaml", "-f", "md", "-o", "out"))
    assert "\n[]\n" in (ws / "out" / f"{SLUG}.md").read_text("utf-8")


def test_the_stylesheet_is_inlined_without_blank_lines_at_its_end(ws: Path) -> None:
    (ws / "templates" / "proposal.css").write_text("  p { margin: 0; }\n\n\n", encoding="utf-8")
    ok(run("render", "dossiers/acme.yaml", "-f", "html", "-o", "out"))
    page = (ws / "out" / f"{SLUG}.html").read_text("utf-8")
    assert "<style>\n  p { margin: 0; }\n</style>\n</head>" in page


def test_the_page_around_the_proposal(ws: Path) -> None:
    (ws / "templates" / "proposal.css").write_text("p { margin: 0; }\n", encoding="utf-8")
    ok(run("render", "dossiers/acme.yaml", "-f", "html", "-o", "out"))
    page = (ws / "out" / f"{SLUG}.html").read_text("utf-8")
    head, body = page.split("<title>", 1)
    assert head == (
        "<!DOCTYPE html>\n"
        '<html xmlns="http://www.w3.org/1999/xhtml" lang="en" xml:lang="en">\n'
        "<head>\n"
        '<meta charset="utf-8" />\n'
        '<meta name="viewport" content="width=device-width, initial-scale=1" />\n'
        '<meta name="generator" content="kamdocs" />\n'
    )
    assert body.split("</title>", 1)[1].startswith(
        '\n<style>\np { margin: 0; }\n</style>\n</head>\n<body>\n<main class="proposal">\n<h1'
    )
    assert page.endswith("</p>\n</main>\n</body>\n</html>\n")
