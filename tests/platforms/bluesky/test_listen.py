"""Listening on the real Bluesky network with its AppView: posts by other accounts naming the
brand's words, or linking to its site, are found by `app.bsky.feed.searchPosts` through the
brand account's server; a second listen with the cursor finds only the new ones."""

from __future__ import annotations

import itertools
import os
from datetime import UTC, datetime

import pytest
from atproto import client_utils

from cmbuild.platforms.bluesky.listen import listen
from cmbuild.watch.sources import BlueskySource, ListenContext, ListenError
from tests.platforms.bluesky.appview import BlueskyNetwork

pytestmark = pytest.mark.appview
NOW = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)
_names = itertools.count(1)


def name(prefix: str) -> str:
    return f"{prefix}{os.getpid() % 10000}l{next(_names)}"


def source(network: BlueskyNetwork, **search: str) -> BlueskySource:
    return BlueskySource(
        name="bsky-veille",
        kind="bluesky",
        service=network.pds_url,
        identifier_env="CMB_BLUESKY_HANDLE",
        password_env="CMB_BLUESKY_APP_PASSWORD",
        **search,  # type: ignore[arg-type]
    )


def context(env: dict[str, str]) -> ListenContext:
    return ListenContext(env=env, timeout=10.0, max_bytes=1_000_000, now=NOW)


def test_posts_naming_the_words_are_found_and_the_cursor_finds_only_new_ones(
    bluesky_network: BlueskyNetwork,
) -> None:
    brand = bluesky_network.make_account(name("brand"))
    bob_account = bluesky_network.make_account(name("bob"))
    bob = bluesky_network.client(bob_account)
    word = f"grevecmb{os.getpid() % 10000}"
    first = bob.send_post(f"Une {word} annoncée demain")
    bob.send_post("Rien à voir")
    bluesky_network.process_all()
    heard = listen(source(bluesky_network, query=word), {}, context(brand.env))
    assert [h.uri for h in heard.items] == [first.uri]
    (item,) = heard.items
    assert item.author == f"@{bob_account.handle}"
    assert item.text == f"Une {word} annoncée demain" and item.title == item.text
    assert item.url is not None and item.url.endswith(first.uri.rsplit("/", 1)[1])
    assert item.published is not None and item.published.tzinfo == UTC
    assert heard.cursor["since"] and heard.cursor["at"] == first.uri

    second = bob.send_post(f"La {word} continue")
    bluesky_network.process_all()
    again = listen(source(bluesky_network, query=word), heard.cursor, context(brand.env))
    assert [h.uri for h in again.items] == [second.uri]
    quiet = listen(source(bluesky_network, query=word), again.cursor, context(brand.env))
    assert quiet.items == ()


def test_posts_linking_to_the_domain_are_found_and_mere_mentions_left_out(
    bluesky_network: BlueskyNetwork,
) -> None:
    brand = bluesky_network.make_account(name("brand"))
    carol = bluesky_network.client(bluesky_network.make_account(name("carol")))
    domain = f"cmb{os.getpid() % 10000}.example"
    linked = (
        client_utils.TextBuilder()
        .text("Tarifs : ")
        .link(f"{domain}/tarifs", f"https://www.{domain}/tarifs")
    )
    found = carol.send_post(linked)
    carol.send_post(f"J'ai entendu parler de {domain} sans lien")
    bluesky_network.process_all()
    heard = listen(source(bluesky_network, domain=domain), {}, context(brand.env))
    assert [h.uri for h in heard.items] == [found.uri]
    assert f"https://www.{domain}/tarifs" in heard.items[0].text


def test_missing_or_refused_credentials_are_named(bluesky_network: BlueskyNetwork) -> None:
    with pytest.raises(ListenError, match="CMB_BLUESKY_HANDLE is not set"):
        listen(source(bluesky_network, query="x"), {}, context({}))
    env = {"CMB_BLUESKY_HANDLE": "nobody.test", "CMB_BLUESKY_APP_PASSWORD": "wrong-pass"}
    with pytest.raises(ListenError, match="check CMB_BLUESKY_HANDLE and CMB_BLUESKY_APP_PASSWORD"):
        listen(source(bluesky_network, query="x"), {}, context(env))
