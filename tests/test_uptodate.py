"""`kamdocs build` renders only the dossiers whose files in the output folder are out of date."""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path

import pytest
from helpers import DOSSIER, build_file_tree, refused, run, small_library
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from kamdocs import app, build, stored, uptodate

DATE = "2026-11-26"
ALL = ("-f", "md,docx,html")


def named(name: str) -> str:
    return DOSSIER.replace("Acme Logistics AD", name)


@pytest.fixture
def ws(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Three valid dossiers, alpha, beta and gamma; the current folder."""
    small_library(tmp_path)
    build_file_tree(
        tmp_path,
        {f"dossiers/{n}.yaml": named(f"{n.title()} AD") for n in ("alpha", "beta", "gamma")},
    )
    monkeypatch.chdir(tmp_path)
    return tmp_path


@pytest.fixture
def rendered(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The dossiers each build renders (a batch this small is rendered in this process)."""
    seen: list[str] = []
    real = build._render

    def counting(path: Path) -> build.Outcome:
        seen.append(Path(path).name)
        return real(path)

    monkeypatch.setattr(build, "_render", counting)
    return seen


def files(folder: Path) -> dict[str, tuple[bytes, int]]:
    """Every entry of ``folder`` (hidden ones too) with its bytes and mtime."""
    return {p.name: (p.read_bytes(), p.stat().st_mtime_ns) for p in sorted(folder.iterdir())}


def contents(folder: Path) -> dict[str, bytes]:
    return {name: data for name, (data, _) in files(folder).items() if name != ".kamdocs.lock"}


def build_ok(*args: str) -> str:
    result = run("build", *ALL, "-o", "out", "--date", DATE, *args)
    assert result.exit_code == 0, result.output
    return result.stdout


def test_a_second_build_renders_nothing_and_touches_nothing(ws: Path, rendered: list) -> None:
    build_ok()
    assert sorted(rendered) == ["alpha.yaml", "beta.yaml", "gamma.yaml"]
    before = files(ws / "out")
    rendered.clear()
    out = build_ok()
    assert rendered == []
    assert (
        out
        == "built 3 proposals: 9 files (9 up to date, kept as they were) and manifest.json in out\n"
    )
    after = files(ws / "out")
    assert after.pop("manifest.json")[0] == before.pop("manifest.json")[0]
    assert after == before  # same bytes, same mtimes


def test_only_the_changed_dossier_is_rendered(ws: Path, rendered: list) -> None:
    build_ok()
    path = ws / "dossiers/beta.yaml"
    path.write_text(path.read_text("utf-8").replace("Beta AD", "Beta Group AD"), "utf-8")
    rendered.clear()
    assert "(6 up to date" in build_ok()
    assert rendered == ["beta.yaml"]
    manifest = json.loads((ws / "out/manifest.json").read_text("utf-8"))
    assert {o["path"] for o in manifest["outputs"]} >= {"beta-group-ad.md", "alpha-ad.docx"}
    # What a build that renders everything writes, byte for byte.
    result = run("build", *ALL, "-o", "fresh", "--date", DATE)
    assert result.exit_code == 0, result.output
    fresh = contents(ws / "fresh")
    kept = contents(ws / "out")
    assert kept == fresh  # the files of the old name, beta-ad.*, removed by the build


@pytest.mark.parametrize(
    "change",
    [
        pytest.param(lambda ws: (ws / "templates/proposal.css").write_text("p {}\n"), id="style"),
        pytest.param(
            lambda ws: (ws / "templates/proposal.md.j2").write_text(
                (ws / "templates/proposal.md.j2").read_text("utf-8") + "\nEnd.\n", "utf-8"
            ),
            id="template",
        ),
        pytest.param(
            lambda ws: (ws / "templates/arguments/extra.yaml").write_text("[]\n"), id="new-file"
        ),
        pytest.param(
            lambda ws: (ws / "kamdocs.yaml").write_text("valid_days: 45\n"), id="settings"
        ),
    ],
)
def test_a_change_outside_the_dossiers_renders_everything(
    ws: Path, rendered: list, change: object
) -> None:
    build_ok()
    change(ws)  # type: ignore[operator]
    rendered.clear()
    assert "up to date" not in build_ok()
    assert len(rendered) == 3


@pytest.mark.parametrize(
    "args", [("--date", "2026-11-27"), ("-f", "md"), ("--force",)], ids=["date", "formats", "force"]
)
def test_another_date_other_formats_or_force_render_everything(
    ws: Path, rendered: list, args: tuple[str, ...]
) -> None:
    build_ok()
    rendered.clear()
    result = run("build", *ALL, "-o", "out", "--date", DATE, *args)
    assert result.exit_code == 0, result.output
    assert "up to date" not in result.stdout
    assert len(rendered) == 3


@pytest.mark.parametrize("damage", ["edit", "delete", "folder"])
def test_an_output_changed_by_hand_is_rendered_again(ws: Path, rendered: list, damage: str) -> None:
    build_ok()
    good = (ws / "out/gamma-ad.docx").read_bytes()
    target = ws / "out/gamma-ad.docx"
    if damage == "edit":
        target.write_bytes(good + b"edited in Word")
    else:
        target.unlink()
        if damage == "folder":
            target.mkdir()
    rendered.clear()
    result = run("build", *ALL, "-o", "out", "--date", DATE)
    if damage == "folder":  # not ours to remove: the build says so and changes nothing
        assert result.exit_code != 0 and "a folder is in the way" in result.output
        return
    assert result.exit_code == 0, result.output
    assert rendered == ["gamma.yaml"]
    assert target.read_bytes() == good


@pytest.mark.parametrize(
    "manifest",
    [b"{not json", b"[]", b'{"inputs": 1}', b'{"outputs": [{"path": 1}]}', b"\xff\xfe"],
)
def test_a_manifest_it_cannot_read_means_render_everything(
    ws: Path, rendered: list, manifest: bytes
) -> None:
    build_ok()
    (ws / "out/manifest.json").write_bytes(manifest)
    rendered.clear()
    build_ok()
    assert len(rendered) == 3
    json.loads((ws / "out/manifest.json").read_text("utf-8"))


def test_a_manifest_of_another_build_means_render_everything(ws: Path, rendered: list) -> None:
    build_ok()
    path = ws / "out/manifest.json"
    data = json.loads(path.read_text("utf-8"))
    data["inputs"] = "0" * 64
    path.write_text(json.dumps(data), "utf-8")
    rendered.clear()
    build_ok()
    assert len(rendered) == 3


@pytest.mark.parametrize("forgery", ["outside the folder", "a format missing", "two names"])
def test_a_manifest_listing_files_a_build_never_writes(
    ws: Path, rendered: list, forgery: str
) -> None:
    """Only a dossier's own files, one per format, named after one slug in the output folder,
    are kept; whatever else a manifest lists makes the dossier render again."""
    build_ok()
    path = ws / "out/manifest.json"
    data = json.loads(path.read_text("utf-8"))
    md = next(o for o in data["outputs"] if o["path"] == "alpha-ad.md")
    if forgery == "outside the folder":
        (ws / "alpha-ad.md").write_bytes((ws / "out/alpha-ad.md").read_bytes())
        md["path"] = "../alpha-ad.md"
    elif forgery == "a format missing":
        data["outputs"].remove(md)
    else:
        (ws / "out/alpha-bis.md").write_bytes((ws / "out/alpha-ad.md").read_bytes())
        md["path"] = "alpha-bis.md"
    path.write_text(json.dumps(data), "utf-8")
    rendered.clear()
    build_ok()
    assert rendered == ["alpha.yaml"]


def test_a_new_dossier_taking_a_kept_dossiers_name(ws: Path, rendered: list) -> None:
    """The later dossier in the build's order is the one told, even when it was not rendered."""
    build_ok()
    before = files(ws / "out")
    build_file_tree(ws, {"dossiers/aardvark.yaml": named("Gamma AD")})
    result = run("build", *ALL, "-o", "out", "--date", DATE)
    gamma = (ws / "dossiers/gamma.yaml").read_text("utf-8").splitlines()
    line = next(i for i, text in enumerate(gamma, 1) if "name: Gamma AD" in text)
    assert refused(result) == [
        f"dossiers/gamma.yaml:{line}: client.name: makes the same file name 'gamma-ad' as "
        "dossiers/aardvark.yaml"
    ]
    assert files(ws / "out") == before


def test_a_kept_file_changed_during_the_build_stops_it(
    ws: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    build_ok()
    path = ws / "dossiers/beta.yaml"
    path.write_text(path.read_text("utf-8").replace("Beta AD", "Beta Group AD"), "utf-8")
    before = files(ws / "out")
    real = app._standing

    def then_edited(*args: object) -> dict:
        found = real(*args)  # type: ignore[arg-type]
        (ws / "out/alpha-ad.md").write_text("edited meanwhile\n", "utf-8")
        return found

    monkeypatch.setattr(app, "_standing", then_edited)
    result = run("build", *ALL, "-o", "out", "--date", DATE)
    assert result.exit_code == 1
    assert "out/alpha-ad.md: changed while this build ran; run the build again" in result.stderr
    after = files(ws / "out")
    assert after.pop("alpha-ad.md")[0] == b"edited meanwhile\n"
    before.pop("alpha-ad.md")
    after.pop(".kamdocs.lock", None)
    before.pop(".kamdocs.lock", None)
    assert after == before  # beta's new files were not put in place, nor the new manifest


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="no named pipes here")
def test_a_kept_file_replaced_by_a_pipe_stops_the_build_without_waiting(
    ws: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Reading a pipe waits for a writer: the check under the lock must not read one."""
    build_ok()
    real = app._standing

    def then_a_pipe(*args: object) -> dict:
        found = real(*args)  # type: ignore[arg-type]
        (ws / "out/alpha-ad.md").unlink()
        os.mkfifo(ws / "out/alpha-ad.md")
        return found

    monkeypatch.setattr(app, "_standing", then_a_pipe)
    result = run("build", *ALL, "-o", "out", "--date", DATE)
    assert result.exit_code == 1
    assert "out/alpha-ad.md: changed while this build ran; run the build again" in result.stderr


def test_render_never_keeps(ws: Path, rendered: list) -> None:
    for _ in range(2):
        result = run("render", "dossiers/alpha.yaml", *ALL, "-o", "out", "--date", DATE)
        assert result.exit_code == 0, result.output
    assert rendered == ["alpha.yaml", "alpha.yaml"]


def test_the_fingerprint_covers_what_shapes_the_bytes(
    ws: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    templates = ws / "templates"
    settings = {"date": DATE, "locale": "en", "valid_days": "30"}

    def now(formats: tuple[str, ...] = ("md",), **changed: str) -> str:
        return uptodate.fingerprint(templates, formats, {**settings, **changed})

    first = now()
    assert now() == first
    assert now(("md", "html")) != first
    assert now(date="2026-11-27") != first
    assert now(locale="bg") != first
    assert now(valid_days="31") != first
    (templates / "proposal.css").rename(templates / "proposal2.css")  # a name alone
    assert now() != first
    (templates / "proposal2.css").rename(templates / "proposal.css")
    assert now() == first
    build_file_tree(templates, {".git/index": "changes with every commit", ".git/HEAD": "x"})
    assert now() == first  # a templates folder kept as a repository of its own
    monkeypatch.setattr("markdown.__version__", "99")
    assert now() != first


# --- whatever happened in between, a build into the same folder writes what a fresh one does ---

EDITS = st.lists(
    st.sampled_from(
        [
            "rename alpha",
            "comment beta",
            "restore alpha",
            "style",
            "delete gamma.md",
            "edit beta.html",
            "new delta",
            "nothing",
        ]
    ),
    min_size=1,
    max_size=4,
)


def _edit(ws: Path, edit: str) -> None:
    if edit == "rename alpha":
        build_file_tree(ws, {"dossiers/alpha.yaml": named("Alpha Prime AD")})
    elif edit == "restore alpha":
        build_file_tree(ws, {"dossiers/alpha.yaml": named("Alpha AD")})
    elif edit == "comment beta":
        path = ws / "dossiers/beta.yaml"
        path.write_text(path.read_text("utf-8") + "# called on Monday\n", "utf-8")
    elif edit == "style":
        path = ws / "templates/proposal.css"
        path.write_text(path.read_text("utf-8") + "p { margin: 0 }\n", "utf-8")
    elif edit == "delete gamma.md":
        (ws / "out/gamma-ad.md").unlink(missing_ok=True)
    elif edit == "edit beta.html":
        path = ws / "out/beta-ad.html"
        if path.exists():
            path.write_bytes(path.read_bytes().replace(b"Beta", b"Gamma"))
    elif edit == "new delta":
        build_file_tree(ws, {"dossiers/delta.yaml": named("Delta AD")})


@settings(
    max_examples=12, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(edits=EDITS)
def test_a_build_after_any_edits_writes_what_a_fresh_build_writes(
    ws: Path, edits: list[str]
) -> None:
    for name in ("out", "fresh"):
        shutil.rmtree(ws / name, ignore_errors=True)
    for dossier, name in (("alpha", "Alpha AD"), ("beta", "Beta AD")):
        build_file_tree(ws, {f"dossiers/{dossier}.yaml": named(name)})
    (ws / "dossiers/delta.yaml").unlink(missing_ok=True)
    args = ("-f", "md,html", "--date", DATE)
    assert run("build", *args, "-o", "out").exit_code == 0
    for edit in edits:
        _edit(ws, edit)
        assert run("build", *args, "-o", "out").exit_code == 0
    assert run("build", *args, "-o", "fresh").exit_code == 0
    fresh = contents(ws / "fresh")
    kept = {name: data for name, data in contents(ws / "out").items() if name in fresh}
    assert kept == fresh


def test_kept_and_rendered_dossiers_interleave_in_a_parallel_batch(
    ws: Path, rendered: list
) -> None:
    """Enough changed dossiers for worker processes: the kept ones still take their places in
    the build's order, and the files are those of a fresh build."""
    names = {f"dossiers/d{i:02d}.yaml": named(f"Client {i:02d}") for i in range(30)}
    build_file_tree(ws, names)
    args = ("-f", "md", "--date", DATE)
    assert run("build", *args, "-o", "out").exit_code == 0
    edited = {p: text + "# called again\n" for p, text in names.items() if p[-6] != "3"}
    build_file_tree(ws, edited)
    result = run("build", *args, "-o", "out")
    assert result.exit_code == 0, result.output
    assert "(6 up to date" in result.stdout  # alpha, beta, gamma, d03, d13, d23
    assert run("build", *args, "-o", "fresh").exit_code == 0
    assert contents(ws / "out") == contents(ws / "fresh")


def test_other_kamdocs_code_is_another_fingerprint(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # A new kamdocs may write other bytes: none of an earlier build's outputs stands.
    small_library(tmp_path)
    before = uptodate.fingerprint(tmp_path / "templates", ("md",), {})
    assert uptodate.fingerprint(tmp_path / "templates", ("md",), {}) == before
    monkeypatch.setattr(stored, "code_digest", lambda: b"another kamdocs")
    assert uptodate.fingerprint(tmp_path / "templates", ("md",), {}) != before
