"""Report benchmark: `cmbuild report` over 1,000,000 stored snapshots, and over the sample.

The large history is an agency's year: 60 channels on 8 platforms, 250,000 variants each read at
1 h, 24 h, 7 d and 28 d, plus weekly follower counts, in state/metrics/2026-01.jsonl to
2026-12.jsonl (written directly: generating it through the store's fsync per line would take
hours). Each figure is the median of several runs of the `cmbuild report` command in a fresh
process (start-up and imports included): cold (no cached month summaries), then warm (cached),
then warm after one new line in the report's month. Peak RSS is the largest of all runs.

    python bench/report.py [--snapshots 1000000] [--runs 3]

Targets (2-core machine): 1,000,000 snapshots ≤ 5 s, peak RSS ≤ 500 MB; the sample ≤ 1 s.
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

import orjson

REPO = Path(__file__).resolve().parents[1]
PLATFORMS = [
    "x",
    "bluesky",
    "mastodon",
    "linkedin",
    "facebook",
    "instagram",
    "threads",
    "pinterest",
]
AGES = (1, 24, 168, 672)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--snapshots", type=int, default=1_000_000)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as temp:
        big = Path(temp) / "agency"
        lines = _agency(big, args.snapshots)
        print(f"history: {lines:,} snapshots in {_size(big / 'state' / 'metrics')} MB")
        peak = _figures("agency", big, args.runs, ["--period", "2026-12"], touch=True)
        sample = Path(temp) / "sample"
        shutil.copytree(
            REPO,
            sample,
            ignore=shutil.ignore_patterns(".venv", "output", "tests", ".git*", "bench"),
        )
        peak = max(
            peak, _figures("sample", sample, args.runs, ["--period", "2026-12"], touch=False)
        )
    print(f"peak RSS: {peak / 1024:.0f} MB")
    return 0


def _figures(name: str, root: Path, runs: int, options: list[str], *, touch: bool) -> float:
    shutil.rmtree(root / "output", ignore_errors=True)
    cold = _run(root, options, cache=False)
    warm = statistics.median(_run(root, options) for _ in range(runs))
    print(f"{name}: cold {cold:.2f} s, warm {warm:.2f} s", end="")
    if touch:
        month = root / "state" / "metrics" / "2026-12.jsonl"
        times = []
        for _ in range(runs):
            with open(month, "ab") as handle:
                handle.write(_line("extra", "x-00", "x", datetime(2026, 12, 20, tzinfo=UTC), 1, {}))
            times.append(_run(root, options))
        print(f", after one new line {statistics.median(times):.2f} s", end="")
    print()
    return resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss


def _run(root: Path, options: list[str], *, cache: bool = True) -> float:
    if not cache:
        shutil.rmtree(root / "output" / ".cmbuild", ignore_errors=True)
    command = [sys.executable, "-m", "cmbuild", "report", "-C", str(root), *options]
    started = time.perf_counter()
    done = subprocess.run(command, capture_output=True, text=True, check=False)
    elapsed = time.perf_counter() - started
    if done.returncode not in (0, 1):
        raise SystemExit(f"cmbuild report failed:\n{done.stderr}")
    return elapsed


def _agency(root: Path, count: int) -> int:
    """A repository with 60 channels and `count` snapshots over 2026."""
    (root / "brand").mkdir(parents=True)
    (root / "posts").mkdir()
    channels = [(f"{p}-{i:02d}", p) for i in range(8) for p in PLATFORMS][:60]
    toml = "".join(f'[channels.{c}]\nplatform = "{p}"\n\n' for c, p in channels)
    (root / "channels.toml").write_text('[defaults]\ntimezone = "Europe/Paris"\n\n' + toml)
    shutil.copytree(REPO / "brand" / "templates", root / "brand" / "templates")
    kpis = "".join(
        f'[[kpi]]\nmetric = "{m}"\nchannel = "{c}"\ntarget = 100\nwarn_below = 10\n\n'
        for c, _ in channels[:20]
        for m in ("impressions", "engagement_rate", "clicks")
    )
    (root / "brand" / "kpis.toml").write_text(kpis)
    luck = random.Random(13)
    start = datetime(2026, 1, 1, tzinfo=UTC)
    files: dict[str, list[bytes]] = {}
    followers = [(c, p, start + timedelta(days=7 * w)) for c, p in channels for w in range(52)]
    for channel, platform, at in followers:
        line = _line(None, channel, platform, at, None, {"followers": 1000 + at.toordinal() % 500})
        files.setdefault(at.strftime("%Y-%m"), []).append(line)
    written = len(followers)
    variant = 0
    while written < count:
        channel, platform = channels[variant % len(channels)]
        published = start + timedelta(minutes=luck.randrange(0, 340 * 24 * 60))
        for age in AGES[: count - written]:
            at = published + timedelta(hours=age)
            seen = luck.randrange(100, 5000)
            figures = {
                "likes": seen // 30,
                "reposts": seen // 120,
                "replies": seen // 200,
                "impressions": None if platform in ("bluesky", "mastodon") else seen,
                "clicks": seen // 90,
            }
            files.setdefault(at.strftime("%Y-%m"), []).append(
                _line(f"v{variant:08d}", channel, platform, at, age, figures)
            )
            written += 1
        variant += 1
    folder = root / "state" / "metrics"
    folder.mkdir(parents=True)
    for month, lines in files.items():
        (folder / f"{month}.jsonl").write_bytes(b"".join(lines))
    return written


def _line(
    variant: str | None,
    channel: str,
    platform: str,
    at: datetime,
    age: float | None,
    figures: dict[str, int | None],
) -> bytes:
    return (
        orjson.dumps(
            {
                "variant": variant,
                "channel": channel,
                "platform": platform,
                "remote_id": None if variant is None else f"r-{variant}",
                "at": at.strftime("%Y-%m-%dT%H:%M:%SZ"),
                "age_hours": age,
                "metrics": figures,
                "source": "api",
                "api": "bench",
            }
        )
        + b"\n"
    )


def _size(folder: Path) -> int:
    return sum(p.stat().st_size for p in folder.iterdir()) // 1_000_000


if __name__ == "__main__":
    sys.exit(main())
