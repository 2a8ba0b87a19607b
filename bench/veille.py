"""Veille benchmark: matching speed, and a watch where every source answers 304.

1. 200 feeds × 50 items (titles and summaries of news French with accents and word forms) matched
   against 500 terms: CPU seconds of `cmbuild.watch.run.match` (target ≤ 1 s), network excluded.
2. `python -m cmbuild watch` in a new process on a repository with 200 feed sources, all of which
   answer 304 Not Modified (target ≤ 0.5 s wall-clock for the whole process).

(bench/watch.py is serve's watch mode.)

    python bench/veille.py [--feeds 200] [--items 50] [--terms 500]
"""

from __future__ import annotations

import argparse
import json
import os
import random
import resource
import subprocess
import sys
import tempfile
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from threading import Thread

REPOSITORY = Path(__file__).parent.parent
sys.path.insert(0, str(REPOSITORY))

from cmbuild.load.watch import Topic, Watch  # noqa: E402
from cmbuild.watch.run import match  # noqa: E402
from cmbuild.watch.sources import Heard  # noqa: E402

WORDS = (  # noqa: SIM905 - a paragraph of words reads better than a list of 45 strings
    "grève grèves annulé annulée annulés rappel rappels produit produits intoxication élèves école "
    "mairie Bordeaux tramway fermée fermés sécurité pénurie incendie préfecture manifestation "
    "concert festival marché réouverture travaux ligne trains retards inondation alerte météo "
    "conseil municipal budget rentrée étudiants campus numérique formation communauté réseaux"
).split()


def items(feeds: int, per_feed: int, rng: random.Random) -> list[tuple[str, Heard]]:
    found = []
    for feed in range(feeds):
        for item in range(per_feed):
            title = " ".join(rng.choice(WORDS) for _ in range(10))
            text = " ".join(rng.choice(WORDS) for _ in range(40))
            uri = f"https://news{feed}.example/{item}"
            found.append((f"feed-{feed}", Heard(uri, uri, title, text, None, None)))
    return found


def config(terms: int, rng: random.Random) -> Watch:
    topics = []
    for number in range(terms // 5):
        chosen = [
            " ".join(rng.sample(WORDS, rng.choice((1, 2)))) + f" t{number}x{k}" for k in range(5)
        ]
        if number % 10 == 0:
            chosen[0] = rng.choice(WORDS)  # one topic in ten has a word that does match
        topics.append(Topic(f"topic-{number}", tuple(chosen), (), "watch", (), False))
    return Watch((), tuple(topics), (), 3.0, ("fr", "en"))


def bench_matching(feeds: int, per_feed: int, terms: int) -> None:
    rng = random.Random(15)
    heard, watch = items(feeds, per_feed, rng), config(terms, rng)
    start = time.process_time()
    mentions = match(heard, watch, "2026-12-01T09:00:00Z")
    spent = time.process_time() - start
    print(
        f"matching: {len(heard)} items × {terms} terms: {spent:.3f} s CPU, {len(mentions)} mentions"
    )


class _NotModified(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def do_GET(self) -> None:
        self.send_response(304)
        self.send_header("ETag", '"v1"')
        self.send_header("Content-Length", "0")
        self.end_headers()

    def log_message(self, format: str, *args: object) -> None:
        del format, args


def _children_cpu() -> float:
    """CPU seconds (user + system) of the finished child processes: the figure a loaded machine
    distorts least."""
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def bench_all_304(feeds: int) -> None:
    server = ThreadingHTTPServer(("127.0.0.1", 0), _NotModified)
    Thread(target=server.serve_forever, daemon=True).start()
    url = f"http://127.0.0.1:{server.server_address[1]}"
    with tempfile.TemporaryDirectory() as folder:
        root = Path(folder)
        (root / "brand").mkdir()
        (root / "channels.toml").write_text("", encoding="utf-8")
        sources = "".join(
            f'[[sources]]\nkind = "feed"\nname = "f{n}"\nurl = "{url}/{n}"\n\n'
            for n in range(feeds)
        )
        topics = '[[topics]]\nname = "grève"\nterms = ["grève"]\n'
        (root / "brand" / "watch.toml").write_text(sources + topics, encoding="utf-8")
        state = root / "state" / "watch"
        state.mkdir(parents=True)
        cursors = {f"f{n}": {"cursor": {"etag": '"v1"'}} for n in range(feeds)}
        (state / "sources.json").write_text(json.dumps({"sources": cursors}), encoding="utf-8")
        env = {**os.environ, "PYTHONPATH": str(REPOSITORY)}
        command = [sys.executable, "-m", "cmbuild", "watch", "-C", str(root)]
        start, cpu = time.perf_counter(), _children_cpu()
        result = subprocess.run(command, env=env, capture_output=True, text=True, check=False)
        spent, cpu = time.perf_counter() - start, _children_cpu() - cpu
    server.shutdown()
    said = result.stdout.strip()
    print(
        f"watch, {feeds} sources all answering 304, new process: {spent:.3f} s wall, "
        f"{cpu:.3f} s CPU ({said})"
    )
    if result.returncode != 0:
        print(result.stderr, file=sys.stderr)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--feeds", type=int, default=200)
    parser.add_argument("--items", type=int, default=50)
    parser.add_argument("--terms", type=int, default=500)
    options = parser.parse_args()
    bench_matching(options.feeds, options.items, options.terms)
    bench_all_304(options.feeds)


if __name__ == "__main__":
    main()
