"""``kamdocs serve``: how long after a library text is saved the open page shows it.

Used by bench/run.py. One generated dossier in a workspace of its own; ``kamdocs serve`` on a
free port of the loopback. An argument title that the dossier's proposal prints is edited (a
new word appended), as marketing would in an editor, ``EDITS`` times; each time the harness
asks ``/__kamdocs/version`` every few milliseconds until the rebuild is done and then reads the
proposal's page until it holds the new word: that is **rebuilt**. The page in a browser asks
the same question every ``POLL_MS`` (kamdocs.preview.serve) and reloads, so what the user sees
is at most rebuilt + one interval + the reload; the figure judged is that worst case.
"""

from __future__ import annotations

import html
import re
import signal
import statistics
import subprocess
import time
import urllib.request
from pathlib import Path

import yaml

EDITS = 5
SETTLE_S = 0.6  # between two edits: the watcher's debounce and a rebuild, with room
START_TIMEOUT_S = 180.0  # the first build of the gallery (no PDF)
SHOW_TIMEOUT_S = 20.0


def _get(url: str) -> str:
    with urllib.request.urlopen(url, timeout=5) as response:  # noqa: S310 - our own loopback
        return response.read().decode("utf-8")


def _printed_title(ws: Path, page: str) -> tuple[Path, str] | None:
    """An argument file and an English title of it that the page shows."""
    for path in sorted((ws / "templates" / "arguments").glob("*.yaml")):
        for item in yaml.safe_load(path.read_text(encoding="utf-8")) or []:
            title = (item.get("title") or {}).get("en") if isinstance(item, dict) else None
            if isinstance(title, str) and html.escape(title, quote=False) in page:
                return path, title
    return None


def _start(exe: str, ws: Path, gallery: Path, date: str, env: dict) -> tuple:
    proc = subprocess.Popen(
        [exe, "serve", "--port", "0", "-o", str(gallery), "--date", date],
        cwd=ws,
        env=env,
        stderr=subprocess.PIPE,
        stdout=subprocess.DEVNULL,
        text=True,
    )
    deadline = time.monotonic() + START_TIMEOUT_S
    assert proc.stderr is not None
    for line in proc.stderr:  # blocks per line; serve prints its address once built
        found = re.search(r"serving (http://\S+)", line)
        if found:
            return proc, found.group(1)
        if time.monotonic() > deadline:
            break
    proc.kill()
    raise RuntimeError(f"kamdocs serve did not start: {proc.stderr.read()[-500:]}")


def time_serve(exe: str, ws: Path, date: str, env: dict, edits: int = EDITS) -> dict:
    from kamdocs.preview.serve import POLL_MS, VERSION_PATH  # the installed kamdocs' own

    gallery = ws / "gallery"
    proc, url = _start(exe, ws, gallery, date, env)
    try:
        pages = sorted(p.name for p in gallery.glob("*.html") if p.name != "index.html")
        if not pages:
            return {"ms": None, "skipped": "the gallery holds no proposal page"}
        page_url = url + pages[0]
        chosen = _printed_title(ws, _get(page_url))
        if chosen is None:
            return {"ms": None, "skipped": "no argument title of the library is on the page"}
        path, title = chosen
        stock = path.read_text(encoding="utf-8")
        runs = []
        try:
            for i in range(edits):
                word = f"Benchmarkword{i}"
                version = _get(url + VERSION_PATH.lstrip("/"))
                start = time.perf_counter()
                path.write_text(stock.replace(title, f"{title} {word}", 1), encoding="utf-8")
                while time.perf_counter() - start < SHOW_TIMEOUT_S:
                    now = _get(url + VERSION_PATH.lstrip("/"))
                    if now != version:
                        version = now
                        if word in _get(page_url):
                            runs.append((time.perf_counter() - start) * 1000)
                            break
                    time.sleep(0.005)
                else:
                    return {
                        "ms": None,
                        "skipped": f"the page did not show edit {i + 1} in {SHOW_TIMEOUT_S:.0f} s",
                    }
                time.sleep(SETTLE_S)
        finally:
            path.write_text(stock, encoding="utf-8")
    finally:
        proc.send_signal(signal.SIGINT)
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
    rebuilt = statistics.median(runs)
    return {
        "ms": rebuilt + POLL_MS,
        "rebuilt_ms": rebuilt,
        "rebuilt_best_ms": min(runs),
        "rebuilt_ms_runs": runs,
        "page_poll_ms": POLL_MS,
        "edits": len(runs),
        "edited": str(path.relative_to(ws)),
    }
