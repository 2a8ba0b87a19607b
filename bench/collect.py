"""Collect benchmark: cmbuild's own work per variant, beyond the platform's answers.

Makes a content repository with one X channel, a ledger of N published variants and a store
already holding their earlier readings (1 h, 24 h and 7 d), so that each 28-day reading is due, then
runs `cmbuild collect` in this process against a local X peer on 127.0.0.1 that answers
`GET /2/tweets` (100 posts a call) and `GET /2/users/me`. The time spent waiting for the peer's
answers is measured around each call and taken out: what is left is cmbuild's own work (reading
the ledger and the store, planning, parsing the answers, writing one fsync'd line per reading).

    python bench/collect.py [--variants 2000] [--runs 5]
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import tempfile
import threading
import time
import urllib.parse
from datetime import UTC, datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

from cmbuild.collect.run import CollectSettings, collect
from cmbuild.platforms.x.publisher import XPublisher
from cmbuild.stores.metrics import Snapshot, append_snapshots

PUBLISHED = datetime(2026, 11, 1, 9, tzinfo=UTC)
NOW = PUBLISHED + timedelta(days=29)  # each variant's 28-day reading is due
TARGET_MS = 5.0


class Peer(BaseHTTPRequestHandler):
    def do_GET(self) -> None:
        path, _, query = self.path.partition("?")
        body: dict[str, Any]
        if path == "/2/users/me":
            body = {"data": {"id": "1", "name": "B", "username": "b", "public_metrics": {}}}
        else:
            ids = urllib.parse.parse_qs(query)["ids"][0].split(",")
            metrics = {
                "like_count": 3,
                "retweet_count": 1,
                "reply_count": 0,
                "quote_count": 0,
                "bookmark_count": 0,
                "impression_count": 90,
            }
            body = {"data": [{"id": i, "text": "t", "public_metrics": metrics} for i in ids]}
        data = json.dumps(body).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def log_message(self, *args: object) -> None:
        pass


def make_repository(root: Path, url: str, variants: int) -> None:
    (root / "brand/templates").mkdir(parents=True)
    (root / "brand/templates/x.j2").write_text("{{ body }}\n", encoding="utf-8")
    (root / "channels.toml").write_text(
        f'[channels.x-bench]\nplatform = "x"\noptions = {{ api_base = "{url}" }}\n'
        'credentials = { token = "BENCH_X_TOKEN" }\n',
        encoding="utf-8",
    )
    lines, earlier = [], []
    for n in range(variants):
        variant = f"{n:020x}"
        lines.append(
            json.dumps(
                {
                    "kind": "published",
                    "variant": variant,
                    "channel": "x-bench",
                    "platform": "x",
                    "content_hash": "sha256:0",
                    "idempotency_key": f"{variant}-k",
                    "remote_id": str(10**18 + n),
                    "published_at": PUBLISHED.isoformat(),
                    "at": PUBLISHED.isoformat(),
                }
            )
        )
        for age in (1, 24, 168):
            at = PUBLISHED + timedelta(hours=age)
            remote = str(10**18 + n)
            earlier.append(Snapshot(variant, "x-bench", "x", remote, at, age, {"likes": 1}))
    (root / "state").mkdir()
    (root / "state/ledger.jsonl").write_text("\n".join(lines) + "\n", encoding="utf-8")
    append_snapshots(root / "state", earlier)


def one_run(variants: int, url: str) -> tuple[float, float]:
    """(seconds in all, seconds waiting for the peer) of one collect of `variants`."""
    waiting = 0.0
    call = XPublisher.call

    def timed(self: XPublisher, *args: str) -> dict[str, object]:
        nonlocal waiting
        start = time.perf_counter()
        try:
            return call(self, *args)
        finally:
            waiting += time.perf_counter() - start

    XPublisher.call = timed  # type: ignore[method-assign, assignment]
    try:
        with tempfile.TemporaryDirectory() as folder:
            root = Path(folder)
            make_repository(root, url, variants)
            settings = CollectSettings(root, NOW, environ={"BENCH_X_TOKEN": "t"})
            start = time.perf_counter()
            report = collect(settings)
            total = time.perf_counter() - start
            assert report.written == variants + 1, report.channels
    finally:
        XPublisher.call = call  # type: ignore[method-assign]
    return total, waiting


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--variants", type=int, default=2000)
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    server = ThreadingHTTPServer(("127.0.0.1", 0), Peer)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    url = f"http://127.0.0.1:{server.server_address[1]}"
    own = []
    for _ in range(args.runs):
        total, waiting = one_run(args.variants, url)
        own.append((total - waiting) * 1000 / args.variants)
    server.shutdown()
    median = statistics.median(own)
    print(
        f"collect of {args.variants} variants (store of {args.variants * 3} readings): "
        f"{median:.2f} ms of cmbuild's own work per variant (target {TARGET_MS:.0f} ms), "
        f"runs: {', '.join(f'{v:.2f}' for v in own)}"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
