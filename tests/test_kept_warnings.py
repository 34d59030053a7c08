"""A build that keeps a dossier's files prints its warnings from the manifest, unread."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest
from helpers import DOSSIER, build_file_tree, run, small_library

from kamdocs import yamlsrc

WARNED = DOSSIER.replace("  - total cost of ownership\n", "  - total cost of ownershp\n", 1)
WARNING = (
    "dossiers/acme.yaml:7: warning: criteria[0]: no argument answers 'total cost of ownershp', "
    "so it changes nothing; did you mean 'total cost of ownership'?\n"
)
BUILD = ("build", "-o", "out", "-f", "md,html", "--date", "2026-11-26")


@pytest.fixture
def ws(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    small_library(tmp_path)
    other = DOSSIER.replace("Acme Logistics AD", "Beta Freight AD")
    build_file_tree(tmp_path, {"dossiers/acme.yaml": WARNED, "dossiers/beta.yaml": other})
    monkeypatch.chdir(tmp_path)
    return tmp_path


def reads(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The files kamdocs parses as YAML from now on."""
    seen: list[str] = []
    load = yamlsrc.load

    def counting(path: Path, *args: object, **kwargs: object) -> object:
        seen.append(Path(path).as_posix())
        return load(path, *args, **kwargs)

    monkeypatch.setattr(yamlsrc, "load", counting)
    return seen


def test_a_kept_dossier_warns_again_without_being_read(
    ws: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    first = run(*BUILD)
    assert first.exit_code == 0, first.output
    assert first.stderr == WARNING
    seen = reads(monkeypatch)
    again = run(*BUILD)
    assert again.exit_code == 0, again.output
    assert again.stderr == WARNING
    assert "(4 up to date, kept as they were)" in again.stdout
    assert not [p for p in seen if p.startswith("dossiers/")]


def test_the_manifest_is_the_same_whether_a_dossier_is_kept_or_rendered(ws: Path) -> None:
    assert run(*BUILD).exit_code == 0
    rendered = (ws / "out/manifest.json").read_bytes()
    assert run(*BUILD).exit_code == 0
    assert (ws / "out/manifest.json").read_bytes() == rendered
    assert run(*BUILD, "--force").exit_code == 0
    assert (ws / "out/manifest.json").read_bytes() == rendered
    (recorded,) = json.loads(rendered)["warnings"]
    assert recorded == {
        "dossier": "dossiers/acme.yaml",
        "path": "dossiers/acme.yaml",
        "line": 7,
        "field": "criteria[0]",
        "message": WARNING.split("criteria[0]: ", 1)[1].rstrip("\n"),
    }


def test_strict_stops_at_the_warning_of_a_kept_dossier(ws: Path) -> None:
    assert run(*BUILD).exit_code == 0
    before = {p.name: p.read_bytes() for p in (ws / "out").iterdir()}
    strict = run(*BUILD, "--strict")
    assert strict.exit_code == 1
    assert strict.stderr == WARNING.replace(": warning: ", ": ")
    assert {p.name: p.read_bytes() for p in (ws / "out").iterdir()} == before


def test_a_dossier_fixed_since_warns_no_more(ws: Path) -> None:
    assert run(*BUILD).exit_code == 0
    (ws / "dossiers/acme.yaml").write_text(DOSSIER, encoding="utf-8")
    fixed = run(*BUILD)
    assert fixed.exit_code == 0, fixed.output
    assert fixed.stderr == ""
    assert "warnings" not in json.loads((ws / "out/manifest.json").read_bytes())
    assert run(*BUILD).stderr == ""


def test_a_render_keeps_the_warnings_of_the_other_dossiers(ws: Path) -> None:
    assert run(*BUILD).exit_code == 0
    other = run(
        "render", "dossiers/beta.yaml", "-o", "out", "-f", "md,html", "--date", "2026-11-26"
    )
    assert other.exit_code == 0, other.output
    assert run(*BUILD).stderr == WARNING


def test_a_dossier_fixed_and_rendered_on_its_own_warns_no_more(ws: Path) -> None:
    """``render`` keeps the manifest's warnings of the dossiers it did not render, not those of
    the one it did."""
    assert run(*BUILD).exit_code == 0
    (ws / "dossiers/acme.yaml").write_text(DOSSIER, encoding="utf-8")
    fixed = run("render", "dossiers/acme.yaml", *BUILD[1:])
    assert fixed.exit_code == 0, fixed.output
    assert fixed.stderr == ""
    assert "warnings" not in json.loads((ws / "out/manifest.json").read_bytes())
    assert run(*BUILD).stderr == ""


@pytest.mark.parametrize(
    "damage",
    [
        lambda w: w[0].update(line="7"),
        lambda w: w[0].pop("message"),
        lambda w: w.append("not an object"),
    ],
)
def test_damaged_warnings_mean_everything_is_rendered(ws: Path, damage: object) -> None:
    assert run(*BUILD).exit_code == 0
    path = ws / "out/manifest.json"
    data = json.loads(path.read_bytes())
    damage(data["warnings"])  # type: ignore[operator]
    path.write_text(json.dumps(data, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    again = run(*BUILD)
    assert again.exit_code == 0, again.output
    assert again.stderr == WARNING
    assert "up to date" not in again.stdout  # an unreadable record is no record


# --- the checks that depend on the library alone are made once per library ----------------------

ENGLISH_ONLY = """
- id: english-only
  kind: benefit
  title: {en: "Only in English"}
  text: {en: "Nobody translated this."}
"""


def _library_warnings(ws: Path) -> list[str]:
    from kamdocs.dossier import load_dossier  # noqa: PLC0415
    from kamdocs.library import load_library  # noqa: PLC0415

    library = load_library(ws / "templates")
    loaded = load_dossier(ws / "dossiers/acme.yaml", library, dt.date(2026, 11, 26), 30, "en")
    return [p.message for p in loaded.warnings if "english-only" in p.message]


def test_a_library_edited_in_the_same_process_is_checked_again(ws: Path) -> None:
    # ``kamdocs serve`` loads the library again after every save, in one process: the warnings
    # worked out for one library object must not stand for the next.
    bg = WARNED.replace("  industry: logistics\n", "  industry: logistics\n  locale: bg\n", 1)
    build_file_tree(ws, {"dossiers/acme.yaml": bg})
    arguments = ws / "templates/arguments/main.yaml"
    stock = arguments.read_text(encoding="utf-8")
    assert _library_warnings(ws) == []
    arguments.write_text(stock + ENGLISH_ONLY, encoding="utf-8")
    assert len(_library_warnings(ws)) == 2  # title and text
    arguments.write_text(stock, encoding="utf-8")
    assert _library_warnings(ws) == []
