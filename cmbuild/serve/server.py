"""Serve the output folder on 127.0.0.1, with live reload and an error page for a failed build.

The live-reload script is added to each HTML page as it is served, never written into output/:
it polls `/__cmbuild/version` every 500 ms and reloads the page when the build counter moves.
While the last build failed, every HTML page is the error page instead.
"""

from __future__ import annotations

import functools
import html
import threading
from collections.abc import Sequence
from http import HTTPStatus
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import urlsplit

from cmbuild.errors import InputError, InputErrors

VERSION_PATH = "/__cmbuild/version"

_RELOAD = """<script>
(function () {
  var seen = "%s";
  function poll() {
    fetch("%s", {cache: "no-store"})
      .then(function (response) { return response.text(); })
      .then(function (version) {
        if (version.trim() !== seen) { location.reload(); } else { setTimeout(poll, 500); }
      }, function () { setTimeout(poll, 500); });
  }
  setTimeout(poll, 500);
})();
</script>
"""

_ERROR_PAGE = """<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>cmbuild: build failed</title>
<style>
body {{ font: 15px/1.5 system-ui, sans-serif; margin: 2rem auto; max-width: 60rem; }}
h1 {{ color: #b00020; }} li {{ margin-bottom: 1rem; }} code {{ background: #f3f3f3; }}
.hint {{ color: #555; }}
</style></head>
<body><h1>Build failed: {count}</h1>
<p>Fix the files below and save: the page reloads after the next successful build.</p>
<ol>
{items}
</ol>
</body></html>
"""


class SiteState:
    """The build counter and the errors of the last build (none when it succeeded); thread-safe."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._version = 0
        self._errors: tuple[InputError, ...] = ()

    def snapshot(self) -> tuple[int, tuple[InputError, ...]]:
        with self._lock:
            return self._version, self._errors

    @property
    def version(self) -> int:
        return self.snapshot()[0]

    def succeeded(self, changed: bool) -> None:
        """Record a successful build; pages reload if it changed something or ended a failure."""
        with self._lock:
            if changed or self._errors:
                self._version += 1
            self._errors = ()

    def failed(self, errors: Sequence[InputError]) -> None:
        with self._lock:
            self._version += 1
            self._errors = tuple(errors)


def reload_script(version: int) -> str:
    return _RELOAD % (version, VERSION_PATH)


def inject(page: bytes, version: int) -> bytes:
    """Insert the live-reload script before `</body>` (or at the end of a page without one)."""
    script = reload_script(version).encode()
    at = page.lower().rfind(b"</body>")
    return page + script if at < 0 else page[:at] + script + page[at:]


def error_page(errors: Sequence[InputError], version: int) -> bytes:
    """The page listing every error of the last build: where, which key, what, and how to fix."""
    items = []
    grouped = InputErrors(errors).grouped()
    for error, channels in grouped:
        where = f"{error.file}:{error.line}" if error.line else error.file
        parts = [f"<code>{html.escape(where)}</code>"]
        if error.key:
            parts.append(f"<code>{html.escape(error.key)}</code>")
        parts.append(html.escape(error.message))
        line = ": ".join(parts)
        if channels:
            line += f" [{html.escape(', '.join(channels))}]"
        if error.hint:
            line += f'<br><span class="hint">{html.escape(error.hint)}</span>'
        items.append(f"<li>{line}</li>")
    count = f"{len(grouped)} error" + ("" if len(grouped) == 1 else "s")
    page = _ERROR_PAGE.format(count=count, items="\n".join(items))
    return inject(page.encode(), version)


class _Handler(SimpleHTTPRequestHandler):
    state: SiteState  # set on the subclass made by make_server

    def do_GET(self) -> None:
        self._respond(body=True)

    def do_HEAD(self) -> None:
        self._respond(body=False)

    def _respond(self, *, body: bool) -> None:
        path = urlsplit(self.path).path
        version, errors = self.state.snapshot()
        if path == VERSION_PATH:
            self._send(HTTPStatus.OK, "text/plain; charset=utf-8", str(version).encode(), body)
            return
        page = self._html_file(path)
        if page is not None and errors:
            content = error_page(errors, version)
            self._send(HTTPStatus.INTERNAL_SERVER_ERROR, "text/html; charset=utf-8", content, body)
        elif page is not None and page.is_file():
            content = inject(page.read_bytes(), version)
            self._send(HTTPStatus.OK, "text/html; charset=utf-8", content, body)
        elif body:
            super().do_GET()
        else:
            super().do_HEAD()

    def _html_file(self, path: str) -> Path | None:
        """The HTML file a request names (a folder ending in / means its index.html), or None."""
        if path.endswith("/"):
            return Path(self.translate_path(path)) / "index.html"
        return Path(self.translate_path(path)) if path.endswith((".html", ".htm")) else None

    def _send(self, status: HTTPStatus, kind: str, content: bytes, body: bool) -> None:
        self.send_response(status)
        self.send_header("Content-Type", kind)
        self.send_header("Content-Length", str(len(content)))
        self.end_headers()
        if body:
            self.wfile.write(content)

    def end_headers(self) -> None:
        # Every file may change at the next save: never let the browser reuse one.
        self.send_header("Cache-Control", "no-store")
        super().end_headers()

    def log_message(self, format: str, *args: object) -> None:
        del format, args  # the library does not print; requests are not worth a line each


def make_server(out: Path, state: SiteState, port: int) -> ThreadingHTTPServer:
    """A server for `out` on 127.0.0.1:`port` (0: any free port); not started yet."""
    handler = type("OutputHandler", (_Handler,), {"state": state})
    server = ThreadingHTTPServer(
        ("127.0.0.1", port), functools.partial(handler, directory=str(out))
    )
    server.daemon_threads = True
    return server
