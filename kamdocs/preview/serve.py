"""``kamdocs serve``: the preview gallery on 127.0.0.1, rebuilt on every change, and the open
page reloads itself (as ``mkdocs serve`` does).

One process: a standard-library HTTP server in a thread, bound to the loopback address only
(never another interface: the gallery holds proposals that are not public yet), and a watcher
(``watchfiles``, which waits for a burst of saves to settle) on ``templates/`` and the dossiers
that rebuilds through the build, so what did not change is kept. Every page the server sends
gets a small script that asks ``/__kamdocs/version`` ten times a second (a few bytes over the
loopback) and reloads when a rebuild finished. A rebuild that fails shows its problems
(``FILE:LINE: message``) in place of the gallery; the server keeps running and the next save
tries again.
"""

from __future__ import annotations

import datetime as dt
import functools
import threading
from html import escape
from http import HTTPStatus
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

from kamdocs.errors import KamdocsError
from kamdocs.preview import DEFAULT_OUT, INDEX, preview

HOST = "127.0.0.1"  # loopback only, whatever the caller asks
DEFAULT_PORT = 8000
VERSION_PATH = "/__kamdocs/version"
DEBOUNCE_MS = 150  # saves closer together than this are one change
POLL_MS = 100  # how often the open page asks whether a rebuild finished
ARM_MS = 50  # the watcher's wait without a change; its first one tells start() it is watching

_RELOAD = """<script>
(function () {
  if (window.top !== window) { return; }  // a thumbnail: the gallery around it reloads
  var seen = "%s";
  function poll() {
    fetch("%s", {cache: "no-store"}).then(function (r) { return r.text(); }).then(function (v) {
      if (v !== seen) { location.reload(); } else { setTimeout(poll, %d); }
    }, function () { setTimeout(poll, 1000); });
  }
  setTimeout(poll, %d);
})();
</script>
"""


class Server:
    """The gallery of ``workspace`` built into ``out`` and served on ``127.0.0.1:port``."""

    def __init__(
        self,
        workspace: Any,
        out: Path | None = None,
        port: int = DEFAULT_PORT,
        date: dt.date | None = None,
        pdf: bool | None = False,
    ):
        self.workspace, self.date, self.pdf = workspace, date, pdf
        self.out = Path(out or DEFAULT_OUT)
        self.version = 0
        self.error: str | None = None  # the last rebuild's problems
        self.unwatched: str | None = None  # why the watcher stopped, if it did
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self.out.mkdir(parents=True, exist_ok=True)
        handler = functools.partial(_Handler, self, directory=str(self.out))
        self.httpd = ThreadingHTTPServer((HOST, port), handler)
        self.httpd.daemon_threads = True
        self._threads: list[threading.Thread] = []
        self._serving: threading.Thread | None = None  # once serve_forever runs

    @property
    def address(self) -> tuple[str, int]:
        """The address the socket is bound to, as the operating system reports it."""
        host, port = self.httpd.socket.getsockname()[:2]
        return host, port

    @property
    def url(self) -> str:
        host, port = self.address
        return f"http://{host}:{port}/"

    def rebuild(self) -> None:
        """Build the gallery again; a failure becomes the page shown, never an exception."""
        from kamdocs import templating  # noqa: PLC0415

        with self._lock:
            # Templates are compiled once per process; an edited one must be read again.
            templating._ENVIRONMENTS.clear()
            try:
                preview(self.workspace, self.out, self.date, pdf=self.pdf)
                self.error = None
            except KamdocsError as exc:
                self.error = str(exc)
            self.version += 1

    def start(self) -> None:
        """Watch, build once, then serve, the watcher and the server in background threads.

        The watcher is in place before the first build reads a file, so no save is missed: not
        one made during that build, nor one made the moment ``start`` returns. ``UsageError``
        when the folders cannot be watched (the system's limit of watches, say)."""
        armed = threading.Event()
        failed: list[Exception] = []
        self._spawn(functools.partial(self._watch, armed, failed))
        armed.wait()
        if failed:
            from kamdocs.errors import UsageError  # noqa: PLC0415

            folders = ", ".join(str(p) for p in self._watched())
            raise UsageError(f"cannot watch {folders} for changes: {failed[0]}")
        self.rebuild()
        self._serving = self._spawn(self.httpd.serve_forever)

    def _spawn(self, target: Any) -> threading.Thread:
        thread = threading.Thread(target=target, daemon=True)
        thread.start()
        self._threads.append(thread)
        return thread

    def wait(self) -> None:
        """Until ``stop()`` (or Ctrl-C in the calling thread)."""
        while not self._stop.wait(0.5):
            pass

    def stop(self) -> None:
        self._stop.set()
        if self._serving is not None:  # shutdown() waits for a serve_forever that never ran
            self.httpd.shutdown()
        self.httpd.server_close()
        for thread in self._threads:
            thread.join(timeout=5)

    def _watched(self) -> list[Path]:
        paths = [Path(self.workspace.templates), Path(self.workspace.dossiers)]
        return [p for p in paths if p.exists()]

    def _watch(self, armed: threading.Event, failed: list[Exception]) -> None:
        """Rebuild on each settled burst of saves outside the gallery. ``armed`` is set once
        the folders are watched (watchfiles' first yield: a change, or an empty set after
        ``ARM_MS``) or watching them failed (the error in ``failed``). A watcher that fails
        later shows that on the page, as a failed rebuild does."""
        import watchfiles  # noqa: PLC0415 - only serve needs it

        out = self.out.resolve()
        try:
            for changes in watchfiles.watch(
                *self._watched(),
                stop_event=self._stop,
                debounce=DEBOUNCE_MS,
                step=50,
                rust_timeout=ARM_MS,
                yield_on_timeout=True,
                raise_interrupt=False,
            ):
                armed.set()
                if any(not Path(path).resolve().is_relative_to(out) for _, path in changes):
                    self.rebuild()
        except Exception as exc:  # noqa: BLE001 - the user is told; a traceback would not help
            if not armed.is_set():
                failed.append(exc)
            else:
                with self._lock:
                    self.unwatched = f"changes are no longer seen ({exc}): start serve again"
                    self.version += 1
        finally:
            armed.set()

    def page(self, path: str) -> bytes | None:
        """The body of an HTML page with the reload script in it; None: serve the file."""
        script = _RELOAD % (self.version, VERSION_PATH, POLL_MS, POLL_MS)
        problems = [text for text in (self.unwatched, self.error) if text is not None]
        if problems and path in ("/", "/" + INDEX):
            return error_page("\n".join(problems), script).encode("utf-8")
        name = INDEX if path == "/" else path.lstrip("/")
        if not name.endswith(".html") or "/" in name or name.startswith("."):
            return None
        try:
            text = (self.out / name).read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError):
            return None
        head = text.find("</head>")
        text = text[:head] + script + text[head:] if head >= 0 else script + text
        return text.encode("utf-8")


def error_page(message: str, script: str = "") -> str:
    """What the browser shows while the templates or dossiers are broken."""
    lines = "\n".join(f"<li><code>{escape(line)}</code></li>" for line in message.splitlines())
    return (
        "<!DOCTYPE html>\n"
        '<html lang="en">\n<head>\n<meta charset="utf-8" />\n'
        "<title>kamdocs: the preview cannot be built</title>\n"
        "<style>body { font: 15px/1.5 sans-serif; margin: 2rem; color: #1d232b; }"
        " h1 { color: #a32020; font-size: 1.3rem; } code { white-space: pre-wrap; }</style>\n"
        f"{script}</head>\n<body>\n"
        "<h1>The preview cannot be built</h1>\n"
        f'<ul class="problems">\n{lines}\n</ul>\n'
        "<p>Fix the file and save it: this page reloads by itself.</p>\n"
        "</body>\n</html>\n"
    )


class _Handler(SimpleHTTPRequestHandler):
    def __init__(self, server_state: Server, *args: Any, **kwargs: Any):
        self.state = server_state
        super().__init__(*args, **kwargs)

    def do_GET(self) -> None:  # noqa: N802 - http.server's name
        path = self.path.split("?", 1)[0].split("#", 1)[0]
        if path == "/favicon.ico":  # the browser asks; there is none
            self.send_response(HTTPStatus.NO_CONTENT)
            self.end_headers()
            return
        if path == VERSION_PATH:
            self._send(str(self.state.version).encode(), "text/plain; charset=utf-8")
            return
        body = self.state.page(path)
        if body is not None:
            self._send(body, "text/html; charset=utf-8")
            return
        super().do_GET()

    def _send(self, body: bytes, kind: str) -> None:
        self.send_response(HTTPStatus.OK)
        self.send_header("Content-Type", kind)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def end_headers(self) -> None:
        self.send_header("Cache-Control", "no-store")
        super().end_headers()

    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 - http.server's name
        pass  # quiet: the terminal shows rebuilds, not every request
