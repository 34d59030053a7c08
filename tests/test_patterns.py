"""The compiled patterns kept between runs (kamdocs.patterns): the same pattern objects as
Python's compiler makes, only those compiled while a module is imported, and any doubt about an
entry meaning compiling as before."""

from __future__ import annotations

import importlib
import itertools
import marshal
import os
import re
import re._compiler as compiler
import subprocess
import sys
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from kamdocs import patterns

MODULE = '''
import re

WORD = re.compile(r"(?P<word>\\w+)-(\\d{2,})?", re.IGNORECASE)
NON_PRINTABLE = re.compile(
    "[^\\x09\\x0A\\x0D\\x20-\\x7E\\x85\\xA0-\\uD7FF\\uE000-\\uFFFD\\U00010000-\\U0010ffff]"
)
RAW = re.compile(rb"\\x00+(?=end)")


class Reader:
    LINE = re.compile(r"^ *(#|//) ?(.*)$", re.MULTILINE)


def later(value):
    return re.compile("secret " + re.escape(value))
'''  # fmt: skip

SAMPLES = ["word-42", "Word-", "x\x01y", "\ud800", "a\x00\x00end", "  # note", "// x"]
_names = itertools.count()


@pytest.fixture
def fresh(cache_base: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Callable[[], object]]:
    """``install`` as a new process runs it (Python's compiler as it was, ``re``'s own cache
    empty); the patterns object it installed, or None. Python's compiler is restored after."""
    before = compiler.compile, compiler._sre  # installed already by a command run in-process
    hook = getattr(compiler.compile, "__self__", None)
    saved = (hook.original, hook.engine) if isinstance(hook, patterns._Patterns) else before
    exits: list[Callable[[], None]] = []
    monkeypatch.setattr(patterns.atexit, "register", exits.append)

    def install() -> object:
        for save in exits:  # the end of the process before
            save()
        exits.clear()
        compiler.compile, compiler._sre = saved
        re.purge()
        patterns.install()
        hooked = compiler.compile
        return hooked.__self__ if hooked is not saved[0] else None

    yield install
    compiler.compile, compiler._sre = before
    re.purge()


def imported(folder: Path, text: str = MODULE) -> object:
    """``text`` imported as a module under a name not used before (a new import each time)."""
    name = f"kamdocs_patterns_probe_{next(_names)}"
    (folder / f"{name}.py").write_text(text, encoding="utf-8")
    sys.path.insert(0, str(folder))
    try:
        importlib.invalidate_caches()
        return importlib.import_module(name)
    finally:
        sys.path.remove(str(folder))
        sys.modules.pop(name, None)


def compiled(module: object) -> list[re.Pattern]:
    return [module.WORD, module.NON_PRINTABLE, module.RAW, module.Reader.LINE]  # type: ignore[attr-defined]


def entry_of(cache_base: Path) -> Path:
    """The entry (not the list beside it of what the last run compiled the first time)."""
    (entry,) = (p for p in (cache_base / "patterns").iterdir() if p.suffix != ".new")
    return entry


def test_a_pattern_kept_is_the_pattern_python_compiles(fresh, tmp_path: Path) -> None:
    first = fresh()
    assert first is not None
    made = compiled(imported(tmp_path))
    assert first.new >= len(made)

    again = fresh()  # the next run: built from the entry
    assert len(again.known) >= len(made)
    kept = compiled(imported(tmp_path))
    assert again.new == 0
    for pattern, before in zip(kept, made, strict=True):
        # Pattern equality compares the pattern, its flags and the engine's code.
        assert pattern == before
        fresh_one = re._compiler.compile.__self__.original(pattern.pattern, _flags_asked(pattern))
        assert pattern == fresh_one
        assert (pattern.groups, dict(pattern.groupindex)) == (
            fresh_one.groups,
            dict(fresh_one.groupindex),
        )
        for text in SAMPLES:
            subject = text.encode("latin-1", "replace") if isinstance(pattern.pattern, bytes) \
                else text  # fmt: skip
            assert [m.groups() for m in pattern.finditer(subject)] == [
                m.groups() for m in fresh_one.finditer(subject)
            ]


def _flags_asked(pattern: re.Pattern) -> int:
    return {
        r"(?P<word>\w+)-(\d{2,})?": re.IGNORECASE,
        r"^ *(#|//) ?(.*)$": re.MULTILINE,
    }.get(pattern.pattern, 0)


def test_a_pattern_compiled_after_the_imports_is_not_kept(fresh, tmp_path, cache_base) -> None:
    first = fresh()
    module = imported(tmp_path)
    assert module.later("the client's birthday").search("secret the client's birthday")
    assert not any("birthday" in str(key[1]) for key in first.known)
    fresh()  # writes the entry
    assert b"birthday" not in entry_of(cache_base).read_bytes()


def test_code_the_engine_refuses_is_compiled_again(fresh, tmp_path, cache_base) -> None:
    fresh()
    imported(tmp_path)
    fresh()
    entry = entry_of(cache_base)
    known = marshal.loads(entry.read_bytes())
    for key, (flags, code, groups, index, names) in list(known.items()):
        known[key] = (flags, [999_999] + code[1:], groups, index, names)
    entry.write_bytes(marshal.dumps(known))
    entry.chmod(0o600)

    third = fresh()
    module = imported(tmp_path)  # no error: each is compiled as Python does
    assert module.WORD.match("word-42").group("word") == "word"
    assert module.RAW.search(b"\x00\x00end")
    assert third.new >= 4  # and kept again, right this time
    assert third.known[(True, module.WORD.pattern, re.IGNORECASE)][1][0] != 999_999


@pytest.mark.parametrize("damage", [b"", b"not marshal", marshal.dumps([1, 2]),
                                    marshal.dumps({"a": 1})])  # fmt: skip
def test_a_damaged_entry_is_only_a_miss(fresh, tmp_path, cache_base, damage: bytes) -> None:
    fresh()
    imported(tmp_path)
    fresh()
    entry = entry_of(cache_base)
    entry.write_bytes(damage)
    again = fresh()
    assert again is not None and again.known == {}
    assert imported(tmp_path).WORD.match("a-12").groups() == ("a", "12")


def test_an_entry_others_may_write_is_not_read(fresh, tmp_path, cache_base) -> None:
    fresh()
    imported(tmp_path)
    fresh()
    entry_of(cache_base).chmod(0o666)
    assert fresh().known == {}


def test_no_cache_means_python_compiles(fresh, monkeypatch: pytest.MonkeyPatch) -> None:
    from kamdocs import templating

    monkeypatch.setenv(templating.CACHE_ENV, "off")
    templating._code_cache.cache_clear()
    assert fresh() is None


def test_a_render_with_kept_patterns_writes_the_same_bytes(ws: Path, tmp_path: Path) -> None:
    def render(cache: str, out: str) -> dict[str, bytes]:
        env = {**os.environ, "KAMDOCS_CACHE_DIR": cache}
        args = ["render", "dossiers/acme.yaml", "-f", "md,docx,html", "-o", out]
        proc = subprocess.run([sys.executable, "-m", "kamdocs", *args], cwd=ws, env=env,
                              capture_output=True, text=True, check=False)  # fmt: skip
        assert proc.returncode == 0, proc.stderr
        return {p.name: p.read_bytes() for p in sorted((ws / out).iterdir())}

    cache = str(tmp_path / "cache")
    without = render("off", "a")
    assert render(cache, "b") == without  # compiles and keeps them
    kept = marshal.loads(entry_of(tmp_path / "cache").read_bytes())
    assert len(kept) > 50  # PyYAML's, Jinja's, Python-Markdown's, kamdocs' own
    assert render(cache, "c") == without  # builds them from the entry


def test_the_entry_is_bounded(fresh, tmp_path, cache_base, monkeypatch) -> None:
    monkeypatch.setattr(patterns, "KEPT_AT_MOST", 2)
    for run in range(4):  # each run compiles the ones it does not have, two at the most
        hooked = fresh()  # and the run before written
        if run:
            assert len(marshal.loads(entry_of(cache_base).read_bytes())) <= 2
        module = imported(tmp_path)
        assert 0 < hooked.new <= 2
        assert module.WORD.match("word-42").group("word") == "word"


def test_a_pattern_that_changes_from_run_to_run_is_not_kept(fresh, tmp_path, cache_base) -> None:
    """A module that builds a pattern from a set gets another order in each process (Babel's
    plural rules): such a pattern is not kept, and the entry is not written again for it."""
    fresh()
    imported(tmp_path)
    fresh()  # the entry, with the module's patterns
    entry = entry_of(cache_base)
    written = entry.read_bytes()
    for run in range(3):
        assert fresh().new == 0
        text = f"import re\nWORDS = re.compile('(one|two|run{run})')\n"
        assert imported(tmp_path, text).WORDS.match("run" + str(run))
    fresh()
    assert entry.read_bytes() == written
    # A pattern compiled in two runs in a row is kept.
    for _ in range(2):
        fresh()
        imported(tmp_path, "import re\nSTEADY = re.compile('(steady|state)+')\n")
    assert fresh().new == 0 and (True, "(steady|state)+", 0) in marshal.loads(entry.read_bytes())
