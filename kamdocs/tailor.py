"""The tailoring engine: which arguments each member of the DMU reads, in which order, and why."""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import lru_cache

from kamdocs.dossier import ROLES, Dossier, Member
from kamdocs.library import Argument, Library, Reference

# Points of each contribution to an argument's score. Named so `explain` can say why.
PERSONA_POINTS = 10  # per unit of the persona's weight for the argument's kind
PREFERS_POINTS = 15
PRIORITY_POINTS = 12
CRITERION_POINTS = 5  # per place from the bottom of the client's criteria list
RELATIONSHIP_POINTS = 10
PROOF_POINTS = 8
COOPERATED_POINTS = 5
PRODUCT_POINTS = 5
EXPERT_DETAIL_POINTS = 3
NOVICE_TECHNICAL_POINTS = -5

# Proof from others, favoured for new clients.
PROOF_KINDS = frozenset({"reference", "people", "statistic"})

MAX_REFERENCES = 3

# Why an argument nobody in the section asked for is there anyway.
SERVED_REASON = "the best argument left for this section, so that every reader is served"

_ORDINALS = ["first", "second", "third", "fourth", "fifth"]


@dataclass(frozen=True)
class Contribution:
    points: int
    reason: str


class Scored:
    """One argument as scored for one member.

    The reasons are kept as (points, format, arguments) and worded only when asked for: a
    proposal needs the scores of a few hundred pairs, ``explain`` the reasons of a few.
    """

    __slots__ = ("argument", "_parts", "pinned", "criterion_rank", "score")

    def __init__(
        self,
        argument: Argument,
        parts: list[tuple[int, str, tuple]],
        pinned: bool = False,
        criterion_rank: int | None = None,  # 0 = the client's first criterion
    ) -> None:
        self.argument = argument
        self._parts = parts
        self.pinned = pinned
        self.criterion_rank = criterion_rank
        self.score = sum(part[0] for part in parts)

    @property
    def contributions(self) -> list[Contribution]:
        return [Contribution(points, fmt.format(*args)) for points, fmt, args in self._parts]

    def explain(self, reason: str) -> None:
        """Add a reason worth no points (the score stays what it was)."""
        self._parts.append((0, "{}", (reason,)))

    def earns_points(self) -> bool:
        return any(part[0] > 0 for part in self._parts)

    @property
    def reasons(self) -> list[str]:
        reasons = [c.reason for c in self.contributions]
        return (["pinned by the account manager (offer.include)"] if self.pinned else []) + reasons


@dataclass
class Chosen:
    """An argument placed in a section, with who it serves there."""

    argument: Argument
    per_member: dict[str, Scored]  # member key -> its score for that member
    criterion_rank: int | None
    pinned: bool
    score: int = field(init=False)

    def __post_init__(self) -> None:
        # Reasons added later are worth no points: the score is fixed once scored.
        self.score = max(s.score for s in self.per_member.values())

    @property
    def for_experts(self) -> bool:
        return self.argument.detail is not None


@dataclass
class Section:
    """The part of the proposal written for one persona and the members who have it."""

    persona: str
    members: list[Member]
    arguments: list[Chosen] = field(default_factory=list)
    references: list[Reference] = field(default_factory=list)
    experts: bool = False  # an expert reads this section: show arguments' detail

    @property
    def senior_role(self) -> int:
        return min(ROLES.index(m.role) for m in self.members)


@dataclass
class Plan:
    """The tailored structure of one proposal."""

    sections: list[Section]
    rejected: dict[str, str]  # argument id -> why it could not be chosen at all

    def member_arguments(self, key: str) -> list[Scored]:
        """The arguments a member reads in their section, in the order they appear."""
        for section in self.sections:
            if any(m.key == key for m in section.members):
                return [c.per_member[key] for c in section.arguments]
        return []


@lru_cache(maxsize=8192)
def _norm(text: str) -> str:
    return " ".join(text.casefold().split())


@lru_cache(maxsize=8192)
def _normset(items: tuple[str, ...]) -> frozenset[str]:
    return frozenset(_norm(item) for item in items)


def _ordinal(rank: int) -> str:
    return _ORDINALS[rank] if rank < len(_ORDINALS) else f"no. {rank + 1}"


def candidates(dossier: Dossier, library: Library) -> tuple[list[Argument], dict[str, str]]:
    """The arguments that may appear at all, and why each other one may not."""
    offer = dossier.offer
    status = dossier.relationship.status
    products = _normset(tuple(offer.products))
    pins = set(offer.include)
    out, rejected = [], {}
    for arg in library.arguments.values():
        if arg.id in offer.exclude:
            rejected[arg.id] = "excluded by the account manager (offer.exclude)"
        elif arg.id in pins:
            out.append(arg)
        elif arg.relationship not in ("any", status):
            rejected[arg.id] = f"written for {arg.relationship} clients; this client is {status}"
        elif products and arg.products and not products & _normset(tuple(arg.products)):
            rejected[arg.id] = f"about {', '.join(arg.products)}, not a product of this offer"
        else:
            out.append(arg)
    return out, rejected


class _Reader:
    """What scoring needs of one member, worked out once per proposal."""

    __slots__ = (
        "name",
        "persona",
        "kinds",
        "prefers",
        "priorities",
        "expert",
        "novice",
        "cooperated",
    )

    def __init__(self, member: Member, library: Library) -> None:
        self.name = member.name
        self.persona = member.persona
        self.kinds = library.personas[member.persona].kinds
        self.prefers = frozenset(member.prefers)
        self.priorities = [(_norm(p), p) for p in member.priorities]
        self.expert = member.knowledge == "expert"
        self.novice = member.knowledge == "novice"
        self.cooperated = member.cooperated_before


class _Scorer:
    """Scores arguments for members of one dossier; the dossier's facts are read once."""

    def __init__(self, dossier: Dossier, library: Library) -> None:
        self.library = library
        self.status = dossier.relationship.status
        self.criteria = [(_norm(c), c) for c in dossier.criteria]
        self.offered = _normset(tuple(dossier.offer.products))
        self.include = frozenset(dossier.offer.include)
        self.readers: dict[int, _Reader] = {}

    def reader(self, member: Member) -> _Reader:
        found = self.readers.get(id(member))
        if found is None:
            found = self.readers[id(member)] = _Reader(member, self.library)
        return found

    def score(self, arg: Argument, member: Member) -> Scored:
        r = self.reader(member)
        kind = arg.kind
        parts: list[tuple[int, str, tuple]] = []
        weight = r.kinds.get(kind, 0)
        if weight:
            parts.append(
                (
                    weight * PERSONA_POINTS,
                    "{} readers weigh {} arguments at {}",
                    (r.persona, kind, weight),
                )
            )
        if kind in r.prefers:
            parts.append((PREFERS_POINTS, "{} prefers {} arguments", (r.name, kind)))
        rank = None
        if arg.criteria:
            answers = _normset(tuple(arg.criteria))
            for norm, priority in r.priorities:
                if norm in answers:
                    parts.append((PRIORITY_POINTS, "answers {}'s priority: {}", (r.name, priority)))
            for i, (norm, criterion) in enumerate(self.criteria):
                if norm in answers:
                    rank = i
                    parts.append(
                        (
                            CRITERION_POINTS * (len(self.criteria) - i),
                            "answers the client's {} criterion: {}",
                            (_ordinal(i), criterion),
                        )
                    )
                    break
        status = self.status
        if arg.relationship == status:
            parts.append((RELATIONSHIP_POINTS, "written for {} clients", (status,)))
        if status == "new" and kind in PROOF_KINDS:
            parts.append((PROOF_POINTS, "a new client: proof from others counts", ()))
        if kind == "cooperation":
            if status == "existing":
                parts.append((PROOF_POINTS, "an existing client: our joint results count", ()))
            if r.cooperated:
                parts.append((COOPERATED_POINTS, "{} has worked with us before", (r.name,)))
        if arg.products:
            shared = [p for p in arg.products if _norm(p) in self.offered]
            if shared:
                parts.append((PRODUCT_POINTS, "about {}, offered here", (", ".join(shared),)))
        if r.expert and arg.detail is not None:
            parts.append((EXPERT_DETAIL_POINTS, "has the depth an expert reader looks for", ()))
        if r.novice and kind == "technical":
            why = "technical depth is lost on a novice reader"
            parts.append((NOVICE_TECHNICAL_POINTS, why, ()))
        return Scored(arg, parts, pinned=arg.id in self.include, criterion_rank=rank)


def score(arg: Argument, member: Member, dossier: Dossier, library: Library) -> Scored:
    """Score ``arg`` for ``member`` as a sum of named contributions."""
    return _Scorer(dossier, library).score(arg, member)


def _cares(section: Section, arg: Argument, library: Library) -> bool:
    """Whether the section's persona weighs the argument's kind, or one of its readers likes it."""
    if library.personas[section.persona].kinds.get(arg.kind, 0) > 0:
        return True
    return any(arg.kind in m.prefers for m in section.members)


def _credit_shared(chosen: Chosen, members: list[Member]) -> None:
    """A reader who shares a section may read an argument chosen for another one: say so."""
    best = max(members, key=lambda m: chosen.per_member[m.key].score)  # the first on ties
    for m in members:
        own = chosen.per_member[m.key]
        if m is not best and not own.pinned and not own.earns_points():
            own.explain(f"chosen for {best.name}, who reads the same section")


def _order_key(chosen: Chosen) -> tuple:
    # The client's first criteria first; then the stronger argument; ties by id, for stable output.
    rank = chosen.criterion_rank if chosen.criterion_rank is not None else 1_000
    return (rank, -chosen.score, chosen.argument.id)


def _reference_key(ref: Reference, industry: str | None) -> tuple:
    same = (
        industry is not None and ref.industry is not None and _norm(ref.industry) == _norm(industry)
    )
    return (not same, not ref.significant, ref.id)


class _Table(dict):
    """(section index, argument id) -> the argument as scored for that section's members.

    Scored when first asked for: an argument is scored only for the sections whose readers
    care for its kind (where it may go), unless none does or a section is left empty.
    """

    def __init__(self, scorer: _Scorer, sections: list[Section], args: list[Argument]) -> None:
        super().__init__()
        self.scorer, self.sections = scorer, sections
        self.args = {arg.id: arg for arg in args}

    def __missing__(self, key: tuple[int, str]) -> Chosen:
        si, arg_id = key
        arg, score = self.args[arg_id], self.scorer.score
        per_member = {m.key: score(arg, m) for m in self.sections[si].members}
        some = next(iter(per_member.values()))
        chosen = self[key] = Chosen(arg, per_member, some.criterion_rank, some.pinned)
        return chosen


def tailor(dossier: Dossier, library: Library) -> Plan:
    """Build the plan: a section per persona, each argument where it scores best, all served."""
    args, rejected = candidates(dossier, library)

    by_persona: dict[str, list[Member]] = {}
    for member in dossier.dmu:
        by_persona.setdefault(member.persona, []).append(member)
    sections = [Section(persona, members) for persona, members in by_persona.items()]
    # Most senior role first; among equals, the order the dossier names the personas.
    sections.sort(key=lambda s: s.senior_role)

    table = _Table(_Scorer(dossier, library), sections, args)

    # Each argument goes to the one section where it scores best (the earlier section on ties),
    # among the sections whose readers care for its kind at all.
    home: dict[str, int] = {}
    for arg in args:
        fits = [si for si in range(len(sections)) if _cares(sections[si], arg, library)] or range(
            len(sections)
        )
        home[arg.id] = max(fits, key=lambda si: (table[si, arg.id].score, -si))

    for si, section in enumerate(sections):
        persona = library.personas[section.persona]
        mine = [table[si, a.id] for a in args if home[a.id] == si]
        pinned = [c for c in mine if c.pinned]
        rest = sorted(
            (
                c
                for c in mine
                if not c.pinned and c.score > 0 and _cares(section, c.argument, library)
            ),
            key=lambda c: (-c.score, c.argument.id),
        )
        section.arguments = pinned + rest[: max(0, persona.max - len(pinned))]
        for chosen in section.arguments:
            _credit_shared(chosen, section.members)

    # Every member is served: a section left empty takes its best argument not used elsewhere,
    # or else the weakest one of a section that keeps at least one.
    used = {c.argument.id for s in sections for c in s.arguments}
    for si, section in enumerate(sections):
        if section.arguments or not args:
            continue
        ranked = sorted((table[si, a.id] for a in args), key=lambda c: (-c.score, c.argument.id))
        spare = [c for c in ranked if c.argument.id not in used]
        if not spare:
            # Take what the donor section misses least: its weakest argument first.
            home_score = {
                c.argument.id: c.score for s in sections for c in s.arguments if not c.pinned
            }
            spare = sorted(
                (
                    c
                    for c in ranked
                    if c.argument.id in home_score
                    and len(sections[home[c.argument.id]].arguments) > 1
                ),
                key=lambda c: (home_score[c.argument.id], -c.score, c.argument.id),
            )
            if spare:
                donor = sections[home[spare[0].argument.id]]
                gone = spare[0].argument.id
                donor.arguments = [c for c in donor.arguments if c.argument.id != gone]
        if spare:
            for scored in spare[0].per_member.values():
                scored.explain(SERVED_REASON)
            section.arguments = [spare[0]]
            used.add(spare[0].argument.id)
            home[spare[0].argument.id] = si

    for section in sections:
        section.arguments.sort(key=_order_key)
        section.experts = any(m.knowledge == "expert" for m in section.members)

    # Reference projects go once, to the section that weighs references most.
    weight = {id(s): library.personas[s.persona].kinds.get("reference", 0) for s in sections}
    readers = max(sections, key=lambda s: weight[id(s)]) if sections else None
    if readers is not None and weight[id(readers)] > 0:
        industry = dossier.client.industry
        readers.references = sorted(library.references, key=lambda r: _reference_key(r, industry))[
            :MAX_REFERENCES
        ]
    return Plan(sections, rejected)
