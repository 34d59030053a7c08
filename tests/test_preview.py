"""kamdocs preview (the gallery) and kamdocs serve (the gallery on 127.0.0.1, rebuilt on every
change), in a real browser where Chromium is installed."""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest
from browser import console_errors, needs_browser, requested_urls
from helpers import ROOT, TEMPLATE, append_to_template, run

from kamdocs.preview import can_make_pdf
from kamdocs.preview.serve import Server
from kamdocs.workspace import find_workspace

SAMPLES = sorted(p for p in (ROOT / "dossiers").glob("*.yaml") if not p.name.startswith("_"))
ACME = "acme-logistics-ad"


def cards(html: str) -> list[str]:
    return re.findall(r'<section class="card" id="([^"]+)">', html)


def test_preview_writes_a_gallery_of_every_dossier(ws: Path) -> None:
    result = run("preview", "--no-pdf", "-o", "out")
    assert result.exit_code == 0, result.output
    assert result.stdout == "wrote out/index.html: 1 proposal\n"
    index = (ws / "out/index.html").read_text(encoding="utf-8")
    assert cards(index) == [ACME]
    for ext in ("md", "docx", "html"):
        assert f'href="{ACME}.{ext}"' in index
        assert (ws / "out" / f"{ACME}.{ext}").is_file()
    # Who reads which section (persona labels, public names) and when the offer expires.
    assert "For the management: Ivan Petrov" in index
    assert "Figures and financial result: Elena Dimitrova" in index
    assert "<dt>Valid until</dt><dd>2026-12-26</dd>" in index
    # Standalone: nothing from the network, no script; nothing private.
    assert not re.search(r"(src|href)=\"(https?:)?//", index)
    assert "<script" not in index
    for private in ("Secretly prefers the competitor", "sailing", "1971-05-14"):
        assert private not in index


def test_preview_of_a_broken_workspace_writes_nothing(ws: Path) -> None:
    line = append_to_template(ws, "{{ client.nmae }}")
    result = run("preview", "--no-pdf", "-o", "out")
    assert result.exit_code == 1
    assert f"{TEMPLATE}:{line}: template uses something that does not exist" in result.stderr
    assert not (ws / "out/index.html").exists()


@pytest.mark.libreoffice
@pytest.mark.skipif(not can_make_pdf(), reason="needs LibreOffice and pdftoppm")
def test_preview_shows_each_page_of_the_pdf(ws: Path) -> None:
    assert run("preview", "--pdf", "-o", "out").exit_code == 0
    index = (ws / "out/index.html").read_text(encoding="utf-8")
    pages = re.findall(r'<img src="(thumbs/[^"]+\.png)" alt="page (\d+)"', index)
    assert pages and [int(n) for _, n in pages] == list(range(1, len(pages) + 1))
    for src, _ in pages:
        assert (ws / "out" / src).read_bytes().startswith(b"\x89PNG")
    assert f'href="{ACME}.pdf"' in index
    assert (ws / "out" / f"{ACME}.pdf").read_bytes().startswith(b"%PDF")


# --- in a browser --------------------------------------------------------------------------------


def _wait(predicate, seconds: float = 10.0) -> bool:  # noqa: ANN001
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.1)
    return predicate()


@needs_browser
def test_the_gallery_opens_from_the_file_system(
    browser, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(ROOT)
    assert run("preview", "--no-pdf", "-o", str(tmp_path / "gallery")).exit_code == 0
    browser.get((tmp_path / "gallery/index.html").as_uri())
    found = browser.find_elements("css selector", "section.card")
    assert len(found) == len(SAMPLES)
    assert console_errors(browser) == []
    # Nothing from the network.
    own = ("file:", "data:")
    assert [url for url in requested_urls(browser) if not url.startswith(own)] == []


@needs_browser
def test_the_html_proposal_does_not_scroll_sideways_at_400_px(
    browser, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(ROOT)
    assert run("preview", "--no-pdf", "-o", str(tmp_path / "gallery")).exit_code == 0
    browser.set_window_size(400, 900)
    for sample in ("balkan-trans-eood", "hessel-automotive"):
        browser.get((tmp_path / "gallery" / f"{sample}.html").as_uri())
        width = browser.execute_script("return document.documentElement.clientWidth")
        assert width <= 400
        scroll = browser.execute_script("return document.documentElement.scrollWidth")
        assert scroll <= width, (sample, scroll, width)


@pytest.fixture
def server(ws: Path, tmp_path: Path) -> Iterator[Server]:
    running = Server(find_workspace(), tmp_path / "served", port=0)
    running.start()
    try:
        yield running
    finally:
        running.stop()


def test_serve_listens_on_loopback_only(server: Server) -> None:
    host, port = server.httpd.socket.getsockname()[:2]
    assert host == "127.0.0.1"
    assert port > 0
    assert server.url == f"http://127.0.0.1:{port}/"
    assert _version(server) == b"1"


def _version(server: Server) -> bytes:
    with urllib.request.urlopen(server.url + "__kamdocs/version", timeout=5) as response:
        return response.read()


def test_serve_sees_a_save_made_as_soon_as_it_is_serving(ws: Path, tmp_path: Path) -> None:
    # The first save may come the moment "serving" is printed: the watcher is in place by then.
    running = Server(find_workspace(), tmp_path / "served", port=0)
    running.start()
    try:
        arguments = ws / "templates/arguments/main.yaml"
        text = arguments.read_text(encoding="utf-8")
        arguments.write_text(text.replace("Costs drop for", "Costs fall for", 1), encoding="utf-8")
        assert _wait(lambda: _version(running) == b"2")
        assert b"Costs fall for Acme Logistics AD." in (running.out / f"{ACME}.html").read_bytes()
    finally:
        running.stop()


def test_serve_that_cannot_watch_says_so_and_exits_2(
    ws: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import watchfiles

    def no_watches(*paths: object, **options: object) -> Iterator[set]:
        raise OSError(28, "OS file watch limit reached")
        yield set()  # a generator, as watchfiles.watch is

    monkeypatch.setattr(watchfiles, "watch", no_watches)
    result = run("serve", "--port", "0", "-o", "served")
    assert result.exit_code == 2, result.output
    assert "Traceback" not in result.output
    assert result.stderr == (
        "cannot watch templates, dossiers for changes: [Errno 28] OS file watch limit reached\n"
    )
    assert not (ws / "served" / "index.html").exists()  # nothing built that would not be served


def test_a_watcher_that_stops_later_is_shown_on_the_page(
    ws: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import watchfiles

    def stops(*paths: object, **options: object) -> Iterator[set]:
        yield set()
        raise RuntimeError("the watch was removed")

    monkeypatch.setattr(watchfiles, "watch", stops)
    running = Server(find_workspace(), tmp_path / "served", port=0)
    running.start()
    try:
        assert _wait(lambda: _version(running) == b"2")
        with urllib.request.urlopen(running.url, timeout=5) as response:
            page = response.read().decode("utf-8")
        assert "changes are no longer seen (the watch was removed): start serve again" in page
    finally:
        running.stop()


@needs_browser
def test_serve_shows_an_edited_library_text_without_a_reload(
    browser, ws: Path, server: Server
) -> None:
    browser.get(server.url + f"{ACME}.html")
    assert "Costs drop for Acme Logistics AD." in browser.page_source
    arguments = ws / "templates/arguments/main.yaml"
    text = arguments.read_text(encoding="utf-8")
    arguments.write_text(text.replace("Costs drop for", "Costs fall for", 1), encoding="utf-8")
    assert _wait(lambda: "Costs fall for Acme Logistics AD." in browser.page_source)
    assert console_errors(browser) == []


@needs_browser
def test_serve_shows_a_broken_template_and_keeps_running(browser, ws: Path, server: Server) -> None:
    browser.get(server.url)
    assert len(browser.find_elements("css selector", "section.card")) == 1
    template = ws / TEMPLATE
    good = template.read_text(encoding="utf-8")
    line = append_to_template(ws, "{% if client.name %}")
    expected = f"{TEMPLATE}:{line}: template syntax error: Unexpected end of template."
    assert _wait(lambda: expected in browser.page_source)
    assert browser.find_elements("css selector", "section.card") == []
    template.write_text(good, encoding="utf-8")
    assert _wait(lambda: len(browser.find_elements("css selector", "section.card")) == 1)


def test_serve_stops_cleanly_on_ctrl_c(ws: Path) -> None:
    kamdocs = Path(sys.executable).with_name("kamdocs")
    process = subprocess.Popen(
        [str(kamdocs), "serve", "--port", "0", "-o", "served"],
        cwd=ws,
        stderr=subprocess.PIPE,
        text=True,
        env={**os.environ, "PYTHONUNBUFFERED": "1"},
    )
    try:
        assert process.stderr is not None
        first = process.stderr.readline()
        match = re.match(r"serving (http://127\.0\.0\.1:\d+/) \(Ctrl-C stops\)", first)
        assert match, first
        with urllib.request.urlopen(match.group(1), timeout=5) as response:
            assert b'class="card"' in response.read()
        process.send_signal(signal.SIGINT)
        code = process.wait(timeout=10)
        assert (code, process.stderr.read()) == (0, "stopped\n")
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
        if process.stderr is not None:
            process.stderr.close()
