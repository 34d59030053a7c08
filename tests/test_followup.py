"""kamdocs followup: the dated steps after sending, on the supplier country's working days."""

from __future__ import annotations

import datetime as dt
import json
import os
from pathlib import Path
from typing import Any

import pytest
import yaml
from helpers import build_file_tree, run, small_library
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from kamdocs.calendar import WorkingCalendar
from kamdocs.errors import InputError, UsageError
from kamdocs.followup import plan_followups
from kamdocs.workspace import find_workspace

D = dt.date.fromisoformat
GOLDEN = Path(__file__).resolve().parent / "golden"
UPDATE = os.environ.get("KAMDOCS_UPDATE_GOLDEN") == "1"


def dossier(
    offer: dict[str, Any] | None = None,
    tender: dict[str, Any] | None = None,
    name: str = "Acme Logistics AD",
    locale: str = "en",
    private: dict[str, Any] | None = None,
) -> str:
    """A small valid dossier; ``offer`` adds to (or replaces) its offer fields."""
    data: dict[str, Any] = {
        "client": {"name": name, "locale": locale},
        "relationship": {"status": "new"},
        "dmu": [
            {
                "name": "Ivan Petrov",
                "id": "ceo",
                "position": "Chief Executive Officer",
                "persona": "executive",
                "role": "decision_maker",
                "email": "ivan.petrov@acme.example",
                **({"private": private} if private else {}),
            },
            {
                "name": "Elena Dimitrova",
                "id": "cfo",
                "position": "Chief Financial Officer",
                "persona": "finance",
                "role": "approver",
                "email": "elena.dimitrova@acme.example",
            },
        ],
        "offer": {
            "title": "Warehouse automation",
            "issued": D("2026-11-26"),
            "valid_until": D("2027-01-29"),
            **(offer or {}),
        },
        "team": [
            {"name": "Petar Nikolov", "position": "Solution Architect"},
            {
                "name": "Maria Georgieva",
                "position": "Key Account Manager",
                "email": "maria@supplier.example",
                "lead": True,
            },
        ],
    }
    data["offer"] = {k: v for k, v in data["offer"].items() if v is not None}  # None: left out
    if tender:
        data["tender"] = tender
    return yaml.safe_dump(data, sort_keys=False, allow_unicode=True)


@pytest.fixture
def fw(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A workspace with the small library and the shipped locales; the current folder."""
    small_library(tmp_path)
    monkeypatch.chdir(tmp_path)
    return tmp_path


def plan(
    root: Path,
    offer: dict[str, Any],
    date: str,
    settings_yaml: str = "",
    tender: dict[str, Any] | None = None,
    sent: str | None = None,
) -> list[tuple[str, str, str]]:
    """(date, step, status) of every step of one dossier's plan, through the library."""
    files = {"dossiers/acme.yaml": dossier(offer, tender)}
    if settings_yaml:
        files["kamdocs.yaml"] = settings_yaml
    build_file_tree(root, files)
    result = plan_followups(
        find_workspace(), [Path("dossiers/acme.yaml")], D(sent) if sent else None, D(date)
    )
    return [(s.date.isoformat(), s.step, s.status) for s in result.plans[0].steps]


def step_dates(steps: list[tuple[str, str, str]], name: str) -> list[str]:
    return [day for day, step, _ in steps if step == name]


# The date rules, one line each: offer fields and settings -> the date of one step.
DATE_RULES = [
    # A Friday send: the call is on Monday.
    ("friday", {"sent": D("2026-11-27")}, "", "confirm", ["2026-11-30"]),
    # Liberation Day, Tuesday 3 March 2026.
    ("public holiday", {"sent": D("2026-03-02")}, "", "confirm", ["2026-03-04"]),
    # 24 May 2026 is a Sunday: Monday 25 May is the day off instead.
    ("substitute day off, May", {"sent": D("2026-05-22")}, "", "confirm", ["2026-05-26"]),
    # 6 September 2026 is a Sunday: Monday 7 September is the day off instead.
    ("substitute day off, Sep", {"sent": D("2026-09-04")}, "", "confirm", ["2026-09-08"]),
    # Christmas 2026 is Thursday to Saturday: Monday 28 December is off too.
    ("substitute day off, Dec", {"sent": D("2026-12-23")}, "", "confirm", ["2026-12-29"]),
    # Orthodox Easter 2026: Good Friday 10 April, Easter Monday 13 April.
    ("orthodox easter", {"sent": D("2026-04-09")}, "", "confirm", ["2026-04-14"]),
    ("easter monday", {"sent": D("2026-04-12")}, "", "confirm", ["2026-04-14"]),
    # A Saturday worked by decree.
    (
        "working saturday",
        {"sent": D("2026-11-27")},
        "calendar: {working_days: [2026-11-28]}\n",
        "confirm",
        ["2026-11-28"],
    ),
    # A day off by decree, then New Year's Day and the weekend.
    (
        "days_off",
        {"sent": D("2026-12-30")},
        "calendar: {days_off: [2026-12-31]}\n",
        "confirm",
        ["2027-01-04"],
    ),
    # Germany keeps 28 December as a working day; its Christmas is the 25th and 26th.
    (
        "supplier country",
        {"sent": D("2026-12-24")},
        "supplier: {country: DE}\n",
        "confirm",
        ["2026-12-28"],
    ),
    # Three working days before Wednesday 30 December: 29, (28, 25, 24 off), 23, 22.
    (
        "reminder across holidays",
        {"sent": D("2026-12-01"), "valid_until": D("2026-12-30")},
        "",
        "expiry_reminder",
        ["2026-12-22"],
    ),
    (
        "reminder days from settings",
        {"sent": D("2026-12-01"), "valid_until": D("2026-12-30")},
        "followup: {expiry_reminder_days: 1}\n",
        "expiry_reminder",
        ["2026-12-29"],
    ),
    # An expiry on a Sunday: the reminder counts working days back from it.
    (
        "reminder before a Sunday expiry",
        {"sent": D("2026-12-01"), "valid_until": D("2027-01-10")},
        "",
        "expiry_reminder",
        ["2027-01-06"],
    ),
    # The expiry itself is the date of the offer, working day or not.
    (
        "expiry",
        {"sent": D("2026-12-01"), "valid_until": D("2027-01-10")},
        "",
        "expiry",
        ["2027-01-10"],
    ),
    # With valid_days the expiry is counted from the issue date.
    (
        "expiry from valid_days",
        {"sent": D("2026-11-27"), "valid_until": None, "valid_days": 30},
        "",
        "expiry",
        ["2026-12-26"],
    ),
    # The agreed review meeting is kept as agreed.
    (
        "review",
        {"sent": D("2026-11-27"), "review_meeting": D("2026-12-10")},
        "",
        "review",
        ["2026-12-10"],
    ),
    # Ten working days after delivery of a won project; across Orthodox Easter 2027, Labour
    # Day's substitute (4 May) and St George's Day (6 May).
    (
        "recommendation",
        {"sent": D("2026-11-27"), "outcome": "won", "delivered": D("2027-04-26")},
        "",
        "recommendation",
        ["2027-05-14"],
    ),
    (
        "no recommendation when lost",
        {"sent": D("2026-11-27"), "outcome": "lost", "delivered": D("2027-04-26")},
        "",
        "recommendation",
        [],
    ),  # fmt: skip
    (
        "no recommendation before delivery",
        {"sent": D("2026-11-27"), "outcome": "won"},
        "",
        "recommendation",
        [],
    ),  # fmt: skip
]


@pytest.mark.parametrize(
    ("offer", "settings_yaml", "step", "expected"),
    [case[1:] for case in DATE_RULES],
    ids=[case[0] for case in DATE_RULES],
)
def test_date_rules(
    fw: Path, offer: dict[str, Any], settings_yaml: str, step: str, expected: list[str]
) -> None:
    steps = plan(fw, offer, "2026-11-01", settings_yaml)
    assert step_dates(steps, step) == expected


def test_tender_milestones_move_back_off_days_off(fw: Path) -> None:
    # 1 May 2027 is a Saturday, Labour Day and Holy Saturday; 30 April is Good Friday.
    tender = {"name": "Warehouse systems 2027", "submission_date": D("2027-06-01")}
    steps = plan(fw, {"sent": D("2026-08-03")}, "2026-08-03", tender=tender)
    assert step_dates(steps, "tender_milestone") == [
        "2026-09-01",
        "2026-12-01",
        "2027-03-01",
        "2027-04-29",
    ]


def test_a_milestone_on_a_weekend_moves_to_the_friday(fw: Path) -> None:
    # Nine months before 2027-06-06 is Sunday 6 September 2026, whose Monday is off too.
    tender = {"name": "Tender", "submission_date": D("2027-06-06")}
    steps = plan(fw, {"sent": D("2026-08-03")}, "2026-08-03", tender=tender)
    assert step_dates(steps, "tender_milestone")[0] == "2026-09-04"


def test_workspace_milestones_replace_the_defaults(fw: Path) -> None:
    settings_yaml = "tender_milestones:\n  - {months: 2, step: {en: Bid review}}\n"
    tender = {"name": "Tender", "submission_date": D("2027-06-01")}
    steps = plan(fw, {"sent": D("2026-08-03")}, "2026-08-03", settings_yaml, tender)
    assert step_dates(steps, "tender_milestone") == ["2027-04-01"]


def test_a_whole_plan_with_its_statuses(fw: Path) -> None:
    steps = plan(
        fw,
        {"sent": D("2026-11-27"), "review_meeting": D("2026-12-10")},
        "2026-12-01",
        tender={"name": "WMS 2027", "submission_date": D("2027-06-01")},
    )
    assert steps == [
        ("2026-09-01", "tender_milestone", "overdue"),
        ("2026-11-27", "send", "done"),
        ("2026-11-30", "confirm", "overdue"),
        ("2026-12-01", "tender_milestone", "due"),
        ("2026-12-10", "review", "planned"),
        ("2027-01-26", "expiry_reminder", "planned"),
        ("2027-01-29", "expiry", "planned"),
        ("2027-03-01", "tender_milestone", "planned"),
        ("2027-04-29", "tender_milestone", "planned"),
    ]


def test_confirmed_makes_the_call_done_on_that_day(fw: Path) -> None:
    steps = plan(fw, {"sent": D("2026-11-27"), "confirmed": D("2026-11-27")}, "2026-11-28")
    assert steps[:2] == [("2026-11-27", "send", "done"), ("2026-11-27", "confirm", "done")]


def test_a_call_due_today_and_one_planned(fw: Path) -> None:
    assert plan(fw, {"sent": D("2026-11-27")}, "2026-11-30")[1] == ("2026-11-30", "confirm", "due")
    assert plan(fw, {"sent": D("2026-11-27")}, "2026-11-27")[1] == (
        "2026-11-30",
        "confirm",
        "planned",
    )


def test_past_review_is_done_and_preparation_started_makes_past_milestones_done(fw: Path) -> None:
    tender = {
        "name": "WMS 2027",
        "submission_date": D("2027-06-01"),
        "preparation_started": D("2026-08-20"),
    }
    steps = plan(
        fw,
        {"sent": D("2026-11-27"), "review_meeting": D("2026-12-01")},
        "2026-12-02",
        tender=tender,
    )
    assert ("2026-12-01", "review", "done") in steps
    assert ("2026-09-01", "tender_milestone", "done") in steps
    assert ("2026-12-01", "tender_milestone", "done") in steps


def test_an_outcome_closes_the_routine(fw: Path) -> None:
    # Everything before the build date stays (done); nothing on or after it is planned.
    steps = plan(
        fw,
        {"sent": D("2026-11-27"), "outcome": "lost"},
        "2026-12-01",
        tender={"name": "WMS 2027", "submission_date": D("2027-06-01")},
    )
    assert steps == [
        ("2026-09-01", "tender_milestone", "done"),
        ("2026-11-27", "send", "done"),
        ("2026-11-30", "confirm", "done"),
    ]


def test_won_and_delivered_adds_only_the_recommendation(fw: Path) -> None:
    steps = plan(
        fw,
        {"sent": D("2026-11-27"), "outcome": "won", "delivered": D("2027-03-15")},
        "2026-12-01",
    )
    assert steps == [
        ("2026-11-27", "send", "done"),
        ("2026-11-30", "confirm", "done"),
        ("2027-03-29", "recommendation", "planned"),
    ]


def test_sent_option_overrides_the_dossier(fw: Path) -> None:
    steps = plan(fw, {"sent": D("2026-11-20")}, "2026-11-27", sent="2026-11-27")
    assert steps[:2] == [("2026-11-27", "send", "done"), ("2026-11-30", "confirm", "planned")]


def test_a_reminder_before_the_sending_is_left_out(fw: Path) -> None:
    steps = plan(fw, {"sent": D("2027-01-28")}, "2027-01-28")
    assert step_dates(steps, "expiry_reminder") == []
    assert step_dates(steps, "expiry") == ["2027-01-29"]


# --- who and what -------------------------------------------------------------------------


def json_of(*args: str) -> Any:
    result = run("followup", "--json", *args)
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


def test_json_in_specs_shape(fw: Path) -> None:
    build_file_tree(fw, {"dossiers/acme.yaml": dossier({"sent": D("2026-11-27")})})
    data = json_of("dossiers/acme.yaml", "--date", "2026-11-30")
    assert data["client"] == "acme-logistics-ad"
    assert data["owner"] == "Maria Georgieva (Key Account Manager, maria@supplier.example)"
    assert [set(s) for s in data["steps"]] == [{"date", "step", "who", "what", "status"}] * 4
    confirm = data["steps"][1]
    assert confirm == {
        "date": "2026-11-30",
        "step": "confirm",
        "who": "Ivan Petrov (Chief Executive Officer, ivan.petrov@acme.example)",
        "what": "Call: confirm that the proposal has reached them; ask about the next steps; "
        "ask where the urgency to decide comes from; agree a date for a call or meeting to "
        "discuss the intermediate results",
        "status": "due",
    }


def test_the_contact_is_offer_contact(fw: Path) -> None:
    build_file_tree(
        fw, {"dossiers/acme.yaml": dossier({"sent": D("2026-11-27"), "contact": "cfo"})}
    )
    data = json_of("dossiers/acme.yaml", "--date", "2026-11-30")
    assert {s["who"] for s in data["steps"]} == {
        "Elena Dimitrova (Chief Financial Officer, elena.dimitrova@acme.example)"
    }


def test_the_agenda_in_the_proposals_language(fw: Path) -> None:
    text = dossier({"sent": D("2026-11-27")}, name="Балкан Транс ЕООД", locale="bg")
    build_file_tree(fw, {"dossiers/bt.yaml": text})
    data = json_of("dossiers/bt.yaml", "--date", "2026-11-30")
    assert data["steps"][1]["what"] == (
        "Обаждане: потвърдете, че предложението е получено; попитайте за следващите стъпки; "
        "попитайте откъде идва неотложността на решението; договорете дата за разговор или "
        "среща за обсъждане на междинните резултати"
    )
    assert data["steps"][2]["what"] == (
        "Обаждане: решение или удължаване на условията (офертата изтича на 29 януари 2027\u202fг.)"
    )


def test_recommendation_asks_for_consent_in_references(fw: Path) -> None:
    offer = {"sent": D("2026-11-27"), "outcome": "won", "delivered": D("2027-03-15")}
    build_file_tree(fw, {"dossiers/acme.yaml": dossier(offer)})
    data = json_of("dossiers/acme.yaml", "--date", "2026-12-01")
    assert data["steps"][-1]["step"] == "recommendation"
    assert "recommendation letter" in data["steps"][-1]["what"]
    assert "templates/references.yaml" in data["steps"][-1]["what"]


def test_table_matches_its_golden_file(fw: Path) -> None:
    offer = {"sent": D("2026-11-27"), "review_meeting": D("2026-12-10")}
    tender = {"name": "WMS 2027", "submission_date": D("2027-06-01")}
    build_file_tree(fw, {"dossiers/acme.yaml": dossier(offer, tender)})
    result = run("followup", "dossiers/acme.yaml", "--date", "2026-12-01")
    assert result.exit_code == 0, result.output
    assert result.stderr == (  # the dossier's warnings are printed by followup too
        "dossiers/acme.yaml:22: warning: offer.valid_until: the offer expires (2027-01-29) "
        "before the tender's submission date (2027-06-01); make it valid until then\n"
    )
    golden = GOLDEN / "followup-acme.txt"
    if UPDATE:
        golden.write_text(result.stdout, encoding="utf-8")
    assert result.stdout == golden.read_text(encoding="utf-8")


def test_bulgarian_dates_with_weekday(fw: Path) -> None:
    text = dossier({"sent": D("2026-11-27")}, name="Балкан Транс ЕООД", locale="bg")
    build_file_tree(fw, {"dossiers/bt.yaml": text})
    result = run("followup", "dossiers/bt.yaml", "--date", "2026-11-30")
    assert result.exit_code == 0, result.output
    rows = result.stdout.splitlines()[4:]
    assert rows[0].startswith("пт, 27.11.2026\u202fг.  Изпратена оферта")
    assert rows[0].endswith("изпълнено")
    assert rows[1].startswith("пн, 30.11.2026\u202fг.  Обаждане за потвърждение")
    assert rows[1].endswith("днес")


# --- errors and several dossiers -------------------------------------------------------


def test_not_sent_is_exit_1_with_the_message(fw: Path) -> None:
    build_file_tree(fw, {"dossiers/acme.yaml": dossier()})
    result = run("followup", "dossiers/acme.yaml")
    assert result.exit_code == 1
    assert result.stdout == ""
    offer_line = dossier().splitlines().index("offer:") + 1
    assert result.stderr == (
        f"dossiers/acme.yaml:{offer_line}: offer.sent: the offer has not been sent; "
        "set offer.sent (or give --sent) to plan the follow-up\n"
    )


def test_not_sent_with_sent_option_is_planned(fw: Path) -> None:
    build_file_tree(fw, {"dossiers/acme.yaml": dossier()})
    data = json_of("dossiers/acme.yaml", "--sent", "2026-11-27", "--date", "2026-11-27")
    assert data["steps"][0] == {
        "date": "2026-11-27",
        "step": "send",
        "who": "Ivan Petrov (Chief Executive Officer, ivan.petrov@acme.example)",
        "what": "Sent by email",
        "status": "done",
    }


def test_an_invalid_dossier_is_reported_not_planned(fw: Path) -> None:
    build_file_tree(
        fw, {"dossiers/acme.yaml": dossier({"sent": D("2026-11-27"), "contact": "cfoo"})}
    )
    result = run("followup", "dossiers/acme.yaml")
    assert result.exit_code == 1
    assert "Traceback" not in result.output
    assert result.stderr.endswith(
        "offer.contact: 'cfoo' is not the id of a DMU member; did you mean 'cfo'?\n"
    )


def test_birthdays_without_ics_is_a_usage_error(fw: Path) -> None:
    build_file_tree(fw, {"dossiers/acme.yaml": dossier({"sent": D("2026-11-27")})})
    result = run("followup", "dossiers/acme.yaml", "--birthdays")
    assert result.exit_code == 2
    assert result.stderr == "--birthdays adds the birthdays to the calendar file: give --ics FILE\n"


def several(fw: Path) -> None:
    build_file_tree(
        fw,
        {
            "dossiers/acme.yaml": dossier({"sent": D("2026-11-27")}),
            "dossiers/beta.yaml": dossier({"sent": D("2026-11-30")}, name="Beta Foods"),
            "dossiers/gamma.yaml": dossier(name="Gamma Retail"),
        },
    )


def test_several_dossiers_plan_every_sent_offer(fw: Path) -> None:
    several(fw)
    data = json_of("dossiers/", "--date", "2026-11-30")
    assert [p["client"] for p in data["plans"]] == ["acme-logistics-ad", "beta-foods"]
    assert data["not_sent"] == [{"client": "gamma-retail", "path": "dossiers/gamma.yaml"}]
    assert [s["step"] for s in data["plans"][1]["steps"]][:2] == ["send", "confirm"]


def test_several_dossiers_in_one_table_by_date(fw: Path) -> None:
    several(fw)
    result = run("followup", "dossiers/", "--date", "2026-11-30")
    assert result.exit_code == 0, result.output
    rows = [line for line in result.stdout.splitlines() if line[:3] in ("Fri", "Mon", "Tue")]
    firsts = [(r[:17], r.split()[4]) for r in rows]
    assert firsts[:4] == [
        ("Fri, Nov 27, 2026", "acme-logistics-ad"),
        ("Mon, Nov 30, 2026", "acme-logistics-ad"),
        ("Mon, Nov 30, 2026", "beta-foods"),
        ("Tue, Dec 1, 2026 ", "beta-foods"),
    ]
    assert result.stdout.endswith("\nnot sent: gamma-retail (dossiers/gamma.yaml)\n")


def test_several_dossiers_none_sent_is_exit_1(fw: Path) -> None:
    build_file_tree(
        fw, {"dossiers/a.yaml": dossier(), "dossiers/b.yaml": dossier(name="Beta Foods")}
    )
    result = run("followup", "dossiers/")
    assert result.exit_code == 1
    lines = result.stderr.splitlines()
    assert [line.split(":")[0] for line in lines] == ["dossiers/a.yaml", "dossiers/b.yaml"]
    assert all("the offer has not been sent" in line for line in lines)


def test_library_errors_are_the_projects_errors(fw: Path) -> None:
    build_file_tree(fw, {"dossiers/acme.yaml": dossier()})
    with pytest.raises(InputError):
        plan_followups(find_workspace(), [Path("dossiers/acme.yaml")])
    with pytest.raises(UsageError):
        plan_followups(find_workspace(), [Path("dossiers/acme.yaml")], birthdays=True)


def test_missing_wording_is_located(fw: Path) -> None:
    path = fw / "templates/locales/en.yaml"
    text = path.read_text(encoding="utf-8")
    path.write_text(
        "\n".join(line for line in text.splitlines() if not line.startswith("followup_call:"))
        + "\n",
        encoding="utf-8",
    )
    bg = fw / "templates/locales/bg.yaml"
    bg.write_text(
        "\n".join(
            line
            for line in bg.read_text("utf-8").splitlines()
            if not line.startswith("followup_call:")
        )
        + "\n",
        encoding="utf-8",
    )
    build_file_tree(fw, {"dossiers/acme.yaml": dossier({"sent": D("2026-11-27")})})
    result = run("followup", "dossiers/acme.yaml")
    assert result.exit_code == 1
    assert result.stderr == (
        "templates/locales/bg.yaml:1: wording followup_call missing (kamdocs followup needs it)\n"
        "templates/locales/en.yaml:1: wording followup_call missing (kamdocs followup needs it)\n"
    )


# --- properties -------------------------------------------------------------------------

BG = WorkingCalendar.of("BG")


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    sent=st.dates(dt.date(2026, 1, 1), dt.date(2027, 10, 1)),
    today=st.dates(dt.date(2026, 1, 1), dt.date(2028, 1, 1)),
    validity=st.integers(1, 120),
    confirmed=st.booleans(),
)
def test_plans_hold_their_rules_for_any_dates(
    fw: Path, sent: dt.date, today: dt.date, validity: int, confirmed: bool
) -> None:
    offer: dict[str, Any] = {
        "sent": sent,
        "issued": sent,
        "valid_until": sent + dt.timedelta(days=validity),
    }
    if confirmed:
        offer["confirmed"] = sent
    build_file_tree(fw, {"dossiers/acme.yaml": dossier(offer)})
    result = plan_followups(find_workspace(), [Path("dossiers/acme.yaml")], date=today)
    steps = result.plans[0].steps
    assert [s.order for s in steps] == sorted(s.order for s in steps)
    by = {s.step: s for s in steps}
    call = by["confirm"]
    if confirmed:
        assert (call.date, call.status) == (sent, "done")
    else:
        assert call.date > sent and BG.is_working_day(call.date)
        assert BG.working_days_between(sent, call.date) == 1
    if "expiry_reminder" in by:
        reminder = by["expiry_reminder"].date
        assert sent < reminder < sent + dt.timedelta(days=validity)
        assert BG.is_working_day(reminder)
        assert BG.working_days_between(reminder, sent + dt.timedelta(days=validity)) in (2, 3)
    for s in steps:
        if s.date < today:
            assert s.status in ("done", "overdue")
        elif s.date == today:
            assert s.status in ("done", "due")
        else:
            assert s.status in ("done", "planned")


def test_an_outcome_on_the_sending_day_keeps_the_send(fw: Path) -> None:
    steps = plan(fw, {"sent": D("2026-11-27"), "outcome": "withdrawn"}, "2026-11-27")
    assert steps == [("2026-11-27", "send", "done")]


def test_milestones_of_the_same_months_are_distinct_steps(fw: Path) -> None:
    settings_yaml = (
        "tender_milestones:\n"
        "  - {months: 2, step: {en: Bid review}}\n"
        "  - {months: 2, step: {en: Second review}}\n"
    )
    build_file_tree(fw, {"kamdocs.yaml": settings_yaml})
    build_file_tree(
        fw,
        {
            "dossiers/acme.yaml": dossier(
                {"sent": D("2026-08-03")}, {"name": "T", "submission_date": D("2027-06-01")}
            )
        },
    )
    result = plan_followups(find_workspace(), [Path("dossiers/acme.yaml")], date=D("2026-08-03"))
    keys = [s.key for s in result.plans[0].steps if s.step == "tender_milestone"]
    assert sorted(keys) == ["tender_milestone-2", "tender_milestone-2-1"]


def test_odd_dates_are_warnings(fw: Path) -> None:
    offer = {"sent": D("2026-11-27"), "confirmed": D("2026-11-20"), "delivered": D("2027-03-01")}
    text = dossier(offer)
    build_file_tree(fw, {"dossiers/acme.yaml": text})
    result = run("followup", "dossiers/acme.yaml", "--date", "2026-12-01")
    assert result.exit_code == 0, result.output
    lines = text.splitlines()
    confirmed = next(i for i, t in enumerate(lines, 1) if t.strip().startswith("confirmed:"))
    delivered = next(i for i, t in enumerate(lines, 1) if t.strip().startswith("delivered:"))
    assert result.stderr == (
        f"dossiers/acme.yaml:{confirmed}: warning: offer.confirmed: is before the offer was sent "
        "(2026-11-27)\n"
        f"dossiers/acme.yaml:{delivered}: warning: offer.delivered: no recommendation is "
        "planned without outcome: won\n"
    )
