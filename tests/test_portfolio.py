"""`kamdocs portfolio`: every figure on small inline portfolios, the CLI's outputs and errors."""

from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal
from pathlib import Path

import pytest
from helpers import build_file_tree, run, small_library

from kamdocs.calendar import WorkingCalendar, months_before
from kamdocs.models import Milestone
from kamdocs.portfolio import (
    Account,
    band,
    concentration,
    hhi,
    hhi_reading,
    offers,
    portfolio,
    preparation_months,
    tender_row,
)
from kamdocs.render.portfolio import as_text
from kamdocs.workspace import Workspace, find_workspace

D = Decimal
TODAY = dt.date(2026, 12, 8)
BG = WorkingCalendar.of("BG")


def account(slug: str, share: str | None = None, **fields: object) -> Account:
    """One dossier as the portfolio sees it; an offer issued on 2026-11-26, valid 30 days."""
    values: dict[str, object] = {
        "path": f"dossiers/{slug}.yaml",
        "slug": slug,
        "slug_at": (2, "client.name"),
        "name": slug.replace("-", " ").title(),
        "share": None if share is None else D(share),
        "share_line": 3,
        "title": f"Offer to {slug}",
        "issued": dt.date(2026, 11, 26),
        "valid_until": dt.date(2026, 12, 26),
        "sent": None,
        "confirmed": None,
        "outcome": None,
        "contact": "Ivan Petrov",
    }
    values.update(fields)
    return Account(**values)  # type: ignore[arg-type]


def shares(*values: str | None) -> list[Account]:
    return [account(f"client-{i}", value) for i, value in enumerate(values, 1)]


# --- concentration -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("parts", "expected"),
    [
        (("0",), "low"),
        (("0.20", "0.0999"), "low"),
        (("0.20", "0.10"), "typical"),  # exactly 30%: typical
        (("0.30", "0.25"), "typical"),  # exactly 55%: still typical
        (("0.30", "0.2501"), "high"),
        (("0.50", "0.25"), "high"),  # exactly 75%: still high
        (("0.50", "0.2501"), "mono-dependency"),
        (("0.80", "0.20"), "mono-dependency"),  # all of our sales
    ],
)
def test_the_band_of_the_total_at_and_around_every_edge(parts: tuple[str, ...], expected: str):
    found = concentration(shares(*parts))
    assert found.total == sum(D(p) for p in parts)
    assert found.band == expected
    assert band(found.total) == expected


@pytest.mark.parametrize(
    ("parts", "index", "reading"),
    [
        (("0.40", "0.30", "0.20", "0.10"), D(3000), "highly concentrated"),
        (("0.30", "0.30"), D(1800), "moderately concentrated"),  # 1,800 itself: moderately
        (("0.30", "0.30", "0.01"), D(1801), "highly concentrated"),
        (("0.10",) * 10, D(1000), "moderately concentrated"),  # 1,000 itself: moderately
        (("0.30", "0.03"), D(909), "unconcentrated"),
        (("0.125",), D("156.25"), "unconcentrated"),  # exact: no binary rounding
        (("1",), D(10000), "highly concentrated"),
        ((), D(0), "unconcentrated"),
    ],
)
def test_the_herfindahl_hirschman_index_and_its_reading(
    parts: tuple[str, ...], index: Decimal, reading: str
):
    found = concentration(shares(*parts))
    assert found.hhi == index
    assert found.hhi_reading == reading
    assert hhi(D(p) for p in parts) == index
    assert hhi_reading(index) == reading


def test_sorted_shares_cumulative_top_and_major_customers():
    found = concentration(shares("0.05", "0.10", "0.0999", "0.20", "0.03"))
    assert [(r.account.slug, r.share, r.cumulative) for r in found.rows] == [
        ("client-4", D("0.20"), D("0.20")),
        ("client-2", D("0.10"), D("0.30")),
        ("client-3", D("0.0999"), D("0.3999")),
        ("client-1", D("0.05"), D("0.4499")),
        ("client-5", D("0.03"), D("0.4799")),
    ]
    assert found.top1 == D("0.20")
    assert found.top3 == D("0.3999")
    # 10% exactly is a major customer; 9.99% is not
    assert [r.account.slug for r in found.major] == ["client-4", "client-2"]


def test_equal_shares_keep_a_stable_order_by_name():
    found = concentration([account("b-co", "0.1"), account("a-co", "0.1"), account("c-co", "0.2")])
    assert [r.account.slug for r in found.rows] == ["c-co", "a-co", "b-co"]


@pytest.mark.parametrize(
    ("parts", "classes"),
    [
        # A while the clients before make less than 80% of the key-account sales, B below 95%
        (("0.50", "0.30", "0.10", "0.05", "0.05"), "AABBC"),
        (("0.30",), "A"),  # one client makes all of the key-account sales
        (("0.40", "0.40", "0.20"), "AAB"),
        (("0.20", "0.20", "0.20", "0.20", "0.15", "0.05"), "AAAABC"),
        (("0.30", "0"), "AC"),  # no sales, no A
        (("0", "0"), "CC"),
    ],
)
def test_abc_classes_over_the_key_account_sales(parts: tuple[str, ...], classes: str):
    found = concentration(shares(*parts))
    assert "".join(r.abc for r in found.rows) == classes


def test_a_dossier_without_a_share_is_unknown_never_zero():
    found = concentration(shares("0.20", None, "0.10", None))
    assert [a.slug for a in found.unknown] == ["client-2", "client-4"]
    assert [r.account.slug for r in found.rows] == ["client-1", "client-3"]
    assert found.total == D("0.30")
    assert found.band == "typical"
    # a share of 0 is known: listed, and counted
    zero = concentration(shares("0", None))
    assert [r.account.slug for r in zero.rows] == ["client-1"]
    assert [a.slug for a in zero.unknown] == ["client-2"]


def test_shares_that_add_up_to_exactly_all_of_our_sales_are_accepted():
    assert concentration(shares("0.6", "0.4")).total == 1


# --- tenders -------------------------------------------------------------------------------

SUBMISSION = dt.date(2027, 9, 8)  # 9 months after TODAY


def tender(started: dt.date | None = None, submission: dt.date = SUBMISSION) -> Account:
    return account(
        "bidder",
        tender="Warehouse 2027",
        submission_date=submission,
        preparation_started=started,
    )


@pytest.mark.parametrize(
    ("today", "started", "status", "not_started", "short"),
    [
        (TODAY - dt.timedelta(days=1), None, "ahead", False, False),
        (TODAY, None, "due", False, False),  # exactly 9 months out: start today
        (TODAY + dt.timedelta(days=1), None, "overdue", True, True),
        (dt.date(2027, 6, 1), None, "overdue", True, True),
        (dt.date(2027, 6, 1), TODAY, "started", False, False),  # started on time
        (dt.date(2027, 6, 1), dt.date(2027, 1, 15), "started", False, True),  # started late
        (SUBMISSION, None, "overdue", True, True),  # the submission day itself
        (SUBMISSION + dt.timedelta(days=1), None, "past", False, False),
    ],
)
def test_a_tender_against_its_preparation_window(
    today: dt.date, started: dt.date | None, status: str, not_started: bool, short: bool
):
    row = tender_row(tender(started), today, 9)
    assert row.preparation_start == TODAY == months_before(SUBMISSION, 9)
    assert row.days_left == (SUBMISSION - today).days
    assert row.preparation_days == (SUBMISSION - TODAY).days
    assert (row.status, row.not_started, row.short_of_time) == (status, not_started, short)


def test_the_preparation_start_comes_from_the_largest_milestone(tmp_path: Path):
    ws = find_workspace(tmp_path)
    assert preparation_months(ws) == 9  # the defaults
    step = {"en": "Go"}
    six = Milestone(months=6, step=step)
    assert preparation_months(_with(ws, (Milestone(months=2, step=step), six))) == 6
    assert preparation_months(_with(ws, ())) == 9  # none configured: the seed's 9 months
    assert tender_row(tender(), TODAY, 6).preparation_start == dt.date(2027, 3, 8)


def _with(ws: Workspace, milestones: tuple[Milestone, ...]) -> Workspace:
    from dataclasses import replace

    return replace(ws, tender_milestones=milestones)


def test_the_preparation_start_at_the_end_of_a_long_month():
    row = tender_row(tender(submission=dt.date(2027, 5, 31)), TODAY, 9)
    assert row.preparation_start == dt.date(2026, 8, 31)
    row = tender_row(tender(submission=dt.date(2027, 11, 30)), TODAY, 9)
    assert row.preparation_start == dt.date(2027, 2, 28)


# --- offers --------------------------------------------------------------------------------


def offer(slug: str, **fields: object) -> Account:
    return account(slug, **fields)


def test_offers_expiring_within_the_days_given_from_today_on():
    found = offers(
        [
            offer("today", valid_until=TODAY),
            offer("in-14", valid_until=TODAY + dt.timedelta(days=14)),
            offer("in-15", valid_until=TODAY + dt.timedelta(days=15)),
            offer("yesterday", valid_until=TODAY - dt.timedelta(days=1)),
            offer("decided", valid_until=TODAY + dt.timedelta(days=2), outcome="won"),
        ],
        TODAY,
        14,
        BG,
    )
    assert [(r.account.slug, r.days_left) for r in found.expiring] == [("today", 0), ("in-14", 14)]
    assert [r.account.slug for r in found.expired] == ["yesterday"]
    narrow = offers([offer("in-3", valid_until=TODAY + dt.timedelta(days=3))], TODAY, 2, BG)
    assert narrow.expiring == ()
    assert narrow.within == 2


def test_an_expired_offer_is_flagged_only_without_an_outcome():
    gone = TODAY - dt.timedelta(days=10)
    found = offers(
        [
            offer("no-outcome", valid_until=gone, sent=dt.date(2026, 11, 27)),
            offer("won", valid_until=gone, outcome="won"),
            offer("lost", valid_until=gone, outcome="lost"),
        ],
        TODAY,
        14,
        BG,
    )
    assert [r.account.slug for r in found.expired] == ["no-outcome"]
    assert found.expired[0].expired
    assert (found.won, found.lost, found.withdrawn) == (1, 1, 0)


@pytest.mark.parametrize(
    ("sent", "confirmed", "today", "due", "overdue"),
    [
        (dt.date(2026, 11, 27), None, dt.date(2026, 11, 30), dt.date(2026, 11, 30), False),
        (dt.date(2026, 11, 27), None, dt.date(2026, 12, 1), dt.date(2026, 11, 30), True),
        (dt.date(2026, 11, 27), dt.date(2026, 11, 30), dt.date(2026, 12, 1), None, False),
        # Christmas in Bulgaria: 24-26 December and the 28th (for the Saturday) are days off
        (dt.date(2026, 12, 23), None, dt.date(2026, 12, 28), dt.date(2026, 12, 29), False),
        (dt.date(2026, 12, 23), None, dt.date(2026, 12, 30), dt.date(2026, 12, 29), True),
    ],
)
def test_the_confirmation_call_is_overdue_after_the_first_working_day_after_sending(
    sent: dt.date, confirmed: dt.date | None, today: dt.date, due: dt.date | None, overdue: bool
):
    found = offers([offer("x", sent=sent, confirmed=confirmed)], today, 14, BG)
    assert found.rows[0].call_due == BG.next_working_day(sent)
    if due is not None:
        assert found.rows[0].call_due == due
    assert bool(found.call_overdue) is overdue


def test_a_decided_offer_needs_no_confirmation_call():
    found = offers([offer("x", sent=dt.date(2026, 11, 27), outcome="lost")], TODAY, 14, BG)
    assert found.call_overdue == ()


def test_offers_issued_but_never_sent():
    found = offers(
        [
            offer("draft"),
            offer("sent", sent=dt.date(2026, 11, 27)),
            offer("later", issued=TODAY + dt.timedelta(days=1)),
            offer("withdrawn", outcome="withdrawn"),
        ],
        TODAY,
        14,
        BG,
    )
    assert [r.account.slug for r in found.not_sent] == ["draft"]
    stages = {r.account.slug: r.stage for r in found.rows}
    assert stages == {
        "draft": "issued",
        "sent": "sent",
        "later": "issued",
        "withdrawn": "withdrawn",
    }


@pytest.mark.parametrize(
    ("outcomes", "rate"),
    [
        (("won", "won", "lost", "withdrawn", None), D("0.5")),
        (("won",), D(1)),
        (("lost", None), D(0)),
        ((None, None), None),  # no outcome yet: no rate
    ],
)
def test_the_win_rate_is_over_the_offers_with_an_outcome(
    outcomes: tuple[str | None, ...], rate: Decimal | None
):
    accounts = [offer(f"o{i}", outcome=o) for i, o in enumerate(outcomes)]
    assert offers(accounts, TODAY, 14, BG).win_rate == rate


# --- through the command line --------------------------------------------------------------

DOSSIER = """
client:
  name: {name}
{client}relationship:
  status: new
{tender}dmu:
  - name: Ivan Petrov
    position: Chief Executive Officer
    persona: executive
    role: decision_maker
    private:
      notes: "Secretly prefers the competitor"
  - name: Elena Dimitrova
    position: CFO
    persona: finance
offer:
  title: Warehouse automation
  issued: 2026-11-26
  valid_days: {valid_days}
{offer}team:
  - name: Maria Georgieva
    position: Key Account Manager
    lead: true
"""


def dossier(
    name: str,
    share: str | None = None,
    tender: str = "",
    offer: str = "",
    valid_days: int = 30,
    locale: str | None = None,
) -> str:
    client = f"  share_of_sales: {share}\n" if share is not None else ""
    if locale:
        client += f"  locale: {locale}\n"
    return DOSSIER.format(
        name=name, client=client, tender=tender, offer=offer, valid_days=valid_days
    )


@pytest.fixture
def ws(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
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
        },
    )
    monkeypatch.chdir(tmp_path)
    return tmp_path


def test_json_has_every_figure(ws: Path):
    result = run("portfolio", "--date", "2026-12-08", "--json")
    assert result.exit_code == 0, result.output
    assert result.stderr == ""
    data = json.loads(result.stdout)
    assert data["date"] == "2026-12-08"
    assert data["locale"] == "en"
    assert data["dossiers"] == 4
    c = data["concentration"]
    rows = [(x["client"], x["share"], x["cumulative"], x["major"], x["abc"]) for x in c["clients"]]
    assert rows == [
        ("acme-logistics-ad", "0.34", "0.34", True, "A"),
        ("borova-foods", "0.12", "0.46", True, "A"),
        ("dunav-trade", "0.09", "0.55", False, "B"),
    ]
    assert c["unknown"] == [
        {"client": "cvetna-retail", "name": "Cvetna Retail", "path": "dossiers/cvetna.yaml"}
    ]
    assert (c["known_count"], c["unknown_count"]) == (3, 1)
    assert (c["total"], c["band"]) == ("0.55", "typical")
    assert (c["hhi"], c["hhi_reading"]) == ("1381", "moderately concentrated")
    assert (c["top1"], c["top3"]) == ("0.34", "0.55")
    assert c["major"] == ["acme-logistics-ad", "borova-foods"]
    t = data["tenders"]
    assert t["preparation_months"] == 9
    assert t["tenders"] == [
        {
            "client": "borova-foods",
            "name": "Borova Foods",
            "path": "dossiers/borova.yaml",
            "tender": "Cold store 2027",
            "submission_date": "2027-09-08",
            "preparation_start": "2026-12-08",
            "preparation_started": None,
            "days_left": 274,
            "preparation_days": 274,
            "status": "due",
            "not_started": False,
            "short_of_time": False,
        }
    ]
    o = data["offers"]
    assert o["within"] == 14
    assert [x["client"] for x in o["all"]] == [
        "cvetna-retail",
        "acme-logistics-ad",
        "borova-foods",
        "dunav-trade",
    ]
    assert [(x["client"], x["days_left"]) for x in o["expiring"]] == [("cvetna-retail", 0)]
    assert o["expired_without_outcome"] == []
    assert [x["client"] for x in o["confirmation_overdue"]] == ["borova-foods"]
    assert o["confirmation_overdue"][0]["confirmation_call_due"] == "2026-11-30"
    assert [x["client"] for x in o["not_sent"]] == ["cvetna-retail", "acme-logistics-ad"]
    assert (o["won"], o["lost"], o["withdrawn"], o["win_rate"]) == (1, 0, 0, "1")
    assert o["all"][2] == {
        "client": "borova-foods",
        "name": "Borova Foods",
        "path": "dossiers/borova.yaml",
        "title": "Warehouse automation",
        "stage": "sent",
        "issued": "2026-11-26",
        "valid_until": "2026-12-26",
        "days_left": 18,
        "sent": "2026-11-27",
        "confirmation_call_due": "2026-11-30",
        "confirmed": None,
        "outcome": None,
        "contact": "Ivan Petrov",
    }


def test_shares_over_all_of_our_sales_are_an_error_naming_every_file(ws: Path):
    build_file_tree(
        ws,
        {
            "dossiers/acme.yaml": dossier("Acme Logistics AD", "0.84"),
            "dossiers/zero.yaml": dossier("Zero Sales", "0"),
        },
    )
    result = run("portfolio", "--date", "2026-12-08", "--html", "report.html")
    assert result.exit_code == 1, result.output
    message = "the shares of sales of 3 dossiers add up to 105%, more than all of our sales"
    assert result.stderr == (
        f"dossiers/acme.yaml:3: client.share_of_sales: {message}; this one says 84%\n"
        f"dossiers/borova.yaml:3: client.share_of_sales: {message}; this one says 12%\n"
        f"dossiers/dunav.yaml:3: client.share_of_sales: {message}; this one says 9%\n"
    )
    assert result.stdout == ""
    assert not (ws / "report.html").exists()


def test_an_invalid_dossier_is_reported_with_every_other_problem_and_nothing_written(ws: Path):
    build_file_tree(
        ws,
        {
            "dossiers/bad.yaml": dossier("Bad Share", "1.5"),
            "dossiers/twin.yaml": dossier("Acme Logistics AD", "0.01"),
        },
    )
    result = run("portfolio", "--html", "report.html")
    assert result.exit_code == 1, result.output
    assert result.stderr == (
        "dossiers/bad.yaml:3: client.share_of_sales: must be less than or equal to 1\n"
        "dossiers/twin.yaml:2: client.name: makes the same file name 'acme-logistics-ad' "
        "as dossiers/acme.yaml\n"
    )
    assert not (ws / "report.html").exists()


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--within", "-1"], "Invalid value for '--within'"),
        (["--date", "2026-13-01"], "Invalid value for '--date'"),
        (["--html", "dossiers"], "Invalid value for '--html'"),
        (["nowhere"], "Invalid value for '[PATHS]...'"),
    ],
)
def test_wrong_usage_exits_2(ws: Path, args: list[str], message: str):
    result = run("portfolio", *args)
    assert result.exit_code == 2
    assert message in result.stderr


def test_the_paths_given_limit_the_portfolio(ws: Path):
    result = run("portfolio", "dossiers/acme.yaml", "dossiers/cvetna.yaml", "--json")
    data = json.loads(result.stdout)
    assert data["dossiers"] == 2
    assert [x["client"] for x in data["concentration"]["clients"]] == ["acme-logistics-ad"]


def test_the_within_option_widens_the_expiring_offers(ws: Path):
    result = run("portfolio", "--date", "2026-12-08", "--within", "18", "--json")
    expiring = json.loads(result.stdout)["offers"]["expiring"]
    assert [x["client"] for x in expiring] == ["cvetna-retail", "acme-logistics-ad", "borova-foods"]


def test_the_report_reads_the_workspace_calendar_and_milestones(ws: Path):
    (ws / "kamdocs.yaml").write_text(
        "calendar:\n  days_off: [2026-11-30]\n"
        "tender_milestones:\n  - {months: 3, step: {en: Start}}\n",
        encoding="utf-8",
    )
    data = json.loads(run("portfolio", "--date", "2026-12-01", "--json").stdout)
    # 30 November is a day off: the call after a Friday's sending is due on 1 December
    assert data["offers"]["confirmation_overdue"] == []
    borova = next(x for x in data["offers"]["all"] if x["client"] == "borova-foods")
    assert borova["confirmation_call_due"] == "2026-12-01"
    assert data["tenders"]["preparation_months"] == 3
    assert data["tenders"]["tenders"][0]["preparation_start"] == "2027-06-08"
    assert data["tenders"]["tenders"][0]["status"] == "ahead"


def test_the_report_holds_no_private_data_and_no_persona(ws: Path):
    text = run("portfolio", "--date", "2026-12-08", "--html", "report.html").stdout
    data = run("portfolio", "--date", "2026-12-08", "--json").stdout
    page = (ws / "report.html").read_text(encoding="utf-8")
    for output in (text, data, page):
        assert "Secretly" not in output
        assert "executive" not in output
        assert "finance" not in output
        assert "decision_maker" not in output
    assert "Acme Logistics AD" in text and "Acme Logistics AD" in page


def test_colours_only_when_asked(ws: Path):
    plain = run("portfolio", "--date", "2026-12-08").stdout  # not a terminal: no colours
    assert "\x1b[" not in plain
    report = portfolio(find_workspace(ws), None, TODAY)
    coloured = as_text(report, colour=True)
    assert "\x1b[32m55%: typical (30%–55%)\x1b[0m" in coloured
    assert as_text(report, colour=False) == plain
    # the same text once the styles are taken out
    import re

    assert re.sub(r"\x1b\[[0-9;]*m", "", coloured) == plain


def test_the_serial_and_the_parallel_reading_agree(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    small_library(tmp_path)
    files = {
        f"dossiers/c{i:03d}.yaml": dossier(
            f"Client {i:03d}", None if i % 7 == 0 else f"0.00{i % 9}", valid_days=5 + i
        )
        for i in range(80)
    }
    build_file_tree(tmp_path, files)
    monkeypatch.chdir(tmp_path)
    ws = find_workspace(tmp_path)
    serial = portfolio(ws, None, TODAY, processes=1)
    parallel = portfolio(ws, None, TODAY, processes=2)
    assert parallel.as_json() == serial.as_json()
    assert len(serial.accounts) == 80
    assert [a.path for a in parallel.accounts] == sorted(files)
