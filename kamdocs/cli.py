"""The command line: parses options, calls one library function, maps errors to exit codes."""

from __future__ import annotations

import contextlib
import datetime as dt
import functools
import os
import re
import signal
import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import click

# Heavy modules (python-docx, Babel, Jinja) are imported inside the commands, so that
# `kamdocs --help` stays fast.


def _no_pydantic_plugins() -> None:
    """Run pydantic without plugins in the ``kamdocs`` command.

    Before it builds its first validator, pydantic looks for plugins among the entry points of
    every installed package, and importing ``importlib.metadata`` for that (with ``email``,
    ``zipfile`` and ``csv``) costs a single render 15-30 ms, a tenth of it. kamdocs uses no
    plugin, so the command gives pydantic a loader that finds none, as
    ``PYDANTIC_DISABLE_PLUGINS=__all__`` would. Only in this process, only before pydantic
    loaded its own (a program that imports kamdocs as a library keeps its plugins), and only
    while pydantic asks its loader module for ``get_plugins`` (``tests/test_render_imports.py``
    fails when it stops asking).
    """
    name = "pydantic.plugin._loader"
    if name not in sys.modules:
        import types  # noqa: PLC0415

        loader = types.ModuleType(name, "No pydantic plugins in the kamdocs command.")
        loader.get_plugins = lambda: ()  # type: ignore[attr-defined]
        sys.modules[name] = loader


class _Date(click.DateTime):
    """click's ``DateTime`` for the one format ``%Y-%m-%d``, read without ``strptime``: its
    first call imports ``_strptime`` (with ``calendar`` and ``locale``), 2-4 ms of a fresh
    ``render --date``. The pattern is the one ``strptime`` builds for the format (one or two
    digits of month and day, a day may start with a space), so the same texts are taken and
    refused, with click's own message (``tests/test_cli_dates.py`` compares the two)."""

    _FORMAT = re.compile(r"(\d\d\d\d)-(1[0-2]|0[1-9]|[1-9])-(3[0-1]|[1-2]\d|0[1-9]|[1-9]| [1-9])\Z")

    def __init__(self) -> None:
        super().__init__(formats=["%Y-%m-%d"])

    def _try_to_convert_date(self, value: object, format: str) -> dt.datetime | None:
        if not isinstance(value, str):
            return super()._try_to_convert_date(value, format)
        found = self._FORMAT.match(value)
        if found is None:
            return None
        try:
            return dt.datetime(int(found[1]), int(found[2]), int(found[3]))
        except ValueError:  # a day the month does not have
            return None


DATE = _Date()


class Terminated(BaseException):
    """SIGTERM (what a CI time-out sends) arrived: unwound like Ctrl-C, so that staged files
    are removed and a commit under way is undone."""


def _terminate(signum: int, frame: object) -> None:
    raise Terminated


@contextlib.contextmanager
def _sigterm_as_interrupt() -> Iterator[None]:
    try:
        previous = signal.signal(signal.SIGTERM, _terminate)
    except ValueError:  # not the main thread (an embedding program): its own handling stays
        yield
        return
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous)


def _handle_errors(func: Callable[..., Any]) -> Callable[..., Any]:
    """Print the project's errors as the user should see them and exit with their code."""

    @functools.wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        from kamdocs.errors import KamdocsError

        try:
            with _sigterm_as_interrupt():
                return func(*args, **kwargs)
        except KamdocsError as exc:
            click.echo(str(exc), err=True)
            sys.exit(exc.exit_code)
        except KeyboardInterrupt:
            click.echo("interrupted; no output was changed", err=True)
            sys.exit(130)
        except Terminated:
            click.echo("terminated; no output was changed", err=True)
            sys.exit(143)

    return wrapper


def _date(value: dt.datetime | None) -> dt.date | None:
    return value.date() if value else None


def _workspace(templates: Path | None = None) -> Any:
    from kamdocs.workspace import find_workspace

    return find_workspace(templates=templates)


def _not_empty(ctx: click.Context, param: click.Parameter, value: Any) -> Any:
    """``-f ''`` (an unset variable in a script) is a usage error, exit 2."""
    if value is not None and not str(value).strip(", "):
        raise click.BadParameter("must not be empty", ctx, param)
    return value


# Options several commands share (click makes a new parameter each time one is applied).
_formats_option = click.option(
    "-f",
    "--formats",
    "formats",
    metavar="md,docx,html,pdf",
    callback=_not_empty,
    help="Formats to write (default: the workspace's, md and docx).",
)


class _Folder(click.Path):
    """A folder option: an empty value is an error, not the current folder."""

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> Any:
        if isinstance(value, str) and not value.strip():
            self.fail("must not be empty", param, ctx)
        return super().convert(value, param, ctx)


_out_option = click.option(
    "-o",
    "--out",
    type=_Folder(file_okay=False, path_type=Path),
    help="Output folder (default: build).",
)
_date_option = click.option(
    "--date", "date", type=DATE, help="Build date (YYYY-MM-DD) for offers without an issue date."
)
_templates_option = click.option(
    "--templates", type=click.Path(file_okay=False, path_type=Path), help="Templates folder to use."
)
_strict_option = click.option(
    "--strict", is_flag=True, help="Count warnings as errors: exit 1 and write nothing."
)


def _warn(warnings: list[Any]) -> None:
    """Print the warnings of a command that succeeded, as its errors would be printed."""
    from kamdocs.errors import report

    if warnings:
        click.echo(report(warnings), err=True)


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="kamdocs", prog_name="kamdocs", message="%(prog)s %(version)s")
def main() -> None:
    """Tailored key-account proposals from YAML dossiers, as DOCX, Markdown and HTML."""
    _no_pydantic_plugins()
    from kamdocs import generated, patterns  # noqa: PLC0415 - in the command, not in a program using kamdocs

    patterns.install()  # before the command imports PyYAML, Jinja and Python-Markdown
    generated.install()  # before it defines its dataclasses and named tuples


@main.command()
@click.argument("paths", nargs=-1, type=click.Path(exists=True, path_type=Path))
@_templates_option
@_date_option
@_strict_option
@_handle_errors
def validate(
    paths: tuple[Path, ...], templates: Path | None, date: dt.datetime | None, strict: bool
) -> None:
    """Check dossiers (files or folders; default: the workspace's) and the templates."""
    from kamdocs import app

    checked = app.validate(_workspace(templates), list(paths), _date(date), strict)
    _warn(checked.warnings)
    lib = checked.library
    n = len(checked.dossiers)
    click.echo(
        f"OK: {n} dossier{'s' if n != 1 else ''}; library: {len(lib.arguments)} arguments, "
        f"{len(lib.personas)} personas, {len(lib.references)} references, "
        f"languages: {', '.join(sorted(lib.locales))}"
    )


@main.command()
@click.argument("name")
@_handle_errors
def new(name: str) -> None:
    """Write a commented starter dossier for the client NAME (never overwrites)."""
    from kamdocs import app

    path = app.new(_workspace(), name)
    click.echo(f"wrote {path}: fill it in, then run `kamdocs validate {path}`")


@main.command()
@_handle_errors
def schema() -> None:
    """Print the JSON Schema of the dossier format (for editor autocompletion)."""
    from kamdocs import app

    click.echo(app.schema(), nl=False)


def _show_progress() -> bool:
    import os

    return sys.stderr.isatty() and not os.environ.get("CI")


@main.command()
@click.argument("dossiers", nargs=-1, required=True, type=click.Path(exists=True, path_type=Path))
@_formats_option
@_out_option
@_date_option
@_templates_option
@click.option(
    "--force",
    is_flag=True,
    help="Replace files in OUT that OUT/manifest.json says came from another dossier.",
)
@_strict_option
@_handle_errors
def render(
    dossiers: tuple[Path, ...],
    formats: str | None,
    out: Path | None,
    date: dt.datetime | None,
    templates: Path | None,
    force: bool,
    strict: bool,
) -> None:
    """Render proposals for DOSSIER files (or folders) into OUT/<slug>.<ext>.

    OUT/manifest.json is kept up to date with the files written and the dossier each came
    from; a file that came from another dossier is not replaced without --force.
    """
    from kamdocs import app
    from kamdocs.workspace import parse_formats

    ws = _workspace(templates)
    written = app.render(
        ws,
        list(dossiers),
        parse_formats(formats, ws.formats),
        out or ws.out,
        _date(date),
        progress=_show_progress(),
        force=force,
        strict=strict,
    )
    _warn(written.warnings)
    for name, _ in written.outputs:
        click.echo(f"wrote {written.out / name}")


@main.command()
@_formats_option
@_out_option
@_date_option
@_templates_option
@click.option(
    "--force",
    is_flag=True,
    help="Render every dossier again, also those whose files in OUT are up to date.",
)
@_strict_option
@_handle_errors
def build(
    formats: str | None,
    out: Path | None,
    date: dt.datetime | None,
    templates: Path | None,
    force: bool,
    strict: bool,
) -> None:
    """Render every dossier of the workspace and write OUT/manifest.json.

    A dossier whose files in OUT an earlier build wrote from the same dossier, templates,
    formats and date (as OUT/manifest.json records) keeps them as they are.
    """
    from kamdocs import app
    from kamdocs.workspace import parse_formats

    ws = _workspace(templates)
    target = out or ws.out
    written = app.render(
        ws,
        None,
        parse_formats(formats, ws.formats),
        target,
        _date(date),
        manifest=True,
        progress=_show_progress(),
        force=force,
        strict=strict,
    )
    _warn(written.warnings)
    for name in written.removed:
        click.echo(f"removed {target / name}: no longer built (its dossier or format is gone)")
    kept = f" ({written.kept} up to date, kept as they were)" if written.kept else ""
    click.echo(
        f"built {written.dossiers} proposals: "
        f"{len(written.outputs) - 1} files{kept} and manifest.json in {target}"
    )


@main.command()
@click.argument("dossier", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option(
    "--json",
    "as_json",
    is_flag=True,
    help="Print one JSON object (its keys: docs/tailoring.md).",
)
@_date_option
@_templates_option
@_handle_errors
def explain(dossier: Path, as_json: bool, date: dt.datetime | None, templates: Path | None) -> None:
    """Show, per DMU member, the arguments chosen, in order, with scores and reasons."""
    import json

    from kamdocs import app

    explanation = app.explain(_workspace(templates), dossier, _date(date))
    _warn(explanation.warnings)
    if as_json:
        click.echo(json.dumps(explanation.as_json(), indent=2, ensure_ascii=False))
    else:
        click.echo(explanation.as_text(), nl=False)


@main.command()
@click.argument("dossiers", nargs=-1, required=True, type=click.Path(exists=True, path_type=Path))
@click.option("--sent", type=DATE, help="The day the offer went out (overrides offer.sent).")
@click.option(
    "--date", "date", type=DATE, help="Build date (YYYY-MM-DD): what is done, overdue, planned."
)
@click.option(
    "--ics",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Also write the plan as a calendar file (RFC 5545) to import.",
)
@click.option("--json", "as_json", is_flag=True, help="Print JSON (see README).")
@click.option(
    "--birthdays",
    is_flag=True,
    help="Add the DMU's birthdays to the --ics file: private data, for your own calendar only.",
)
@_templates_option
@_handle_errors
def followup(
    dossiers: tuple[Path, ...],
    sent: dt.datetime | None,
    date: dt.datetime | None,
    ics: Path | None,
    as_json: bool,
    birthdays: bool,
    templates: Path | None,
) -> None:
    """After sending: the confirmation call, the expiry reminder and the tender milestones of
    each DOSSIER (files or folders), on working days."""
    import json

    from kamdocs.followup import plan_followups

    result = plan_followups(
        _workspace(templates), list(dossiers), _date(sent), _date(date), ics, birthdays
    )
    _warn(list(result.warnings))  # the dossiers' warnings with the plan's, sorted, once
    if as_json:
        click.echo(json.dumps(result.as_json(), indent=2, ensure_ascii=False))
    else:
        click.echo(result.as_text(), nl=False)
    if result.written is not None:
        click.echo(f"wrote {result.written}", err=True)
        if result.private:
            click.echo(
                f"{result.written} holds private data (the DMU's birthdays), readable by you "
                "only: import it into your own calendar, never share or send it",
                err=True,
            )


@main.command()
@click.argument("paths", nargs=-1, type=click.Path(exists=True, path_type=Path))
@click.option(
    "--date", "date", type=DATE, help="The day the report is for (YYYY-MM-DD; default: today)."
)
@click.option(
    "--within",
    type=click.IntRange(min=0, max=3650),
    default=14,
    show_default=True,
    help="Days ahead in which an offer counts as expiring.",
)
@click.option("--json", "as_json", is_flag=True, help="Print every figure as one JSON object.")
@click.option(
    "--html",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Also write the report, with its chart, as a standalone HTML page.",
)
@_templates_option
@_handle_errors
def portfolio(
    paths: tuple[Path, ...],
    date: dt.datetime | None,
    within: int,
    as_json: bool,
    html: Path | None,
    templates: Path | None,
) -> None:
    """Shares of sales, tenders and offers over every dossier (default: the workspace's)."""
    import json

    from kamdocs import app
    from kamdocs.render.portfolio import as_text

    report = app.portfolio(_workspace(templates), list(paths), _date(date), within, html)
    if as_json:
        click.echo(json.dumps(report.as_json(), indent=2, ensure_ascii=False))
    else:
        colour = sys.stdout.isatty() and not os.environ.get("NO_COLOR")
        click.echo(as_text(report, colour=colour), nl=False)
    if html is not None:
        click.echo(f"wrote {html}", err=True)


@main.group()
def templates() -> None:
    """Check what marketing owns: the templates, the styles and the argument library."""


@templates.command("check")
@click.option("--strict", is_flag=True, help="Treat warnings as errors.")
@click.option(
    "--format",
    "output_format",
    type=click.Choice(["text", "json"]),
    default="text",
    show_default=True,
    help="text: FILE:LINE: message lines on stderr; json: a list of findings on stdout.",
)
@_templates_option
@_date_option
@_handle_errors
def templates_check(
    strict: bool, output_format: str, templates: Path | None, date: dt.datetime | None
) -> None:
    """Compile every template and library text, check every name, class and style they use,
    every language's texts, then render every dossier in every format (nothing is written)."""
    import json

    from kamdocs import lint

    report = lint.check(_workspace(templates), None, _date(date), strict)
    if output_format == "json":
        click.echo(json.dumps(lint.as_json(report.findings), indent=2, ensure_ascii=False))
    else:
        for finding in report.findings:
            click.echo(str(finding), err=True)
        if not report.errors:
            n, w = report.dossiers, len(report.warnings)
            warned = f", {w} warning{'s' if w != 1 else ''}" if w else ""
            click.echo(
                f"OK: {report.templates}: every template, text and style checked; "
                f"{n} dossier{'s' if n != 1 else ''} rendered in {', '.join(lint.FORMATS)}{warned}"
            )
    if report.errors:
        sys.exit(1)


_gallery_out_option = click.option(
    "-o",
    "--out",
    type=click.Path(file_okay=False, path_type=Path),
    help="Folder of the gallery (default: build/preview).",
)
_pdf_option = click.option(
    "--pdf/--no-pdf",
    default=None,
    help="Thumbnails of each page of the PDF (default: where LibreOffice is installed; "
    "else the HTML is shown scaled down).",
)


@main.command()
@_gallery_out_option
@_date_option
@_templates_option
@_pdf_option
@_handle_errors
def preview(
    out: Path | None, date: dt.datetime | None, templates: Path | None, pdf: bool | None
) -> None:
    """Build every dossier in every format and a gallery, OUT/index.html, to look at them."""
    from kamdocs.preview import preview as build_preview

    gallery = build_preview(_workspace(templates), out, _date(date), pdf)
    n = len(gallery.cards)
    click.echo(f"wrote {gallery.out / 'index.html'}: {n} proposal{'s' if n != 1 else ''}")


@main.command()
@click.option("--port", type=click.IntRange(0, 65535), default=8000, show_default=True)
@_gallery_out_option
@_date_option
@_templates_option
@click.option(
    "--pdf/--no-pdf", default=False, help="Page thumbnails from a PDF (slow; default: off)."
)
@_handle_errors
def serve(
    port: int, out: Path | None, date: dt.datetime | None, templates: Path | None, pdf: bool
) -> None:
    """Serve the gallery on 127.0.0.1 and rebuild it on every change under templates/ or the
    dossiers; the open page reloads itself. Ctrl-C stops it."""
    from kamdocs.preview.serve import Server

    try:
        server = Server(_workspace(templates), out, port, _date(date), pdf)
    except OSError as exc:
        from kamdocs.errors import UsageError

        raise UsageError(f"cannot listen on 127.0.0.1:{port}: {exc.strerror}") from None
    try:
        server.start()
        click.echo(f"serving {server.url} (Ctrl-C stops)", err=True)
        server.wait()
    except KeyboardInterrupt:
        pass  # Ctrl-C is how serve ends
    finally:
        server.stop()
    click.echo("stopped", err=True)


def run() -> None:
    """The ``kamdocs`` command: ``main``, then the process ends without tearing down the
    interpreter.

    Python frees every object of every module before it exits: some 45 ms of a 220 ms
    ``render``, for memory the operating system takes back at once anyway. Once the command
    has returned (every output written and committed, its files closed), what an exit still
    owes is done here in the order Python does it: other threads waited for (with one still
    running, Python exits as usual), the ``atexit`` functions run (kamdocs' pattern cache,
    coverage's data), standard output and error flushed. Where flushing fails (a closed pipe),
    Python's own exit reports it as it always has.
    """
    try:
        main()
    except SystemExit as stop:
        code = stop.code
    else:  # pragma: no cover - click's main always exits
        code = 0
    _exit(0 if code is None else code)


def _exit(code: object) -> None:
    import threading  # noqa: PLC0415

    others = [t for t in threading.enumerate() if t is not threading.current_thread()]
    if not isinstance(code, int) or any(not t.daemon for t in others):
        sys.exit(code)  # a message to print, or a thread to wait for: Python's own exit
    import atexit  # noqa: PLC0415

    run_exit_functions = getattr(atexit, "_run_exitfuncs", None)
    if run_exit_functions is None:  # pragma: no cover - not CPython
        sys.exit(code)
    run_exit_functions()
    try:
        for stream in (sys.stdout, sys.stderr):
            if stream is not None:
                stream.flush()
    except (OSError, ValueError):
        sys.exit(code)
    os._exit(code)
