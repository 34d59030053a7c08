"""Every render sees a context nobody else can change: one proposal never carries anything into
the next, in one process or across the worker processes of a batch."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from helpers import DOSSIER, ROOT, TEMPLATE, build_file_tree, run
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from kamdocs import app, build
from kamdocs.workspace import find_workspace

DATE = "2026-11-30"
FORMATS = ("md", "html", "docx")
SAMPLES = sorted(p.name for p in (ROOT / "dossiers").glob("*.yaml"))

# The issue's template: the shared wording dict as a mailbox from one proposal to the next.
MAILBOX = """
{% if t.get('prev') %}Previously rendered: {{ t.prev }}{% endif %}
{% set _ = t.update({'prev': client.name ~ ' / ' ~ (readers|map(attribute='name')|join(', '))}) %}
"""
# The same through a namespace in an imported template (Jinja keeps an imported module).
NAMESPACE = """
{% import 'parts.md.j2' as parts %}{% set box = parts.box %}
{% if box.prev %}Previously rendered: {{ box.prev }}{% endif %}
{% set box.prev = client.name ~ ' / ' ~ (readers|map(attribute='name')|join(', ')) %}
"""
PARTS = "{% set box = namespace(prev='') %}\n"
# Every other object a template is given, each tried as a mailbox.
CONTAINERS = [
    "{{ readers.append(client.name) }}",
    "{{ sections.append(1) }}",
    "{{ team.pop() }}",
    "{{ t.setdefault('prev', client.name) }}",
    "{{ t.__setitem__('prev', client.name) }}",
    "{{ history.extend(readers) }}",
    "{{ sections[0].figures.append(client.name) }}",
]


def test_the_issues_mailbox_template_fails_with_its_line(ws: Path) -> None:
    template = ws / TEMPLATE
    template.write_text(template.read_text("utf-8") + MAILBOX, "utf-8")
    lines = template.read_text("utf-8").splitlines()
    line = next(i for i, text in enumerate(lines, 1) if "t.update" in text)
    build_file_tree(ws, {"dossiers/beta.yaml": DOSSIER.replace("Acme Logistics AD", "Beta OOD")})
    result = run("build", "-f", "md", "-o", "out")
    assert result.exit_code == 1, result.output
    assert "Previously" not in result.output
    assert f"templates/proposal.md.j2:{line}: template " in result.stderr
    assert "Traceback" not in result.output
    assert not (ws / "out").exists()


@pytest.mark.parametrize("code", CONTAINERS)
def test_no_object_a_template_is_given_can_be_changed(ws: Path, code: str) -> None:
    template = ws / TEMPLATE
    template.write_text(template.read_text("utf-8") + "\n" + code + "\n", "utf-8")
    result = run("render", "dossiers/acme.yaml", "-f", "md", "-o", "out")
    assert result.exit_code == 1, result.output
    (message,) = result.stderr.splitlines()
    assert re.match(r"templates/proposal\.md\.j2:\d+: template (is not allowed|uses)", message)


def test_a_namespace_in_an_imported_template_is_new_for_every_render(ws: Path) -> None:
    template = ws / TEMPLATE
    template.write_text(template.read_text("utf-8") + NAMESPACE, "utf-8")
    build_file_tree(
        ws,
        {
            "templates/parts.md.j2": PARTS,
            "dossiers/beta.yaml": DOSSIER.replace("Acme Logistics AD", "Beta OOD"),
        },
    )
    result = run("build", "-f", "md", "-o", "out")
    assert result.exit_code == 0, result.output
    for path in (ws / "out").glob("*.md"):
        assert "Previously" not in path.read_text("utf-8"), path.name


# --- the property: any two dossiers, in either order, give the bytes each gives alone ------------


def workspace(root: Path, template: str) -> Path:
    """The shipped library and templates with ``template`` appended to the content template."""
    shutil.copytree(ROOT / "templates", root / "templates")
    if (ROOT / "kamdocs.yaml").exists():
        shutil.copy(ROOT / "kamdocs.yaml", root / "kamdocs.yaml")
    (root / "templates/parts.md.j2").write_text(PARTS, "utf-8")
    content = root / TEMPLATE
    content.write_text(content.read_text("utf-8") + template, "utf-8")
    (root / "dossiers").mkdir()
    return root


def with_slug(sample: str, slug: str) -> str:
    text = (ROOT / "dossiers" / sample).read_text("utf-8")
    text = re.sub(r"^  slug: .*\n", "", text, count=1, flags=re.MULTILINE)
    return text.replace("client:\n", f"client:\n  slug: {slug}\n", 1)


_ALONE: dict[tuple[str, str], dict[str, bytes]] = {}


def alone(tmp: Path, sample: str, template: str) -> dict[str, bytes]:
    """The documents of ``sample`` rendered on its own, by a fresh process: format -> bytes."""
    key = (sample, template)
    if key not in _ALONE:
        root = workspace(tmp / f"alone-{len(_ALONE)}", template)
        (root / "dossiers/x.yaml").write_text(with_slug(sample, "x"), "utf-8")
        result = subprocess.run(
            [sys.executable, "-m", "kamdocs", "render", "dossiers/x.yaml", "-f", ",".join(FORMATS),
             "-o", "out", "--date", DATE],
            cwd=root, capture_output=True, text=True, timeout=120,
            env={**os.environ, "PYTHONPATH": str(ROOT)},
        )  # fmt: skip
        assert result.returncode == 0, result.stderr
        _ALONE[key] = {fmt: (root / f"out/x.{fmt}").read_bytes() for fmt in FORMATS}
    return _ALONE[key]


def batch(root: Path, order: list[str], parallel: bool) -> dict[str, dict[str, bytes]]:
    """Render the samples in ``order`` as one batch: slug -> format -> bytes."""
    folder = root / "dossiers"
    for old in folder.glob("*.yaml"):
        old.unlink()
    paths = []
    for i, sample in enumerate(order):
        path = folder / f"d{i:03d}.yaml"
        path.write_text(with_slug(sample, f"d{i:03d}"), "utf-8")
        paths.append(Path("dossiers") / path.name)
    out = root / ("out-parallel" if parallel else "out-serial")
    shutil.rmtree(out, ignore_errors=True)
    cwd = Path.cwd()
    os.chdir(root)
    minimum = build.PARALLEL_MIN
    try:
        build.PARALLEL_MIN = 24 if parallel else 10**6
        import datetime as dt  # noqa: PLC0415

        app.render(find_workspace(root), paths, FORMATS, out, dt.date.fromisoformat(DATE))
    finally:
        build.PARALLEL_MIN = minimum
        os.chdir(cwd)
    return {
        f"d{i:03d}": {fmt: (out / f"d{i:03d}.{fmt}").read_bytes() for fmt in FORMATS}
        for i in range(len(order))
    }


@settings(
    max_examples=int(os.environ.get("KAMDOCS_ISOLATION_EXAMPLES", "4")),
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    pair=st.lists(st.sampled_from(SAMPLES), min_size=2, max_size=2, unique=True),
    template=st.sampled_from(["", NAMESPACE]),
)
def test_two_dossiers_in_either_order_give_the_bytes_each_gives_alone(
    tmp_path_factory: pytest.TempPathFactory, pair: list[str], template: str
) -> None:
    tmp = tmp_path_factory.mktemp("isolation")
    first, second = pair
    expected = {sample: alone(tmp_path_factory.getbasetemp(), sample, template) for sample in pair}
    root = workspace(tmp / "ws", template)
    # In one process, both orders.
    for order in ([first, second], [second, first]):
        rendered = batch(root, order, parallel=False)
        for i, sample in enumerate(order):
            assert rendered[f"d{i:03d}"] == expected[sample], (sample, order)
    # Across the worker processes of a batch large enough for the pool, interleaved.
    if build.workers() >= 2:
        order = [first, second] * 12 + [second, first] * 4
        rendered = batch(root, order, parallel=True)
        for i, sample in enumerate(order):
            assert rendered[f"d{i:03d}"] == expected[sample], (i, sample)
