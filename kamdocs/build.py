"""Rendering many dossiers: each checked and rendered on its own, across all cores."""

from __future__ import annotations

import contextlib
import datetime as dt
import gc
import os
import signal
import threading
import time
from collections import deque
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from itertools import islice
from pathlib import Path

from kamdocs.dossier import load_dossier
from kamdocs.errors import InputError, Problem
from kamdocs.library import Library
from kamdocs.workspace import Supplier

# Below this many dossiers, starting worker processes costs more than it saves.
PARALLEL_MIN = 24
CHUNKSIZE = 8
ORPHAN_CHECK = 0.5  # seconds between a worker's checks that the batch's process still runs
IN_FLIGHT = 2  # chunks per worker submitted ahead: workers stay busy, memory stays bounded


@dataclass(frozen=True)
class Job:
    """What every dossier of a batch is rendered with."""

    library: Library
    templates: Path
    formats: tuple[str, ...]
    today: dt.date
    valid_days: int
    locale: str
    supplier: Supplier | None = None  # kamdocs.yaml's: heads every page


@dataclass
class Outcome:
    """One dossier's result: its files and warnings, or the problems (errors and warnings) that
    stop the batch."""

    path: str
    slug: str = ""
    slug_at: tuple[int, str] = (1, "client")  # line and field that name the file
    files: dict[str, bytes] = field(default_factory=dict)
    problems: list[Problem] = field(default_factory=list)
    dossier_sha256: str = ""  # of the bytes the files were rendered from
    kept: tuple[tuple[str, str], ...] = ()  # outputs of an earlier build that still stand


_JOB: Job | None = None  # set before the workers fork, so each inherits the loaded library


def _render(path: str | Path) -> Outcome:
    from kamdocs.render.pipeline import render  # noqa: PLC0415 - heavy; only when rendering

    job = _JOB
    assert job is not None
    try:
        loaded = load_dossier(path, job.library, job.today, job.valid_days, job.locale)
    except InputError as exc:
        return Outcome(str(path), problems=exc.problems)
    try:
        rendered = render(loaded, job.library, job.formats, job.templates, job.supplier)
    except InputError as exc:
        return Outcome(str(path), problems=[*loaded.warnings, *exc.problems])
    # Warnings travel back with the files (from a worker too); the batch prints them once.
    return Outcome(
        str(path),
        loaded.slug,
        loaded.slug_at,
        rendered.files,
        problems=[*loaded.warnings, *rendered.warnings],
        dossier_sha256=loaded.source.sha256,
    )


_STOPS = {signal.SIGINT, signal.SIGTERM}


@contextlib.contextmanager
def _stops_held() -> Iterator[None]:
    """Ctrl-C and SIGTERM wait (in this process) while workers are forked: a worker forked
    before its initializer ran would otherwise take one with the parent's handler and print a
    traceback. The workers unblock them once they ignore them; here they arrive afterwards."""
    previous = signal.pthread_sigmask(signal.SIG_BLOCK, _STOPS)
    try:
        yield
    finally:
        signal.pthread_sigmask(signal.SIG_SETMASK, previous)


def _worker_init(parent: int) -> None:
    # Ctrl-C goes to the whole process group, and so may SIGTERM (a CI time-out); the parent
    # alone decides how a batch ends.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, signal.SIG_IGN)
    signal.pthread_sigmask(signal.SIG_UNBLOCK, _STOPS)  # held while this worker was forked
    # If the parent is killed (SIGKILL, OOM killer), nobody closes the pool: the workers would
    # wait for work forever, holding the parent's pipes. Leave once the parent is gone. Its
    # process id comes from the parent itself: one killed before this worker got here has
    # already handed it to another parent, whose id os.getppid() would give.
    threading.Thread(target=_exit_with, args=(parent,), daemon=True).start()


def _exit_with(parent: int) -> None:
    while os.getppid() == parent:
        time.sleep(ORPHAN_CHECK)
    os._exit(1)


def workers() -> int:
    """How many processes a batch uses: one per core this process may run on."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # pragma: no cover - not Linux
        return max(1, os.cpu_count() or 1)


def _warm(job: Job) -> None:
    """Load Babel's data for every language the library speaks (the first dossier loaded only
    its own), so that no worker loads it again."""
    from kamdocs import formatting  # noqa: PLC0415

    languages = job.library.locales if job.library is not None else ()  # None: a test's job
    for lang in sorted({job.locale, *languages}):
        locale = formatting.locale(lang)
        locale.decimal_formats, locale.currency_formats, locale.date_formats  # noqa: B018


def _render_chunk(paths: list[str | Path]) -> list[Outcome]:
    return [_render(path) for path in paths]


def outcomes(
    job: Job, paths: Sequence[str | Path], processes: int | None = None
) -> Iterator[Outcome]:
    """Render every dossier; outcomes come in the order of ``paths`` whatever runs them.

    Only a few chunks per worker are in flight at a time, so however many dossiers a batch has,
    the parent holds the documents of a bounded number of them (the caller stages each to disk).
    """
    global _JOB
    _JOB = job
    processes = processes or workers()
    if processes < 2 or len(paths) < PARALLEL_MIN:
        yield from map(_render, paths)
        return
    # Imported here: a single render, the account manager's everyday command, needs neither.
    import multiprocessing  # noqa: PLC0415
    from concurrent.futures import ProcessPoolExecutor  # noqa: PLC0415

    if "fork" not in multiprocessing.get_all_start_methods():
        yield from map(_render, paths)
        return
    # The first dossier is rendered here, before the workers fork: each then starts with the
    # imports, the parsed reference document, the Markdown converter, the compiled templates and
    # Babel's data already loaded (shared pages), instead of loading them once per worker.
    first = _render(paths[0])
    _warm(job)
    # Everything loaded so far lives as long as the batch: out of the collector's sight, a full
    # collection in a worker neither walks it nor writes to its pages (which fork shares until
    # they are written to).
    gc.freeze()
    pool = ProcessPoolExecutor(
        processes,
        mp_context=multiprocessing.get_context("fork"),
        initializer=_worker_init,
        initargs=(os.getpid(),),
    )
    try:
        rest = paths[1:]
        chunks = (rest[i : i + CHUNKSIZE] for i in range(0, len(rest), CHUNKSIZE))
        ahead = islice(chunks, IN_FLIGHT * processes)
        with _stops_held():  # the first submit forks every worker
            pending = deque(pool.submit(_render_chunk, chunk) for chunk in ahead)
        yield first
        while pending:
            done = pending.popleft().result()
            for chunk in islice(chunks, 1):
                pending.append(pool.submit(_render_chunk, chunk))
            yield from done
    except BaseException as stop:
        if not isinstance(stop, Exception | GeneratorExit):
            # Ctrl-C or SIGTERM: the workers ignore both and may be blocked handing back a
            # result nobody will read, so waiting for them could wait forever. Their work is
            # not wanted any more: end them.
            for process in list((pool._processes or {}).values()):
                process.kill()
        raise
    finally:
        pool.shutdown(wait=True, cancel_futures=True)
        gc.unfreeze()
