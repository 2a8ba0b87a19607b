"""The `[[sources]]` model and the listener dispatch."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from pydantic import TypeAdapter, ValidationError

from cmbuild.watch.sources import ListenContext, ListenError, Source, listen

SOURCES: TypeAdapter[Source] = TypeAdapter(Source)


def test_each_kind_reads_its_own_keys() -> None:
    feed = SOURCES.validate_python(
        {"kind": "feed", "name": "presse", "url": "https://example.org/rss", "interval": "15m"}
    )
    assert feed.kind == "feed" and feed.interval == timedelta(minutes=15)
    tag = SOURCES.validate_python(
        {"kind": "mastodon", "name": "m", "instance": "https://m.example", "hashtag": "greve"}
    )
    assert tag.kind == "mastodon" and tag.hashtag == "greve"
    x = SOURCES.validate_python({"kind": "x", "name": "x", "query": "marque", "token_env": "X_T"})
    assert x.interval == timedelta(hours=1)


@pytest.mark.parametrize(
    ("given", "says"),
    [
        ({"kind": "feed", "name": "a", "url": "ftp://example.org/rss"}, "https://"),
        ({"kind": "feed", "name": "a", "url": "https://e.org", "interval": "soon"}, "15m"),
        ({"kind": "feed", "name": "a", "url": "https://e.org", "interval": "0m"}, "one minute"),
        ({"kind": "mastodon", "name": "m", "instance": "https://m.example"}, "hashtag"),
        ({"kind": "bluesky", "name": "b"}, "query"),
        ({"kind": "bluesky", "name": "b", "query": "q", "identifier_env": "ID"}, "both"),
        ({"kind": "x", "name": "x", "query": "q", "token_env": "lower-case"}, "pattern"),
        ({"kind": "inbox", "name": "i", "folder": "in", "url": "https://e.org"}, "Extra"),
    ],
)
def test_bad_sources_are_refused(given: dict[str, object], says: str) -> None:
    with pytest.raises(ValidationError, match=says):
        SOURCES.validate_python(given)


def test_listen_names_a_kind_this_cmbuild_cannot_read(monkeypatch: pytest.MonkeyPatch) -> None:
    from cmbuild.watch import sources

    monkeypatch.setitem(sources.LISTENERS, "x", "cmbuild.watch.no_such_listener:listen")
    source = SOURCES.validate_python({"kind": "x", "name": "x", "query": "q", "token_env": "T"})
    context = ListenContext(env={}, timeout=1, max_bytes=1000, now=datetime(2026, 1, 1, tzinfo=UTC))
    with pytest.raises(ListenError, match="cannot listen to x sources"):
        listen(source, {}, context)
