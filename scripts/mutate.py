"""Mutation testing: does each guarded module fail its own focused tests when its code is broken?

    make mutate                         # every module below, one after the other
    make mutate MODULES="tailor html"   # some of them
    make mutate JOBS=1                  # mutmut's parallel workers (default 2)

Each module is mutated by mutmut 3 in a scratch copy of the project (``.mutants/<module>/``, so
the work tree is never touched) and run against its focused tests only, never the whole suite.
mutmut mutates code inside functions; the module's top-level numbers (the tailoring points,
limits) are mutated here as well, each to 0 and to one more, since mutmut leaves them alone.
Prints killed / survived / timeout per module and every survivor; ``docs/testing.md`` holds
the last report and why each remaining survivor is harmless.
"""

from __future__ import annotations

import argparse
import ast
import os
import re
import shutil
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SCRATCH = ROOT / ".mutants"
BIN = Path(sys.executable).parent
COPY = ["kamdocs", "tests", "templates", "dossiers", "docs", "README.md", "pyproject.toml"]


@dataclass(frozen=True)
class Target:
    path: str  # the module mutated
    tests: tuple[str, ...]  # its focused tests
    functions: tuple[str, ...] = ()  # mutmut name globs, when only part of the module is meant
    # The top-level numbers to mutate as well; None: every one (set this with ``functions``).
    numbers: tuple[str, ...] | None = None
    # Tests that run kamdocs in another process: that process imports the installed, unmutated
    # code, so they cannot kill a mutant; left out, they only cost time (and flake under load).
    deselect: tuple[str, ...] = ()
    # Caching decorators (``lru_cache``, ``cache``) of the module's functions, to be applied
    # after the module's last line instead: mutmut leaves a decorated function alone, and a
    # cache changes no result. The functions keep ``cache_clear`` and ``__wrapped__``.
    undecorate: tuple[str, ...] = ()


# Renders in other processes, compared with the test's own render: the in-process render
# tests see the same output, without starting processes for every mutant.
CROSS_PROCESS_RENDERS = (
    "tests/test_render.py::test_rerender_gives_identical_bytes",
    "tests/test_render.py::test_identical_across_processes_and_hash_seeds",
)

# A file made a link out after a render, and a templates link pointed elsewhere, in one process.
LATER_LINKS = (
    "tests/test_threats.py::test_a_file_made_a_link_out_after_a_render_is_refused_in_the_same_process",
    "tests/test_threats.py::test_a_templates_folder_link_pointed_elsewhere_gives_the_other_folders_files",
)

TARGETS = {
    "tailor": Target(
        "kamdocs/tailor.py",
        ("tests/test_tailor.py", "tests/test_tailor_rules.py"),
        deselect=(
            "tests/test_tailor_rules.py::test_explain_is_the_same_in_every_process_and_hash_seed",
        ),
    ),
    "privacy": Target(
        "kamdocs/privacy.py",
        (
            "tests/test_privacy.py",
            "tests/test_privacy_words.py",
            "tests/test_guards.py",
            "tests/test_public_inputs.py",  # the values public anyway (``exposures``)
            "tests/test_stored.py",  # the public inputs kept between runs
        ),
    ),
    "output": Target(
        "kamdocs/output.py",
        (
            "tests/test_faults.py",
            "tests/test_batch.py",
            "tests/test_commit.py",
            "tests/test_stale_outputs.py",
            "tests/test_hash_reuse.py",
            "tests/test_hash_record.py",  # what a build hashed, kept for the next
            "tests/test_uptodate.py",
            "tests/test_starter.py",
        ),
        deselect=(
            "tests/test_faults.py::test_ctrl_c_during_a_build",
            "tests/test_faults.py::test_a_build_killed_midway",
            "tests/test_faults.py::test_two_builds_at_once_leave_a_consistent_folder",
            "tests/test_commit.py::test_a_second_commit_waits_for_the_first",
            "tests/test_commit.py::test_sigterm_during_a_build_changes_nothing",
        ),
    ),
    "templating": Target(
        "kamdocs/templating.py",
        (
            "tests/test_markup.py",
            "tests/test_render.py",
            # what _finalize refuses to print
            "tests/test_security.py::test_template_escape_is_refused_quickly_with_file_and_line"
            "[print-a-list-of-refs]",
        ),
        (
            "kamdocs.templating.x_escape*",
            "kamdocs.templating.x__escape*",
            "kamdocs.templating.x__backslashed*",
            "kamdocs.templating.x__finalize*",
            "kamdocs.templating.x_mailto*",
            "kamdocs.templating.x_tel*",
        ),
        numbers=("ESCAPE_CACHE_CHARS",),  # the others are the limits, not the escapes
        deselect=CROSS_PROCESS_RENDERS,
    ),
    "markup": Target(
        "kamdocs/render/markup.py",
        ("tests/test_markup.py", "tests/test_render.py", "tests/test_html_attributes.py"),
        deselect=CROSS_PROCESS_RENDERS,
    ),
    "formatting": Target(
        "kamdocs/formatting.py",
        (
            "tests/test_formatting.py",
            "tests/test_money.py",
            "tests/test_percent_signs.py",
            "tests/test_golden.py",  # the proposals' dates and figures in en and bg
            "tests/test_followup.py",  # the plan's days (``day``) and the default date form
            "tests/test_portfolio_report.py",  # shares, durations, medium dates, numbers
            "tests/test_babel_globals.py",  # Babel's tables from the kept copy
        ),
        # Not locale: its cache holds Babel's data, which the tests' conftest keeps.
        undecorate=(
            "date",
            "printed_date",
            "_currency_pattern",
            "money",
            "number",
            "percent",
            "_percent_gap",
            "day",
            "share",
            "duration",
        ),
        deselect=(
            *CROSS_PROCESS_RENDERS,
            # compares the samples' paths as the docs show them with the project's own folder
            "tests/test_portfolio_report.py::test_the_json_example_of_the_docs_is_what_the_samples_print",
        ),
    ),
    "html": Target(
        "kamdocs/render/html.py",
        (
            "tests/test_render.py",
            "tests/test_guards.py",
            "tests/test_supplier.py",  # the logo and the supplier's line over the page
            # the stylesheet and logo behind a link (the rest of that file: other threats)
            "tests/test_threats.py::test_a_page_file_linked_from_outside_the_templates_folder_is_refused",
            "tests/test_threats.py::test_links_that_stay_in_the_templates_folder_are_followed",
            "tests/test_threats.py::test_a_templates_folder_that_is_itself_a_link_works",
            *LATER_LINKS,
        ),
        deselect=CROSS_PROCESS_RENDERS,
    ),
    "files": Target(
        "kamdocs/render/__init__.py",  # real_file: a templates file's real path, links refused
        (
            "tests/test_supplier.py",  # the logo over the page
            "tests/test_threats.py::test_a_page_file_linked_from_outside_the_templates_folder_is_refused",
            "tests/test_threats.py::test_reference_docx_linked_from_outside_the_templates_folder_is_refused",
            "tests/test_threats.py::test_links_that_stay_in_the_templates_folder_are_followed",
            "tests/test_threats.py::test_a_templates_folder_that_is_itself_a_link_works",
            *LATER_LINKS,
            "tests/test_threats.py::test_a_path_that_climbs_out_of_its_folder_is_refused_like_a_link",
        ),
        deselect=CROSS_PROCESS_RENDERS,
    ),
    "yamlsrc": Target(
        "kamdocs/yamlsrc.py",
        ("tests/test_yamlsrc.py",),
        ("kamdocs.yamlsrc.xǁ_Loaderǁresolve*",),  # the scalar tags; the rest: test_dossier_errors
        numbers=(),
    ),
}

STATUS = re.compile(r"^\s*(\S+): (.+)$")


@dataclass
class Report:
    module: str
    counts: dict[str, int] = field(default_factory=dict)
    survivors: list[str] = field(default_factory=list)
    seconds: float = 0.0


def scratch_copy(name: str, target: Target) -> Path:
    """A copy of the project whose pyproject.toml tells mutmut what to mutate and test."""
    where = SCRATCH / name
    shutil.rmtree(where, ignore_errors=True)
    where.mkdir(parents=True)
    for item in COPY:
        src = ROOT / item
        if src.is_dir():
            shutil.copytree(src, where / item, ignore=shutil.ignore_patterns("__pycache__"))
        else:
            shutil.copy(src, where / item)
    if target.undecorate:
        path = where / target.path
        path.write_text(undecorated(path.read_text(encoding="utf-8"), target.undecorate))
    tests = ", ".join(f'"{t}"' for t in target.tests)
    deselect = "".join(f', "--deselect", "{t}"' for t in target.deselect)
    with (where / "pyproject.toml").open("a", encoding="utf-8") as config:
        config.write(
            "\n[tool.mutmut]\n"
            'source_paths = ["kamdocs"]\n'
            'also_copy = ["templates", "dossiers", "docs", "README.md"]\n'
            f'only_mutate = ["{target.path}"]\n'
            f"pytest_add_cli_args_test_selection = [{tests}]\n"
            f'pytest_add_cli_args = ["-p", "no:cacheprovider", "-x", "-q"{deselect}]\n'
        )
    return where


def undecorated(source: str, names: tuple[str, ...]) -> str:
    """``source`` with the one decorator of each top-level function in ``names`` removed and
    applied at the end instead (``name = decorator(name)``), its lines left where they were."""
    lines = source.splitlines()
    moved, after = set(), []
    for node in ast.parse(source).body:
        if not (isinstance(node, ast.FunctionDef) and node.name in names):
            continue
        if len(node.decorator_list) != 1:
            raise SystemExit(f"{node.name}: expected one decorator to move")
        decorator = node.decorator_list[0]
        text = ast.get_source_segment(source, decorator)
        if decorator.lineno != decorator.end_lineno or lines[decorator.lineno - 1] != f"@{text}":
            raise SystemExit(f"{node.name}: its decorator is not one line of its own")
        lines[decorator.lineno - 1] = ""  # the line numbers of the rest stay as they are
        after.append(f"{node.name} = {text}({node.name})")
        moved.add(node.name)
    missing = set(names) - moved
    if missing:
        raise SystemExit(f"no decorated function {', '.join(sorted(missing))}")
    return "\n".join([*lines, "", *after]) + "\n"


def run_mutmut(where: Path, target: Target, jobs: int, report: Report) -> None:
    command = [str(BIN / "mutmut"), "run", "--max-children", str(jobs), *target.functions]
    log = where / "mutmut.log"
    with log.open("w", encoding="utf-8") as out:
        subprocess.run(command, cwd=where, stdout=out, stderr=subprocess.STDOUT, check=False)
    listing = subprocess.run(
        [str(BIN / "mutmut"), "results", "--all", "true"],
        cwd=where,
        capture_output=True,
        text=True,
        check=False,
    ).stdout
    for line in listing.splitlines():
        found = STATUS.match(line)
        if not found:
            continue
        name, status = found.groups()
        if target.functions and not any(_glob(name, g) for g in target.functions):
            continue
        report.counts[status] = report.counts.get(status, 0) + 1
        if status in ("survived", "timeout", "suspicious", "no tests"):
            report.survivors.append(f"{name}: {status}")
    if not report.counts:
        print(f"mutmut ran no mutant; see {log.relative_to(ROOT)}", file=sys.stderr)


def _glob(name: str, pattern: str) -> bool:
    return re.fullmatch(re.escape(pattern).replace(r"\*", ".*"), name) is not None


def constants(source: str) -> list[tuple[str, int, str, str]]:
    """The module's top-level numbers: (name, line, the assignment, the same with a mutant)."""
    out = []
    lines = source.splitlines()
    for node in ast.parse(source).body:
        if not (isinstance(node, ast.Assign) and len(node.targets) == 1):
            continue
        name = node.targets[0]
        value = node.value
        sign = ""
        if isinstance(value, ast.UnaryOp) and isinstance(value.op, ast.USub):
            value, sign = value.operand, "-"
        if not (isinstance(name, ast.Name) and isinstance(value, ast.Constant)):
            continue
        if type(value.value) is not int:
            continue
        line = lines[node.lineno - 1]
        number = int(f"{sign}{value.value}")
        written = f"{name.id} = {sign}{value.value}"
        if not line.startswith(written):
            continue
        for mutant in sorted({0, number + 1} - {number}):
            out.append((name.id, node.lineno, written, f"{name.id} = {mutant}"))
    return out


def run_constants(where: Path, target: Target, report: Report) -> None:
    path = where / target.path
    source = path.read_text(encoding="utf-8")
    for name, line, written, mutant in constants(source):
        if target.numbers is not None and name not in target.numbers:
            continue
        path.write_text(source.replace(written, mutant, 1), encoding="utf-8")
        try:
            result = subprocess.run(
                [
                    str(BIN / "python"),
                    "-m",
                    "pytest",
                    "-x",
                    "-q",
                    "-p",
                    "no:cacheprovider",
                    *(arg for t in target.deselect for arg in ("--deselect", t)),
                    *target.tests,
                ],
                cwd=where,
                capture_output=True,
                text=True,
                timeout=600,
                check=False,
            )
            status = "killed" if result.returncode != 0 else "survived"
        except subprocess.TimeoutExpired:
            status = "timeout"
        finally:
            path.write_text(source, encoding="utf-8")
        report.counts[status] = report.counts.get(status, 0) + 1
        if status != "killed":
            report.survivors.append(f"{target.path}:{line} {name}: {written} -> {mutant}: {status}")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("modules", nargs="*", help=f"some of: {', '.join(TARGETS)}")
    parser.add_argument("--jobs", type=int, default=int(os.environ.get("JOBS") or "2"))
    args = parser.parse_args()
    unknown = [m for m in args.modules if m not in TARGETS]
    if unknown:
        parser.error(f"unknown module {', '.join(unknown)}; known: {', '.join(TARGETS)}")
    names = args.modules or list(TARGETS)
    reports = []
    for name in names:
        target = TARGETS[name]
        report = Report(name)
        start = time.monotonic()
        print(f"== {name}: {target.path} against {' '.join(target.tests)}", flush=True)
        where = scratch_copy(name, target)
        run_mutmut(where, target, args.jobs, report)
        run_constants(where, target, report)
        report.seconds = time.monotonic() - start
        reports.append(report)
        for survivor in report.survivors:
            print(f"   {survivor}")
    print("\nmodule      killed  survived  timeout  other  time")
    for r in reports:
        killed, survived, timeout = (r.counts.get(k, 0) for k in ("killed", "survived", "timeout"))
        other = sum(r.counts.values()) - killed - survived - timeout
        print(
            f"{r.module:<10} {killed:>7} {survived:>9} {timeout:>8} {other:>6}  {r.seconds:>4.0f}s"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
