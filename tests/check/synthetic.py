"""A synthetic six-month calendar of variants, to time the complementarity check."""

from __future__ import annotations

import random
from datetime import timedelta

from cmbuild.model import Variant
from tests.check.factories import NOON, variant

CHANNELS = (
    "x-cmb",
    "bluesky-cmb",
    "mastodon-cmb",
    "linkedin-cmb",
    "facebook-cmb",
    "instagram-cmb",
    "threads-cmb",
    "pinterest-cmb",
)
EXEMPT = (("x-cmb", "bluesky-cmb", "mastodon-cmb"),)
SHORT = {"x-cmb", "bluesky-cmb", "mastodon-cmb", "threads-cmb"}
SYLLABLES = [consonant + vowel for consonant in "bcdfglmnprstv" for vowel in "aeéèiou"]


def _sentence(rng: random.Random, words: list[str], count: int) -> str:
    chosen = rng.choices(words, k=count)
    chosen[0] = chosen[0].capitalize()
    for position in range(7, count, 9):
        chosen[position] += rng.choice([",", ".", " :", " !"])
    return " ".join(chosen) + "."


def synthetic_calendar(count: int = 16_000, seed: int = 20261201) -> list[Variant]:
    """`count` variants of posts spread over 182 days, 3 to 6 channels per post.

    Long channels get the body (60 to 140 words), short ones its first 30 words, and a quarter of
    variants their own text; every variant ends with a UTM-tagged link, two hashtags and an emoji.
    Channels publish 0 to 48 hours after the post's time.
    """
    rng = random.Random(seed)
    words = ["".join(rng.choices(SYLLABLES, k=rng.randint(1, 4))) for _ in range(3000)]
    variants: list[Variant] = []
    number = 0
    while len(variants) < count:
        number += 1
        source = f"posts/p{number:05d}.md"
        body = _sentence(rng, words, rng.randint(60, 140))
        start = NOON + timedelta(days=rng.uniform(0, 182))
        for name in rng.sample(CHANNELS, rng.randint(3, 6)):
            if rng.random() < 0.25:
                text = _sentence(rng, words, rng.randint(15, 80))
            elif name in SHORT:
                text = " ".join(body.split()[:30]) + "…"
            else:
                text = body
            platform = name.removesuffix("-cmb")
            text += f"\n\nhttps://cm-bordeaux.fr/p/{number}?utm_source={platform}&utm_medium=social"
            text += " #CMBordeaux #Formation 🎉"
            when = start + timedelta(hours=rng.choice([0, 0, 1, 3, 20, 30, 48]))
            variants.append(variant(text, on=name, source=source, scheduled=when))
            if len(variants) == count:
                break
    return variants
