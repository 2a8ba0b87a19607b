"""Local peers for push tests, each on 127.0.0.1, a free port, and stopped by the test itself.

- `FaultServer`: our own small HTTP server answering a script of faults (429, 500, a timeout, a
  dropped connection, 401) then successes, recording every request.
- `WebhookReceiver`: Debian's `webhook` binary (adnanh/webhook) with a payload-hmac-sha256 rule.
- `SmtpServer`: aiosmtpd writing to a Maildir, with a login.
- `mastodon_mock`'s threaded MockServer, used directly in conftest.py.
"""

from __future__ import annotations

import json
import mailbox
import os
import shutil
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler
from pathlib import Path
from typing import Any

from tests.push.fake_http import LocalServer, drop, read_body, send


@dataclass
class Fault:
    """One scripted answer: a status (with headers and body), "timeout" or "drop"."""

    status: int = 200
    headers: dict[str, str] = field(default_factory=dict)
    body: bytes = b'{"id": "remote-1", "url": "https://example.test/p/1"}'
    action: str = "answer"  # answer | timeout | drop
    delay: float = 0.0


@dataclass
class Seen:
    method: str
    path: str
    headers: dict[str, str]
    body: bytes


class FaultServer(LocalServer):
    """Answers requests from a script of faults; once the script is used up, with 200 and JSON."""

    def __init__(self, script: list[Fault] | None = None) -> None:
        super().__init__()
        self.script = list(script or [])
        self.seen: list[Seen] = []
        self.on_request: Callable[[Seen], None] | None = None  # called before each answer
        self.lock = threading.Lock()

    def handle(self, handler: BaseHTTPRequestHandler) -> None:
        body = read_body(handler)
        with self.lock:
            self.seen.append(
                Seen(handler.command, handler.path, dict(handler.headers.items()), body)
            )
            fault = self.script.pop(0) if self.script else Fault()
        if self.on_request is not None:
            self.on_request(self.seen[-1])
        if fault.action == "timeout":
            time.sleep(fault.delay or 2.0)  # longer than the client's timeout
            return  # and close without answering
        if fault.delay:
            time.sleep(fault.delay)
        if fault.action == "drop":
            drop(handler)
            return
        send(
            handler, fault.status, fault.body, {"Content-Type": "application/json", **fault.headers}
        )


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


def wait_for_port(port: int, timeout: float = 10.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        with socket.socket() as probe:
            if probe.connect_ex(("127.0.0.1", port)) == 0:
                return
        time.sleep(0.02)
    raise TimeoutError(f"nothing listens on 127.0.0.1:{port} after {timeout} s")


class WebhookReceiver:
    """Debian's `webhook` with one hook that checks the HMAC signature and records each request."""

    def __init__(self, folder: Path, secret: str) -> None:
        binary = shutil.which("webhook")
        if binary is None:
            raise RuntimeError("the `webhook` program is missing: apt-get install -y webhook")
        self.folder = folder
        self.secret = secret
        self.received = folder / "received.jsonl"
        record = folder / "record.py"
        # The hook runs this with the payload (re-serialised by webhook), the key and the event.
        record.write_text(
            "import json, sys\n"
            f"with open({str(self.received)!r}, 'a') as out:\n"
            "    out.write(json.dumps({'payload': json.loads(sys.argv[1]), 'key': sys.argv[2],"
            " 'event': sys.argv[3]}) + '\\n')\n"
            "print('recorded')\n",
            encoding="utf-8",
        )
        hooks = [
            {
                "id": "cmbuild",
                "execute-command": sys.executable,
                "include-command-output-in-response": True,
                "pass-arguments-to-command": [
                    {"source": "string", "name": str(record)},
                    {"source": "entire-payload"},
                    {"source": "header", "name": "Idempotency-Key"},
                    {"source": "header", "name": "X-Cmbuild-Event"},
                ],
                "trigger-rule": {
                    "match": {
                        "type": "payload-hmac-sha256",
                        "secret": secret,
                        "parameter": {"source": "header", "name": "X-Cmbuild-Signature"},
                    }
                },
            }
        ]
        (folder / "hooks.json").write_text(json.dumps(hooks), encoding="utf-8")
        self.port = free_port()
        self.log = open(folder / "webhook.log", "wb")  # noqa: SIM115 (closed in __exit__)
        self.process = subprocess.Popen(
            [
                binary,
                "-hooks",
                str(folder / "hooks.json"),
                "-ip",
                "127.0.0.1",
                "-port",
                str(self.port),
            ],
            stdout=self.log,
            stderr=subprocess.STDOUT,
        )

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/hooks/cmbuild"

    def __enter__(self) -> WebhookReceiver:
        try:
            wait_for_port(self.port)
        except TimeoutError:
            self.__exit__()
            raise
        return self

    def __exit__(self, *exc: object) -> None:
        self.process.terminate()
        try:
            self.process.wait(timeout=5)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait(timeout=5)
        self.log.close()

    def requests(self) -> list[dict[str, Any]]:
        if not self.received.exists():
            return []
        lines = self.received.read_text(encoding="utf-8").splitlines()
        return [json.loads(line) for line in lines if line]


class SmtpServer:
    """aiosmtpd on 127.0.0.1, delivering to a Maildir, requiring a login."""

    def __init__(self, folder: Path, user: str, password: str) -> None:
        from aiosmtpd.controller import Controller
        from aiosmtpd.handlers import Mailbox
        from aiosmtpd.smtp import AuthResult

        folder.mkdir(parents=True, exist_ok=True)
        self.maildir = folder / "Maildir"
        self.port = free_port()

        def authenticate(
            server: Any, session: Any, envelope: Any, mechanism: str, auth: Any
        ) -> Any:
            del server, session, envelope, mechanism
            ok = auth.login.decode() == user and auth.password.decode() == password
            return AuthResult(success=ok, handled=False)

        self.controller = Controller(
            Mailbox(str(self.maildir)),
            hostname="127.0.0.1",
            port=self.port,
            authenticator=authenticate,
            auth_require_tls=False,
            auth_required=True,
        )

    def __enter__(self) -> SmtpServer:
        self.controller.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.controller.stop()

    def messages(self) -> Iterator[mailbox.MaildirMessage]:
        if not self.maildir.exists():
            return iter(())
        return iter(mailbox.Maildir(str(self.maildir), create=False))


def environ(**values: str) -> dict[str, str]:
    """A process environment with these variables set (for pushes in a subprocess)."""
    return {**os.environ, **values}
