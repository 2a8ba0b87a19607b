"""`cmbuild slots` benchmark: 2 years of history for 20 channels (≈ 1,000,000 snapshots).

Writes a repository whose state/metrics/ holds, per channel, ~12,500 posts over 104 weeks read
at four ages each (1 h, 24 h, 7 d, 28 d), and state/activity/ 10,000 interactions per channel;
then times `cmbuild slots --weeks 104 --json` in a fresh process (start-up and imports
included): first with no cache of the store (the first run after a collect of every month),
then with the per-month summary the report and slots share (output/.cmbuild/insights/).

    python bench/slots.py [--channels 20] [--runs 3]

Target (2-core machine): ≤ 3 s, in CPU time (the machine is shared: wall-clock varies with load).
"""

from __future__ import annotations

import argparse
import random
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

from cmbuild.stores.activity import Activity
from cmbuild.stores.activity import to_json as activity_line
from cmbuild.stores.metrics import Snapshot, month_of, to_json

NOW = datetime(2026, 12, 1, tzinfo=UTC)
WEEKS = 104
POSTS_PER_CHANNEL = 12_500
AGES = (1, 24, 168, 672)
INTERACTIONS = 10_000


def write_store(root: Path, channels: int) -> int:
    rng = random.Random(14)
    start = NOW - timedelta(weeks=WEEKS)
    files: dict[tuple[str, str], list[bytes]] = {}
    count = 0
    span = int((NOW - start).total_seconds())
    for c in range(channels):
        name = f"channel-{c:02d}"
        for p in range(POSTS_PER_CHANNEL):
            published = start + timedelta(seconds=rng.randrange(span - 672 * 3600))
            for age in AGES:
                at = published + timedelta(hours=age)
                figures = {"likes": rng.randint(0, 80), "reposts": rng.randint(0, 9)}
                s = Snapshot(f"{name}-{p}", name, "bluesky", f"at://{name}/{p}", at, age,
                             figures, "api", "app.bsky.feed.getPosts")  # fmt: skip
                files.setdefault(("metrics", month_of(at)), []).append(to_json(s))
                count += 1
        for i in range(INTERACTIONS):
            at = start + timedelta(seconds=rng.randrange(span))
            item = Activity(name, "bluesky", f"at://like/{name}/{i}", "like", at, "bench")
            files.setdefault(("activity", month_of(at)), []).append(activity_line(item))
    for (folder, month), lines in files.items():
        path = root / "state" / folder / f"{month}.jsonl"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(b"".join(lines))
    table = "".join(
        f'[channels.channel-{c:02d}]\nplatform = "bluesky"\ntimezone = "Europe/Paris"\n'
        'slots = ["09:00", "18:00"]\n\n'
        for c in range(channels)
    )
    (root / "channels.toml").write_text(table, encoding="utf-8")
    (root / "brand" / "templates").mkdir(parents=True)
    (root / "brand" / "templates" / "bluesky.j2").write_text("{{ body }}\n", encoding="utf-8")
    return count


def timed(root: Path) -> tuple[float, float]:
    """Wall-clock and CPU seconds (user + system) of one `cmbuild slots` process."""
    command = [sys.executable, "-m", "cmbuild", "slots", "-C", str(root), "--weeks", str(WEEKS),
               "--json", "--now", NOW.isoformat()]  # fmt: skip
    began, cpu = time.perf_counter(), _children_cpu()
    subprocess.run(command, check=True, stdout=subprocess.DEVNULL)
    return time.perf_counter() - began, _children_cpu() - cpu


def _children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def _figures(runs: list[tuple[float, float]]) -> str:
    wall = statistics.median(w for w, _ in runs)
    cpu = statistics.median(c for _, c in runs)
    return f"{cpu:.2f} s CPU, {wall:.2f} s wall (medians of {len(runs)})"


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--channels", type=int, default=20)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    root = Path(tempfile.mkdtemp(prefix="cmbuild-bench-slots-"))
    try:
        began = time.perf_counter()
        count = write_store(root, args.channels)
        print(f"store: {count:,} snapshots, {args.channels} channels, {WEEKS} weeks "
              f"(written in {time.perf_counter() - began:.1f} s)")  # fmt: skip
        cache = root / "output" / ".cmbuild" / "insights"
        cold = []
        for _ in range(args.runs):
            shutil.rmtree(cache, ignore_errors=True)
            cold.append(timed(root))
        warm = [timed(root) for _ in range(args.runs)]
        print(f"slots, no cache of the store: {_figures(cold)}")
        print(f"slots, store summary cached:  {_figures(warm)} (target 3 s CPU)")
    finally:
        shutil.rmtree(root, ignore_errors=True)


if __name__ == "__main__":
    main()
