"""The portfolio report's views: the terminal text (golden files), the standalone page and its
chart (escaped, deterministic, nothing fetched, opened in headless Chromium), the samples."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from decimal import Decimal
from html.parser import HTMLParser
from pathlib import Path

import pytest
from browser import console_errors, requested_urls
from helpers import ROOT, build_file_tree, run, small_library
from test_golden import GOLDEN, UPDATE, diff
from test_portfolio import dossier

from kamdocs.render import chart

DATE = "2026-12-08"
NASTY = "Nasty <b>Bold</b> & \"Quoted\" 'Co' </script>"


@pytest.fixture
def ws(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Four clients, one without a share, a tender due today, offers at several stages."""
    small_library(tmp_path)
    build_file_tree(
        tmp_path,
        {
            "dossiers/acme.yaml": dossier("Acme Logistics AD", "0.34"),
            "dossiers/borova.yaml": dossier(
                "Borova Foods",
                "0.12",
                tender="tender:\n  name: Cold store 2027\n  submission_date: 2027-09-08\n",
                offer="  sent: 2026-11-27\n",
            ),
            "dossiers/cvetna.yaml": dossier("Cvetna Retail", None, valid_days=12),
            "dossiers/dunav.yaml": dossier(
                "Dunav Trade", "0.09", offer="  sent: 2026-11-27\n  outcome: won\n"
            ),
            "dossiers/elin.yaml": dossier(
                "Elin Pharma",
                "0.02",
                tender="tender:\n  name: GDP warehouse\n  submission_date: 2027-03-01\n",
                offer="  sent: 2026-11-27\n  confirmed: 2026-11-30\n",
                valid_days=10,
            ),
        },
    )
    monkeypatch.chdir(tmp_path)
    return tmp_path


def bulgarian(ws: Path) -> None:
    (ws / "kamdocs.yaml").write_text("locale: bg\n", encoding="utf-8")


def check_golden(name: str, actual: str) -> None:
    path = GOLDEN / name
    if UPDATE:
        path.write_text(actual, encoding="utf-8")
    assert path.read_text(encoding="utf-8") == actual, diff(
        path.read_bytes(), actual.encode("utf-8"), name
    )


@pytest.mark.parametrize("lang", ["en", "bg"])
def test_the_terminal_report_matches_its_golden_file(ws: Path, lang: str):
    if lang == "bg":
        bulgarian(ws)
    result = run("portfolio", "--date", DATE)
    assert result.exit_code == 0, result.output
    assert result.stderr == ""
    check_golden(f"portfolio.{lang}.txt", result.stdout)


def write_page(ws: Path, *extra: str) -> str:
    result = run("portfolio", "--date", DATE, "--html", "out/report.html", *extra)
    assert result.exit_code == 0, result.output
    assert result.stderr == "wrote out/report.html\n"
    return (ws / "out/report.html").read_text(encoding="utf-8")


class _Tags(HTMLParser):
    """Every start tag of a page with its attributes, and the text of its style elements."""

    def __init__(self) -> None:
        super().__init__()
        self.tags: list[tuple[str, dict[str, str | None]]] = []
        self.style = ""
        self._in_style = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, dict(attrs)))
        self._in_style = tag == "style"

    def handle_endtag(self, tag: str) -> None:
        self._in_style = False

    def handle_data(self, data: str) -> None:
        if self._in_style:
            self.style += data


def tags(page: str) -> _Tags:
    parser = _Tags()
    parser.feed(page)
    parser.close()
    return parser


def test_the_page_is_standalone_with_the_chart_and_every_table(ws: Path):
    page = write_page(ws)
    found = tags(page)
    names = [tag for tag, _ in found.tags]
    assert names.count("svg") == 1
    assert names.count("table") == 1 + 1 + 4  # shares, tenders, four lists of offers
    assert ("figure", {"id": "chart", "aria-label": "Key accounts' shares of our sales"}) in (
        found.tags
    )
    # nothing that a browser would fetch: no src, no link, no href, no url() or @import
    for tag, attrs in found.tags:
        assert tag not in ("script", "link", "img", "iframe", "object", "embed"), tag
        for key, value in attrs.items():
            assert key not in ("src", "href", "xlink:href", "srcset", "action"), (tag, key, value)
            assert "url(" not in (value or ""), (tag, key)
    assert "url(" not in found.style and "@import" not in found.style
    # the only addresses in the page are the SVG's XML namespace names, which nothing fetches
    assert sorted(set(re.findall(r"\w+://[^\s\"')]+", page))) == [
        "http://www.w3.org/1999/xlink",
        "http://www.w3.org/2000/svg",
    ]
    assert "Built with kamdocs on December 8, 2026." in page
    shares_table = page[page.index("<table>") : page.index("</table>")]
    assert "<td>Acme Logistics AD</td>" in shares_table
    assert "Cvetna Retail" not in shares_table  # no share: not in the shares table
    assert "<strong>Share not known:</strong> Cvetna Retail</p>" in page
    assert "Not drawn, without a share: 1." in page


def test_every_dossier_value_is_escaped_in_the_page(ws: Path):
    build_file_tree(ws, {"dossiers/acme.yaml": dossier(json.dumps(NASTY), "0.34")})
    page = write_page(ws)
    found = tags(page)
    assert "b" not in [tag for tag, _ in found.tags]  # the name made no element, in any place
    assert "</script>" not in page
    escaped = (
        "Nasty &lt;b&gt;Bold&lt;/b&gt; &amp; &quot;Quoted&quot; &#x27;Co&#x27; &lt;/script&gt;"
    )
    assert f"<td>{escaped}</td>" in page
    assert page.count("Nasty &lt;b&gt;Bold") >= 3  # table, list of majors, the chart's label


def test_the_page_is_the_same_bytes_in_every_run(ws: Path):
    def build(seed: str, name: str) -> bytes:
        env = {**os.environ, "PYTHONHASHSEED": seed}
        subprocess.run(
            [sys.executable, "-m", "kamdocs", "portfolio", "--date", DATE, "--html", name],
            cwd=ws,
            env=env,
            check=True,
            capture_output=True,
        )
        return (ws / name).read_bytes()

    first, second = build("1", "a.html"), build("4242", "b.html")
    assert first == second
    assert b"<svg" in first


def test_the_page_in_bulgarian(ws: Path):
    bulgarian(ws)
    page = write_page(ws)
    assert '<html lang="bg">' in page
    assert "Портфейл от ключови клиенти" in page
    assert "57%: висок (55%–75%)" in page
    assert "Индекс на Херфиндал–Хиршман" in page
    assert "1\u00a0385: умерено концентриран (1\u00a0000–1\u00a0800)" in page
    assert "Създадено с kamdocs на 8 декември 2026\u202fг.; вътрешен документ" in page


def test_without_any_share_there_is_no_chart(ws: Path):
    for name in ("acme", "borova", "dunav", "elin"):
        (ws / f"dossiers/{name}.yaml").unlink()
    page = write_page(ws)
    assert "<svg" not in page
    assert "No dossier gives a share of sales." in page


def test_past_the_largest_clients_the_chart_draws_the_rest_as_one_bar():
    rows = [(f"c{i}", Decimal("0.01"), Decimal("0.01") * (i + 1)) for i in range(40)]
    drawn = chart.bars(rows, "{n} others")
    assert len(drawn) == chart.MAX_BARS + 1
    assert drawn[-1] == chart.Bar("15 others", Decimal("0.15"), Decimal("0.40"))
    assert chart.bars(rows[:3], "{n} others") == [chart.Bar(*row) for row in rows[:3]]
    one_more = rows[: chart.MAX_BARS + 1]  # one client past the largest: drawn as itself
    assert chart.bars(one_more, "{n} others") == [chart.Bar(*row) for row in one_more]


def test_the_chart_is_the_same_svg_without_any_font_installed_or_network():
    # vl-convert measures text with the fonts it carries, and no base URL may be fetched.
    bands = [chart.Band("low", Decimal(0), Decimal("0.3"), "low")]
    words = {"chart_x": "x", "chart_y": "y", "share": "share", "cumulative": "cumulative"}
    spec = chart.spec([chart.Bar("A", Decimal("0.2"), Decimal("0.2"))], bands, words, "en")
    svg = chart.svg(spec, "en")
    assert svg.startswith("<svg") and svg.endswith("</svg>")
    assert svg == chart.svg(json.loads(json.dumps(spec)), "en")
    assert "20%" in svg and "href" not in svg
    spec["layer"].append({"data": {"url": "https://example.com/data.json"}, "mark": "point"})
    with pytest.raises(ValueError, match="example.com"):
        chart.svg(spec, "en")


def test_the_page_opens_in_chromium_with_the_chart_and_nothing_fetched(ws: Path, browser):
    write_page(ws)
    url = (ws / "out/report.html").resolve().as_uri()
    browser.get("about:blank")  # past the browser's own start page, and forget its requests
    requested_urls(browser)
    console_errors(browser)
    browser.get(url)
    from selenium.webdriver.common.by import By

    svg = browser.find_element(By.CSS_SELECTOR, "figure#chart svg")
    assert svg.size["width"] > 300 and svg.size["height"] > 200
    bars = browser.find_elements(By.CSS_SELECTOR, "figure#chart svg g.mark-rect path")
    assert len(bars) >= 4 + 4  # four bands, a bar per client with a share
    labels = [e.text for e in browser.find_elements(By.CSS_SELECTOR, "figure#chart svg text")]
    assert "Acme Logistics AD" in labels and "34%" in labels
    assert browser.find_element(By.TAG_NAME, "h1").text == "Key-account portfolio"
    fetched = requested_urls(browser)
    assert url in fetched
    assert [u for u in fetched if not u.startswith(("file:", "data:"))] == []
    assert console_errors(browser) == []


# --- the samples ---------------------------------------------------------------------------


def test_the_samples_make_a_meaningful_report(monkeypatch: pytest.MonkeyPatch):
    monkeypatch.chdir(ROOT)
    result = run("portfolio", "--date", "2026-12-14", "--json")
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    c = data["concentration"]
    assert len([x for x in c["clients"] if x["share"] != "0"]) >= 3
    assert c["band"] == "typical"
    statuses = {t["client"]: t["status"] for t in data["tenders"]["tenders"]}
    assert statuses["danubia-retail"] == "started"  # in its preparation window
    assert any(t["not_started"] for t in data["tenders"]["tenders"])
    assert data["offers"]["expiring"]
    assert data["offers"]["not_sent"]


@pytest.mark.parametrize(
    ("lang", "date", "expected"),
    [
        ("en", "2026-12-07", "starts in 1 day"),
        ("en", "2026-12-01", "starts in 7 days"),
        ("bg", "2026-12-07", "започва след 1 ден"),
        ("bg", "2026-12-01", "започва след 7 дни"),
    ],
)
def test_counts_of_days_take_the_language_s_plural(ws: Path, lang: str, date: str, expected: str):
    if lang == "bg":
        bulgarian(ws)
    text = run("portfolio", "--date", date, "--within", "1").stdout
    borova = next(line for line in text.splitlines() if "Cold store 2027" in line)
    assert borova.endswith(expected)
    assert ("Expiring within 1 day: " if lang == "en" else "Изтичат до 1 ден: ") in text


@pytest.mark.parametrize(
    ("value", "lang", "expected"),
    [
        ("0", "en", "0%"),
        ("0.0001", "en", "<0.1%"),  # a share however small is not shown as none
        ("0.0005", "en", "<0.1%"),
        ("0.00051", "en", "0.1%"),
        ("0.125", "en", "12.5%"),
        ("0.125", "bg", "12,5%"),
        ("0.0001", "bg", "<0,1%"),
        ("1", "de", "100\u00a0%"),
    ],
)
def test_shares_are_printed_per_locale(value: str, lang: str, expected: str):
    from kamdocs import formatting

    assert formatting.share(Decimal(value), lang) == expected


def _agrees(shown: object, actual: object, where: str = "") -> list[str]:
    """Where the example ``shown`` differs from ``actual``: lists may be cut short, and a
    ``"…"`` key stands for the rest of an entry."""
    if isinstance(shown, dict) and isinstance(actual, dict):
        if "…" not in shown and set(shown) != set(actual):
            return [f"{where}: keys {sorted(shown)} != {sorted(actual)}"]
        return [
            d
            for key, value in shown.items()
            if key != "…"
            for d in _agrees(value, actual.get(key), f"{where}.{key}")
        ]
    if isinstance(shown, list) and isinstance(actual, list):
        if len(shown) > len(actual) or (not shown and actual):  # an empty list is all of it
            return [f"{where}: {len(shown)} entries shown, {len(actual)} printed"]
        return [d for i, v in enumerate(shown) for d in _agrees(v, actual[i], f"{where}[{i}]")]
    return [] if shown == actual else [f"{where}: {shown!r} != {actual!r}"]


def test_the_json_example_of_the_docs_is_what_the_samples_print(monkeypatch: pytest.MonkeyPatch):
    monkeypatch.chdir(ROOT)
    text = (ROOT / "docs" / "portfolio.md").read_text(encoding="utf-8")
    shown = json.loads(text.split("## JSON", 1)[1].split("```json\n", 1)[1].split("```", 1)[0])
    actual = json.loads(run("portfolio", "--date", shown["date"], "--json").stdout)
    assert _agrees(shown, actual) == []
    assert _agrees({"date": "2026-12-15"}, {"date": "2026-12-14"}) != []  # it can fail
    assert _agrees({"lost": []}, {"lost": [{"client": "x"}]}) != []
