"""The library marketing owns: personas, arguments, references and per-language wording."""

from __future__ import annotations

import functools
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal, TypeVar, get_args

from kamdocs import yamlsrc
from kamdocs.errors import InputError, Problem, raise_if
from kamdocs.fields import ANY_LANGUAGE
from kamdocs.records import Argument, Persona, Reference
from kamdocs.render.nesting import MAX_NESTING, nesting
from kamdocs.validation import validate

Kind = Literal[
    "business_insight", "benefit", "uniqueness", "exclusivity", "reference",
    "people", "statistic", "financial", "technical", "cooperation",
]  # fmt: skip
KINDS: tuple[str, ...] = get_args(Kind)
MAX_WEIGHT = 5  # of a kind in a persona: templates/personas.yaml and docs/templates.md say 0-5


def pick_key(text: dict[str, str], lang: str) -> str:
    """Which language of ``text`` serves ``lang``: exact, base language, any, English, first."""
    base = lang.split("_")[0].split("-")[0]
    for key in (lang, base, ANY_LANGUAGE, "en"):
        if key in text:
            return key
    return sorted(text)[0]


def pick(text: dict[str, str], lang: str) -> str:
    """The text for ``lang`` (see ``pick_key``)."""
    return text[pick_key(text, lang)]


ID_PATTERN = r"^[A-Za-z0-9][A-Za-z0-9_.-]*$"  # of an argument or a reference


@dataclass
class Origin:
    """Where a library entry was written, for errors found after loading."""

    path: str
    line: int
    fields: dict[tuple, int] = field(default_factory=dict)

    def line_of(self, *path: str | int) -> int:
        return self.fields.get(tuple(path), self.line)


@dataclass
class Library:
    """Everything under ``templates/`` that tailoring and rendering read, validated."""

    root: Path
    personas: dict[str, Persona]
    arguments: dict[str, Argument]
    references: list[Reference]
    locales: dict[str, dict[str, str]]
    origins: dict[str, Origin] = field(default_factory=dict)
    # Library texts holding template code, compiled once: (owner id, field, text) -> template.
    compiled: dict[tuple[str, str, str], Any] = field(default_factory=dict, repr=False)
    # What the user must see though the library is valid; printed once per command.
    warnings: list[Problem] = field(default_factory=list)
    # The key it is kept under between runs (kamdocs.stored), "" when it is not: what is worked
    # out from the library alone (the privacy guard's public inputs) may be kept under it too.
    key: str = field(default="", repr=False)

    def __getstate__(self) -> dict[str, Any]:
        # Kept between runs (kamdocs/stored.py) without the compiled templates: those have a
        # cache of their own, and code objects bound to this process's environment.
        return {**self.__dict__, "compiled": {}}


def _load_list(
    path: Path, display: str, model: str, problems: list[Problem], what: str
) -> list[tuple[Any, Origin]]:
    try:
        source = yamlsrc.load(path, display)
    except InputError as exc:
        problems.extend(exc.problems)
        return []
    if source.data is None:
        return []
    if not isinstance(source.data, list):
        problems.append(
            source.problem((), f"must be a list of {what} (each starting with '- id:')")
        )
        return []
    # Each item's own lines, gathered in one pass over the file's (not one pass per item).
    lines: dict[int, dict[tuple, int]] = {}
    for key, line in source.lines.items():
        if len(key) >= 2 and isinstance(key[0], int):
            lines.setdefault(key[0], {})[key[1:]] = line
    out = []
    for i, item in enumerate(source.data):
        obj, found = validate(model, source, item, (i,))
        problems.extend(found)
        if obj is not None:
            out.append((obj, Origin(display, source.line((i,)), lines.get(i, {}))))
    return out


def _display(path: Path) -> str:
    try:
        return str(path.relative_to(Path.cwd()))
    except ValueError:
        return str(path)


R = TypeVar("R")


def once_per_library(keep: int) -> Callable[[Callable[..., R]], Callable[..., R]]:
    """``func(library, *args)`` worked out once per library and arguments, not once per dossier
    (a batch checks and renders every dossier with the same library object); the results of at
    most ``keep`` are kept (``serve`` loads the library again after every save). The result is
    shared: callers only read it. ``cache_clear()`` forgets them all."""

    def decorate(func: Callable[..., R]) -> Callable[..., R]:
        memo: dict[tuple, tuple[Library, R]] = {}

        def wrapper(library: Library, *args: Any) -> R:
            key = (id(library), *args)
            hit = memo.get(key)
            if hit is not None and hit[0] is library:
                return hit[1]
            if len(memo) >= keep:
                memo.clear()
            result = func(library, *args)
            memo[key] = (library, result)
            return result

        wrapper.cache_clear = memo.clear  # type: ignore[attr-defined]
        return functools.update_wrapper(wrapper, func)

    return decorate


def load_library(root: Path) -> Library:
    """Load and check every library file under ``root``; raise ``InputError`` with all problems.

    A valid library is kept between runs (``kamdocs.stored``): read again only when a file of
    ``root`` or kamdocs' code changed."""
    from kamdocs import stored  # noqa: PLC0415

    if not root.is_dir():
        return _load_library(root)
    key = stored.library_key(root)
    library = stored.remembered("library", key, lambda: _load_library(root))
    library.key = key
    return library


def _load_library(root: Path) -> Library:
    problems: list[Problem] = []
    if not root.is_dir():
        message = (
            f"templates folder not found (looked for {root.resolve()}); run kamdocs in a "
            "workspace (the folder with kamdocs.yaml, or below it), or give --templates DIR"
        )
        raise InputError([Problem(_display(root), 1, "", message)])

    personas: dict[str, Persona] = {}
    personas_path = root / "personas.yaml"
    if not personas_path.is_file():
        problems.append(
            Problem(_display(personas_path), 1, "", "file not found: the persona profiles")
        )
    else:
        try:
            source = yamlsrc.load(personas_path, _display(personas_path))
            if not isinstance(source.data, dict) or not source.data:
                problems.append(
                    source.problem((), "must map persona names to profiles (label, kinds)")
                )
            else:
                for name, body in source.data.items():
                    if not re.match(ID_PATTERN, name):
                        problems.append(
                            source.problem(
                                (name,), "a persona name is one word (letters, digits, - and _)"
                            )
                        )
                        continue
                    persona, found = validate("Persona", source, body, (name,))
                    problems.extend(found)
                    if persona is not None:
                        personas[name] = persona
        except InputError as exc:
            problems.extend(exc.problems)

    arguments: dict[str, Argument] = {}
    origins: dict[str, Origin] = {}
    arg_files = sorted((root / "arguments").glob("*.yaml")) + sorted(
        (root / "arguments").glob("*.yml")
    )
    if not arg_files:
        problems.append(
            Problem(_display(root / "arguments"), 1, "", "no argument files (*.yaml) found")
        )
    for path in arg_files:
        for arg, origin in _load_list(path, _display(path), "Argument", problems, "arguments"):
            if arg.id in arguments:
                first = origins[arg.id]
                problems.append(
                    Problem(
                        origin.path,
                        origin.line_of("id"),
                        "id",
                        f"argument id '{arg.id}' is already used ({first.path}:{first.line})",
                    )
                )
                continue
            arguments[arg.id] = arg
            origins[arg.id] = origin

    references: list[Reference] = []
    ref_path = root / "references.yaml"
    if ref_path.is_file():
        seen: dict[str, Origin] = {}
        for ref, origin in _load_list(
            ref_path, _display(ref_path), "Reference", problems, "reference projects"
        ):
            if ref.id in seen:
                problems.append(
                    Problem(
                        origin.path,
                        origin.line_of("id"),
                        "id",
                        f"reference id '{ref.id}' is already used (line {seen[ref.id].line})",
                    )
                )
                continue
            seen[ref.id] = origin
            references.append(ref)
            origins["reference:" + ref.id] = origin

    locales = _load_locales(root / "locales", problems)
    problems.extend(_check_nesting(arguments, references, origins))
    warnings = raise_if(problems)
    library = Library(root, personas, dict(sorted(arguments.items())), references, locales, origins)
    from kamdocs.templating import check_library_templates  # noqa: PLC0415 - avoids an import cycle

    library.warnings = raise_if([*warnings, *check_library_templates(library)])
    return library


def _load_locales(folder: Path, problems: list[Problem]) -> dict[str, dict[str, str]]:
    locales: dict[str, dict[str, str]] = {}
    lines: dict[str, yamlsrc.Source] = {}
    files = sorted(folder.glob("*.yaml"))
    if not files:
        problems.append(Problem(_display(folder), 1, "", "no locale files (<lang>.yaml) found"))
    for path in files:
        display = _display(path)
        try:
            source = yamlsrc.load(path, display)
        except InputError as exc:
            problems.extend(exc.problems)
            continue
        if not isinstance(source.data, dict):
            problems.append(source.problem((), "must map wording keys to text"))
            continue
        wording = {}
        for key, value in source.data.items():
            if not isinstance(value, str | int) or isinstance(value, bool):
                problems.append(source.problem((key,), "must be a text"))
            else:
                wording[key] = str(value)
        locales[path.stem] = wording
        lines[path.stem] = source
    every = set().union(*locales.values()) if locales else set()
    for lang, wording in locales.items():
        for key in sorted(every - set(wording)):
            others = sorted(other for other, w in locales.items() if key in w)
            problems.append(
                lines[lang].problem(
                    (), f"wording '{key}' is missing (it is in {', '.join(others)}.yaml)"
                )
            )
    from babel import localedata  # noqa: PLC0415 - Babel is slow to import

    for lang in locales:
        if not localedata.exists(lang.replace("-", "_")):
            message = (
                f"Babel has no locale data for '{lang}': the dates and numbers of a '{lang}' "
                "proposal print as in English (name the file after a CLDR locale, e.g. de, fr_CH)"
            )
            problems.append(Problem(lines[lang].path, 1, "", message, "warning"))
    return locales


def _check_nesting(
    arguments: dict[str, Argument], references: list[Reference], origins: dict[str, Origin]
) -> list[Problem]:
    """Library Markdown nested deeper than ``markup.MAX_NESTING`` levels, with file and line."""

    owners: list[tuple[str, Any, tuple[str, ...]]] = [
        (arg_id, arg, ("title", "text", "detail")) for arg_id, arg in arguments.items()
    ]
    owners += [("reference:" + ref.id, ref, ("project", "result")) for ref in references]
    problems = []
    for owner, entry, names in owners:
        origin = origins[owner]
        for name in names:
            for lang, text in (getattr(entry, name) or {}).items():
                depth, line = nesting(text)
                if depth <= MAX_NESTING:
                    continue
                at = (name,) if lang == ANY_LANGUAGE else (name, lang)
                where = f" (line {line} of the text)" if line > 1 else ""
                problems.append(
                    Problem(
                        origin.path,
                        origin.line_of(*at),
                        f"[{owner.removeprefix('reference:')}]." + ".".join(at),
                        f"lists or quotes nest {depth} levels deep{where}; "
                        f"at most {MAX_NESTING} are allowed",
                    )
                )
    return problems
