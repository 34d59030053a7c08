"""What a build leaves behind: files of deleted dossiers and dropped formats go, nothing else does;
a render does not silently replace the files of another dossier of the same client."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from helpers import DOSSIER, build_file_tree, refused, run, small_library

DATE = "2026-11-26"


def named(name: str) -> str:
    return DOSSIER.replace("Acme Logistics AD", name)


@pytest.fixture
def ws(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Two dossiers, alpha and beta; the current folder."""
    small_library(tmp_path)
    build_file_tree(
        tmp_path, {f"dossiers/{n}.yaml": named(f"{n.title()} AD") for n in ("alpha", "beta")}
    )
    monkeypatch.chdir(tmp_path)
    return tmp_path


def ok(*args: str) -> list[str]:
    result = run(*args)
    assert result.exit_code == 0, result.output
    assert result.stderr == ""
    return result.stdout.splitlines()


def listing(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir())


def manifest(folder: Path) -> dict[str, dict]:
    data = json.loads((folder / "manifest.json").read_text("utf-8"))
    return {entry["path"]: entry for entry in data["outputs"]}


def test_a_deleted_dossier_and_a_dropped_format_leave_nothing_behind(ws: Path) -> None:
    ok("build", "-f", "md,html", "-o", "out", "--date", DATE)
    assert listing(ws / "out") == [
        "alpha-ad.html",
        "alpha-ad.md",
        "beta-ad.html",
        "beta-ad.md",
        "manifest.json",
    ]
    (ws / "dossiers/beta.yaml").unlink()
    lines = ok("build", "-f", "md", "-o", "out", "--date", DATE)
    assert lines == [
        "removed out/alpha-ad.html: no longer built (its dossier or format is gone)",
        "removed out/beta-ad.html: no longer built (its dossier or format is gone)",
        "removed out/beta-ad.md: no longer built (its dossier or format is gone)",
        "built 1 proposals: 1 files and manifest.json in out",
    ]
    assert listing(ws / "out") == ["alpha-ad.md", "manifest.json"]
    assert set(manifest(ws / "out")) == {"alpha-ad.md"}
    assert ok("build", "-f", "md", "-o", "out", "--date", DATE)[0].startswith("built 1")


def test_only_the_files_the_manifest_lists_are_removed(ws: Path) -> None:
    ok("build", "-f", "md,html", "-o", "out", "--date", DATE)
    user_files = {
        "notes.md": b"mine\n",  # not an output
        "gamma-ad.md": b"an output name, never listed\n",
        ".hidden.html": b"hidden\n",
    }
    for name, data in user_files.items():
        (ws / "out" / name).write_bytes(data)
    # A listed file changed since the build wrote it is no longer the build's file: it stays.
    (ws / "out/beta-ad.html").write_text("edited by hand\n", "utf-8")
    (ws / "dossiers/beta.yaml").unlink()
    lines = ok("build", "-f", "md,html", "-o", "out", "--date", DATE)
    assert lines[:-1] == ["removed out/beta-ad.md: no longer built (its dossier or format is gone)"]
    for name, data in user_files.items():
        assert (ws / "out" / name).read_bytes() == data, name
    assert (ws / "out/beta-ad.html").read_text("utf-8") == "edited by hand\n"
    assert set(manifest(ws / "out")) == {"alpha-ad.md", "alpha-ad.html"}


def test_a_forged_manifest_cannot_remove_anything_outside_the_folder(ws: Path) -> None:
    ok("build", "-f", "md", "-o", "out", "--date", DATE)
    (ws / "victim.md").write_text("keep\n", "utf-8")
    data = json.loads((ws / "out/manifest.json").read_text("utf-8"))
    import hashlib

    digest = hashlib.sha256(b"keep\n").hexdigest()
    for path in ("../victim.md", str(ws / "victim.md"), "dossiers/../../victim.md"):
        data["outputs"].append(
            {"path": path, "sha256": digest, "dossier": "x.yaml", "dossier_sha256": digest}
        )
    (ws / "out/manifest.json").write_text(json.dumps(data), "utf-8")
    lines = ok("build", "-f", "md", "-o", "out", "--date", DATE)
    assert not any(line.startswith("removed") for line in lines)
    assert (ws / "victim.md").read_text("utf-8") == "keep\n"


def test_a_failed_build_removes_nothing(ws: Path) -> None:
    ok("build", "-f", "md", "-o", "out", "--date", DATE)
    before = {p.name: p.read_bytes() for p in (ws / "out").iterdir()}
    (ws / "dossiers/beta.yaml").unlink()
    build_file_tree(ws, {"dossiers/alpha.yaml": "client: {}\n"})
    refused(run("build", "-f", "md", "-o", "out", "--date", DATE))
    assert {p.name: p.read_bytes() for p in (ws / "out").iterdir()} == before


def test_a_render_lists_its_files_in_the_manifest(ws: Path) -> None:
    ok("render", "dossiers/alpha.yaml", "-f", "md", "-o", "out", "--date", DATE)
    assert listing(ws / "out") == ["alpha-ad.md", "manifest.json"]
    ok("render", "dossiers/beta.yaml", "-f", "md,html", "-o", "out", "--date", DATE)
    entries = manifest(ws / "out")
    assert set(entries) == {"alpha-ad.md", "beta-ad.md", "beta-ad.html"}
    assert entries["alpha-ad.md"]["dossier"] == "dossiers/alpha.yaml"
    assert entries["beta-ad.html"]["dossier"] == "dossiers/beta.yaml"
    # The same dossier again, however it is named, is no conflict.
    ok("render", "./dossiers/alpha.yaml", "-f", "md", "-o", "out", "--date", DATE)
    ok("render", str(ws / "dossiers/alpha.yaml"), "-f", "md", "-o", "out", "--date", DATE)


def test_a_render_refuses_to_replace_another_dossiers_files(ws: Path) -> None:
    ok("render", "dossiers/alpha.yaml", "-f", "md,docx", "-o", "out", "--date", DATE)
    before = {p.name: p.read_bytes() for p in (ws / "out").iterdir()}
    copy = (ws / "dossiers/alpha.yaml").read_text("utf-8").replace("Ivan Petrov", "Ivan Ivanov")
    build_file_tree(ws, {"elsewhere/alpha-copy.yaml": copy})
    lines = refused(run("render", "elsewhere/alpha-copy.yaml", "-o", "out", "--date", DATE))
    assert lines == [
        f"elsewhere/alpha-copy.yaml:2: client.name: would replace out/alpha-ad.{ext}, which "
        "out/manifest.json says came from dossiers/alpha.yaml; render with --force to replace it"
        for ext in ("docx", "md")
    ]
    assert {p.name: p.read_bytes() for p in (ws / "out").iterdir()} == before
    ok("render", "elsewhere/alpha-copy.yaml", "-o", "out", "--date", DATE, "--force")
    entries = manifest(ws / "out")
    assert {e["dossier"] for e in entries.values()} == {"elsewhere/alpha-copy.yaml"}


def test_a_render_keeps_what_a_build_made_up_to_date(ws: Path) -> None:
    ok("build", "-f", "md,docx", "-o", "out", "--date", DATE)
    path = ws / "dossiers/beta.yaml"
    path.write_text(path.read_text("utf-8").replace("CFO", "Finance Director"), "utf-8")
    ok("render", "dossiers/beta.yaml", "-f", "md,docx", "-o", "out", "--date", DATE)
    # Same templates, formats and date: the next build renders nothing again.
    assert ok("build", "-f", "md,docx", "-o", "out", "--date", DATE) == [
        "built 2 proposals: 4 files (4 up to date, kept as they were) and manifest.json in out"
    ]


@pytest.mark.parametrize(
    "theirs",
    [b'{"name": "a web app", "icons": []}\n', b"<!-- not JSON -->\n", b"null\n"],
    ids=["another-app", "not-json", "json-null"],
)
def test_a_render_never_replaces_a_manifest_kamdocs_did_not_write(ws: Path, theirs: bytes) -> None:
    (ws / "site").mkdir()
    (ws / "site/manifest.json").write_bytes(theirs)
    result = run("render", "dossiers/alpha.yaml", "-f", "md", "-o", "site", "--date", DATE)
    assert result.exit_code == 1, result.output
    assert result.stderr == (
        "site/manifest.json: not a kamdocs manifest, and kamdocs keeps its own manifest.json "
        "in the output folder: choose another folder with -o\n"
    )
    assert listing(ws / "site") == ["manifest.json"]
    assert (ws / "site/manifest.json").read_bytes() == theirs


def test_a_listed_file_deleted_since_is_no_conflict(ws: Path) -> None:
    ok("render", "dossiers/alpha.yaml", "-f", "md", "-o", "out", "--date", DATE)
    (ws / "out/alpha-ad.md").unlink()
    build_file_tree(ws, {"elsewhere/alpha.yaml": named("Alpha AD")})
    ok("render", "elsewhere/alpha.yaml", "-f", "md", "-o", "out", "--date", DATE)
    assert manifest(ws / "out")["alpha-ad.md"]["dossier"] == "elsewhere/alpha.yaml"
