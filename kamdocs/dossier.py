"""The dossier: the typed model of one key client, and loading it with located errors."""

from __future__ import annotations

import datetime as dt
import difflib
from decimal import Context, Decimal
from pathlib import Path
from typing import Annotated, Any, Literal, TypeVar

from pydantic import BaseModel, Field, ValidationError, model_validator

from kamdocs import yamlsrc
from kamdocs.errors import InputError, Problem, raise_if
from kamdocs.library import Kind, Library
from kamdocs.slug import SLUG_PATTERN, slugify
from kamdocs.validation import Email, Strict, Text, validate
from kamdocs.yamlsrc import printable

M = TypeVar("M", bound=BaseModel)
Role = Literal["decision_maker", "approver", "evaluator", "influencer"]
Knowledge = Literal["expert", "informed", "novice"]
ROLES: tuple[str, ...] = Role.__args__  # most senior first


class Client(Strict):
    name: Text
    slug: Annotated[str, Field(pattern=SLUG_PATTERN, max_length=100)] | None = None
    industry: Text | None = None
    locale: Annotated[str, Field(pattern=r"^[A-Za-z]{2,3}([_-][A-Za-z0-9]+)*$")] | None = None
    share_of_sales: Annotated[Decimal, Field(ge=0, le=1, allow_inf_nan=False)] | None = None
    # ISO 3166-1 alpha-2; argument texts may print {{ client.country_name }}
    country: Annotated[str, Field(pattern=r"^[A-Z]{2}$")] | None = None


class Business(Strict):
    situation: Text | None = None
    weaknesses: list[Text] = []
    growth_areas: list[Text] = []


class HistoryEntry(Strict):
    date: dt.date
    summary: Text
    result: Text | None = None


class Relationship(Strict):
    status: Literal["new", "existing"]
    history: list[HistoryEntry] = []


class Tender(Strict):
    name: Text
    submission_date: dt.date
    preparation_started: dt.date | None = None  # when the supplier began preparing


class Member(Strict):
    name: Text
    id: Annotated[str, Field(pattern=r"^[A-Za-z0-9][A-Za-z0-9_.-]*$")] | None = None
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

    @property
    def key(self) -> str:
        """The member's id, given or derived from the name."""
        return self.id or slugify(self.name) or "member"


class Item(Strict):
    description: Text
    quantity: Annotated[Decimal, Field(gt=0, allow_inf_nan=False)] = Decimal(1)
    unit: Text | None = None
    unit_price: Annotated[Decimal, Field(ge=0, allow_inf_nan=False)]


class Pricing(Strict):
    currency: Annotated[str, Field(pattern=r"^[A-Z]{3}$")]
    vat_percent: Annotated[Decimal, Field(ge=0, le=100, allow_inf_nan=False)] | None = None
    items: list[Item] = Field(min_length=1)


class Offer(Strict):
    title: Text
    summary: Text | None = None
    products: list[Text] = []
    include: list[Text] = []
    exclude: list[Text] = []
    issued: dt.date | None = None
    valid_days: Annotated[int, Field(ge=1, le=3650)] | None = None
    valid_until: dt.date | None = None
    pricing: Pricing | None = None
    # After sending (SPEC v2): what `kamdocs followup` and `kamdocs portfolio` plan from.
    sent: dt.date | None = None  # the day the proposal went out
    sent_by: Literal["email", "letter", "in_person"] = "email"
    contact: Text | None = None  # the DMU member id who receives it
    confirmed: dt.date | None = None  # receipt confirmed: the confirmation call is done
    review_meeting: dt.date | None = None  # agreed date to discuss intermediate results
    outcome: Literal["won", "lost", "withdrawn"] | None = None
    delivered: dt.date | None = None  # the project or delivery was completed (after won)


class TeamMember(Strict):
    name: Text
    position: Text
    email: Email | None = None
    phone: Text | None = None
    lead: bool = False


class Dossier(Strict):
    client: Client
    business: Business = Business()
    relationship: Relationship
    criteria: list[Text] = []
    tender: Tender | None = None
    dmu: list[Member] = Field(min_length=1)
    offer: Offer
    team: list[TeamMember] = Field(min_length=1)

    @model_validator(mode="after")
    def _not_both_validities(self) -> Dossier:
        if self.offer.valid_days is not None and self.offer.valid_until is not None:
            raise ValueError("give offer.valid_days or offer.valid_until, not both")
        return self

    @property
    def slug(self) -> str:
        return self.client.slug or slugify(self.client.name)

    @property
    def contact(self) -> Member:
        """Who receives the offer: ``offer.contact``, else the first decision maker, else the
        first member."""
        if self.offer.contact is not None:
            for member in self.dmu:
                if member.key == self.offer.contact:
                    return member
        return next((m for m in self.dmu if m.role == "decision_maker"), self.dmu[0])

    @property
    def lead(self) -> TeamMember:
        """The team member who leads: the one marked ``lead``, else the first."""
        return next((m for m in self.team if m.lead), self.team[0])


class Loaded:
    """A validated dossier with where it came from and the dates it resolves to."""

    def __init__(
        self,
        path: str,
        dossier: Dossier,
        source: yamlsrc.Source,
        issued: dt.date,
        valid_until: dt.date,
        lang: str,
    ):
        self.path, self.dossier, self.source = path, dossier, source
        self.issued, self.valid_until, self.lang = issued, valid_until, lang

    @property
    def slug(self) -> str:
        return self.dossier.slug

    @property
    def slug_field(self) -> tuple[str, str]:
        """The field the file name comes from: ``client.slug`` where given, else the name."""
        return ("client", "slug") if self.dossier.client.slug else ("client", "name")

    @property
    def slug_at(self) -> tuple[int, str]:
        """Line and dotted name of ``slug_field``, for a message about the file name."""
        return self.source.line(self.slug_field), ".".join(self.slug_field)


def load_dossier(
    path: Path | str,
    library: Library,
    build_date: dt.date,
    default_valid_days: int = 30,
    default_locale: str = "en",
    display: str | None = None,
) -> Loaded:
    """Read, validate and cross-check one dossier; raise ``InputError`` with every problem."""
    display = display or str(path)
    source = yamlsrc.load(path, display)
    return check_source(source, library, build_date, default_valid_days, default_locale)


def check_source(
    source: yamlsrc.Source,
    library: Library,
    build_date: dt.date,
    default_valid_days: int = 30,
    default_locale: str = "en",
) -> Loaded:
    """Validate parsed YAML as a dossier, against the library; every problem at once."""
    if not isinstance(source.data, dict):
        raise InputError(
            [
                source.problem(
                    (), "a dossier must be a mapping with client, relationship, dmu, offer and team"
                )
            ]
        )
    dossier, problems = validate(Dossier, source, source.data)
    if dossier is None:
        # A both-validities error is reported at offer.valid_until rather than the top of the file.
        problems = [_relocate(p, source) for p in problems]
        # Still cross-check the parts that are valid on their own: all problems at once.
        client, members, offer = _valid_parts(source.data)
    else:
        client, members, offer = dossier.client, list(enumerate(dossier.dmu)), dossier.offer
    lang = default_locale
    if client is not None:
        problems += _check_client(client, source)
        lang = client.locale or default_locale
        if lang not in library.locales:
            where = ("client", "locale") if client.locale else ("client",)
            problems.append(
                source.problem(
                    where,
                    f"no wording for language '{lang}' "
                    f"(known: {', '.join(sorted(library.locales))})",
                )
            )
    problems += _check_members(members, source, library)
    if offer is not None and offer.contact is not None and dossier is not None:
        ids = [m.key for m in dossier.dmu]
        if offer.contact not in ids:
            close = difflib.get_close_matches(offer.contact, ids, n=1)
            hint = f"; did you mean '{close[0]}'?" if close else f" (members: {', '.join(ids)})"
            problems.append(
                source.problem(
                    ("offer", "contact"),
                    f"'{printable(offer.contact)}' is not the id of a DMU member{hint}",
                )
            )
    issued = valid_until = build_date
    if offer is not None:
        problems += _check_offer(offer, source, library)
        issued = offer.issued or build_date
        if offer.valid_until is not None:
            valid_until = offer.valid_until
        else:
            valid_until = issued + dt.timedelta(days=offer.valid_days or default_valid_days)
        if valid_until <= issued:
            where = ("offer", "valid_until") if offer.valid_until else ("offer", "issued")
            problems.append(
                source.problem(
                    where,
                    f"the offer expires ({valid_until.isoformat()}) on or before "
                    f"it is issued ({issued.isoformat()})",
                )
            )
    raise_if(problems)
    assert dossier is not None  # no problems means the whole dossier validated
    return Loaded(source.path, dossier, source, issued, valid_until, lang)


def _relocate(problem: Problem, source: yamlsrc.Source) -> Problem:
    if "not both" in problem.message:
        return source.problem(("offer", "valid_until"), problem.message)
    return problem


def _valid_parts(
    data: dict[str, Any],
) -> tuple[Client | None, list[tuple[int, Member]], Offer | None]:
    """The client, DMU members and offer that are valid by themselves (their problems are known)."""

    def part(model: type[M], value: Any) -> M | None:
        try:
            return model.model_validate(value)
        except ValidationError:
            return None

    dmu = data.get("dmu")
    members = []
    if isinstance(dmu, list):
        members = [(i, m) for i, item in enumerate(dmu) if (m := part(Member, item)) is not None]
    return part(Client, data.get("client")), members, part(Offer, data.get("offer"))


def _check_client(client: Client, source: yamlsrc.Source) -> list[Problem]:
    if not client.slug and not slugify(client.name):
        return [
            source.problem(
                ("client", "name"), "cannot make a file name from this name; give client.slug"
            )
        ]
    return []


def _check_members(
    members: list[tuple[int, Member]], source: yamlsrc.Source, library: Library
) -> list[Problem]:
    problems = []
    seen: dict[str, int] = {}
    for i, member in members:
        where = ("dmu", i, "id") if member.id else ("dmu", i, "name")
        if member.key in seen:
            problems.append(
                source.problem(
                    where,
                    f"member id '{member.key}' is already used by dmu[{seen[member.key]}]; "
                    "give each member a unique id",
                )
            )
        seen.setdefault(member.key, i)
        if member.persona not in library.personas:
            problems.append(
                source.problem(
                    ("dmu", i, "persona"),
                    f"unknown persona '{printable(member.persona)}' "
                    f"(known: {', '.join(library.personas)})",
                )
            )
    return problems


# Bounds on the numbers of a price list. Within them every amount, subtotal and VAT is computed
# exactly in 28-digit decimal arithmetic; past them `unit_price: 1e27` crashed the rounding and a
# quantity of 1E+999999 asked Babel for a number a million digits long.
MAX_AMOUNT = Decimal(10) ** 15  # a quantity, a price or a line's amount: more than any offer
MAX_PLACES = 10  # decimal places of a quantity, a price or the VAT rate
_EXACT = Context(prec=80)  # enough for the product of two numbers within the bounds above


def _places(value: Decimal) -> int:
    """Decimal places of ``value`` as written, trailing zeros aside (``1.50`` has one)."""
    _, digits, exponent = value.as_tuple()
    written = "".join(map(str, digits)).rstrip("0")
    if not isinstance(exponent, int) or exponent >= 0 or not written:
        return 0
    return max(0, -(exponent + len(digits) - len(written)))


def _check_pricing(pricing: Pricing, source: yamlsrc.Source) -> list[Problem]:
    """Numbers of the price list too large or too fine to compute and print exactly."""
    limit = f"{MAX_AMOUNT:,.0f}"
    problems = []

    def check(value: Decimal | None, path: tuple[str | int, ...]) -> bool:
        if value is None:
            return True
        if value.copy_abs() >= MAX_AMOUNT:
            problems.append(source.problem(path, f"must be less than {limit}"))
            return False
        if _places(value) > MAX_PLACES:
            message = f"more than {MAX_PLACES} decimal places; round it"
            problems.append(source.problem(path, message))
            return False
        return True

    check(pricing.vat_percent, ("offer", "pricing", "vat_percent"))
    for i, item in enumerate(pricing.items):
        at = ("offer", "pricing", "items", i)
        fine = check(item.quantity, (*at, "quantity"))
        fine = check(item.unit_price, (*at, "unit_price")) and fine
        if fine and _EXACT.multiply(item.quantity, item.unit_price).copy_abs() >= MAX_AMOUNT:
            message = f"quantity × unit_price must be less than {limit}"
            problems.append(source.problem((*at, "unit_price"), message))
    return problems


def _check_offer(offer: Offer, source: yamlsrc.Source, library: Library) -> list[Problem]:
    problems = []
    for key in ("include", "exclude"):
        for j, arg_id in enumerate(getattr(offer, key)):
            if arg_id not in library.arguments:
                problems.append(
                    source.problem(("offer", key, j), f"unknown argument '{printable(arg_id)}'")
                )
    for j, arg_id in enumerate(offer.include):
        if arg_id in offer.exclude:
            problems.append(
                source.problem(
                    ("offer", "include", j),
                    f"argument '{printable(arg_id)}' is both included and excluded",
                )
            )
    if offer.pricing is not None:
        from babel.numbers import list_currencies  # noqa: PLC0415 - Babel is slow to import

        if offer.pricing.currency not in list_currencies():
            problems.append(
                source.problem(
                    ("offer", "pricing", "currency"),
                    f"'{offer.pricing.currency}' is not an ISO 4217 currency code",
                )
            )
        problems += _check_pricing(offer.pricing, source)
    return problems
