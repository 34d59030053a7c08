"""Build small workspaces inline, in tmp_path (never in the checkout)."""

from __future__ import annotations

import re
import shutil
import textwrap
import zipfile
from pathlib import Path

from click.testing import CliRunner, Result

from kamdocs.cli import main

ROOT = Path(__file__).resolve().parent.parent
TEMPLATES = ROOT / "templates"
TEMPLATE = "templates/proposal.md.j2"  # the content template, relative to a workspace


def build_file_tree(root: Path, files: dict[str, str | bytes]) -> None:
    for name, content in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(content, bytes):
            path.write_bytes(content)
        else:
            path.write_text(textwrap.dedent(content).lstrip("\n"), encoding="utf-8")


PERSONAS = """
executive:
  label: {en: "For the management", bg: "За ръководството"}
  kinds: {business_insight: 3, exclusivity: 3, uniqueness: 2, benefit: 1}
hr:
  label: {en: "People and references", bg: "Хора и препоръки"}
  kinds: {reference: 3, people: 3, cooperation: 1}
finance:
  label: {en: "Figures and financial result", bg: "Цифри и финансов резултат"}
  kinds: {financial: 3, statistic: 3}
technical:
  label: {en: "Technical details", bg: "Технически детайли"}
  kinds: {technical: 3, statistic: 2}
"""

ARGUMENTS = """
- id: tco
  kind: financial
  title: {en: "Lower total cost", bg: "По-ниска обща цена"}
  text: {en: "Costs drop for {{ client.name }}.", bg: "Разходите на {{ client.name }} падат."}
  figures:
    - {label: {en: "Savings", bg: "Спестявания"}, value: "21 %"}
  criteria: [total cost of ownership]
- id: fast
  kind: statistic
  title: {en: "Live in six weeks", bg: "Работи за шест седмици"}
  text: {en: "Median go-live is six weeks.", bg: "Средно шест седмици."}
  detail: {en: "Measured over 40 projects.", bg: "Измерено в 40 проекта."}
  figures:
    - {label: {en: "Median go-live", bg: "Медиана"}, value: {en: "6 weeks", bg: "6 седмици"}}
  criteria: [implementation speed]
- id: only-us
  kind: exclusivity
  title: {en: "Exclusive terms", bg: "Изключителни условия"}
  text: {en: "Terms no one else gets.", bg: "Условия само за вас."}
  criteria: [total cost of ownership]
- id: insight
  kind: business_insight
  title: {en: "We know your market", bg: "Познаваме пазара ви"}
  text: {en: "Your {{ client.industry }} peers grow.", bg: "Пазарът расте."}
- id: refs
  kind: reference
  title: {en: "Proven elsewhere", bg: "Доказано другаде"}
  text: {en: "Others did it.", bg: "Други го направиха."}
  relationship: new
- id: together
  kind: cooperation
  title: {en: "Building on our pilot", bg: "Надграждаме пилота"}
  text: {en: "Our pilot worked.", bg: "Пилотът проработи."}
  relationship: existing
- id: api
  kind: technical
  title: {en: "Open API", bg: "Отворен API"}
  text: {en: "REST and events.", bg: "REST и събития."}
  detail: {en: "OpenAPI 3.1, webhooks.", bg: "OpenAPI 3.1, webhooks."}
  criteria: [integration with existing systems]
  products: [wms]
- id: growth
  kind: benefit
  title: {en: "Room to grow", bg: "Място за растеж"}
  text: {en: "A second site uses the same system.", bg: "Втори обект ползва същата система."}
  relationship: existing
- id: one-of-a-kind
  kind: uniqueness
  title: {en: "The only local vendor", bg: "Единственият местен доставчик"}
  text: {en: "Service on site within a day.", bg: "Сервиз на място до ден."}
  relationship: existing
- id: our-people
  kind: people
  title: {en: "People you know", bg: "Хора, които познавате"}
  text: {en: "The same team as in the pilot.", bg: "Същият екип като в пилота."}
  relationship: existing
"""

REFERENCES = """
- id: big-retail
  company: Big Retail
  industry: retail
  significant: true
  project: {en: "A WMS for 40 stores.", bg: "WMS за 40 магазина."}
  result: {en: "Errors down 38%.", bg: "Грешките паднаха с 38%."}
  recommender: {name: Rita Recommends, position: COO, email: rita@big.example, consent: true}
- id: small-logistics
  company: Small Logistics
  industry: logistics
  project: {en: "Picking robots.", bg: "Роботи."}
  recommender: {name: Secret Person, position: CEO, consent: false}
"""

DOSSIER = """
client:
  name: Acme Logistics AD
  industry: logistics
relationship:
  status: new
criteria:
  - total cost of ownership
  - implementation speed
dmu:
  - name: Ivan Petrov
    position: Chief Executive Officer
    persona: executive
    role: decision_maker
    private:
      birthday: 1971-05-14
      hobbies: [sailing]
      notes: "Secretly prefers the competitor"
  - name: Elena Dimitrova
    position: CFO
    persona: finance
    role: approver
    knowledge: expert
offer:
  title: Warehouse automation
  issued: 2026-11-26
  valid_days: 30
  pricing:
    currency: EUR
    vat_percent: 20
    items:
      - description: WMS licence
        quantity: 3
        unit_price: 1249.90
      - description: Labels
        quantity: 1000
        unit_price: 0.1
team:
  - name: Maria Georgieva
    position: Key Account Manager
    email: maria@supplier.example
    phone: "+359 2 123 4567"
    lead: true
"""


def small_library(
    root: Path, arguments: str = ARGUMENTS, personas: str = PERSONAS, references: str = REFERENCES
) -> Path:
    """A workspace with a small library, the shipped locales, template, CSS and reference.docx."""
    build_file_tree(
        root,
        {
            "templates/personas.yaml": personas,
            "templates/arguments/main.yaml": arguments,
            "templates/references.yaml": references,
        },
    )
    for name in ("locales", "proposal.md.j2", "proposal.css", "reference.docx"):
        src = TEMPLATES / name
        if src.is_dir():
            shutil.copytree(src, root / "templates" / name)
        elif src.exists():
            shutil.copy(src, root / "templates" / name)
    (root / "dossiers").mkdir(exist_ok=True)
    return root / "templates"


def run(*args: str, env: dict[str, str] | None = None) -> Result:
    """``kamdocs ARGS...`` through click's test runner, in the current folder."""
    return CliRunner().invoke(main, list(args), env=env)


def refused(result: Result, prefix: str = "") -> list[str]:
    """Exit 1, located problems only (PATH:LINE: ...), no traceback, nothing on stdout; the
    first line starts with ``prefix``. Returns the lines of stderr."""
    assert result.exit_code == 1, result.output
    assert "Traceback" not in result.output
    assert result.stdout == ""
    lines = result.stderr.splitlines()
    assert lines and all(re.match(r"^[^:]+:\d+: ", line) for line in lines), lines
    assert lines[0].startswith(prefix), (lines[0], prefix)
    return lines


def append_to_template(ws: Path, line: str) -> int:
    """Add ``line`` at the end of the workspace's content template; return its line number."""
    path = ws / TEMPLATE
    lines = path.read_text(encoding="utf-8").splitlines()
    lines.append(line)
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return len(lines)


def numbered_workspace(root: Path, count: int) -> Path:
    """The small library and ``count`` dossiers ``dossiers/c000.yaml``... of clients ``Client
    000``..., without an issue date (the build date is in every file)."""
    small_library(root)
    undated = DOSSIER.replace("  issued: 2026-11-26\n", "")
    build_file_tree(
        root,
        {
            f"dossiers/c{i:03d}.yaml": undated.replace("Acme Logistics AD", f"Client {i:03d}")
            for i in range(count)
        },
    )
    return root


def docx_parts(path: Path) -> dict[str, bytes]:
    """Every part of the DOCX (or any zip) at ``path``, by name."""
    with zipfile.ZipFile(path) as archive:
        return {name: archive.read(name) for name in archive.namelist()}
