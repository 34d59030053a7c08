"""Rendering: the content template, then Markdown, HTML and DOCX views of it."""

from __future__ import annotations

import os
import stat
from pathlib import Path

from kamdocs.errors import InputError, Problem

_REAL: dict[str, str] = {}  # the real path of each templates file met, by the path it was met at
_REAL_KEPT = 64


def real_file(path: Path, what: str) -> tuple[str, os.stat_result]:
    """The real path and the status of ``path``, a file of the templates folder that every page
    or document copies in (``what``: the stylesheet, the logo, the document). A link to a file
    outside the folder is refused (``InputError``): it would copy some other file of the machine
    that builds the proposals into them. ``OSError`` as ``os.stat`` raises it.

    A file that is not itself a link is in its folder, and its real path is the folder's real
    path and its name: the path resolved the first time (a walk of every folder above) is then
    kept, and taken again once one ``stat`` shows it still leads to the same file. A link is
    resolved and checked every time."""
    status = os.lstat(path)
    if stat.S_ISLNK(status.st_mode) or path.name in ("", ".", ".."):
        status = os.stat(path)
        real = path.resolve()
        if not real.is_relative_to(path.parent.resolve()):
            message = f"links to a file outside the templates folder; copy the {what} in instead"
            raise InputError([Problem(str(path), 1, "", message)])
        return os.fspath(real), status
    key = os.fspath(path)
    known = _REAL.get(key)
    if known is not None:
        try:
            again = os.stat(known)
        except OSError:
            again = None
        if again is not None and (again.st_ino, again.st_dev) == (status.st_ino, status.st_dev):
            return known, status
    real = os.fspath(path.resolve())
    if len(_REAL) >= _REAL_KEPT:
        _REAL.clear()
    _REAL[key] = real
    return real, status
