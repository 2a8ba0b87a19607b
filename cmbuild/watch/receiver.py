"""`cmbuild watch-receive`: a small HTTP receiver for Apprise `json://` notifications.

Another watcher (changedetection.io, or anything that notifies through Apprise) is given the URL
`json://127.0.0.1:PORT/` (`?+X-Cmbuild-Token=...` when a token is set); each POST it makes is
checked (a JSON object of one of the inbox's shapes, at most `max_bytes`) and written, whole, as
one file of the inbox folder (a temporary file renamed, so the inbox never reads half of one).
The inbox source (cmbuild/watch/dropped.py) then hears it on the next `cmbuild watch`.

It listens on 127.0.0.1 unless told otherwise, and on another address only with a token:
anyone who can reach it could otherwise plant items in the veille.
"""

from __future__ import annotations

import hashlib
import hmac
import ipaddress
import json
import threading
import time
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

from cmbuild.files import write_atomic
from cmbuild.watch.dropped import parse_item

TOKEN_HEADER = "X-Cmbuild-Token"
DEFAULT_MAX_BYTES = 1_000_000
_DRAIN = 16_000_000  # the largest refused body read away


@dataclass(frozen=True)
class ReceiverSettings:
    folder: Path
    host: str = "127.0.0.1"
    port: int = 0  # 0: any free port
    token: str | None = None
    max_bytes: int = DEFAULT_MAX_BYTES


def is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


class Receiver(ThreadingHTTPServer):
    """The receiver; `serve_forever()` to run it, `url` for the Apprise URL's address."""

    daemon_threads = True

    def __init__(self, settings: ReceiverSettings) -> None:
        if not is_loopback(settings.host) and not settings.token:
            raise ValueError(
                f"{settings.host} is reachable from other machines: give a token "
                "(--token-env) to listen there, or keep the default 127.0.0.1"
            )
        self.settings = settings
        self.received = 0
        self._lock = threading.Lock()
        settings.folder.mkdir(parents=True, exist_ok=True)
        super().__init__((settings.host, settings.port), _Handler)

    @property
    def url(self) -> str:
        host, port = self.server_address[:2]
        return f"http://{host!s}:{port}"

    def store(self, body: bytes) -> str:
        """Write one notification as a file of the inbox; its name."""
        digest = hashlib.sha256(body).hexdigest()[:16]
        with self._lock:
            self.received += 1
            name = f"{time.time_ns():020d}-{digest}.json"
        write_atomic(self.settings.folder / name, body)
        return name


class _Handler(BaseHTTPRequestHandler):
    server: Receiver

    def do_POST(self) -> None:
        settings = self.server.settings
        if settings.token is not None:
            given = self.headers.get(TOKEN_HEADER, "")
            if not hmac.compare_digest(given.encode(), settings.token.encode()):
                self._answer(401, {"error": f"a wrong or missing {TOKEN_HEADER} header"})
                return
        length = self.headers.get("Content-Length", "")
        if not length.isdigit():
            self._answer(411, {"error": "a Content-Length is required"})
            return
        if int(length) > settings.max_bytes:
            self._discard(int(length))
            self._answer(413, {"error": f"over {settings.max_bytes:,} bytes"})
            return
        body = self.rfile.read(int(length))
        try:
            parse_item(body)
        except ValueError as error:
            self._answer(400, {"error": str(error)})
            return
        self._answer(200, {"stored": self.server.store(body)})

    def _discard(self, length: int) -> None:
        """Read a refused body away (never kept), so the sender reads the 413 rather than a
        connection reset; past `_DRAIN` bytes the connection is closed instead."""
        self.close_connection = True
        if length > _DRAIN:
            return
        while length > 0:
            chunk = self.rfile.read(min(length, 65536))
            if not chunk:
                return
            length -= len(chunk)

    def do_GET(self) -> None:
        self._answer(405, {"error": "POST an Apprise JSON notification"})

    do_PUT = do_DELETE = do_PATCH = do_GET

    def _answer(self, status: int, answer: dict[str, Any]) -> None:
        body = json.dumps(answer).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args: Any) -> None:
        del format, args  # the CLI says what it needs; nothing printed from here
