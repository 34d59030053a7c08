"""kamdocs benchmark: throughput, latency and memory, side by side with the tools on this machine.

    make bench                       # = .venv/bin/python bench/run.py (N=1000, big N=5000)
    .venv/bin/python bench/run.py --quick          # small smoke run (< 60 s)
    .venv/bin/python bench/run.py --n 1000 --big 0 --repeat 5 --out /tmp/r.json

Prints one table (figure, target, PASS/MISS) and writes every number to bench/results.json.
How to read it: bench/README.md.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from importlib import metadata
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(HERE))

import compare  # noqa: E402
import gen  # noqa: E402
import pdf as pdf_bench  # noqa: E402
import serve as serve_bench  # noqa: E402

DATE = "2026-11-26"
EDITED_RUNS = 3  # builds into the same folder with one dossier edited (the median is judged)
# Seconds after its last change a file must be read for a build's record of it to be trusted
# (kamdocs/output.py, RACY), and a little more.
RACY = 2.1
MB = 1024 * 1024

TARGETS = {  # name: (operator, value, unit)
    "docs_per_s_all": (">=", 150, "docs/s"),
    "docs_per_s_md": (">=", 250, "docs/s"),
    "x_vs_pandoc": (">=", 10, "x"),
    "x_vs_pandoc_cpu": (">=", 15, "x"),
    "x_vs_docxtpl": (">=", 4, "x"),
    "peak_mb": ("<", 250, "MB"),
    "peak_tree_mb": ("<", 250, "MB"),
    "peak_growth": ("<=", 1.15, "x"),
    "render_docx_ms": ("<=", 250, "ms"),
    "help_ms": ("<", 150, "ms"),
    "rebuild_one_edited_s": ("<=", 0.5, "s"),
    "x_vs_soffice_pdf": (">=", 4, "x"),
    "serve_ms": ("<=", 500, "ms"),
}

# Runs a command in a fresh process and reports its wall time, the peak RSS of the largest
# process of its tree (getrusage of the waited-for children: the command and every child it
# waited for, such as a process pool's workers) and, sampled from /proc, the peak of the SUM
# of RSS and PSS over the whole process tree. Its own memory is not part of either.
WRAPPER = r"""
import json, os, resource, subprocess, sys, threading, time
argv, interval = json.loads(sys.argv[1]), float(sys.argv[2])

def children(pid):
    found = []
    try:
        for tid in os.listdir(f"/proc/{pid}/task"):
            with open(f"/proc/{pid}/task/{tid}/children") as fh:
                found.extend(int(x) for x in fh.read().split())
    except OSError:
        pass
    return found

def memory(pid):
    rss = pss = 0
    try:
        with open(f"/proc/{pid}/smaps_rollup") as fh:
            for line in fh:
                if line.startswith("Rss:"):
                    rss = int(line.split()[1])
                elif line.startswith("Pss:"):
                    pss = int(line.split()[1])
                    break
    except OSError:
        try:
            with open(f"/proc/{pid}/status") as fh:
                for line in fh:
                    if line.startswith("VmRSS:"):
                        rss = pss = int(line.split()[1])
        except OSError:
            pass
    return rss, pss

peak = {"rss": 0, "pss": 0, "procs": 0, "samples": 0}
stop = threading.Event()

def sample(root):
    while not stop.wait(interval):
        todo, pids = [root], []
        while todo:
            pid = todo.pop()
            pids.append(pid)
            todo.extend(children(pid))
        rss = pss = 0
        for pid in pids:
            r, p = memory(pid)
            rss, pss = rss + r, pss + p
        peak["rss"], peak["pss"] = max(peak["rss"], rss), max(peak["pss"], pss)
        peak["procs"] = max(peak["procs"], len(pids))
        peak["samples"] += 1

t0 = time.perf_counter()
proc = subprocess.Popen(argv, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
thread = threading.Thread(target=sample, args=(proc.pid,), daemon=True)
thread.start()
_, err = proc.communicate()
wall = time.perf_counter() - t0
stop.set()
thread.join()
ru = resource.getrusage(resource.RUSAGE_CHILDREN)
print(json.dumps({
    "rc": proc.returncode, "wall_s": wall, "cpu_s": ru.ru_utime + ru.ru_stime,
    "maxrss_kb": ru.ru_maxrss, "tree_rss_kb": peak["rss"], "tree_pss_kb": peak["pss"],
    "max_procs": peak["procs"], "samples": peak["samples"],
    "stderr": err.decode("utf-8", "replace")[-3000:],
}))
"""


class BenchError(Exception):
    pass


def log(msg: str) -> None:
    print(f"[bench {time.strftime('%H:%M:%S')}] {msg}", file=sys.stderr, flush=True)


def kamdocs_exe() -> str:
    for candidate in (Path(sys.executable).parent / "kamdocs", ROOT / ".venv" / "bin" / "kamdocs"):
        if candidate.is_file():
            return str(candidate)
    found = shutil.which("kamdocs")
    if not found:
        raise BenchError("kamdocs is not installed: run `make bench` (it installs the venv)")
    return found


# The environment of every kamdocs process the harness starts (set up in main): Python may
# write and read bytecode caches, in a folder of the harness's own (PYTHONPYCACHEPREFIX), so
# that a fresh process costs what it costs for an installed kamdocs, even where the shell sets
# PYTHONDONTWRITEBYTECODE, and nothing is written into the source tree.
ENV: dict[str, str] = dict(os.environ)
CLK = os.sysconf("SC_CLK_TCK") if hasattr(os, "sysconf") else 100


def _busy_s() -> float:
    """CPU seconds the whole machine has spent busy (all cores), from /proc/stat."""
    try:
        with open("/proc/stat") as fh:
            v = [int(x) for x in fh.readline().split()[1:9]]
    except (OSError, ValueError):
        return 0.0
    return (sum(v) - v[3] - v[4]) / CLK  # minus idle and iowait


def _own_s() -> float:
    """CPU seconds of this process and every child it has waited for."""
    me = resource.getrusage(resource.RUSAGE_SELF)
    kids = resource.getrusage(resource.RUSAGE_CHILDREN)
    return me.ru_utime + me.ru_stime + kids.ru_utime + kids.ru_stime


class Background:
    """How many cores OTHER processes kept busy while a measurement ran (noise indicator)."""

    def __enter__(self) -> Background:
        self.t, self.busy, self.own = time.perf_counter(), _busy_s(), _own_s()
        self.cores = 0.0
        return self

    def __exit__(self, *exc: object) -> None:
        wall = max(time.perf_counter() - self.t, 1e-9)
        other = (_busy_s() - self.busy) - (_own_s() - self.own)
        self.cores = max(0.0, other / wall)


def measure(argv: list[str], cwd: Path, interval: float = 0.05) -> dict:
    """Run ``argv`` in a fresh wrapper process; its wall time and memory (see WRAPPER)."""
    with Background() as bg:
        done = subprocess.run(
            [sys.executable, "-c", WRAPPER, json.dumps(argv), str(interval)],
            cwd=cwd,
            capture_output=True,
            text=True,
            check=True,
            env=ENV,
        )
    found = json.loads(done.stdout)
    found["background_cores"] = bg.cores
    return found


def summary(values: list[float]) -> dict:
    return {
        "runs": len(values),
        "best": min(values),
        "median": statistics.median(values),
        "mean": statistics.fmean(values),
        "all": values,
    }


# Nothing a measurement writes is removed before the last one ends (the harness's temporary
# folder goes at the end). ext4 without a journal (this machine's root file system, as on many
# virtual machines) does not hand out again an inode freed less than 5 s ago, or 305 s while
# its block of the inode table has changes not yet on disk, which creating files there makes;
# it steps over every such inode, one by one, each time it creates a file. A build of 3,000
# files into a folder just emptied of 3,000 spent 1.5-4.3 s more in the kernel (the batch's own
# process) than one into a new folder, and up to 30% more wall time, with or without ``sync`` and
# a pause (bench/README, "Files just removed"). Every build is timed into an empty new folder,
# as after a fresh checkout, not charged with the harness's own clean-up.


# --- 1. builds ---------------------------------------------------------------------------------


def time_build(
    exe: str, ws: Path, n: int, formats: str, repeat: int, budget_s: float, keep: bool = False
) -> dict:
    """``kamdocs build -f FORMATS`` up to ``repeat`` times (fewer once ``budget_s`` is spent),
    each run into a new folder of its own (see above); ``keep``: the last one's path is in the
    result."""
    runs = []
    tag = formats.replace(",", "-")
    for k in range(repeat):
        out = ws / f"out-{tag}-{k + 1}"
        r = measure([exe, "build", "-f", formats, "-o", str(out), "--date", DATE], ws)
        if r["rc"] != 0:
            raise BenchError(f"kamdocs build -f {formats} failed (exit {r['rc']}):\n{r['stderr']}")
        expected = n * len(formats.split(",")) + 1
        written = sum(1 for p in out.iterdir() if not p.name.startswith("."))
        if written != expected:
            raise BenchError(f"kamdocs build -f {formats} wrote {written} files, not {expected}")
        runs.append(r)
        log(
            f"build -f {formats} ({n} dossiers) run {k + 1}: {r['wall_s']:.2f} s, "
            f"{n / r['wall_s']:.0f} docs/s, max RSS {r['maxrss_kb'] / 1024:.0f} MB, "
            f"other processes {r['background_cores']:.2f} cores"
        )
        if sum(x["wall_s"] for x in runs) >= budget_s:
            break
    walls = [r["wall_s"] for r in runs]
    wall = summary(walls)
    return {
        "formats": formats,
        "n": n,
        "wall_s": wall,
        "docs_per_s": {"best": n / wall["best"], "median": n / wall["median"]},
        "ms_per_doc": {"best": 1000 * wall["best"] / n, "median": 1000 * wall["median"] / n},
        "cpu_s": statistics.median(r["cpu_s"] for r in runs),
        "cores_used": statistics.median(r["cpu_s"] / r["wall_s"] for r in runs),
        "peak_rss_mb": max(r["maxrss_kb"] for r in runs) / 1024,
        "peak_tree_rss_mb": max(r["tree_rss_kb"] for r in runs) / 1024,
        "peak_tree_pss_mb": max(r["tree_pss_kb"] for r in runs) / 1024,
        "max_processes": max(r["max_procs"] for r in runs),
        "background_cores": max(r["background_cores"] for r in runs),
        "out": str(out) if keep else None,
    }


def time_rebuild(exe: str, ws: Path, n: int) -> dict:
    """A second ``kamdocs build -f md,docx,html`` into the same folder: with nothing changed,
    and with one dossier edited. Neither renders what is up to date (README, "Builds render
    what changed"); the headline figures above are all builds into an empty folder."""
    out = ws / "out-rebuild"
    shutil.rmtree(out, ignore_errors=True)
    argv = [exe, "build", "-f", "md,docx,html", "-o", str(out), "--date", DATE]
    first = measure(argv, ws)
    if first["rc"] != 0:
        raise BenchError(f"kamdocs build failed (exit {first['rc']}):\n{first['stderr']}")
    manifest = (out / "manifest.json").read_bytes()
    # A build trusts what an earlier one recorded of a file only when the file last changed
    # more than RACY seconds before that reading (README, "Builds render what changed"); an
    # account manager's next build comes at least that long after the last one.
    time.sleep(RACY)
    same = measure(argv, ws)  # reads every dossier and output, and records them
    if same["rc"] != 0 or (out / "manifest.json").read_bytes() != manifest:
        raise BenchError(
            f"a build with nothing changed did not give the same manifest:\n{same['stderr']}"
        )
    again = measure(argv, ws)  # reads none of them
    edited = ws / "dossiers" / "bench-0001.yaml"
    original = edited.read_bytes()
    runs = []
    try:
        for i in range(EDITED_RUNS):  # a different edit each time: one proposal rendered
            edited.write_bytes(original + f"# edited {i}\n".encode())
            one = measure(argv, ws)
            if one["rc"] != 0:
                raise BenchError(f"a build with one dossier edited failed:\n{one['stderr']}")
            runs.append(one["wall_s"])
    finally:
        edited.write_bytes(original)
    one = {"wall_s": statistics.median(runs)}
    log(
        f"build into the same folder ({n} dossiers): nothing changed {same['wall_s']:.2f} s "
        f"(again {again['wall_s']:.2f} s), one dossier edited {one['wall_s']:.2f} s (into an "
        f"empty folder {first['wall_s']:.2f} s)"
    )
    return {
        "n": n,
        "empty_folder_s": first["wall_s"],
        "unchanged_s": same["wall_s"],
        "unchanged_again_s": again["wall_s"],
        "one_edited_s": one["wall_s"],
        "edited_runs": len(runs),
        "one_edited_all_s": runs,
    }


# --- 2. single commands ------------------------------------------------------------------------


def time_command(argv: list[str], cwd: Path, runs: int, env: dict | None = None) -> dict:
    """Wall time of ``argv`` in a fresh process, ``runs`` times after one warm-up run."""
    env = env or ENV
    subprocess.run(argv, cwd=cwd, check=True, capture_output=True, env=env)
    walls = []
    with Background() as bg:
        for _ in range(runs):
            t0 = time.perf_counter()
            subprocess.run(argv, cwd=cwd, check=True, capture_output=True, env=env)
            walls.append(time.perf_counter() - t0)
    s = summary([w * 1000 for w in walls])
    s["background_cores"] = bg.cores
    s["argv"] = " ".join(Path(argv[0]).name if i == 0 else a for i, a in enumerate(argv))
    return s


# --- 3. comparisons ----------------------------------------------------------------------------


def warm_up(exe: str, ws: Path) -> None:
    """One render in ``ws`` before its timed builds: compiles every module's bytecode and fills
    the user's cache folder for this workspace (compiled templates, the validated library, the
    parsed reference.docx), as any earlier command in it would, so the first timed run is not
    the only one that builds them."""
    one = ws / "dossiers" / "bench-0001.yaml"
    subprocess.run(
        [exe, "render", str(one), "-f", "md,docx,html", "-o", str(ws / "warm"), "--date", DATE],
        cwd=ws,
        check=True,
        capture_output=True,
        env=ENV,
    )
    shutil.rmtree(ws / "warm", ignore_errors=True)


def pick_sample(md_out: Path, ws: Path, k: int, warm: int) -> tuple[list, list]:
    """``k`` (dossier, Markdown) pairs spread evenly over the build (en and bg alike), and
    ``warm`` other pairs to warm caches with before timing."""
    manifest = json.loads((md_out / "manifest.json").read_text(encoding="utf-8"))
    pairs = sorted(
        (o["dossier"], o["path"]) for o in manifest["outputs"] if o["path"].endswith(".md")
    )
    step = max(1, len(pairs) // k)
    chosen = pairs[::step][:k]
    others = [p for p in pairs if p not in chosen][:warm]

    def resolve(items: list) -> list[tuple[Path, Path]]:
        return [((ws / d) if not Path(d).is_absolute() else Path(d), md_out / p) for d, p in items]

    return resolve(chosen), resolve(others)


def per_doc(times: list[float]) -> dict:
    ms = [t * 1000 for t in times]
    return {
        "docs": len(ms),
        "ms_per_doc": statistics.fmean(ms),
        "median_ms": statistics.median(ms),
        "min_ms": min(ms),
        "max_ms": max(ms),
    }


def in_process(tool: str, ws: Path, sample: list, warm: list, passes: int) -> dict:
    """One in-process measurement, in a fresh process (bench/inproc.py)."""

    def pairs(items: list) -> list[str]:
        return [f"{d}::{md}" for d, md in items]

    argv = [
        sys.executable,
        str(HERE / "inproc.py"),
        tool,
        str(ws),
        "--passes",
        str(passes),
        "--sample",
        *pairs(sample),
    ]
    if warm:
        argv += ["--warm", *pairs(warm)]
    with Background() as bg:
        done = subprocess.run(argv, capture_output=True, text=True, env=ENV)
    if done.returncode != 0:
        return {"skipped": f"failed (exit {done.returncode}): {done.stderr.strip()[-500:]}"}
    found = json.loads(done.stdout)
    if "seconds" not in found:
        return found
    result = per_doc(found.pop("seconds"))
    result.update(found)
    result["background_cores"] = bg.cores
    return result


IN_PROCESS = (  # (result key, inproc.py tool)
    ("docx", "kamdocs:docx"),
    ("md", "kamdocs:md"),
    ("html", "kamdocs:html"),
    ("md+docx+html", "kamdocs:md,docx,html"),
    ("md_to_docx_stage", "kamdocs:stage"),
    ("load_validate", "kamdocs:load"),
)


def comparisons(
    ws: Path, sample: list[tuple[Path, Path]], warm: list[tuple[Path, Path]], passes: int
) -> dict:
    texts = [md.read_text(encoding="utf-8") for _, md in sample]
    found: dict = {
        "sample_docs": len(sample),
        "sample_md_kb_median": statistics.median(len(t.encode()) for t in texts) / 1024,
        "warm_docs": len(warm),
        "kamdocs": {},
    }
    for key, tool in IN_PROCESS:
        log(f"in-process {tool}, {len(sample)} sampled documents (fresh process)")
        found["kamdocs"][key] = in_process(tool, ws, sample, warm, 1)

    exe = compare.pandoc_path()
    if exe:
        work = Path(tempfile.mkdtemp(prefix="pandoc-", dir=ws))
        log(f"pandoc, one process per document, {len(sample)} documents")
        with Background() as bg:
            cpu: list[float] = []
            times = compare.time_pandoc(
                exe, [md for _, md in sample], ws / "templates" / "reference.docx", work, cpu
            )
        found["pandoc"] = per_doc(times)
        found["pandoc"]["cpu_ms_per_doc"] = statistics.fmean(cpu) * 1000
        found["pandoc"]["background_cores"] = bg.cores
        found["pandoc"]["version"] = compare.pandoc_version(exe)
        shutil.rmtree(work, ignore_errors=True)
    else:
        found["pandoc"] = {"skipped": "pandoc is not on PATH (apt-get install -y pandoc)"}

    for name in ("python-docx", "docxtpl"):
        log(f"{name}, in-process, {len(sample)} documents, best of {passes} passes")
        found[name] = in_process(name, ws, sample, warm[:3], passes)
        if "ms_per_doc" in found[name]:
            found[name]["version"] = _version(name)
    return found


def _version(dist: str) -> str | None:
    try:
        return metadata.version(dist)
    except metadata.PackageNotFoundError:
        return None


# --- 4. report -----------------------------------------------------------------------------------


def verdict(name: str, value: float | None) -> dict:
    op, target, unit = TARGETS[name]
    if value is None:
        ok = None
    else:
        ok = {">=": value >= target, "<": value < target, "<=": value <= target}[op]
    return {"value": value, "target": f"{op} {target} {unit}", "pass": ok}


def ratio(slow: dict, fast: dict) -> float | None:
    if "ms_per_doc" not in slow or "ms_per_doc" not in fast or not fast["ms_per_doc"]:
        return None
    return slow["ms_per_doc"] / fast["ms_per_doc"]


def evaluate(res: dict) -> dict:
    b, cmp_, lat = res["build"], res.get("compare", {}), res["latency"]
    docx_cli = {"ms_per_doc": b["docx"]["ms_per_doc"]["median"]}
    kam = cmp_.get("kamdocs", {})
    pandoc_cpu = cmp_.get("pandoc", {}).get("cpu_ms_per_doc")
    docx_cpu = b["docx"]["cpu_s"] * 1000 / b["n"] if "cpu_s" in b["docx"] else None
    ratios = {
        "pandoc_vs_kamdocs_build_docx": ratio(cmp_.get("pandoc", {}), docx_cli),
        "pandoc_vs_kamdocs_build_docx_cpu": (
            pandoc_cpu / docx_cpu if pandoc_cpu is not None and docx_cpu else None
        ),
        "pandoc_vs_kamdocs_in_process_docx": ratio(cmp_.get("pandoc", {}), kam.get("docx", {})),
        "docxtpl_vs_kamdocs_in_process_docx": ratio(cmp_.get("docxtpl", {}), kam.get("docx", {})),
        "python_docx_vs_kamdocs_in_process_docx": ratio(
            cmp_.get("python-docx", {}), kam.get("docx", {})
        ),
        "python_docx_vs_kamdocs_md_to_docx_stage": ratio(
            cmp_.get("python-docx", {}), kam.get("md_to_docx_stage", {})
        ),
        "docxtpl_vs_kamdocs_md_to_docx_stage": ratio(
            cmp_.get("docxtpl", {}), kam.get("md_to_docx_stage", {})
        ),
    }
    big = res.get("big")
    growth = tree_growth = None
    if big:
        growth = big["peak_rss_mb"] / b["all"]["peak_rss_mb"]
        tree_growth = big["peak_tree_pss_mb"] / max(b["all"]["peak_tree_pss_mb"], 1e-9)
    res["ratios"] = ratios
    res["memory_growth"] = {"largest_process": growth, "tree_pss": tree_growth}
    res["targets"] = {
        "docs_per_s_all": verdict("docs_per_s_all", b["all"]["docs_per_s"]["median"]),
        "docs_per_s_md": verdict("docs_per_s_md", b["md"]["docs_per_s"]["median"]),
        "x_vs_pandoc": verdict("x_vs_pandoc", ratios["pandoc_vs_kamdocs_build_docx"]),
        "x_vs_pandoc_cpu": verdict("x_vs_pandoc_cpu", ratios["pandoc_vs_kamdocs_build_docx_cpu"]),
        "rebuild_one_edited_s": verdict(
            "rebuild_one_edited_s", b.get("rebuild", {}).get("one_edited_s")
        ),
        "serve_ms": verdict("serve_ms", res.get("serve", {}).get("ms")),
        "x_vs_docxtpl": verdict("x_vs_docxtpl", ratios["docxtpl_vs_kamdocs_in_process_docx"]),
        "peak_mb": verdict("peak_mb", b["all"]["peak_rss_mb"]),
        "peak_tree_mb": verdict("peak_tree_mb", b["all"]["peak_tree_pss_mb"]),
        "peak_growth": verdict(
            "peak_growth", max(filter(None, (growth, tree_growth)), default=None)
        ),
        "render_docx_ms": verdict("render_docx_ms", lat["render_docx"]["median"]),
        "help_ms": verdict("help_ms", lat["help"]["median"]),
        "x_vs_soffice_pdf": verdict(
            "x_vs_soffice_pdf", res.get("pdf", {}).get("x_vs_soffice_one_by_one")
        ),
    }
    return res


def fmt(value: float | None, digits: int = 1) -> str:
    if value is None:
        return "n/a"
    return f"{value:,.{digits}f}"


def status(v: dict) -> str:
    return {True: "PASS", False: "MISS", None: "—"}[v["pass"]]


def report(res: dict) -> str:
    b, t, cmp_ = res["build"], res["targets"], res.get("compare", {})
    n = b["n"]
    m = res["machine"]
    lines = [
        f"kamdocs benchmark — {res['date']} — {m['nproc']} cores, Python {m['python']}, "
        f"{m['platform']}",
        "",
    ]
    rows: list[tuple[str, str, str, str]] = []

    def row(label: str, value: str, key: str | None = None, state: str | None = None) -> None:
        """A figure; with ``key``, beside that target and its verdict (``state`` when given)."""
        target = t[key]["target"] if key else ""
        if state is None:
            state = status(t[key]) if key else ""
        rows.append((label, value, target, state))

    def section(title: str) -> None:
        rows.append((title, "", "", ""))

    section(f"kamdocs build, {n} dossiers (median of runs; best in brackets)")
    for key, label, tk in (
        ("all", "md+docx+html", "docs_per_s_all"),
        ("md", "md only", "docs_per_s_md"),
        ("docx", "docx only", None),
        ("html", "html only", None),
    ):
        r = b[key]
        value = (
            f"{fmt(r['docs_per_s']['median'], 0)} docs/s ({fmt(r['docs_per_s']['best'], 0)}), "
            f"{fmt(r['ms_per_doc']['median'], 2)} ms/doc, {r['wall_s']['runs']} run(s), "
            f"{fmt(r['cores_used'], 2)} cores"
        )
        row(f"  {label}", value, tk)
    if "rebuild" in b:
        rb = b["rebuild"]
        row("  again into the same folder, nothing changed", f"{fmt(rb['unchanged_s'], 2)} s")
        if "unchanged_again_s" in rb:
            row("  the same once more (files recorded)", f"{fmt(rb['unchanged_again_s'], 2)} s")
        row(
            f"  again, one dossier edited (median of {rb.get('edited_runs', 1)})",
            f"{fmt(rb['one_edited_s'], 2)} s",
            "rebuild_one_edited_s",
        )
    else:
        row("  again, one dossier edited", "not measured", "rebuild_one_edited_s", state="—")
    section("memory (kamdocs build -f md,docx,html)")
    a = b["all"]
    row(
        f"  largest process, N={n}",
        f"{fmt(a['peak_rss_mb'])} MB",
        "peak_mb",
    )
    row(
        f"  whole tree (PSS sum), N={n}",
        f"{fmt(a['peak_tree_pss_mb'])} MB "
        f"(RSS sum {fmt(a['peak_tree_rss_mb'])}, {a['max_processes']} proc)",
        "peak_tree_mb",
    )
    big = res.get("big")
    if big:
        row(
            f"  largest process, N={big['n']}",
            f"{fmt(big['peak_rss_mb'])} MB ({fmt(big['docs_per_s']['median'], 0)} docs/s)",
        )
        row(f"  whole tree (PSS sum), N={big['n']}", f"{fmt(big['peak_tree_pss_mb'])} MB")
        g = res["memory_growth"]
        row(
            f"  growth N={n} -> {big['n']}",
            f"{fmt(g['largest_process'], 2)}x largest process, {fmt(g['tree_pss'], 2)}x tree",
            "peak_growth",
        )
    else:
        row("  flat as N grows", "not measured (--big 0)", "peak_growth", state="—")
    section("single commands, fresh process (median; best in brackets)")
    lat = res["latency"]
    row(
        "  kamdocs --help",
        f"{fmt(lat['help']['median'], 0)} ms ({fmt(lat['help']['best'], 0)})",
        "help_ms",
    )
    row(
        "  kamdocs render one.yaml -f docx",
        f"{fmt(lat['render_docx']['median'], 0)} ms ({fmt(lat['render_docx']['best'], 0)})",
        "render_docx_ms",
    )
    cold = lat.get("render_docx_no_bytecode_cache")
    if cold:
        row(
            "    same, PYTHONDONTWRITEBYTECODE=1 (no .pyc)",
            f"{fmt(cold['median'], 0)} ms ({fmt(cold['best'], 0)})",
        )
    served = res.get("serve", {})
    if served.get("ms") is not None:
        shown = (
            f"{fmt(served['ms'], 0)} ms (rebuilt {fmt(served['rebuilt_ms'], 0)}, best "
            f"{fmt(served['rebuilt_best_ms'], 0)}, + the page's {served['page_poll_ms']} ms)"
        )
    else:
        shown = served.get("skipped", "not measured")
    row(
        "  kamdocs serve: a saved library text shown",
        shown,
        "serve_ms",
    )
    pdf = res.get("pdf", {})
    section(f"PDF per document, {pdf.get('docs', 0)} dossiers (kamdocs build -f docx,pdf)")
    if "kamdocs_s_per_pdf" in pdf:
        row(
            "  kamdocs, a list of files per LibreOffice start",
            f"{fmt(pdf['kamdocs_s_per_pdf'] * 1000, 0)} ms/doc",
        )
        row(
            "  soffice --convert-to pdf, one start per file",
            f"{fmt(pdf['soffice_one_by_one_s_per_pdf'] * 1000, 0)} ms/doc",
        )
        row(
            "  soffice one by one / kamdocs",
            f"{fmt(pdf['x_vs_soffice_one_by_one'])}x",
            "x_vs_soffice_pdf",
        )
    else:
        row(
            "  kamdocs against soffice",
            pdf.get("skipped", "not measured (--pdf 0)"),
            "x_vs_soffice_pdf",
            state="—",
        )
    if cmp_:
        section(
            f"per document, DOCX from the same Markdown, {cmp_['sample_docs']} sampled docs "
            f"(median md {fmt(cmp_['sample_md_kb_median'])} KB)"
        )
        kam = cmp_["kamdocs"]
        row(
            "  kamdocs build -f docx (CLI, per doc)",
            f"{fmt(b['docx']['ms_per_doc']['median'], 2)} ms",
        )
        for key, label in (
            ("docx", "kamdocs in-process, docx"),
            ("md", "kamdocs in-process, md"),
            ("html", "kamdocs in-process, html"),
            ("md+docx+html", "kamdocs in-process, all three"),
            ("md_to_docx_stage", "kamdocs Markdown->DOCX stage only"),
            ("load_validate", "kamdocs load+validate (in-process)"),
        ):
            r = kam.get(key, {})
            row(
                f"  {label}",
                f"{fmt(r['ms_per_doc'], 2)} ms" if "ms_per_doc" in r else r.get("skipped", "n/a"),
            )
        for key, label in (
            ("pandoc", "pandoc --reference-doc (1 process/doc)"),
            ("python-docx", "plain python-docx (in-process)"),
            ("docxtpl", "docxtpl (in-process)"),
        ):
            r = cmp_.get(key, {})
            row(
                f"  {label}",
                f"{fmt(r['ms_per_doc'], 2)} ms ({r['docs']} docs)"
                if "ms_per_doc" in r
                else "skipped: " + r.get("skipped", "?"),
            )
        section("ratios (how many times faster kamdocs is)")
        ra = res["ratios"]
        row(
            "  pandoc / kamdocs build -f docx",
            f"{fmt(ra['pandoc_vs_kamdocs_build_docx'])}x",
            "x_vs_pandoc",
        )
        row(
            "  pandoc / kamdocs build -f docx, by CPU time",
            f"{fmt(ra['pandoc_vs_kamdocs_build_docx_cpu'])}x",
            "x_vs_pandoc_cpu",
        )
        row(
            "  pandoc / kamdocs in-process docx", f"{fmt(ra['pandoc_vs_kamdocs_in_process_docx'])}x"
        )
        row(
            "  docxtpl / kamdocs in-process docx",
            f"{fmt(ra['docxtpl_vs_kamdocs_in_process_docx'])}x",
            "x_vs_docxtpl",
        )
        row(
            "  docxtpl / kamdocs md->docx stage",
            f"{fmt(ra['docxtpl_vs_kamdocs_md_to_docx_stage'])}x",
        )
        row(
            "  python-docx / kamdocs in-process docx",
            f"{fmt(ra['python_docx_vs_kamdocs_in_process_docx'])}x",
        )
        row(
            "  python-docx / kamdocs md->docx stage",
            f"{fmt(ra['python_docx_vs_kamdocs_md_to_docx_stage'])}x",
        )
    w0 = max(len(r[0]) for r in rows if r[1])
    w1 = max(len(r[1]) for r in rows)
    w2 = max(len(r[2]) for r in rows)
    for label, value, target, state in rows:
        if not value:
            lines.append(label)
        else:
            lines.append(f"{label:<{w0}}  {value:<{w1}}  {target:<{w2}}  {state}".rstrip())
    noisy = _noisy(res)
    if noisy:
        lines += [
            "",
            f"WARNING: other processes kept up to {max(noisy.values()):.2f} cores busy "
            f"during: {', '.join(noisy)}. Those figures are pessimistic; re-run on an "
            "idle machine (see background_cores in the JSON).",
        ]
    misses = [k for k, v in t.items() if v["pass"] is False]
    lines += [
        "",
        f"targets: {sum(1 for v in t.values() if v['pass'])} PASS, {len(misses)} MISS"
        + (f" ({', '.join(misses)})" if misses else "")
        + f"; harness took {res['harness_s']:.0f} s",
    ]
    return "\n".join(lines)


NOISE_CORES = 0.25


def _noisy(res: dict) -> dict[str, float]:
    """Measurements during which other processes used more than NOISE_CORES cores."""
    found: dict[str, float] = {}
    for key in ("all", "md", "docx", "html"):
        found[f"build -f {key}"] = res["build"][key]["background_cores"]
    if res.get("big"):
        found["big build"] = res["big"]["background_cores"]
    for key, value in res["latency"].items():
        found[key] = value["background_cores"]
    for key, value in res.get("compare", {}).items():
        if isinstance(value, dict) and "background_cores" in value:
            found[key] = value["background_cores"]
        elif key == "kamdocs":
            for sub, v in value.items():
                if "background_cores" in v:
                    found[f"kamdocs {sub}"] = v["background_cores"]
    return {k: v for k, v in found.items() if v > NOISE_CORES}


def machine() -> dict:
    try:
        affinity = len(os.sched_getaffinity(0))
    except AttributeError:
        affinity = os.cpu_count()
    mem = None
    try:
        with open("/proc/meminfo") as fh:
            mem = int(fh.readline().split()[1]) // 1024
    except OSError:
        pass
    return {
        "nproc": affinity,
        "cpu_count": os.cpu_count(),
        "python": platform.python_version(),
        "implementation": platform.python_implementation(),
        "platform": platform.platform(),
        "machine": platform.machine(),
        "processor": _cpu_model(),
        "mem_total_mb": mem,
    }


def _cpu_model() -> str | None:
    try:
        with open("/proc/cpuinfo") as fh:
            for line in fh:
                if line.startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or None


# --- main ----------------------------------------------------------------------------------------


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description="kamdocs benchmark (see bench/README.md)")
    ap.add_argument("--n", type=int, default=None, help="dossiers in the main build (default 1000)")
    ap.add_argument(
        "--big",
        type=int,
        default=None,
        help="dossiers in the memory-growth build (default 5000; 0 skips it)",
    )
    ap.add_argument("--repeat", type=int, default=None, help="runs per build (default 3)")
    ap.add_argument(
        "--budget",
        type=float,
        default=None,
        help="seconds per build measurement after which no further run starts "
        "(default 75; at least one run always happens)",
    )
    ap.add_argument(
        "--sample",
        type=int,
        default=None,
        help="documents in the side-by-side comparisons (default 30)",
    )
    ap.add_argument(
        "--latency-runs", type=int, default=None, help="runs per single command (default 10)"
    )
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument(
        "--quick",
        action="store_true",
        help="small smoke run (N=24, big 48, 1 run, 4 sampled docs); < 60 s",
    )
    ap.add_argument("--no-compare", action="store_true", help="skip pandoc/python-docx/docxtpl")
    ap.add_argument(
        "--keep",
        type=Path,
        default=None,
        help="generate the workspaces here and keep them (default: a temp folder)",
    )
    ap.add_argument(
        "--out",
        type=Path,
        default=None,
        help="results file (default bench/results.json; bench/results-quick.json with --quick)",
    )
    ap.add_argument(
        "--pdf",
        type=int,
        default=None,
        help="dossiers in the PDF comparison (default 100; 0 skips it)",
    )
    ap.add_argument("--strict", action="store_true", help="exit 3 when any target is missed")
    args = ap.parse_args(argv)
    quick = args.quick
    n = args.n or (24 if quick else 1000)
    big = args.big if args.big is not None else (48 if quick else 5000)
    repeat = args.repeat or (1 if quick else 3)
    budget = args.budget if args.budget is not None else (10.0 if quick else 75.0)
    sample_k = args.sample or (4 if quick else 30)
    lat_runs = args.latency_runs or (3 if quick else 10)
    pdf_n = args.pdf if args.pdf is not None else (4 if quick else 100)
    out_file = args.out or (HERE / ("results-quick.json" if quick else "results.json"))

    started = time.perf_counter()
    exe = kamdocs_exe()
    base = args.keep or Path(tempfile.mkdtemp(prefix="kamdocs-bench-"))
    base.mkdir(parents=True, exist_ok=True)
    shell_no_pyc = bool(os.environ.get("PYTHONDONTWRITEBYTECODE"))
    ENV.pop("PYTHONDONTWRITEBYTECODE", None)
    ENV["PYTHONPYCACHEPREFIX"] = str(base / "pycache")
    res: dict = {
        "date": dt.datetime.now().astimezone().isoformat(timespec="seconds"),
        "machine": machine(),
        "settings": {
            "n": n,
            "big": big,
            "repeat": repeat,
            "budget_s": budget,
            "sample": sample_k,
            "latency_runs": lat_runs,
            "seed": args.seed,
            "quick": quick,
            "build_date": DATE,
            "kamdocs": exe,
            "bytecode_cache": "PYTHONPYCACHEPREFIX in the harness's temp folder",
            "shell_sets_PYTHONDONTWRITEBYTECODE": shell_no_pyc,
        },
        "versions": {
            d: _version(d)
            for d in ("kamdocs", "python-docx", "markdown", "jinja2", "pydantic", "lxml", "docxtpl")
        },
    }
    try:
        ws = base / f"ws-{n}"
        log(f"generating {n} dossiers in {ws}")
        t0 = time.perf_counter()
        gen.generate(ws, n, args.seed)
        res["generate_s"] = time.perf_counter() - t0
        one = ws / "dossiers" / "bench-0001.yaml"
        warm_up(exe, ws)

        res["build"] = {"n": n}
        res["build"]["all"] = time_build(exe, ws, n, "md,docx,html", repeat, budget)
        res["build"]["md"] = time_build(exe, ws, n, "md", repeat, budget, keep=True)
        res["build"]["docx"] = time_build(exe, ws, n, "docx", repeat, budget)
        res["build"]["html"] = time_build(exe, ws, n, "html", repeat, budget)
        res["build"]["rebuild"] = time_rebuild(exe, ws, n)

        log(f"single commands, {lat_runs} runs each")
        tmp_out = ws / "latency-out"
        render_one = [exe, "render", str(one.relative_to(ws)), "-f", "docx", "-o", str(tmp_out)]
        render_one += ["--date", DATE]
        res["latency"] = {
            "help": time_command([exe, "--help"], ws, lat_runs),
            "render_docx": time_command(render_one, ws, lat_runs),
        }
        if shell_no_pyc:  # as this shell would run it: kamdocs' modules compiled every time
            shell_env = dict(os.environ)
            shell_env.pop("PYTHONPYCACHEPREFIX", None)
            res["latency"]["render_docx_no_bytecode_cache"] = time_command(
                render_one, ws, lat_runs, env=shell_env
            )
        shutil.rmtree(tmp_out, ignore_errors=True)
        sws = base / "ws-serve"
        gen.generate(sws, 1, args.seed)
        log(
            "kamdocs serve: a library text saved, until the page shows it "
            f"({serve_bench.EDITS} edits)"
        )
        try:
            res["serve"] = serve_bench.time_serve(exe, sws, DATE, ENV)
        except (OSError, RuntimeError) as exc:
            res["serve"] = {"ms": None, "skipped": f"not measured: {exc}"}

        if not args.no_compare:
            md_out = Path(res["build"]["md"]["out"])
            sample, warm = pick_sample(md_out, ws, sample_k, 4 if quick else 20)
            res["compare"] = comparisons(ws, sample, warm, passes=1 if quick else 3)

        if pdf_n:
            pws = base / f"ws-pdf-{pdf_n}"
            log(f"PDF: {pdf_n} dossiers, kamdocs' batch against soffice one file at a time")
            gen.generate(pws, pdf_n, args.seed)
            res["pdf"] = pdf_bench.time_pdf(exe, pws, pdf_n, env=ENV)

        if big:
            bws = base / f"ws-{big}"
            log(f"generating {big} dossiers in {bws}")
            gen.generate(bws, big, args.seed)
            warm_up(exe, bws)  # as for the main build: the peaks compared are of warm runs
            res["big"] = time_build(exe, bws, big, "md,docx,html", 1, 0)
            if not args.keep:
                shutil.rmtree(bws, ignore_errors=True)
    except (BenchError, subprocess.CalledProcessError) as exc:
        detail = getattr(exc, "stderr", None)
        if isinstance(detail, bytes):
            detail = detail.decode("utf-8", "replace")
        log(f"FAILED: {exc}" + (f"\n{detail}" if detail else ""))
        return 1
    finally:
        if not args.keep:
            shutil.rmtree(base, ignore_errors=True)
    res["harness_s"] = time.perf_counter() - started
    evaluate(res)
    text = report(res)
    res["report"] = text.splitlines()
    out_file.parent.mkdir(parents=True, exist_ok=True)
    out_file.write_text(json.dumps(res, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    print(text)
    print(f"\nwrote {out_file}")
    if args.strict and any(v["pass"] is False for v in res["targets"].values()):
        return 3
    return 0


if __name__ == "__main__":
    sys.exit(main())
