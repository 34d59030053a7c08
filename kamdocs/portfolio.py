"""The department head's view of the portfolio: concentration, tenders, offers about to lapse.

Read from the dossiers alone (loaded and validated, never rendered), so a department with
thousands of key accounts gets its figures in seconds. Every share is a ``Decimal``: the
figures are exact, whatever the dossiers write.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any, Literal

from kamdocs.calendar import WorkingCalendar, months_before
from kamdocs.dossier import load_dossier
from kamdocs.errors import InputError, Problem, raise_if
from kamdocs.library import Library, load_library
from kamdocs.workspace import Workspace, build_date, dossier_files

Band = Literal["low", "typical", "high", "mono-dependency"]
HhiReading = Literal["unconcentrated", "moderately concentrated", "highly concentrated"]
Abc = Literal["A", "B", "C"]
Stage = Literal["issued", "sent", "confirmed", "won", "lost", "withdrawn"]
TenderStatus = Literal["ahead", "due", "overdue", "started", "past"]

HUNDRED = Decimal(100)
# The key accounts' total share of our sales (the seed: key clients typically make 30-55%;
# above 75% the supplier is mono-dependent). A total exactly on an edge belongs to the band
# below it: 30% is typical, 55% typical, 75% high.
LOW_BELOW = Decimal("0.30")
TYPICAL_UP_TO = Decimal("0.55")
HIGH_UP_TO = Decimal("0.75")
# The Herfindahl-Hirschman index as the 2023 US Merger Guidelines read it: above 1,800 highly
# concentrated, 1,000 to 1,800 (both included) moderately, below 1,000 unconcentrated.
HHI_MODERATE_FROM = Decimal(1000)
HHI_HIGH_ABOVE = Decimal(1800)
MAJOR_FROM = Decimal("0.10")  # a client at 10% of our sales or more is a major customer
# ABC classes over the key-account sales: A makes the first 80%, B the next 15%, C the rest.
ABC_A_UP_TO = Decimal("0.80")
ABC_B_UP_TO = Decimal("0.95")
DEFAULT_WITHIN = 14  # days ahead in which an offer counts as expiring
DEFAULT_PREPARATION_MONTHS = 9  # the seed: tender preparation starts about 9 months before

# Below this many dossiers, starting worker processes costs more than it saves.
PARALLEL_MIN = 64
CHUNKSIZE = 32


def band(total: Decimal) -> Band:
    """The band of the key accounts' total share of our sales (a fraction, 0..1)."""
    if total < LOW_BELOW:
        return "low"
    if total <= TYPICAL_UP_TO:
        return "typical"
    if total <= HIGH_UP_TO:
        return "high"
    return "mono-dependency"


def hhi(shares: Iterable[Decimal]) -> Decimal:
    """The Herfindahl-Hirschman index: the sum of the squared shares in percent (0..10,000)."""
    return sum(((share * HUNDRED) ** 2 for share in shares), Decimal(0))


def hhi_reading(index: Decimal) -> HhiReading:
    if index > HHI_HIGH_ABOVE:
        return "highly concentrated"
    if index >= HHI_MODERATE_FROM:
        return "moderately concentrated"
    return "unconcentrated"


# --- what one dossier tells the portfolio --------------------------------------------------


@dataclass(frozen=True)
class Account:
    """What the portfolio needs of one dossier: small, so that worker processes send it back
    cheaply, and free of the DMU's personal data by construction."""

    path: str
    slug: str
    slug_at: tuple[int, str]  # line and field that name the file
    name: str
    share: Decimal | None
    share_line: int
    title: str  # the offer's
    issued: dt.date
    valid_until: dt.date
    sent: dt.date | None
    confirmed: dt.date | None
    outcome: str | None
    contact: str  # the name of the DMU member who receives the offer
    tender: str | None = None  # its name
    submission_date: dt.date | None = None
    preparation_started: dt.date | None = None


@dataclass(frozen=True)
class _Job:
    library: Library
    today: dt.date
    valid_days: int
    locale: str


_JOB: _Job | None = None  # set before the workers fork, so each inherits the loaded library


def _account(path: Path) -> Account | list[Problem]:
    job = _JOB
    assert job is not None
    try:
        loaded = load_dossier(path, job.library, job.today, job.valid_days, job.locale)
    except InputError as exc:
        return exc.problems
    d = loaded.dossier
    share_at = ("client", "share_of_sales") if d.client.share_of_sales is not None else ("client",)
    tender = d.tender
    return Account(
        path=loaded.path,
        slug=loaded.slug,
        slug_at=loaded.slug_at,
        name=d.client.name,
        share=d.client.share_of_sales,
        share_line=loaded.source.line(share_at),
        title=d.offer.title,
        issued=loaded.issued,
        valid_until=loaded.valid_until,
        sent=d.offer.sent,
        confirmed=d.offer.confirmed,
        outcome=d.offer.outcome,
        contact=d.contact.name,
        tender=tender.name if tender else None,
        submission_date=tender.submission_date if tender else None,
        preparation_started=tender.preparation_started if tender else None,
    )


def _chunk(paths: list[Path]) -> list[Account | list[Problem]]:
    return [_account(path) for path in paths]


def _accounts(job: _Job, paths: list[Path], processes: int) -> Iterator[Account | list[Problem]]:
    """Each dossier read and validated, in the order of ``paths``, across ``processes``."""
    global _JOB
    _JOB = job
    if processes < 2 or len(paths) < PARALLEL_MIN:
        yield from map(_account, paths)
        return
    import multiprocessing  # noqa: PLC0415 - only a large portfolio needs the pool
    from concurrent.futures import ProcessPoolExecutor  # noqa: PLC0415

    if "fork" not in multiprocessing.get_all_start_methods():
        yield from map(_account, paths)
        return
    chunks = [paths[i : i + CHUNKSIZE] for i in range(0, len(paths), CHUNKSIZE)]
    with ProcessPoolExecutor(processes, mp_context=multiprocessing.get_context("fork")) as pool:
        for results in pool.map(_chunk, chunks):
            yield from results


def load_accounts(
    workspace: Workspace, paths: list[Path] | None, today: dt.date, processes: int | None = None
) -> list[Account]:
    """Every dossier at ``paths`` (default: the workspace's) as an ``Account``; every problem
    of every dossier at once, as ``validate`` reports them."""
    from kamdocs.build import workers  # noqa: PLC0415

    library = load_library(workspace.templates)
    files = dossier_files(paths or [workspace.dossiers])
    job = _Job(library, today, workspace.valid_days, workspace.locale)
    problems: list[Problem] = []
    accounts: list[Account] = []
    slugs: dict[str, str] = {}
    for found in _accounts(job, files, processes or workers()):
        if isinstance(found, list):
            problems.extend(found)
            continue
        if found.slug in slugs:
            line, where = found.slug_at
            message = f"makes the same file name '{found.slug}' as {slugs[found.slug]}"
            problems.append(Problem(found.path, line, where, message))
            continue
        slugs[found.slug] = found.path
        accounts.append(found)
    raise_if(problems)
    return accounts


# --- concentration -------------------------------------------------------------------------


@dataclass(frozen=True)
class ShareRow:
    """One client with a share, in the order of the shares (largest first)."""

    account: Account
    share: Decimal
    cumulative: Decimal  # of our sales, this client and every larger one
    major: bool
    abc: Abc


@dataclass(frozen=True)
class Concentration:
    rows: tuple[ShareRow, ...]
    unknown: tuple[Account, ...]  # dossiers without share_of_sales: never counted as zero
    total: Decimal
    band: Band
    hhi: Decimal
    hhi_reading: HhiReading
    top1: Decimal
    top3: Decimal

    @property
    def major(self) -> tuple[ShareRow, ...]:
        return tuple(row for row in self.rows if row.major)


def _percent_text(value: Decimal) -> str:
    return f"{_plain(value * HUNDRED)}%"


def concentration(accounts: Iterable[Account]) -> Concentration:
    """The key accounts' shares of our sales and how concentrated they are.

    Raises ``InputError`` naming every dossier with a share when the shares add up to more
    than all of our sales.
    """
    accounts = list(accounts)
    known = sorted(
        (a for a in accounts if a.share is not None),
        key=lambda a: (-a.share, a.name.casefold(), a.slug),  # type: ignore[operator]
    )
    unknown = tuple(a for a in accounts if a.share is None)
    total = sum((a.share for a in known), Decimal(0))  # type: ignore[misc]
    if total > 1:
        counted = [a for a in known if a.share]
        message = (
            f"the shares of sales of {len(counted)} dossiers add up to {_percent_text(total)}, "
            "more than all of our sales"
        )
        raise InputError(
            Problem(
                a.path,
                a.share_line,
                "client.share_of_sales",
                f"{message}; this one says {_percent_text(a.share)}",  # type: ignore[arg-type]
            )
            for a in counted
        )
    rows = []
    cumulative = Decimal(0)
    for a in known:
        share: Decimal = a.share  # type: ignore[assignment]
        before = cumulative / total if total else Decimal(1)
        cumulative += share
        abc: Abc = "C"
        if share and before < ABC_A_UP_TO:
            abc = "A"
        elif share and before < ABC_B_UP_TO:
            abc = "B"
        rows.append(ShareRow(a, share, cumulative, share >= MAJOR_FROM, abc))
    shares = [row.share for row in rows]
    index = hhi(shares)
    return Concentration(
        rows=tuple(rows),
        unknown=unknown,
        total=total,
        band=band(total),
        hhi=index,
        hhi_reading=hhi_reading(index),
        top1=sum(shares[:1], Decimal(0)),
        top3=sum(shares[:3], Decimal(0)),
    )


# --- tenders -------------------------------------------------------------------------------


@dataclass(frozen=True)
class TenderRow:
    account: Account
    name: str
    submission_date: dt.date
    preparation_start: dt.date  # when preparation should start
    preparation_started: dt.date | None
    days_left: int  # to the submission date; negative once it is past
    preparation_days: int  # what preparation needs: from its start to the submission
    status: TenderStatus
    not_started: bool  # preparation should have started, and preparation_started is not set
    short_of_time: bool  # less time is left (or was, from a late start) than preparation needs


def preparation_months(workspace: Workspace) -> int:
    """How long before the submission preparation starts: the earliest tender milestone."""
    return max((m.months for m in workspace.tender_milestones), default=DEFAULT_PREPARATION_MONTHS)


def tender_row(account: Account, today: dt.date, months: int) -> TenderRow:
    submission: dt.date = account.submission_date  # type: ignore[assignment]
    start = months_before(submission, months)
    started = account.preparation_started
    needed = (submission - start).days
    status: TenderStatus
    if submission < today:
        status = "past"
    elif started is not None:
        status = "started"
    elif today < start:
        status = "ahead"
    elif today == start:
        status = "due"
    else:
        status = "overdue"
    if status == "past":
        short = False
    else:
        begun = started if started is not None else today
        short = (submission - begun).days < needed
    return TenderRow(
        account=account,
        name=account.tender,  # type: ignore[arg-type]
        submission_date=submission,
        preparation_start=start,
        preparation_started=started,
        days_left=(submission - today).days,
        preparation_days=needed,
        status=status,
        not_started=status == "overdue",
        short_of_time=short,
    )


def tenders(accounts: Iterable[Account], today: dt.date, months: int) -> tuple[TenderRow, ...]:
    """Every tender, the nearest submission first."""
    rows = (tender_row(a, today, months) for a in accounts if a.submission_date is not None)
    return tuple(sorted(rows, key=lambda r: (r.submission_date, r.account.slug)))


# --- offers --------------------------------------------------------------------------------


@dataclass(frozen=True)
class OfferRow:
    account: Account
    stage: Stage
    days_left: int  # to valid_until; 0 on the last valid day, negative once expired
    call_due: dt.date | None  # the confirmation call: the first working day after sending

    @property
    def expired(self) -> bool:
        return self.days_left < 0


@dataclass(frozen=True)
class Offers:
    rows: tuple[OfferRow, ...]  # every offer, the soonest expiry first
    within: int
    expiring: tuple[OfferRow, ...]  # no outcome, expiring today or within ``within`` days
    expired: tuple[OfferRow, ...]  # past valid_until without an outcome
    call_overdue: tuple[OfferRow, ...]  # sent, no outcome, not confirmed by call_due
    not_sent: tuple[OfferRow, ...]  # issued (on or before the date), never sent, no outcome
    won: int
    lost: int
    withdrawn: int

    @property
    def decided(self) -> int:
        return self.won + self.lost + self.withdrawn

    @property
    def win_rate(self) -> Decimal | None:
        """Won over every offer with an outcome (withdrawn ones too); none without outcomes."""
        return Decimal(self.won) / Decimal(self.decided) if self.decided else None


def _stage(a: Account) -> Stage:
    if a.outcome is not None:
        return a.outcome  # type: ignore[return-value]
    if a.confirmed is not None:
        return "confirmed"
    return "sent" if a.sent is not None else "issued"


def offers(
    accounts: Iterable[Account], today: dt.date, within: int, calendar: WorkingCalendar
) -> Offers:
    rows = []
    for a in accounts:
        due = calendar.next_working_day(a.sent) if a.sent is not None else None
        rows.append(OfferRow(a, _stage(a), (a.valid_until - today).days, due))
    rows.sort(key=lambda r: (r.account.valid_until, r.account.slug))
    open_ = [r for r in rows if r.account.outcome is None]
    outcomes = [r.account.outcome for r in rows]
    return Offers(
        rows=tuple(rows),
        within=within,
        expiring=tuple(r for r in open_ if 0 <= r.days_left <= within),
        expired=tuple(r for r in open_ if r.days_left < 0),
        call_overdue=tuple(
            r
            for r in open_
            if r.call_due is not None and r.account.confirmed is None and r.call_due < today
        ),
        not_sent=tuple(r for r in open_ if r.account.sent is None and r.account.issued <= today),
        won=outcomes.count("won"),
        lost=outcomes.count("lost"),
        withdrawn=outcomes.count("withdrawn"),
    )


# --- the whole report ----------------------------------------------------------------------


@dataclass(frozen=True)
class Portfolio:
    """Every figure of the portfolio report, for the terminal, ``--json`` and ``--html``."""

    date: dt.date
    locale: str  # the report's language: the workspace's
    accounts: tuple[Account, ...]
    concentration: Concentration
    tenders: tuple[TenderRow, ...]
    preparation_months: int
    offers: Offers

    def as_json(self) -> dict[str, Any]:
        """Every figure. Shares and rates are fractions (0.34 is 34%) and, like the index,
        decimal strings: exact, as the dossiers give them."""
        c, o = self.concentration, self.offers
        return {
            "date": self.date.isoformat(),
            "locale": self.locale,
            "dossiers": len(self.accounts),
            "concentration": {
                "clients": [
                    {
                        **_client(row.account),
                        "share": _plain(row.share),
                        "cumulative": _plain(row.cumulative),
                        "major": row.major,
                        "abc": row.abc,
                    }
                    for row in c.rows
                ],
                "unknown": [_client(a) for a in c.unknown],
                "known_count": len(c.rows),
                "unknown_count": len(c.unknown),
                "total": _plain(c.total),
                "band": c.band,
                "hhi": _plain(c.hhi),
                "hhi_reading": c.hhi_reading,
                "top1": _plain(c.top1),
                "top3": _plain(c.top3),
                "major": [row.account.slug for row in c.major],
            },
            "tenders": {
                "preparation_months": self.preparation_months,
                "tenders": [_tender(row) for row in self.tenders],
            },
            "offers": {
                "within": o.within,
                "all": [_offer(r) for r in o.rows],
                "expiring": [_offer(r) for r in o.expiring],
                "expired_without_outcome": [_offer(r) for r in o.expired],
                "confirmation_overdue": [_offer(r) for r in o.call_overdue],
                "not_sent": [_offer(r) for r in o.not_sent],
                "won": o.won,
                "lost": o.lost,
                "withdrawn": o.withdrawn,
                "win_rate": None if o.win_rate is None else _plain(o.win_rate, 4),
            },
        }


def _plain(value: Decimal, places: int | None = None) -> str:
    """A decimal as plain digits, no exponent, no trailing zeros (``0.160`` -> ``0.16``)."""
    if places is not None:
        value = value.quantize(Decimal(1).scaleb(-places))
    text = format(value, "f")
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return "0" if text in ("", "-0") else text


def _iso(day: dt.date | None) -> str | None:
    return day.isoformat() if day else None


def _client(a: Account) -> dict[str, Any]:
    return {"client": a.slug, "name": a.name, "path": a.path}


def _tender(row: TenderRow) -> dict[str, Any]:
    return {
        **_client(row.account),
        "tender": row.name,
        "submission_date": row.submission_date.isoformat(),
        "preparation_start": row.preparation_start.isoformat(),
        "preparation_started": _iso(row.preparation_started),
        "days_left": row.days_left,
        "preparation_days": row.preparation_days,
        "status": row.status,
        "not_started": row.not_started,
        "short_of_time": row.short_of_time,
    }


def _offer(row: OfferRow) -> dict[str, Any]:
    a = row.account
    return {
        **_client(a),
        "title": a.title,
        "stage": row.stage,
        "issued": a.issued.isoformat(),
        "valid_until": a.valid_until.isoformat(),
        "days_left": row.days_left,
        "sent": _iso(a.sent),
        "confirmation_call_due": _iso(row.call_due),
        "confirmed": _iso(a.confirmed),
        "outcome": a.outcome,
        "contact": a.contact,
    }


def portfolio(
    workspace: Workspace,
    paths: list[Path] | None = None,
    date: dt.date | None = None,
    within: int = DEFAULT_WITHIN,
    processes: int | None = None,
) -> Portfolio:
    """The portfolio of the dossiers at ``paths`` (default: the workspace's) on ``date``."""
    today = build_date(date)
    accounts = load_accounts(workspace, paths, today, processes)
    return summarise(workspace, accounts, today, within)


def summarise(
    workspace: Workspace, accounts: list[Account], today: dt.date, within: int = DEFAULT_WITHIN
) -> Portfolio:
    """The figures of ``accounts`` on ``today`` with the workspace's calendar and milestones."""
    settings = workspace.calendar
    calendar = WorkingCalendar.of(
        workspace.supplier.country, settings.days_off, settings.working_days
    )
    months = preparation_months(workspace)
    return Portfolio(
        date=today,
        locale=workspace.locale,
        accounts=tuple(accounts),
        concentration=concentration(accounts),
        tenders=tenders(accounts, today, months),
        preparation_months=months,
        offers=offers(accounts, today, within, calendar),
    )
