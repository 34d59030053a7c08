"""kamdocs templates check (and the same checks in validate): each mistake marketing makes in
templates/, located, with a did-you-mean where one exists."""

from __future__ import annotations

import inspect
import json
import os
import re
import zipfile
from dataclasses import dataclass
from pathlib import Path

import pytest
from helpers import ARGUMENTS, ROOT, TEMPLATE, append_to_template, build_file_tree, run

from kamdocs import lint
from kamdocs.render import docx as docx_writer
from kamdocs.render.context import TemplateContext, TextContext

ARGS = "templates/arguments/main.yaml"


def edit(path: Path, old: str, new: str, count: int = 1) -> int:
    """Replace ``old`` by ``new`` in ``path``; return the line where ``old`` was."""
    text = path.read_text(encoding="utf-8")
    assert old in text, old
    line = text[: text.index(old)].count("\n") + 1
    path.write_text(text.replace(old, new, count), encoding="utf-8")
    return line


def rename_style(docx: Path, name: str, new: str) -> None:
    """Rename the style called ``name`` in the styles.xml of ``docx``."""
    with zipfile.ZipFile(docx) as archive:
        parts = {info.filename: archive.read(info) for info in archive.infolist()}
    styles = parts["word/styles.xml"].decode("utf-8")
    pattern = re.compile(f'<w:name w:val="{re.escape(name)}"/>', re.IGNORECASE)
    assert pattern.search(styles), name
    parts["word/styles.xml"] = pattern.sub(f'<w:name w:val="{new}"/>', styles).encode("utf-8")
    with zipfile.ZipFile(docx, "w", zipfile.ZIP_DEFLATED) as archive:
        for name_, data in parts.items():
            archive.writestr(name_, data)


def check(*args: str):  # noqa: ANN201
    return run("templates", "check", *args)


def test_the_small_workspace_is_clean(ws: Path) -> None:
    result = check("--strict")
    assert result.exit_code == 0, result.output
    assert result.stderr == ""
    assert result.stdout == (
        "OK: templates: every template, text and style checked; "
        "1 dossier rendered in md, docx, html\n"
    )
    assert json.loads(check("--format", "json").stdout) == []


def test_the_shipped_templates_pass_strict(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(ROOT)
    result = check("--strict")
    assert result.exit_code == 0, result.output
    assert result.stderr == ""


# --- the acceptance's typos ----------------------------------------------------------------------


@dataclass
class Typo:
    id: str
    expected: str  # the whole line, {line} filled in
    error: bool = True


def _template_line(ws: Path, text: str) -> int:
    return append_to_template(ws, text)


def _make(ws: Path, typo: str) -> int:
    """Put the mistake ``typo`` into the workspace; return the line it is on."""
    template = ws / TEMPLATE
    if typo == "client.nmae":
        return append_to_template(ws, "{{ client.nmae }}")
    if typo == "clinet.name":
        return append_to_template(ws, "{{ clinet.name }}")
    if typo == "t.prepard_for":
        return append_to_template(ws, "{{ t.prepard_for }} {{ client.name }}")
    if typo == "client.nam":
        edit(ws / ARGS, "Costs drop for {{ client.name }}.", "Costs drop for {{ client.nam }}.")
        return ARGUMENTS.lstrip("\n").splitlines().index("  text: " + _tco_text()) + 1
    if typo == ".closng":
        return edit(template, "{: .closing }", "{: .closng }")
    if typo == "Detail":
        rename_style(ws / "templates/reference.docx", "Detail", "Detail (old)")
        return template.read_text().splitlines().index("{: .detail }") + 1
    if typo == "bg":
        build_file_tree(ws, {"kamdocs.yaml": "locale: bg\n"})
        title = '  title: {en: "Lower total cost", bg: "По-ниска обща цена"}'
        return edit(ws / ARGS, title, '  title: {en: "Lower total cost"}')
    raise AssertionError(typo)


def _tco_text() -> str:
    return '{en: "Costs drop for {{ client.name }}.", bg: "Разходите на {{ client.name }} падат."}'


TYPOS = [
    Typo(
        "client.nmae",
        f"{TEMPLATE}:{{line}}: unknown name 'client.nmae'; did you mean 'client.name'?",
    ),
    Typo(
        "clinet.name",
        f"{TEMPLATE}:{{line}}: unknown name 'clinet.name'; did you mean 'client.name'?",
    ),
    Typo(
        "t.prepard_for",
        f"{TEMPLATE}:{{line}}: unknown name 't.prepard_for'; did you mean 't.prepared_for'?",
    ),
    Typo(
        "client.nam",
        f"{ARGS}:{{line}}: [tco].text.en: unknown name 'client.nam'; did you mean 'client.name'?",
    ),
    Typo(
        ".closng",
        f"{TEMPLATE}:{{line}}: unknown class 'closng' (no rule in proposal.css, no style "
        "'Closng' in reference.docx); did you mean 'closing'?",
    ),
    Typo(
        "Detail",
        "templates/reference.docx: missing style 'Detail' (for {{: .detail }} at "
        f"{TEMPLATE}:{{line}})",
    ),
    Typo(
        "bg",
        f"{ARGS}:{{line}}: warning: title: argument 'tco' has no 'bg' text; a 'bg' proposal "
        "prints the 'en' one",
        error=False,
    ),
]


@pytest.mark.parametrize("typo", TYPOS, ids=lambda t: t.id)
def test_each_typo_is_caught_by_templates_check(typo: Typo, ws: Path) -> None:
    line = _make(ws, typo.id)
    expected = typo.expected.format(line=line)
    result = check()
    assert result.stderr.splitlines() == [expected]
    assert "Traceback" not in result.output
    if typo.error:
        assert result.exit_code == 1
        assert result.stdout == ""
    else:
        assert result.exit_code == 0
        assert result.stdout.endswith(", 1 warning\n")
        strict = check("--strict")
        assert strict.exit_code == 1
        assert strict.stderr.splitlines() == [expected.replace(": warning:", ":", 1)]


@pytest.mark.parametrize("typo", TYPOS, ids=lambda t: t.id)
def test_each_typo_is_caught_by_validate(typo: Typo, ws: Path) -> None:
    line = _make(ws, typo.id)
    result = run("validate")
    assert result.stderr.splitlines() == [typo.expected.format(line=line)]
    assert result.exit_code == (1 if typo.error else 0)
    assert "Traceback" not in result.output


@pytest.mark.parametrize("typo", TYPOS, ids=lambda t: t.id)
def test_json_gives_file_line_level_and_code(typo: Typo, ws: Path) -> None:
    line = _make(ws, typo.id)
    result = check("--format", "json")
    found = json.loads(result.stdout)
    assert len(found) == 1
    (item,) = found
    assert set(item) == {"file", "line", "column", "level", "code", "message"}
    assert item["level"] == ("error" if typo.error else "warning")
    assert result.exit_code == (1 if typo.error else 0)
    if typo.id == "Detail":
        assert (item["file"], item["line"], item["code"]) == (
            "templates/reference.docx",
            None,
            "missing-style",
        )
    else:
        assert item["line"] == line
        assert item["file"] in (TEMPLATE, ARGS)


def test_json_column_points_at_the_name(ws: Path) -> None:
    append_to_template(ws, "Dear {{ client.nmae }}")
    (item,) = json.loads(check("--format", "json").stdout)
    assert (item["column"], item["code"]) == (9, "unknown-name")


# --- more that compiles but cannot render --------------------------------------------------------


S = "{% for s in sections %}"
MISTAKES = [
    (
        '{% include "nonexistent.j2" %}',
        "template 'nonexistent.j2' not found in the templates folder",
    ),
    ("{{ undefined_var.foo }}", "unknown name 'undefined_var.foo'"),
    ("{{ issued|mony }}", "unknown filter 'mony'; did you mean 'money'?"),
    ("{% if tender is defind %}x{% endif %}", "unknown test 'defind'; did you mean 'defined'?"),
    (S + "{{ s.titel }}{% endfor %}", "unknown name 's.titel'; did you mean 's.title'?"),
    (
        S + "{% for a in s.arguments %}{{ a.detial }}{% endfor %}{% endfor %}",
        "unknown name 'a.detial'; did you mean 'a.detail'?",
    ),
    (
        "{{ pricing.items[0].amont }}",
        "unknown name 'pricing.items[0].amont'; did you mean 'pricing.items[0].amount'?",
    ),
    (
        "{% set lead = team|first %}{{ lead.emial }}",
        "unknown name 'lead.emial'; did you mean 'lead.email'?",
    ),
    ("{{ tender.submission_date.yeer }}", "unknown name 'tender.submission_date.yeer'"),
    ("{{ client.private }}", "unknown name 'client.private'"),
]


@pytest.mark.parametrize(("text", "message"), MISTAKES)
def test_template_mistakes_are_located(ws: Path, text: str, message: str) -> None:
    line = append_to_template(ws, text)
    for result in (check(), run("validate")):
        assert result.exit_code == 1, result.output
        assert result.stderr.splitlines() == [f"{TEMPLATE}:{line}: {message}"]


@pytest.mark.parametrize(
    "text",
    [
        "{% set who = client %}{{ who.name }}",
        "{% for s in sections %}{{ loop.index }}. {{ s.title }}{% endfor %}",
        "{% macro card(p) %}{{ p.name }}{% endmacro %}{{ card(team[0]) }}",
        "{{ t.get('closing', '') }} {{ client.name.upper() }} {{ sections|length }}",
        "{% for k, v in t|dictsort %}{{ k }}{% endfor %}{{ range(3)|list }}",
        "{% with x = offer %}{{ x.title }}{% endwith %}",
    ],
)
def test_what_the_context_has_passes(ws: Path, text: str) -> None:
    append_to_template(ws, text)
    result = check("--strict")
    assert result.exit_code == 0, result.output


def test_an_unclosed_block_is_reported_where_it_opens(ws: Path) -> None:
    line = append_to_template(ws, "{% if client.name %}")
    append_to_template(ws, "{% for r in readers %}{{ r.name }}{% endfor %}")
    append_to_template(ws, "no end here")
    expected = f"{TEMPLATE}:{line}: template syntax error: Unexpected end of template."
    for args in (("templates", "check"), ("validate",), ("render", "dossiers/acme.yaml")):
        result = run(*args)
        assert result.exit_code == 1, result.output
        assert result.stderr.startswith(expected), (args, result.stderr)


def test_an_unclosed_set_block_in_a_library_text(ws: Path) -> None:
    line = edit(ws / ARGS, '  title: {en: "Live in six weeks"', '  title: {en: "{% set x %}Live"')
    result = check()
    assert result.exit_code == 1
    assert result.stderr.startswith(f"{ARGS}:{line}: [fast].title.en: template syntax error: ")


def test_a_reference_text_is_checked_too(ws: Path) -> None:
    line = edit(
        ws / "templates/references.yaml", '"A WMS for 40 stores."', '"A WMS for {{ offer.titel }}."'
    )
    result = check()
    assert result.stderr.splitlines() == [
        f"templates/references.yaml:{line}: [0].project.en: unknown name 'offer.titel'; "
        "did you mean 'offer.title'?"
    ]


def test_a_library_text_cannot_use_what_only_the_template_has(ws: Path) -> None:
    edit(ws / ARGS, "Costs drop for {{ client.name }}.", "Costs drop by {{ pricing.total }}.")
    result = check()
    assert result.exit_code == 1
    assert "unknown name 'pricing.total'" in result.stderr


def test_what_fails_only_when_rendered_is_caught_by_rendering(ws: Path) -> None:
    line = append_to_template(ws, "{{ sections[0].arguments[40].title }}")
    result = check()
    assert result.exit_code == 1
    assert result.stderr.startswith(f"{TEMPLATE}:{line}: template uses something that does not")


# --- reference.docx and proposal.css --------------------------------------------------------------


def test_reference_docx_that_is_not_a_zip(ws: Path) -> None:
    (ws / "templates/reference.docx").write_text("not a zip")
    for result in (check(), run("validate")):
        assert result.exit_code == 1
        assert result.stderr.splitlines() == [
            "templates/reference.docx: not a Word document: File is not a zip file"
        ]


def test_missing_reference_docx(ws: Path) -> None:
    (ws / "templates/reference.docx").unlink()
    for result in (check(), run("validate")):
        assert result.exit_code == 1
        assert result.stderr.splitlines() == [
            "templates/reference.docx: the reference document is missing"
        ]


def test_a_stylesheet_linked_outside_the_folder(ws: Path) -> None:
    css = ws / "templates/proposal.css"
    (ws / "elsewhere.css").write_text(css.read_text())
    css.unlink()
    os.symlink(ws / "elsewhere.css", css)
    for result in (check(), run("validate")):
        assert result.exit_code == 1
        assert result.stderr.splitlines() == [
            "templates/proposal.css:1: links to a file outside the templates folder; "
            "copy the stylesheet in instead"
        ]


@pytest.mark.parametrize(
    ("style", "line"),
    [
        ("Table Text", "templates/reference.docx: missing style 'Table Text'"),
        (
            "Proposal Table",
            "templates/reference.docx: missing style 'Proposal Table' (table style)",
        ),
        ("Heading 1", "templates/reference.docx: missing style 'Heading 1'"),
        ("Hyperlink", "templates/reference.docx: missing style 'Hyperlink' (character style)"),
    ],
)
def test_styles_the_writer_needs_renamed(ws: Path, style: str, line: str) -> None:
    rename_style(ws / "templates/reference.docx", style, style + " (renamed)")
    for result in (check(), run("validate")):
        assert result.exit_code == 1
        assert result.stderr.splitlines() == [line]


def test_a_class_style_renamed(ws: Path) -> None:
    rename_style(ws / "templates/reference.docx", "Closing", "Closing (renamed)")
    line = (ws / TEMPLATE).read_text().splitlines().index("{: .closing }") + 1
    assert check().stderr.splitlines() == [
        f"templates/reference.docx: missing style 'Closing' (for {{: .closing }} at "
        f"{TEMPLATE}:{line})"
    ]


def test_a_class_without_a_css_rule(ws: Path) -> None:
    edit(ws / "templates/proposal.css", "p.closing", "p.the-end", count=-1)  # the print rule too
    line = (ws / TEMPLATE).read_text().splitlines().index("{: .closing }") + 1
    assert check().stderr.splitlines() == [
        f"{TEMPLATE}:{line}: class 'closing' has no rule in templates/proposal.css"
    ]


def test_a_new_class_with_its_style_and_rule_passes(ws: Path) -> None:
    append_to_template(ws, "Fine print\n{: .small }")
    assert check("--strict").exit_code == 0


# --- library coverage ----------------------------------------------------------------------------


def test_a_persona_kind_without_an_argument(ws: Path) -> None:
    line = edit(ws / "templates/personas.yaml", "  kinds: {technical: 3, statistic: 2}",
                "  kinds: {technical: 3, statistic: 2,\n          financial: 1, reference: 1,\n"
                "          exclusivity: 1, people: 1, benefit: 1}")  # fmt: skip
    assert check("--strict").exit_code == 0  # every one of these kinds has an argument
    edit(ws / ARGS, "  kind: exclusivity", "  kind: financial")
    result = check()
    assert result.exit_code == 0
    executive = (
        (ws / "templates/personas.yaml")
        .read_text()
        .splitlines()
        .index("  kinds: {business_insight: 3, exclusivity: 3, uniqueness: 2, benefit: 1}")
    )
    assert result.stderr.splitlines() == [
        f"templates/personas.yaml:{executive + 1}: warning: executive.kinds.exclusivity: no "
        "argument has this kind; the readers of this persona get none of it",
        f"templates/personas.yaml:{line + 2}: warning: technical.kinds.exclusivity: no argument "
        "has this kind; the readers of this persona get none of it",
    ]
    assert check("--strict").exit_code == 1


def test_an_argument_no_persona_weighs(ws: Path) -> None:
    personas = ws / "templates/personas.yaml"
    edit(
        personas,
        "  kinds: {reference: 3, people: 3, cooperation: 1}",
        "  kinds: {reference: 3, people: 3}",
    )
    arg_line = ARGUMENTS.lstrip("\n").splitlines().index("  kind: cooperation") + 1
    result = check()
    assert result.exit_code == 0
    assert result.stderr.splitlines() == [
        f"{ARGS}:{arg_line}: warning: [together].kind: no persona weighs 'cooperation'; the "
        "argument is chosen only when a dossier pins it"
    ]


# --- one declaration of the context ---------------------------------------------------------------


def test_the_docs_describe_exactly_the_declared_context() -> None:
    docs = (ROOT / "docs/templates.md").read_text(encoding="utf-8")
    section = docs.split("### What a template can use", 1)[1].split("\n### ", 1)[0]
    table = [line for line in section.splitlines() if line.startswith("| `")]
    documented = set()
    for row in table:
        cell = row.split("|")[1]
        documented |= {name.split(".")[0] for name in re.findall(r"`([a-z_.]+)`", cell)}
    assert documented == set(TemplateContext._fields)
    for path in lint.context_paths(TemplateContext):
        last = path.rsplit(".", 1)[-1].removesuffix("[]")
        written = (f"`{path}`", f"`{path}.", f"`.{last}`", f".{last}`")
        assert any(w in section for w in written), path
    text_section = docs.split("## arguments/*.yaml", 1)[1]
    for path in lint.context_paths(TextContext):
        if "." in path:
            assert f"{{{{ {path} }}}}" in text_section, path


def test_the_renderer_fills_the_declared_library_text_context() -> None:
    source = inspect.getsource(__import__("kamdocs.render.context", fromlist=["x"]).build_context)
    assert "TextContext(" in source


def test_every_style_the_writer_looks_up_is_declared() -> None:
    source = inspect.getsource(docx_writer.Reference._resolve_styles)
    looked_up = set(re.findall(r'find\("([^"]+)"(?:, "(\w+)")?\)', source))
    declared = {(kind, name) for kind, name in docx_writer.WRITER_STYLES}
    for name, kind in looked_up:
        if name != "Horizontal Line":  # optional: a hairline border without it
            assert (kind or "paragraph", name) in declared, name


def test_a_persona_label_without_the_language_in_use(ws: Path) -> None:
    build_file_tree(ws, {"kamdocs.yaml": "locale: bg\n"})
    personas = ws / "templates/personas.yaml"
    line = edit(
        personas,
        '  label: {en: "Figures and financial result", bg: "Цифри и финансов резултат"}',
        '  label: {en: "Figures and financial result"}',
    )
    result = check()
    assert result.exit_code == 0
    assert result.stderr.splitlines() == [
        f"templates/personas.yaml:{line}: warning: finance.label: persona 'finance' has no 'bg' "
        "label; a 'bg' proposal prints the 'en' one as the heading"
    ]


def test_a_class_the_template_computes_is_checked_as_each_text_it_may_be(ws: Path) -> None:
    line = append_to_template(ws, 'x\n{: .{{ "small" if tender else "smal" }} }') + 1
    assert check().stderr.splitlines() == [
        f"{TEMPLATE}:{line}: unknown class 'smal' (no rule in proposal.css, no style 'Smal' in "
        "reference.docx); did you mean 'small'?"
    ]


def test_a_rule_inside_a_media_query_counts() -> None:
    css = "@media print {\n  .page-break { break-before: page; }\n}\np.note, .a > .b { x: 1 }"
    assert lint.css_classes(css) == {"page-break", "note", "a", "b"}
