"""What the collect tests share: the store's lines, the ledger's publication times, a runner."""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from cmbuild.collect.run import CollectReport, CollectSettings, collect
from cmbuild.push.retry import RetryPolicy
from tests.push.sites import ledger_lines


def store_lines(root: Path) -> list[dict[str, Any]]:
    """Every line of state/metrics/, in file then line order."""
    found = []
    for path in sorted((root / "state" / "metrics").glob("*.jsonl")):
        found += [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]
    return found


def published(root: Path) -> dict[str, datetime]:
    """Each published variant's publication time, as the ledger has it."""
    return {
        line["variant"]: datetime.fromisoformat(line["published_at"])
        for line in ledger_lines(root)
        if line["kind"] == "published"
    }


def after(root: Path, hours: float) -> datetime:
    """`hours` after the latest publication in the ledger, to the next whole second."""
    moment = max(published(root).values()) + timedelta(hours=hours)
    return moment.replace(microsecond=0) + timedelta(seconds=1)


def run_collect(
    root: Path,
    now: datetime,
    environ: dict[str, str],
    sleeps: list[float] | None = None,
    **options: Any,
) -> CollectReport:
    """A collect at `now`, whose retries record their waits in `sleeps` instead of waiting."""
    waits = [] if sleeps is None else sleeps
    settings = CollectSettings(root=root, now=now, environ=environ)
    policy = RetryPolicy(sleep=waits.append)
    return collect(replace(settings, retry=policy, timeout=5.0, **options))
