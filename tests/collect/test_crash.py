"""A collect killed (SIGKILL) in the middle of writing a line loses nothing already written, and
the next collect sets the torn line aside and completes, with no reading twice."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

from cmbuild.push.report import Report
from tests.collect.helpers import after, store_lines
from tests.platforms.mastodon.test_publisher import ENV, channels
from tests.push.fixtures import REPOSITORY, cli
from tests.push.sites import make_site, variant


def test_a_collect_killed_mid_line_keeps_every_written_line_and_the_next_one_completes(
    tmp_path: Path, mastodon: Any, run_push: Callable[..., Report]
) -> None:
    root = tmp_path / "site"
    entries = [
        variant("masto", "mastodon", f"2026-12-01T08:0{i}:00Z", slug=f"post-{i}") for i in range(4)
    ]
    make_site(root, channels(mastodon.base_url), entries)
    run_push(root, "2026-12-01T09:00:00Z", ENV)
    now = after(root, 2).isoformat()

    env = {**os.environ, **ENV, "PYTHONPATH": str(REPOSITORY)}
    command = [sys.executable, "-m", "tests.collect.crashing", "3", "collect", "--now", now]
    killed = subprocess.run(command, cwd=root, env=env, capture_output=True, timeout=60)
    assert killed.returncode == -signal.SIGKILL, killed.stderr
    (month,) = (root / "state" / "metrics").glob("*.jsonl")
    data = month.read_bytes()
    complete, torn = data.rsplit(b"\n", 1)
    written = [json.loads(line) for line in complete.split(b"\n")]
    assert len(written) == 2 and torn  # two whole lines, and half of the third
    assert all(line["metrics"]["favourites"] == 0 for line in written)

    again = cli(root, "collect", "--now", now, env={**os.environ, **ENV})
    assert again.returncode == 0, again.stderr
    assert month.read_bytes().startswith(complete + b"\n")  # what was written stays as it was
    assert month.with_name(month.name + ".torn").read_bytes() == torn + b"\n"
    lines = store_lines(root)
    readings = [line["variant"] for line in lines if line["variant"]]
    assert sorted(readings) == sorted(e["id"] for e in entries)  # each exactly once
    assert [line["variant"] for line in lines].count(None) == 1  # the account's figures
    third = cli(root, "collect", "--now", now, env={**os.environ, **ENV})
    assert third.returncode == 0 and store_lines(root) == lines
