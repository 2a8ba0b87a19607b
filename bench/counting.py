"""Time the counting primitives on a typical post, with and without emoji.

Run with ``python bench/counting.py``; prints microseconds of CPU per call (best of five runs).
"cold" is the first count of a text (links not yet seen); "warm" counts a text whose links were
seen before, as when the same post is counted for several channels or shortened.
"""

from __future__ import annotations

import time
import timeit
from collections.abc import Callable
from functools import partial

from cmbuild.text import _urls, counting, entities, truncate

PLAIN = (
    "Rendez-vous samedi à Bordeaux pour l’atelier « écrire pour les réseaux » : inscriptions "
    "ouvertes, places limitées. Au programme — ton, rythme, accroches… et un café offert aux "
    "premiers arrivés. Plus d’infos sur cm-bordeaux.fr/atelier et "
    "https://cm-bordeaux.fr/agenda?utm_source=x #CM #Bordeaux"
)
EMOJI = PLAIN.replace("limitées.", "limitées 🎉.").replace("#CM", "👨‍👩‍👧 🇫🇷 👍🏽 #CM")


def per_call(function: Callable[[], object], number: int = 2000) -> float:
    # CPU time of this process, so that other work on the machine does not inflate the figures.
    runs = timeit.repeat(function, number=number, repeat=5, timer=time.process_time)
    return min(runs) / number * 1e6


def cold(function: Callable[[str], object], text: str) -> Callable[[], object]:
    def run() -> object:
        _urls.extract.cache_clear()
        return function(text)

    return run


def main() -> None:
    counting.x_weighted_length(PLAIN)  # first use compiles the expressions
    counting.graphemes(EMOJI)
    entities.emoji_count(EMOJI)
    counters: list[Callable[[str], object]] = [
        counting.graphemes,
        counting.x_weighted_length,
        counting.mastodon_length,
        counting.utf16_units,
        counting.utf8_bytes,
        entities.hashtags,
        entities.urls,
        entities.mentions,
        entities.emoji_count,
    ]

    def five_counters(text: str) -> object:
        return [counter(text) for counter in counters[:5]]

    for label, text in (("without emoji", PLAIN), ("with emoji", EMOJI)):
        print(f"{label} ({len(text)} code points)        warm µs   cold µs")
        for counter in [*counters, five_counters]:
            warm = per_call(partial(counter, text))
            print(f"  {counter.__name__:22s} {warm:10.1f} {per_call(cold(counter, text)):9.1f}")
        shorten = per_call(
            partial(truncate.truncate_to_fit, text, 200, counting.x_weighted_length), 200
        )
        print(f"  {'truncate_to_fit (X, 200)':22s} {shorten:10.1f}")


if __name__ == "__main__":
    main()
