"""The dossier of one key client: loading it, with located errors, and checking it across fields
(the fields themselves: ``kamdocs.models``)."""

from __future__ import annotations

import datetime as dt
import re
from decimal import Context, Decimal
from pathlib import Path
from typing import Any, Literal

from kamdocs import yamlsrc
from kamdocs.errors import InputError, Problem, closest, raise_if, split
from kamdocs.library import Library, Origin, once_per_library, pick_key
from kamdocs.records import Client, Dossier, Member, Offer, Pricing, Tender
from kamdocs.slug import slugify
from kamdocs.validation import validate
from kamdocs.yamlsrc import format_path, printable

Role = Literal["decision_maker", "approver", "evaluator", "influencer"]
Knowledge = Literal["expert", "informed", "novice"]
ROLES: tuple[str, ...] = Role.__args__  # most senior first

MAX_SLUG = 100  # characters of a file name made from a client (and ".docx" after it)


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
        warnings: list[Problem] | None = None,
    ):
        self.path, self.dossier, self.source = path, dossier, source
        self.issued, self.valid_until, self.lang = issued, valid_until, lang
        self.warnings = warnings or []  # what the user must see, though the dossier is valid

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
    library: Library | None,
    build_date: dt.date,
    default_valid_days: int = 30,
    default_locale: str = "en",
    display: str | None = None,
) -> Loaded:
    """Read, validate and cross-check one dossier; raise ``InputError`` with every problem.

    Without a ``library`` (it is broken), the checks against it are left out and the rest run:
    a library error must not hide the dossiers' own problems."""
    display = display or str(path)
    source = yamlsrc.load(path, display, keep_going=True)
    return check_source(source, library, build_date, default_valid_days, default_locale)


def check_source(
    source: yamlsrc.Source,
    library: Library | None,
    build_date: dt.date,
    default_valid_days: int = 30,
    default_locale: str = "en",
) -> Loaded:
    """Validate parsed YAML as a dossier, against the library; every problem at once.

    Raises ``InputError`` when any problem is an error; the warnings of a valid dossier are
    on ``Loaded.warnings``. The problems YAML found in values (``source.problems``) do not stop
    the checks: the schema and cross-field problems of the same file are reported with them.
    """
    problems = list(source.problems)
    if not isinstance(source.data, dict):
        problems.append(
            source.problem(
                (), "a dossier must be a mapping with client, relationship, dmu, offer and team"
            )
        )
        raise InputError(problems)
    data = source.data
    dossier, found = validate("Dossier", source, data)
    problems += found
    # The cross-field checks run on every part that is valid once its wrong fields are left
    # out, so that one wrong field does not hide the other problems of a member or the offer.
    client = dossier.client if dossier else _lenient("Client", data.get("client"))
    members = list(enumerate(dossier.dmu)) if dossier else _lenient_list("Member", data.get("dmu"))
    offer = dossier.offer if dossier else _lenient("Offer", data.get("offer"))
    tender = dossier.tender if dossier else _lenient("Tender", data.get("tender"))
    lang = default_locale
    if client is not None:
        problems += _check_client(client, source, library)
        lang = client.locale or default_locale
    problems += _check_members(members, source, library)
    if library is not None:
        problems += _check_criteria(data, source, library)
    problems += _check_history(data, source)
    problems += _check_team(data, source)
    problems += _check_placeholders(data, source)
    if library is not None and lang in library.locales:
        problems += missing_texts(library, lang)
    if offer is not None and offer.contact is not None:
        ids = [m.key for _, m in members]
        if offer.contact not in ids:
            close = closest(offer.contact, ids)
            hint = f"; did you mean '{close}'?" if close else f" (members: {', '.join(ids)})"
            problems.append(
                source.problem(
                    ("offer", "contact"),
                    f"'{printable(offer.contact)}' is not the id of a DMU member{hint}",
                )
            )
    issued = valid_until = build_date
    if offer is not None:
        if library is not None:
            problems += _check_offer(offer, source, library)
        given = data["offer"] if isinstance(data.get("offer"), dict) else {}
        both = given.get("valid_days") is not None and given.get("valid_until") is not None
        if both:
            message = "give offer.valid_days or offer.valid_until, not both"
            problems.append(source.problem(("offer", "valid_until"), message))
        issued = offer.issued or build_date
        dates = _validity(offer, source, issued, default_valid_days)
        if isinstance(dates, Problem):
            problems.append(dates)
        else:
            valid_until = dates
            if not both:
                problems += _check_validity(offer, tender, source, issued, valid_until)
    raise_if(problems)
    assert dossier is not None  # no error means the whole dossier validated
    return Loaded(source.path, dossier, source, issued, valid_until, lang, split(problems)[1])


def _validity(
    offer: Offer, source: yamlsrc.Source, issued: dt.date, default_valid_days: int
) -> dt.date | Problem:
    """The day the offer expires, or the problem that it cannot (past the calendar's end)."""
    if offer.valid_until is not None:
        return offer.valid_until
    days = offer.valid_days or default_valid_days
    try:
        return issued + dt.timedelta(days=days)
    except OverflowError:
        if offer.valid_days is not None:
            where: tuple[str, ...] = ("offer", "valid_days")
        else:
            where = ("offer", "issued") if offer.issued else ("offer",)
        return source.problem(
            where,
            f"the offer would expire {days} days after {issued.isoformat()}, "
            f"past the last date kamdocs can write ({dt.date.max.isoformat()})",
        )


def _check_validity(
    offer: Offer,
    tender: Tender | None,
    source: yamlsrc.Source,
    issued: dt.date,
    valid_until: dt.date,
) -> list[Problem]:
    if offer.valid_until is not None:
        where: tuple[str, ...] = ("offer", "valid_until")
    elif offer.valid_days is not None:
        where = ("offer", "valid_days")
    else:
        where = ("offer", "issued") if offer.issued else ("offer",)
    if valid_until <= issued:
        where = ("offer", "valid_until") if offer.valid_until else ("offer", "issued")
        return [
            source.problem(
                where,
                f"the offer expires ({valid_until.isoformat()}) on or before "
                f"it is issued ({issued.isoformat()})",
            )
        ]
    if tender is not None and valid_until < tender.submission_date:
        return [
            source.problem(
                where,
                f"the offer expires ({valid_until.isoformat()}) before the tender's submission "
                f"date ({tender.submission_date.isoformat()}); make it valid until then",
            ).as_warning()
        ]
    return []


# What stands in for a required field that is missing or wrong while the rest of a part is
# cross-checked; no check reports on it (its own problem is reported by the schema).
MISSING = "\x00"
_FILLERS: tuple[Any, ...] = (MISSING, dt.date.min)


def _lenient(name: str, value: Any) -> Any:
    """``value`` as the model ``name`` with its wrong fields left out (a required one stands as
    ``MISSING``, or the earliest date), or ``None`` when that cannot make it valid. Its problems
    are reported by the whole dossier's validation; this is for the cross-field checks (of a
    dossier that is wrong already: pydantic's models are imported for it)."""
    if not isinstance(value, dict):
        return None
    from pydantic import ValidationError  # noqa: PLC0415

    from kamdocs import models  # noqa: PLC0415

    model = getattr(models, name)
    data = dict(value)
    required = {name for name, f in model.model_fields.items() if f.is_required()}
    tried: dict[Any, int] = {}
    for _ in range(len(data) + 3 * len(model.model_fields) + 1):
        try:
            return model.model_validate(data)
        except ValidationError as exc:
            keys = {e["loc"][0] if e["loc"] else None for e in exc.errors()}
            if None in keys:
                return None  # about the whole part: nothing to leave out
            for key in keys:
                if key not in required:
                    data.pop(key, None)
                    continue
                n = tried.get(key, -1) + 1
                if n == len(_FILLERS):
                    return None
                data[key], tried[key] = _FILLERS[n], n
    return None


def _lenient_list(name: str, value: Any) -> list[tuple[int, Any]]:
    if not isinstance(value, list):
        return []
    return [(i, m) for i, item in enumerate(value) if (m := _lenient(name, item)) is not None]


def _raw_list(data: dict[str, Any], *path: str) -> list[Any]:
    """The list at ``path`` of the dossier as written, or ``[]``."""
    value: Any = data
    for key in path:
        value = value.get(key) if isinstance(value, dict) else None
    return value if isinstance(value, list) else []


def _check_client(client: Client, source: yamlsrc.Source, library: Library | None) -> list[Problem]:
    problems = []
    if not client.slug and client.name != MISSING:
        slug = slugify(client.name)
        if not slug:
            message = "cannot make a file name from this name; give client.slug"
            problems.append(source.problem(("client", "name"), message))
        elif len(slug) > MAX_SLUG:
            message = (
                f"makes a file name of {len(slug)} characters (at most {MAX_SLUG}); "
                "give a shorter client.slug"
            )
            problems.append(source.problem(("client", "name"), message))
    if library is None:
        return problems
    if client.locale is not None and client.locale not in library.locales:
        known = sorted(library.locales)
        close = closest(client.locale.lower(), known)
        hint = f"; did you mean '{close}'?" if close else ""
        problems.append(
            source.problem(
                ("client", "locale"),
                f"no wording for language '{printable(client.locale)}' "
                f"(known: {', '.join(known)}){hint}",
            )
        )
    if client.industry is not None:
        industries = {_norm(r.industry): r.industry for r in library.references if r.industry}
        if industries and _norm(client.industry) not in industries:
            close = closest(_norm(client.industry), industries)
            hint = (
                f"; did you mean '{industries[close]}'?"
                if close
                else f" (industries: {', '.join(sorted(set(industries.values())))})"
            )
            problems.append(
                source.problem(
                    ("client", "industry"),
                    f"no reference project has the industry '{printable(client.industry)}', "
                    f"so none is shown first{hint}",
                ).as_warning()
            )
    return problems


def _norm(text: str) -> str:
    return " ".join(text.casefold().split())


def did_you_mean(value: str, known: list[str]) -> str:
    """``; did you mean 'x'?`` for the known value ``value`` was probably meant as, or ``""``.

    Ignores case, and knows an abbreviation by its initials (``human_resources`` -> ``hr``).
    """
    folded = {k.casefold(): k for k in known}
    wanted = value.casefold().strip()
    if wanted in folded:
        return f"; did you mean '{folded[wanted]}'?"
    initials = "".join(w[0] for w in re.split(r"[\s_.-]+", wanted) if w)
    if len(initials) > 1 and initials in folded:
        return f"; did you mean '{folded[initials]}'?"
    close = closest(wanted, folded)
    return f"; did you mean '{folded[close]}'?" if close else ""


def _check_members(
    members: list[tuple[int, Member]], source: yamlsrc.Source, library: Library | None
) -> list[Problem]:
    problems = []
    seen: dict[str, int] = {}
    for i, member in members:
        where = ("dmu", i, "id") if member.id else ("dmu", i, "name")
        named = member.id is not None or member.name != MISSING  # else: reported as missing
        if named and member.key in seen:
            problems.append(
                source.problem(
                    where,
                    f"member id '{member.key}' is already used by dmu[{seen[member.key]}]; "
                    "give each member a unique id",
                )
            )
        if named:
            seen.setdefault(member.key, i)
        if library is None:
            continue
        if member.persona != MISSING and member.persona not in library.personas:
            known = list(library.personas)
            problems.append(
                source.problem(
                    ("dmu", i, "persona"),
                    f"unknown persona '{printable(member.persona)}' "
                    f"(known: {', '.join(known)}){did_you_mean(member.persona, known)}",
                )
            )
    return problems


@once_per_library(16)
def _answered(library: Library) -> dict[str, str]:
    """Every criterion some argument answers, normalised -> as written."""
    return {_norm(c): c for arg in library.arguments.values() for c in arg.criteria}


def _check_criteria(
    data: dict[str, Any], source: yamlsrc.Source, library: Library
) -> list[Problem]:
    """Client criteria and member priorities that no argument answers: they change nothing."""
    answered = _answered(library)
    places: list[tuple[tuple[str | int, ...], Any]] = [
        (("criteria", j), c) for j, c in enumerate(_raw_list(data, "criteria"))
    ]
    for i, member in enumerate(_raw_list(data, "dmu")):
        if isinstance(member, dict):
            priorities = member.get("priorities")
            if isinstance(priorities, list):
                places += [(("dmu", i, "priorities", j), p) for j, p in enumerate(priorities)]
    problems = []
    for path, text in places:
        if not isinstance(text, str) or not text.strip() or _norm(text) in answered:
            continue
        close = closest(_norm(text), answered)
        hint = f"; did you mean '{answered[close]}'?" if close else ""
        problems.append(
            source.problem(
                path,
                f"no argument answers '{printable(text.strip())}', so it changes nothing{hint}",
            ).as_warning()
        )
    return problems


def _check_history(data: dict[str, Any], source: yamlsrc.Source) -> list[Problem]:
    relationship = data.get("relationship")
    if not isinstance(relationship, dict) or relationship.get("status") != "new":
        return []
    if not _raw_list(data, "relationship", "history"):
        return []
    return [
        source.problem(
            ("relationship", "history"),
            "a new client's proposal shows no history (relationship.status is new); "
            "make the status existing to show it, or remove the history",
        ).as_warning()
    ]


def _check_team(data: dict[str, Any], source: yamlsrc.Source) -> list[Problem]:
    team = _raw_list(data, "team")
    leads = [i for i, m in enumerate(team) if isinstance(m, dict) and m.get("lead") is True]
    if len(leads) > 1:
        return [
            source.problem(
                ("team", i, "lead"),
                f"team[{leads[0]}] is the lead already; mark exactly one member lead: true",
            )
            for i in leads[1:]
        ]
    if team and not leads:
        first = team[0].get("name") if isinstance(team[0], dict) else None
        who = f" ({printable(str(_as_text(first)))})" if isinstance(first, str | int) else ""
        return [
            source.problem(
                ("team",),
                f"no member is marked lead: true; the first{who} is shown as the lead",
            ).as_warning()
        ]
    return []


def _as_text(value: Any) -> Any:
    return getattr(value, "yaml_text", value)


def _check_placeholders(data: dict[str, Any], source: yamlsrc.Source) -> list[Problem]:
    """Texts of the starter dossier (``kamdocs new``) still in the dossier."""
    from kamdocs.starter import PLACEHOLDERS  # noqa: PLC0415 - only its texts are needed

    problems = []

    def walk(value: Any, path: tuple[str | int, ...]) -> None:
        if isinstance(value, dict):
            for key, child in value.items():
                if key != "private":  # the user's own notes: never checked
                    walk(child, (*path, key))
        elif isinstance(value, list):
            for i, child in enumerate(value):
                walk(child, (*path, i))
        elif isinstance(value, str) and value.strip() in PLACEHOLDERS:
            problems.append(
                source.problem(
                    path,
                    f"still the starter's placeholder '{value.strip()}'; write the real value",
                ).as_warning()
            )

    walk(data, ())
    return problems


@once_per_library(16)
def missing_texts(library: Library, lang: str) -> list[Problem]:
    """Library texts with no wording for ``lang`` (the English one is printed meanwhile)."""
    problems = []

    def check(text: dict[str, str] | None, origin: Origin, what: str, *path: str | int) -> None:
        if text is None or pick_key(text, lang) in (lang, lang.split("_")[0].split("-")[0], "*"):
            return
        used = pick_key(text, lang)
        problems.append(
            Problem(
                origin.path,
                origin.line_of(*path),
                format_path(path),
                f"{what} has no '{lang}' text; a '{lang}' proposal prints the '{used}' one",
                "warning",
            )
        )

    for arg_id, arg in library.arguments.items():
        origin = library.origins.get(arg_id)
        if origin is None:
            continue
        what = f"argument '{arg_id}'"
        check(arg.title, origin, what, "title")
        check(arg.text, origin, what, "text")
        check(arg.detail, origin, what, "detail")
        for j, figure in enumerate(arg.figures):
            check(figure.label, origin, what, "figures", j, "label")
            check(figure.value, origin, what, "figures", j, "value")
    for ref in library.references:
        origin = library.origins.get("reference:" + ref.id)
        if origin is not None:
            what = f"reference '{ref.id}'"
            check(ref.project, origin, what, "project")
            check(ref.result, origin, what, "result")
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
    known = list(library.arguments)
    for key in ("include", "exclude"):
        for j, arg_id in enumerate(getattr(offer, key)):
            if arg_id not in library.arguments:
                problems.append(
                    source.problem(
                        ("offer", key, j),
                        f"unknown argument '{printable(arg_id)}'{did_you_mean(arg_id, known)}",
                    )
                )
    for j, arg_id in enumerate(offer.include):
        if arg_id in offer.exclude:
            problems.append(
                source.problem(
                    ("offer", "include", j),
                    f"argument '{printable(arg_id)}' is both included and excluded",
                )
            )
    products = sorted({p for arg in library.arguments.values() for p in arg.products})
    folded = {p.casefold() for p in products}
    for j, product in enumerate(offer.products):
        if product.casefold() not in folded:
            hint = did_you_mean(product, products) or f" (products: {', '.join(products)})"
            problems.append(
                source.problem(
                    ("offer", "products", j),
                    f"no argument is about the product '{printable(product)}'{hint}",
                )
            )
    if offer.pricing is not None:
        problems += _check_pricing(offer.pricing, source)
    return problems
