"""The code of generated functions kept between runs (kamdocs.generated): dataclasses and named
tuples made from it are the ones Python makes, compiled with their caller's flags; only texts
compiled while a module is imported are kept, and any doubt about an entry means compiling as
before."""

from __future__ import annotations

import ast
import builtins
import collections
import dataclasses
import importlib
import inspect
import itertools
import marshal
import os
import subprocess
import sys
import typing
from collections.abc import Callable, Iterator
from pathlib import Path
from types import CodeType, ModuleType

import pytest

from kamdocs import generated

MODULE = """
import collections
import dataclasses
import typing


@dataclasses.dataclass(frozen=True, order=True)
class Line:
    description: str
    quantity: int = 1
    tags: tuple = ()


@dataclasses.dataclass
class Batch:
    name: str
    lines: list = dataclasses.field(default_factory=list)
    done: bool = dataclasses.field(default=False, repr=False)


class Point(typing.NamedTuple):
    x: int
    y: int = 0


Pair = collections.namedtuple("Pair", "left right")


class Named(typing.NamedTuple):  # annotations written as strings: typing compiles each
    label: "str"
    parts: "list[Point]" = []


def later(name):
    return dataclasses.make_dataclass("Later", [name])
"""

# A caller of exec without ``from __future__ import annotations``, and one with it: exec of a
# text compiles it with the flags of the code that calls it.
CALLER = """
{future}
import dataclasses

namespace = {{}}
run = getattr(dataclasses, "exec", exec)  # kamdocs' where installed, else Python's own
run("def f(x: not_defined_anywhere): return x", namespace)
"""

# A caller of compile without the future import, at import time: what it compiles is its own.
COMPILER = """
import ast
import typing

text = "def f(x: not_defined_anywhere): return x"
raised = {}
for filename in ("<string>", "probe.py"):
    try:
        exec(typing.compile(text, filename, "exec"), {})
        raised[filename] = False
    except NameError:
        raised[filename] = True
tree = typing.compile("x + 1", "<string>", "eval", ast.PyCF_ONLY_AST)
"""

_names = itertools.count()


@pytest.fixture
def fresh(cache_base: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Callable[[], object]]:
    """``install`` as a new process runs it (``dataclasses`` and ``collections`` calling
    Python's own ``exec`` and ``eval``): the object it installed, or None. Restored after."""
    before = {module: vars(sys.modules[module]).get(name) for module, name in generated._USERS}
    exits: list[Callable[[], None]] = []
    monkeypatch.setattr(generated.atexit, "register", exits.append)

    def install() -> object:
        for save in exits:  # the end of the process before
            save()
        exits.clear()
        plain()
        generated.install()
        hook = vars(dataclasses).get("exec")
        return getattr(hook, "__self__", None)

    yield install
    for module, name in generated._USERS:
        if before[module] is None:
            vars(sys.modules[module]).pop(name, None)
        else:
            setattr(sys.modules[module], name, before[module])


def plain() -> None:
    """``dataclasses`` and ``collections`` as Python has them, calling its own functions."""
    for module, name in generated._USERS:
        vars(sys.modules[module]).pop(name, None)


def imported(folder: Path, text: str = MODULE) -> ModuleType:
    """``text`` imported as a module under a name not used before (a new import each time)."""
    name = f"kamdocs_generated_probe_{next(_names)}"
    (folder / f"{name}.py").write_text(text, encoding="utf-8")
    sys.path.insert(0, str(folder))
    try:
        importlib.invalidate_caches()
        return importlib.import_module(name)
    finally:
        sys.path.remove(str(folder))
        sys.modules.pop(name, None)


def entry_of(cache_base: Path) -> Path:
    """The entry (not the list beside it of what the last run compiled the first time)."""
    (entry,) = (p for p in (cache_base / "generated").iterdir() if p.suffix != ".new")
    return entry


def methods(module: ModuleType) -> dict[str, CodeType]:
    found = {}
    for cls in (module.Line, module.Batch, module.Point, module.Pair, module.Named):
        for name, value in vars(cls).items():
            # A named tuple's __new__ is a static method; a dataclass's __repr__ is wrapped.
            code = getattr(inspect.unwrap(getattr(value, "__func__", value)), "__code__", None)
            if code is not None and code.co_filename == "<string>":
                found[f"{cls.__name__}.{name}"] = code
    return found


def test_classes_made_from_kept_code_are_the_ones_python_makes(fresh, tmp_path: Path) -> None:
    first = fresh()
    assert first is not None
    imported(tmp_path)
    assert first.new >= 10  # Line: init, repr, eq, lt..ge, setattr, delattr, hash; ...

    again = fresh()  # the next run: the code is read from the entry
    kept = imported(tmp_path)
    assert again.new == 0
    plain()
    python_s = imported(tmp_path)
    assert methods(kept).keys() == methods(python_s).keys()
    assert len(methods(kept)) >= 15
    for name, code in methods(kept).items():
        # Code objects are equal when their instructions, constants, names and flags are.
        assert code == methods(python_s)[name], name

    line = kept.Line("Pallet racking", 3, ("steel",))
    assert line == kept.Line("Pallet racking", 3, ("steel",))
    assert line < kept.Line("Pallet racking", 4)
    assert repr(line) == "Line(description='Pallet racking', quantity=3, tags=('steel',))"
    assert hash(line) == hash(python_s.Line("Pallet racking", 3, ("steel",)))
    with pytest.raises(dataclasses.FrozenInstanceError):
        line.quantity = 5  # type: ignore[misc]
    one, two = kept.Batch("a"), kept.Batch("b")
    one.lines.append(line)
    assert two.lines == [] and repr(two) == "Batch(name='b', lines=[])"
    assert kept.Point(2) == (2, 0) and kept.Point(y=1, x=3)._asdict() == {"x": 3, "y": 1}
    assert kept.Pair(1, right=2) == (1, 2)
    with pytest.raises(TypeError):
        kept.Pair(1, 2, 3)
    for field in ("label", "parts"):
        annotation = kept.Named.__annotations__[field]
        assert annotation.__forward_code__ == python_s.Named.__annotations__[field].__forward_code__
    hints = typing.get_type_hints(kept.Named, globalns=vars(kept))
    assert hints == {"label": str, "parts": list[kept.Point]}


def test_compile_takes_what_python_s_own_takes(fresh, tmp_path: Path) -> None:
    assert fresh() is not None
    hooked = typing.compile  # type: ignore[attr-defined]
    assert isinstance(hooked("x + 1", "<string>", "eval", ast.PyCF_ONLY_AST), ast.Expression)
    assert eval(hooked("x + 1", "probe.py", "eval"), {"x": 1}) == 2
    assert hooked("x = 1", "<string>", "single").co_filename == "<string>"
    with pytest.raises(SyntaxError, match="Forward reference must be an expression"):
        typing.ForwardRef("1 +")
    # The caller's future flags unless told not to inherit them, as compile takes them.
    text = "def f(x: not_defined_anywhere): return x"
    exec(hooked(text, "<string>", "exec"), {})  # this module: annotations are not evaluated
    with pytest.raises(NameError):
        exec(hooked(text, "<string>", "exec", dont_inherit=True), {})
    with pytest.raises(NameError):
        exec(builtins.compile(text, "<string>", "exec", dont_inherit=True), {})
    module = imported(tmp_path, COMPILER)
    assert module.raised == {"<string>": True, "probe.py": True}
    assert isinstance(module.tree, ast.Expression)
    kept = fresh()  # what was kept while it was imported could be written, and read back
    assert kept.known and all(isinstance(code, CodeType) for code in kept.known.values())


@pytest.mark.parametrize("order", [(True, False), (False, True)])
def test_a_text_is_compiled_with_its_caller_s_flags(fresh, tmp_path: Path, order) -> None:
    """Without the future import, an annotation is evaluated when the function is defined (a
    NameError here), with it, not: the flags are the caller's, not kamdocs.generated's own, and
    the same text compiled with other flags is other code, in either order."""
    for _ in range(2):  # compiled and kept, then from the entry
        assert fresh() is not None
        for future in order:
            text = CALLER.format(future="from __future__ import annotations" if future else "")
            if future:
                assert imported(tmp_path, text).namespace["f"](7) == 7
            else:
                with pytest.raises(NameError, match="not_defined_anywhere"):
                    imported(tmp_path, text)
    # Python's own exec decides the same.
    plain()
    imported(tmp_path, CALLER.format(future="from __future__ import annotations"))
    with pytest.raises(NameError):
        imported(tmp_path, CALLER.format(future=""))


def test_eval_and_exec_take_what_python_s_own_take(fresh) -> None:
    hooked = fresh()
    assert hooked is not None
    assert collections.eval("  \t6 * 7") == builtins.eval("  \t6 * 7") == 42  # type: ignore[attr-defined]
    assert collections.eval(b" 6 * 7") == builtins.eval(b" 6 * 7") == 42  # type: ignore[attr-defined]
    code = compile("result = 2 ** 10", "<probe>", "exec")
    namespace: dict = {}
    dataclasses.exec(code, namespace)  # type: ignore[attr-defined]  # code passes through
    assert namespace["result"] == 1024
    assert collections.eval("a + b", {"a": 1}, {"b": 2}) == 3  # type: ignore[attr-defined]
    with pytest.raises(SyntaxError):
        dataclasses.exec("def (", {})  # type: ignore[attr-defined]


def test_a_text_compiled_after_the_imports_is_not_kept(fresh, tmp_path, cache_base) -> None:
    first = fresh()
    module = imported(tmp_path)
    made = module.later("birthday_of_the_client")  # a field named after data, say
    assert made(birthday_of_the_client=1).birthday_of_the_client == 1
    assert not any("birthday" in key[2] for key in first.known)
    fresh()  # writes the entry
    assert b"birthday" not in entry_of(cache_base).read_bytes()


def _damaged_entries() -> list[bytes]:
    code = compile("x = 1", "<string>", "exec")
    return [
        b"",
        b"not marshal",
        marshal.dumps([1, 2]),
        marshal.dumps({"a": code}),
        marshal.dumps({("exec", 0, "x = 1"): "not code"}),
        marshal.dumps({("run", 0, "x = 1"): code}),
        marshal.dumps({("exec", "0", "x = 1"): code}),
    ]


@pytest.mark.parametrize("damage", _damaged_entries())
def test_a_damaged_entry_is_only_a_miss(fresh, tmp_path, cache_base, damage: bytes) -> None:
    fresh()
    imported(tmp_path)
    fresh()
    entry = entry_of(cache_base)
    entry.write_bytes(damage)
    again = fresh()
    assert again is not None and again.known == {}
    module = imported(tmp_path)  # no error: each is compiled as Python does
    assert module.Line("a") < module.Line("b")
    assert again.new >= 10  # and kept again


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
    assert "exec" not in vars(dataclasses) and "eval" not in vars(collections)


def test_installed_once(fresh) -> None:
    first = fresh()
    generated.install()  # a second command in the same process (CliRunner)
    assert getattr(vars(dataclasses)["exec"], "__self__", None) is first


def test_the_entry_is_bounded(fresh, tmp_path, cache_base, monkeypatch) -> None:
    monkeypatch.setattr(generated, "KEPT_AT_MOST", 2)
    for run in range(4):  # each run compiles the texts it does not have, two at the most
        hooked = fresh()  # and the run before written
        if run:
            assert len(marshal.loads(entry_of(cache_base).read_bytes())) <= 2
        module = imported(tmp_path)
        assert 0 < hooked.new <= 2
        assert module.Line("a", 2) < module.Line("a", 3)


def test_a_render_with_kept_code_writes_the_same_bytes(ws: Path, tmp_path: Path) -> None:
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
    assert len(kept) > 50  # kamdocs' dataclasses, the libraries' named tuples
    assert {mode for mode, _, _ in kept} == {"exec", "eval"}
    assert render(cache, "c") == without  # makes them from the entry
