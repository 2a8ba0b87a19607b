"""Facets and record keys of Bluesky posts (no server needed; test_publisher.py beside this file
checks them on the real PDS)."""

from __future__ import annotations

import re

from hypothesis import given
from hypothesis import strategies as st

from cmbuild.platforms.bluesky.record import Facet, facets, mentioned_handles, record_key

# atproto's TID syntax (packages/syntax/src/tid.ts): 13 base32-sortable characters.
TID = re.compile(r"^[234567abcdefghij][234567abcdefghijklmnopqrstuvwxyz]{12}$")
BOB = "did:plc:bob"


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


def test_a_mention_covers_the_utf8_bytes_of_the_at_and_the_handle() -> None:
    text = "Été 🎉👩‍👩‍👧 merci @bob.test, et #Atelier"
    raw = text.encode()
    start = raw.index(b"@bob.test")
    assert start != text.index("@bob.test")
    found = facets(text, {"bob.test": BOB})
    assert found[0] == Facet(start, start + len(b"@bob.test"), "mention", BOB)
    assert found[0].as_json() == {
        "index": {"byteStart": start, "byteEnd": start + 9},
        "features": [{"$type": "app.bsky.richtext.facet#mention", "did": BOB}],
    }
    assert [f.kind for f in found] == ["mention", "tag"]


def test_a_handle_without_a_did_stays_plain_text() -> None:
    text = "@nobody.test et @bob.test"
    assert mentioned_handles(text) == ["nobody.test", "bob.test"]
    assert [f.value for f in facets(text, {"bob.test": BOB})] == [BOB]
    assert facets(text) == []


def test_what_is_not_a_mention() -> None:
    # An address, a name without a domain, a glued `@`, an unknown top-level domain, and an `@`
    # inside a link (which the link facet covers).
    text = "contact@exemple.fr @bob x@bob.test @bob.notatld https://exemple.fr/(@bob.test)"
    assert [f.kind for f in facets(text, {"bob.test": BOB, "bob.notatld": BOB})] == ["link"]


def test_handles_ignore_case_and_are_asked_for_once() -> None:
    # As in the Bluesky app, the top-level domain must be written in lower case to be recognised.
    text = "@Bob.Bsky.social et @bob.bsky.social. @Bob.Bsky.Social"
    assert mentioned_handles(text) == ["bob.bsky.social"]
    found = facets(text, {"bob.bsky.social": BOB})
    raw = text.encode()
    assert [raw[f.byte_start : f.byte_end].decode() for f in found] == [
        "@Bob.Bsky.social",
        "@bob.bsky.social",
    ]


_PIECES = st.sampled_from(
    ["@bob.test", "@al-ice.bsky.social", " ", "(", ".", "é", "🎉", "👩‍👩‍👧", "x", "https://a.fr/"]
)


@given(st.lists(_PIECES | st.text(max_size=3), max_size=20).map("".join))
def test_every_mention_facet_covers_exactly_its_handle(text: str) -> None:
    dids = {handle: f"did:plc:{handle}" for handle in mentioned_handles(text)}
    raw = text.encode()
    last_end = 0
    for facet in facets(text, dids):
        assert last_end <= facet.byte_start < facet.byte_end <= len(raw)
        last_end = facet.byte_end
        if facet.kind == "mention":
            covered = raw[facet.byte_start : facet.byte_end].decode()
            assert "did:plc:" + covered[1:].lower() == facet.value
