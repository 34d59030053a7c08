"""The tailoring engine: one test per rule of SPEC "What the tailoring must do", on small libraries.

Every library here is written inline, so the rules are checked against the engine and never
against whatever the shipped library happens to contain.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from collections import Counter
from dataclasses import replace
from pathlib import Path
from typing import Any, get_args

import pytest
import yaml
from click.testing import CliRunner, Result
from helpers import PERSONAS, build_file_tree, small_library

from kamdocs.cli import main
from kamdocs.dossier import ROLES, Knowledge, Loaded, load_dossier
from kamdocs.library import Library, load_library
from kamdocs.tailor import Plan, score, tailor

DATE = dt.date(2026, 11, 26)
TCO = "total cost of ownership"
SPEED = "implementation speed"

PROCUREMENT = """
procurement:
  label: {en: "For purchasing", bg: "За снабдяването"}
  kinds: {financial: 2, reference: 3}
"""

NO_REFERENCES = "[]\n"


# --- building inputs -------------------------------------------------------------------------


def arg(arg_id: str, kind: str, **fields: Any) -> dict[str, Any]:
    """An argument whose title, text and detail are easy to find in a rendered document."""
    out: dict[str, Any] = {
        "id": arg_id,
        "kind": kind,
        "title": {"en": f"Title {arg_id}"},
        "text": {"en": f"Text of {arg_id}."},
    }
    if fields.pop("detail", False):
        out["detail"] = {"en": f"Detail of {arg_id}."}
    out.update(fields)
    return out


def member(name: str, persona: str, **fields: Any) -> dict[str, Any]:
    return {"name": name, "position": "Manager", "persona": persona, **fields}


def dossier(
    dmu: list[dict[str, Any]],
    *,
    status: str = "new",
    criteria: tuple[str, ...] = (TCO, SPEED),
    industry: str = "logistics",
    **offer: Any,
) -> str:
    data = {
        "client": {"name": "Acme Logistics AD", "industry": industry},
        "relationship": {"status": status},
        "criteria": list(criteria),
        "dmu": dmu,
        "offer": {"title": "Warehouse automation", "issued": DATE, "valid_days": 30, **offer},
        "team": [
            {
                "name": "Maria Georgieva",
                "position": "Key Account Manager",
                "email": "maria@supplier.example",
                "lead": True,
            }
        ],
    }
    return yaml.safe_dump(data, allow_unicode=True, sort_keys=False)


def _yaml(value: str | list | dict) -> str:
    return (
        value
        if isinstance(value, str)
        else yaml.safe_dump(value, allow_unicode=True, sort_keys=False)
    )


class Lab:
    """A workspace in tmp_path with a small inline library; loads, tailors and runs the CLI."""

    def __init__(
        self,
        root: Path,
        arguments: str | list,
        personas: str = PERSONAS,
        references: str | list = NO_REFERENCES,
        files: dict[str, str] | None = None,
    ):
        self.root = root
        templates = small_library(
            root, arguments=_yaml(arguments), personas=personas, references=_yaml(references)
        )
        build_file_tree(root, files or {})
        self.library: Library = load_library(templates)

    def write(self, text: str, name: str = "client") -> Path:
        path = self.root / "dossiers" / f"{name}.yaml"
        path.write_text(text, encoding="utf-8")
        return path

    def load(self, text: str, name: str = "client") -> Loaded:
        return load_dossier(self.write(text, name), self.library, DATE)

    def plan(self, text: str, name: str = "client") -> Plan:
        return tailor(self.load(text, name).dossier, self.library)

    def cli(self, monkeypatch: pytest.MonkeyPatch, *args: str) -> Result:
        monkeypatch.chdir(self.root)
        result = CliRunner().invoke(main, list(args))
        assert result.exit_code == 0, result.output
        return result

    def explain(self, monkeypatch: pytest.MonkeyPatch, text: str, name: str = "client") -> dict:
        path = self.write(text, name)
        return json.loads(self.cli(monkeypatch, "explain", str(path), "--json").stdout)

    def render(self, monkeypatch: pytest.MonkeyPatch, text: str, fmt: str = "md") -> str:
        path = self.write(text)
        self.cli(monkeypatch, "render", str(path), "-f", fmt, "-o", "out")
        (out,) = (self.root / "out").glob(f"*.{fmt}")
        return out.read_text(encoding="utf-8")


def ids(plan: Plan) -> list[list[str]]:
    """Argument ids per section, in section order."""
    return [[c.argument.id for c in s.arguments] for s in plan.sections]


def explained(data: dict, key: str) -> dict[str, dict]:
    """One member's arguments from ``explain --json``, by argument id."""
    (found,) = [m for m in data["members"] if m["id"] == key]
    return {a["id"]: a for a in found["arguments"]}


# --- the rules -------------------------------------------------------------------------------


def test_client_criteria_order_the_arguments_within_a_section(tmp_path: Path) -> None:
    lab = Lab(
        tmp_path,
        [arg("cost", "financial", criteria=[TCO]), arg("speed", "financial", criteria=[SPEED])],
    )
    # Her priority makes `speed` the stronger argument; the client's first criterion still leads.
    cfo = [member("Elena Dimitrova", "finance", role="decision_maker", priorities=[SPEED])]

    assert ids(lab.plan(dossier(cfo, criteria=(TCO, SPEED)))) == [["cost", "speed"]]
    assert ids(lab.plan(dossier(cfo, criteria=(SPEED, TCO)))) == [["speed", "cost"]]


def test_prefers_lifts_a_kind_for_that_member_only(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Neither persona weighs `people`: only Ivan's own preference can bring it in.
    lab = Lab(
        tmp_path,
        [
            arg("vision", "business_insight"),
            arg("numbers", "financial"),
            arg("our-people", "people"),
        ],
    )
    cfo = member("Elena Dimitrova", "finance", role="approver")
    ivan = member("Ivan Petrov", "executive", role="decision_maker", prefers=["people"])
    peter = member("Peter Stoyanov", "executive", role="decision_maker")

    with_prefers = lab.explain(monkeypatch, dossier([ivan, cfo]), "a")
    without = lab.explain(monkeypatch, dossier([peter, cfo]), "b")

    ivans = explained(with_prefers, "ivan-petrov")
    assert "our-people" in ivans
    assert any("prefers people" in r for r in ivans["our-people"]["reasons"])
    # Another executive, in another dossier, does not get it.
    assert "our-people" not in explained(without, "peter-stoyanov")
    # The other member of the same dossier reads exactly what they would read without Ivan's taste.
    assert explained(with_prefers, "elena-dimitrova") == explained(without, "elena-dimitrova")


def test_prefers_counts_only_for_the_member_who_has_it(tmp_path: Path) -> None:
    lab = Lab(tmp_path, [arg("our-people", "people")])
    ivan = member("Ivan Petrov", "executive", prefers=["people"])
    peter = member("Peter Stoyanov", "executive")
    loaded = lab.load(dossier([ivan, peter]))
    d = loaded.dossier
    ours = lab.library.arguments["our-people"]

    for_ivan = score(ours, d.dmu[0], d, lab.library)
    for_peter = score(ours, d.dmu[1], d, lab.library)
    assert for_ivan.score > for_peter.score
    assert not any("prefers" in r for r in for_peter.reasons)


def test_priorities_add_points_and_change_the_choice(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    personas = """
    money:
      label: {en: "Figures"}
      kinds: {financial: 3}
      max: 1
    """
    lab = Lab(
        tmp_path,
        [arg("a-cost", "financial", criteria=[TCO]), arg("b-speed", "financial", criteria=[SPEED])],
        personas=personas,
    )
    plain = member("Elena Dimitrova", "money")
    keen = member("Elena Dimitrova", "money", priorities=[SPEED])

    # No client criteria: only the member's priority separates the two.
    before = lab.explain(monkeypatch, dossier([plain], criteria=()), "a")
    after = lab.explain(monkeypatch, dossier([keen], criteria=()), "b")

    assert list(explained(before, "elena-dimitrova")) == ["a-cost"]
    chosen = explained(after, "elena-dimitrova")
    assert list(chosen) == ["b-speed"]
    assert chosen["b-speed"]["score"] > explained(before, "elena-dimitrova")["a-cost"]["score"]
    assert any(SPEED in r and "priority" in r for r in chosen["b-speed"]["reasons"])


def test_a_reader_sharing_a_section_is_told_why_an_argument_is_there(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    lab = Lab(tmp_path, [arg("vision", "business_insight"), arg("our-people", "people")])
    dmu = [
        member("Ivan Petrov", "executive", role="decision_maker", prefers=["people"]),
        member("Peter Stoyanov", "executive"),
    ]

    # An existing client: nothing but Ivan's taste speaks for `our-people`.
    data = lab.explain(monkeypatch, dossier(dmu, status="existing"))
    peters = explained(data, "peter-stoyanov")["our-people"]
    assert peters["reasons"] and all("Ivan Petrov" in r for r in peters["reasons"])
    assert peters["score"] < explained(data, "ivan-petrov")["our-people"]["score"]


def test_relationship_decides_which_arguments_are_eligible(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    lab = Lab(
        tmp_path,
        [
            arg("for-new", "reference", relationship="new"),
            arg("for-existing", "cooperation", relationship="existing"),
            arg("for-all", "people"),
        ],
    )
    hr = [member("Ana Koleva", "hr", role="decision_maker")]

    new = lab.explain(monkeypatch, dossier(hr, status="new"), "new")
    assert set(explained(new, "ana-koleva")) == {"for-new", "for-all"}
    assert "for-new" not in new["not_eligible"]
    assert "existing" in new["not_eligible"]["for-existing"]

    old = lab.explain(monkeypatch, dossier(hr, status="existing"), "old")
    assert set(explained(old, "ana-koleva")) == {"for-existing", "for-all"}
    assert "for-existing" not in old["not_eligible"]
    assert "new" in old["not_eligible"]["for-new"]


def test_existing_clients_score_cooperation_higher(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    lab = Lab(tmp_path, [arg("pilot", "cooperation")])
    hr = [member("Ana Koleva", "hr", role="decision_maker")]

    new = explained(lab.explain(monkeypatch, dossier(hr, status="new"), "new"), "ana-koleva")
    old = explained(lab.explain(monkeypatch, dossier(hr, status="existing"), "old"), "ana-koleva")
    assert old["pilot"]["score"] > new["pilot"]["score"]


def test_include_always_appears_even_at_weight_zero_and_beyond_max(tmp_path: Path) -> None:
    personas = """
    money:
      label: {en: "Figures"}
      kinds: {financial: 3, technical: 0}
      max: 1
    """
    lab = Lab(
        tmp_path,
        [
            arg("best", "financial", criteria=[TCO]),
            arg("good", "financial"),
            arg("nerdy", "technical"),
            arg("human", "people"),
        ],
        personas=personas,
    )
    cfo = [member("Elena Dimitrova", "money")]

    assert ids(lab.plan(dossier(cfo))) == [["best"]]
    plan = lab.plan(dossier(cfo, include=["nerdy", "human"]))
    # Both pinned, although the persona gives their kinds no weight and max is 1.
    assert sorted(ids(plan)[0]) == ["human", "nerdy"]
    assert all("offer.include" in s.reasons[0] for s in plan.member_arguments("elena-dimitrova"))


def test_include_wins_over_relationship_and_products(tmp_path: Path) -> None:
    lab = Lab(
        tmp_path,
        [
            arg("cost", "financial", products=["wms"]),  # the offer's product must be known
            arg("old-friends", "financial", relationship="existing"),
            arg("other-product", "financial", products=["erp"]),
        ],
    )
    cfo = [member("Elena Dimitrova", "finance")]

    plan = lab.plan(
        dossier(cfo, status="new", products=["wms"], include=["old-friends", "other-product"])
    )
    assert sorted(ids(plan)[0]) == ["cost", "old-friends", "other-product"]


def test_exclude_never_appears(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    lab = Lab(tmp_path, [arg("cost", "financial", criteria=[TCO]), arg("speed", "statistic")])
    cfo = [member("Elena Dimitrova", "finance")]

    data = lab.explain(monkeypatch, dossier(cfo, exclude=["cost"]))
    assert list(explained(data, "elena-dimitrova")) == ["speed"]
    assert "offer.exclude" in data["not_eligible"]["cost"]
    # Not even to serve a member who would otherwise read nothing.
    alone = lab.explain(monkeypatch, dossier(cfo, exclude=["cost", "speed"]), "alone")
    assert explained(alone, "elena-dimitrova") == {}


def test_offer_products_limit_the_candidates(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    lab = Lab(
        tmp_path,
        [
            arg("wms-cost", "financial", products=["wms-pro"]),
            arg("erp-cost", "financial", products=["erp"]),
            arg("any-cost", "financial"),
        ],
    )
    cfo = [member("Elena Dimitrova", "finance")]

    data = lab.explain(monkeypatch, dossier(cfo, products=["wms-pro"]))
    assert set(explained(data, "elena-dimitrova")) == {"wms-cost", "any-cost"}
    assert "erp" in data["not_eligible"]["erp-cost"]
    assert set(data["not_eligible"]) == {"erp-cost"}

    unlimited = lab.explain(monkeypatch, dossier(cfo), "unlimited")
    assert set(explained(unlimited, "elena-dimitrova")) == {"wms-cost", "erp-cost", "any-cost"}


def test_a_persona_defined_only_in_the_library_works(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    lab = Lab(
        tmp_path,
        [arg("cost", "financial"), arg("vision", "business_insight")],
        personas=PROCUREMENT,
        references=[
            {"id": "done-before", "company": "Done Before Ltd", "project": {"en": "A warehouse."}}
        ],
    )
    buyer = [member("Boris Buyer", "procurement", role="decision_maker")]

    plan = lab.plan(dossier(buyer))
    assert [s.persona for s in plan.sections] == ["procurement"]
    assert ids(plan) == [["cost"]]
    assert [r.id for r in plan.sections[0].references] == ["done-before"]

    markdown = lab.render(monkeypatch, dossier(buyer))
    assert "\n## For purchasing\n" in markdown
    assert "Title cost" in markdown
    assert "Done Before Ltd" in markdown


def test_persona_max_limits_the_section(tmp_path: Path) -> None:
    personas = """
    money:
      label: {en: "Figures"}
      kinds: {financial: 3}
      max: 2
    """
    lab = Lab(tmp_path, [arg(f"cost-{i}", "financial") for i in range(5)], personas=personas)

    plan = lab.plan(dossier([member("Elena Dimitrova", "money")]))
    assert len(plan.sections[0].arguments) == 2


def test_detail_is_shown_only_where_an_expert_reads(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    lab = Lab(
        tmp_path, [arg("cost", "financial", detail=True), arg("api", "technical", detail=True)]
    )
    dmu = [
        member("Elena Dimitrova", "finance", role="decision_maker", knowledge="expert"),
        member("Nikolay Novak", "technical", knowledge="novice"),
    ]

    markdown = lab.render(monkeypatch, dossier(dmu))
    assert "Text of cost." in markdown
    assert "Detail of cost." in markdown
    assert "Text of api." in markdown
    assert "Detail of api." not in markdown


def test_recommenders_need_consent_and_references_come_in_order(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    references = [
        {
            "id": "a-plain",
            "company": "Plain Co",
            "industry": "banking",
            "project": {"en": "A bank."},
            "recommender": {"name": "Paula Plain", "consent": True},
        },
        {
            "id": "m-famous",
            "company": "Famous Retail",
            "industry": "retail",
            "significant": True,
            "project": {"en": "Forty stores."},
            "recommender": {"name": "Rita Recommends", "position": "COO", "consent": True},
        },
        {
            "id": "z-local",
            "company": "Local Logistics",
            "industry": "Logistics",
            "project": {"en": "Picking robots."},
            "recommender": {"name": "Secret Person", "position": "CEO", "consent": False},
        },
    ]
    lab = Lab(tmp_path, [arg("bios", "people")], references=references)
    hr = [member("Ana Koleva", "hr", role="decision_maker")]

    plan = lab.plan(dossier(hr, industry="logistics"))
    # The same industry first, then well-known companies, then the rest.
    assert [r.id for r in plan.sections[0].references] == ["z-local", "m-famous", "a-plain"]

    markdown = lab.render(monkeypatch, dossier(hr, industry="logistics"))
    assert (
        markdown.index("Local Logistics")
        < markdown.index("Famous Retail")
        < markdown.index("Plain Co")
    )
    assert "Rita Recommends" in markdown
    assert "Paula Plain" in markdown
    assert "Secret Person" not in markdown


def test_same_input_gives_the_same_choice_whatever_the_file_order(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Many ties: equal kinds, no criteria; only a stable rule can order them.
    arguments = (
        [arg(f"fig-{c}", "financial") for c in "qbxam"]
        + [arg(f"stat-{c}", "statistic") for c in "zkc"]
        + [arg("people-1", "people"), arg("coop-1", "cooperation")]
    )
    references = [
        {"id": f"ref-{c}", "company": f"Company {c}", "project": {"en": "A project."}}
        for c in "dbca"
    ]
    dmu = [
        member("Elena Dimitrova", "finance"),
        member("Tom Tech", "technical"),
        member("Ana Koleva", "hr"),
    ]
    text = dossier(dmu, criteria=())

    one_file = Lab(tmp_path / "one", arguments, references=references)
    first = one_file.explain(monkeypatch, text)
    assert one_file.explain(monkeypatch, text) == first

    shuffled = Lab(
        tmp_path / "shuffled",
        arguments[5:][::-1],
        references=references[::-1],
        files={"templates/arguments/0-first.yaml": _yaml(arguments[:5][::-1])},
    )
    assert shuffled.explain(monkeypatch, text) == first


def test_ties_do_not_depend_on_the_order_of_the_library(tmp_path: Path) -> None:
    # Five equal arguments for a section of four: which one is left out must not depend on
    # the order in which the library happens to hold them.
    lab = Lab(tmp_path, [arg(f"fig-{c}", "financial") for c in "qbxam"])
    d = lab.load(dossier([member("Elena Dimitrova", "finance")], criteria=())).dossier
    backwards = replace(lab.library, arguments=dict(reversed(lab.library.arguments.items())))

    def choice(library: Library) -> list[tuple[str, int, list[str]]]:
        return [
            (s.argument.id, s.score, s.reasons)
            for s in tailor(d, library).member_arguments("elena-dimitrova")
        ]

    assert choice(backwards) == choice(lab.library)
    assert len(choice(lab.library)) == 4


def test_every_member_is_served_by_a_small_library(tmp_path: Path) -> None:
    # Five personas, six arguments, nearly all of a kind only one persona weighs most.
    lab = Lab(
        tmp_path,
        [arg(f"cost-{i}", "financial") for i in range(5)] + [arg("api", "technical")],
        personas=PERSONAS + PROCUREMENT,
    )
    dmu = [
        member("Ivan Petrov", "executive", role="decision_maker"),
        member("Ana Koleva", "hr"),
        member("Elena Dimitrova", "finance", role="approver"),
        member("Tom Tech", "technical"),
        member("Boris Buyer", "procurement"),
    ]
    loaded = lab.load(dossier(dmu, criteria=()))
    plan = tailor(loaded.dossier, lab.library)

    for m in loaded.dossier.dmu:
        chosen = plan.member_arguments(m.key)
        assert chosen, f"{m.name} reads nothing"
        assert all(s.reasons and all(r.strip() for r in s.reasons) for s in chosen), m.name
    assert sum(len(s.arguments) for s in plan.sections) == 6


def test_an_argument_appears_once_in_the_document(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # statistic is weighed by finance and technical, financial by finance and procurement.
    arguments = [
        arg("cost", "financial", criteria=[TCO]),
        arg("cost-2", "financial"),
        arg("speed", "statistic", criteria=[SPEED]),
        arg("stat-2", "statistic"),
        arg("api", "technical"),
        arg("bios", "people"),
    ]
    lab = Lab(tmp_path, arguments, personas=PERSONAS + PROCUREMENT)
    dmu = [
        member("Ivan Petrov", "executive", role="decision_maker", prefers=["statistic"]),
        member("Elena Dimitrova", "finance", prefers=["people"]),
        member("Tom Tech", "technical", knowledge="expert", prefers=["financial"]),
        member("Boris Buyer", "procurement", prefers=["statistic"]),
        member("Ana Koleva", "hr", prefers=["technical"]),
    ]
    text = dossier(dmu, include=["bios"])

    everywhere = [i for section in ids(lab.plan(text)) for i in section]
    assert sorted(everywhere) == sorted(set(everywhere))

    markdown = lab.render(monkeypatch, text)
    titles = Counter(re.findall(r"^### (Title .+)$", markdown, flags=re.MULTILINE))
    assert titles and set(titles.values()) == {1}


def test_sections_follow_the_most_senior_role(tmp_path: Path) -> None:
    lab = Lab(
        tmp_path,
        [
            arg("vision", "business_insight"),
            arg("bios", "people"),
            arg("cost", "financial"),
            arg("api", "technical"),
        ],
    )
    dmu = [
        member("Ana Koleva", "hr", role="influencer"),
        member("Tom Tech", "technical", role="evaluator"),
        member("Elena Dimitrova", "finance", role="approver"),
        member("Ivan Petrov", "executive", role="decision_maker"),
    ]

    plan = lab.plan(dossier(dmu))
    assert [s.persona for s in plan.sections] == ["executive", "finance", "technical", "hr"]


def test_a_persona_section_ranks_by_its_most_senior_reader(tmp_path: Path) -> None:
    lab = Lab(tmp_path, [arg("cost", "financial"), arg("api", "technical")])
    dmu = [
        member("Tom Tech", "technical", role="approver"),
        member("Elena Dimitrova", "finance", role="influencer"),
        member("Fiona Boss", "finance", role="decision_maker"),
    ]

    assert [s.persona for s in lab.plan(dossier(dmu)).sections] == ["finance", "technical"]


PRIVATE = {
    "birthday": dt.date(1971, 5, 14),
    "hobbies": ["sailing"],
    "values": ["punctuality"],
    "notes": "Secretly prefers the competitor",
}


@pytest.mark.parametrize("fmt", ["md", "html"])
def test_no_internal_label_reaches_the_document(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, fmt: str
) -> None:
    lab = Lab(
        tmp_path,
        [
            arg("vision", "business_insight", criteria=[TCO]),
            arg("cost", "financial", detail=True),
            arg("speed", "statistic"),
            arg("bios", "people"),
            arg("pilot", "cooperation"),
        ],
        personas=PERSONAS + PROCUREMENT,
        references=[
            {"id": "done-before", "company": "Done Before Ltd", "project": {"en": "A warehouse."}}
        ],
    )
    dmu = [
        member(
            "Ivan Petrov",
            "executive",
            role="decision_maker",
            knowledge="novice",
            prefers=["people"],
            priorities=[SPEED],
            private=PRIVATE,
        ),
        member("Elena Dimitrova", "finance", role="approver", knowledge="expert"),
        member("Ana Koleva", "hr", role="influencer", cooperated_before=True),
        member("Boris Buyer", "procurement", role="evaluator"),
    ]
    document = lab.render(monkeypatch, dossier(dmu), fmt)
    if fmt == "html":
        document = re.sub(r"<style>.*?</style>", "", document, flags=re.DOTALL)
    # The document is complete: without this, an empty page would pass.
    assert "Title vision" in document and "Ivan Petrov" in document

    labels = [
        "executive",
        "finance",
        "hr",
        "procurement",
        "business_insight",
        *ROLES,
        *get_args(Knowledge),
        "prefers",
        "score",
        "sailing",
        "punctuality",
        "Secretly",
        "1971",
        "14.05",
    ]
    for label in labels:
        assert not re.search(rf"(?<![\w-]){re.escape(label)}(?![\w-])", document, re.IGNORECASE), (
            label
        )
