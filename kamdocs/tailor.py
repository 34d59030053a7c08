"""The tailoring engine: which arguments each member of the DMU reads, in which order, and why."""

from __future__ import annotations

from collections.abc import Callable
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
# Why an argument has its place although stronger ones were left out: a reader asked for it.
PREFERRED_REASON = "{} prefers {} arguments: the best of them keeps a place in this section"
PRIORITY_REASON = "answers {}'s priority {}: the best such argument keeps a place in this section"

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
        pinned: bool,
        criterion_rank: int | None,  # 0 = the client's first criterion
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


@dataclass(frozen=True)
class LeftOut:
    """An argument a member does not read in their section, as scored for them, and why."""

    scored: Scored
    why: str


@dataclass
class Plan:
    """The tailored structure of one proposal."""

    sections: list[Section]
    rejected: dict[str, str]  # argument id -> why it could not be chosen at all
    # What ``left_out`` needs: the scorer, the library's arguments, each candidate's home
    # section and the (section, argument id) pairs kept for what a member asked for.
    _scorer: _Scorer
    _library: Library
    _home: dict[str, int]
    _guaranteed: set[tuple[int, str]]

    def _section_of(self, key: str) -> int | None:
        for si, section in enumerate(self.sections):
            if any(m.key == key for m in section.members):
                return si
        return None

    def member_arguments(self, key: str) -> list[Scored]:
        """The arguments a member reads in their section, in the order they appear."""
        si = self._section_of(key)
        return [] if si is None else [c.per_member[key] for c in self.sections[si].arguments]

    def left_out(self, key: str) -> list[LeftOut]:
        """Every other argument of the library as scored for the member, best first, with why
        it is not in their section (the runners-up first)."""
        si = self._section_of(key)
        if si is None:
            return []
        section = self.sections[si]
        member = next(m for m in section.members if m.key == key)
        shown = {c.argument.id for c in section.arguments}
        out = []
        for arg in self._library.arguments.values():
            if arg.id not in shown:
                scored = self._scorer.score(arg, member)
                out.append(LeftOut(scored, self._why_left_out(si, scored)))
        out.sort(
            key=lambda lo: (
                lo.scored.argument.id in self.rejected,
                -lo.scored.score,
                lo.scored.argument.id,
            )
        )
        return out

    def _why_left_out(self, si: int, scored: Scored) -> str:
        arg = scored.argument
        if arg.id in self.rejected:
            return f"not eligible: {self.rejected[arg.id]}"
        section = self.sections[si]
        persona = self._library.personas[section.persona]
        for other in self.sections:
            there = next((c for c in other.arguments if c.argument.id == arg.id), None)
            if other is not section and there is not None:
                names = ", ".join(m.name for m in other.members)
                return (
                    f"in the section for {other.persona} ({names}), where it scores {there.score}"
                )
        home = self._home[arg.id]
        if home != si:
            other = self.sections[home]
            return (
                f"belongs to the section for {other.persona}, where it scores higher, "
                "and was not chosen there either"
            )
        if not _cares(section, arg, self._library):
            return (
                f"{section.persona} readers do not weigh {arg.kind} arguments "
                "and nobody in this section prefers them"
            )
        if scored.score <= 0:
            return f"scores {scored.score}: nothing speaks for it in this section"
        on_score = [
            c
            for c in section.arguments
            if not c.pinned and (si, c.argument.id) not in self._guaranteed
        ]
        asked = [
            c.argument.id for c in section.arguments if (si, c.argument.id) in self._guaranteed
        ]
        full = f"section full ({persona.max} places"
        full += f", {', '.join(asked)} kept for what a reader asked for)" if asked else ")"
        if not on_score:
            return f"{full}: every place went to pinned or preferred arguments"
        last = max(on_score, key=_rank_key)  # the last one chosen on score
        if scored.score < last.score:
            return f"{full}: lower score than {last.score} of {last.argument.id}, the last chosen"
        return f"{full}: as strong as {last.argument.id} ({last.score}), which comes first by id"


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


def _rank_key(chosen: Chosen) -> tuple:
    # The stronger argument first; ties by id, for stable output.
    return (-chosen.score, chosen.argument.id)


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


def _of_kind(kind: str) -> Callable[[Argument], bool]:
    return lambda arg: arg.kind == kind


def _answers(criterion: str) -> Callable[[Argument], bool]:
    norm = _norm(criterion)
    return lambda arg: norm in _normset(tuple(arg.criteria))


def _keep_what_members_ask_for(
    sections: list[Section],
    args: list[Argument],
    table: _Table,
    library: Library,
) -> set[tuple[int, str]]:
    """A member's explicit ``prefers`` and ``priorities`` each keep at least one place in their
    section, when an eligible argument of that kind (or answering that criterion) exists.

    The place goes to the argument that scores best for that member among those no other
    section uses; when every one is used elsewhere, to the one its section misses least (never
    a pinned one, one kept for another reader, or a section's last argument). In a full section
    it takes the place of the weakest argument chosen on score. Returns the (section index,
    argument id) pairs so kept.
    """
    kept: set[tuple[int, str]] = set()
    for si, section in enumerate(sections):
        for member in section.members:
            wishes = [
                (_of_kind(kind), PREFERRED_REASON.format(member.name, kind))
                for kind in member.prefers
            ] + [(_answers(p), PRIORITY_REASON.format(member.name, p)) for p in member.priorities]
            for wanted, reason in wishes:
                if any(wanted(c.argument) for c in section.arguments):
                    continue
                chosen = _claim(si, member, [a for a in args if wanted(a)], sections, table, kept)
                if chosen is None:
                    continue
                chosen.per_member[member.key].explain(reason)
                _credit_shared(chosen, section.members)
                kept.add((si, chosen.argument.id))
                _make_room(si, section, library, kept)
                section.arguments.append(chosen)
    return kept


def _claim(
    si: int,
    member: Member,
    wanted: list[Argument],
    sections: list[Section],
    table: _Table,
    kept: set[tuple[int, str]],
) -> Chosen | None:
    """The argument among ``wanted`` that section ``si`` takes for ``member``, or None."""
    used = {c.argument.id: sj for sj, s in enumerate(sections) for c in s.arguments}

    def for_member(arg: Argument) -> tuple:
        return (-table[si, arg.id].per_member[member.key].score, arg.id)

    free = sorted((a for a in wanted if a.id not in used), key=for_member)
    if free:
        return table[si, free[0].id]
    movable = []
    for arg in wanted:
        sj = used[arg.id]
        donor = sections[sj]
        there = table[sj, arg.id]
        if sj != si and not there.pinned and (sj, arg.id) not in kept and len(donor.arguments) > 1:
            movable.append((there.score, for_member(arg), arg, donor))
    if not movable:
        return None
    _, _, arg, donor = min(movable, key=lambda m: (m[0], m[1]))
    donor.arguments = [c for c in donor.arguments if c.argument.id != arg.id]
    return table[si, arg.id]


def _make_room(si: int, section: Section, library: Library, kept: set[tuple[int, str]]) -> None:
    """Free one place in a full section: drop the weakest argument chosen on score."""
    if len(section.arguments) < library.personas[section.persona].max:
        return
    on_score = [c for c in section.arguments if not c.pinned and (si, c.argument.id) not in kept]
    if on_score:
        weakest = max(on_score, key=_rank_key)
        section.arguments = [c for c in section.arguments if c is not weakest]


def _explain_order(section: Section) -> None:
    """Say why an argument comes before a stronger one: the order is the client's criteria."""
    for i, chosen in enumerate(section.arguments):
        stronger = [c for c in section.arguments[i + 1 :] if c.score > chosen.score]
        if not stronger or chosen.criterion_rank is None:  # unranked ones follow by score
            continue
        names = ", ".join(c.argument.id for c in stronger)
        why = (
            f"comes before {names}, which score higher: it answers the client's "
            f"{_ordinal(chosen.criterion_rank)} criterion, and the section follows the "
            "client's criteria"
        )
        for scored in chosen.per_member.values():
            scored.explain(why)


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
            key=_rank_key,
        )
        section.arguments = pinned + rest[: max(0, persona.max - len(pinned))]
        for chosen in section.arguments:
            _credit_shared(chosen, section.members)

    guaranteed = _keep_what_members_ask_for(sections, args, table, library)

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
                c.argument.id: c.score
                for sj, s in enumerate(sections)
                for c in s.arguments
                if not c.pinned and (sj, c.argument.id) not in guaranteed
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
        _explain_order(section)
        section.experts = any(m.knowledge == "expert" for m in section.members)

    # Reference projects go once, to the section that weighs references most.
    weight = {id(s): library.personas[s.persona].kinds.get("reference", 0) for s in sections}
    readers = max(sections, key=lambda s: weight[id(s)]) if sections else None
    if readers is not None and weight[id(readers)] > 0:
        industry = dossier.client.industry
        readers.references = sorted(library.references, key=lambda r: _reference_key(r, industry))[
            :MAX_REFERENCES
        ]
    return Plan(sections, rejected, table.scorer, library, home, guaranteed)
