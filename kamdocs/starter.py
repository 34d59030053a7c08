"""The commented starter dossier that ``kamdocs new`` writes."""

from __future__ import annotations

import datetime as dt
import json

STARTER = """\
# Dossier: {name}
# One file per key client. Everything below `private:` is for you only and never reaches
# the client; every other value may appear in the proposal. Check it with `kamdocs validate`,
# see the choices with `kamdocs explain`, and render with `kamdocs render`.
# Field reference: docs/dossier-format.md. Keys starting with "x-" are yours (e.g. x-crm-id).

client:
  name: {name_yaml}
  slug: {slug_yaml}                     # file name of the proposal: letters a-z, digits and -
  # industry: retail                   # finds similar reference projects (e.g. logistics, pharma)
  {locale_line}
  # share_of_sales: 0.10               # this client's share of OUR sales, 0..1

business:                              # your analysis of the client's business
  situation: "Describe the state of the client's business in a sentence or two."
  weaknesses:
    - "A weakness the offer helps with"
  growth_areas:
    - "Where the client wants to grow"

relationship:
  status: new                          # new | existing (existing: add history below)
  # history:
  #   - date: 2025-04-01
  #     summary: "What we did together"
  #     result: "The measurable result"

criteria:                              # what the client evaluates first, most important first
  - total cost of ownership
  - implementation speed

# tender:                              # when the client buys through a tender
#   name: "Name of the tender"
#   submission_date: 2027-06-01

dmu:                                   # decision-making unit: everyone who judges the offer
  - name: "Name of the decision maker"
    position: Chief Executive Officer
    persona: executive                 # a persona of templates/personas.yaml
    role: decision_maker               # decision_maker | approver | evaluator | influencer
    knowledge: informed                # expert | informed | novice
    cooperated_before: false           # has this person worked with us before?
    priorities: [total cost of ownership]   # criteria this person weighs most
    # prefers: [exclusivity]           # argument kinds to favour for this person
    # email: name@client.example
    private:                           # NEVER shown to the client: for building the relationship
      # birthday: 1975-01-31
      # hobbies: [sailing]
      # family: ""
      # values: [punctuality]
      notes: ""

offer:
  title: "Title of the offer"
  # summary: "One paragraph on what we offer and why now."
  # products: [wms-pro]                # limits the arguments to these products
  # include: []                        # argument ids you pin (see `kamdocs explain`)
  # exclude: []                        # argument ids you rule out
  issued: {today}
  valid_days: 30                       # or valid_until: YYYY-MM-DD (not both)
  # pricing:
  #   currency: EUR                    # ISO 4217 code
  #   vat_percent: 20
  #   items:
  #     - description: "What is sold"
  #       quantity: 1
  #       unit_price: 1000.00          # exact decimal

team:                                  # who prepared the proposal, the lead first
  - name: "Your name"
    position: Key Account Manager
    email: you@supplier.example
    phone: "+359 2 000 0000"
    lead: true
"""


# The texts of the starter that stand for what the user writes: left in a dossier, `validate`
# warns about each (they would reach the client).
PLACEHOLDERS = frozenset(
    {
        "Describe the state of the client's business in a sentence or two.",
        "A weakness the offer helps with",
        "Where the client wants to grow",
        "Name of the tender",
        "Name of the decision maker",
        "name@client.example",
        "Title of the offer",
        "One paragraph on what we offer and why now.",
        "What is sold",
        "Your name",
        "you@supplier.example",
        "+359 2 000 0000",
    }
)
_LOCALE = "locale: {0}                           # language of the proposal (en, bg)"
_NO_LOCALE = "# locale: bg                         # language of the proposal (en, bg); default: the workspace's"  # noqa: E501


def _cyrillic(name: str) -> bool:
    letters = [c for c in name if c.isalpha()]
    return bool(letters) and sum("\u0400" <= c <= "\u04ff" for c in letters) * 2 > len(letters)


def starter(name: str, slug: str, today: dt.date) -> str:
    """The starter dossier text for a client called ``name``: a Cyrillic name presets Bulgarian."""
    return STARTER.format(
        locale_line=_LOCALE.format("bg") if _cyrillic(name) else _NO_LOCALE,
        name=" ".join(name.split()),
        name_yaml=json.dumps(name, ensure_ascii=False),
        # Quoted: slugs such as "yes", "null" or "0x1f" are not text to YAML.
        slug_yaml=json.dumps(slug),
        today=today.isoformat(),
    )
