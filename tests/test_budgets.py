"""The budget of one render holds whatever a template or library text does: each line of the
issue's list is a located error, found within the CPU time and memory a render may use."""

from __future__ import annotations

import os
import resource
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
from helpers import ARGUMENTS, DOSSIER, ROOT, TEMPLATE, build_file_tree

from kamdocs import templating

BATCHES = "|batch(1)" * 8
ATTACKS = {
    "lazy-batches": (
        "{{ ('a' * 2000000)" + BATCHES + "|list|length }}",
        "template went over a limit: more than 1,000,000 loop rounds and calls",
    ),
    "forty-batches-max": (
        "{{ ('a' * 2000000)" + "|batch(1)" * 40 + "|max }}",
        "template went over a limit: more than 1,000,000 loop rounds and calls",
    ),
    "bytes": (
        '{{ ("a".encode() * 1500000000)|length }}',
        "template went over a limit: that multiplication would build more than 2,000,000",
    ),
    "bytes-plus": (
        '{% set b = "a".encode() * 2000000 %}{{ (b + b)|length }}',
        "template went over a limit: that concatenation would build more than",
    ),
    "sum-of-lists": (
        "{{ ([[0]] * 100000)|sum(start=[])|length }}",
        "template went over a limit: the filter sum adds numbers only",
    ),
    "sort-unique": (
        '{{ ("ab" * 1000000)|list|sort|unique|list|length }}',
        "template went over a limit: more than 1,000,000 loop rounds and calls",
    ),
    "map-chain": (
        "{{ range(100000)|map('string')|map('upper')|map('lower')|map('trim')|map('string')"
        "|map('upper')|map('lower')|map('trim')|map('string')|map('upper')|map('lower')|list"
        "|length }}",
        "template went over a limit: more than 1,000,000 loop rounds and calls",
    ),
}

SCRIPT = """
import resource, sys, time
from click.testing import CliRunner
from kamdocs.cli import main
before = resource.getrusage(resource.RUSAGE_SELF)
result = CliRunner().invoke(main, ["render", "dossiers/acme.yaml", "-f", "md", "-o", "out"])
after = resource.getrusage(resource.RUSAGE_SELF)
cpu = after.ru_utime + after.ru_stime - before.ru_utime - before.ru_stime
print(result.exit_code, round(cpu, 2), after.ru_maxrss // 1024)
print(result.stderr, end="")
"""


def render(ws: Path) -> tuple[int, float, int, list[str]]:
    """Render in a fresh process: exit code, CPU seconds of the render, peak MiB, stderr."""
    found = subprocess.run(
        [sys.executable, "-c", SCRIPT],
        cwd=ws,
        capture_output=True,
        text=True,
        timeout=300,
        env={**os.environ, "PYTHONPATH": str(ROOT), "KAMDOCS_CACHE_DIR": "off"},
    )
    assert found.returncode == 0, found.stderr[-2000:]
    head, *stderr = found.stdout.splitlines()
    code, cpu, peak = head.split()
    return int(code), float(cpu), int(peak), stderr


def within_budget(cpu: float, peak: int) -> None:
    # Loading the library and the first compile come on top of the render's own budget.
    assert cpu < templating.MAX_SECONDS + 2, cpu
    assert peak < 400, peak


@pytest.mark.parametrize("name", list(ATTACKS))
def test_each_attack_in_the_content_template(ws: Path, name: str) -> None:
    code, message = ATTACKS[name]
    template = ws / TEMPLATE
    text = template.read_text("utf-8")
    line = text.count("\n") + 1
    template.write_text(text + code + "\n", "utf-8")
    exit_code, cpu, peak, stderr = render(ws)
    assert exit_code == 1, stderr
    assert stderr == [f"templates/proposal.md.j2:{line}: {message}"] or (
        len(stderr) == 1 and stderr[0].startswith(f"templates/proposal.md.j2:{line}: {message}")
    ), stderr
    within_budget(cpu, peak)
    assert not (ws / "out").exists()


@pytest.mark.parametrize("name", list(ATTACKS))
def test_each_attack_in_an_argument_text(ws: Path, name: str) -> None:
    code, message = ATTACKS[name]
    arguments = ARGUMENTS + textwrap.dedent("""
        - id: raw
          kind: exclusivity
          title: {en: "Raw", bg: "Raw"}
          text:
            en: |-
              CODE
            bg: "x"
        """).replace("CODE", code)
    build_file_tree(
        ws,
        {
            "templates/arguments/main.yaml": arguments,
            "dossiers/acme.yaml": DOSSIER.replace(
                "  valid_days: 30\n", "  valid_days: 30\n  include: [raw]\n"
            ),
        },
    )
    lines = (ws / "templates/arguments/main.yaml").read_text("utf-8").splitlines()
    line = lines.index("    en: |-") + 1
    exit_code, cpu, peak, stderr = render(ws)
    assert exit_code == 1, stderr
    assert len(stderr) == 1, stderr
    assert stderr[0].startswith(f"templates/arguments/main.yaml:{line}: raw.text: {message}"), (
        stderr
    )
    within_budget(cpu, peak)


# --- the operating system's limits under the counters ---------------------------------------------


# The timer's signal may land while a garbage-collector callback runs (hypothesis installs one);
# Python then reports the exception as unraisable and the timer, which repeats, raises it again
# a quarter second later in the render itself. The test asserts that the render still stops.
@pytest.mark.filterwarnings("ignore::pytest.PytestUnraisableExceptionWarning")
def test_work_the_step_counter_cannot_see_stops_at_the_cpu_budget(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # With the counter out of the way (a budget of 10**12 steps and a far deadline), the timer
    # still stops a render once it has used its CPU time.
    monkeypatch.setattr(templating, "MAX_STEPS", 10**12)
    monkeypatch.setattr(templating, "MAX_SECONDS", 0.5)
    env = templating.environment()
    template = env.from_string("{{ range(100000)|map('string')|list|sort|length }}" * 1000)
    monkeypatch.setattr(templating.time, "thread_time", lambda: 0.0)  # the counter's clock stops
    start = resource.getrusage(resource.RUSAGE_SELF)
    with pytest.raises(templating.TemplateLimit, match="more than 0.5 s of CPU time"):
        template.render()
    end = resource.getrusage(resource.RUSAGE_SELF)
    assert end.ru_utime + end.ru_stime - start.ru_utime - start.ru_stime < 3


def test_memory_past_the_budget_is_refused_by_the_system(monkeypatch: pytest.MonkeyPatch) -> None:
    # Sizes unchecked (as if a way around the checks were found), the address-space limit
    # still refuses the allocation, and the limit is lifted again after the render.
    monkeypatch.setattr(templating, "_check_product", lambda left, right: None)
    monkeypatch.setattr(templating, "MAX_MEMORY", 64 * 1024 * 1024)
    before = resource.getrlimit(resource.RLIMIT_AS)
    env = templating.environment()
    template = env.from_string("{{ ('x' * 200000000)|length }}")
    with pytest.raises(MemoryError):
        template.render()
    assert resource.getrlimit(resource.RLIMIT_AS) == before
    assert env.from_string("{{ ('x' * 1000)|length }}").render() == "1000"


def test_the_address_space_is_read_as_the_system_counts_it() -> None:
    status = Path("/proc/self/status").read_text(encoding="ascii")
    line = next(line for line in status.splitlines() if line.startswith("VmSize:"))
    size_kb = int(line.split()[1])
    assert abs(templating._address_space() - size_kb * 1024) < 16 * 1024 * 1024


def test_the_address_space_is_read_again_every_few_renders_and_in_each_process(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    readings: list[int] = []
    real = templating._address_space

    def read() -> int:
        readings.append(os.getpid())
        return real()

    monkeypatch.setattr(templating, "_address_space", read)
    monkeypatch.setattr(templating._Space, "left", 0)
    template = templating.environment().from_string("{{ 1 + 1 }}")
    for _ in range(templating.SPACE_RENDERS):
        assert template.render() == "2"
    assert len(readings) == 1
    assert template.render() == "2"
    assert len(readings) == 2
    child = os.fork()
    if child == 0:  # a worker of a build: its own reading, at its first render
        try:
            template.render()
            os._exit(0 if readings[2:] == [os.getpid()] else 1)
        finally:
            os._exit(2)
    _, status = os.waitpid(child, 0)
    assert os.waitstatus_to_exitcode(status) == 0


def test_the_cpu_timer_leaves_signals_as_a_render_found_them() -> None:
    import signal  # noqa: PLC0415

    env = templating.environment()
    template = env.from_string("{{ 1 + 1 }}")
    # Another's handler (a profiler's) is put back after every render, and the timer is off.
    seen: list[int] = []
    previous = signal.signal(signal.SIGPROF, lambda signum, frame: seen.append(signum))
    try:
        theirs = signal.getsignal(signal.SIGPROF)
        for _ in range(2):
            assert template.render() == "2"
            assert signal.getsignal(signal.SIGPROF) is theirs
            assert signal.getitimer(signal.ITIMER_PROF) == (0.0, 0.0)
        # The default handler (which ends the process) is replaced for good by one that does
        # nothing outside a render.
        signal.signal(signal.SIGPROF, signal.SIG_DFL)
        assert template.render() == "2"
        assert signal.getsignal(signal.SIGPROF) is templating._out_of_time
        assert signal.getitimer(signal.ITIMER_PROF) == (0.0, 0.0)
        templating._out_of_time(signal.SIGPROF, None)  # no render: nothing raised
        # A handler set after ours gives way to it during a render, and is put back after it.
        signal.signal(signal.SIGPROF, theirs)
        probe = env.from_string("{{ ours() }}")
        ours = lambda: signal.getsignal(signal.SIGPROF) is templating._out_of_time  # noqa: E731
        assert probe.render(ours=ours) == "True"
        assert signal.getsignal(signal.SIGPROF) is theirs
    finally:
        signal.signal(signal.SIGPROF, previous)
    assert seen == []
