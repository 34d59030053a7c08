"""What the shipped library and samples say is true of each proposal: prices without VAT say
so, country-specific texts name the client's country, a pricing model's argument only where
the offer has that model, no internal ids, one percent and one date format per locale, and
the HR reader's section speaks of people and references."""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

import pytest
from helpers import DOSSIER, ROOT, build_file_tree, run, small_library
from samples import render_samples

PRODUCT_IDS = ("wms-pro", "pick-robotics", "fleet-track", "mes-line", "analytics-suite",
               "care-premium", "robots-as-a-service")  # fmt: skip


@pytest.fixture(scope="module")
def samples(tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    out = tmp_path_factory.mktemp("md")
    return {p.stem: p.read_text("utf-8") for p in render_samples(out, ("md",))}


def lang_of(text: str) -> str:
    return "bg" if re.search("[а-яА-Я]", text.split("\n", 1)[0] + text[-400:]) else "en"


def test_no_internal_ids_no_quoted_title_no_currency_code(samples: dict[str, str]) -> None:
    for slug, text in samples.items():
        for product in PRODUCT_IDS:
            assert not re.search(rf"(?<![\w/.-]){product}(?![\w-])", text), (slug, product)
        title = text.split("\n", 1)[0].lstrip("# ")
        assert f"“{title}”" not in text and f"„{title}“" not in text, slug
        assert not re.search(r"\bEUR\b", text), slug  # prices print "€"; so must figures


def test_one_percent_and_one_date_format_per_locale(samples: dict[str, str]) -> None:
    for slug, text in samples.items():
        assert not re.search(r"\d[ \u00a0\u202f]%", text), slug  # CLDR: "20%" in en and bg
        assert not re.search(r"\b\d{1,2}\.\d{2}\.\d{4}\b", text), slug  # long dates only
    bg = samples["balkan-trans-eood"]
    assert "Валидна до: 26\u00a0декември\u00a02026\u00a0г." in bg
    assert "Офертата е валидна до 26\u00a0декември\u00a02026\u00a0г." in bg
    assert "| 18\u00a0март\u00a02024\u00a0г. |" in bg  # the history table, same format


def test_a_pricing_model_argument_only_with_that_model(
    samples: dict[str, str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    for slug, text in samples.items():  # every sample sells its robots
        assert "Robots as a service" not in text and "Роботи като услуга" not in text, slug
    shutil.copytree(ROOT / "templates", tmp_path / "templates")
    dossier = (ROOT / "dossiers/danubia-retail.yaml").read_text("utf-8")
    dossier = dossier.replace("care-premium]", "care-premium, robots-as-a-service]")
    build_file_tree(tmp_path, {"dossiers/danubia-retail.yaml": dossier})
    monkeypatch.chdir(tmp_path)
    result = run("explain", "dossiers/danubia-retail.yaml", "--json", "--date", "2026-11-26")
    assert result.exit_code == 0, result.output
    chosen = {a["id"] for m in json.loads(result.stdout)["members"] for a in m["arguments"]}
    assert "robots-as-a-service" in chosen


@pytest.mark.parametrize(
    ("country", "lang", "expected"),
    [
        ("DE", "en", "the ERP systems most used in Germany"),
        ("RO", "en", "the ERP systems most used in Romania"),
        (None, "en", "the ERP systems most used in your market"),
        ("DE", "bg", "най-разпространените в Германия ERP системи"),
    ],
)
def test_country_texts_name_the_clients_country(
    country: str | None, lang: str, expected: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    shutil.copytree(ROOT / "templates", tmp_path / "templates")
    dossier = (ROOT / "dossiers/danubia-retail.yaml").read_text("utf-8")
    dossier = dossier.replace("  country: RO\n", f"  country: {country}\n" if country else "")
    dossier = dossier.replace("  locale: en\n", f"  locale: {lang}\n")
    build_file_tree(tmp_path, {"dossiers/d.yaml": dossier})
    monkeypatch.chdir(tmp_path)
    result = run("render", "dossiers/d.yaml", "-f", "md", "-o", "out", "--date", "2026-11-26")
    assert result.exit_code == 0, result.output
    text = " ".join((tmp_path / "out/danubia-retail.md").read_text("utf-8").split())
    assert expected in text
    assert "Bulgaria" not in text.split("ERP", 1)[1].split(".", 1)[0]


def test_hr_readers_get_people_and_references_first() -> None:
    for path in sorted((ROOT / "dossiers").glob("*.yaml")):
        result = run("explain", str(path), "--json", "--date", "2026-11-26")
        assert result.exit_code == 0, result.output
        for member in json.loads(result.stdout)["members"]:
            if member["persona"] == "hr" and member["arguments"]:
                kinds = [a["kind"] for a in member["arguments"]]
                assert kinds[0] in ("people", "reference"), (path.name, kinds)
                assert set(kinds) <= {"people", "reference", "cooperation"}, (path.name, kinds)


@pytest.mark.parametrize("vat", [True, False])
def test_prices_without_vat_say_so(vat: bool, tmp_path: Path, monkeypatch) -> None:
    small_library(tmp_path)
    dossier = DOSSIER if vat else re.sub(r"\n\s*vat_percent: [\d.]+", "", DOSSIER)
    assert ("vat_percent" in dossier) is vat
    build_file_tree(tmp_path, {"dossiers/acme.yaml": dossier})
    monkeypatch.chdir(tmp_path)
    result = run("render", "dossiers/acme.yaml", "-f", "md", "-o", "out", "--date", "2026-11-26")
    assert result.exit_code == 0, result.output
    [md] = (tmp_path / "out").glob("*.md")
    text = md.read_text("utf-8")
    rows = [line.split("|")[1].strip() for line in text.splitlines() if line.startswith("| **")]
    if vat:
        assert rows[-2:] == ["**Subtotal**", "**Total**"] and "| VAT 20% |" in text
        assert "exclude VAT" not in text
    else:
        assert rows[-1] == "**Total excl. VAT**" and "**Total**" not in text
        assert "All prices exclude VAT." in text
