"""The ledger: append-only, torn last lines set aside, bad lines reported, one push at a time."""

from __future__ import annotations

import subprocess
import sys
import threading
import time
from collections.abc import Callable
from http.server import BaseHTTPRequestHandler
from pathlib import Path

import pytest

from cmbuild.push.report import Report
from tests.push.fake_http import read_body
from tests.push.fixtures import cli
from tests.push.servers import Fault, FaultServer, Seen, environ
from tests.push.sites import kinds, make_site, variant
from tests.push.test_faults import channels

ENV = {"CMB_HOOK_SECRET": "s3cret"}
NOW = "2026-12-01T09:00:00Z"


def two_due(tmp_path: Path, server: FaultServer) -> tuple[Path, list[dict[str, str]]]:
    entries = [
        variant("hook", "x", "2026-12-01T08:00:00Z", slug="a"),
        variant("hook", "x", "2026-12-01T08:30:00Z", slug="b"),
    ]
    return make_site(tmp_path / "site", channels(server.url), entries), entries


def test_a_torn_last_line_is_set_aside_and_earlier_lines_kept(
    tmp_path: Path, run_push: Callable[..., Report]
) -> None:
    with FaultServer() as server:
        root, (a, b) = two_due(tmp_path, server)
        run_push(root, "2026-12-01T08:10:00Z", ENV)  # a only
        ledger = root / "state" / "ledger.jsonl"
        # Then half of a third line: a crash in the middle of a write.
        lines = ledger.read_bytes().splitlines(keepends=True)
        assert len(lines) == 2
        torn = b'{"kind":"pending","variant":"' + b["id"].encode()
        ledger.write_bytes(b"".join(lines) + torn)

        plan = cli(root, "plan", "--now", NOW)
        assert plan.returncode == 0
        assert "state/ledger.jsonl:3: the last line was cut short" in plan.stdout

        report = run_push(root, NOW, ENV)
    assert report.notes == [
        "state/ledger.jsonl:3: the last line was cut short by an interrupted write; its "
        f"{len(torn)} bytes were moved to ledger.jsonl.torn, earlier lines kept"
    ]
    assert (root / "state" / "ledger.jsonl.torn").read_bytes() == torn + b"\n"
    assert [(r.outcome, r.variant) for r in report.rows] == [("published", b["id"])]
    assert kinds(root) == [
        ("pending", a["id"]),
        ("published", a["id"]),
        ("pending", b["id"]),
        ("published", b["id"]),
    ]
    assert len(server.seen) == 2  # a was not sent again


def test_a_complete_last_line_without_newline_is_kept(
    tmp_path: Path, run_push: Callable[..., Report]
) -> None:
    with FaultServer() as server:
        root, _ = two_due(tmp_path, server)
        run_push(root, NOW, ENV)
        ledger = root / "state" / "ledger.jsonl"
        ledger.write_bytes(ledger.read_bytes().rstrip(b"\n"))
        report = run_push(root, NOW, ENV)
        assert (report.rows, report.notes) == ([], [])
        assert ledger.read_bytes().endswith(b"}\n")
        assert len(kinds(root)) == 4


def test_a_corrupt_line_is_an_input_error_naming_its_line(tmp_path: Path) -> None:
    with FaultServer() as server:
        root, _ = two_due(tmp_path, server)
        ledger = root / "state" / "ledger.jsonl"
        ledger.parent.mkdir()
        ledger.write_text('{"kind":"pending"}\n<<<<<<< HEAD\n', encoding="utf-8")
        for command in ("push", "plan"):
            result = cli(root, command, "--now", NOW, env=environ(**ENV))
            assert result.returncode == 2
            assert "state/ledger.jsonl:1: variant: missing" in result.stderr
            assert "state/ledger.jsonl:2: not valid JSON" in result.stderr
            assert "Traceback" not in result.stderr
        assert server.seen == []
        assert ledger.read_text(encoding="utf-8") == '{"kind":"pending"}\n<<<<<<< HEAD\n'


class HoldingServer(FaultServer):
    """Answers the first request only once the test releases it, a byte at a time meanwhile so
    that the client's timeout never runs out: the first push is known to hold the ledger's lock
    for as long as the test needs, however slow the machine."""

    PADDING = 2400  # leading spaces of the JSON answer: one every half second at most

    def __init__(self) -> None:
        super().__init__()
        self.reached = threading.Event()
        self.release = threading.Event()

    def handle(self, handler: BaseHTTPRequestHandler) -> None:
        with self.lock:
            first = not self.reached.is_set()
            self.reached.set()
        if not first:
            super().handle(handler)
            return
        body = read_body(handler)
        with self.lock:
            self.seen.append(Seen(handler.command, handler.path, dict(handler.headers), body))
        answer = Fault().body
        handler.send_response(200)
        handler.send_header("Content-Type", "application/json")
        handler.send_header("Content-Length", str(self.PADDING + len(answer)))
        handler.end_headers()
        sent = 0
        while sent < self.PADDING and not self.release.wait(0.5):
            handler.wfile.write(b" ")
            handler.wfile.flush()
            sent += 1
        handler.wfile.write(b" " * (self.PADDING - sent) + answer)


def test_a_second_push_on_the_same_ledger_refuses_or_waits(tmp_path: Path) -> None:
    with HoldingServer() as server:
        root, _ = two_due(tmp_path, server)
        env = environ(**ENV)
        first = start(root, env, "push", "--now", NOW)
        waiting: subprocess.Popen[str] | None = None
        try:
            assert server.reached.wait(120), "the first push never reached the server"
            second = cli(root, "push", "--now", NOW, env=env)
            waiting = start(root, env, "push", "--now", NOW, "--wait")
            blocked = waits_for_lock(waiting.pid, root / "state" / "ledger.jsonl.lock")
        finally:
            server.release.set()
            out, err = first.communicate(timeout=120)
            waited = waiting.communicate(timeout=120) if waiting else ("", "")
    assert first.returncode == 0, out + err
    assert second.returncode == 3
    assert "another push is running on state/ledger.jsonl" in second.stderr
    assert second.stdout == ""
    # --wait waited for the first push (blocked on its lock), then found nothing left to do.
    assert blocked
    assert waiting is not None and waiting.returncode == 0, waited
    assert waited[0].strip().endswith("2 already published")
    assert len(server.seen) == 2
    assert [k for k, _ in kinds(root)] == ["pending", "published", "pending", "published"]


def start(root: Path, env: dict[str, str], *args: str) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-m", "cmbuild", *args],
        cwd=root,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def waits_for_lock(pid: int, lock: Path, bound: float = 120.0) -> bool:
    """Poll until process `pid` is blocked on `lock` (Linux lists it in /proc/locks with `->`).

    Polling with a generous bound: how long the process takes to start does not matter.
    """
    locks = Path("/proc/locks")
    if not locks.exists():
        pytest.skip("this system does not list file locks in /proc/locks")
    deadline = time.monotonic() + bound
    while time.monotonic() < deadline:
        if lock.exists():
            inode = f":{lock.stat().st_ino} "
            for line in locks.read_text().splitlines():
                if "->" in line and f" {pid} " in line and inode in line:
                    return True
        time.sleep(0.05)
    return False


def test_a_published_variant_stays_published_whatever_lines_follow() -> None:
    from datetime import UTC, datetime

    from cmbuild.stores.ledger import LedgerLine, fold

    def line(kind: str, variant: str = "v1", **fields: str) -> LedgerLine:
        at = datetime(2026, 12, 1, 9, len(fields), tzinfo=UTC)
        base = {"variant": variant, "channel": "c", "platform": "x"}
        return LedgerLine.model_validate(
            {**base, "kind": kind, "content_hash": "h", "idempotency_key": "k", "at": at, **fields}
        )

    published = line("published", remote_id="42", url="https://example.test/42")
    later = [line("pending"), line("failed", code="transient", reason="a later try")]
    records = fold([line("pending"), published, *later, line("pending", "v2")])
    assert records["v1"].state == "published"
    assert records["v1"].receipt == published  # its remote id is kept, for retract
    assert records["v2"].state == "pending"
    # A retracted one stays retracted too; a reconciled one counts as published.
    retracted = fold([published, line("retracted"), line("failed", code="missed")])
    assert retracted["v1"].state == "retracted"
    reconciled = fold([line("pending"), line("reconciled", remote_id="7"), line("pending")])
    assert reconciled["v1"].state == "published"
    assert reconciled["v1"].receipt is not None and reconciled["v1"].receipt.remote_id == "7"
