"""Threats of docs/security.md that no other test file guards: files outside the templates folder,
links out of it, internal labels in every format, private data in marketing's Word file, the
network, hostile numbers in a price list and file names chosen by a dossier.
"""

from __future__ import annotations

import json
import marshal
import os
import re
import socket
import textwrap
import time
import zipfile
from collections.abc import Callable
from pathlib import Path

import pytest
from helpers import (
    ARGUMENTS,
    DOSSIER,
    PERSONAS,
    TEMPLATE,
    append_to_template,
    build_file_tree,
    refused,
    run,
    small_library,
)

from kamdocs import app, templating
from kamdocs.errors import InputError
from kamdocs.workspace import find_workspace

LIBRARY = "templates/arguments/main.yaml"
SLUG = "acme-logistics-ad"
SECRET = "kamdocs-settings-secret-7f3a"  # in kamdocs.yaml, next to the templates folder
NOT_FOUND = "template failed: TemplateNotFound: "
NO_LOADER = "template failed: TypeError: no loader for this environment specified"
NOTE = "Secretly prefers the competitor"  # dmu[0].private.notes of the small dossier
HANG = 30.0  # seconds: a guard against a hang, not a speed measurement (bench/ measures speed)


@pytest.fixture
def ws(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """The small workspace with its one dossier and a kamdocs.yaml holding a secret."""
    small_library(tmp_path)
    build_file_tree(
        tmp_path,
        {
            "dossiers/acme.yaml": DOSSIER,
            "kamdocs.yaml": f"x-deploy-token: {SECRET}\n",
        },
    )
    monkeypatch.chdir(tmp_path)
    return tmp_path


def symlink(link: Path, target: Path) -> None:
    try:
        link.symlink_to(target)
    except (OSError, NotImplementedError) as exc:  # pragma: no cover - e.g. Windows without rights
        pytest.skip(f"no symbolic links here: {exc}")


def everything_written(ws: Path) -> str:
    """Every output file as text, DOCX parts included."""
    texts = []
    for path in sorted((ws / "out").iterdir()):
        if path.suffix == ".docx":
            with zipfile.ZipFile(path) as package:
                texts += [package.read(n).decode("utf-8", "replace") for n in package.namelist()]
        else:
            texts.append(path.read_text("utf-8", "replace"))
    return "\n".join(texts)


# --- (b) the content template reads nothing outside the templates folder --------------------------

OUTSIDE = {
    "include-settings": ("{% include '../kamdocs.yaml' %}", "../kamdocs.yaml"),
    "include-etc-passwd": ('{% include "/etc/passwd" %}', "/etc/passwd"),
    "include-dot-dot-inside": (
        "{% include 'locales/../../kamdocs.yaml' %}",
        "locales/../../kamdocs.yaml",
    ),
    "include-built-name": ("{% include '..' ~ '/kamdocs.yaml' %}", "../kamdocs.yaml"),
    "include-file-url": ("{% include 'file:///etc/passwd' %}", "file:///etc/passwd"),
    "import-settings": ("{% import '../kamdocs.yaml' as settings %}", "../kamdocs.yaml"),
    "import-a-dossier": (
        "{% import '../dossiers/acme.yaml' as d with context %}",
        "../dossiers/acme.yaml",
    ),
    "from-import-etc-passwd": ("{% from '/etc/passwd' import root %}", "/etc/passwd"),
    "extends-settings": ("{% extends '../kamdocs.yaml' %}", "../kamdocs.yaml"),
}


@pytest.mark.parametrize("name", list(OUTSIDE))
def test_content_template_cannot_include_or_import_outside_its_folder(ws: Path, name: str) -> None:
    code, shown = OUTSIDE[name]
    line = append_to_template(ws, code)
    result = run("render", "dossiers/acme.yaml", "-f", "md,docx,html", "-o", "out")
    [problem] = refused(result)
    assert problem.startswith(f"{TEMPLATE}:{line}: {NOT_FOUND}"), problem
    assert shown in problem
    assert SECRET not in result.output
    assert not (ws / "out").exists()


def test_content_template_cannot_include_any_of_several_outside(ws: Path) -> None:
    line = append_to_template(ws, "{% include ['../kamdocs.yaml', '/etc/passwd'] %}")
    result = run("render", "dossiers/acme.yaml", "-f", "md", "-o", "out")
    [problem] = refused(result)
    assert problem.startswith(f"{TEMPLATE}:{line}: template failed: TemplatesNotFound: ")
    assert not (ws / "out").exists()


def test_content_template_cannot_include_through_a_link_out_of_its_folder(ws: Path) -> None:
    symlink(ws / "templates/brand-notes.txt", ws / "kamdocs.yaml")
    line = append_to_template(ws, "{% include 'brand-notes.txt' %}")
    result = run("render", "dossiers/acme.yaml", "-f", "md", "-o", "out")
    written = everything_written(ws) if (ws / "out").exists() else ""
    assert SECRET not in written
    [problem] = refused(result)
    assert problem.startswith(f"{TEMPLATE}:{line}: {NOT_FOUND}"), problem


def test_content_template_may_include_its_own_files(ws: Path) -> None:
    # The refusals above are about where a file is, not about include itself.
    signature = "Kind regards from {{ client.name }}\n"
    build_file_tree(ws, {"templates/parts/signature.md.j2": signature})
    append_to_template(ws, "{% include 'parts/signature.md.j2' %}")
    result = run("render", "dossiers/acme.yaml", "-f", "md", "-o", "out")
    assert result.exit_code == 0, result.output
    assert "Kind regards from Acme Logistics AD" in (ws / "out" / f"{SLUG}.md").read_text("utf-8")


# --- (b) library texts cannot include or import anything at all -----------------------------------


def with_argument(ws: Path, text: str) -> int:
    """Pin an argument whose English text is ``text``; return the line of its ``text`` key."""
    build_file_tree(
        ws,
        {
            LIBRARY: ARGUMENTS
            + textwrap.dedent(f"""
            - id: raw
              kind: exclusivity
              title: {{en: "Raw", bg: "Raw"}}
              text: {{en: {json.dumps(text)}, bg: "x"}}
            """),
            "dossiers/acme.yaml": DOSSIER.replace(
                "  valid_days: 30\n", "  valid_days: 30\n  include: [raw]\n"
            ),
        },
    )
    lines = (ws / LIBRARY).read_text(encoding="utf-8").splitlines()
    return next(i for i, line in enumerate(lines, 1) if line.startswith('  text: {en: "Fine.'))


LIBRARY_LOADS = [
    "{% include 'proposal.md.j2' %}",  # a file that exists, in the templates folder itself
    "{% include 'locales/en.yaml' %}",
    "{% include '../kamdocs.yaml' %}",
    "{% import 'proposal.md.j2' as p %}",
    "{% from 'proposal.md.j2' import x %}",
    "{% extends 'proposal.md.j2' %}",
]


@pytest.mark.parametrize("code", LIBRARY_LOADS)
def test_library_text_cannot_include_or_import_at_all(ws: Path, code: str) -> None:
    line = with_argument(ws, f"Fine. {code}")
    result = run("render", "dossiers/acme.yaml", "-f", "md,docx,html", "-o", "out")
    assert refused(result) == [f"{LIBRARY}:{line}: raw.text: {NO_LOADER}"]
    assert SECRET not in result.output
    assert not (ws / "out").exists()


# --- (b) links in the templates folder do not lead kamdocs out of it ------------------------------


@pytest.mark.parametrize(
    ("name", "what"),
    [
        ("proposal.css", "stylesheet"),
        # The logo goes into the page as a data URI: a link would copy another file into it.
        ("logo.png", "logo"),
    ],
)
def test_a_page_file_linked_from_outside_the_templates_folder_is_refused(
    ws: Path, name: str, what: str
) -> None:
    (ws / "templates" / name).unlink(missing_ok=True)
    symlink(ws / "templates" / name, ws / "kamdocs.yaml")
    result = run("render", "dossiers/acme.yaml", "-f", "md,html", "-o", "out")
    assert refused(result) == [
        f"templates/{name}:1: links to a file outside the templates folder; "
        f"copy the {what} in instead"
    ]
    assert not (ws / "out").exists()


def test_reference_docx_linked_from_outside_the_templates_folder_is_refused(ws: Path) -> None:
    reference = ws / "templates/reference.docx"
    reference.rename(ws / "brand.docx")
    symlink(reference, ws / "brand.docx")
    result = run("render", "dossiers/acme.yaml", "-f", "docx", "-o", "out")
    assert refused(result) == [
        "templates/reference.docx:1: links to a file outside the templates folder; "
        "copy the document in instead"
    ]
    assert not (ws / "out").exists()


def test_links_that_stay_in_the_templates_folder_are_followed(ws: Path) -> None:
    brand = ws / "templates/brand"
    brand.mkdir()
    (ws / "templates/proposal.css").rename(brand / "site.css")
    (brand / "site.css").write_text("/* brand-2027 */\n", encoding="utf-8")
    (ws / "templates/reference.docx").rename(brand / "word.docx")
    symlink(ws / "templates/proposal.css", Path("brand/site.css"))
    symlink(ws / "templates/reference.docx", Path("brand/word.docx"))
    result = run("render", "dossiers/acme.yaml", "-f", "docx,html", "-o", "out")
    assert result.exit_code == 0, result.output
    assert "/* brand-2027 */" in (ws / "out" / f"{SLUG}.html").read_text("utf-8")


def test_a_templates_folder_that_is_itself_a_link_works(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    shared = tmp_path / "shared-brand"
    small_library(shared)
    workspace = tmp_path / "ws"
    build_file_tree(workspace, {"dossiers/acme.yaml": DOSSIER})
    symlink(workspace / "templates", shared / "templates")
    monkeypatch.chdir(workspace)
    result = run("render", "dossiers/acme.yaml", "-f", "md,docx,html", "-o", "out")
    assert result.exit_code == 0, result.output
    assert len(list((workspace / "out").glob("acme-logistics-ad.*"))) == 3


@pytest.mark.parametrize(
    ("name", "formats", "what"),
    [
        ("proposal.css", "html", "stylesheet"),
        ("logo.png", "html", "logo"),
        ("reference.docx", "docx", "document"),
    ],
)
def test_a_file_made_a_link_out_after_a_render_is_refused_in_the_same_process(
    ws: Path, name: str, formats: str, what: str
) -> None:
    # The real path of a file met before is kept (kamdocs.render.real_file): a link put in
    # its place is still resolved and refused, as `kamdocs serve` renders again and again.
    if name == "logo.png":
        (ws / "templates/logo.png").write_bytes(b"\x89PNG\r\n\x1a\n")
    assert run("render", "dossiers/acme.yaml", "-f", formats, "-o", "first").exit_code == 0
    (ws / "templates" / name).rename(ws / name)
    symlink(ws / "templates" / name, ws / name)
    result = run("render", "dossiers/acme.yaml", "-f", formats, "-o", "out")
    assert refused(result) == [
        f"templates/{name}:1: links to a file outside the templates folder; "
        f"copy the {what} in instead"
    ]


def test_a_path_that_climbs_out_of_its_folder_is_refused_like_a_link(tmp_path: Path) -> None:
    # real_file's rule "a file that is not a link is in its folder" holds for a name, not for
    # "..": templates/brand/.. is the templates folder itself, which is not in templates/brand.
    from kamdocs.render import real_file  # noqa: PLC0415

    (tmp_path / "templates/brand").mkdir(parents=True)
    (tmp_path / "templates/proposal.css").write_text("p {}\n", encoding="utf-8")
    with pytest.raises(InputError) as refusal:
        real_file(tmp_path / "templates/brand/..", "stylesheet")
    assert str(refusal.value) == (
        f"{tmp_path / 'templates/brand/..'}:1: links to a file outside the templates folder; "
        "copy the stylesheet in instead"
    )
    real, _ = real_file(tmp_path / "templates/proposal.css", "stylesheet")
    assert real == str((tmp_path / "templates/proposal.css").resolve())


def test_a_templates_folder_link_pointed_elsewhere_gives_the_other_folders_files(
    tmp_path: Path,
) -> None:
    # A workspace resolves its templates folder once; a caller that renders pages itself may
    # hand the same linked path on after the link is pointed at another folder. Both folders'
    # stylesheets have the same size and change time: only the file itself tells them apart,
    # and the real path kept from the first page must not be taken for the second.
    from kamdocs.render import html  # noqa: PLC0415

    for brand in ("brand-a", "brand-b"):
        css = tmp_path / brand / "proposal.css"
        css.parent.mkdir()
        css.write_text(f"/* {brand} */\n", encoding="utf-8")
        os.utime(css, ns=(1_700_000_000_000_000_000, 1_700_000_000_000_000_000))
    templates = tmp_path / "templates"
    pages = []
    for brand in ("brand-a", "brand-b"):
        templates.unlink(missing_ok=True)
        symlink(templates, tmp_path / brand)
        pages.append(html.page("<p>x</p>", "Offer", "en", templates))
    assert "/* brand-a */" in pages[0]
    assert "/* brand-b */" in pages[1]


# --- (b) marketing's Word file cannot make kamdocs read a file ------------------------------------


def reference_with(ws: Path, part: str, edit: Callable[[str], str]) -> None:
    path = ws / "templates/reference.docx"
    with zipfile.ZipFile(path) as package:
        parts = {n: package.read(n) for n in package.namelist()}
    parts[part] = edit(parts[part].decode("utf-8")).encode("utf-8")
    with zipfile.ZipFile(path, "w") as package:
        for name, data in parts.items():
            package.writestr(name, data)


def with_entity(xml: str, root: str, file: Path) -> str:
    doctype = f'<!DOCTYPE {root} [<!ENTITY xxe SYSTEM "{file.as_uri()}">]>'
    return re.sub(r"^(<\?xml[^>]*\?>)", lambda m: m.group(1) + doctype, xml, count=1)


def test_external_entities_in_reference_docx_are_never_read(ws: Path) -> None:
    marker = "EXTERNAL-ENTITY-MARKER-91"
    secret = ws / "secret.txt"
    secret.write_text(marker, encoding="utf-8")
    reference_with(
        ws,
        "word/document.xml",
        lambda xml: with_entity(xml, "w:document", secret).replace(
            "<w:body>", "<w:body><w:p><w:r><w:t>&xxe;</w:t></w:r></w:p>", 1
        ),
    )
    result = run("render", "dossiers/acme.yaml", "-f", "docx", "-o", "out")
    [problem] = refused(result)  # left unexpanded, it could not be written out again
    assert "uses the XML entity &xxe;" in problem
    assert marker not in result.output
    assert not (ws / "out").exists()

    reference_with(
        ws,
        "word/styles.xml",
        lambda xml: with_entity(xml, "w:styles", secret).replace(
            'w:val="Normal"/>', 'w:val="Normal"/><w:aliases w:val="&xxe;"/>', 1
        ),
    )
    result = run("render", "dossiers/acme.yaml", "-f", "docx", "-o", "out2")
    [problem] = refused(result)
    assert "reference.docx:1: not a usable reference document" in problem
    assert marker not in result.output
    assert not (ws / "out2").exists()


# --- (b) nothing reaches the network --------------------------------------------------------------


def test_a_render_opens_no_network_connection(ws: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    attempts: list[object] = []

    def refuse(*args: object, **kwargs: object) -> None:
        attempts.append(args)
        raise OSError("no network in this test")

    monkeypatch.setattr(socket.socket, "connect", refuse)
    monkeypatch.setattr(socket, "create_connection", refuse)
    monkeypatch.setattr(socket, "getaddrinfo", refuse)
    reference_with(
        ws,
        "word/document.xml",
        lambda xml: with_entity(xml, "w:document", Path("/nonexistent")).replace(
            "file:///nonexistent", "http://entity.invalid/x", 1
        ),
    )
    with_argument(
        ws,
        "Fine. See [our terms](https://terms.invalid/x) and "
        "![logo](http://images.invalid/logo.png).",
    )
    result = run("render", "dossiers/acme.yaml", "-f", "md,docx,html", "-o", "out")
    assert result.exit_code == 0, result.output
    assert attempts == []


# --- (b) the compiled-template cache is code: nobody else may write it --------------------------


@pytest.mark.parametrize(
    "entry_mode",
    [0o666, 0o600],  # 0o600: the entries look like the user's own, only the folders are open
    ids=["entries-writable", "folders-only"],
)
def test_a_cache_folder_others_can_write_is_not_trusted(
    ws: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, entry_mode: int
) -> None:
    cache = tmp_path / "shared-cache"  # say KAMDOCS_CACHE_DIR=/tmp/kamdocs on a shared machine
    monkeypatch.setenv(templating.CACHE_ENV, str(cache))
    templating._code_cache.cache_clear()
    try:
        assert run("render", "dossiers/acme.yaml", "-f", "md", "-o", "out").exit_code == 0
        entries = [p for p in cache.rglob("*") if p.is_file()]
        assert entries, "the content template was cached"
        # Another user of the machine replaces every entry with code of their own.
        marker = tmp_path / "ran-someone-elses-code"
        planted = compile(f"open({str(marker)!r}, 'w').close()", "<planted>", "exec")
        for folder in [cache, *(p for p in cache.rglob("*") if p.is_dir())]:
            folder.chmod(0o777)
        for entry in entries:
            entry.write_bytes(marshal.dumps(planted))
            entry.chmod(entry_mode)
        templating._ENVIRONMENTS.clear()  # as a new process would
        templating._code_cache.cache_clear()
        run("render", "dossiers/acme.yaml", "-f", "md", "-o", "out2")
    finally:
        templating._code_cache.cache_clear()
    assert not marker.exists()


# --- (a) no internal label in any format ----------------------------------------------------------

# Persona and member ids no text would ever hold: found anywhere in an output, they leaked.
LABELED_PERSONAS = {"executive": "boardroom-zq7", "finance": "ledger-zq7", "hr": "people-zq7",
                    "technical": "engine-zq7"}  # fmt: skip
INTERNAL = [
    *LABELED_PERSONAS.values(), "ivan-zq7", "elena-zq7",
    "decision_maker", "approver", "evaluator", "influencer", "expert", "novice",
    "prefers", "priorities", "knowledge", "persona", "score", "readers weigh", "criterion",
]  # fmt: skip


def test_no_internal_label_in_any_format_text_or_markup(ws: Path) -> None:
    personas = PERSONAS
    dossier = DOSSIER
    for old, new in LABELED_PERSONAS.items():
        personas = personas.replace(f"{old}:\n", f"{new}:\n")
        dossier = dossier.replace(f"persona: {old}\n", f"persona: {new}\n")
    dossier = dossier.replace(
        "    role: decision_maker\n",
        "    id: ivan-zq7\n    role: decision_maker\n    knowledge: novice\n"
        "    prefers: [exclusivity]\n    priorities: [implementation speed]\n",
    ).replace("    role: approver\n", "    id: elena-zq7\n    role: approver\n")
    build_file_tree(ws, {"templates/personas.yaml": personas, "dossiers/acme.yaml": dossier})
    result = run("render", "dossiers/acme.yaml", "-f", "md,docx,html", "-o", "out")
    assert result.exit_code == 0, result.output
    written = everything_written(ws)
    # Complete documents (an empty one would pass): both sections, a reader, the team.
    for shown in (
        "For the management",
        "Figures and financial result",
        "Elena Dimitrova",
        "Maria Georgieva",
    ):
        assert written.count(shown) >= 3, shown  # in the Markdown, the HTML and the DOCX
    css = (ws / "templates/proposal.css").read_text("utf-8")
    written = written.replace(css.rstrip(), "")  # marketing's stylesheet names its own classes
    for label in INTERNAL:
        pattern = rf"(?<![\w-]){re.escape(label)}(?![\w-])"
        assert not re.search(pattern, written, re.IGNORECASE), label


# --- (a) private data in marketing's Word file is caught like any other -------------------------


def test_private_value_in_the_reference_docx_header_is_a_warning(ws: Path) -> None:
    # The header is in every proposal: no scan can keep a value in it secret. The render goes on
    # and says where the value is public (tests/test_public_inputs.py has the other inputs).
    with zipfile.ZipFile(ws / "templates/reference.docx") as package:
        headers = sorted(n for n in package.namelist() if re.match(r"word/header\d*\.xml$", n))
    assert headers, "the shipped reference.docx has a header"
    reference_with(
        ws,
        headers[0],
        lambda xml: re.sub(
            r"(<w:p[ >].*?)(</w:p>)",
            lambda m: m.group(1) + f"<w:r><w:t>{NOTE}</w:t></w:r>" + m.group(2),
            xml,
            count=1,
            flags=re.DOTALL,
        ),
    )
    line = DOSSIER.lstrip("\n").splitlines().index(f'      notes: "{NOTE}"') + 1
    workspace = find_workspace(ws)
    written = app.render(workspace, [Path("dossiers/acme.yaml")], ("md", "docx"), ws / "out")
    assert [str(p) for p in written.warnings] == [
        f"dossiers/acme.yaml:{line}: warning: dmu[0].private.notes: "
        "this private value is also public in "
        f"templates/reference.docx ({headers[0]}); the guard cannot protect it"
    ]


# --- (d) numbers in a price list cannot crash or blow up the render -------------------------------

LIMIT = "must be less than 1,000,000,000,000,000"
HOSTILE_PRICES = {
    "price-past-exact-rounding": ("quantity: 1", "unit_price: 1e27", {"unit_price": LIMIT}),
    "overflowing-product": (
        "quantity: 1e999999999", "unit_price: 1e999999999",
        {"quantity": LIMIT, "unit_price": LIMIT}),
    "million-digit-quantity": ("quantity: 1E+999999", "unit_price: 0", {"quantity": LIMIT}),
    "million-decimal-places": (
        "quantity: 0.1E-999999", "unit_price: 1",
        {"quantity": "more than 10 decimal places; round it"}),
    "huge-integer": ("quantity: " + "9" * 5000, "unit_price: 1", {"quantity": LIMIT}),
    "amount-too-large": (
        "quantity: 100000000", "unit_price: 100000000",
        {"unit_price": "quantity × unit_price " + LIMIT}),
}  # fmt: skip


@pytest.mark.parametrize("name", list(HOSTILE_PRICES))
def test_hostile_numbers_in_a_price_list_are_located_errors(ws: Path, name: str) -> None:
    quantity, price, expected = HOSTILE_PRICES[name]
    dossier = DOSSIER.replace(
        "        quantity: 3\n        unit_price: 1249.90\n",
        f"        {quantity}\n        {price}\n",
    )
    build_file_tree(ws, {"dossiers/acme.yaml": dossier})
    lines = dossier.lstrip("\n").splitlines()
    at = {"quantity": lines.index(f"        {quantity}") + 1,
          "unit_price": lines.index(f"        {price}") + 1}  # fmt: skip
    start = time.perf_counter()
    result = run("render", "dossiers/acme.yaml", "-f", "md,docx,html", "-o", "out")
    assert time.perf_counter() - start < HANG
    problems = [
        f"dossiers/acme.yaml:{at[field]}: offer.pricing.items[0].{field}: {message}"
        for field, message in expected.items()
    ]
    assert refused(result) == problems
    assert not (ws / "out").exists()
    assert refused(run("validate", "dossiers/acme.yaml")) == problems  # validate says it too


def test_vat_rate_with_a_million_decimal_places_is_a_located_error(ws: Path) -> None:
    dossier = DOSSIER.replace("    vat_percent: 20\n", "    vat_percent: 1E-999999\n")
    build_file_tree(ws, {"dossiers/acme.yaml": dossier})
    line = dossier.lstrip("\n").splitlines().index("    vat_percent: 1E-999999") + 1
    result = run("render", "dossiers/acme.yaml", "-f", "md", "-o", "out")
    assert refused(result) == [
        f"dossiers/acme.yaml:{line}: offer.pricing.vat_percent: more than 10 decimal places; "
        "round it"
    ]


def test_prices_at_the_bounds_still_render_exactly(ws: Path) -> None:
    dossier = DOSSIER.replace(
        "        quantity: 3\n        unit_price: 1249.90\n",
        "        quantity: 0.0000000001\n        unit_price: 999999999999999\n",
    )
    build_file_tree(ws, {"dossiers/acme.yaml": dossier})
    result = run("render", "dossiers/acme.yaml", "-f", "md", "-o", "out")
    assert result.exit_code == 0, result.output
    # 999,999,999,999,999 x 0.0000000001 = 99,999.9999999999 -> 100,000.00; + 1000 x 0.1
    assert "€120,120.00" in (ws / "out" / f"{SLUG}.md").read_text("utf-8")  # with 20% VAT


# --- (c) a dossier cannot choose where its output goes --------------------------------------------


@pytest.mark.parametrize("name", ["../../outside", "/etc/cron.d/x", "out/../../x", "CON.\\x"])
def test_a_client_name_cannot_write_outside_the_output_folder(ws: Path, name: str) -> None:
    build_file_tree(
        ws,
        {
            "dossiers/acme.yaml": DOSSIER.replace(
                "name: Acme Logistics AD", f"name: {json.dumps(name)}"
            )
        },
    )
    before = sorted(p.relative_to(ws) for p in ws.rglob("*"))
    result = run("render", "dossiers/acme.yaml", "-f", "md", "-o", "out")
    assert result.exit_code == 0, result.output
    [written] = [n for n in os.listdir(ws / "out") if n != "manifest.json"]
    assert re.fullmatch(r"[a-z0-9-]+\.md", written), written
    after = sorted(p.relative_to(ws) for p in ws.rglob("*"))
    assert sorted(set(after) - set(before)) == sorted(
        [Path("out"), Path("out/manifest.json"), Path("out") / written]
    )
