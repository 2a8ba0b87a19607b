"""Listening on Mastodon through Mastodon.py, against mastodon_mock: the hashtag timeline with
statuses other accounts post, the `since_id` cursor and its older pages, the link timeline's
request, and the faults the mock injects as a server gives them (429, 5xx, 404, a hang)."""

from __future__ import annotations

import json
import urllib.parse
import urllib.request
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler
from typing import Any

import pytest

from cmbuild.platforms.mastodon.listen import listen
from cmbuild.watch.sources import ListenContext, ListenError, MastodonSource
from tests.push.mastodon_gate import MastodonGate

NOW = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)


def source(url: str, **kind: str) -> MastodonSource:
    given: dict[str, Any] = kind or {"hashtag": "cmbordeaux"}
    return MastodonSource(name="masto-tag", kind="mastodon", instance=url, **given)


def context(env: dict[str, str] | None = None, timeout: float = 5.0) -> ListenContext:
    return ListenContext(env=env or {}, timeout=timeout, max_bytes=1_000_000, now=NOW)


def post(mastodon: Any, who: str, text: str) -> dict[str, Any]:
    status: dict[str, Any] = mastodon.client(token=f"{who}_token").status_post(text)
    return status


def fault(mastodon: Any, path: str, effect: dict[str, Any]) -> None:
    rule = {"match": {"path": path}, "effect": effect, "count": 1}
    request = urllib.request.Request(
        f"{mastodon.base_url}/api/v1/_mock/faults",
        data=json.dumps(rule).encode(),
        headers={"Content-Type": "application/json"},
        method="POST",
    )
    with urllib.request.urlopen(request, timeout=10):
        pass


def test_statuses_with_the_hashtag_are_heard_as_text_and_the_next_run_only_new_ones(
    mastodon: Any,
) -> None:
    first = post(mastodon, "bob", "Grève annoncée chez #cmbordeaux https://cm-bordeaux.fr/greve")
    post(mastodon, "bob", "Un autre sujet #ailleurs")
    second = post(mastodon, "alice", "Les ateliers #CMBordeaux sont annulés ?")
    heard = listen(source(mastodon.base_url), {}, context())
    assert [h.uri for h in heard.items] == [second["uri"], first["uri"]]
    older = heard.items[1]
    assert older.author == "@bob" and older.url == first["url"]
    assert "Grève annoncée chez #cmbordeaux" in older.text
    assert "https://cm-bordeaux.fr/greve" in older.text  # links are kept: domains can match
    assert "<" not in older.text  # the HTML is read, not kept
    assert older.title == older.text.splitlines()[0]
    assert older.published is not None and older.published.tzinfo == UTC
    assert heard.cursor == {"since_id": str(second["id"])}

    third = post(mastodon, "bob", "Mise à jour #cmbordeaux")
    again = listen(source(mastodon.base_url), heard.cursor, context())
    assert [h.uri for h in again.items] == [third["uri"]]
    assert again.cursor == {"since_id": str(third["id"])}
    quiet = listen(source(mastodon.base_url, hashtag="#cmbordeaux"), again.cursor, context())
    assert quiet.items == () and quiet.cursor == again.cursor


def test_a_busy_hashtag_is_read_down_to_the_cursor_page_by_page(mastodon: Any) -> None:
    start = post(mastodon, "bob", "Avant #cmbordeaux")
    later = [post(mastodon, "alice", f"Message {n} #cmbordeaux")["uri"] for n in range(45)]
    heard = listen(source(mastodon.base_url), {"since_id": str(start["id"])}, context())
    assert [h.uri for h in heard.items] == later[::-1]


class RecordingGate(MastodonGate):
    """The gate in front of the mock, recording each request's path and query."""

    def __init__(self, target: str) -> None:
        super().__init__(target)
        self.paths: list[str] = []

    def handle(self, handler: BaseHTTPRequestHandler) -> None:
        self.paths.append(handler.path)
        super().handle(handler)


def test_the_link_timeline_is_asked_with_the_link_encoded(mastodon: Any) -> None:
    link = "https://cm-bordeaux.fr/atelier?id=3&utm_source=x#haut"
    with RecordingGate(mastodon.base_url) as gate:
        heard = listen(source(gate.url, link=link), {"since_id": "7"}, context())
    assert heard.items == () and heard.cursor == {"since_id": "7"}
    (asked,) = [p for p in gate.paths if p.startswith("/api/v1/timelines/link")]
    query = urllib.parse.parse_qs(urllib.parse.urlsplit(asked).query)
    assert query["url"] == [link] and query["since_id"] == ["7"]


def test_a_link_that_is_not_trending_is_said_as_the_reason(mastodon: Any) -> None:
    fault(mastodon, "/api/v1/timelines/link", {"type": "status", "status": 404})
    with pytest.raises(ListenError, match="among its trending links"):
        listen(source(mastodon.base_url, link="https://cm-bordeaux.fr/"), {}, context())


def test_a_rate_limit_gives_the_wait_and_a_server_error_is_named(mastodon: Any) -> None:
    fault(mastodon, "/api/v1/timelines/tag/*", {"type": "ratelimit"})
    with pytest.raises(ListenError, match=r"rate limited \(HTTP 429\)") as limited:
        listen(source(mastodon.base_url), {}, context())
    assert limited.value.retry_after == 300.0
    fault(mastodon, "/api/v1/timelines/tag/*", {"type": "status", "status": 503})
    with pytest.raises(ListenError, match=r"server error \(HTTP 503\)"):
        listen(source(mastodon.base_url), {}, context())


def test_a_hanging_server_is_a_timeout(mastodon: Any) -> None:
    fault(mastodon, "/api/v1/timelines/tag/*", {"type": "timeout", "delay_ms": 3000})
    with pytest.raises(ListenError, match="did not answer in time"):
        listen(source(mastodon.base_url), {}, context(timeout=0.5))


def test_a_token_variable_that_is_not_set_is_named(mastodon: Any) -> None:
    closed = source(mastodon.base_url, hashtag="cmbordeaux", token_env="CMB_MASTODON_READ")
    with pytest.raises(ListenError, match="CMB_MASTODON_READ is not set"):
        listen(closed, {}, context())
    post(mastodon, "bob", "Avec jeton #cmbordeaux")
    heard = listen(closed, {}, context({"CMB_MASTODON_READ": "alice_token"}))
    assert len(heard.items) == 1
