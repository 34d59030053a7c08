"""The workspace: kamdocs.yaml settings, its folders, and which files are dossiers."""

from __future__ import annotations

import datetime as dt
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from kamdocs import records, yamlsrc
from kamdocs.errors import InputError, KamdocsError, Problem, UsageError, raise_if
from kamdocs.output import joined
from kamdocs.records import CalendarSettings, FollowupSettings, Milestone, Supplier
from kamdocs.validation import validate

SETTINGS_FILE = "kamdocs.yaml"
Format = Literal["md", "docx", "html", "pdf"]
FORMATS: tuple[str, ...] = ("md", "docx", "html", "pdf")


DEFAULT_MILESTONES: tuple[dict, ...] = (
    {
        "months": 9,
        "step": {
            "en": "Start preparing: recognise and shape the client's needs with them",
            "bg": "Начало на подготовката: разпознаване и оформяне на нуждите на клиента "
            "заедно с него",
        },
    },
    {
        "months": 6,
        "step": {
            "en": "Agree the key success factors with every DMU member",
            "bg": "Ключовите фактори за успех, съгласувани с всеки участник в екипа, "
            "който взема решения",
        },
    },
    {
        "months": 3,
        "step": {
            "en": "Solution, references and recommenders confirmed",
            "bg": "Решението, референциите и препоръчващите потвърдени",
        },
    },
    {
        "months": 1,
        "step": {
            "en": "Pricing and bid team final",
            "bg": "Цените и екипът на офертата окончателни",
        },
    },
)


@dataclass(frozen=True)
class Workspace:
    """Where a department keeps its dossiers and templates, and where proposals go."""

    root: Path
    dossiers: Path
    templates: Path
    out: Path
    locale: str
    valid_days: int
    formats: tuple[str, ...]
    # SPEC v2 settings; the defaults where kamdocs.yaml does not give them.
    supplier: Supplier
    calendar: CalendarSettings
    followup: FollowupSettings
    tender_milestones: tuple[Milestone, ...]
    settings_path: str | None = None  # kamdocs.yaml as shown to users, where there is one
    locale_line: int = 1  # of `locale:` in kamdocs.yaml, for a message about it
    warnings: tuple[Problem, ...] = ()  # about kamdocs.yaml, for the user; the settings are valid


def find_workspace(start: Path | None = None, templates: Path | None = None) -> Workspace:
    """The workspace of ``start`` (the current folder): the nearest folder up with kamdocs.yaml."""
    start = (start or Path.cwd()).resolve()
    root = next((p for p in (start, *start.parents) if (p / SETTINGS_FILE).is_file()), None)
    settings = records.validator("Settings").validate_python({})  # every default
    settings_path = None
    locale_line = 1
    warnings: list[Problem] = []
    if root is None:
        root = start
    else:
        path = root / SETTINGS_FILE
        settings_path = _display(path)
        source = yamlsrc.load(path, _display(path), allow_empty=True)  # all settings are optional
        data = {} if source.data is None else source.data
        if not isinstance(data, dict):
            raise InputError([source.problem((), "must be a mapping of settings")])
        found, problems = validate("Settings", source, data)
        warnings = raise_if(problems)
        settings = found
        locale_line = source.line(("locale",))
    return Workspace(
        root=root,
        dossiers=_rel(root / settings.dossiers),
        templates=_rel(templates if templates is not None else root / settings.templates),
        out=_rel(root / settings.out),
        locale=settings.locale,
        valid_days=settings.valid_days,
        formats=tuple(settings.formats),
        supplier=settings.supplier,
        calendar=settings.calendar,
        followup=settings.followup,
        tender_milestones=tuple(settings.tender_milestones),
        settings_path=settings_path,
        locale_line=locale_line,
        warnings=tuple(warnings),
    )


def _display(path: Path) -> str:
    try:
        return str(path.relative_to(Path.cwd()))
    except ValueError:
        return str(path)


def _rel(path: Path) -> Path:
    """Paths shown to users are relative to the current folder where that is shorter."""
    return Path(_display(path.resolve()) if path.is_absolute() else path)


DOSSIER_SUFFIXES = (".yaml", ".yml")  # in lower case only, as YAML tools name them


def dossier_files(paths: list[Path]) -> list[Path]:
    """The dossiers named: files as given, folders as their *.yaml files not starting with ``_``.

    A file named twice (``a.yaml ./a.yaml``, or a file and its folder) is one dossier. A folder
    holding no dossier is an error (exit 1) that names the files it did not take and why.
    """
    return [Path(name) for name in dossier_names(paths)]


def dossier_names(paths: list[Path]) -> list[str]:
    """``dossier_files`` as the strings ``str(path)`` gives, made without a ``Path`` each.

    A batch holds its dossiers' names from start to end, and pathlib interns every file name it
    parses for the life of the process: some 400 bytes a dossier, for nothing."""
    found: list[str] = []
    seen: set[str] = set()
    for path in paths:
        folder = os.fspath(path)
        real: dict[str, str] = {}  # a folder's dossiers that are no links: their real paths
        if os.path.isdir(folder):
            with os.scandir(folder) as listing:
                found_here = sorted(listing, key=lambda entry: entry.name)
            inside = []
            resolved = os.path.realpath(folder)
            for entry in found_here:
                if (
                    entry.name.endswith(DOSSIER_SUFFIXES)
                    and not entry.name.startswith(("_", "."))
                    and entry.is_file()  # the listing's file type: no stat for a plain file
                ):
                    name = joined(folder, entry.name)
                    inside.append(name)
                    if not entry.is_symlink():
                        real[name] = os.path.join(resolved, entry.name)
            if not inside:
                raise KamdocsError(_no_dossier(path, [entry.name for entry in found_here]))
        elif os.path.exists(folder):
            inside = [folder]
        else:
            raise UsageError(f"no such file or folder: {path}")
        for name in inside:
            key = real.get(name) or os.path.realpath(name)
            if key not in seen:
                seen.add(key)
                found.append(name)
    return found


def _no_dossier(folder: Path, names: list[str]) -> str:
    text = (
        f"{folder}: no dossier found (a dossier is a .yaml or .yml file whose name does not "
        "start with '_')"
    )
    near = [
        name
        for name in names
        if name.lower().endswith(DOSSIER_SUFFIXES)
        and not name.endswith(DOSSIER_SUFFIXES)
        and not name.startswith(("_", "."))
    ]
    if near:
        text += (
            f"; not taken: {', '.join(near)} (the suffix is case-sensitive: "
            f"rename it to end in .yaml)"
        )
    return text


def parse_formats(text: str | None, default: tuple[str, ...]) -> tuple[str, ...]:
    """``"md,docx"`` -> ``("md", "docx")`` in a stable order; ``None`` (no ``-f``) -> ``default``;
    unknown names and an empty list are a usage error."""
    if text is None:
        return default
    wanted = [part.strip().lower() for part in text.split(",") if part.strip()]
    if not wanted:
        raise UsageError(f"-f needs at least one format; choose from {', '.join(FORMATS)}")
    unknown = [w for w in wanted if w not in FORMATS]
    if unknown:
        raise UsageError(f"unknown format {', '.join(unknown)}; choose from {', '.join(FORMATS)}")
    return tuple(f for f in FORMATS if f in wanted)


def build_date(given: dt.date | None = None) -> dt.date:
    """The build date: ``--date``, else ``SOURCE_DATE_EPOCH``, else today."""
    if given is not None:
        return given
    epoch = os.environ.get("SOURCE_DATE_EPOCH", "").strip()
    if epoch:
        try:
            return dt.datetime.fromtimestamp(int(epoch), dt.UTC).date()
        except (ValueError, OverflowError, OSError):
            raise UsageError(
                f"SOURCE_DATE_EPOCH must be whole seconds since 1970, not {epoch!r}"
            ) from None
    return dt.date.today()
