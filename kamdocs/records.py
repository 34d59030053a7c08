"""What a validated dossier, library entry or settings file is made of, and the validator that
makes them: without pydantic on the way.

Importing pydantic and building the models' validators costs a fresh ``kamdocs render`` about
a third of its time. The validator a command runs is instead pydantic-core's, built from the
schema pydantic generates for the models (``kamdocs.models``), with each model class replaced
by a plain class of the same name here and each function by its twin in ``kamdocs.fields``.
That schema is made once and kept between runs with the library (``kamdocs.stored``, keyed by
kamdocs' code and pydantic's version); a run that finds it kept loads only pydantic-core's
compiled module (``core``).

The two validators are the same schema: they accept the same input and make the same values.
Where the input is wrong, ``kamdocs.validation`` asks the models again for the located messages,
so that what a user reads is what pydantic's models say (``tests/test_records.py``)."""

from __future__ import annotations

import functools
import os
import sys
import threading
from types import ModuleType
from typing import TYPE_CHECKING, Any

from kamdocs.slug import slugify

if TYPE_CHECKING:
    from pydantic_core import SchemaValidator

# The models validated on their own; the others are parts of these.
TOP = ("Dossier", "Persona", "Argument", "Reference", "Settings")


class Record:
    """A validated model's values as attributes (in the models' field order), as pydantic's
    ``BaseModel`` keeps them: pydantic-core fills the same four slots."""

    __slots__ = (
        "__dict__", "__pydantic_fields_set__", "__pydantic_extra__", "__pydantic_private__",
    )  # fmt: skip

    def __eq__(self, other: object) -> bool:
        if type(other) is not type(self):
            return NotImplemented
        return self.__dict__ == other.__dict__

    __hash__ = None  # type: ignore[assignment] - like a model: equal by value, so not hashable

    def __repr__(self) -> str:
        fields = ", ".join(f"{name}={value!r}" for name, value in self.__dict__.items())
        return f"{type(self).__name__}({fields})"


def dump(value: Any) -> Any:
    """``value`` with every record made a dict of its fields, as ``model_dump()`` does."""
    if isinstance(value, Record):
        return {name: dump(v) for name, v in value.__dict__.items()}
    if isinstance(value, list):
        return [dump(v) for v in value]
    if isinstance(value, dict):
        return {k: dump(v) for k, v in value.items()}
    return value


class MemberParts:
    """What a DMU member works out (shared by the model and the record)."""

    __slots__ = ()

    @property
    def key(self) -> str:
        """The member's id, given or derived from the name."""
        return self.id or slugify(self.name) or "member"  # type: ignore[attr-defined]


class DossierParts:
    """What a dossier works out (shared by the model and the record)."""

    __slots__ = ()

    @property
    def slug(self) -> str:
        return self.client.slug or slugify(self.client.name)  # type: ignore[attr-defined]

    @property
    def contact(self) -> Any:
        """Who receives the offer: ``offer.contact``, else the first decision maker, else the
        first member."""
        offer, dmu = self.offer, self.dmu  # type: ignore[attr-defined]
        if offer.contact is not None:
            for member in dmu:
                if member.key == offer.contact:
                    return member
        return next((m for m in dmu if m.role == "decision_maker"), dmu[0])

    @property
    def lead(self) -> Any:
        """The team member who leads: the one marked ``lead``, else the first."""
        team = self.team  # type: ignore[attr-defined]
        return next((m for m in team if m.lead), team[0])


# One record class per model of kamdocs.models, by the same name.
class Client(Record):
    __slots__ = ()


class Business(Record):
    __slots__ = ()


class HistoryEntry(Record):
    __slots__ = ()


class Relationship(Record):
    __slots__ = ()


class Tender(Record):
    __slots__ = ()


class Member(MemberParts, Record):
    __slots__ = ()


class Item(Record):
    __slots__ = ()


class Pricing(Record):
    __slots__ = ()


class Offer(Record):
    __slots__ = ()


class TeamMember(Record):
    __slots__ = ()


class Dossier(DossierParts, Record):
    __slots__ = ()


class Persona(Record):
    __slots__ = ()


class Figure(Record):
    __slots__ = ()


class Argument(Record):
    __slots__ = ()


class Recommender(Record):
    __slots__ = ()


class Reference(Record):
    __slots__ = ()


class Supplier(Record):
    __slots__ = ()


class CalendarSettings(Record):
    __slots__ = ()


class FollowupSettings(Record):
    __slots__ = ()


class Milestone(Record):
    __slots__ = ()


class Settings(Record):
    __slots__ = ()


@functools.cache
def validator(name: str) -> SchemaValidator:
    """The validator of the model ``name`` (one of ``TOP``): its ``validate_python`` returns a
    record or raises pydantic-core's ``ValidationError``."""
    schema, config = _schemas()[name]
    return core().SchemaValidator(schema, config)


CORE = "pydantic_core._pydantic_core"


def core() -> ModuleType:
    """pydantic-core's compiled module, where the validator and its ``ValidationError`` live.

    Importing the ``pydantic_core`` package costs a fresh command some 25 ms more than the
    module does: its Python part declares the core schema's hundreds of typed dicts, which only
    pydantic needs. So the module is loaded from the package's folder under its own name, as the
    package would load it; when pydantic is imported later (a wrong input's messages), the
    package finds it loaded and uses the same one. Anything unexpected (no such file, a build
    laid out otherwise) means importing the package as usual."""
    with _LOADING:  # another thread must not take the module before it is initialised
        return _core()


_LOADING = threading.Lock()


def _core() -> ModuleType:
    module = sys.modules.get(CORE)
    if module is not None:
        return module
    import importlib.machinery  # noqa: PLC0415
    import importlib.util  # noqa: PLC0415

    spec = importlib.util.find_spec("pydantic_core")  # finds the folder, runs nothing
    folders = (spec.submodule_search_locations or []) if spec is not None else []
    for folder in folders:
        for suffix in importlib.machinery.EXTENSION_SUFFIXES:
            path = os.path.join(folder, "_pydantic_core" + suffix)
            if os.path.isfile(path):
                try:
                    return _load(path)
                except ImportError:
                    break  # not loadable on its own here: as the package loads it
    import pydantic_core._pydantic_core as module  # noqa: PLC0415

    return module


def _load(path: str) -> ModuleType:
    import importlib.util  # noqa: PLC0415

    spec = importlib.util.spec_from_file_location(CORE, path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[CORE] = module
    try:
        spec.loader.exec_module(module)
    except BaseException:
        sys.modules.pop(CORE, None)
        raise
    return module


@functools.cache
def _schemas() -> dict[str, tuple[dict, dict]]:
    from kamdocs import stored  # noqa: PLC0415

    return stored.remembered("validators", stored.validators_key(), _made)


def _made() -> dict[str, tuple[dict, dict]]:
    from kamdocs.models import record_schemas  # noqa: PLC0415 - pydantic: only when not kept

    return record_schemas()
