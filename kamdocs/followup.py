"""After sending: the seed's follow-up routine as dated steps on the supplier's working days.

A young manager sends the proposal and waits; the routine is to call the next working day when
no confirmation comes (confirm receipt, ask about the next steps, ask where the urgency comes
from, agree a date to discuss intermediate results), to call again before the offer expires, to
work back from a tender's submission date, and, once a won project is delivered, to ask for a
recommendation. ``plan_offer`` makes that plan for one dossier; ``plan_followups`` for every
dossier named, and writes the calendar file ``--ics`` asks for.
"""

from __future__ import annotations

import datetime as dt
import os
import textwrap
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

from kamdocs import formatting
from kamdocs.calendar import WorkingCalendar, months_before
from kamdocs.dossier import Loaded
from kamdocs.errors import InputError, Problem, UsageError, raise_if
from kamdocs.library import pick
from kamdocs.records import Member, TeamMember
from kamdocs.workspace import Workspace, build_date

Status = Literal["done", "overdue", "due", "planned"]
# The steps of SPEC v2's table, in the order they are listed on one day.
STEPS: tuple[str, ...] = (
    "send",
    "confirm",
    "review",
    "expiry_reminder",
    "expiry",
    "tender_milestone",
    "recommendation",
)
RECOMMENDATION_AFTER = 10  # working days after delivery (the seed: once the client is satisfied)
# Client documents a build writes: a birthday calendar never goes next to one of them.
DOCUMENT_SUFFIXES = (".md", ".docx", ".html", ".pdf")
# The wording of templates/locales/<lang>.yaml that followup reads.
WORDING: tuple[str, ...] = (
    "followup_step_send",
    "followup_step_confirm",
    "followup_step_review",
    "followup_step_expiry_reminder",
    "followup_step_expiry",
    "followup_step_tender_milestone",
    "followup_step_recommendation",
    "followup_what_send_email",
    "followup_what_send_letter",
    "followup_what_send_in_person",
    "followup_call",
    "followup_ask_receipt",
    "followup_ask_next_steps",
    "followup_ask_urgency",
    "followup_ask_review_date",
    "followup_what_review",
    "followup_what_expiry_reminder",
    "followup_what_expiry",
    "followup_what_tender",
    "followup_what_recommendation",
    "followup_status_done",
    "followup_status_overdue",
    "followup_status_due",
    "followup_status_planned",
    "followup_contact",
    "followup_owner",
    "followup_birthday",
)


@dataclass(frozen=True)
class Person:
    """Who a step is with (the DMU contact) or whose it is (the supplier's team lead)."""

    name: str
    position: str
    email: str | None = None

    def __str__(self) -> str:
        details = ", ".join(p for p in (self.position, self.email) if p)
        return f"{self.name} ({details})"

    @classmethod
    def of(cls, member: Member | TeamMember) -> Person:
        return cls(member.name, member.position, member.email)


@dataclass(frozen=True)
class Step:
    """One dated step of the routine."""

    date: dt.date
    step: str  # one of STEPS
    key: str  # unique within an offer's plan: the step, or ``tender_milestone-<months>``
    label: str  # the step's name in the proposal's language
    what: str  # what to do, in the proposal's language
    status: Status

    @property
    def order(self) -> tuple[dt.date, int, str]:
        return (self.date, STEPS.index(self.step), self.key)


@dataclass(frozen=True)
class Plan:
    """The follow-up of one sent offer: its steps by date, who they are with, whose they are."""

    path: str
    client: str  # the slug
    client_name: str
    offer: str  # the offer's title
    lang: str
    contact: Person
    owner: Person
    steps: tuple[Step, ...]
    wording: Mapping[str, str]  # templates/locales/<lang>.yaml

    def status_label(self, step: Step) -> str:
        return self.wording[f"followup_status_{step.status}"]

    def as_json(self) -> dict[str, Any]:
        """SPEC's shape ``{client, steps: [{date, step, who, what, status}]}``, plus the offer's
        title and the owner."""
        return {
            "client": self.client,
            "offer": self.offer,
            "owner": str(self.owner),
            "steps": [
                {
                    "date": s.date.isoformat(),
                    "step": s.step,
                    "who": str(self.contact),
                    "what": s.what,
                    "status": s.status,
                }
                for s in self.steps
            ],
        }


@dataclass(frozen=True)
class NotSent:
    """A dossier whose offer has not been sent: there is nothing to follow up yet."""

    path: str
    client: str

    def problem(self, loaded: Loaded) -> Problem:
        return loaded.source.problem(
            ("offer", "sent"),
            "the offer has not been sent; set offer.sent (or give --sent) to plan the follow-up",
        )


@dataclass(frozen=True)
class Followup:
    """The plans of the dossiers named, and those that could not be planned."""

    date: dt.date  # the build date
    plans: tuple[Plan, ...]
    not_sent: tuple[NotSent, ...] = ()
    single: bool = True  # one dossier file was named: ``--json`` prints one plan
    written: Path | None = None  # the calendar file, when one was written
    private: bool = False  # the calendar file holds birthdays
    warnings: tuple[Problem, ...] = ()

    def steps(self) -> list[tuple[Plan, Step]]:
        """Every step of every plan, by date: the manager's week at a glance."""
        return sorted(
            ((p, s) for p in self.plans for s in p.steps),
            key=lambda ps: (ps[1].date, ps[0].client, *ps[1].order[1:]),
        )

    def as_json(self) -> dict[str, Any]:
        """One dossier named: its plan in SPEC's shape. Several (or a folder): ``{plans: [...],
        not_sent: [{client, path}]}``, the plans in the order of their files."""
        if self.single and len(self.plans) == 1 and not self.not_sent:
            return self.plans[0].as_json()
        return {
            "plans": [p.as_json() for p in self.plans],
            "not_sent": [{"client": n.client, "path": n.path} for n in self.not_sent],
        }

    def as_text(self, width: int = 56) -> str:
        """A table for the terminal: date with weekday, (client,) step, who, what, status; each
        plan's contact and owner in full above it. Each row in its proposal's language."""
        several = len(self.plans) > 1 or not self.single
        heads = ["date", *(["client"] if several else []), "step", "who", "what", "status"]
        rows: list[list[list[str]]] = []
        for plan, step in self.steps():
            cells = [formatting.day(step.date, plan.lang)]
            if several:
                cells.append(plan.client)
            cells += [step.label, plan.contact.name, step.what, plan.status_label(step)]
            rows.append([_wrap(c, width) for c in cells])
        widths = [
            max([len(h)] + [len(line) for row in rows for line in row[i]])
            for i, h in enumerate(heads)
        ]
        lines = []
        for plan in self.plans:
            t = plan.wording
            lines.append(
                f"{plan.client_name}: {plan.offer} ({plan.lang}); "
                f"{t['followup_contact']}: {plan.contact}; {t['followup_owner']}: {plan.owner}"
            )
        lines.append("")
        lines.append(_row(heads, widths))
        lines.append(_row(["-" * w for w in widths], widths))
        for row in rows:
            for k in range(max(len(cell) for cell in row)):
                lines.append(_row([cell[k] if k < len(cell) else "" for cell in row], widths))
        if self.not_sent:
            lines.append("")
            lines.extend(f"not sent: {n.client} ({n.path})" for n in self.not_sent)
        return "\n".join(lines) + "\n"


def _wrap(text: str, width: int) -> list[str]:
    # Never inside a word: an email address or a hyphenated name stays whole.
    return textwrap.wrap(text, width, break_long_words=False, break_on_hyphens=False) or [""]


def _row(cells: Sequence[str], widths: Sequence[int]) -> str:
    return "  ".join(c.ljust(w) for c, w in zip(cells, widths, strict=True)).rstrip()


def working_calendar(workspace: Workspace) -> WorkingCalendar:
    """The working days of ``supplier.country`` with ``kamdocs.yaml``'s ``calendar``."""
    return WorkingCalendar.of(
        workspace.supplier.country,
        workspace.calendar.days_off,
        workspace.calendar.working_days,
    )


def _by_date(day: dt.date, today: dt.date, past: Status = "overdue") -> Status:
    if day < today:
        return past
    return "due" if day == today else "planned"


def plan_offer(
    loaded: Loaded,
    wording: Mapping[str, str],
    workspace: Workspace,
    today: dt.date,
    sent: dt.date | None = None,
    calendar: WorkingCalendar | None = None,
) -> Plan | None:
    """The follow-up of one dossier's offer as of ``today``; None when it has not been sent.

    ``sent`` (``--sent``) overrides ``offer.sent``. Steps before ``today`` are done or overdue;
    once ``offer.outcome`` is set no step on or after ``today`` is planned but the
    recommendation (``outcome: won`` with ``delivered``), and those before it are done.
    """
    dossier, lang, t = loaded.dossier, loaded.lang, wording
    offer = dossier.offer
    sent = sent or offer.sent
    if sent is None:
        return None
    cal = calendar or working_calendar(workspace)

    def step(day: dt.date, name: str, what: str, status: Status, key: str = "") -> Step:
        return Step(day, name, key or name, t[f"followup_step_{name}"], what, status)

    sending: Status = "done" if sent <= today else "planned"
    steps = [step(sent, "send", t[f"followup_what_send_{offer.sent_by}"], sending)]
    asks = ("receipt", "next_steps", "urgency", "review_date")
    agenda = f"{t['followup_call']}: " + "; ".join(t[f"followup_ask_{a}"] for a in asks)
    if offer.confirmed is not None:
        steps.append(step(offer.confirmed, "confirm", agenda, "done"))
    else:
        call = cal.next_working_day(sent)
        steps.append(step(call, "confirm", agenda, _by_date(call, today)))
    if offer.review_meeting is not None:
        day = offer.review_meeting
        steps.append(step(day, "review", t["followup_what_review"], _by_date(day, today, "done")))
    expiry = loaded.valid_until
    days = workspace.followup.expiry_reminder_days
    reminder = cal.add(expiry, -days) if days else cal.on_or_before(expiry)
    if reminder > sent:  # a reminder before the offer went out reminds of nothing
        what = t["followup_what_expiry_reminder"].replace("{date}", formatting.date(expiry, lang))
        steps.append(step(reminder, "expiry_reminder", what, _by_date(reminder, today)))
    steps.append(step(expiry, "expiry", t["followup_what_expiry"], _by_date(expiry, today)))
    tender = dossier.tender
    if tender is not None:
        prepared: Status = "done" if tender.preparation_started is not None else "overdue"
        submission = formatting.date(tender.submission_date, lang)
        keys: set[str] = set()
        for milestone in workspace.tender_milestones:
            day = cal.on_or_before(months_before(tender.submission_date, milestone.months))
            what = (
                t["followup_what_tender"]
                .replace("{step}", pick(milestone.step, lang))
                .replace("{tender}", tender.name)
                .replace("{date}", submission)
            )
            # Named by its months, so that a list reordered keeps each milestone's calendar UID.
            base = key = f"tender_milestone-{milestone.months}"
            while key in keys:  # two milestones of the same months: each its own UID
                key = f"{base}-{len(keys)}"
            keys.add(key)
            steps.append(step(day, "tender_milestone", what, _by_date(day, today, prepared), key))
    if offer.outcome is not None:
        # The outcome closes the routine: what was before it (or is done) needs no more doing,
        # and nothing is planned.
        steps = [
            Step(s.date, s.step, s.key, s.label, s.what, "done")
            for s in steps
            if s.date < today or s.status == "done"
        ]
        if offer.outcome == "won" and offer.delivered is not None:
            day = cal.add(offer.delivered, RECOMMENDATION_AFTER)
            what = t["followup_what_recommendation"]
            steps.append(step(day, "recommendation", what, _by_date(day, today)))
    return Plan(
        path=loaded.path,
        client=loaded.slug,
        client_name=dossier.client.name,
        offer=offer.title,
        lang=lang,
        contact=Person.of(dossier.contact),
        owner=Person.of(dossier.lead),
        steps=tuple(sorted(steps, key=lambda s: s.order)),
        wording=wording,
    )


@dataclass(frozen=True)
class Birthday:
    """A DMU member's birthday: private data, for the manager's own calendar only."""

    client: str  # the slug
    client_name: str
    member: str  # the member's id
    name: str
    day: dt.date  # the birthday itself (the year of birth where the dossier gives one)
    label: str  # "Birthday" in the proposal's language


def private_birthdays(
    loaded: Sequence[Loaded], wording: Mapping[str, Mapping[str, str]]
) -> tuple[tuple[Birthday, ...], tuple[Problem, ...]]:
    """Every DMU member's ``private.birthday``: the one private value that leaves a dossier,
    and only into the calendar file of ``kamdocs followup --birthdays``.

    A birthday that is not a date is left out with a warning that does not repeat it.
    """
    found, warnings = [], []
    for item in loaded:
        for i, member in enumerate(item.dossier.dmu):
            value = (member.private or {}).get("birthday")
            if value is None:
                continue
            day = _birthday(value)
            if day is None:
                warnings.append(
                    item.source.problem(
                        ("dmu", i, "private", "birthday"),
                        "not a date (YYYY-MM-DD or MM-DD); left out of the calendar",
                    ).as_warning()
                )
                continue
            found.append(
                Birthday(
                    item.slug,
                    item.dossier.client.name,
                    member.key,
                    member.name,
                    day,
                    wording[item.lang]["followup_birthday"],
                )
            )
    return tuple(found), tuple(warnings)


_NO_YEAR = 2000  # a leap year, so that a birthday on 29 February without a year is kept


def _birthday(value: object) -> dt.date | None:
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    if not isinstance(value, str):
        return None
    text = value.strip().removeprefix("--")
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        pass
    try:
        return dt.date.fromisoformat(f"{_NO_YEAR}-{text}")
    except ValueError:
        return None


def wording_of(library_locales: Mapping[str, Mapping[str, str]], root: Path) -> list[Problem]:
    """A located problem for each wording followup needs that a locale file lacks."""
    problems = []
    for lang, wording in sorted(library_locales.items()):
        missing = [key for key in WORDING if key not in wording]
        if missing:
            path = _shown(root / "locales" / f"{lang}.yaml")
            problems.append(
                Problem(
                    path, 1, "", f"wording {', '.join(missing)} missing (kamdocs followup needs it)"
                )
            )
    return problems


def _shown(path: Path) -> str:
    try:
        return str(path.relative_to(Path.cwd()))
    except ValueError:
        return str(path)


def check_private_target(target: Path, workspace: Workspace, slugs: Sequence[str]) -> None:
    """Refuse a calendar with private data where client documents are: the build output folder
    (the workspace's ``out``, at any depth), a folder with a build's ``manifest.json``, or a
    folder holding a proposal of one of ``slugs``."""
    # The folder the file is written into: a symlink as the file itself is replaced, not followed.
    where = Path(os.path.realpath(target.parent))
    out = Path(os.path.realpath(workspace.root / workspace.out))
    reason = None
    if where == out or out in where.parents:
        reason = f"it is inside the build output folder {workspace.out}"
    elif (where / "manifest.json").is_file():
        reason = "that folder holds a build (manifest.json)"
    else:
        near = sorted(
            f"{slug}{suffix}"
            for slug in slugs
            for suffix in DOCUMENT_SUFFIXES
            if (where / f"{slug}{suffix}").is_file()
        )
        if near:
            reason = f"that folder holds client documents ({', '.join(near)})"
    if reason:
        raise UsageError(
            f"{target}: the birthday calendar holds private data and is not written there: "
            f"{reason}; write it to a folder of your own"
        )


def odd_dates(loaded: Loaded, sent: dt.date | None = None) -> list[Problem]:
    """Warnings about after-sending fields that plan something other than what was meant."""
    offer, source = loaded.dossier.offer, loaded.source
    sent = sent or offer.sent
    found = []
    if sent is not None:
        for name in ("confirmed", "review_meeting", "delivered"):
            day = getattr(offer, name)
            if day is not None and day < sent:
                found.append(
                    source.problem(
                        ("offer", name), f"is before the offer was sent ({sent.isoformat()})"
                    ).as_warning()
                )
    if offer.delivered is not None and offer.outcome != "won":
        found.append(
            source.problem(
                ("offer", "delivered"), "no recommendation is planned without outcome: won"
            ).as_warning()
        )
    return found


def plan_followups(
    workspace: Workspace,
    paths: list[Path],
    sent: dt.date | None = None,
    date: dt.date | None = None,
    ics: Path | None = None,
    birthdays: bool = False,
) -> Followup:
    """Plan the follow-up of every dossier at ``paths`` and write the ``ics`` calendar.

    One dossier file not sent is an error (exit 1); among several, those not sent are listed
    and only none sent at all is an error. ``birthdays`` adds the DMU's birthdays to the
    calendar file, which is then written with mode 0600 and never among client documents.
    """
    from kamdocs import app  # noqa: PLC0415 - app imports the whole pipeline
    from kamdocs import ics as ics_file

    if birthdays and ics is None:
        raise UsageError("--birthdays adds the birthdays to the calendar file: give --ics FILE")
    today = build_date(date)
    checked = app.load_all(workspace, paths, today)
    if not checked.dossiers:
        raise UsageError(f"no dossiers found in {', '.join(map(str, paths))}")
    locales = checked.library.locales
    raise_if(wording_of(locales, workspace.templates))
    cal = working_calendar(workspace)
    plans: list[Plan] = []
    not_sent: list[tuple[NotSent, Loaded]] = []
    for loaded in checked.dossiers:
        plan = plan_offer(loaded, locales[loaded.lang], workspace, today, sent, cal)
        if plan is None:
            not_sent.append((NotSent(loaded.path, loaded.slug), loaded))
        else:
            plans.append(plan)
    if not plans:
        raise InputError([n.problem(loaded) for n, loaded in not_sent])
    single = len(paths) == 1 and paths[0].is_file()
    warnings = (*checked.warnings, *(w for d in checked.dossiers for w in odd_dates(d, sent)))
    if ics is not None:
        people: tuple[Birthday, ...] = ()
        if birthdays:
            check_private_target(ics, workspace, [d.slug for d in checked.dossiers])
            people, unreadable = private_birthdays(checked.dossiers, locales)
            warnings += unreadable
        data = ics_file.calendar_bytes(plans, today, people)
        ics_file.write(ics, data, private=birthdays)
    return Followup(
        today,
        tuple(plans),
        tuple(n for n, _ in not_sent),
        single,
        ics,
        birthdays,
        warnings,
    )
