"""All or nothing: a failed render or build writes no file and changes none."""

from __future__ import annotations

import datetime as dt
import errno
import json
import os
import tracemalloc
from pathlib import Path

import pytest
from click.testing import Result
from helpers import ARGUMENTS, DOSSIER, build_file_tree, run, small_library
from hypothesis import given, settings
from hypothesis import strategies as st

from kamdocs import output
from kamdocs.errors import OutputError

# Without an issue date the build date is in every document: a second render with another
# date would change every file, so "unchanged" below means something.
UNDATED = DOSSIER.replace("  issued: 2026-11-26\n", "")
FIRST, SECOND = "2026-11-26", "2026-12-01"
ALL = ("-f", "md,docx,html")
# An argument whose text fails while rendering (not when compiled); only a dossier that pins
# it picks it, since it is written for existing clients and every dossier here is new.
BROKEN = (
    ARGUMENTS
    + """
- id: broken
  kind: exclusivity
  title: {en: "Broken", bg: "Счупено"}
  text: {en: "Hello {{ client.nope }}", bg: "Здравей {{ client.nope }}"}
  relationship: existing
"""
)


def named(name: str) -> str:
    return UNDATED.replace("Acme Logistics AD", name)


@pytest.fixture
def ws(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Two valid dossiers, alpha and gamma; the current folder."""
    small_library(tmp_path, arguments=BROKEN)
    build_file_tree(
        tmp_path,
        {
            "dossiers/alpha.yaml": named("Alpha AD"),
            "dossiers/gamma.yaml": named("Gamma AD"),
        },
    )
    monkeypatch.chdir(tmp_path)
    return tmp_path


def snapshot(folder: Path) -> dict[str, tuple[bytes, int]]:
    """Every entry in ``folder`` (hidden ones too), with its bytes (files) and mtime."""
    if not folder.exists():
        return {}
    return {
        p.name: (p.read_bytes() if p.is_file() else b"<folder>", p.stat().st_mtime_ns)
        for p in sorted(folder.iterdir())
    }


def assert_failed(result: Result, first_line_prefix: str) -> None:
    assert result.exit_code == 1, result.output
    assert "Traceback" not in result.output
    assert result.stdout == ""
    assert result.stderr.startswith(first_line_prefix), result.stderr


def line_of(path: Path, needle: str) -> int:
    lines = path.read_text(encoding="utf-8").splitlines()
    return next(i for i, line in enumerate(lines, 1) if needle in line)


# --- an invalid dossier ---------------------------------------------------------------------------


def add_invalid(ws: Path) -> None:
    build_file_tree(
        ws,
        {
            "dossiers/beta.yaml": named("Beta AD").replace(
                "    persona: finance\n", "    persona: finanse\n"
            )
        },
    )


def test_invalid_dossier_and_no_output_folder(ws: Path) -> None:
    add_invalid(ws)
    result = run("render", "dossiers", *ALL, "-o", "out/nested", "--date", FIRST)
    line = line_of(ws / "dossiers/beta.yaml", "persona: finanse")
    assert_failed(result, f"dossiers/beta.yaml:{line}: dmu[1].persona: ")
    assert len(result.stderr.splitlines()) == 1
    assert not (ws / "out").exists()


def test_invalid_dossier_leaves_earlier_outputs_alone(ws: Path) -> None:
    assert run("render", "dossiers", *ALL, "-o", "out", "--date", FIRST).exit_code == 0
    before = snapshot(ws / "out")
    assert {"alpha-ad.md", "alpha-ad.docx", "alpha-ad.html", "gamma-ad.md"} <= set(before)
    add_invalid(ws)
    result = run("render", "dossiers", *ALL, "-o", "out", "--date", SECOND)
    assert_failed(result, "dossiers/beta.yaml:")
    assert snapshot(ws / "out") == before  # same files, same bytes, same mtimes; no .tmp


def test_build_keeps_the_old_manifest(ws: Path) -> None:
    assert run("build", *ALL, "-o", "site", "--date", FIRST).exit_code == 0
    before = snapshot(ws / "site")
    assert "manifest.json" in before
    add_invalid(ws)
    result = run("build", *ALL, "-o", "site", "--date", SECOND)
    assert_failed(result, "dossiers/beta.yaml:")
    assert snapshot(ws / "site") == before


def test_many_dossiers_one_invalid(ws: Path) -> None:
    """Enough dossiers for a batch to be rendered by several processes: still all or nothing."""
    build_file_tree(ws, {f"dossiers/d{i:02d}.yaml": named(f"Client {i:02d}") for i in range(30)})
    assert run("render", "dossiers", "-f", "md", "-o", "out", "--date", FIRST).exit_code == 0
    before = snapshot(ws / "out")
    assert len([n for n in before if n.endswith(".md")]) == 32
    build_file_tree(
        ws,
        {"dossiers/d17.yaml": named("Client 17").replace("  status: new\n", "  status: maybe\n")},
    )
    result = run("render", "dossiers", "-f", "md", "-o", "out", "--date", SECOND)
    assert_failed(
        result,
        f"dossiers/d17.yaml:{line_of(ws / 'dossiers/d17.yaml', 'status:')}: relationship.status: ",
    )
    assert snapshot(ws / "out") == before


# --- a template that fails while rendering one dossier --------------------------------------------


def pin_broken(ws: Path) -> None:
    build_file_tree(
        ws,
        {
            "dossiers/beta.yaml": named("Beta AD").replace(
                "  valid_days: 30\n", "  valid_days: 30\n  include: [broken]\n"
            )
        },
    )


def test_library_text_error_in_one_dossier_writes_nothing(ws: Path) -> None:
    pin_broken(ws)
    result = run("render", "dossiers", *ALL, "-o", "out", "--date", FIRST)
    library = ws / "templates/arguments/main.yaml"
    line = line_of(library, "client.nope")
    assert_failed(result, f"templates/arguments/main.yaml:{line}: ")
    assert result.stderr.splitlines() == [
        f"templates/arguments/main.yaml:{line}: broken.text: template uses something that does "
        "not exist: 'kamdocs.render.context.Client object' has no attribute 'nope'"
    ]
    assert not (ws / "out").exists()  # alpha rendered before beta failed: nothing staged is left


def test_library_text_error_leaves_earlier_outputs_alone(ws: Path) -> None:
    assert run("render", "dossiers", *ALL, "-o", "out", "--date", FIRST).exit_code == 0
    before = snapshot(ws / "out")
    pin_broken(ws)
    result = run("render", "dossiers", *ALL, "-o", "out", "--date", SECOND)
    assert_failed(result, "templates/arguments/main.yaml:")
    assert snapshot(ws / "out") == before
    assert not list((ws / "out").glob("*.tmp")) and not list((ws / "out").glob(".*.tmp"))


def test_library_text_error_names_the_line_of_the_language(ws: Path) -> None:
    build_file_tree(
        ws,
        {
            "templates/arguments/main.yaml": ARGUMENTS
            + """
- id: broken
  kind: exclusivity
  title: {en: "Broken", bg: "Счупено"}
  text:
    bg: "Здравей"
    en: "Hello {{ client.nope }}"
  relationship: existing
"""
        },
    )
    pin_broken(ws)
    result = run("render", "dossiers/beta.yaml", "-f", "md", "-o", "out")
    line = line_of(ws / "templates/arguments/main.yaml", "client.nope")
    assert_failed(result, f"templates/arguments/main.yaml:{line}: broken.text")


def test_content_template_error_names_its_line(ws: Path) -> None:
    template = ws / "templates/proposal.md.j2"
    lines = template.read_text(encoding="utf-8").splitlines()
    lines.append("{% if client.name.startswith('Gamma') %}{{ offer.nope }}{% endif %}")
    template.write_text("\n".join(lines) + "\n", encoding="utf-8")
    result = run("render", "dossiers", *ALL, "-o", "out", "--date", FIRST)
    assert_failed(
        result,
        f"templates/proposal.md.j2:{len(lines)}: template uses something that does not exist: ",
    )
    assert "Offer object' has no attribute 'nope'" in result.stderr
    assert not (ws / "out").exists()


# --- the output folder cannot be written ----------------------------------------------------------


def test_output_folder_below_a_file(ws: Path) -> None:
    build_file_tree(ws, {"blocker": "not a folder\n"})
    result = run("render", "dossiers", *ALL, "-o", "blocker/out", "--date", FIRST)
    assert_failed(result, "blocker/out: cannot create the output folder: Not a directory")
    assert (ws / "blocker").read_text() == "not a folder\n"


def test_output_folder_in_proc(ws: Path) -> None:
    # Root may write anywhere on disk, but not invent entries in /proc.
    result = run("render", "dossiers", *ALL, "-o", "/proc/kamdocs-test/out", "--date", FIRST)
    assert_failed(result, "/proc/kamdocs-test/out: cannot create the output folder: ")
    assert len(result.stderr.splitlines()) == 1


def test_output_folder_is_a_file(ws: Path) -> None:
    build_file_tree(ws, {"blocker": "not a folder\n"})
    result = run("render", "dossiers", *ALL, "-o", "blocker", "--date", FIRST)
    assert result.exit_code == 2, result.output  # the command line names a file as a folder
    assert "'blocker' is a file" in result.stderr
    assert "Traceback" not in result.output
    assert (ws / "blocker").read_text() == "not a folder\n"


def test_disk_full_while_staging(ws: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    assert run("render", "dossiers", *ALL, "-o", "out", "--date", FIRST).exit_code == 0
    before = snapshot(ws / "out")
    real_open, staged = open, []

    def full_disk_open(path: object, mode: str = "r", *args: object, **kwargs: object) -> object:
        handle = real_open(path, mode, *args, **kwargs)
        if "x" in mode or "w" in mode:
            staged.append(path)
            if len(staged) == 4:  # the fourth staged file: alpha's three are already staged
                handle.close()
                raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))
        return handle

    monkeypatch.setattr(output, "open", full_disk_open, raising=False)
    result = run("render", "dossiers", *ALL, "-o", "out", "--date", SECOND)
    assert_failed(result, "out/gamma-ad.")
    assert result.stderr.rstrip().endswith("cannot write: No space left on device")
    assert len(staged) == 4
    assert snapshot(ws / "out") == before


def test_a_failing_replace_changes_nothing(ws: Path) -> None:
    assert run("render", "dossiers", *ALL, "-o", "out", "--date", FIRST).exit_code == 0
    (ws / "out/gamma-ad.html").unlink()
    (ws / "out/gamma-ad.html").mkdir()
    before = snapshot(ws / "out")
    result = run("render", "dossiers", *ALL, "-o", "out", "--date", SECOND)
    assert_failed(result, "out")
    changed = sorted(n for n in before if snapshot(ws / "out").get(n) != before[n])
    assert changed == [], f"exit 1, yet these changed: {changed}"
    assert "gamma-ad.html" in result.stderr  # and say which file could not be replaced


# --- the manifest is streamed to its staged file -------------------------------------------

_NAMES = st.text(st.characters(codec="utf-8"), min_size=1, max_size=12)


@settings(max_examples=60, deadline=None)
@given(
    files=st.dictionaries(_NAMES, st.tuples(_NAMES, _NAMES, _NAMES), max_size=6),
    formats=st.lists(st.sampled_from(["md", "docx", "html"]), min_size=1, unique=True),
    inputs=_NAMES,
)
def test_manifest_is_what_json_dumps_writes(
    files: dict[str, tuple[str, str, str]], formats: list[str], inputs: str
) -> None:
    from kamdocs import app, version

    date = dt.date(2026, 11, 26)
    listed = sorted((name, *entry) for name, entry in files.items())
    streamed = b"".join(app._manifest(listed, date, tuple(formats), inputs))
    outputs = sorted(
        (
            {"path": n, "sha256": d, "dossier": s, "dossier_sha256": sha}
            for n, (d, s, sha) in files.items()
        ),
        key=lambda o: o["path"],
    )
    data = {
        "kamdocs": version(),
        "build_date": "2026-11-26",
        "formats": formats,
        "inputs": inputs,
        "outputs": outputs,
    }
    assert streamed == (json.dumps(data, indent=2, ensure_ascii=False) + "\n").encode()


def test_a_stream_that_fails_leaves_no_staged_file(tmp_path: Path) -> None:
    def chunks():  # noqa: ANN202
        yield b"{\n"
        raise OSError(errno.ENOSPC, "No space left on device")

    batch = output.Batch(tmp_path)
    with pytest.raises(OutputError, match="manifest.json: cannot write: No space left"):
        batch.add_chunks("manifest.json", chunks())
    assert list(tmp_path.iterdir()) == []
    assert batch.staged == []


# --- what a large batch holds until its manifest is written -------------------------------------


def _peak_of_build(root: Path, monkeypatch: pytest.MonkeyPatch, count: int) -> int:
    """The most memory a build of ``count`` dossiers holds at once, beyond what it started with:
    each dossier rendered (by a stand-in) into three small files, written for real."""
    from kamdocs import app, build
    from kamdocs.workspace import find_workspace

    folder = root / f"d{count}"
    folder.mkdir()
    for i in range(count):
        (folder / f"{i:05d}.yaml").touch()

    def fake_render(path: str) -> build.Outcome:
        slug = f"client-{os.path.basename(path)[:5]}"
        files = {f"{slug}.{fmt}": b"x" for fmt in ("md", "docx", "html")}
        return build.Outcome(str(path), slug, files=files, dossier_sha256="ab" * 32)

    monkeypatch.setattr(build, "_render", fake_render)
    monkeypatch.setattr(build, "PARALLEL_MIN", 10**9)  # in this process, where it is measured
    monkeypatch.setattr(output, "_flush", lambda fd: None)  # the disk's speed is not the point
    workspace = find_workspace()
    tracemalloc.start()
    try:
        before = tracemalloc.get_traced_memory()[0]
        written = app.render(
            workspace, [folder], ("md", "docx", "html"), root / f"out{count}", manifest=True
        )
        peak = tracemalloc.get_traced_memory()[1] - before
    finally:
        tracemalloc.stop()
    assert written.dossiers == count
    assert len(written.outputs) == 3 * count + 1
    return peak


def test_a_large_batch_holds_little_per_dossier(ws: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # Until the manifest is written, the parent of a batch holds what the manifest lists: each
    # output's name and sha256, and each dossier's name and sha256: some 700 bytes a dossier
    # here. Holding a Path a dossier, and a tuple and a string of hex digits a file, it took
    # 1,900.
    _peak_of_build(ws, monkeypatch, 200)  # the first use of everything a build imports
    small, large = (_peak_of_build(ws, monkeypatch, n) for n in (1000, 3000))
    per_dossier = (large - small) / 2000
    assert per_dossier < 1100, per_dossier
