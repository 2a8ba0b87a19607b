"""What the local HTTP peers share: a threaded server on 127.0.0.1 and a free port
(`LocalServer`), the few ways they answer (`send`, `send_json`, `drop`, `forward`, `relay`), and,
for the hand-written platform fakes, the requests they saw and a script of faults to play before
carrying requests out (`FakeServer`).

A fake answers as its platform documents, and refuses (and records in `rejected`) every request
its platform's documentation does not allow, so a test that passes has sent documented requests.
"""

from __future__ import annotations

import json
import socket
import threading
import urllib.error
import urllib.request
from abc import ABC, abstractmethod
from collections.abc import Mapping
from dataclasses import dataclass, field
from email.message import Message
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, ClassVar, Self
from urllib.parse import parse_qs, urlsplit


class LocalServer(ABC):
    """A threaded HTTP server on 127.0.0.1 and a free port; every request goes to `handle`.

    Used as a context manager (or `start`/`stop`): serving starts on entry and stops on exit, so
    no test leaves a server behind.
    """

    protocol_version: ClassVar[str] = "HTTP/1.0"

    def __init__(self) -> None:
        server = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = server.protocol_version

            def do_GET(self) -> None:
                server.handle(self)

            do_POST = do_PUT = do_DELETE = do_PATCH = do_HEAD = do_GET

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

    def __enter__(self) -> Self:
        self.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()

    @abstractmethod
    def handle(self, handler: BaseHTTPRequestHandler) -> None:
        """Answer one request (every method comes here)."""


def read_body(handler: BaseHTTPRequestHandler) -> bytes:
    """The request's body (empty when it has none)."""
    length = int(handler.headers.get("Content-Length") or 0)
    return handler.rfile.read(length) if length else b""


def send(
    handler: BaseHTTPRequestHandler,
    status: int,
    body: bytes = b"",
    headers: Mapping[str, str] | None = None,
) -> None:
    """Answer with a status, headers and a body of a stated length."""
    handler.send_response(status)
    for name, value in (headers or {}).items():
        handler.send_header(name, value)
    handler.send_header("Content-Length", str(len(body)))
    handler.end_headers()
    handler.wfile.write(body)


def send_json(
    handler: BaseHTTPRequestHandler,
    status: int,
    answer: Any,
    headers: Mapping[str, str] | None = None,
) -> None:
    """Answer with JSON (`None`: an empty body, without a Content-Type)."""
    if answer is None:
        send(handler, status, b"", headers)
        return
    typed = {"Content-Type": "application/json", **(headers or {})}
    send(handler, status, json.dumps(answer).encode(), typed)


def drop(handler: BaseHTTPRequestHandler) -> None:
    """Close the connection without an answer: the client cannot tell what was done."""
    handler.connection.shutdown(socket.SHUT_RDWR)
    handler.close_connection = True


def forward(
    handler: BaseHTTPRequestHandler,
    target: str,
    body: bytes,
    *,
    leave_out: tuple[str, ...] = ("host",),
    timeout: float = 30.0,
) -> tuple[int, Message, bytes]:
    """Send the request on to `target` (its headers but `leave_out`); the status, headers and
    body of the answer, an error status included."""
    headers = {k: v for k, v in handler.headers.items() if k.lower() not in leave_out}
    request = urllib.request.Request(
        target + handler.path, data=body or None, method=handler.command, headers=headers
    )
    try:
        with urllib.request.urlopen(request, timeout=timeout) as answer:
            return answer.status, answer.headers, answer.read()
    except urllib.error.HTTPError as error:
        return error.code, error.headers, error.read()


def call(request: urllib.request.Request, timeout: float = 5.0) -> tuple[int, bytes]:
    """Send a request straight to a peer (as a test of the peer itself): the status and body of
    its answer, an error status included."""
    try:
        with urllib.request.urlopen(request, timeout=timeout) as answer:
            return int(answer.status), answer.read()
    except urllib.error.HTTPError as error:
        return error.code, error.read()


def relay(handler: BaseHTTPRequestHandler, status: int, headers: Message, body: bytes) -> None:
    """Pass a forwarded answer back; the length is restated, as the body is sent whole."""
    kept = {
        name: value
        for name, value in headers.items()
        if name.lower() not in ("transfer-encoding", "connection", "content-length")
    }
    send(handler, status, body, kept)


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


class FakeServer(LocalServer):
    """Serves `answer(request)`; subclasses hold the platform's state and rules."""

    protocol_version = "HTTP/1.1"

    def __init__(self) -> None:
        super().__init__()
        self.seen: list[Request] = []
        self.rejected: list[str] = []  # every refusal but the scripted ones, and why
        self.faults: list[Fault] = []
        self.lock = threading.Lock()

    @abstractmethod
    def answer(self, request: Request) -> Answer:
        """The answer to one request that passed the checks."""

    def refusal(self, request: Request, error: Refused) -> None:
        """Record a refusal (subclasses leave out the ones a test provokes on purpose)."""
        self.rejected.append(f"{request.method} {request.path}: {json.dumps(error.body)}")

    def handle(self, handler: BaseHTTPRequestHandler) -> None:
        raw = read_body(handler)
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
            drop(handler)
            return
        send_json(handler, result.status, result.body, result.headers)
