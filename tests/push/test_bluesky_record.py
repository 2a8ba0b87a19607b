"""Facets and record keys of Bluesky posts (no server needed; tests/push/test_bluesky.py checks
them on the real PDS)."""

from __future__ import annotations

import re

from hypothesis import given
from hypothesis import strategies as st

from cmbuild.push.publishers.bluesky_record import Facet, facets, record_key

# atproto's TID syntax (packages/syntax/src/tid.ts): 13 base32-sortable characters.
TID = re.compile(r"^[234567abcdefghij][234567abcdefghijklmnopqrstuvwxyz]{12}$")


def test_facets_count_utf8_bytes_not_characters() -> None:
    text = "Été 🎉 #Atelier à https://exemple.fr/été?x=1 fin"
    found = facets(text)
    raw = text.encode()
    tag = raw.index(b"#Atelier")
    link = raw.index("https://exemple.fr/été?x=1".encode())
    assert found == [
        Facet(tag, tag + len(b"#Atelier"), "tag", "Atelier"),
        Facet(
            link,
            link + len("https://exemple.fr/été?x=1".encode()),
            "link",
            "https://exemple.fr/été?x=1",
        ),
    ]
    assert raw[found[1].byte_start : found[1].byte_end].decode() == "https://exemple.fr/été?x=1"


def test_a_hash_inside_a_link_is_not_a_tag_and_bare_numbers_are_not_tags() -> None:
    text = "Voir https://exemple.fr/page#Programme et #2026"
    assert [(f.kind, f.value) for f in facets(text)] == [
        ("link", "https://exemple.fr/page#Programme")
    ]


def test_a_tag_longer_than_bluesky_allows_stays_plain_text() -> None:
    assert facets("#" + "a" * 65) == []
    assert [f.value for f in facets("#" + "a" * 64)] == ["a" * 64]


def test_facets_in_the_json_form_of_the_lexicon() -> None:
    (facet,) = facets("#CM")
    assert facet.as_json() == {
        "index": {"byteStart": 0, "byteEnd": 3},
        "features": [{"$type": "app.bsky.richtext.facet#tag", "tag": "CM"}],
    }


@given(st.text(min_size=1, max_size=80))
def test_the_record_key_is_a_tid_in_the_past_and_the_same_for_the_same_key(key: str) -> None:
    rkey = record_key(key)
    assert TID.match(rkey), rkey
    assert record_key(key) == rkey
    value = 0
    for char in rkey:
        value = value * 32 + "234567abcdefghijklmnopqrstuvwxyz".index(char)
    micros = value >> 10
    assert 1_672_531_200_000_000 <= micros < 1_672_531_200_000_000 + (1 << 44)


def test_different_variants_get_different_keys() -> None:
    keys = {record_key(f"{n:020x}-{'0' * 64}") for n in range(2000)}
    assert len(keys) == 2000
