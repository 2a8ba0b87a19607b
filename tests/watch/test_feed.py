"""The feed listener against a local server answering with real-world feed shapes."""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import UTC, datetime

import pytest

from cmbuild.watch.feed import listen
from cmbuild.watch.sources import FeedSource, ListenContext, ListenError
from tests.watch.feeds import ETAG, LAST_MODIFIED, FeedServer

CONTEXT = ListenContext(
    env={}, timeout=1.0, max_bytes=5_000_000, now=datetime(2026, 12, 1, 9, tzinfo=UTC)
)


@pytest.fixture(scope="module")
def server() -> Iterator[FeedServer]:
    with FeedServer() as running:
        yield running


def _source(server: FeedServer, path: str) -> FeedSource:
    return FeedSource(kind="feed", name="presse", url=f"{server.url}{path}")


@pytest.mark.parametrize("path", ["/rss", "/bom", "/gzip", "/moved"])
def test_rss_in_every_wrapping_gives_the_same_items(server: FeedServer, path: str) -> None:
    items = listen(_source(server, path), {}, CONTEXT).items
    assert [i.title for i in items] == [
        "Grève des transports à Bordeaux : les trams à l'arrêt",
        "Marché de Noël ouvert",
    ]
    first = items[0]
    assert first.uri == first.url == "https://www.sudouest.example/bordeaux/greve-tram-123.html"
    assert first.text == "Le mouvement social se durcit."
    assert first.published == datetime(2026, 12, 1, 6, 30, tzinfo=UTC)


def test_atom_entries_carry_id_author_and_summary(server: FeedServer) -> None:
    (item,) = listen(_source(server, "/atom"), {}, CONTEXT).items
    assert (item.uri, item.url, item.title, item.author) == (
        "urn:uuid:e1",
        "https://blog.example/concert-annule",
        "Concert annulé ce soir",
        "Léa",
    )
    assert item.text == "La salle est fermée."


def test_google_alerts_titles_lose_their_markup(server: FeedServer) -> None:
    (item,) = listen(_source(server, "/alerts"), {}, CONTEXT).items
    assert item.title == "Les élèves de CM Bordeaux & la grève"
    assert item.text == "Les élèves manifestent"
    assert item.uri == "tag:google.com,2013:googlealerts/feed:789"


def test_html_in_rss_titles_is_read_as_text(server: FeedServer) -> None:
    items = listen(_source(server, "/html-titles"), {}, CONTEXT).items
    assert items[1].title == "Exclusif : rappel produit & lait"


def test_a_conditional_get_gets_304_and_keeps_the_cursor(server: FeedServer) -> None:
    first = listen(_source(server, "/conditional"), {}, CONTEXT)
    assert len(first.items) == 2
    assert first.cursor == {"etag": ETAG, "last_modified": LAST_MODIFIED}
    again = listen(_source(server, "/conditional"), first.cursor, CONTEXT)
    assert again.items == () and again.cursor == first.cursor
    assert server.requests[-1] == ("/conditional", ETAG, LAST_MODIFIED)


@pytest.mark.parametrize(
    ("path", "says"),
    [
        ("/malformed", "malformed"),
        ("/huge", "larger than 5 MB"),
        ("/hang", "no answer within 1 s"),
        ("/status/401", "refused access (HTTP 401)"),
        ("/status/429", "slow down (HTTP 429)"),
        ("/status/503", "failing (HTTP 503)"),
        ("/status/404", "HTTP 404"),
        ("/to-file", "not a web address"),
        ("/loop", "more than 5 redirects"),
    ],
)
def test_a_bad_feed_is_a_listen_error_naming_the_problem(
    server: FeedServer, path: str, says: str
) -> None:
    with pytest.raises(ListenError, match=re.escape(says)) as raised:
        listen(_source(server, path), {}, CONTEXT)
    if path in ("/status/429", "/status/503"):
        assert raised.value.retry_after == 120.0
