"""What the hand-written platform fakes share: a threaded HTTP server on 127.0.0.1 and a free
port, the requests it saw, and a script of faults to play before carrying requests out.

A fake answers as its platform documents, and refuses (and records in `rejected`) every request
its platform's documentation does not allow, so a test that passes has sent documented requests.
"""

from __future__ import annotations

import json
import socket
import threading
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit


@dataclass
class Fault:
    """An answer to play instead of the platform's, for the next request matching method and path
    (a prefix). `carry_out` then `drop`: the request takes effect, the answer is lost."""

    method: str
    path: str
    status: int = 500
    headers: dict[str, str] = field(default_factory=dict)
    body: Any = None
    carry_out: bool = False
    drop: bool = False


@dataclass
class Request:
    """A request as the fake received it."""

    method: str
    path: str  # without the query, still percent-encoded
    raw_query: str
    headers: dict[str, str]
    body: bytes

    @property
    def query(self) -> dict[str, list[str]]:
        return parse_qs(self.raw_query, keep_blank_values=True)

    def header(self, name: str) -> str | None:
        return next((v for k, v in self.headers.items() if k.lower() == name.lower()), None)


class Refused(Exception):
    """The platform refuses the request: this status and JSON body."""

    def __init__(self, status: int, body: Any, headers: dict[str, str] | None = None) -> None:
        super().__init__(json.dumps(body))
        self.status = status
        self.body = body
        self.headers = headers or {}


@dataclass
class Answer:
    status: int
    body: Any = None  # JSON-ready, or None for an empty body
    headers: dict[str, str] = field(default_factory=dict)


class FakeServer:
    """Serves `answer(request)`; subclasses hold the platform's state and rules."""

    def __init__(self) -> None:
        self.seen: list[Request] = []
        self.rejected: list[str] = []  # every refusal but the scripted ones, and why
        self.faults: list[Fault] = []
        self.lock = threading.Lock()
        fake = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def do_POST(self) -> None:
                fake._handle(self)

            do_GET = do_PUT = do_DELETE = do_PATCH = do_POST

            def log_message(self, format: str, *args: Any) -> None:
                del format, args

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.httpd.daemon_threads = True
        self.thread = threading.Thread(
            target=self.httpd.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        )

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.httpd.server_address[1]}"

    def start(self) -> None:
        self.thread.start()

    def stop(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()
        self.thread.join(timeout=5)

    def answer(self, request: Request) -> Answer:
        raise NotImplementedError

    def refusal(self, request: Request, error: Refused) -> None:
        """Record a refusal (subclasses leave out the ones a test provokes on purpose)."""
        self.rejected.append(f"{request.method} {request.path}: {json.dumps(error.body)}")

    def _handle(self, handler: BaseHTTPRequestHandler) -> None:
        length = int(handler.headers.get("Content-Length") or 0)
        raw = handler.rfile.read(length) if length else b""
        parts = urlsplit(handler.path)
        request = Request(handler.command, parts.path, parts.query, dict(handler.headers), raw)
        with self.lock:
            self.seen.append(request)
            fault = next(
                (
                    f
                    for f in self.faults
                    if f.method == request.method and request.path.startswith(f.path)
                ),
                None,
            )
            if fault is not None:
                self.faults.remove(fault)
            if fault is None or fault.carry_out:
                try:
                    result = self.answer(request)
                except Refused as error:
                    self.refusal(request, error)
                    result = Answer(error.status, error.body, error.headers)
            if fault is not None and not fault.carry_out:
                result = Answer(fault.status, fault.body, fault.headers)
        if fault is not None and fault.drop:
            handler.connection.shutdown(socket.SHUT_RDWR)
            handler.close_connection = True
            return
        body = b"" if result.body is None else json.dumps(result.body).encode()
        handler.send_response(result.status)
        if result.body is not None:
            handler.send_header("Content-Type", "application/json")
        for name, value in result.headers.items():
            handler.send_header(name, value)
        handler.send_header("Content-Length", str(len(body)))
        handler.end_headers()
        handler.wfile.write(body)
