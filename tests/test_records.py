"""The validator a command runs (``kamdocs.records``) is pydantic's models without pydantic.

It is built from the models' schema with each model made a plain record and each function
found in ``kamdocs.fields``. These tests hold it to that: on the shipped samples and on any
input Hypothesis writes, it accepts what the models accept, makes the same values, and fails
with the same errors."""

from __future__ import annotations

import copy
import os
import pickle
import subprocess
import sys
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
import yaml
from helpers import DOSSIER, ROOT
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from pydantic import BaseModel, ValidationError
from pydantic_core import ValidationError as CoreValidationError

from kamdocs import fields, models, records, stored, yamlsrc
from kamdocs.workspace import DEFAULT_MILESTONES

SAMPLES = sorted((ROOT / "dossiers").glob("*.yaml"))


def both(name: str, data: Any) -> tuple[Any, Any]:
    """(what the record validator makes, what the model makes): values, or the errors."""
    try:
        fast: Any = records.validator(name).validate_python(data)
    except CoreValidationError as exc:
        fast = _errors(exc)
    try:
        model: Any = getattr(models, name).model_validate(data)
    except ValidationError as exc:
        model = _errors(exc)
    return fast, model


def _errors(exc: CoreValidationError) -> list[dict]:
    """The errors, with the exception a value error carries as its text (exceptions compare by
    identity)."""
    errors = exc.errors(include_url=False)
    for error in errors:
        if "error" in error.get("ctx", {}):
            error["ctx"]["error"] = repr(error["ctx"]["error"])
    return errors


def same(name: str, data: Any) -> None:
    fast, model = both(name, data)
    if isinstance(model, list):
        assert isinstance(fast, list), "the records accepted what the model refuses"
        assert fast == model
        return
    assert isinstance(fast, records.Record), f"the records refused what the model accepts: {fast}"
    assert type(fast).__name__ == type(model).__name__
    assert records.dump(fast) == model.model_dump()
    assert _types(records.dump(fast)) == _types(model.model_dump())


def _types(value: Any) -> Any:
    """The classes of every value: a Decimal must not come back an int, nor a date a str."""
    if isinstance(value, dict):
        return {k: _types(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_types(v) for v in value]
    return type(value)


def read(path: Path) -> Any:
    return yamlsrc.load(path, path.name).data


@pytest.mark.parametrize("path", SAMPLES, ids=lambda p: p.stem)
def test_every_sample_dossier_makes_the_same_values(path: Path) -> None:
    same("Dossier", read(path))


def test_the_shipped_library_and_settings_make_the_same_values() -> None:
    templates = ROOT / "templates"
    for body in read(templates / "personas.yaml").values():
        same("Persona", body)
    for path in sorted((templates / "arguments").glob("*.yaml")):
        for item in read(path):
            same("Argument", item)
    for item in read(templates / "references.yaml"):
        same("Reference", item)
    same("Settings", read(ROOT / "kamdocs.yaml"))
    same("Settings", {})


def test_a_default_is_a_fresh_copy_for_each_value() -> None:
    first = records.validator("Settings").validate_python({})
    second = records.validator("Settings").validate_python({})
    assert records.dump(first.tender_milestones) == list(DEFAULT_MILESTONES)
    assert type(first.tender_milestones[0]) is records.Milestone
    assert first.tender_milestones is not second.tender_milestones
    assert first.supplier is not second.supplier
    first.tender_milestones.clear()
    assert len(records.validator("Settings").validate_python({}).tender_milestones) == 4


def test_a_record_keeps_through_pickle_and_compares_by_value() -> None:
    dossier = records.validator("Dossier").validate_python(yaml.safe_load(DOSSIER))
    again = pickle.loads(pickle.dumps(dossier))
    assert again == dossier and again is not dossier
    assert again.dmu[0].key == dossier.dmu[0].key
    assert again.slug == dossier.slug and again.contact == dossier.contact
    assert repr(again).startswith("Dossier(client=Client(name=")
    other = copy.deepcopy(yaml.safe_load(DOSSIER))
    other["offer"]["title"] += " (revised)"
    assert records.validator("Dossier").validate_python(other) != dossier


def test_the_schema_kept_holds_no_pydantic_and_no_function_of_its_own() -> None:
    def walk(node: Any) -> None:
        if isinstance(node, dict):
            assert "metadata" not in node and "default_factory" not in node
            for value in node.values():
                walk(value)
        elif isinstance(node, list | tuple):
            for value in node:
                walk(value)
        elif isinstance(node, type):
            assert node.__module__ == records.__name__, node
        elif callable(node):
            assert node.__module__ == fields.__name__, node
        else:
            assert not isinstance(node, BaseModel), node

    made = models.record_schemas()
    assert sorted(made) == sorted(records.TOP)
    walk(made)
    pickle.dumps(made)  # what stored.remembered keeps


def test_a_function_the_records_cannot_find_again_stops_the_build_of_their_schema() -> None:
    def own(value: Any) -> Any:
        return value

    schema = {
        "type": "function-before",
        "function": {"type": "no-info", "function": own},
        "schema": {"type": "str"},
    }
    with pytest.raises(TypeError, match="kamdocs.fields does not"):
        models._plain(schema)
    schema["function"]["function"] = fields.as_written
    assert models._plain(schema) == schema


# --- any input --------------------------------------------------------------------------------

BASE = yaml.safe_load(DOSSIER)


def _paths(node: Any, at: tuple = ()) -> list[tuple]:
    found = [at]
    if isinstance(node, dict):
        for key, value in node.items():
            found += _paths(value, (*at, key))
    elif isinstance(node, list):
        for i, value in enumerate(node):
            found += _paths(value, (*at, i))
    return found


PATHS = _paths(BASE)[1:]
leaf = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(-(10**20), 10**20),
    st.floats(allow_nan=True, allow_infinity=True),
    st.decimals(allow_nan=True, allow_infinity=True),
    st.text(max_size=12),
    st.sampled_from(["", " ", "x-", "2027-02-30", "1.5.2027", "EUR", "euro", "a@b.c", "-0.0"]),
    st.dates(),
    st.datetimes(),
)
value = st.recursive(
    leaf,
    lambda inner: (
        st.lists(inner, max_size=3)
        | st.dictionaries(st.sampled_from(["name", "x-note", "nmae", "id", "en", "*"]), inner)
    ),
    max_leaves=6,
)


def _put(data: Any, path: tuple, new: Any) -> Any:
    data = copy.deepcopy(data)
    node = data
    for key in path[:-1]:
        node = node[key]
    node[path[-1]] = new
    return data


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.tuples(st.sampled_from(PATHS), value), min_size=1, max_size=3))
def test_any_change_to_a_dossier_is_judged_the_same(changes: list[tuple[tuple, Any]]) -> None:
    data = BASE
    for path, new in changes:
        try:
            data = _put(data, path, new)
        except (KeyError, IndexError, TypeError):
            continue  # an earlier change took that place away
    same("Dossier", data)


@settings(max_examples=100, deadline=None)
@given(st.dictionaries(st.sampled_from(["label", "kinds", "max", "x-a", "lable"]), value))
def test_any_persona_is_judged_the_same(data: dict) -> None:
    same("Persona", data)


def test_the_values_yaml_makes_are_judged_the_same(tmp_path: Path) -> None:
    """kamdocs' YAML loader keeps how a number was written (a phone +35921234567, a price 0.1):
    both read the text, not the number."""
    text = DOSSIER.replace('phone: "+359 2 123 4567"', "phone: +35921234567").replace(
        "name: Acme Logistics AD", "name: 0x1F\n  share_of_sales: 0.25"
    )
    path = tmp_path / "d.yaml"
    path.write_text(text, encoding="utf-8")
    data = read(path)
    same("Dossier", data)
    dossier = records.validator("Dossier").validate_python(data)
    assert dossier.team[0].phone == "+35921234567" and dossier.client.name == "0x1F"
    assert dossier.offer.pricing.items[1].unit_price == Decimal("0.1")


# --- kept between runs ------------------------------------------------------------------------


def _forget() -> None:
    """No schema or validator of this process: the next one is read from the cache folder."""
    records._schemas.cache_clear()
    records.validator.cache_clear()


@pytest.fixture
def kept(cache_base: Path) -> Iterator[Path]:
    """The validators' cache folder of the test's own, and no validator built in this process."""
    _forget()
    yield cache_base / "validators"
    _forget()


def _settings_out() -> str:
    _forget()
    return records.validator("Settings").validate_python({}).out


def _plant(entry: Path) -> None:
    """A kept schema whose default output folder is "planted"."""
    schemas = pickle.loads(entry.read_bytes())
    text = pickle.dumps(schemas).replace(b"\x8c\x05build", b"\x8c\x07planted")
    entry.write_bytes(text)


def test_the_schema_is_kept_and_what_is_kept_is_used(kept: Path) -> None:
    assert _settings_out() == "build"
    (entry,) = kept.iterdir()
    assert entry.stat().st_mode & 0o077 == 0  # private to the user
    assert entry.name == stored.validators_key()
    _plant(entry)
    assert _settings_out() == "planted"


@pytest.mark.parametrize("mode", [0o666, 0o644 | 0o020])
def test_a_kept_schema_others_may_write_is_not_used(kept: Path, mode: int) -> None:
    _settings_out()
    (entry,) = kept.iterdir()
    _plant(entry)
    entry.chmod(mode)
    assert _settings_out() == "build"


def test_a_damaged_schema_is_only_a_miss(kept: Path) -> None:
    _settings_out()
    (entry,) = kept.iterdir()
    entry.write_bytes(b"\x80\x05not a pickle")
    assert _settings_out() == "build"


def test_another_pydantic_is_another_key(monkeypatch: pytest.MonkeyPatch) -> None:
    before = stored.validators_key()
    stored.code_digest.cache_clear()
    monkeypatch.setattr(stored, "pydantic_version", lambda: "0.0.0")
    try:
        assert stored.validators_key() != before
    finally:
        stored.code_digest.cache_clear()


def test_pydantic_s_version_is_read_without_importing_it() -> None:
    import pydantic

    stored.pydantic_version.cache_clear()
    saved = sys.modules.pop("pydantic.version")
    try:
        assert stored.pydantic_version() == pydantic.VERSION
        assert "pydantic.version" not in sys.modules
    finally:
        sys.modules["pydantic.version"] = saved
        stored.pydantic_version.cache_clear()


# --- pydantic-core without its package ---------------------------------------------------------

CORE_PROBE = """
import sys
from kamdocs import records
core = records.core()
print("package" if "pydantic_core" in sys.modules else "module alone")
try:
    records.validator("Settings").validate_python({"formts": ["md"]})
except core.ValidationError as exc:
    caught = exc
import pydantic, pydantic_core
same = pydantic_core.SchemaValidator is core.SchemaValidator
print(same, isinstance(caught, pydantic.ValidationError))
"""


def _probe(code: str, cache: Path) -> list[str]:
    env = {**os.environ, "KAMDOCS_CACHE_DIR": str(cache)}
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, env=env
    )
    return done.stdout.split("\n")[:2]


def test_the_compiled_module_is_loaded_alone_and_is_the_one_pydantic_uses(tmp_path: Path) -> None:
    assert _probe(CORE_PROBE, tmp_path) == ["module alone", "True True"]


def test_a_pydantic_core_laid_out_otherwise_is_imported_as_usual(tmp_path: Path) -> None:
    code = "import importlib.machinery\nimportlib.machinery.EXTENSION_SUFFIXES[:] = []\n"
    assert _probe(code + CORE_PROBE, tmp_path) == ["package", "True True"]


def test_a_compiled_module_that_will_not_load_alone_is_imported_as_usual(tmp_path: Path) -> None:
    code = (
        "from kamdocs import records\n"
        "def refuse(path):\n"
        "    raise ImportError(path)\n"
        "records._load = refuse\n"
    )
    assert _probe(code + CORE_PROBE, tmp_path) == ["package", "True True"]
