"""Deterministic generator of realistic benchmark dossiers (half English, half Bulgarian).

    python bench/gen.py --n 1000 --seed 1 --out /tmp/kamdocs-bench

writes a workspace: ``templates/`` (a copy of the shipped library and reference.docx) and
``dossiers/bench-0001.yaml`` ... Every value that the library constrains (personas, argument
ids, argument kinds, products, criteria, industries) is read from the shipped templates, so
the dossiers pass ``kamdocs validate``. Sizes follow the sample dossiers: DMU of 1-6 members
over every persona, business analysis, history for existing clients, pricing with 3-8 lines
and VAT, a team of 1-4, and a private block for every DMU member.
"""

from __future__ import annotations

import argparse
import datetime as dt
import random
import re
import shutil
import sys
import unicodedata
from dataclasses import dataclass
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent
TEMPLATES = ROOT / "templates"
CYRILLIC = re.compile("[\u0400-\u04ff]")

# --- text pools --------------------------------------------------------------------------------

EN_FIRST = [
    "Ivan",
    "Maria",
    "Georgi",
    "Elena",
    "Dimitar",
    "Anna",
    "Nikolay",
    "Petya",
    "Stefan",
    "Lucia",
    "Martin",
    "Sofia",
    "Thomas",
    "Julia",
    "Alexander",
    "Klara",
    "Viktor",
    "Nadia",
    "Jörg",
    "Zoë",
    "Mihail",
    "Rositsa",
    "Daniel",
    "Teodora",
    "Hristo",
    "Lena",
]
EN_LAST = [
    "Petrov",
    "Georgieva",
    "Ivanov",
    "Kolev",
    "Weber",
    "Baumann",
    "Dimitrova",
    "Stoyanov",
    "Nikolova",
    "Müller",
    "Rossi",
    "Hristova",
    "Todorov",
    "Angelova",
    "Novak",
    "Schmidt",
    "Marinov",
    "Popescu",
    "Vasileva",
    "Kovač",
    "Yordanov",
    "Fischer",
]
BG_FIRST_M = [
    "Иван",
    "Георги",
    "Димитър",
    "Николай",
    "Стефан",
    "Христо",
    "Петър",
    "Михаил",
    "Борис",
    "Александър",
    "Тодор",
    "Емил",
    "Калоян",
    "Пламен",
    "Васил",
    "Йордан",
]
BG_FIRST_F = [
    "Мария",
    "Елена",
    "Петя",
    "Галина",
    "Росица",
    "Теодора",
    "Цветелина",
    "Надежда",
    "Десислава",
    "Яна",
    "Силвия",
    "Ралица",
    "Жана",
    "Юлия",
    "Щилияна",
    "Ива",
]
BG_LAST = [
    "Петров",
    "Иванов",
    "Георгиев",
    "Колев",
    "Стоянов",
    "Христов",
    "Тодоров",
    "Димитров",
    "Методиев",
    "Захариев",
    "Цветков",
    "Маринов",
    "Ангелов",
    "Йорданов",
    "Шишков",
    "Чолаков",
]

EN_COMPANY_A = [
    "Balkan",
    "Danube",
    "Thracia",
    "Rhodope",
    "Pirin",
    "Vitosha",
    "Black Sea",
    "Struma",
    "Iskar",
    "Maritsa",
    "Stara Planina",
    "Dobrudzha",
    "Sredets",
    "Hemus",
    "Ludogorie",
]
EN_COMPANY_B = [
    "Logistics",
    "Retail",
    "Foods",
    "Pharma",
    "Automotive",
    "Distribution",
    "Trade",
    "Healthcare",
    "Beverages",
    "Components",
    "Freight",
    "Markets",
    "Supply",
]
EN_SUFFIX = ["AD", "EOOD", "OOD", "EAD", "Ltd.", "GmbH", "S.A."]
BG_COMPANY_A = [
    "Балкан",
    "Дунав",
    "Тракия",
    "Родопа",
    "Пирин",
    "Витоша",
    "Черноморие",
    "Струма",
    "Искър",
    "Марица",
    "Стара планина",
    "Добруджа",
    "Средец",
    "Хемус",
    "Лудогорие",
]
BG_COMPANY_B = [
    "Логистик",
    "Ритейл",
    "Фуудс",
    "Фарма",
    "Аутомотив",
    "Дистрибуция",
    "Трейд",
    "Здраве",
    "Напитки",
    "Компоненти",
    "Транс",
    "Маркет",
    "Снабдяване",
]
BG_SUFFIX = ["АД", "ЕООД", "ООД", "ЕАД"]

POSITIONS = {
    "executive": (
        [
            "Chief Executive Officer",
            "Managing Director",
            "Owner and Chairman",
            "Chief Operating Officer",
        ],
        [
            "Изпълнителен директор",
            "Управител",
            "Собственик и председател на СД",
            "Оперативен директор",
        ],
    ),
    "hr": (
        ["HR Director", "Head of People and Culture", "Training Manager"],
        ["Директор „Човешки ресурси“", "Ръководител „Хора и култура“", "Мениджър обучение"],
    ),
    "finance": (
        ["Chief Financial Officer", "Plant Controller", "Head of Controlling"],
        ["Финансов директор", "Контрольор", "Ръководител „Контролинг“"],
    ),
    "technical": (
        [
            "Head of IT",
            "Head of Manufacturing IT",
            "Warehouse Operations Manager",
            "Chief Engineer",
        ],
        [
            "Ръководител ИТ",
            "Ръководител производствени ИТ",
            "Мениджър складови операции",
            "Главен инженер",
        ],
    ),
    "procurement": (
        ["Purchasing Manager", "Head of Procurement", "Category Manager, Indirect"],
        ["Мениджър „Покупки“", "Ръководител „Снабдяване“", "Категориен мениджър"],
    ),
}
OTHER_POSITIONS = (["Director", "Project Manager"], ["Директор", "Ръководител проект"])

EN_SITUATION = [
    "{c} runs {k} sites with {p} employees and serves customers in Bulgaria, Romania and Greece.",
    "Volumes have grown by {g}% over the last three years, mostly through e-commerce and "
    "new key accounts, while the warehouse footprint has stayed the same.",
    "From {y} the company consolidates its regional warehouses into one central hub near Sofia.",
    "Management expects another {g}% growth in order lines once the new contracts start.",
    "The owners have approved an investment programme, but want proof of payback within two years.",
    "Order cut-off times move later every year and customers expect next-day delivery everywhere.",
    "The company is preparing for an ownership change and must show stable, auditable operations.",
]
BG_SITUATION = [
    "{c} управлява {k} обекта с {p} служители и обслужва клиенти в България, Румъния и Гърция.",
    "Обемите растат с {g} % за последните три години, главно от електронна търговия и нови "
    "ключови клиенти, а складовата площ остава същата.",
    "От {y} г. компанията обединява регионалните си складове в един централен хъб край София.",
    "Ръководството очаква още {g} % ръст на редовете поръчки след старта на новите договори.",
    "Собствениците са одобрили инвестиционна програма, но искат доказана възвръщаемост до две "
    "години.",
    "Часът за приемане на поръчки се измества все по-късно, а клиентите очакват доставка на "
    "следващия ден навсякъде.",
    "Компанията се подготвя за смяна на собствеността и трябва да покаже стабилни и проверими "
    "операции.",
]
EN_WEAK = [
    "Picking is done from printed lists and errors are found only by the customer.",
    "Inventory accuracy is below 95%, so every peak starts with a stocktake.",
    "Staff turnover in the warehouse is {g}% a year and training takes two weeks per person.",
    "Three systems hold stock data and none of them is the single source of truth.",
    "Overtime in the peak weeks costs more than the rest of the year together.",
    "Audits take days because traceability is assembled by hand from spreadsheets.",
    "Trucks leave half-empty because loading is planned on paper.",
]
BG_WEAK = [
    "Комплектоването става по разпечатани списъци и грешките се откриват едва от клиента.",
    "Точността на наличностите е под 95 %, затова всеки пик започва с инвентаризация.",
    "Текучеството в склада е {g} % годишно, а обучението отнема две седмици на човек.",
    "Три системи пазят данни за наличностите и никоя не е единственият източник на истина.",
    "Извънредният труд в пиковите седмици струва повече от останалата част от годината.",
    "Одитите отнемат дни, защото проследимостта се събира ръчно от таблици.",
    "Камионите тръгват полупразни, защото товаренето се планира на хартия.",
]
EN_GROWTH = [
    "Handle {g}% more order lines without a new building.",
    "Next-day delivery to every customer in the country.",
    "Become the group's reference site for digital operations.",
    "Free working capital tied up in slow-moving stock.",
    "Open a second distribution centre in Plovdiv by {y}.",
    "Win tenders that require certified traceability.",
]
BG_GROWTH = [
    "Да обработва с {g} % повече редове поръчки без нова сграда.",
    "Доставка на следващия ден до всеки клиент в страната.",
    "Да стане референтният обект на групата за дигитални операции.",
    "Да освободи оборотен капитал, замразен в бавнооборотни наличности.",
    "Да открие втори разпределителен център в Пловдив до {y} г.",
    "Да печели търгове, които изискват сертифицирана проследимост.",
]
EN_HISTORY = [
    ("Pilot: automated picking in the {s} warehouse", "Picking errors down {g}%"),
    ("WMS Pro roll-out in {s}", "Inventory accuracy up to 99.{d}%"),
    ("Fleet-track on {k} trucks", "Fuel cost down {g}% in the first year"),
    (
        "Analytics Suite for the management team",
        "Weekly reporting time cut from two days to one hour",
    ),
    ("Care Premium support contract", None),
]
BG_HISTORY = [
    (
        "Пилотен проект: автоматизирано комплектоване в склада в {s}",
        "Грешките при комплектоване намаляха с {g} %",
    ),
    ("Внедряване на WMS Pro в {s}", "Точност на наличностите до 99,{d} %"),
    ("Fleet-track на {k} камиона", "Разходът за гориво намаля с {g} % през първата година"),
    ("Analytics Suite за ръководството", "Седмичната отчетност от два дни на един час"),
    ("Договор за премиум поддръжка Care Premium", None),
]
CITIES = (
    ["Sofia", "Plovdiv", "Varna", "Burgas", "Ruse", "Stara Zagora"],
    ["София", "Пловдив", "Варна", "Бургас", "Русе", "Стара Загора"],
)
PRODUCT_ITEMS = {
    "wms-pro": (
        ["WMS Pro licence", "WMS Pro site module", "Mobile scanners with WMS client"],
        ["Лиценз WMS Pro", "Модул WMS Pro за обект", "Мобилни скенери с WMS клиент"],
    ),
    "pick-robotics": (
        ["Pick-robotics autonomous robots", "Robot charging stations"],
        ["Автономни роботи Pick-robotics", "Зарядни станции за роботите"],
    ),
    "fleet-track": (
        ["Fleet-track telematics per truck", "Fleet-track route planning"],
        ["Телематика Fleet-track на камион", "Планиране на маршрути Fleet-track"],
    ),
    "mes-line": (
        ["MES Line core licence", "MES Line module per production line"],
        ["Основен лиценз MES Line", "Модул MES Line на производствена линия"],
    ),
    "analytics-suite": (
        ["Analytics Suite, management dashboards"],
        ["Analytics Suite, табла за ръководството"],
    ),
    "care-premium": (["Care Premium 24/7 support"], ["Премиум поддръжка Care Premium 24/7"]),
}
COMMON_ITEMS = (
    [
        "Integration with the ERP",
        "Project management and commissioning",
        "Operator training",
        "Data migration from the current system",
    ],
    [
        "Интеграция с ERP системата",
        "Управление на проекта и пускане в експлоатация",
        "Обучение на операторите",
        "Миграция на данни от текущата система",
    ],
)
UNITS = (["months", "days", "person-days", None], ["мес.", "дни", "човекодни", None])
# Private values are phrases that never occur in the library's texts (the privacy guard would
# rightly stop a build whose output contains one of them).
HOBBIES = (
    [
        "sailing on the Black Sea",
        "runs the Sofia Marathon",
        "club chess, rated 1900",
        "collects jazz records on vinyl",
        "mountain biking in Rila",
        "film photography",
        "keeps bees near Samokov",
        "football (Levski fan)",
    ],
    [
        "ветроходство по Черно море",
        "маратонско бягане",
        "шах в клуб, рейтинг 1900",
        "джаз на винил",
        "планинско колоездене в Рила",
        "лентова фотография",
        "пчелар край Самоков",
        "футбол (фен на Левски)",
    ],
)
FAMILY = (
    [
        "Married, two children",
        "Single, lives in Lozenets",
        "Married, one daughter at university abroad",
        "Lives with partner; a son (7)",
    ],
    [
        "Женен, две деца",
        "Неженен, живее в Лозенец",
        "Омъжена, дъщеря студентка в чужбина",
        "Живее с партньора си; син на 7",
    ],
)
VALUES = (
    [
        "punctuality to the minute",
        "no surprises in steering committees",
        "people first, always",
        "everything is measured",
    ],
    ["точност до минута", "без изненади пред борда", "хората на първо място", "всичко се измерва"],
)
NOTES = (
    [
        "Prefers meetings at 8 am. Will ask for a discount as a matter of form.",
        "Trusts references from companies she knows personally; call before sending.",
        "Reports to the group board abroad; needs a one-page summary in English.",
        "Signed off the pilot and tracked its payback himself.",
    ],
    [
        "Предпочита срещи в 8 сутринта. Ще поиска отстъпка по навик.",
        "Вярва на препоръки от компании, които познава лично; да се обадим преди изпращане.",
        "Докладва на борда на групата в чужбина; иска резюме на една страница.",
        "Подписа пилотния проект и сам проследи възвръщаемостта му.",
    ],
)
EN_SUMMARY = (
    "{t} for {c}: {p} run as one system, with a named project team, a fixed "
    "implementation plan and support that knows your site from day one."
)
BG_SUMMARY = (
    "{t} за {c}: {p} работят като една система, с поименен проектен екип, твърд "
    "план за внедряване и поддръжка, която познава обекта от първия ден."
)
EN_TITLES = [
    "Warehouse automation, phase {n}",
    "Central distribution hub",
    "MES for lines 1–{n}",
    "Automated picking and fleet planning",
    "Digital warehouse and analytics",
]
BG_TITLES = [
    "Автоматизация на склада, етап {n}",
    "Централен дистрибуционен хъб",
    "MES за линии 1–{n}",
    "Автоматизирано комплектоване и планиране на автопарка",
    "Дигитален склад и анализи",
]
TEAM = (
    ["Key Account Manager", "Solutions Engineer", "Head of Customer Service", "Project Manager"],
    [
        "Мениджър ключови клиенти",
        "Инженер решения",
        "Ръководител „Обслужване на клиенти“",
        "Ръководител проекти",
    ],
)


# --- library -----------------------------------------------------------------------------------


@dataclass
class LibraryFacts:
    personas: list[str]
    kinds: list[str]
    arguments: list[str]
    products: list[str]
    industries: list[str]
    criteria_en: list[str]
    criteria_bg: list[str]


def read_library(templates: Path = TEMPLATES) -> LibraryFacts:
    """Everything the generator may name, read from the shipped library."""
    personas = yaml.safe_load((templates / "personas.yaml").read_text(encoding="utf-8"))
    arguments: list[dict] = []
    for path in sorted((templates / "arguments").glob("*.yaml")):
        arguments.extend(yaml.safe_load(path.read_text(encoding="utf-8")) or [])
    references = yaml.safe_load((templates / "references.yaml").read_text(encoding="utf-8")) or []
    kinds = sorted({a["kind"] for a in arguments})
    products = sorted({p for a in arguments for p in a.get("products", [])})
    criteria = sorted({c for a in arguments for c in a.get("criteria", [])})
    industries = sorted({r["industry"] for r in references if r.get("industry")})
    return LibraryFacts(
        personas=list(personas),
        kinds=kinds,
        arguments=[a["id"] for a in arguments],
        products=products or list(PRODUCT_ITEMS),
        industries=industries or ["logistics"],
        criteria_en=[c for c in criteria if not CYRILLIC.search(c)],
        criteria_bg=[c for c in criteria if CYRILLIC.search(c)],
    )


# --- generation --------------------------------------------------------------------------------


def ascii_slug(text: str) -> str:
    from kamdocs.slug import slugify  # noqa: PLC0415 - the same transliteration kamdocs uses

    return slugify(text)


class Gen:
    def __init__(self, facts: LibraryFacts, seed: int):
        self.facts = facts
        self.seed = seed

    def dossier(self, i: int, used: set[str]) -> dict:
        r = random.Random(f"{self.seed}-{i}")
        bg = i % 2 == 0  # half en, half bg
        L = 1 if bg else 0  # index into the (en, bg) pools
        f = self.facts
        name = self._company(r, bg)
        slug = ascii_slug(name)
        client: dict = {"name": name}
        if slug in used or not slug:
            slug = f"{slug}-{i:05d}"
            client["slug"] = slug
        used.add(slug)
        client["industry"] = r.choice(f.industries)
        client["locale"] = "bg" if bg else "en"
        client["share_of_sales"] = round(r.uniform(0, 0.4), 2)
        fill = {
            "c": name,
            "k": r.randint(2, 14),
            "p": f"{r.randint(80, 2400):,}".replace(",", " "),
            "g": r.randint(8, 45),
            "y": r.randint(2027, 2029),
            "d": r.randint(1, 9),
            "s": r.choice(CITIES[L]),
        }
        situation = " ".join(
            s.format(**fill) for s in r.sample((EN_SITUATION, BG_SITUATION)[L], r.randint(2, 4))
        )
        business = {
            "situation": situation,
            "weaknesses": [
                s.format(**fill) for s in r.sample((EN_WEAK, BG_WEAK)[L], r.randint(2, 4))
            ],
            "growth_areas": [
                s.format(**fill) for s in r.sample((EN_GROWTH, BG_GROWTH)[L], r.randint(2, 3))
            ],
        }
        existing = r.random() < 0.5
        relationship: dict = {"status": "existing" if existing else "new"}
        if existing:
            history = []
            start = dt.date(2022, 1, 10)
            for summary, result in r.sample((EN_HISTORY, BG_HISTORY)[L], r.randint(1, 3)):
                start += dt.timedelta(days=r.randint(60, 400))
                fill["s"], fill["g"] = r.choice(CITIES[L]), r.randint(8, 45)
                entry = {"date": start, "summary": summary.format(**fill)}
                if result:
                    entry["result"] = result.format(**fill)
                history.append(entry)
            relationship["history"] = history
        pool = f.criteria_bg if bg else f.criteria_en
        criteria = r.sample(pool, min(len(pool), r.randint(2, 5)))
        products = r.sample(f.products, r.randint(1, min(4, len(f.products))))
        dmu = self._dmu(r, bg, criteria)
        offer: dict = {
            "title": r.choice((EN_TITLES, BG_TITLES)[L]).format(n=r.randint(2, 6)),
        }
        offer["summary"] = (BG_SUMMARY if bg else EN_SUMMARY).format(
            t=offer["title"], c=name, p=", ".join(products)
        )
        offer["products"] = products
        args = r.sample(f.arguments, 2)
        if r.random() < 0.3:
            offer["include"] = [args[0]]
        if r.random() < 0.3:
            offer["exclude"] = [args[1]]
        offer["issued"] = dt.date(2026, 11, 26)
        offer["valid_days"] = r.choice([30, 45, 60, 90])
        offer["pricing"] = self._pricing(r, bg, products)
        data = {
            "client": client,
            "business": business,
            "relationship": relationship,
            "criteria": criteria,
        }
        if r.random() < 0.25:
            data["tender"] = {
                "name": f"{offer['title']} {r.randint(2027, 2028)}",
                "submission_date": dt.date(2027, r.randint(1, 12), r.randint(1, 28)),
            }
        data.update({"dmu": dmu, "offer": offer, "team": self._team(r, bg)})
        return data

    def _company(self, r: random.Random, bg: bool) -> str:
        if bg:
            return f"{r.choice(BG_COMPANY_A)} {r.choice(BG_COMPANY_B)} {r.choice(BG_SUFFIX)}"
        return f"{r.choice(EN_COMPANY_A)} {r.choice(EN_COMPANY_B)} {r.choice(EN_SUFFIX)}"

    def _person(self, r: random.Random, bg: bool) -> str:
        if bg:
            if r.random() < 0.5:
                return f"{r.choice(BG_FIRST_M)} {r.choice(BG_LAST)}"
            return f"{r.choice(BG_FIRST_F)} {r.choice(BG_LAST)}а"
        return f"{r.choice(EN_FIRST)} {r.choice(EN_LAST)}"

    def _dmu(self, r: random.Random, bg: bool, criteria: list[str]) -> list[dict]:
        f, L = self.facts, int(bg)
        size = r.randint(1, 6)
        known = [p for p in POSITIONS if p in f.personas]
        order = known + [p for p in f.personas if p not in known]
        # The first members cover the personas in the library's order; later ones repeat at random.
        personas = [order[j] if j < len(order) else r.choice(order) for j in range(size)]
        r.shuffle(personas)
        members, seen = [], set()
        roles = ["decision_maker", "approver", "evaluator", "influencer"]
        for j, persona in enumerate(personas):
            name = self._person(r, bg)
            while ascii_slug(name) in seen:
                name = self._person(r, bg)
            seen.add(ascii_slug(name))
            m: dict = {"name": name}
            positions = POSITIONS.get(persona, OTHER_POSITIONS)[L]
            m["position"] = r.choice(positions)
            m["persona"] = persona
            m["role"] = "decision_maker" if j == 0 else r.choice(roles[1:])
            m["knowledge"] = r.choice(["expert", "informed", "novice"])
            if r.random() < 0.3:
                m["cooperated_before"] = True
            if criteria:
                m["priorities"] = r.sample(criteria, r.randint(1, min(2, len(criteria))))
            if r.random() < 0.7:
                m["prefers"] = r.sample(f.kinds, r.randint(1, 2))
            if r.random() < 0.7:
                host = f"client{r.randint(1, 999)}.example"
                m["email"] = f"{ascii_slug(name).replace('-', '.')}@{host}"
            m["private"] = {
                "birthday": dt.date(r.randint(1962, 1992), r.randint(1, 12), r.randint(1, 28)),
                "hobbies": r.sample(HOBBIES[L], r.randint(1, 2)),
                "family": r.choice(FAMILY[L]),
                "values": r.sample(VALUES[L], r.randint(1, 2)),
                "notes": r.choice(NOTES[L]),
            }
            members.append(m)
        return members

    def _pricing(self, r: random.Random, bg: bool, products: list[str]) -> dict:
        L = int(bg)
        names: list[str] = []
        for p in products:
            names.extend(PRODUCT_ITEMS.get(p, ([p], [p]))[L])
        names.extend(COMMON_ITEMS[L])
        r.shuffle(names)
        items = []
        for desc in names[: r.randint(3, min(8, len(names)))]:
            item: dict = {"description": desc, "quantity": r.choice([1, 1, 2, 4, 6, 12, 14])}
            unit = r.choice(UNITS[L])
            if unit:
                item["unit"] = unit
            cents = r.randint(20000, 5000000)
            # Mostly a plain number, sometimes quoted text, as managers write them.
            price = f"{cents // 100}.{cents % 100:02d}"
            item["unit_price"] = price if r.random() < 0.2 else float(price)
            items.append(item)
        return {"currency": r.choice(["EUR", "EUR", "BGN"]), "vat_percent": 20, "items": items}

    def _team(self, r: random.Random, bg: bool) -> list[dict]:
        L = int(bg)
        team = []
        positions = r.sample(TEAM[L], r.randint(1, 4))
        for j, pos in enumerate(positions):
            name = self._person(r, bg)
            m = {
                "name": name,
                "position": pos,
                "email": f"{ascii_slug(name).replace('-', '.')}@stratos-automation.example",
                "phone": f"+359 2 491 {r.randint(7000, 7999)}",
            }
            if j == 0:
                m["lead"] = True
            team.append(m)
        return team


def dump(data: dict) -> str:
    # SafeDumper quotes any string that would read back as another type ("1249.90", "yes").
    dumper = getattr(yaml, "CSafeDumper", yaml.SafeDumper)  # libyaml's is ~5x faster
    text = yaml.dump(
        data,
        Dumper=dumper,
        allow_unicode=True,
        sort_keys=False,
        width=100,
        default_flow_style=False,
    )
    return unicodedata.normalize("NFC", text)


def generate(out: Path, n: int, seed: int = 1, templates: Path = TEMPLATES) -> Path:
    """Write a workspace with ``n`` dossiers into ``out`` (created; must not hold dossiers)."""
    out.mkdir(parents=True, exist_ok=True)
    if (out / "templates").exists():
        shutil.rmtree(out / "templates")
    shutil.copytree(templates, out / "templates")
    folder = out / "dossiers"
    if folder.exists():
        shutil.rmtree(folder)
    folder.mkdir()
    (out / "kamdocs.yaml").write_text("# benchmark workspace (bench/gen.py)\n", encoding="utf-8")
    gen = Gen(read_library(out / "templates"), seed)
    used: set[str] = set()
    for i in range(1, n + 1):
        text = f"# bench dossier {i} (seed {seed})\n\n" + dump(gen.dossier(i, used))
        (folder / f"bench-{i:04d}.yaml").write_text(text, encoding="utf-8")
    return out


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--n", type=int, default=100, help="number of dossiers (default 100)")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--out", type=Path, required=True, help="workspace folder to write")
    args = ap.parse_args(argv)
    generate(args.out, args.n, args.seed)
    print(f"wrote {args.n} dossiers to {args.out / 'dossiers'}")
    return 0


if __name__ == "__main__":
    sys.path.insert(0, str(ROOT))
    sys.exit(main())
