"""Hostile input: templates and texts that try to escape the sandbox or exhaust the machine,
dossiers that try to inject markup or blow up on parsing, and batches that must stay bounded.

The threat model these tests guard is docs/security.md.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import re
import subprocess
import sys
import textwrap
import time
import tracemalloc
import xml.etree.ElementTree as ET
import zipfile
from collections.abc import Iterator
from pathlib import Path

import docx
import markdown
import pytest
from helpers import (
    ARGUMENTS,
    DOSSIER,
    TEMPLATE,
    append_to_template,
    build_file_tree,
    refused,
    run,
)
from markdown.treeprocessors import Treeprocessor

from kamdocs import build, templating, yamlsrc

LIBRARY = "templates/arguments/main.yaml"
SLUG = "acme-logistics-ad"
DOCTYPE = "<!DOCTYPE html>\n"
XHTML = "{http://www.w3.org/1999/xhtml}"
# A hang guard, not a speed measurement (speed is measured in bench/): each attack below is
# refused by a count (steps, sizes, aliases) or by the CPU-time budget, so on a loaded CI
# machine too it ends well inside this; an unbounded loop or a quadratic blow-up never would.
FAST = 30.0


def yaml_str(text: str) -> str:
    """``text`` as a YAML double-quoted scalar."""
    return json.dumps(text, ensure_ascii=False)


# --- the content template cannot escape the sandbox or exhaust the machine ------------------------

NOT_ALLOWED = "template is not allowed to do that: "
LIMIT = "template went over a limit: "
NOT_FOUND = "template failed: TemplateNotFound"
ESCAPES = {
    "str-class": ("{{ ''.__class__ }}", NOT_ALLOWED),
    "mro": ("{{ ''.__class__.__mro__ }}", NOT_ALLOWED),
    "subclasses": ("{{ ().__class__.__base__.__subclasses__() }}", NOT_ALLOWED),
    "subclasses-index": (
        "{{ ''.__class__.__mro__[1].__subclasses__()[0].__init__.__globals__['sys'] }}",
        NOT_ALLOWED,
    ),
    "lipsum-globals": ("{{ lipsum.__globals__['os'] }}", NOT_ALLOWED),
    "cycler-globals": ("{{ cycler.__init__.__globals__ }}", NOT_ALLOWED),
    "joiner-globals": ("{{ joiner.__init__.__globals__ }}", NOT_ALLOWED),
    "namespace-globals": ("{{ namespace.__init__.__globals__ }}", NOT_ALLOWED),
    "template-reference": ("{{ self._TemplateReference__context }}", NOT_ALLOWED),
    "format-class": ('{{ "{0.__class__}".format(client) }}', NOT_ALLOWED),
    "format-deep": ('{{ "{0.name.__class__.__mro__}".format(client) }}', NOT_ALLOWED),
    "format-map": ('{{ "{x.__class__}".format_map({"x": client}) }}', NOT_ALLOWED),
    "format-filter": ('{{ "%s"|format(client.__class__) }}', NOT_ALLOWED),
    "attr-filter": ('{{ client|attr("__class__") }}', NOT_ALLOWED),
    "context-dict": ("{{ t.__class__.__base__.__subclasses__() }}", NOT_ALLOWED),
    "huge-range": ("{{ range(10**9)|list|length }}", LIMIT + "range() of more than 100,000"),
    "huge-string": ("{{ 'x' * 10**9 }}", LIMIT + "that multiplication would build more than"),
    "huge-list": ("{{ [1] * 10**9 }}", LIMIT + "that multiplication would build more than"),
    "power-tower": ("{{ 10**10**10 }}", LIMIT + "that power would build a huge number"),
    "power-of-power": ("{{ (10**1000)**1000 }}", LIMIT + "that power would build a huge number"),
    "huge-exponent": ("{{ 2**100000 }}", LIMIT + "exponent 100000 is too large"),
    "squaring": (
        "{% set ns = namespace(x=3) %}{% for i in range(40) %}{% set ns.x = ns.x * ns.x %}"
        "{% endfor %}",
        LIMIT + "that multiplication would build a huge number",
    ),
    "nested-loops": (
        "{% for i in range(100000) %}{% for j in range(100000) %}{% endfor %}{% endfor %}",
        LIMIT + "more than 1,000,000 loop rounds",
    ),
    "nested-loops-over-a-list": (
        "{% set l = range(100000)|list %}{% for i in l %}{% for j in l %}{% endfor %}{% endfor %}",
        LIMIT + "more than 1,000,000 loop rounds",
    ),
    "nested-loops-writing": (
        "{% for i in range(100000) %}{% for j in range(100000) %}x{% endfor %}{% endfor %}",
        LIMIT + "more than 1,000,000 loop rounds",
    ),
    "recursive-loop": (
        "{% for i in range(100000) recursive %}{{ loop(range(100000)) }}{% endfor %}",
        "template recurses too deeply",
    ),
    "macro-recursion": ("{% macro f() %}{{ f() }}{% endmacro %}{{ f() }}", "template recurses"),
    "output-bomb": (
        "{% set s = 'x' * 1000000 %}{% for i in range(100) %}{{ s }}{% endfor %}",
        LIMIT + "the text would be longer than 8,000,000 characters",
    ),
    "set-block-bomb": (
        "{% set x %}{% for i in range(500) %}{% for j in range(999) %}xxxxxxxxxxxxxxxxxxxx"
        "{% endfor %}{% endfor %}{% endset %}",
        LIMIT + "the text would be longer than",
    ),
    "print-a-list-of-refs": (
        "{% set s = 'x' * 1000000 %}{{ [s, s, s, s, s, s, s, s, s, s] }}",
        LIMIT + "printing that value would build more than",
    ),
    "list-times": ("{{ [('x' * 1000000)] * 1000 }}", LIMIT + "that multiplication would build"),
    "concat-doubling": (
        "{% set ns = namespace(s='x' * 1000000) %}{% for i in range(30) %}"
        "{% set ns.s = ns.s ~ ns.s %}{% endfor %}",
        LIMIT + "that ~ concatenation would build more than",
    ),
    "plus-doubling": (
        "{% set ns = namespace(s='x' * 1000000) %}{% for i in range(30) %}"
        "{% set ns.s = ns.s + ns.s %}{% endfor %}",
        LIMIT + "that concatenation would build more than",
    ),
    "append-growth": (
        "{% set l = [] %}{% for i in range(100000) %}{{ l.append('x' * 1000000) }}{% endfor %}",
        NOT_ALLOWED,  # no list may change: the sandbox is immutable
    ),
    "extend-doubling": (
        "{% set l = [1] %}{% for i in range(64) %}{{ l.extend(l) }}{% endfor %}",
        NOT_ALLOWED,
    ),
    "lipsum": ("{{ lipsum(n=1000000) }}", LIMIT + "lipsum is limited to 100,000 words"),
    "center-filter": ("{{ 'x'|center(10**9) }}", LIMIT + "center width: 1,000,000,000 is too"),
    "center-block": (
        "{% filter center(1000000000) %}x{% endfilter %}",
        LIMIT + "center width: 1,000,000,000 is too large",
    ),
    "indent-filter": ("{{ 'a\\nb'|indent(10**8) }}", LIMIT + "indent width: 100,000,000 is too"),
    "replace-filter": (
        "{{ ('x' * 1000000)|replace('x', 'yyyy') }}",
        LIMIT + "the filter replace would build more than",
    ),
    "join-filter": (
        "{{ range(100000)|join('x' * 1000000) }}",
        LIMIT + "join would build more than",
    ),
    "wordwrap-filter": (
        "{{ ('x ' * 900000)|wordwrap(1, wrapstring='-' * 100) }}",
        LIMIT + "the filter wordwrap would build more than",
    ),
    "slice-filter": ("{{ [1]|slice(10**9)|list }}", LIMIT + "slice count: 1,000,000,000 is too"),
    "printf-width": ("{{ '%1000000000s'|format(1) }}", LIMIT + "the filter format would build"),
    "printf-star": ("{{ '%*s'|format(10**9, 'x') }}", LIMIT + "a '*' width in a % format"),
    "printf-operator": ("{{ '%999999999d' % 1 }}", LIMIT + "that % format would build more than"),
    "printf-repeat": (
        "{% set s = 'x' * 1000000 %}{{ '%s%s%s%s%s' % (s, s, s, s, s) }}",
        LIMIT + "that % format would build more than",
    ),
    "format-width": ("{{ '{:>1000000000}'.format(1) }}", LIMIT + "format would build more than"),
    "format-repeat": (
        "{% set s = 'x' * 1000000 %}{{ '{0}{0}{0}{0}'.format(s) }}",
        LIMIT + "format would build more than",
    ),
    "format-nested": ("{{ '{:{}}'.format(1, 10**9) }}", LIMIT + "nested {} inside a format field"),
    "ljust": ("{{ 'x'.ljust(10**9) }}", LIMIT + "ljust argument: 1,000,000,000 is too large"),
    "zfill": ("{{ '1'.zfill(10**9) }}", LIMIT + "zfill argument: 1,000,000,000 is too large"),
    "expandtabs": (
        "{{ ('\\t' * 1000000).expandtabs(1000) }}",
        LIMIT + "expandtabs would build more than",
    ),
    "str-replace": (
        "{{ ('x' * 1000000).replace('x', 'yy') }}",
        LIMIT + "replace would build more than",
    ),
    "str-join": ("{{ ('x' * 1000000).join(range(1000)|map('string')) }}", LIMIT + "join would"),
    "translate": (
        "{{ ('x' * 1000).translate({120: 'y' * 1000000}) }}",
        LIMIT + "translate would build more than",
    ),
    "to-bytes": ("{{ (1).to_bytes(10**9, 'big') }}", LIMIT + "to_bytes argument: 1,000,000,000"),
    "fromkeys": (
        "{{ {}.fromkeys(range(1000), 'x' * 1000000)|string }}",
        LIMIT + "that call would build more than",
    ),
    "include-outside": ("{% include '../dossiers/acme.yaml' %}", NOT_FOUND),
    "include-absolute": ("{% include '/etc/passwd' %}", NOT_FOUND),
    "import-module": ("{% import 'os' as os %}{{ os.system }}", NOT_FOUND),
    "no-config": ("{{ config }}", "template uses something that does not exist: 'config'"),
    "no-import": ("{{ __import__('os') }}", "template uses something that does not exist"),
}


@pytest.mark.parametrize("name", list(ESCAPES))
def test_template_escape_is_refused_quickly_with_file_and_line(ws: Path, name: str) -> None:
    code, message = ESCAPES[name]
    line = append_to_template(ws, code)
    start = time.perf_counter()
    result = run("render", "dossiers/acme.yaml", "-f", "md", "-o", "out")
    elapsed = time.perf_counter() - start
    lines = refused(result, f"{TEMPLATE}:{line}: ")
    assert lines == [lines[0]]
    assert lines[0].startswith(f"{TEMPLATE}:{line}: {message}"), lines[0]
    assert elapsed < FAST, f"{name} took {elapsed:.1f} s"
    assert not (ws / "out").exists()


def test_cpu_bomb_stops_at_the_time_budget(ws: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # Little output, few rounds, much work per round: only the CPU-time budget stops it.
    monkeypatch.setattr(templating, "MAX_SECONDS", 0.3)
    line = append_to_template(
        ws,
        "{% set s = 'x' * 1000000 %}{% for i in range(100000) %}"
        "{% set t = s|replace('x', 'y') %}{% endfor %}",
    )
    start = time.perf_counter()
    result = run("render", "dossiers/acme.yaml", "-f", "md", "-o", "out")
    assert time.perf_counter() - start < FAST
    refused(result, f"{TEMPLATE}:{line}: {LIMIT}rendering took more than 0.3 s of CPU time")


def test_each_render_has_its_own_budget(ws: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # 600,000 rounds per proposal: under the limit for each of two proposals, over it for both.
    monkeypatch.setattr(templating, "MAX_STEPS", 1_000_000)
    append_to_template(
        ws, "{% for i in range(600) %}{% for j in range(999) %}{% endfor %}{% endfor %}"
    )
    build_file_tree(ws, {"dossiers/beta.yaml": DOSSIER.replace("Acme Logistics", "Beta Trade")})
    result = run("render", "dossiers", "-f", "md", "-o", "out")
    assert result.exit_code == 0, result.output
    assert len(list((ws / "out").glob("*.md"))) == 2


ATTACK_SCRIPT = """
import json, os, resource, sys, time
resource.setrlimit(resource.RLIMIT_AS, (ADDRESS_SPACE, ADDRESS_SPACE))
from click.testing import CliRunner
from kamdocs import templating
from kamdocs.cli import main
template = open("templates/proposal.md.j2", encoding="utf-8").read()
results = {}
for name, code in json.loads(sys.argv[1]).items():
    with open("templates/proposal.md.j2", "w", encoding="utf-8") as fh:
        fh.write(template + code + "\\n")
    templating._ENVIRONMENTS.clear()
    start = time.perf_counter()
    result = CliRunner().invoke(main, ["render", "dossiers/acme.yaml", "-f", "md", "-o", "out"])
    results[name] = [result.exit_code, result.stderr, time.perf_counter() - start]
with open("/proc/self/status") as status:
    peak = next(int(l.split()[1]) for l in status if l.startswith("VmHWM"))
print(json.dumps({"results": results, "peak_kib": peak}))
"""


@pytest.mark.skipif(not Path("/proc/self/status").exists(), reason="reads the peak RSS from /proc")
def test_template_attacks_stay_within_little_memory(ws: Path) -> None:
    """Every attack above, in one process limited to 1 GiB of address space: each is refused
    (never a MemoryError), and the process never grew past 400 MiB."""
    script = ATTACK_SCRIPT.replace("ADDRESS_SPACE", str(1 << 30))
    attacks = {name: code for name, (code, _) in ESCAPES.items()}
    found = subprocess.run(
        [sys.executable, "-c", script, json.dumps(attacks)],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert found.returncode == 0, found.stderr[-2000:]
    report = json.loads(found.stdout)
    for name, (code, stderr, elapsed) in report["results"].items():
        assert code == 1, (name, stderr)
        assert ESCAPES[name][1] in stderr, (name, stderr)
        assert "MemoryError" not in stderr, (name, stderr)
        assert elapsed < FAST, (name, elapsed)
    assert report["peak_kib"] < 400 * 1024, report["peak_kib"]


# --- library texts (argument and reference texts) run in the same sandbox ------------------------


def with_argument(ws: Path, text: str) -> int:
    """Pin an argument whose English text is ``text``; return the line of its ``text`` key."""
    arguments = ARGUMENTS + textwrap.dedent(f"""
        - id: raw
          kind: exclusivity
          title: {{en: "Raw", bg: "Raw"}}
          text: {{en: {yaml_str(text)}, bg: "x"}}
        """)
    build_file_tree(ws, {LIBRARY: arguments})
    build_file_tree(
        ws,
        {
            "dossiers/acme.yaml": DOSSIER.replace(
                "  valid_days: 30\n", "  valid_days: 30\n  include: [raw]\n"
            )
        },
    )
    lines = (ws / LIBRARY).read_text(encoding="utf-8").splitlines()
    return next(
        i
        for i, line in enumerate(lines, 1)
        if line.startswith("  text: {en: ") and "Raw" in lines[i - 2]
    )


LIBRARY_ESCAPES = [
    "str-class",
    "subclasses",
    "lipsum-globals",
    "cycler-globals",
    "template-reference",
    "format-class",
    "format-filter",
    "huge-range",
    "huge-string",
    "power-tower",
    "nested-loops",
    "output-bomb",
    "printf-width",
    "format-width",
    "append-growth",
    "include-outside",
]


@pytest.mark.parametrize("name", LIBRARY_ESCAPES)
def test_library_text_escape_is_refused_quickly_with_file_and_line(ws: Path, name: str) -> None:
    code, message = ESCAPES[name]
    if name == "include-outside":
        message = "template failed: TypeError: no loader for this environment specified"
    line = with_argument(ws, f"Fine. {code}")
    start = time.perf_counter()
    result = run("render", "dossiers/acme.yaml", "-f", "md,docx,html", "-o", "out")
    elapsed = time.perf_counter() - start
    lines = refused(result, f"{LIBRARY}:{line}: raw.text: ")
    assert lines == [f"{LIBRARY}:{line}: raw.text: {message}" + lines[0].split(message, 1)[1]]
    assert elapsed < FAST, f"{name} took {elapsed:.1f} s"
    assert not (ws / "out").exists()


def test_library_text_is_checked_when_the_library_loads(ws: Path) -> None:
    line = with_argument(ws, "Broken {{ client.name ")
    result = run("validate")
    refused(result, f"{LIBRARY}:{line}: [raw].text.en: template syntax error: ")


# --- dossier values are data, never template code -------------------------------------------------

TEMPLATE_SYNTAX = "{{ 7*7 }} {% raw %} {# x {{ client.name }} {%- if 1 %}"


def fill_every_text_field(value: str) -> str:
    """A valid dossier whose every free-text field holds ``value`` (and stays unique)."""
    v = yaml_str(value)
    return textwrap.dedent(f"""
        client:
          name: {yaml_str(value + " client")}
          slug: every-field
          industry: {v}
        business:
          situation: {yaml_str(value + " situation")}
          weaknesses: [{yaml_str(value + " weakness")}]
          growth_areas: [{yaml_str(value + " growth")}]
        relationship:
          status: existing
          history:
            - date: 2025-04-01
              summary: {yaml_str(value + " summary")}
              result: {yaml_str(value + " result")}
        criteria: [{yaml_str(value + " criterion")}]
        tender:
          name: {yaml_str(value + " tender")}
          submission_date: 2027-06-01
        dmu:
          - name: {yaml_str(value + " ceo")}
            position: {yaml_str(value + " position")}
            persona: executive
            priorities: [{v}]
          - name: {yaml_str(value + " cfo")}
            position: CFO
            persona: finance
            knowledge: expert
        offer:
          title: {yaml_str(value + " title")}
          summary: {yaml_str(value + " offer summary")}
          issued: 2026-11-26
          valid_days: 30
          pricing:
            currency: EUR
            items:
              - description: {yaml_str(value + " item")}
                quantity: 2
                unit: {yaml_str(value + " unit")}
                unit_price: 10
        team:
          - name: {yaml_str(value + " lead")}
            position: {yaml_str(value + " kam")}
            phone: {yaml_str(value + " 123")}
            lead: true
        """)


class _Tree(Treeprocessor):
    def run(self, root: ET.Element) -> None:
        self.root = root


def markdown_texts(text: str) -> str:
    """The Markdown as a reader sees it (CommonMark-like escapes), all texts joined."""
    md = markdown.Markdown(extensions=["tables", "attr_list", "sane_lists"])
    md.ESCAPED_CHARS.extend(c for c in "<&=" if c not in md.ESCAPED_CHARS)
    tree = _Tree(md)
    md.treeprocessors.register(tree, "keep-tree", -1000)
    md.convert(text)
    return "\n".join("".join(el.itertext()) for el in tree.root.iter())


def html_texts(page: str) -> tuple[ET.Element, str]:
    assert page.startswith(DOCTYPE)
    root = ET.fromstring(page.removeprefix(DOCTYPE))  # well-formed XML, or this raises
    return root, "\n".join("".join(el.itertext()) for el in root.iter())


def _cell_texts(tables: list) -> Iterator[str]:
    """Every cell's text, nested tables too (kamdocs keeps a block on one page in a layout
    table: the team table, the next steps and the closing sentence)."""
    for table in tables:
        for row in table.rows:
            for cell in row.cells:
                yield cell.text
                yield from _cell_texts(cell.tables)


def docx_texts(path: Path) -> str:
    document = docx.Document(str(path))
    cells = list(_cell_texts(document.tables))
    return "\n".join([p.text for p in document.paragraphs] + cells)


def rendered_texts(ws: Path, slug: str) -> dict[str, str]:
    out = ws / "out"
    return {
        "md": markdown_texts((out / f"{slug}.md").read_text("utf-8")),
        "html": html_texts((out / f"{slug}.html").read_text("utf-8"))[1],
        "docx": docx_texts(out / f"{slug}.docx"),
    }


def test_dossier_values_are_never_evaluated_as_templates(ws: Path) -> None:
    build_file_tree(
        ws,
        {
            "dossiers/acme.yaml": fill_every_text_field(TEMPLATE_SYNTAX),
            # An argument that prints client.industry: the value goes through a library template.
            LIBRARY: ARGUMENTS.replace(
                '"Your {{ client.industry }} peers grow."', '"Industry: {{ client.industry }}."'
            ),
        },
    )
    result = run("render", "dossiers/acme.yaml", "-f", "md,docx,html", "-o", "out")
    assert result.exit_code == 0, result.output
    printed = [
        "client",
        "situation",
        "weakness",
        "growth",
        "summary",
        "result",
        "tender",
        "ceo",
        "position",
        "cfo",
        "title",
        "offer summary",
        "item",
        "unit",
        "lead",
        "kam",
        "123",
    ]
    for fmt, text in rendered_texts(ws, "every-field").items():
        text = text.replace("\u00a0", " ")  # phone numbers are printed with no-break spaces
        for suffix in printed:
            assert f"{TEMPLATE_SYNTAX} {suffix}" in text, (fmt, suffix)
        assert f"Industry: {TEMPLATE_SYNTAX}." in text, fmt
        assert "49" not in text, fmt


# --- limits on what a dossier (or any YAML file) may be -------------------------------------------


def test_dossier_too_large(ws: Path) -> None:
    filler = "# " + "x" * 1000 + "\n"
    build_file_tree(ws, {"dossiers/acme.yaml": DOSSIER + filler * 1100})
    result = run("validate", "dossiers/acme.yaml")
    assert refused(result, "dossiers/acme.yaml:1: ") == [
        "dossiers/acme.yaml:1: larger than 1024 KiB; is this a dossier?"
    ]


def test_dossier_too_deep(ws: Path) -> None:
    deep = "".join("  " * i + f"k{i}:\n" for i in range(yamlsrc.MAX_DEPTH + 5))
    notes = "x-notes:\n" + textwrap.indent(deep, "  ")
    build_file_tree(ws, {"dossiers/acme.yaml": DOSSIER + notes})
    result = run("validate", "dossiers/acme.yaml")
    [line] = refused(result, "dossiers/acme.yaml:")
    assert line.endswith(f": x-notes: too large: nested deeper than {yamlsrc.MAX_DEPTH} levels")


def test_flow_nesting_bomb(ws: Path) -> None:
    build_file_tree(ws, {"dossiers/acme.yaml": "client: " + "[" * 100_000 + "]" * 100_000})
    result = run("validate", "dossiers/acme.yaml")
    [line] = refused(result, "dossiers/acme.yaml:1: ")
    assert "nesting depth" in line


BILLION_LAUGHS = 'a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]\n' + "".join(
    f"{c}: &{c} [{', '.join([f'*{p}'] * 9)}]\n" for p, c in zip("abcdefgh", "bcdefghi", strict=True)
)


def test_billion_laughs_is_refused_fast_in_little_memory(ws: Path) -> None:
    build_file_tree(ws, {"dossiers/acme.yaml": DOSSIER + BILLION_LAUGHS})
    tracemalloc.start()
    try:
        start = time.perf_counter()
        result = run("validate", "dossiers/acme.yaml")
        elapsed = time.perf_counter() - start
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    [line] = refused(result, "dossiers/acme.yaml:")
    assert re.search(r":\d+: [a-i]: too large: more than 100,000 values \(are aliases", line)
    assert elapsed < FAST
    assert peak < 100 * 1024 * 1024, peak  # 9**9 "lol"s would be gigabytes


def test_many_aliases_of_a_nested_value(ws: Path) -> None:
    nested = "x-a: &x " + "{b: " * 30 + "1" + "}" * 30 + "\n"
    many = "".join(f"x-c{i}: *x\n" for i in range(20_000))
    build_file_tree(ws, {"dossiers/acme.yaml": DOSSIER + nested + many})
    start = time.perf_counter()
    result = run("validate", "dossiers/acme.yaml")
    [line] = refused(result, "dossiers/acme.yaml:")
    assert "too large: more than 100,000 values" in line
    assert time.perf_counter() - start < FAST


# --- a batch keeps only file names in memory, whatever its size -----------------------------------


def many_dossiers(ws: Path, count: int, label: str = "") -> None:
    # Big public texts, so that each proposal is large next to everything else in memory.
    story = "A long account of the client's business. " * 600
    dossier = DOSSIER.replace(
        "  title: Warehouse automation\n",
        f"  title: Warehouse automation\n  summary: {yaml_str(story)}\n",
    )
    build_file_tree(
        ws,
        {
            f"dossiers/c{i:03d}.yaml": dossier.replace(
                "Acme Logistics AD", f"Client {label or count}-{i:03d}"
            )
            for i in range(count)
        },
    )


def peak_of_serial_render(
    ws: Path, monkeypatch: pytest.MonkeyPatch, count: int, out: str | None = None
) -> int:
    for old in (ws / "dossiers").glob("*.yaml"):
        old.unlink()
    many_dossiers(ws, count, label=out or "")
    monkeypatch.setattr(build, "PARALLEL_MIN", 10**6)  # in this process, where tracemalloc sees it
    out = out or f"out{count}"
    tracemalloc.start()
    try:
        result = run("render", "dossiers", "-f", "md,html", "-o", out)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert result.exit_code == 0, result.output
    assert len(list((ws / out).glob("*.html"))) == count
    return peak


def test_a_batch_does_not_keep_what_it_rendered(ws: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # Imports, compiled templates, Babel data; and the dossiers' file names (other clients in
    # them), which pathlib interns for good: the table of interned strings grows in steps of a
    # megabyte or more when the strings of every earlier test and these names cross its size,
    # whatever the batch keeps.
    peak_of_serial_render(ws, monkeypatch, 90, out="warm")
    peak_30 = peak_of_serial_render(ws, monkeypatch, 30)
    peak_90 = peak_of_serial_render(ws, monkeypatch, 90)
    written = sum(p.stat().st_size for p in (ws / "out90").iterdir())
    assert written > 3 * 1024 * 1024  # what a batch holding every document would hold at least
    assert peak_90 < peak_30 * 1.25 + 2 * 1024 * 1024, (peak_30, peak_90)


def test_a_parallel_batch_holds_a_bounded_number_of_results(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """However slow the first dossier the workers render, the parent holds at most a few
    chunks of results (dossier 000 is rendered by the parent itself, before they fork)."""
    megabyte = 1024 * 1024

    def fake_render(path: Path) -> build.Outcome:
        if path.name == "001":
            time.sleep(1.0)  # everything else is done long before the first result is taken
        files = {f"{path.name}.docx": os.urandom(megabyte)}
        return build.Outcome(str(path), path.name, files=files)

    monkeypatch.setattr(build, "_render", fake_render)  # the workers fork after this
    job = build.Job(None, tmp_path, ("docx",), dt.date(2026, 11, 26), 30, "en")  # type: ignore[arg-type]
    paths = [tmp_path / f"{i:03d}" for i in range(96)]
    tracemalloc.start()
    try:
        seen, peak_live = [], 0
        for outcome in build.outcomes(job, paths, processes=2):
            seen.append(outcome.path)
            peak_live = max(peak_live, tracemalloc.get_traced_memory()[0])
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert seen == [str(p) for p in paths]  # in order
    in_flight = build.IN_FLIGHT * 2 * build.CHUNKSIZE  # chunks ahead per worker, 2 workers
    assert peak < (in_flight + build.CHUNKSIZE + 8) * megabyte, peak / megabyte
    assert peak < 60 * megabyte  # 96 results held at once would be 96 MiB


# --- markup in dossier values is text in every format ---------------------------------------------

MARKUP = [
    "*bold* _it_ **strong** __strong__ ***both***",
    "# not a heading",
    "## not a heading either ##",
    "- not a list",
    "+ not a list",
    "* not a list",
    "1. not a list",
    "2) not a list",
    "> not a quote",
    "===",
    "---",
    "***",
    "    not code",
    "`code` and ``more``",
    "<b>bold</b> <script>alert(1)</script> <img src=x onerror=alert(1)>",
    "<!-- comment --> <![CDATA[x]]> <?php echo 1; ?>",
    "&amp; &lt;b&gt; &#42; &copy; &nbsp; &#x3C;script&#x3E;",
    "[click](javascript:alert(1)) [x][ref] ![img](http://x.example/p.png)",
    "<javascript:alert(1)> <http://x.example> http://x.example",
    "a | b | c",
    "{: .title } {: #id onclick=alert(1) }",
    "\\*escaped\\* \\\\ backslash at the end \\",
    "line\nbreak\ttab",
    "Term\n: definition",
    "[^1] footnote ~~strike~~ ==mark== ^sup^",
    "| --- | --- |",
]


@pytest.mark.parametrize("text", MARKUP)
def test_markup_in_every_field_is_literal_in_every_format(ws: Path, text: str) -> None:
    build_file_tree(ws, {"dossiers/acme.yaml": fill_every_text_field(text)})
    result = run("render", "dossiers/acme.yaml", "-f", "md,docx,html", "-o", "out")
    assert result.exit_code == 0, result.output
    literal = " ".join(text.split())
    for fmt, texts in rendered_texts(ws, "every-field").items():
        for suffix in ("client", "title", "offer summary", "weakness", "item", "lead", "ceo"):
            assert f"{literal} {suffix}" in texts, (fmt, suffix, texts[:300])
    page = (ws / "out/every-field.html").read_text("utf-8")
    root, _ = html_texts(page)
    tags = {el.tag.rsplit("}", 1)[-1] for el in root.iter()}
    assert not tags & {"script", "img", "iframe", "code", "em", "blockquote", "ol", "hr", "pre"}
    hrefs = [v for el in root.iter() for k, v in el.attrib.items() if k in ("href", "src")]
    assert all(h.startswith(("mailto:", "tel:")) for h in hrefs), hrefs
    assert not any(k.startswith("on") for el in root.iter() for k in el.attrib)


def test_pipes_in_pricing_items_do_not_break_the_table(ws: Path) -> None:
    description = "Licence | 3 | 99,00 | extra | cells | \\| \\\\|"
    build_file_tree(
        ws,
        {
            "dossiers/acme.yaml": DOSSIER.replace(
                "description: WMS licence", f"description: {yaml_str(description)}"
            )
        },
    )
    result = run("render", "dossiers/acme.yaml", "-f", "md,docx,html", "-o", "out")
    assert result.exit_code == 0, result.output
    document = docx.Document(str(ws / "out" / f"{SLUG}.docx"))
    pricing = next(t for t in document.tables if t.rows[0].cells[0].text == "Item")
    assert [len(row.cells) for row in pricing.rows] == [4] * len(pricing.rows)
    assert pricing.rows[1].cells[0].text == description
    assert pricing.rows[1].cells[1].text == "3"
    root, _ = html_texts((ws / "out" / f"{SLUG}.html").read_text("utf-8"))
    table = next(
        t
        for t in root.iter()
        if t.tag.endswith("}table") and "".join(next(t.iter(f"{XHTML}th")).itertext()) == "Item"
    )
    rows = list(table.iter(f"{XHTML}tr"))
    assert [len(r) for r in rows] == [4] * len(rows)
    cells = ["".join(c.itertext()) for r in rows for c in r]
    assert description in cells
    assert description in markdown_texts((ws / "out" / f"{SLUG}.md").read_text("utf-8"))


UNSAFE_LINKS = [
    "javascript:alert(1)",
    "JavaScript:alert(2)",
    " javascript:alert(3)",
    "java\tscript:alert(4)",
    "javascript&#58;alert(5)",
    "javascript&colon;alert(6)",
    "&#106;avascript:alert(7)",
    "data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==",
    "DATA:text/html,<script>alert(8)</script>",
    "vbscript:msgbox(9)",
    "file:///etc/passwd",
    "//evil.example/x",
    "<javascript:alert(10)>",
]


@pytest.mark.parametrize("target", UNSAFE_LINKS)
def test_unsafe_links_in_library_text_never_become_links(ws: Path, target: str) -> None:
    with_argument(ws, f"Read [the terms]({target}) and [ours](https://ok.example/terms).")
    result = run("render", "dossiers/acme.yaml", "-f", "md,docx,html", "-o", "out")
    assert result.exit_code == 0, result.output
    root, texts = html_texts((ws / "out" / f"{SLUG}.html").read_text("utf-8"))
    hrefs = [v for el in root.iter() for k, v in el.attrib.items() if k in ("href", "src")]
    assert "https://ok.example/terms" in hrefs
    assert all(h.startswith(("https://", "mailto:", "tel:")) for h in hrefs), hrefs
    assert "Read the terms and ours." in texts
    with zipfile.ZipFile(ws / "out" / f"{SLUG}.docx") as package:
        assert package.testzip() is None
        rels = "\n".join(
            package.read(n).decode("utf-8") for n in package.namelist() if n.endswith(".rels")
        )
    targets = re.findall(r'Target="([^"]*)"[^>]*TargetMode="External"', rels)
    assert "https://ok.example/terms" in targets
    assert all(t.startswith(("https://", "mailto:", "tel:")) for t in targets), targets
    assert "Read the terms and ours." in docx_texts(ws / "out" / f"{SLUG}.docx")


def test_unsafe_links_in_a_reference_text_never_become_links(ws: Path) -> None:
    build_file_tree(
        ws,
        {
            "templates/references.yaml": textwrap.dedent("""
        - id: big-retail
          company: Big Retail
          industry: logistics
          significant: true
          project: {en: "See [case](javascript:alert(1)) and [site](vbscript:x).", bg: "x"}
          result: {en: "[Data](data:text/html,x) <script>alert(1)</script>", bg: "x"}
        """)
        },
    )
    build_file_tree(
        ws,
        {
            "dossiers/acme.yaml": DOSSIER.replace(
                "    role: approver\n",
                "    role: approver\n  - name: Hristo Hr\n    position: HR\n    persona: hr\n",
            )
        },
    )
    result = run("render", "dossiers/acme.yaml", "-f", "docx,html", "-o", "out")
    assert result.exit_code == 0, result.output
    page = (ws / "out" / f"{SLUG}.html").read_text("utf-8")
    root, texts = html_texts(page)
    assert "See case and site." in texts
    assert "<script" not in page.lower()
    hrefs = [v for el in root.iter() for k, v in el.attrib.items() if k in ("href", "src")]
    assert all(h.startswith(("mailto:", "tel:")) for h in hrefs), hrefs
    with zipfile.ZipFile(ws / "out" / f"{SLUG}.docx") as package:
        parts = "\n".join(
            package.read(n).decode("utf-8")
            for n in package.namelist()
            if n.endswith((".xml", ".rels"))
        )
    assert not re.search(r"(javascript|vbscript|data):", parts, re.IGNORECASE)


CONTROLS = [chr(c) for c in [*range(0x09), 0x0B, 0x0C, *range(0x0E, 0x20), *range(0x7F, 0xA0)]]
CONTROLS += ["\u2028", "\u2029", "\ufffe", "\uffff"]


@pytest.mark.parametrize("char", CONTROLS, ids=[f"U+{ord(c):04X}" for c in CONTROLS])
def test_control_characters_are_an_error_naming_the_field(ws: Path, char: str) -> None:
    escaped = json.dumps(char)[1:-1]  # written as a YAML escape, e.g. "\u0001"
    dossier = DOSSIER.replace("    position: CFO\n", f'    position: "CFO{escaped}"\n')
    build_file_tree(ws, {"dossiers/acme.yaml": dossier})
    result = run("render", "dossiers/acme.yaml", "-f", "md", "-o", "out")
    line = dossier.lstrip("\n").splitlines().index(f'    position: "CFO{escaped}"') + 1
    assert refused(result, "dossiers/acme.yaml:") == [
        f"dossiers/acme.yaml:{line}: dmu[1].position: contains the control character "
        f"U+{ord(char):04X}, which documents cannot hold; remove it"
    ]
    assert not (ws / "out").exists()


def test_raw_control_characters_are_an_error_with_the_line(ws: Path) -> None:
    dossier = DOSSIER.replace("    position: CFO\n", "    position: CF\x01O\n")
    build_file_tree(ws, {"dossiers/acme.yaml": dossier})
    line = dossier.lstrip("\n").splitlines().index("    position: CF\x01O") + 1
    result = run("validate", "dossiers/acme.yaml")
    assert refused(result, "dossiers/acme.yaml:") == [
        f"dossiers/acme.yaml:{line}: contains the character U+0001 (control characters are not "
        "allowed); remove it"
    ]


SCRIPTS = {
    "emoji": "\U0001f680 \U0001f469\u200d\U0001f469\u200d\U0001f467 \U0001f3f3\ufe0f\u200d"
    "\U0001f308",
    "cyrillic": "Ёлка Ѣ ї Ґ щ",
    "arabic": "شركة النور \u200fللتجارة\u200f",
    "combining": "Cafe\u0301 Z\u0307\u0323 a\u0308\u0304 \u0e01\u0e34\u0e4a",
    "bidi-override": "abc \u202eevil\u202c \u2066isolated\u2069",
    "astral": "\U0001d54f \U00020bb7 \U0001f1e7\U0001f1ec",
    "zero-width": "zero\u200bwidth\u200cjoin\u2060er\ufeff",
}


@pytest.mark.parametrize("name", list(SCRIPTS))
def test_any_script_in_a_table_cell_survives_in_every_format(ws: Path, name: str) -> None:
    text = SCRIPTS[name]
    build_file_tree(
        ws,
        {
            "dossiers/acme.yaml": DOSSIER.replace(
                "description: WMS licence", f"description: {yaml_str(text)}"
            ).replace("  - name: Maria Georgieva\n", f"  - name: {yaml_str(text + ' M')}\n")
        },
    )
    result = run("render", "dossiers/acme.yaml", "-f", "md,docx,html", "-o", "out")
    assert result.exit_code == 0, result.output
    md = (ws / "out" / f"{SLUG}.md").read_text("utf-8")
    assert f"| {text} |" in md
    for fmt, texts in rendered_texts(ws, SLUG).items():
        assert text in texts, fmt
        assert f"{text} M (lead)" in texts, fmt
