"""docs/templates.md's table of filters is the set of filters kamdocs adds to Jinja's."""

from __future__ import annotations

import re

from helpers import ROOT
from jinja2.filters import FILTERS as JINJA_FILTERS

from kamdocs import templating


def documented() -> set[str]:
    text = (ROOT / "docs" / "templates.md").read_text(encoding="utf-8")
    table = text.split("### Filters", 1)[1].split("\n\n", 2)[1]
    return {m.group(1) for m in re.finditer(r"^\| `(\w+)[(`]", table, re.MULTILINE)}


def test_every_filter_kamdocs_adds_is_documented_and_no_other() -> None:
    ours = set(templating.environment().filters) - set(JINJA_FILTERS)
    assert ours, "kamdocs registers filters of its own"
    assert documented() == ours
