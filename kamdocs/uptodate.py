"""Which outputs of an earlier build still stand: `kamdocs build` renders only what changed.

A build's manifest records a fingerprint of everything a proposal depends on apart from its own
dossier (kamdocs' code, the libraries that shape the bytes, every file of the templates folder
but version control metadata, the formats, the build date and the workspace's defaults) and,
for each output, the sha256 of the dossier it came from. The next build into the same folder
keeps a dossier's outputs as they are when the fingerprint is the same, the dossier's bytes are
the same, and every one of its files is still on disk with the sha256 the manifest gives it.
Anything else is rendered again; an unreadable or foreign manifest only means that everything is.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import sys
import zlib
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import kamdocs
from kamdocs import stored
from kamdocs.errors import Problem
from kamdocs.output import sha256_again
from kamdocs.slug import SLUG_PATTERN

MANIFEST = "manifest.json"
CHUNK = 1 << 20  # bytes read at a time when hashing a templates file
# The name of every file a build or render writes but the manifest.
OUTPUT_NAME = rf"{SLUG_PATTERN.strip('^$')}\.(?:md|docx|html|pdf)"
# The libraries whose versions can change a proposal's bytes (module, its version attribute):
# those running, which is what counts, and cheaper to ask than the installed metadata. The
# validator's two, pydantic and pydantic-core, are asked without importing them (_versions).
SHAPING = (
    ("jinja2", "__version__"),
    ("markdown", "__version__"),
    ("babel", "__version__"),
    ("yaml", "__version__"),
)


@dataclass(frozen=True)
class Recorded:
    """What an earlier build wrote for one dossier."""

    dossier_sha256: str
    outputs: tuple[tuple[str, str], ...]  # file name, sha256
    warnings: tuple[Problem, ...] = ()  # what the build that rendered it printed


def fingerprint(templates: Path, formats: tuple[str, ...], settings: dict[str, str]) -> str:
    """sha256 of every input of a build but the dossiers themselves."""
    sha = hashlib.sha256()

    def part(label: str, data: bytes) -> None:
        sha.update(f"{label}\0{len(data)}\0".encode())
        sha.update(data)

    def file_part(label: str, path: Path) -> None:
        # Read in chunks: a templates folder may hold a video of gigabytes.
        with path.open("rb") as f:
            size = os.fstat(f.fileno()).st_size
            sha.update(f"{label}\0{size}\0".encode())
            while chunk := f.read(CHUNK):
                sha.update(chunk)

    part("python", f"{sys.version}\0{zlib.ZLIB_RUNTIME_VERSION}".encode())
    part("versions", "\0".join(_versions()).encode())
    part("code", stored.code_digest())  # every .py file of kamdocs, hashed once per process
    for name, path in stored.tree(templates):  # the files the library key hashes too
        file_part(f"templates/{name}", path)
    part("formats", ",".join(formats).encode())
    for key in sorted(settings):
        part(f"setting/{key}", settings[key].encode())
    return sha.hexdigest()


def _versions() -> Iterator[str]:
    import importlib  # noqa: PLC0415

    from kamdocs.records import core  # noqa: PLC0415

    yield f"kamdocs {kamdocs.version()}"
    for module, attribute in SHAPING:
        yield f"{module} {getattr(importlib.import_module(module), attribute)}"
    # Neither is imported by a render whose validator is kept (kamdocs.records).
    yield f"pydantic {stored.pydantic_version()}"
    yield f"pydantic_core {core().__version__}"


@dataclass(frozen=True)
class Listed:
    """One output as the folder's manifest lists it."""

    sha256: str
    dossier: str
    dossier_sha256: str


def manifest_in(out: Path) -> Any:
    """The parsed ``manifest.json`` in ``out``, read once for ``listed``, ``earlier`` and
    ``warnings_in`` (a large manifest takes a while to parse); ``None`` when it cannot be read."""
    try:
        return json.loads((out / MANIFEST).read_bytes())
    except (OSError, ValueError):
        return None


# What reading a parsed manifest that kamdocs did not write as it writes them may raise.
_MALFORMED = (ValueError, TypeError, KeyError, AttributeError)


def listed(data: Any) -> tuple[str | None, dict[str, Listed]]:
    """The fingerprint and the outputs a folder's manifest (``manifest_in``) lists, whoever
    wrote it (a build or a render); only names a build or render writes, ``<slug>.<format>`` in
    the folder itself. Nothing when there is no manifest or it cannot be read."""
    try:
        inputs = data.get("inputs")
        found = {}
        for entry in data["outputs"]:
            name = str(entry["path"])
            if re.fullmatch(OUTPUT_NAME, name):
                found[name] = Listed(
                    str(entry["sha256"]), str(entry["dossier"]), str(entry["dossier_sha256"])
                )
    except _MALFORMED:
        return None, {}
    return (inputs if isinstance(inputs, str) else None), found


def foreign(out: Path, data: Any) -> bool:
    """Whether ``out`` holds a ``manifest.json`` that no kamdocs wrote (a web app's, say):
    something that is not a JSON object with ``kamdocs`` and a list of ``outputs``. ``data`` is
    that manifest as ``manifest_in`` read it."""
    if data is None:  # none there, or one that cannot be read or is JSON's null
        path = out / MANIFEST
        return path.exists() or path.is_symlink()
    return not (
        isinstance(data, dict) and "kamdocs" in data and isinstance(data.get("outputs"), list)
    )


def earlier(data: Any, fingerprint_: str) -> dict[str, Recorded]:
    """Dossier path -> what a folder's manifest (``manifest_in``) records for it; empty unless
    that manifest was written by a build with the same fingerprint (or cannot be read)."""
    try:
        if not isinstance(data, dict) or data.get("inputs") != fingerprint_:
            return {}
        found: dict[str, dict[str, object]] = {}
        mixed = set()  # dossiers with outputs of two versions (a render of some formats)
        for entry in data["outputs"]:
            source, digest = str(entry["dossier"]), str(entry["dossier_sha256"])
            item = found.setdefault(source, {"digest": digest, "outputs": []})
            if item["digest"] != digest:
                mixed.add(source)
            item["outputs"].append((str(entry["path"]), str(entry["sha256"])))  # type: ignore[union-attr]
        warned = recorded_warnings(data)
    except _MALFORMED:
        return {}
    return {
        source: Recorded(
            str(item["digest"]),
            tuple(item["outputs"]),  # type: ignore[arg-type]
            tuple(warned.get(source, ())),
        )
        for source, item in found.items()
        if source not in mixed
    }


def recorded_warnings(data: object) -> dict[str, list[Problem]]:
    """Dossier path -> the warnings a manifest (its parsed JSON) records for it; ``ValueError``
    when they are not as kamdocs writes them."""
    if not isinstance(data, dict):
        raise ValueError("not a manifest")
    found: dict[str, list[Problem]] = {}
    for entry in data.get("warnings", []):
        line = entry["line"]
        if not isinstance(line, int) or isinstance(line, bool):
            raise ValueError("a line is a number")
        problem = Problem(
            str(entry["path"]), line, str(entry["field"]), str(entry["message"]), "warning"
        )
        found.setdefault(str(entry["dossier"]), []).append(problem)
    return found


def warnings_in(data: Any) -> dict[str, list[Problem]]:
    """The warnings a folder's manifest (``manifest_in``) records, by dossier; none when it
    cannot be read."""
    try:
        return recorded_warnings(data)
    except _MALFORMED:
        return {}


def still_current(
    path: str | Path, out: Path, formats: tuple[str, ...], recorded: Recorded | None
) -> bool:
    """Whether the dossier at ``path`` and every output recorded for it are as the earlier
    build left them: one file of each format, all named after one slug, in ``out`` itself."""
    if recorded is None:
        return False
    stems, extensions = set(), []
    for name, _ in recorded.outputs:
        stem, _, extension = name.rpartition(".")
        if not re.fullmatch(SLUG_PATTERN, stem):
            return False
        stems.add(stem)
        extensions.append(extension)
    if len(stems) != 1 or sorted(extensions) != sorted(formats):
        return False
    if sha256_again(path) != recorded.dossier_sha256:
        return False
    folder = os.fspath(out)
    return all(
        sha256_again(os.path.join(folder, name)) == digest for name, digest in recorded.outputs
    )
