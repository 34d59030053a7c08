"""How the ``kamdocs`` command ends: once its work is done, without tearing the interpreter
down, and otherwise as Python would have ended it (``kamdocs.cli.run``)."""

from __future__ import annotations

import atexit
import io
import subprocess
import sys
import threading
from pathlib import Path

import pytest
from click.testing import CliRunner
from processes import SEEDS, kamdocs

from kamdocs import cli


def python(code: str, *args: str, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-c", code, *args], cwd=cwd, capture_output=True, text=True, check=False
    )


RUN = "from kamdocs.cli import run; run()"


def test_the_interpreter_is_not_torn_down() -> None:
    """A module-level object's finaliser runs only when Python frees the module: never here."""
    code = f"""
class Sentinel:
    def __del__(self):
        print("torn down", flush=True)
kept = Sentinel()
{RUN}
"""
    done = python(code, "--version")
    assert done.returncode == 0, done.stderr
    assert done.stdout == "kamdocs 0.1.0\n"


def test_the_atexit_functions_run_before_the_end() -> None:
    code = f"""
import atexit
atexit.register(lambda: print("at exit"))
{RUN}
"""
    done = python(code, "--version")
    assert (done.returncode, done.stdout) == (0, "kamdocs 0.1.0\nat exit\n")


def test_a_thread_still_running_is_waited_for_as_python_would() -> None:
    code = f"""
import threading, time
def late():
    time.sleep(0.3)
    print("thread done", flush=True)
threading.Thread(target=late).start()
{RUN}
"""
    done = python(code, "--version")
    assert (done.returncode, done.stdout) == (0, "kamdocs 0.1.0\nthread done\n")


@pytest.mark.parametrize(
    ("args", "code"),
    [(("--version",), 0), (("no-such-command",), 2), (("render", "missing.yaml"), 2)],
)
def test_the_exit_status_is_the_commands(tmp_path: Path, args: tuple[str, ...], code: int) -> None:
    done = python(RUN, *args, cwd=tmp_path)
    assert done.returncode == code, done.stderr


def test_an_input_error_ends_with_its_message_and_status_1(ws: Path) -> None:
    dossier = ws / "dossiers" / "acme.yaml"
    dossier.write_text(dossier.read_text(encoding="utf-8") + "\nbogus: [\n", encoding="utf-8")
    done = subprocess.run(
        [sys.executable, "-m", "kamdocs", "render", "dossiers/acme.yaml", "-o", "out"],
        cwd=ws,
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 1
    assert "dossiers/acme.yaml:" in done.stderr and "Traceback" not in done.stderr
    assert not (ws / "out").exists()


def test_all_the_output_arrives_through_a_pipe(ws: Path) -> None:
    """``schema`` prints more than the stream's buffer holds: its last part is still in the
    buffer when the command returns, and is flushed before the end."""
    printed = kamdocs("schema", cwd=ws, seed=SEEDS[0])
    assert printed == CliRunner().invoke(cli.main, ["schema"]).stdout_bytes
    assert len(printed) > io.DEFAULT_BUFFER_SIZE


def test_a_render_through_the_command_writes_its_files(ws: Path) -> None:
    kamdocs(
        "render", "dossiers/acme.yaml", "-f", "md,docx,html", "-o", "out", cwd=ws, seed=SEEDS[0]
    )
    written = sorted(p.name for p in (ws / "out").iterdir() if p.name != "manifest.json")
    assert written == ["acme-logistics-ad.docx", "acme-logistics-ad.html", "acme-logistics-ad.md"]
    assert (ws / "out" / "acme-logistics-ad.md").read_text(encoding="utf-8").endswith("\n")


@pytest.fixture
def ended(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """The statuses ``os._exit`` is called with; the test process's own atexit functions are
    not run, and its other threads (an earlier test's) are not seen."""
    calls: list[int] = []
    monkeypatch.setattr(cli.os, "_exit", calls.append)
    monkeypatch.setattr(atexit, "_run_exitfuncs", lambda: None)
    monkeypatch.setattr(threading, "enumerate", lambda: [threading.current_thread()])
    return calls


class _Unflushable:
    def flush(self) -> None:
        raise BrokenPipeError(32, "Broken pipe")


def test_output_that_cannot_be_flushed_ends_as_python_ends_it(
    monkeypatch: pytest.MonkeyPatch, ended: list[int]
) -> None:
    monkeypatch.setattr(sys, "stdout", _Unflushable())
    with pytest.raises(SystemExit) as stop:
        cli._exit(0)
    assert stop.value.code == 0
    assert ended == []


def test_a_message_as_exit_code_is_left_to_python(ended: list[int]) -> None:
    with pytest.raises(SystemExit) as stop:
        cli._exit("stopped")
    assert stop.value.code == "stopped"
    assert ended == []


def test_the_process_ends_with_the_commands_status(
    monkeypatch: pytest.MonkeyPatch, ended: list[int]
) -> None:
    monkeypatch.setattr(sys, "argv", ["kamdocs", "no-such-command"])
    cli.run()
    assert ended == [2]
