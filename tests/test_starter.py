"""`kamdocs new`: a commented starter dossier that validates as written and is never overwritten."""

from __future__ import annotations

import datetime as dt
import locale
import os
import shutil
from pathlib import Path

import pytest
from helpers import build_file_tree, run, small_library

from kamdocs import yamlsrc

BUILD_DATE = dt.date(2026, 11, 26)
EPOCH = str(int(dt.datetime(2026, 11, 26, 15, 30, tzinfo=dt.UTC).timestamp()))


@pytest.fixture
def ws(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    small_library(tmp_path)  # its personas include `executive`, the starter's persona
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("SOURCE_DATE_EPOCH", EPOCH)
    return tmp_path


def test_new_writes_a_cyrillic_client_under_a_latin_name(ws: Path) -> None:
    result = run("new", "Балкан Транс ЕООД")
    assert result.exit_code == 0, result.output
    path = ws / "dossiers" / "balkan-trans-eood.yaml"
    assert path.is_file()
    assert "dossiers/balkan-trans-eood.yaml" in result.stdout
    assert sorted(p.name for p in (ws / "dossiers").iterdir()) == ["balkan-trans-eood.yaml"]

    data = yamlsrc.load(path).data
    assert data["client"]["name"] == "Балкан Транс ЕООД"
    assert data["client"]["slug"] == "balkan-trans-eood"
    assert data["offer"]["issued"] == BUILD_DATE
    assert data["dmu"][0]["persona"] == "executive"
    text = path.read_text(encoding="utf-8")
    assert text.startswith("# Dossier: Балкан Транс ЕООД\n")
    assert "private:" in text and "x-" in text  # it explains the private block and x- keys


def test_the_starter_validates_as_written(ws: Path) -> None:
    assert run("new", "Балкан Транс ЕООД").exit_code == 0
    result = run("validate", "dossiers/balkan-trans-eood.yaml")
    assert result.exit_code == 0, result.output
    assert result.stdout.startswith("OK: 1 dossier;")
    assert run("validate").exit_code == 0


def test_the_starter_renders(ws: Path) -> None:
    assert run("new", "Балкан Транс ЕООД").exit_code == 0
    result = run("render", "dossiers/balkan-trans-eood.yaml", "-f", "md", "-o", "out")
    assert result.exit_code == 0, result.output
    markdown = (ws / "out" / "balkan-trans-eood.md").read_text(encoding="utf-8")
    assert "Балкан Транс ЕООД" in markdown


def test_new_never_overwrites(ws: Path) -> None:
    assert run("new", "Балкан Транс ЕООД").exit_code == 0
    path = ws / "dossiers" / "balkan-trans-eood.yaml"
    path.write_text(path.read_text(encoding="utf-8") + "# my own notes\n", encoding="utf-8")
    before = path.read_bytes()

    again = run("new", "Балкан Транс ЕООД")
    assert again.exit_code == 1
    assert "already exists" in again.stderr
    assert "Traceback" not in again.output
    assert path.read_bytes() == before
    assert sorted(p.name for p in (ws / "dossiers").iterdir()) == ["balkan-trans-eood.yaml"]

    # Another spelling of the same name makes the same file name: still not overwritten.
    assert run("new", "БАЛКАН транс, ЕООД").exit_code == 1
    assert path.read_bytes() == before


def test_a_name_without_letters_or_digits(ws: Path) -> None:
    result = run("new", "!!!")
    assert result.exit_code == 1
    assert "cannot make a file name from '!!!'" in result.stderr
    assert "Traceback" not in result.output
    assert not (ws / "dossiers").exists() or not any((ws / "dossiers").iterdir())


@pytest.mark.parametrize(
    ("name", "slug"),
    [
        ('Acme: "Best" Logistics # 1', "acme-best-logistics-1"),
        ("O'Brien & Sons\nslug: evil", "o-brien-sons-slug-evil"),
        ("  Müller   Straße GmbH ", "muller-strasse-gmbh"),
        ("- [yes]", "yes"),
        # Slugs that YAML would read as a bool, null, number or date
        ("NULL", "null"),
        ("On", "on"),
        ("0x1F", "0x1f"),
        ("1_000", "1-000"),
        ("2026-11-26", "2026-11-26"),
    ],
)
def test_names_that_look_like_yaml_stay_text(ws: Path, name: str, slug: str) -> None:
    result = run("new", "--", name)
    assert result.exit_code == 0, result.output
    path = ws / "dossiers" / f"{slug}.yaml"
    data = yamlsrc.load(path).data
    assert data["client"]["name"] == name
    assert data["client"]["slug"] == slug
    assert run("validate", str(path.relative_to(ws))).exit_code == 0


def test_new_uses_the_workspace_dossiers_folder(ws: Path) -> None:
    build_file_tree(ws, {"kamdocs.yaml": "dossiers: clients\n"})
    assert run("new", "Acme Logistics AD").exit_code == 0
    assert (ws / "clients" / "acme-logistics-ad.yaml").is_file()
    assert not (ws / "dossiers" / "acme-logistics-ad.yaml").exists()
    assert run("validate").stdout.startswith("OK: 1 dossier;")


def test_new_needs_a_name(ws: Path) -> None:
    assert run("new").exit_code == 2


def test_new_never_overwrites_says_which_file(ws: Path) -> None:
    assert run("new", "Балкан Транс ЕООД").exit_code == 0
    again = run("new", "Балкан Транс ЕООД")
    assert again.exit_code == 1
    assert again.stderr == (
        "dossiers/balkan-trans-eood.yaml: already exists; kamdocs never overwrites a dossier\n"
    )


def test_new_makes_every_missing_folder_of_the_dossiers_path(ws: Path) -> None:
    build_file_tree(ws, {"kamdocs.yaml": "dossiers: clients/2026\n"})
    assert run("new", "Acme Logistics AD").exit_code == 0
    assert (ws / "clients/2026/acme-logistics-ad.yaml").is_file()


def test_new_with_a_file_where_the_dossiers_folder_goes(ws: Path) -> None:
    shutil.rmtree(ws / "dossiers", ignore_errors=True)
    build_file_tree(ws, {"dossiers": "a file, not a folder\n"})
    result = run("new", "Acme Logistics AD")
    assert result.exit_code == 1, result.output
    assert result.stderr == "dossiers: cannot create the folder: File exists\n"
    assert "Traceback" not in result.output
    assert (ws / "dossiers").read_text(encoding="utf-8") == "a file, not a folder\n"


def test_new_that_cannot_write_leaves_nothing(ws: Path) -> None:
    # A folder where `new` writes its temporary file: the write fails, and so does the removal
    # of the temporary file (it is a folder), which must not hide the first error.
    temp = ws / "dossiers" / f".acme-logistics-ad.yaml.{os.getpid()}.tmp"
    temp.mkdir(parents=True)
    result = run("new", "Acme Logistics AD")
    assert result.exit_code == 1, result.output
    assert result.stderr == "dossiers/acme-logistics-ad.yaml: cannot write: Is a directory\n"
    assert sorted(p.name for p in (ws / "dossiers").iterdir()) == [temp.name]


def test_new_writes_utf8_whatever_the_locale(ws: Path) -> None:
    # Under the C locale Python's default encoding is ASCII, which has no Cyrillic.
    previous = locale.setlocale(locale.LC_CTYPE)
    locale.setlocale(locale.LC_CTYPE, "C")
    try:
        assert locale.getencoding() != "UTF-8"
        result = run("new", "Балкан Транс ЕООД")
    finally:
        locale.setlocale(locale.LC_CTYPE, previous)
    assert result.exit_code == 0, result.output
    text = (ws / "dossiers/balkan-trans-eood.yaml").read_bytes().decode("utf-8")
    assert text.startswith("# Dossier: Балкан Транс ЕООД\n")
