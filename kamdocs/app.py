"""What each command does, usable without the command line."""

from __future__ import annotations

import contextlib
import datetime as dt
import json
import os
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from itertools import chain
from pathlib import Path
from typing import TYPE_CHECKING

from kamdocs import records
from kamdocs.dossier import Loaded, load_dossier
from kamdocs.errors import InputError, KamdocsError, OutputError, Problem, raise_if, split
from kamdocs.library import Library, load_library
from kamdocs.output import write_new
from kamdocs.privacy import public_warnings
from kamdocs.slug import slugify
from kamdocs.starter import starter
from kamdocs.workspace import Workspace, build_date, dossier_files, dossier_names

if TYPE_CHECKING:
    from kamdocs.build import Job, Outcome
    from kamdocs.output import Batch
    from kamdocs.portfolio import Portfolio
    from kamdocs.tailor import Plan
    from kamdocs.uptodate import Listed, Recorded


@dataclass
class Checked:
    """The result of validating a workspace: the library and every dossier, all valid, and the
    warnings the user must see."""

    library: Library
    dossiers: list[Loaded]
    warnings: list[Problem] = field(default_factory=list)


def _settings_problems(workspace: Workspace, library: Library) -> list[Problem]:
    """Problems of the workspace as a whole (kamdocs.yaml, the library): reported once, at their
    own file and line, not once per dossier."""
    problems = [*workspace.warnings, *library.warnings]
    if workspace.locale not in library.locales:
        known = ", ".join(sorted(library.locales))
        if workspace.settings_path is not None:
            where, line = workspace.settings_path, workspace.locale_line
        else:
            where, line = str(workspace.templates / "locales"), 1
        problems.append(
            Problem(
                where,
                line,
                "locale",
                f"no wording for the default language '{workspace.locale}' (known: {known})",
            )
        )
    return problems


def _library(workspace: Workspace, paths: list[Path] | None, today: dt.date) -> Library:
    """The workspace's library; when it is broken, its problems and every problem of the
    dossiers that does not depend on it, so that one library error hides nothing else."""
    try:
        return load_library(workspace.templates)
    except InputError as broken:
        problems = list(broken.problems)
        try:
            files = dossier_files(paths or [workspace.dossiers])
        except KamdocsError:  # no dossiers to check either (outside a workspace): the library's
            raise broken from None  # problems are what there is to say
        for path in files:
            try:
                load_dossier(path, None, today, workspace.valid_days, workspace.locale)
            except InputError as exc:
                problems += exc.problems
        raise InputError(problems) from None


def load_all(
    workspace: Workspace,
    paths: list[Path] | None,
    date: dt.date | None = None,
    strict: bool = False,
) -> Checked:
    """Load the library and the dossiers at ``paths`` (default: the workspace's), all at once.

    Raises ``InputError`` on any error (any warning too, with ``strict``)."""
    today = build_date(date)
    library = _library(workspace, paths, today)
    files = dossier_files(paths or [workspace.dossiers])
    problems: list[Problem] = _settings_problems(workspace, library)
    loaded: list[Loaded] = []
    slugs: dict[str, str] = {}
    for path in files:
        try:
            item = load_dossier(path, library, today, workspace.valid_days, workspace.locale)
        except InputError as exc:
            problems.extend(exc.problems)
            continue
        problems.extend(item.warnings)
        if item.slug in slugs:
            problems.append(
                item.source.problem(
                    item.slug_field,
                    f"makes the same file name '{item.slug}' as {slugs[item.slug]}",
                )
            )
            continue
        slugs[item.slug] = item.path
        loaded.append(item)
        problems.extend(public_warnings(item, library, workspace.supplier))
    return Checked(library, loaded, raise_if(problems, strict))


def _once(problems: list[Problem]) -> list[Problem]:
    """Each problem once: both the templates check and the dossiers' own load the library and
    the dossiers, and find the same problems of them (kept as the first found says them)."""
    seen: dict[tuple, Problem] = {}
    for p in problems:
        seen.setdefault((p.path, p.line, p.field, p.message, p.level), p)
    return list(seen.values())


def validate(
    workspace: Workspace,
    paths: list[Path] | None,
    date: dt.date | None = None,
    strict: bool = False,
) -> Checked:
    """Check the dossiers, the library and the templates (the checks of ``kamdocs templates
    check``, every dossier rendered in memory in every format); write nothing.

    Every problem at once: the templates' with the dossiers'. With ``strict`` a warning is an
    error."""
    from kamdocs import lint  # noqa: PLC0415

    # No templates folder at all is one problem (load_all says so), not one per file in it.
    found = lint.check(workspace, paths, date).findings if workspace.templates.is_dir() else []
    try:
        checked = load_all(workspace, paths, date)
    except InputError as exc:
        raise InputError(_once([*exc.problems, *found])) from None
    checked.warnings = raise_if(_once([*checked.warnings, *found]), strict)
    return checked


def new(workspace: Workspace, name: str, date: dt.date | None = None) -> Path:
    """Write a commented starter dossier for client ``name``; never overwrite."""
    slug = slugify(name)
    if not slug:
        raise OutputError(
            f"cannot make a file name from {name!r}; use Latin or Cyrillic letters or digits"
        )
    path = workspace.dossiers / f"{slug}.yaml"
    write_new(path, starter(name, slug, build_date(date)))
    return path


def schema() -> str:
    """The JSON Schema of the dossier format, for editors."""
    from kamdocs.models import Dossier  # noqa: PLC0415 - pydantic writes the schema

    data = Dossier.model_json_schema()
    data["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    data["title"] = "kamdocs dossier"
    _allow_extension_keys(data)
    return json.dumps(data, indent=2, ensure_ascii=False, sort_keys=True) + "\n"


def _allow_extension_keys(node: object) -> None:
    # Models forbid unknown keys except those starting with "x-"; say so to editors.
    if isinstance(node, dict):
        if node.get("additionalProperties") is False:
            node["patternProperties"] = {"^x-": {}}
        for value in node.values():
            _allow_extension_keys(value)
    elif isinstance(node, list):
        for value in node:
            _allow_extension_keys(value)


@dataclass
class Written:
    """What a render or build wrote."""

    out: Path
    outputs: Sequence[tuple[str, str]]  # file name in ``out``, sha256
    dossiers: int
    kept: int = 0  # of the outputs, those an earlier build wrote and that still stand
    warnings: list[Problem] = field(default_factory=list)  # for the user; nothing was wrong
    removed: list[str] = field(default_factory=list)  # files of an earlier build, now gone


def _progress(items: Iterator[Outcome], length: int, show: bool):  # noqa: ANN202
    import contextlib

    import click

    if not show:
        return contextlib.nullcontext(items)
    return click.progressbar(
        items, length=length, label="rendering", file=click.get_text_stream("stderr")
    )


def render(
    workspace: Workspace,
    paths: list[Path] | None,
    formats: tuple[str, ...],
    out: Path,
    date: dt.date | None = None,
    manifest: bool = False,
    progress: bool = False,
    force: bool = False,
    strict: bool = False,
) -> Written:
    """Render dossiers into ``out``, all or nothing: any error anywhere (any warning too, with
    ``strict``) and nothing changes. The warnings come back on ``Written.warnings``.

    Every run keeps ``out/manifest.json`` true: each output with its sha256 and the dossier it
    came from. A build (``manifest``) lists exactly what it wrote and removes the files its
    previous manifest listed that it no longer writes; a dossier whose outputs are up to date
    (see ``uptodate``) is not rendered again, unless ``force``. A render adds its files to the
    folder's manifest and refuses to replace a file that came from another dossier, unless
    ``force``.
    """
    from kamdocs import uptodate
    from kamdocs.build import Job, outcomes
    from kamdocs.output import Batch, keep_hashes, recall_hashes
    from kamdocs.render.content import check_template

    pdf = None
    if "pdf" in formats:
        from kamdocs.render import pdf  # noqa: PLC0415 - only when asked for

        program = pdf.soffice()  # before anything is rendered: no LibreOffice, no work
    library = _library(workspace, paths, build_date(date))
    problems: list[Problem] = _settings_problems(workspace, library)
    problems += check_template(workspace.templates)
    raise_if(problems, strict)
    files = dossier_names(paths or [workspace.dossiers])
    today = build_date(date)
    job = Job(
        library,
        workspace.templates,
        formats,
        today,
        workspace.valid_days,
        workspace.locale,
        workspace.supplier,
    )
    standing: dict[str, Outcome] = {}
    settings = {"date": today.isoformat(), "locale": workspace.locale}
    settings["valid_days"] = str(workspace.valid_days)
    # Heads every page; written as pydantic wrote it (model_dump_json), so that the fingerprint
    # of the same settings stays the same.
    supplier = records.dump(workspace.supplier)
    settings["supplier"] = json.dumps(supplier, ensure_ascii=False, separators=(",", ":"))
    if pdf is not None:
        settings["libreoffice"] = pdf.version_key(program)
    inputs = uptodate.fingerprint(workspace.templates, formats, settings)
    previous = uptodate.manifest_in(out)  # parsed once: a large one takes a while
    if manifest and not force and (recorded := uptodate.earlier(previous, inputs)):
        recall_hashes(out)  # what the last build hashed: files unchanged since are not read
        standing = _standing(files, out, formats, recorded, job)
    if not manifest and uptodate.foreign(out, previous):
        raise OutputError(
            f"{out / uptodate.MANIFEST}: not a kamdocs manifest, and kamdocs keeps its own "
            "manifest.json in the output folder: choose another folder with -o"
        )
    before_inputs, before = uptodate.listed(previous)
    # A render keeps the warnings the manifest records of the dossiers it does not render.
    before_warnings = {} if manifest else uptodate.warnings_in(previous)
    del previous  # its parsed entries are not kept through the build
    # File name (slug) -> the dossier and its sha256, for each dossier of this run. Its files
    # are "<slug>.<format>" for every format; the batch holds their names and sha256s, so that
    # nothing here is kept per file.
    owners: dict[str, tuple[str, bytes]] = {}
    warned: dict[str, list[Problem]] = {}  # dossier path -> its warnings, kept in the manifest
    fresh = outcomes(job, [path for path in files if path not in standing])
    ordered = _in_order(files, standing, fresh)
    converter = pdf.Converter(program, today) if pdf is not None else contextlib.nullcontext()
    stopped, seen = False, 0  # an error (or with strict a warning) among problems[:seen]
    with Batch(out) as batch, converter:
        with _progress(ordered, len(files), progress) as results:
            for result in results:
                problems.extend(result.problems)
                if split(result.problems)[0]:
                    continue  # this dossier's errors are reported; its files are not staged
                if result.slug in owners:
                    line, where = _slug_at(result, job) if result.kept else result.slug_at
                    first = owners[result.slug][0]
                    problems.append(
                        Problem(
                            result.path,
                            line,
                            where,
                            f"makes the same file name '{result.slug}' as {first}",
                        )
                    )
                    continue
                # (The sha256 as its 32 bytes: half the size of its hex digits.)
                owners[result.slug] = (result.path, bytes.fromhex(result.dossier_sha256))
                if not manifest and not force:
                    problems.extend(_owned_by_another(result, out, formats, before))
                if not stopped:  # only the problems found since the last look: no n² scan
                    stopped, seen = _stops(problems[seen:], strict), len(problems)
                if stopped:
                    continue  # keep finding problems, but stage nothing more
                documents = dict(result.files)
                if pdf is not None and documents:  # rendered now, not kept from a build
                    docx = f"{result.slug}.docx"
                    data = documents[docx] if "docx" in formats else documents.pop(docx)
                    converter.add(result.slug, data)
                for name, data in documents.items():
                    batch.add(name, data)
                for name, digest in result.kept:
                    batch.keep(name, digest)
                if found := [p for p in result.problems if p.is_warning]:
                    warned[result.path] = found
        warnings = raise_if(problems, strict)
        if pdf is not None:
            for name, data in converter.convert():
                batch.add(name, data)

        def ours(name: str) -> bool:  # a file of this run
            slug, _, extension = name.rpartition(".")
            return slug in owners and extension in formats

        # Files an earlier run listed that this one does not write: name -> sha256, dossier and
        # its sha256. A build removes them; a render leaves them, listed as they were.
        others = {
            name: (entry.sha256, entry.dossier, entry.dossier_sha256)
            for name, entry in before.items()
            if not ours(name)
        }
        if manifest:
            for name, (digest, _, _) in sorted(others.items()):
                batch.remove(name, digest)  # a dossier deleted, a format dropped
            others = {}
        else:
            dossiers = {dossier for dossier, _ in owners.values()}
            for dossier, found in before_warnings.items():
                if dossier not in dossiers:  # a dossier rendered now has this run's warnings
                    warned.setdefault(dossier, found)
            if others and before_inputs != inputs:
                inputs = None  # files of other runs with other inputs: none counts as up to date
            dossiers.update(dossier for _, dossier, _ in others.values())
            warned = {d: found for d, found in warned.items() if found and d in dossiers}
        listed = _listed(batch, owners, others)
        batch.add_chunks("manifest.json", _manifest(listed, today, formats, inputs, warned))
        kept = len(batch.kept)
        outputs = batch.commit()
    if not manifest:
        outputs = [(n, d) for n, d in outputs if n != "manifest.json"]
    if standing:  # for the next build into this folder: what this one found unchanged
        kept_names = (name for result in standing.values() for name, _ in result.kept)
        keep_hashes(out, [*files, *(os.path.join(out, name) for name in kept_names)])
    return Written(out, outputs, len(owners), kept, removed=batch.removed, warnings=warnings)


def _listed(
    batch: Batch, owners: dict[str, tuple[str, bytes]], others: dict[str, tuple[str, str, str]]
) -> Iterator[tuple[str, str, str, str]]:
    """Each file the manifest lists, by name: its name and sha256, the dossier it came from and
    that dossier's sha256. Made one at a time, from what the batch staged and kept (the files
    of this run, each owned by the dossier its name was made from) and from ``others``."""
    kept = dict(batch.kept)
    for name in sorted([*batch.names(), *kept, *others]):
        if name in others:
            yield name, *others[name]
        else:
            digest = kept[name] if name in kept else batch.digest(name)
            dossier, dossier_sha256 = owners[name.rpartition(".")[0]]
            yield name, digest, dossier, dossier_sha256.hex()


def _in_order(
    files: list[str], standing: dict[str, Outcome], fresh: Iterator[Outcome]
) -> Iterator[Outcome]:
    """Each dossier's outcome, in the order of ``files``: kept from an earlier build or fresh."""
    for path in files:
        result = standing.get(path) or next(fresh)
        # The same name: the one the batch holds, not the copy a worker sent back with it.
        result.path = path
        yield result


def _stops(problems: list[Problem], strict: bool) -> bool:
    """Whether ``problems`` stop the batch: an error, or with ``strict`` a warning."""
    errors, warnings = split(problems)
    return bool(errors or (strict and warnings))


def _owned_by_another(
    result: Outcome, out: Path, formats: tuple[str, ...], before: dict[str, Listed]
) -> list[Problem]:
    """A file this render would replace that the folder's manifest says came from another
    dossier (two dossiers of one client, rendered one after the other)."""
    found = []
    for fmt in formats:
        name = f"{result.slug}.{fmt}"
        entry = before.get(name)
        if (
            entry is not None
            and not _same_file(entry.dossier, result.path)
            # A file deleted since is replaced by no one. (A string: a Path per output would
            # intern its name for the life of the process, as pathlib does.)
            and os.path.lexists(os.path.join(out, name))
        ):
            line, where = result.slug_at
            found.append(
                Problem(
                    result.path,
                    line,
                    where,
                    f"would replace {out / name}, which {out / 'manifest.json'} says came from "
                    f"{entry.dossier}; render with --force to replace it",
                )
            )
    return found


def _same_file(a: str, b: str) -> bool:
    try:
        return Path(a).resolve() == Path(b).resolve()
    except (OSError, RuntimeError):  # pragma: no cover - a loop of links
        return a == b


def _standing(
    files: list[str],
    out: Path,
    formats: tuple[str, ...],
    recorded: dict[str, Recorded],
    job: Job,
) -> dict[str, Outcome]:
    """The dossiers among ``files`` whose outputs of an earlier build still stand.

    None is read again: its warnings, printed on every build and not only on the one that
    rendered it, are those the manifest recorded (the same inputs give the same warnings)."""
    from kamdocs import uptodate
    from kamdocs.build import Outcome

    found = {}
    for path in files:
        entry = recorded.get(path)
        if entry is not None and uptodate.still_current(path, out, formats, entry):
            slug = entry.outputs[0][0].rpartition(".")[0]
            found[path] = Outcome(
                path,
                slug,
                problems=list(entry.warnings),
                dossier_sha256=entry.dossier_sha256,
                kept=entry.outputs,
            )
    return found


def _slug_at(result: Outcome, job: Job) -> tuple[int, str]:
    """Line and field that name the file of a dossier that was not rendered again."""
    try:
        return load_dossier(result.path, job.library, job.today, job.valid_days, job.locale).slug_at
    except InputError:  # changed since it was found up to date: the file name is all we know
        return 1, "client"


def _manifest(
    listed: Iterable[tuple[str, str, str, str]],
    date: dt.date,
    formats: tuple[str, ...],
    inputs: str | None,
    warned: dict[str, list[Problem]] | None = None,
) -> Iterator[bytes]:
    """manifest.json, entry by entry: the text ``json.dumps(..., indent=2, ensure_ascii=False)``
    gives, without the list of dicts and the whole text in memory (a batch of 5,000 dossiers
    lists 15,000 files).

    ``warnings`` (only when there are some) lists each dossier's warnings, so that the next
    build, keeping that dossier's files, prints them without reading the dossier again."""
    from json.encoder import encode_basestring as quote

    from kamdocs import version

    head = {
        "kamdocs": version(),
        "build_date": date.isoformat(),
        "formats": list(formats),
        "inputs": inputs,
    }
    if warned:
        head["warnings"] = [
            {
                "dossier": dossier,
                "path": p.path,
                "line": p.line,
                "field": p.field,
                "message": p.message,
            }
            for dossier in sorted(warned)
            for p in warned[dossier]
        ]
    head["outputs"] = []
    text = json.dumps(head, indent=2, ensure_ascii=False)
    entries = iter(listed)
    first = next(entries, None)
    if first is None:
        yield (text + "\n").encode("utf-8")
        return
    yield text.removesuffix("[]\n}").encode("utf-8") + b"["
    sep = "\n"
    for name, digest, dossier, dossier_sha256 in chain((first,), entries):
        yield (
            f'{sep}    {{\n      "path": {quote(name)},\n      "sha256": {quote(digest)},\n'
            f'      "dossier": {quote(dossier)},\n'
            f'      "dossier_sha256": {quote(dossier_sha256)}\n    }}'
        ).encode()
        sep = ",\n"
    yield b"\n  ]\n}\n"


# How many runners-up ``explain`` prints per member; ``--json`` lists every argument left out.
RUNNERS_UP = 5


@dataclass
class Explanation:
    """Why each DMU member reads what they read: the tailored plan of one dossier."""

    loaded: Loaded
    plan: Plan
    warnings: list[Problem] = field(default_factory=list)  # printed on stderr, not in the plan

    def as_json(self) -> dict:
        """SPEC's shape, plus per member ``left_out`` (every other argument of the library, best
        first: id, kind, score, why, reasons) and ``not_eligible``: argument id -> why it could
        not be chosen."""
        loaded, plan = self.loaded, self.plan
        members = [
            {
                "id": member.key,
                "persona": member.persona,
                "arguments": [
                    {
                        "id": s.argument.id,
                        "kind": s.argument.kind,
                        "score": s.score,
                        "reasons": s.reasons,
                    }
                    for s in plan.member_arguments(member.key)
                ],
                "left_out": [
                    {
                        "id": lo.scored.argument.id,
                        "kind": lo.scored.argument.kind,
                        "score": lo.scored.score,
                        "why": lo.why,
                        "reasons": lo.scored.reasons,
                    }
                    for lo in plan.left_out(member.key)
                ],
            }
            for member in loaded.dossier.dmu
        ]
        return {
            "client": loaded.slug,
            "locale": loaded.lang,
            "issued": loaded.issued.isoformat(),
            "valid_until": loaded.valid_until.isoformat(),
            "members": members,
            "not_eligible": plan.rejected,
        }

    def as_text(self) -> str:
        """A table an account manager reads: each reason with the points it adds, then the
        best arguments left out and why."""
        loaded, plan = self.loaded, self.plan
        lines = [
            f"{loaded.slug} ({loaded.lang}), issued {loaded.issued.isoformat()}, "
            f"valid until {loaded.valid_until.isoformat()}",
            "",
        ]
        for member in loaded.dossier.dmu:
            lines.append(
                f"{member.name} [{member.key}]: {member.persona}, {member.role}, {member.knowledge}"
            )
            chosen = plan.member_arguments(member.key)
            if not chosen:
                lines.append("  (no argument could be chosen)")
            left_out = [
                lo for lo in plan.left_out(member.key) if lo.scored.argument.id not in plan.rejected
            ]
            width = max((len(s.argument.id) for s in chosen), default=0)
            width = max([width] + [len(lo.scored.argument.id) for lo in left_out[:RUNNERS_UP]])
            for i, s in enumerate(chosen, 1):
                lines.append(
                    f"  {i:>2}. {s.argument.id:<{width}}  {s.argument.kind:<16} score {s.score:>4}"
                )
                if s.pinned:
                    lines.append(f"{'':14}{s.reasons[0]}")
                for c in s.contributions:
                    lines.append(
                        f"{'':8}{c.points:+4d}  {c.reason}" if c.points else f"{'':14}{c.reason}"
                    )
            if left_out:
                lines.append("  left out:")
                for lo in left_out[:RUNNERS_UP]:
                    arg = lo.scored.argument
                    lines.append(
                        f"      {arg.id:<{width}}  {arg.kind:<16} score {lo.scored.score:>4}"
                    )
                    lines.append(f"{'':14}{lo.why}")
                more = len(left_out) - RUNNERS_UP
                if more > 0:
                    lines.append(f"      … and {more} more (explain --json lists them all)")
            lines.append("")
        if plan.rejected:
            lines.append("Not eligible:")
            lines.extend(f"  {arg_id}: {why}" for arg_id, why in plan.rejected.items())
        return "\n".join(lines).rstrip() + "\n"


def explain(workspace: Workspace, path: Path, date: dt.date | None = None) -> Explanation:
    """Per DMU member, the arguments chosen, in order, with scores and reasons."""
    from kamdocs.tailor import tailor

    checked = load_all(workspace, [path], date)
    loaded = checked.dossiers[0]
    return Explanation(loaded, tailor(loaded.dossier, checked.library), checked.warnings)


def portfolio(
    workspace: Workspace,
    paths: list[Path] | None,
    date: dt.date | None = None,
    within: int | None = None,
    html: Path | None = None,
) -> Portfolio:
    """The department head's figures over the dossiers at ``paths`` (default: the workspace's),
    read and validated but not rendered; with ``html``, the report page written there too."""
    from kamdocs import portfolio as figures

    report = figures.portfolio(
        workspace, paths, date, figures.DEFAULT_WITHIN if within is None else within
    )
    if html is not None:
        from kamdocs.render.portfolio import write_html

        write_html(report, html)
    return report
