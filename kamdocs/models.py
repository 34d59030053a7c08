"""The typed models of a dossier, the library and kamdocs.yaml: what each field may hold.

They are the one statement of the formats: ``kamdocs schema`` prints them as JSON Schema, the
located messages of ``kamdocs validate`` come from them, and the validator a command runs is
built from their schema (``record_schemas``, used by ``kamdocs.records``). Importing this
module imports pydantic: a command does so only when an input is wrong or the validator was
not kept yet."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Annotated, Any, Literal

from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    StringConstraints,
    model_validator,
)
from pydantic import Strict as StrictType

from kamdocs import fields, records
from kamdocs.dossier import MAX_SLUG, Knowledge, Role
from kamdocs.library import ID_PATTERN, MAX_WEIGHT, Kind
from kamdocs.records import DossierParts, MemberParts
from kamdocs.slug import SLUG_PATTERN
from kamdocs.workspace import DEFAULT_MILESTONES, Format

# --- field types -----------------------------------------------------------------------------

_TEXT = {"strip_whitespace": True, "min_length": 1}
_LANGUAGE = r"[A-Za-z]{2,3}([_-][A-Za-z0-9]+)*"  # a language code: en, bg, en_GB
LOCALE = rf"^{_LANGUAGE}$"
COUNTRY = r"^[A-Z]{2}$"  # ISO 3166-1 alpha-2
Text = Annotated[str, StringConstraints(**_TEXT), BeforeValidator(fields.as_written)]
# A whole number, and only a number: YAML's yes/true is not 1, and "30" in quotes is a text.
Whole = Annotated[int, StrictType()]
Date = Annotated[dt.date, BeforeValidator(fields.date)]


def amount(**limits: Any) -> Any:
    """An exact decimal number within ``limits`` (``ge=0``…): written 0.1 or "0.1", never a
    float, never a boolean, never infinite. The limits go before the conversion, so that pydantic
    checks them on the decimal itself (as Python code, it would compare a float)."""
    return Annotated[Decimal, Field(allow_inf_nan=False, **limits), BeforeValidator(fields.amount)]


Email = Annotated[
    str,
    StringConstraints(
        strip_whitespace=True,
        pattern=r"^[^@\s<>()\[\],;:\"]+@[^@\s<>()\[\],;:\"]+\.[^@\s<>()\[\],;:\"]+$",
    ),
]
# Each constraint is written before the conversion that comes first, so that pydantic checks it
# in the type's own validator rather than in a function of its own after the conversion.
Currency = Annotated[str, Field(pattern=r"^[A-Z]{3}$"), BeforeValidator(fields.iso_currency)]
LocalText = Annotated[
    dict[Annotated[str, Field(pattern=rf"^(\*|{_LANGUAGE})$")], Text],
    Field(min_length=1),
    BeforeValidator(fields.local_text),
]
MemberId = Annotated[
    str,
    StringConstraints(**_TEXT, pattern=ID_PATTERN),
    BeforeValidator(fields.as_written),
]


class Strict(BaseModel):
    """Unknown keys are errors (typos must not pass silently); ``x-`` keys are free."""

    model_config = ConfigDict(extra="forbid", coerce_numbers_to_str=True, defer_build=True)

    @model_validator(mode="before")
    @classmethod
    def _drop_extension_keys(cls, data: Any) -> Any:
        return fields.drop_extension_keys(data)


# --- the dossier ------------------------------------------------------------------------------


class Client(Strict):
    name: Text
    slug: Annotated[str, Field(pattern=SLUG_PATTERN, max_length=MAX_SLUG)] | None = None
    industry: Text | None = None
    locale: Annotated[str, Field(pattern=LOCALE)] | None = None
    share_of_sales: amount(ge=0, le=1) | None = None
    # ISO 3166-1 alpha-2; argument texts may print {{ client.country_name }}
    country: Annotated[str, Field(pattern=COUNTRY)] | None = None


class Business(Strict):
    situation: Text | None = None
    weaknesses: list[Text] = []
    growth_areas: list[Text] = []


class HistoryEntry(Strict):
    date: Date
    summary: Text
    result: Text | None = None


class Relationship(Strict):
    status: Literal["new", "existing"]
    history: list[HistoryEntry] = []


class Tender(Strict):
    name: Text
    submission_date: Date
    preparation_started: Date | None = None  # when the supplier began preparing


class Member(Strict, MemberParts):
    name: Text
    id: MemberId | None = None
    position: Text
    persona: Text
    role: Role = "evaluator"
    knowledge: Knowledge = "informed"
    cooperated_before: bool = False
    priorities: list[Text] = []
    prefers: list[Kind] = []
    email: Email | None = None
    phone: Text | None = None
    private: dict[str, Any] | None = None  # NEVER rendered into a client-facing document


class Item(Strict):
    description: Text
    quantity: amount(gt=0) = Decimal(1)
    unit: Text | None = None
    unit_price: amount(ge=0)


class Pricing(Strict):
    currency: Currency
    vat_percent: amount(ge=0, le=100) | None = None
    items: list[Item] = Field(min_length=1)


class Offer(Strict):
    title: Text
    summary: Text | None = None
    products: list[Text] = []
    include: list[Text] = []
    exclude: list[Text] = []
    issued: Date | None = None
    valid_days: Annotated[Whole, Field(ge=1, le=3650)] | None = None
    valid_until: Date | None = None
    pricing: Pricing | None = None
    # After sending (SPEC v2): what `kamdocs followup` and `kamdocs portfolio` plan from.
    sent: Date | None = None  # the day the proposal went out
    sent_by: Literal["email", "letter", "in_person"] = "email"
    contact: Text | None = None  # the DMU member id who receives it
    confirmed: Date | None = None  # receipt confirmed: the confirmation call is done
    review_meeting: Date | None = None  # agreed date to discuss intermediate results
    outcome: Literal["won", "lost", "withdrawn"] | None = None
    delivered: Date | None = None  # the project or delivery was completed (after won)


class TeamMember(Strict):
    name: Text
    position: Text
    email: Email | None = None
    phone: Text | None = None
    lead: bool = False


class Dossier(Strict, DossierParts):
    client: Client
    business: Business = Business()
    relationship: Relationship
    criteria: list[Text] = []
    tender: Tender | None = None
    dmu: list[Member] = Field(min_length=1)
    offer: Offer
    team: list[TeamMember] = Field(min_length=1)


# --- the library ------------------------------------------------------------------------------


class Persona(Strict):
    label: LocalText
    kinds: dict[Kind, Annotated[Whole, Field(ge=0, le=MAX_WEIGHT)]] = Field(min_length=1)
    max: Whole = Field(4, ge=1, le=100)


class Figure(Strict):
    label: LocalText
    value: LocalText


class Argument(Strict):
    id: Annotated[str, Field(pattern=ID_PATTERN)]
    kind: Kind
    title: LocalText
    text: LocalText
    detail: LocalText | None = None
    figures: list[Figure] = []
    criteria: list[Text] = []
    products: list[Text] = []
    relationship: Literal["any", "new", "existing"] = "any"


class Recommender(Strict):
    name: Text
    position: Text | None = None
    company: Text | None = None
    email: Email | None = None
    phone: Text | None = None
    consent: bool = False


class Reference(Strict):
    id: Annotated[str, Field(pattern=ID_PATTERN)]
    company: Text
    industry: Text | None = None
    significant: bool = False
    project: LocalText
    result: LocalText | None = None
    recommender: Recommender | None = None


# --- kamdocs.yaml -----------------------------------------------------------------------------


class Supplier(Strict):
    """Who writes the proposals: printed in the DOCX header and footer and the HTML page."""

    name: LocalText | None = None
    address: LocalText | None = None
    website: Text | None = None
    country: str = Field("BG", pattern=COUNTRY)  # whose public holidays count


class CalendarSettings(Strict):
    """Overrides of the working-day calendar: decrees come late."""

    days_off: list[Date] = []  # extra non-working days
    working_days: list[Date] = []  # working Saturdays (or other days off worked)


class FollowupSettings(Strict):
    expiry_reminder_days: Whole = Field(3, ge=0, le=250)  # working days before expiry


class Milestone(Strict):
    months: Whole = Field(ge=0, le=60)  # before tender.submission_date
    step: LocalText


def _default_milestones() -> list[Milestone]:
    return [Milestone.model_validate(m) for m in DEFAULT_MILESTONES]


class Settings(Strict):
    dossiers: str = "dossiers"
    templates: str = "templates"
    out: str = "build"
    locale: str = Field("en", pattern=LOCALE)
    valid_days: Whole = Field(30, ge=1, le=3650)
    formats: list[Format] = Field(["md", "docx"], min_length=1)
    supplier: Supplier = Supplier()
    calendar: CalendarSettings = CalendarSettings()
    followup: FollowupSettings = FollowupSettings()
    tender_milestones: list[Milestone] = Field(default_factory=_default_milestones)


# --- the validator a command runs -------------------------------------------------------------


def record_schemas() -> dict[str, tuple[dict, dict]]:
    """For each model of ``records.TOP``: its core schema and config as pydantic made them,
    with the models made records and the functions those of ``kamdocs.fields`` (what is kept
    between runs must be found again without pydantic). Raises ``TypeError`` on anything else
    the schema holds: a function of pydantic's own would not be found again."""
    made = {}
    for name in records.TOP:
        model = globals()[name]
        model.model_rebuild()
        schema, config, *_ = model.__pydantic_validator__.__reduce__()[1]
        made[name] = (_plain(schema), dict(config))
    return made


def _plain(value: Any) -> Any:
    if isinstance(value, dict):
        out = {}
        for key, item in value.items():
            if key == "metadata":  # pydantic's notes for its JSON Schema: not validation
                continue
            if key == "default_factory":  # a factory of no arguments: its value, copied per use
                out["default"] = _plain(item())
                continue
            if key == "default_factory_takes_data":
                continue
            out[key] = _plain(item)
        return out
    if isinstance(value, list | tuple):
        return type(value)(_plain(v) for v in value)
    if isinstance(value, type) and issubclass(value, BaseModel):
        return getattr(records, value.__name__)
    if isinstance(value, BaseModel):  # a default, such as Business()
        return _record(value)
    if getattr(value, "__func__", None) is Strict._drop_extension_keys.__func__:
        return fields.drop_extension_keys
    if callable(value):
        name = getattr(value, "__name__", "")
        if getattr(value, "__module__", None) == fields.__name__ and hasattr(fields, name):
            return value
        raise TypeError(f"the models' schema holds {value!r}, which kamdocs.fields does not")
    return value


def _record(model: BaseModel) -> records.Record:
    kind = getattr(records, type(model).__name__)
    record = kind.__new__(kind)
    object.__setattr__(record, "__dict__", {k: _plain(v) for k, v in model.__dict__.items()})
    object.__setattr__(record, "__pydantic_fields_set__", set(model.model_fields_set))
    object.__setattr__(record, "__pydantic_extra__", None)
    object.__setattr__(record, "__pydantic_private__", None)
    return record
