"""The template context: everything a content template may use, and nothing private.

This module is the documented list of what marketing's ``proposal.md.j2`` can print. Every
value here is public; ``private`` blocks, persona ids, roles, knowledge, ``prefers`` and scores
never enter it, so no template can leak them.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from decimal import Decimal
from types import MappingProxyType
from typing import Any, NamedTuple

from babel import Locale

from kamdocs.dossier import Loaded
from kamdocs.formatting import locale, quantize, unbreakable
from kamdocs.library import ANY_LANGUAGE, Library, pick, pick_key
from kamdocs.tailor import Plan, Section
from kamdocs.templating import (
    Md,
    TemplateFailure,
    describe,
    library_template,
    library_text_name,
)


class Client(NamedTuple):
    name: str
    industry: str | None
    country: str | None  # ISO 3166-1 alpha-2, e.g. "DE"
    country_name: str | None  # in the proposal's language: "Germany", "Германия"


class Supplier(NamedTuple):
    """Who writes the proposal (kamdocs.yaml ``supplier``), in the proposal's language."""

    name: str | None
    address: str | None
    website: str | None

    @property
    def line(self) -> str:
        """Name, address and website as one line, those given."""
        return " · ".join(part for part in self if part)


class Offer(NamedTuple):
    title: str
    summary: str | None


class Person(NamedTuple):
    """A client-side reader: name and position only."""

    name: str
    position: str


class Figure(NamedTuple):
    label: str
    value: str


class Argument(NamedTuple):
    title: Md
    text: Md
    detail: Md | None
    figures: list[Figure]


class Recommender(NamedTuple):
    name: str
    position: str | None
    company: str | None
    email: str | None
    phone: str | None


class ReferenceProject(NamedTuple):
    company: str
    project: Md
    result: Md | None
    recommender: Recommender | None  # only with the recommender's consent


class Business(NamedTuple):
    situation: str | None
    weaknesses: list[str]
    growth_areas: list[str]


class SectionView(NamedTuple):
    title: str
    readers: list[Person]
    business: Business | None  # the client's situation reflected back (in one section)
    arguments: list[Argument]
    figures: list[Figure]
    references: list[ReferenceProject]


class HistoryItem(NamedTuple):
    date: dt.date
    summary: str
    result: str | None


class Line(NamedTuple):
    description: str
    quantity: Decimal
    unit: str | None
    unit_price: Decimal
    amount: Decimal


class Pricing(NamedTuple):
    currency: str
    items: list[Line]
    subtotal: Decimal
    vat_percent: Decimal | None
    vat: Decimal
    total: Decimal


class TeamMember(NamedTuple):
    name: str
    position: str
    email: str | None
    phone: str | None
    lead: bool


class Tender(NamedTuple):
    name: str
    submission_date: dt.date


class TemplateContext(NamedTuple):
    """What ``proposal.md.j2`` receives (as top-level names)."""

    lang: str  # the proposal's language, e.g. "bg"; the filters date/money/number use it
    t: Mapping[str, str]  # fixed wording of that language (templates/locales/<lang>.yaml)
    client: Client
    offer: Offer
    issued: dt.date
    valid_until: dt.date
    tender: Tender | None
    readers: list[Person]  # every DMU member, in dossier order
    history: list[HistoryItem]  # joint results (existing clients)
    sections: list[SectionView]
    pricing: Pricing | None
    team: list[TeamMember]  # the lead first
    signatory: Person  # who accepts the offer for the client: the first decision maker
    supplier: Supplier

    def as_dict(self) -> dict[str, Any]:
        return self._asdict()


def compute_pricing(loaded: Loaded) -> Pricing | None:
    """Exact totals in ``Decimal``: each line and the VAT rounded half-up to the minor unit."""
    pricing = loaded.dossier.offer.pricing
    if pricing is None:
        return None
    cur = pricing.currency
    lines = [
        Line(
            i.description,
            i.quantity,
            i.unit,
            i.unit_price,
            quantize(i.quantity * i.unit_price, cur),
        )
        for i in pricing.items
    ]
    subtotal = sum((line.amount for line in lines), Decimal(0))
    vat = (
        quantize(subtotal * pricing.vat_percent / 100, cur)
        if pricing.vat_percent is not None
        else Decimal(0)
    )
    return Pricing(
        cur, lines, quantize(subtotal, cur), pricing.vat_percent, vat, quantize(subtotal + vat, cur)
    )


class TextRenderer:
    """Renders library texts (which may use public fields) with compiled templates cached."""

    def __init__(self, library: Library, lang: str, public: dict[str, Any]):
        self.library, self.lang, self.public = library, lang, public

    def __call__(self, texts: dict[str, str] | None, owner: str, field: str) -> Md | None:
        if texts is None:
            return None
        text = pick(texts, self.lang)
        if "{" not in text:
            return Md(text)
        origin = self.library.origins.get(owner)
        name = library_text_name(self.library, owner)
        try:
            template = library_template(self.library, owner, field, text)
            return Md(template.render(self.public).strip())
        except Exception as exc:  # noqa: BLE001 - any template failure becomes a located error
            failure = describe(exc, name)
            chosen = pick_key(texts, self.lang)
            at = (field,) if chosen == ANY_LANGUAGE else (field, chosen)
            line = (origin.line_of(*at) if origin else 1) + max(failure.line - 1, 0)
            raise TemplateFailure(
                origin.path if origin else name, line, f"{owner}.{field}: {failure.message}"
            ) from None


def supplier_view(settings: Any, lang: str) -> Supplier:
    """The workspace's ``supplier`` settings (or None) in ``lang``."""
    if settings is None:
        return Supplier(None, None, None)
    return Supplier(
        pick(settings.name, lang) if settings.name else None,
        pick(settings.address, lang) if settings.address else None,
        settings.website or None,
    )


def country_name(code: str | None, lang: str) -> str | None:
    """The country's name in ``lang`` (CLDR), e.g. "DE" -> "Германия"."""
    if code is None:
        return None
    names = locale(lang).territories or Locale.parse("en").territories
    return names.get(code, code)


def _phone(phone: str | None) -> str | None:
    # One line per number: "+359 2 491 7720" must not break after "491".
    return unbreakable(phone) if phone else phone


def build_context(
    loaded: Loaded, library: Library, plan: Plan, supplier: Any = None
) -> TemplateContext:
    """Everything the content template needs for one proposal, all of it public."""
    d = loaded.dossier
    lang = loaded.lang
    client = Client(
        d.client.name, d.client.industry, d.client.country, country_name(d.client.country, lang)
    )
    offer = Offer(d.offer.title, d.offer.summary)
    render = TextRenderer(library, lang, {"client": client, "offer": offer, "lang": lang})

    reflect_in = _business_section(plan, library) if _has_business(loaded) else None
    sections = [
        _section(s, library, lang, render, loaded if s is reflect_in else None)
        for s in plan.sections
    ]
    team = sorted(d.team, key=lambda m: not m.lead)
    signer = next((m for m in d.dmu if m.role == "decision_maker"), d.dmu[0])
    return TemplateContext(
        lang=lang,
        t=MappingProxyType(library.locales[lang]),  # shared by every proposal: read-only
        client=client,
        offer=offer,
        issued=loaded.issued,
        valid_until=loaded.valid_until,
        tender=Tender(d.tender.name, d.tender.submission_date) if d.tender else None,
        readers=[Person(m.name, m.position) for m in d.dmu],
        history=[
            HistoryItem(h.date, h.summary, h.result)
            for h in sorted(d.relationship.history, key=lambda h: h.date)
        ]
        if d.relationship.status == "existing"
        else [],
        sections=sections,
        pricing=compute_pricing(loaded),
        team=[TeamMember(m.name, m.position, m.email, _phone(m.phone), m.lead) for m in team],
        signatory=Person(signer.name, signer.position),
        supplier=supplier_view(supplier, lang),
    )


def _has_business(loaded: Loaded) -> bool:
    b = loaded.dossier.business
    return bool(b.situation or b.weaknesses or b.growth_areas)


def _business_section(plan: Plan, library: Library) -> Section | None:
    """The section that weighs business insight most reflects the client's business back."""
    weights = [
        (library.personas[s.persona].kinds.get("business_insight", 0), -i, s)
        for i, s in enumerate(plan.sections)
    ]
    best = max(weights, key=lambda w: (w[0], w[1]), default=None)
    return best[2] if best and best[0] > 0 else None


def _section(
    section: Section, library: Library, lang: str, render: TextRenderer, business: Loaded | None
) -> SectionView:
    persona = library.personas[section.persona]
    arguments = []
    figures: list[Figure] = []
    for chosen in section.arguments:
        arg = chosen.argument
        figs = [Figure(pick(f.label, lang), pick(f.value, lang)) for f in arg.figures]
        figures.extend(figs)
        arguments.append(
            Argument(
                title=render(arg.title, arg.id, "title"),
                text=render(arg.text, arg.id, "text"),
                detail=render(arg.detail, arg.id, "detail") if section.experts else None,
                figures=figs,
            )
        )
    refs = []
    for ref in section.references:
        rec = ref.recommender
        owner = "reference:" + ref.id
        refs.append(
            ReferenceProject(
                company=ref.company,
                project=render(ref.project, owner, "project"),
                result=render(ref.result, owner, "result"),
                recommender=Recommender(
                    rec.name, rec.position, rec.company, rec.email, _phone(rec.phone)
                )
                if rec is not None and rec.consent
                else None,
            )
        )
    b = business.dossier.business if business else None
    return SectionView(
        title=pick(persona.label, lang),
        readers=[Person(m.name, m.position) for m in section.members],
        business=Business(b.situation, list(b.weaknesses), list(b.growth_areas)) if b else None,
        arguments=arguments,
        figures=figures,
        references=refs,
    )
