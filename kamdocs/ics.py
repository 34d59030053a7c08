"""The follow-up plan as an RFC 5545 calendar that Outlook, Google Calendar and Thunderbird import.

Written through the ``icalendar`` package, which folds lines, escapes text and writes CRLF as
the RFC asks. Every event is all-day (``DTSTART;VALUE=DATE`` and ``DTEND`` the next day, as
RFC 5545 3.6.1 gives a one-day event); its UID is a UUID derived from the client, the offer and
the step, so that importing an updated plan updates the events instead of adding copies; its
DTSTAMP is the build date. Nothing in the file depends on the clock, the machine or the hash
seed: the same plan gives the same bytes.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import os
import uuid
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from kamdocs.errors import OutputError

if TYPE_CHECKING:
    from kamdocs.followup import Birthday, Plan

PRODID = "-//kamdocs//followup//EN"
# The namespace of every UID kamdocs makes (a fixed UUID: the UIDs must never change).
NAMESPACE = uuid.UUID("6f1c3f0e-5b8e-4d4a-9a43-6b2f3c1e8a7d")
REMINDER_AT = dt.timedelta(hours=9)  # the expiry reminder's alarm: 09:00 on its day
_ONE_DAY = dt.timedelta(days=1)


def uid(*parts: str) -> str:
    """The UID of an event: the same parts, the same UID, in every run and on every machine."""
    return str(uuid.uuid5(NAMESPACE, "\x1f".join(parts)))


def _event(
    uid_: str, day: dt.date, stamp: dt.datetime, summary: str, description: str | None = None
):  # noqa: ANN202 - icalendar is imported lazily
    from icalendar import Event  # noqa: PLC0415

    event = Event()
    event.add("uid", uid_)
    event.add("dtstamp", stamp)
    event.add("dtstart", day)
    event.add("dtend", day + _ONE_DAY)
    event.add("summary", summary)
    if description:
        event.add("description", description)
    event.add("transp", "TRANSPARENT")  # a reminder, not a meeting: it blocks no time
    return event


def calendar_bytes(
    plans: Sequence[Plan], today: dt.date, birthdays: Sequence[Birthday] = ()
) -> bytes:
    """The calendar of ``plans`` (and, for the manager's own calendar, ``birthdays``)."""
    from icalendar import Alarm, Calendar  # noqa: PLC0415

    stamp = dt.datetime.combine(today, dt.time(), dt.UTC)
    cal = Calendar()
    cal.add("version", "2.0")
    cal.add("prodid", PRODID)
    cal.add("calscale", "GREGORIAN")
    cal.add("method", "PUBLISH")
    name = f"{plans[0].client_name}: {plans[0].offer}" if len(plans) == 1 else "Follow-up"
    cal.add("x-wr-calname", name)
    events = []
    for plan in plans:
        t = plan.wording
        for step in plan.steps:
            description = "\n".join(
                (
                    step.what,
                    f"{t['followup_contact']}: {plan.contact}",
                    f"{t['followup_owner']}: {plan.owner}",
                    plan.offer,
                )
            )
            summary = f"{step.label}: {plan.client_name}"
            event = _event(
                uid(plan.client, plan.offer, step.key), step.date, stamp, summary, description
            )
            if step.step == "expiry_reminder":
                alarm = Alarm()
                alarm.add("action", "DISPLAY")
                alarm.add("description", summary)
                alarm.add("trigger", REMINDER_AT)
                event.add_component(alarm)
            events.append(((step.date, plan.client, *step.order[1:]), event))
    for person in birthdays:
        event = _event(
            uid(person.client, person.member, "birthday"),
            person.day,
            stamp,
            f"{person.label}: {person.name} ({person.client_name})",
        )
        event.add("class", "PRIVATE")
        if (person.day.month, person.day.day) == (2, 29):
            # Every year on February's last day: a plain yearly rule skips three years in four.
            event.add("rrule", {"freq": "yearly", "bymonth": 2, "bymonthday": -1})
        else:
            event.add("rrule", {"freq": "yearly"})
        events.append(((person.day, person.client, 99, person.member), event))
    for _, event in sorted(events, key=lambda e: e[0]):
        cal.add_component(event)
    return cal.to_ical()


def write(path: Path, data: bytes, private: bool = False) -> None:
    """Replace ``path`` with ``data`` atomically; a ``private`` file is readable by its owner
    only (mode 0600) from the moment it exists."""
    if path.is_dir():
        raise OutputError(f"{path}: cannot write the calendar: a folder is in the way")
    folder = path.parent
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise OutputError(f"{path}: cannot create its folder: {exc.strerror}") from None
    temp = folder / f".{path.name}.{os.getpid()}.tmp"
    mode = 0o600 if private else 0o666  # less the umask
    try:
        fd = os.open(temp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, mode)
        with os.fdopen(fd, "wb") as fh:
            if private:
                os.fchmod(fh.fileno(), 0o600)  # whatever the umask, before anyone can read it
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(temp, path)
    except BaseException as exc:  # also Ctrl-C: never leave a half-written temporary file
        with contextlib.suppress(OSError):
            temp.unlink()
        if isinstance(exc, OSError):
            raise OutputError(f"{path}: cannot write: {exc.strerror}") from None
        raise
