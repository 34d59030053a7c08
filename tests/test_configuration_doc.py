"""docs/configuration.md lists every key of kamdocs.yaml with its default, from the code."""

from __future__ import annotations

import re

import pytest
import yaml
from helpers import ROOT
from pydantic import BaseModel

from kamdocs.models import Settings
from kamdocs.workspace import DEFAULT_MILESTONES

DOC = ROOT / "docs" / "configuration.md"
_ROW = re.compile(r"^\| `(?P<key>[a-z_.]+)` \| (?P<default>[^|]+) \|", re.MULTILINE)


def documented() -> dict[str, str]:
    """key -> the default column, from the table of every key."""
    text = DOC.read_text(encoding="utf-8")
    table = text.split("## Every key", 1)[1].split("\n## ", 1)[0]
    return {m["key"]: m["default"].strip() for m in _ROW.finditer(table)}


def settings_keys(model: type[BaseModel] = Settings, prefix: str = "") -> dict[str, object]:
    """Every leaf key of the settings model, dotted, with its default."""
    keys: dict[str, object] = {}
    for name, info in model.model_fields.items():
        annotation = info.annotation
        default = info.get_default(call_default_factory=True)
        if isinstance(annotation, type) and issubclass(annotation, BaseModel):
            keys.update(settings_keys(annotation, f"{prefix}{name}."))
        else:
            keys[prefix + name] = default
    return keys


def test_every_key_is_documented_and_nothing_else() -> None:
    assert sorted(documented()) == sorted(settings_keys())


def _shown(default: object) -> str:
    if isinstance(default, list) and not default:
        return "`[]`"
    if isinstance(default, list):
        return "`[" + ", ".join(map(str, default)) + "]`"
    if default is None:
        return "none"
    return f"`{default}`"


@pytest.mark.parametrize("key", sorted(k for k in settings_keys() if k != "tender_milestones"))
def test_the_documented_default_is_the_code_default(key: str) -> None:
    assert documented()[key] == _shown(settings_keys()[key])


def test_the_documented_milestones_are_the_defaults() -> None:
    text = DOC.read_text(encoding="utf-8")
    rows = re.findall(r"^\| (\d+) \| ([^|]+) \|$", text, re.MULTILINE)
    assert [(int(m), s.strip()) for m, s in rows] == [
        (m["months"], m["step"]["en"]) for m in DEFAULT_MILESTONES
    ]


def test_the_example_is_valid_settings() -> None:
    text = DOC.read_text(encoding="utf-8")
    example = text.split("## An example", 1)[1].split("```yaml\n", 1)[1].split("```", 1)[0]
    Settings.model_validate(yaml.safe_load(example))
