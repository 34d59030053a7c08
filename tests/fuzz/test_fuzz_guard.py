"""Property: the privacy guard refuses a proposal that would show a private value, wherever a
public field carries it (a manager who copies a note into a position, a title or a name).

The fuzzed dossiers of test_fuzz_render.py, with one private text of one member copied into a
public field that every proposal prints, alone or inside a longer text: rendering must raise
InputError naming that member's private field, and write nothing. Templates cannot reach the
private block, so this is the guard's own test: without it these proposals would be written.
"""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from test_fuzz_render import (
    BUILD_DATE,
    EXAMPLES,
    MARK,
    TEMPLATES,
    dossiers,
    library,
    to_yaml,
)

from kamdocs import yamlsrc
from kamdocs.dossier import check_source
from kamdocs.errors import InputError
from kamdocs.render.pipeline import render

# Letters a word is made of, in the scripts the proposals use, and the private marker.
LETTERS = st.sampled_from("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZабвгдежзийклмнопрЮЯ")
secret = st.builds(
    lambda head, tail: f"{head}{MARK}{tail}",
    st.text(LETTERS, min_size=2, max_size=8),
    st.text(LETTERS, min_size=2, max_size=8),
)
# Public fields every proposal prints: (a path into the dossier, a description).
PUBLIC = ["offer.title", "client.name", "dmu.0.position", "dmu.0.name", "team.0.name"]


def _put(data: dict[str, Any], path: str, value: str) -> None:
    *parents, last = path.split(".")
    node: Any = data
    for key in parents:
        node = node[int(key)] if key.isdigit() else node[key]
    node[int(last) if last.isdigit() else last] = value


@settings(
    max_examples=max(10, EXAMPLES // 5),
    deadline=None,
    database=None,
    print_blob=True,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
@given(
    dossiers(),
    secret,
    st.sampled_from(PUBLIC),
    st.sampled_from(["{}", "Dear {}", "{} and more", "(see {})", "**{}**"]),
    st.sampled_from(["md", "docx", "html"]),
)
def test_a_private_value_copied_into_a_public_field_is_refused(
    data: dict[str, Any], value: str, field: str, around: str, fmt: str
) -> None:
    data["dmu"][0]["private"] = {"notes": value}
    _put(data, field, around.format(value))
    loaded = check_source(yamlsrc.parse(to_yaml(data), "fuzz.yaml"), library(), BUILD_DATE)
    with pytest.raises(InputError) as refused:
        render(loaded, library(), (fmt,), TEMPLATES)
    fields = [p.field for p in refused.value.problems]
    assert "dmu[0].private.notes" in fields, fields
