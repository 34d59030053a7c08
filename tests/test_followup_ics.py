"""kamdocs followup --ics: the plan as an RFC 5545 calendar; birthdays only with --birthdays.

Each calendar is read back by two independent parsers, icalendar (which writes it) and vobject.
"""

from __future__ import annotations

import datetime as dt
import os
import stat
import subprocess
import sys
import uuid
from pathlib import Path

import icalendar
import pytest
import vobject
from helpers import build_file_tree, run, small_library
from test_followup import D, dossier

SENT = {"sent": D("2026-11-27"), "review_meeting": D("2026-12-10")}
TENDER = {"name": "WMS 2027", "submission_date": D("2027-06-01")}
# Every event of that plan: (date, summary).
EVENTS = [
    (D("2026-09-01"), "Tender milestone: Acme Logistics AD"),
    (D("2026-11-27"), "Offer sent: Acme Logistics AD"),
    (D("2026-11-30"), "Confirmation call: Acme Logistics AD"),
    (D("2026-12-01"), "Tender milestone: Acme Logistics AD"),
    (D("2026-12-10"), "Intermediate results: Acme Logistics AD"),
    (D("2027-01-26"), "Expiry reminder: Acme Logistics AD"),
    (D("2027-01-29"), "Offer expires: Acme Logistics AD"),
    (D("2027-03-01"), "Tender milestone: Acme Logistics AD"),
    (D("2027-04-29"), "Tender milestone: Acme Logistics AD"),
]

# A private value of every kind, each unique, none of which may reach the file without
# --birthdays, and none but the birthday with it.
PRIVATE = {
    "birthday": D("1971-05-14"),
    "hobbies": ["zzsailingzz", "zzchesszz"],
    "family": "zzmarriedzz",
    "values": ["zzpunctualityzz"],
    "notes": "zzprefers the competitorzz",
    "nested": {"deep": ["zzdeepzz", {"deeper": "zzdeeperzz"}], "number": 918273},
    "phone_home": "+359 888 000 111",
}
SECRETS = [
    "zzsailingzz",
    "zzchesszz",
    "zzmarriedzz",
    "zzpunctualityzz",
    "zzprefers the competitorzz",
    "zzdeepzz",
    "zzdeeperzz",
    "918273",
    "+359 888 000 111",
    "nested",
    "hobbies",
]
BIRTHDAY_FORMS = ["19710514", "1971-05-14", "1971"]


@pytest.fixture
def fw(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A workspace with the small library and the shipped locales; the current folder."""
    small_library(tmp_path)
    monkeypatch.chdir(tmp_path)
    return tmp_path


def unfolded(data: bytes) -> str:
    """The calendar's text with folded lines joined and text escapes undone."""
    text = data.decode("utf-8").replace("\r\n ", "").replace("\r\n\t", "")
    return text.replace("\\,", ",").replace("\\;", ";").replace("\\n", "\n").replace("\\\\", "\\")


def write_plan(root: Path, private: dict | None = None, offer: dict | None = None) -> None:
    build_file_tree(root, {"dossiers/acme.yaml": dossier(offer or SENT, TENDER, private=private)})


def followup_ics(*args: str, target: str = "plan.ics") -> bytes:
    result = run("followup", "dossiers/acme.yaml", "--date", "2026-12-01", "--ics", target, *args)
    assert result.exit_code == 0, result.output
    return Path(target).read_bytes()


def test_the_calendar_holds_the_exact_events(fw: Path) -> None:
    write_plan(fw)
    data = followup_ics()
    cal = icalendar.Calendar.from_ical(data)
    assert cal["METHOD"] == "PUBLISH"
    assert cal["VERSION"] == "2.0"
    assert str(cal["PRODID"]) == "-//kamdocs//followup//EN"
    events = cal.walk("VEVENT")
    assert [(e.decoded("DTSTART"), str(e["SUMMARY"])) for e in events] == EVENTS
    for event in events:
        start, end = event.decoded("DTSTART"), event.decoded("DTEND")
        assert type(start) is dt.date and end == start + dt.timedelta(days=1)
        assert event["DTSTART"].params["VALUE"] == "DATE"
        assert event["DTEND"].params["VALUE"] == "DATE"
        assert event.decoded("DTSTAMP") == dt.datetime(2026, 12, 1, tzinfo=dt.UTC)
        assert uuid.UUID(str(event["UID"])).version == 5
    assert len({str(e["UID"]) for e in events}) == len(events)
    assert b"\r\n" in data and b"\n" not in data.replace(b"\r\n", b"")


def test_a_second_parser_reads_the_same_events(fw: Path) -> None:
    write_plan(fw)
    data = followup_ics()
    cal = vobject.readOne(data.decode("utf-8"))
    assert cal.method.value == "PUBLISH"
    events = [
        (e.dtstart.value, e.dtend.value, e.summary.value, e.dtstart.params["VALUE"])
        for e in cal.vevent_list
    ]
    assert events == [(d, d + dt.timedelta(days=1), s, ["DATE"]) for d, s in EVENTS]
    parsed = icalendar.Calendar.from_ical(data).walk("VEVENT")
    assert [e.uid.value for e in cal.vevent_list] == [str(e["UID"]) for e in parsed]
    confirm = cal.vevent_list[2]
    assert confirm.description.value == (
        "Call: confirm that the proposal has reached them; ask about the next steps; ask where "
        "the urgency to decide comes from; agree a date for a call or meeting to discuss the "
        "intermediate results\n"
        "Contact: Ivan Petrov (Chief Executive Officer, ivan.petrov@acme.example)\n"
        "Owner: Maria Georgieva (Key Account Manager, maria@supplier.example)\n"
        "Warehouse automation"
    )


def test_the_expiry_reminder_is_its_own_event_with_an_alarm(fw: Path) -> None:
    write_plan(fw)
    cal = vobject.readOne(followup_ics().decode("utf-8"))
    reminder = next(e for e in cal.vevent_list if e.summary.value.startswith("Expiry reminder"))
    assert reminder.dtstart.value == D("2027-01-26")
    assert reminder.valarm.action.value == "DISPLAY"
    assert reminder.valarm.trigger.value == dt.timedelta(hours=9)


def test_the_same_bytes_across_runs_and_hash_seeds(fw: Path) -> None:
    write_plan(fw)
    first = followup_ics(target="a.ics")
    outputs = []
    for seed in ("0", "4242"):
        env = {**os.environ, "PYTHONHASHSEED": seed}
        env.pop("SOURCE_DATE_EPOCH", None)
        command = [sys.executable, "-m", "kamdocs", "followup", "dossiers/acme.yaml"]
        command += ["--date", "2026-12-01", "--ics", f"seed-{seed}.ics"]
        done = subprocess.run(command, env=env, capture_output=True, text=True, timeout=120)
        assert done.returncode == 0, done.stderr
        outputs.append(Path(f"seed-{seed}.ics").read_bytes())
    assert outputs == [first, first]


def test_a_reimport_updates_the_same_events(fw: Path) -> None:
    # Sent three days later and the plan built a week later: the same steps keep their UIDs.
    write_plan(fw)
    before = icalendar.Calendar.from_ical(followup_ics()).walk("VEVENT")
    write_plan(fw, offer={**SENT, "sent": D("2026-11-30"), "confirmed": D("2026-12-02")})
    result = run("followup", "dossiers/acme.yaml", "--date", "2026-12-08", "--ics", "plan.ics")
    assert result.exit_code == 0, result.output
    after = icalendar.Calendar.from_ical(Path("plan.ics").read_bytes()).walk("VEVENT")
    uids = {str(e["SUMMARY"]): str(e["UID"]) for e in before if "Tender" not in e["SUMMARY"]}
    assert {str(e["SUMMARY"]): str(e["UID"]) for e in after if "Tender" not in e["SUMMARY"]} == (
        uids
    )
    assert sorted(str(e["UID"]) for e in after) == sorted(str(e["UID"]) for e in before)
    send = next(e for e in after if str(e["SUMMARY"]).startswith("Offer sent"))
    assert send.decoded("DTSTART") == D("2026-11-30")


def test_another_client_or_offer_gets_other_uids(fw: Path) -> None:
    write_plan(fw)
    first = {str(e["UID"]) for e in icalendar.Calendar.from_ical(followup_ics()).walk("VEVENT")}
    build_file_tree(fw, {"dossiers/acme.yaml": dossier(SENT, TENDER, name="Acme Two")})
    second = {str(e["UID"]) for e in icalendar.Calendar.from_ical(followup_ics()).walk("VEVENT")}
    assert not first & second


def test_without_birthdays_no_private_value_in_any_byte(fw: Path) -> None:
    write_plan(fw, private=PRIVATE)
    result = run("followup", "dossiers/acme.yaml", "--date", "2026-12-01", "--ics", "plan.ics")
    assert result.exit_code == 0, result.output
    data = Path("plan.ics").read_bytes()
    text = unfolded(data)
    for secret in SECRETS + BIRTHDAY_FORMS:
        assert secret not in text, secret
        assert secret.encode() not in data, secret
        assert secret not in result.stdout, secret
    assert "private" not in result.stderr
    assert "CLASS:PRIVATE" not in text and "RRULE" not in text
    json_result = run("followup", "dossiers/acme.yaml", "--date", "2026-12-01", "--json")
    for secret in SECRETS + BIRTHDAY_FORMS:
        assert secret not in json_result.stdout, secret


def test_with_birthdays_the_birthday_and_nothing_else_private(fw: Path) -> None:
    write_plan(fw, private=PRIVATE)
    result = run(
        "followup", "dossiers/acme.yaml", "--date", "2026-12-01", "--ics", "mine.ics", "--birthdays"
    )
    assert result.exit_code == 0, result.output
    assert result.stderr == (
        "dossiers/acme.yaml:37: warning: offer.valid_until: the offer expires (2027-01-29) "
        "before the tender's submission date (2027-06-01); make it valid until then\n"
        "wrote mine.ics\n"
        "mine.ics holds private data (the DMU's birthdays), readable by you only: import it "
        "into your own calendar, never share or send it\n"
    )
    data = Path("mine.ics").read_bytes()
    assert stat.S_IMODE(os.stat("mine.ics").st_mode) == 0o600
    text = unfolded(data)
    for secret in SECRETS:
        assert secret not in text, secret
    for parsed in (
        [
            (e.dtstart.value, e.summary.value, e.rrule.value, getattr(e, "class").value)
            for e in vobject.readOne(data.decode()).vevent_list
            if hasattr(e, "rrule")
        ],
        [
            (
                e.decoded("DTSTART"),
                str(e["SUMMARY"]),
                e["RRULE"].to_ical().decode(),
                str(e["CLASS"]),
            )
            for e in icalendar.Calendar.from_ical(data).walk("VEVENT")
            if "RRULE" in e
        ],
    ):
        assert parsed == [
            (D("1971-05-14"), "Birthday: Ivan Petrov (Acme Logistics AD)", "FREQ=YEARLY", "PRIVATE")
        ]
    birthday = next(e for e in icalendar.Calendar.from_ical(data).walk("VEVENT") if "RRULE" in e)
    assert str(birthday["TRANSP"]) == "TRANSPARENT"
    assert birthday.decoded("DTEND") == D("1971-05-15")
    # The plan's own events are all there too.
    assert len(icalendar.Calendar.from_ical(data).walk("VEVENT")) == len(EVENTS) + 1


def test_the_birthday_file_is_private_even_with_an_open_umask(fw: Path) -> None:
    write_plan(fw, private=PRIVATE)
    Path("mine.ics").write_text("old", encoding="utf-8")
    os.chmod("mine.ics", 0o644)
    old = os.umask(0)
    try:
        followup_ics("--birthdays", target="mine.ics")
    finally:
        os.umask(old)
    assert stat.S_IMODE(os.stat("mine.ics").st_mode) == 0o600


@pytest.mark.parametrize(
    ("birthday", "rule", "start"),
    [
        ("1980-02-29", "FREQ=YEARLY;BYMONTHDAY=-1;BYMONTH=2", D("1980-02-29")),
        ("05-14", "FREQ=YEARLY", D("2000-05-14")),
        ("--05-14", "FREQ=YEARLY", D("2000-05-14")),
    ],
)
def test_birthday_forms(fw: Path, birthday: str, rule: str, start: dt.date) -> None:
    write_plan(fw, private={"birthday": birthday})
    data = followup_ics("--birthdays", target="mine.ics")
    event = next(e for e in icalendar.Calendar.from_ical(data).walk("VEVENT") if "RRULE" in e)
    assert (event.decoded("DTSTART"), event["RRULE"].to_ical().decode()) == (start, rule)


def test_a_birthday_that_is_no_date_is_a_warning_that_does_not_repeat_it(fw: Path) -> None:
    write_plan(fw, private={"birthday": "zzsometime in mayzz"})
    result = run(
        "followup", "dossiers/acme.yaml", "--date", "2026-12-01", "--ics", "m.ics", "--birthdays"
    )
    assert result.exit_code == 0, result.output
    text = dossier(SENT, TENDER, private={"birthday": "x"})
    line = next(i for i, t in enumerate(text.splitlines(), 1) if t.strip() == "birthday: x")
    assert result.stderr.splitlines()[0] == (
        f"dossiers/acme.yaml:{line}: warning: dmu[0].private.birthday: not a date "
        "(YYYY-MM-DD or MM-DD); left out of the calendar"
    )
    assert "zzsometime" not in result.output
    assert b"zzsometime" not in Path("m.ics").read_bytes()


REFUSED = "the birthday calendar holds private data and is not written there"


@pytest.mark.parametrize(
    "target", ["build/mine.ics", "build/sub/mine.ics", "./build/../build/x.ics"]
)
def test_the_birthday_file_is_refused_in_the_output_folder(fw: Path, target: str) -> None:
    write_plan(fw, private=PRIVATE)
    result = run(
        "followup", "dossiers/acme.yaml", "--date", "2026-12-01", "--ics", target, "--birthdays"
    )
    assert result.exit_code == 2
    assert result.stdout == ""
    assert result.stderr == (
        f"{Path(target)}: {REFUSED}: it is inside the build output folder build; "
        "write it to a folder of your own\n"
    )
    assert not Path(target).exists()


def test_the_output_folder_is_the_workspaces_out(fw: Path) -> None:
    write_plan(fw, private=PRIVATE)
    build_file_tree(fw, {"kamdocs.yaml": "out: site/proposals\n"})
    result = run("followup", "dossiers/acme.yaml", "--ics", "site/proposals/b.ics", "--birthdays")
    assert result.exit_code == 2
    assert "inside the build output folder site/proposals" in result.stderr
    assert not Path("site/proposals/b.ics").exists()


def test_the_birthday_file_is_refused_next_to_client_documents(fw: Path) -> None:
    write_plan(fw, private=PRIVATE)
    build_file_tree(fw, {"sent-out/acme-logistics-ad.docx": b"PK"})
    result = run("followup", "dossiers/acme.yaml", "--ics", "sent-out/b.ics", "--birthdays")
    assert result.exit_code == 2
    assert result.stderr == (
        f"sent-out/b.ics: {REFUSED}: that folder holds client documents "
        "(acme-logistics-ad.docx); write it to a folder of your own\n"
    )
    assert not Path("sent-out/b.ics").exists()


def test_the_birthday_file_is_refused_in_any_build_folder(fw: Path) -> None:
    write_plan(fw, private=PRIVATE)
    build_file_tree(fw, {"elsewhere/manifest.json": "{}"})
    result = run("followup", "dossiers/acme.yaml", "--ics", "elsewhere/b.ics", "--birthdays")
    assert result.exit_code == 2
    assert "that folder holds a build (manifest.json)" in result.stderr
    assert not Path("elsewhere/b.ics").exists()


def test_a_symlinked_folder_into_the_output_is_refused(fw: Path) -> None:
    write_plan(fw, private=PRIVATE)
    Path("build").mkdir()
    Path("mine").symlink_to("build")
    result = run("followup", "dossiers/acme.yaml", "--ics", "mine/b.ics", "--birthdays")
    assert result.exit_code == 2
    assert "inside the build output folder" in result.stderr
    assert list(Path("build").iterdir()) == []


def test_a_calendar_without_birthdays_may_go_anywhere(fw: Path) -> None:
    write_plan(fw, private=PRIVATE)
    followup_ics(target="build/plan.ics")
    assert Path("build/plan.ics").is_file()


def test_a_calendar_that_cannot_be_written_is_exit_1(fw: Path) -> None:
    write_plan(fw)
    Path("taken").write_text("a file", encoding="utf-8")
    result = run("followup", "dossiers/acme.yaml", "--ics", "taken/plan.ics")
    assert result.exit_code == 1
    assert result.stdout == ""
    assert result.stderr.startswith("taken/plan.ics: cannot create its folder: ")
    assert not any(p.name.endswith(".tmp") for p in Path(".").rglob("*"))


def test_several_dossiers_one_calendar(fw: Path) -> None:
    build_file_tree(
        fw,
        {
            "dossiers/acme.yaml": dossier({"sent": D("2026-11-27")}),
            "dossiers/beta.yaml": dossier({"sent": D("2026-11-30")}, name="Beta Foods"),
            "dossiers/gamma.yaml": dossier(name="Gamma Retail"),
        },
    )
    result = run("followup", "dossiers/", "--date", "2026-11-30", "--ics", "week.ics")
    assert result.exit_code == 0, result.output
    cal = vobject.readOne(Path("week.ics").read_text(encoding="utf-8"))
    assert [(e.dtstart.value, e.summary.value) for e in cal.vevent_list][:4] == [
        (D("2026-11-27"), "Offer sent: Acme Logistics AD"),
        (D("2026-11-30"), "Confirmation call: Acme Logistics AD"),
        (D("2026-11-30"), "Offer sent: Beta Foods"),
        (D("2026-12-01"), "Confirmation call: Beta Foods"),
    ]
    assert not any("Gamma" in e.summary.value for e in cal.vevent_list)
