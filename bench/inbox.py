"""Inbox benchmark: classification of one item with 200 intents' triggers, and the listing of
100,000 stored items (read from state/inbox.jsonl, classified, answered, sorted, suggested).

Items are generated with a fixed seed from a French and English vocabulary in which a fifth of
the words are triggers; each intent has four triggers per language, one of them a two-word phrase.

    python bench/inbox.py [--items 100000] [--intents 200]

Targets (2-core machine): one item classified ≤ 1 ms; 100,000 items listed and classified ≤ 1 s.
The listing is timed three times: the first reads and classifies every item (and fills the
caches of cmbuild/stores/inbox_cache.py and cmbuild/inbox/intents.py), the next ones read the
items and intents from them, as every later `cmbuild inbox` does. Then output/inbox.html.
Processor time is printed beside each figure: the machine's load counts less in it.
"""

from __future__ import annotations

import argparse
import random
import statistics
import sys
import tempfile
import time
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from cmbuild.cli.inbox_list import inbox_lines
from cmbuild.inbox.classify import Classifier
from cmbuild.inbox.intents import CACHE
from cmbuild.inbox.listing import InboxRow, list_inbox
from cmbuild.load.replies import Approved, Intent, Wording
from cmbuild.model import Channel, Utm
from cmbuild.preview.inbox import inbox_page
from cmbuild.stores.inbox import InboxItem, read_items, to_json
from cmbuild.stores.inbox_cache import ITEMS_CACHE

SENTENCES = (
    "le cours était vraiment très long hier soir et nous avons attendu la réponse de l'équipe",
    "the session was really long yesterday and we waited for an answer from the team",
)
FILLER = [word for sentence in SENTENCES for word in sentence.split()]


def wording(count: int, rng: random.Random) -> Wording:
    intents = []
    for index in range(count):
        triggers = {
            lang: tuple(
                [f"{lang}mot{index}x{k}" for k in range(3)] + [f"{lang}debut{index} fin{index}"]
            )
            for lang in ("fr", "en")
        }
        reply = Approved(
            f"r{index}",
            "fr",
            None,
            "Bonjour {first_name} !",
            ("first_name",),
            "bench",
            None,
            False,
            f"intent{index}",
        )
        intents.append(Intent(f"intent{index}", triggers, (reply,), ()))
    rng.shuffle(intents)
    return Wording(tuple(intents))


def items(count: int, words: Wording, rng: random.Random) -> list[InboxItem]:
    triggers = [t for i in words.intents for terms in i.triggers.values() for t in terms]
    start = datetime(2026, 11, 1, tzinfo=UTC)
    made = []
    for index in range(count):
        said = rng.choices(FILLER, k=rng.randint(5, 30))
        if rng.random() < 0.6:
            said.insert(rng.randrange(len(said) + 1), rng.choice(triggers))
        made.append(
            InboxItem(
                id=f"bluesky-cmb:at://did:plc:bench/app.bsky.feed.post/{index}",
                channel="bluesky-cmb",
                platform="bluesky",
                kind="reply",
                remote_id=f"at://did:plc:bench/app.bsky.feed.post/{index}",
                refs={"uri": f"at://did:plc:bench/app.bsky.feed.post/{index}", "cid": "bafy"},
                author_id=f"did:plc:a{index % 977}",
                author_handle=f"person{index % 977}.bsky.social",
                author_name=f"Person {index % 977}",
                text=" ".join(said),
                url=None,
                language=rng.choice(["fr", "en", None]),
                at=start + timedelta(seconds=37 * index),
            )
        )
    return made


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--items", type=int, default=100_000)
    parser.add_argument("--intents", type=int, default=200)
    args = parser.parse_args()
    rng = random.Random(16)
    words = wording(args.intents, rng)
    generated = items(args.items, words, rng)
    built = time.perf_counter()
    classifier = Classifier(words)
    print(f"index of {args.intents} intents' triggers: {time.perf_counter() - built:.3f} s")
    sample = generated[:2000]
    timings = []
    for item in sample:
        began = time.perf_counter()
        classifier.classify(item.text, item.language)
        timings.append(time.perf_counter() - began)
    print(
        f"one item classified: median {statistics.median(timings) * 1e3:.3f} ms, "
        f"max {max(timings) * 1e3:.3f} ms (target 1 ms)"
    )
    channel = Channel("bluesky-cmb", "bluesky", "bluesky.j2", None, "fr", None, Utm("bluesky"))
    channels = {channel.name: channel}
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "inbox.jsonl"
        # The bytes append_items writes (unique ids), in one write: 100,000 fsyncs take minutes
        # on a loaded machine and are not what is measured here.
        path.write_bytes(b"".join(to_json(item) for item in generated))
        first = "first listing (every item read and classified)"
        for run in (first, "next listing (caches used)", "again (caches used)"):
            listing(path, Path(folder), words, channels, run)
        rows = listing(path, Path(folder), words, channels, "page")
        began, cpu = time.perf_counter(), time.process_time()
        page = inbox_page(rows, words, "bench")
        print(
            f"output/inbox.html of {len(rows)} items: {time.perf_counter() - began:.3f} s "
            f"({time.process_time() - cpu:.3f} s of processor time), {len(page) / 1e6:.1f} MB"
        )


def listing(
    path: Path, folder: Path, words: Wording, channels: dict[str, Channel], run: str
) -> list[InboxRow]:
    """One `cmbuild inbox --no-fetch` listing, timed: read, classified, listed, printed."""
    began, cpu = time.perf_counter(), time.process_time()
    stored = read_items(path, "state/inbox.jsonl", folder / ITEMS_CACHE).items
    read, read_cpu = time.perf_counter() - began, time.process_time() - cpu
    # A new Wording each time, as each `cmbuild inbox` loads brand/replies.toml afresh.
    again = Wording(words.intents)
    rows = list_inbox(stored, {}, again, channels, date(2027, 1, 1), cache=folder / CACHE)
    listed, listed_cpu = time.perf_counter() - began, time.process_time() - cpu
    shown = inbox_lines(rows)
    total, cpu = time.perf_counter() - began, time.process_time() - cpu
    if run != "page":
        print(
            f"{run}: {len(rows)} items read {read:.3f} s ({read_cpu:.3f} s processor); read, "
            f"classified and listed {listed:.3f} s ({listed_cpu:.3f} s processor; target 1 s); "
            f"with the {len(shown)} terminal lines {total:.3f} s ({cpu:.3f} s processor)"
        )
    return rows


if __name__ == "__main__":
    main()
