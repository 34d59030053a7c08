"""The portfolio report as the department head reads it: terminal tables and a standalone page.

Both views take a ``kamdocs.portfolio.Portfolio`` and say the same things in the workspace's
language (English and Bulgarian wording here; other languages read English, with their own
number and date formats). The report is internal, but it is built from an ``Account``, which
holds no DMU member's private data and no persona, so neither can reach it.
"""

from __future__ import annotations

import datetime as dt
import unicodedata
from collections.abc import Callable, Sequence
from decimal import Decimal
from html import escape
from pathlib import Path

from kamdocs import formatting
from kamdocs.errors import UsageError
from kamdocs.portfolio import (
    HHI_HIGH_ABOVE,
    HHI_MODERATE_FROM,
    HIGH_UP_TO,
    LOW_BELOW,
    MAJOR_FROM,
    TYPICAL_UP_TO,
    OfferRow,
    Portfolio,
    TenderRow,
)
from kamdocs.render import chart

WORDS: dict[str, dict[str, str]] = {
    "en": {
        "title": "Key-account portfolio",
        "on": "on {date}: {n} dossiers",
        "concentration": "Concentration of sales",
        "rank": "#",
        "client": "Client",
        "share": "Share of sales",
        "cumulative": "Cumulative",
        "abc": "ABC",
        "major_col": "Major",
        "major_mark": "major",
        "unknown": "Share not known",
        "unknown_none": "every dossier gives its share of sales",
        "no_shares": "No dossier gives a share of sales.",
        "total": "Key accounts' total",
        "counted_all": "over all {known} clients",
        "counted": "over {known} clients with a share; {unknown} without one, not counted",
        "band_low": "low",
        "band_typical": "typical",
        "band_high": "high",
        "band_mono": "mono-dependency",
        "band_range_low": "below {low}",
        "band_range_typical": "{low}–{typical}",
        "band_range_high": "{typical}–{high}",
        "band_range_mono": "above {high}",
        "hhi": "Herfindahl–Hirschman index",
        "hhi_unconcentrated": "unconcentrated (below {moderate})",
        "hhi_moderately concentrated": "moderately concentrated ({moderate}–{high})",
        "hhi_highly concentrated": "highly concentrated (above {high})",
        "top": "Largest client / three largest",
        "majors": "Major customers ({major} or more)",
        "none": "none",
        "tenders": "Tenders",
        "tenders_note": "preparation starts {months} before the submission",
        "no_tenders": "No dossier has a tender.",
        "tender": "Tender",
        "submission": "Submission",
        "prep_start": "Preparation start",
        "prep_started": "Started",
        "days_left": "Days left",
        "flag": "Attention",
        "status_ahead": "starts in {n}",
        "status_due": "start preparing today",
        "status_overdue": "preparation should have started",
        "status_started": "in preparation",
        "status_past": "submitted",
        "short": "less time left than preparation needs",
        "offers": "Offers",
        "offer": "Offer",
        "stage": "Stage",
        "valid_until": "Valid until",
        "sent": "Sent",
        "call_due": "Call due",
        "contact": "Contact",
        "stage_issued": "issued",
        "stage_sent": "sent",
        "stage_confirmed": "confirmed",
        "stage_won": "won",
        "stage_lost": "lost",
        "stage_withdrawn": "withdrawn",
        "expiring": "Expiring within {n}",
        "expired": "Expired without an outcome",
        "call_overdue": "Confirmation call overdue",
        "not_sent": "Issued, never sent",
        "empty": "none",
        "outcomes": "Outcomes",
        "outcomes_line": "won {won}, lost {lost}, withdrawn {withdrawn}; win rate {rate}",
        "no_rate": "none yet (no outcome recorded)",
        "chart_title": "Key accounts' shares of our sales",
        "chart_x": "key accounts, largest first",
        "chart_y": "share of our sales",
        "others": "{n} others",
        "not_drawn": "Not drawn, without a share: {n}.",
        "built": "Built with kamdocs on {date}. Internal: for the key-account department.",
    },
    "bg": {
        "title": "Портфейл от ключови клиенти",
        "on": "към {date}: {n} досиета",
        "concentration": "Концентрация на продажбите",
        "rank": "№",
        "client": "Клиент",
        "share": "Дял от продажбите",
        "cumulative": "Натрупано",
        "abc": "ABC",
        "major_col": "Голям",
        "major_mark": "голям",
        "unknown": "Дялът не е известен",
        "unknown_none": "всяко досие дава дела си от продажбите",
        "no_shares": "Нито едно досие не дава дял от продажбите.",
        "total": "Общо ключови клиенти",
        "counted_all": "от всички {known} клиенти",
        "counted": "от {known} клиенти с дял; {unknown} без дял не са броени",
        "band_low": "нисък",
        "band_typical": "типичен",
        "band_high": "висок",
        "band_mono": "монозависимост",
        "band_range_low": "под {low}",
        "band_range_typical": "{low}–{typical}",
        "band_range_high": "{typical}–{high}",
        "band_range_mono": "над {high}",
        "hhi": "Индекс на Херфиндал–Хиршман",
        "hhi_unconcentrated": "неконцентриран (под {moderate})",
        "hhi_moderately concentrated": "умерено концентриран ({moderate}–{high})",
        "hhi_highly concentrated": "силно концентриран (над {high})",
        "top": "Най-големият клиент / трите най-големи",
        "majors": "Големи клиенти ({major} или повече)",
        "none": "няма",
        "tenders": "Търгове",
        "tenders_note": "подготовката започва {months} преди подаването",
        "no_tenders": "Нито едно досие няма търг.",
        "tender": "Търг",
        "submission": "Подаване",
        "prep_start": "Начало на подготовката",
        "prep_started": "Започната",
        "days_left": "Остават дни",
        "flag": "Внимание",
        "status_ahead": "започва след {n}",
        "status_due": "подготовката започва днес",
        "status_overdue": "подготовката трябваше да е започнала",
        "status_started": "в подготовка",
        "status_past": "подаден",
        "short": "остава по-малко време, отколкото е нужно за подготовката",
        "offers": "Оферти",
        "offer": "Оферта",
        "stage": "Етап",
        "valid_until": "Валидна до",
        "sent": "Изпратена",
        "call_due": "Обаждане до",
        "contact": "Контакт",
        "stage_issued": "издадена",
        "stage_sent": "изпратена",
        "stage_confirmed": "потвърдена",
        "stage_won": "спечелена",
        "stage_lost": "загубена",
        "stage_withdrawn": "оттеглена",
        "expiring": "Изтичат до {n}",
        "expired": "Изтекли без резултат",
        "call_overdue": "Просрочено обаждане за потвърждение",
        "not_sent": "Издадени, неизпратени",
        "empty": "няма",
        "outcomes": "Резултати",
        "outcomes_line": (
            "спечелени {won}, загубени {lost}, оттеглени {withdrawn}; успеваемост {rate}"
        ),
        "no_rate": "още няма (няма записан резултат)",
        "chart_title": "Дял на ключовите клиенти в продажбите ни",
        "chart_x": "ключови клиенти, от най-големия",
        "chart_y": "дял от продажбите ни",
        "others": "{n} други",
        "not_drawn": "Не са показани, без дял: {n}.",
        "built": "Създадено с kamdocs на {date}; вътрешен документ на отдела за ключови клиенти.",
    },
}
BAND_KEYS = {"low": "low", "typical": "typical", "high": "high", "mono-dependency": "mono"}


def words(lang: str) -> dict[str, str]:
    """The report's wording in ``lang`` (English where there is none)."""
    return WORDS.get(lang.split("_")[0].split("-")[0].lower(), WORDS["en"])


class _View:
    """The figures as text in one language: shared by the terminal and the page."""

    def __init__(self, report: Portfolio):
        self.report = report
        self.lang = report.locale
        self.w = words(self.lang)

    def pct(self, value: Decimal) -> str:
        return formatting.share(value, self.lang)

    def date(self, value: dt.date | None) -> str:
        return formatting.date(value, self.lang, "medium") if value else "—"

    def long_date(self, value: dt.date) -> str:
        return formatting.date(value, self.lang, "long")

    def num(self, value: Decimal | int) -> str:
        return formatting.number(value, self.lang)

    def days(self, value: int) -> str:
        return formatting.duration(value, "day", self.lang)

    def months(self, value: int) -> str:
        return formatting.duration(value, "month", self.lang)

    def band(self, key: str) -> str:
        k = BAND_KEYS[key]
        edges = {"low": LOW_BELOW, "typical": TYPICAL_UP_TO, "high": HIGH_UP_TO}
        shown = self.w["band_range_" + k].format(**{n: self.pct(v) for n, v in edges.items()})
        return f"{self.w['band_' + k]} ({shown})"

    def heading(self) -> str:
        r = self.report
        on = self.w["on"].format(date=self.long_date(r.date), n=self.num(len(r.accounts)))
        return f"{self.w['title']} {on}"

    def share_rows(self) -> list[list[str]]:
        return [
            [
                self.num(i),
                row.account.name,
                self.pct(row.share),
                self.pct(row.cumulative),
                row.abc,
                self.w["major_mark"] if row.major else "",
            ]
            for i, row in enumerate(self.report.concentration.rows, 1)
        ]

    def summary(self) -> list[tuple[str, str, str]]:
        """(label, value, band key or '') lines under the shares table."""
        c, w = self.report.concentration, self.w
        key = "counted" if c.unknown else "counted_all"
        counted = w[key].format(known=self.num(len(c.rows)), unknown=self.num(len(c.unknown)))
        majors = ", ".join(row.account.name for row in c.major) or w["none"]
        reading = w["hhi_" + c.hhi_reading].format(
            moderate=self.num(HHI_MODERATE_FROM), high=self.num(HHI_HIGH_ABOVE)
        )
        return [
            (w["total"], f"{self.pct(c.total)}: {self.band(c.band)}", c.band),
            ("", counted, ""),
            (w["hhi"], f"{self.num(round(c.hhi))}: {reading}", ""),
            (w["top"], f"{self.pct(c.top1)} / {self.pct(c.top3)}", ""),
            (w["majors"].format(major=self.pct(MAJOR_FROM)), majors, ""),
        ]

    def tender_status(self, row: TenderRow) -> str:
        ahead = (row.preparation_start - self.report.date).days
        text = self.w["status_" + row.status].format(n=self.days(ahead))
        if row.short_of_time:
            text += f"; {self.w['short']}"
        return text

    def tender_rows(self) -> list[list[str]]:
        return [
            [
                row.account.name,
                row.name,
                self.date(row.submission_date),
                self.date(row.preparation_start),
                self.date(row.preparation_started),
                self.num(row.days_left),
                self.tender_status(row),
            ]
            for row in self.report.tenders
        ]

    def offer_rows(self, rows: Sequence[OfferRow]) -> list[list[str]]:
        return [
            [
                r.account.name,
                r.account.title,
                self.w["stage_" + r.stage],
                self.date(r.account.valid_until),
                self.num(r.days_left),
                self.date(r.account.sent),
                self.date(r.call_due),
                r.account.contact,
            ]
            for r in rows
        ]

    def offer_lists(self) -> list[tuple[str, Sequence[OfferRow]]]:
        o, w = self.report.offers, self.w
        return [
            (w["expiring"].format(n=self.days(o.within)), o.expiring),
            (w["expired"], o.expired),
            (w["call_overdue"], o.call_overdue),
            (w["not_sent"], o.not_sent),
        ]

    def outcomes(self) -> str:
        o = self.report.offers
        rate = self.w["no_rate"] if o.win_rate is None else self.pct(o.win_rate)
        return self.w["outcomes_line"].format(
            won=self.num(o.won), lost=self.num(o.lost), withdrawn=self.num(o.withdrawn), rate=rate
        )

    @property
    def share_header(self) -> list[str]:
        w = self.w
        return [w["rank"], w["client"], w["share"], w["cumulative"], w["abc"], w["major_col"]]

    @property
    def tender_header(self) -> list[str]:
        w = self.w
        return [
            w["client"],
            w["tender"],
            w["submission"],
            w["prep_start"],
            w["prep_started"],
            w["days_left"],
            w["flag"],
        ]

    @property
    def offer_header(self) -> list[str]:
        w = self.w
        return [
            w["client"],
            w["offer"],
            w["stage"],
            w["valid_until"],
            w["days_left"],
            w["sent"],
            w["call_due"],
            w["contact"],
        ]


# --- the terminal --------------------------------------------------------------------------

_STYLES = {
    "heading": "\x1b[1m",
    "low": "\x1b[33m",
    "typical": "\x1b[32m",
    "high": "\x1b[33m",
    "mono-dependency": "\x1b[1;31m",
    "alert": "\x1b[31m",
}
_RESET = "\x1b[0m"
MAX_CELL = 40  # columns of a terminal table cell; longer values end in "…" (not in the page)


def _width(text: str) -> int:
    """Columns ``text`` takes in a terminal (East Asian wide characters take two)."""
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def _cut(text: str) -> str:
    if _width(text) <= MAX_CELL:
        return text
    while _width(text) > MAX_CELL - 1:
        text = text[:-1]
    return text.rstrip() + "…"


def _table(
    header: list[str],
    rows: list[list[str]],
    right: set[int],
    style_last: Callable[[int, str], str] = lambda n, text: text,
) -> list[str]:
    """Aligned columns; every cell but the last (which may run on) cut to ``MAX_CELL``;
    ``style_last(row number, text)`` styles a row's last cell once the row is laid out."""
    rows = [[_cut(cell) for cell in row[:-1]] + row[-1:] for row in rows]
    widths = [max(_width(cell) for cell in column) for column in zip(header, *rows, strict=True)]

    def line(cells: list[str], n: int | None) -> str:
        parts = []
        for i, (cell, width) in enumerate(zip(cells, widths, strict=True)):
            pad = " " * (width - _width(cell))
            parts.append(pad + cell if i in right else cell + pad)
        if n is not None:
            parts[-1] = style_last(n, parts[-1].rstrip())
        return "  " + "  ".join(parts).rstrip()

    rule = "  " + "  ".join("-" * width for width in widths)
    return [line(header, None), rule, *(line(row, n) for n, row in enumerate(rows))]


def as_text(report: Portfolio, colour: bool = False) -> str:
    """The report for a terminal: tables, with ANSI colours only when ``colour``."""
    view, w = _View(report), words(report.locale)

    def style(text: str, key: str) -> str:
        return f"{_STYLES[key]}{text}{_RESET}" if colour and key in _STYLES else text

    def alert(text: str) -> str:
        return style(text, "alert")

    out = [style(view.heading(), "heading"), ""]
    c = report.concentration
    out.append(style(w["concentration"], "heading"))
    if c.rows:
        out += _table(view.share_header, view.share_rows(), {0, 2, 3})
    else:
        out.append(f"  {w['no_shares']}")
    unknown = ", ".join(a.name for a in c.unknown) or w["unknown_none"]
    out.append(f"  {w['unknown']}: {unknown}")
    out.append("")
    label_width = max(_width(label) for label, _, _ in view.summary())
    for label, value, band_key in view.summary():
        shown = style(value, band_key) if band_key else value
        pad = " " * (label_width - _width(label))
        out.append(f"  {label}{pad}  {shown}" if label else f"  {' ' * label_width}  {shown}")
    out.append("")
    out.append(
        style(w["tenders"], "heading")
        + f" ({w['tenders_note'].format(months=view.months(report.preparation_months))})"
    )
    if report.tenders:
        flagged = [t.not_started or t.short_of_time for t in report.tenders]
        out += _table(
            view.tender_header,
            view.tender_rows(),
            {5},
            lambda n, text: alert(text) if flagged[n] else text,
        )
    else:
        out.append(f"  {w['no_tenders']}")
    out.append("")
    out.append(style(w["offers"], "heading"))
    for title, rows in view.offer_lists():
        out.append(f"  {alert(title) if rows else title}: {len(rows)}")
        if rows:
            out += ["  " + line for line in _table(view.offer_header, view.offer_rows(rows), {4})]
    out.append(f"  {w['outcomes']}: {view.outcomes()}")
    return "\n".join(out) + "\n"


# --- the page ------------------------------------------------------------------------------

CSS = """
body { margin: 0; padding: 2rem 1rem; background: #eef1f5; color: #1d232b;
  font: 15px/1.5 Carlito, Calibri, "Segoe UI", "Helvetica Neue", Arial, sans-serif; }
main { max-width: 72rem; margin: 0 auto; padding: 2rem 2.5rem; background: #fff;
  border-top: 6px solid #1f3a5f; box-shadow: 0 1px 4px rgba(31, 58, 95, 0.15); }
h1, h2 { color: #1f3a5f; line-height: 1.25; }
h1 { font-size: 1.8rem; margin: 0 0 0.25rem; }
p.subtitle { color: #5b6573; margin: 0 0 1.5rem; }
h2 { font-size: 1.3rem; margin: 2rem 0 0.6rem; border-bottom: 1px solid #d5dae1; }
h3 { font-size: 1.05rem; margin: 1.2rem 0 0.4rem; }
figure { margin: 1rem 0; overflow-x: auto; }
figure svg { max-width: 100%; height: auto; }
figcaption { color: #5b6573; font-size: 0.9rem; }
table { border-collapse: collapse; margin: 0.5rem 0 1rem; }
th, td { padding: 0.3rem 0.7rem; border-bottom: 1px solid #d5dae1; text-align: left;
  vertical-align: top; }
th { background: #f3f5f8; }
td.num { text-align: right; font-variant-numeric: tabular-nums; }
dl { display: grid; grid-template-columns: max-content auto; gap: 0.3rem 1.2rem; }
dt { font-weight: bold; }
dd { margin: 0; }
.band-low, .band-high { color: #9a6700; font-weight: bold; }
.band-typical { color: #1e7b34; font-weight: bold; }
.band-mono-dependency, .alert { color: #b42318; font-weight: bold; }
footer { margin-top: 2rem; color: #5b6573; font-size: 0.85rem; }
"""


def _html_table(
    header: list[str], rows: list[list[str]], right: set[int], alerts: Sequence[bool] = ()
) -> str:
    """A table; the last cell of each row in ``alerts`` is marked as needing attention."""
    head = "".join(f"<th>{escape(cell)}</th>" for cell in header)
    body = []
    for n, row in enumerate(rows):
        cells = []
        for i, cell in enumerate(row):
            css = "num" if i in right else ""
            if i == len(row) - 1 and n < len(alerts) and alerts[n]:
                css = "alert"
            attr = f' class="{css}"' if css else ""
            cells.append(f"<td{attr}>{escape(cell)}</td>")
        body.append(f"<tr>{''.join(cells)}</tr>")
    return (
        f"<table>\n<thead><tr>{head}</tr></thead>\n<tbody>\n"
        + "\n".join(body)
        + "\n</tbody>\n</table>"
    )


def chart_svg(report: Portfolio) -> str:
    """The chart of the sorted shares, the cumulative line and the bands, as inline SVG."""
    view, w = _View(report), words(report.locale)
    drawn = chart.bars(
        [(row.account.name, row.share, row.cumulative) for row in report.concentration.rows],
        w["others"],
    )
    bands = [
        chart.Band("low", Decimal(0), LOW_BELOW, view.band("low")),
        chart.Band("typical", LOW_BELOW, TYPICAL_UP_TO, view.band("typical")),
        chart.Band("high", TYPICAL_UP_TO, HIGH_UP_TO, view.band("high")),
        chart.Band("mono", HIGH_UP_TO, Decimal(1), view.band("mono-dependency")),
    ]
    return chart.svg(chart.spec(drawn, bands, w, report.locale), report.locale)


def page(report: Portfolio) -> str:
    """The standalone report: one HTML file with its styles and the chart inline (nothing it
    shows is fetched from anywhere), every dossier value escaped."""
    view, w = _View(report), words(report.locale)
    c = report.concentration
    e = escape
    parts = [
        f"<h1>{e(w['title'])}</h1>",
        f'<p class="subtitle">{e(view.heading().removeprefix(w["title"]).strip())}</p>',
        f"<h2>{e(w['concentration'])}</h2>",
    ]
    if c.rows:
        caption = w["not_drawn"].format(n=view.num(len(c.unknown))) if c.unknown else ""
        parts.append(
            f'<figure id="chart" aria-label="{e(w["chart_title"])}">\n{chart_svg(report)}\n'
            + (f"<figcaption>{e(caption)}</figcaption>\n" if caption else "")
            + "</figure>"
        )
    dl = []
    for label, value, band_key in view.summary():
        css = f' class="band-{band_key}"' if band_key else ""
        dl.append(f"<dt>{e(label)}</dt><dd{css}>{e(value)}</dd>")
    parts.append("<dl>\n" + "\n".join(dl) + "\n</dl>")
    if c.rows:
        parts.append(_html_table(view.share_header, view.share_rows(), {0, 2, 3}))
    else:
        parts.append(f"<p>{e(w['no_shares'])}</p>")
    unknown = ", ".join(a.name for a in c.unknown) or w["unknown_none"]
    parts.append(f"<p><strong>{e(w['unknown'])}:</strong> {e(unknown)}</p>")
    note = w["tenders_note"].format(months=view.months(report.preparation_months))
    parts.append(f"<h2>{e(w['tenders'])}</h2>\n<p>{e(note)}</p>")
    if report.tenders:
        flagged = [t.not_started or t.short_of_time for t in report.tenders]
        parts.append(_html_table(view.tender_header, view.tender_rows(), {5}, flagged))
    else:
        parts.append(f"<p>{e(w['no_tenders'])}</p>")
    parts.append(f"<h2>{e(w['offers'])}</h2>")
    for title, rows in view.offer_lists():
        css = ' class="alert"' if rows else ""
        parts.append(f"<h3{css}>{e(title)}: {len(rows)}</h3>")
        if rows:
            parts.append(_html_table(view.offer_header, view.offer_rows(rows), {4}))
    parts.append(f"<p><strong>{e(w['outcomes'])}:</strong> {e(view.outcomes())}</p>")
    built = w["built"].format(date=view.long_date(report.date))
    lang = e(report.locale)
    return (
        "<!DOCTYPE html>\n"
        f'<html lang="{lang}">\n<head>\n<meta charset="utf-8">\n'
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        '<meta name="generator" content="kamdocs">\n'
        f"<title>{e(view.heading())}</title>\n<style>{CSS}</style>\n</head>\n"
        "<body>\n<main>\n" + "\n".join(parts) + f"\n<footer>{e(built)}</footer>\n"
        "</main>\n</body>\n</html>\n"
    )


def write_html(report: Portfolio, path: Path) -> None:
    """Write the page to ``path`` atomically: a reader sees the old file or the new one."""
    from kamdocs.output import Batch  # noqa: PLC0415

    if path.is_dir():
        raise UsageError(f"--html {path}: is a folder; give a file name such as portfolio.html")
    data = page(report).encode("utf-8")
    with Batch(path.parent) as batch:
        batch.add(path.name, data)
        batch.commit()
