"""The whole `cmbuild inbox --no-fetch` command on 100,000 stored items, each run a new process
(start-up, channels.toml, brand/replies.toml, the ledger, the listing of the first 50, the
output/inbox.html page), on a copy of the sample repository.

    python bench/inbox_cli.py [--items 100000] [--runs 3]

The first run reads and classifies every item and fills the caches; the next ones are what every
later `cmbuild inbox` costs. Wall and processor time (the process's user + system) are printed:
on a shared machine the processor time says more. Target: the listing ≤ 1 s (issue: 100,000
items listed and classified); the page is timed with it, since the command writes it.
"""

from __future__ import annotations

import argparse
import random
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from cmbuild.stores.inbox import InboxItem, item_id, to_json

REPO = Path(__file__).resolve().parent.parent

SAID = (
    "bonjour merci pour la session d'hier soir est-ce que le prochain atelier aura lieu "
    "en ligne ou sur place nous avons attendu longtemps la réponse de l'équipe inscription "
    "trop cher remboursement super génial quand comment horaires"
)
WORDS = SAID.split(" ")
CHANNELS = (("bluesky-cmb", "bluesky"), ("mastodon-cmb", "mastodon"), ("x-cmb", "x"))


def generated(count: int) -> bytes:
    """`count` items on the sample's channels, with a fixed seed."""
    rng = random.Random(16)
    start = datetime(2026, 6, 1, tzinfo=UTC)
    lines = []
    for index in range(count):
        channel, platform = CHANNELS[index % len(CHANNELS)]
        remote = f"bench-{index}"
        item = InboxItem(
            id=item_id(channel, remote),
            channel=channel,
            platform=platform,
            kind="mention",
            remote_id=remote,
            refs={"id": remote},
            author_id=f"author-{index % 5000}",
            author_handle=f"personne{index % 5000}",
            author_name=f"Personne {index % 5000}",
            text=" ".join(rng.choices(WORDS, k=rng.randint(5, 30))),
            url=None,
            language="fr",
            at=start + timedelta(minutes=3 * index),
        )
        lines.append(to_json(item))
    return b"".join(lines)


def run_once(root: Path) -> tuple[float, float, str]:
    """One `cmbuild inbox --no-fetch` in a new process: wall, processor time, last line."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    began = time.perf_counter()
    done = subprocess.run(
        [sys.executable, "-m", "cmbuild", "inbox", "--no-fetch", "--root", str(root)],
        capture_output=True,
        text=True,
        cwd=REPO,
        env={"PATH": "/usr/bin:/bin", "TZ": "UTC", "LC_ALL": "C.UTF-8", "PYTHONPATH": str(REPO)},
        check=False,
    )
    wall = time.perf_counter() - began
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    if done.returncode != 0:
        raise SystemExit(f"cmbuild inbox failed ({done.returncode}): {done.stderr[-2000:]}")
    return wall, cpu, done.stdout.strip().splitlines()[0]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--items", type=int, default=100_000)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        root = Path(folder) / "sample"
        root.mkdir()
        for name in ("channels.toml", "brand", "templates", "posts", "media"):
            source = REPO / name
            if source.is_dir():
                shutil.copytree(source, root / name)
            elif source.exists():
                shutil.copy2(source, root / name)
        (root / "state").mkdir()
        (root / "state" / "inbox.jsonl").write_bytes(generated(args.items))
        for number in range(args.runs + 1):
            wall, cpu, said = run_once(root)
            what = "first (no cache)" if number == 0 else f"run {number} (caches current)"
            print(f"{what}: {wall:.2f} s wall, {cpu:.2f} s processor — {said}")


if __name__ == "__main__":
    main()
