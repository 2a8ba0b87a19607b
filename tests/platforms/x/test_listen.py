"""Listening on X: recent search against the fake checked against X's OpenAPI description
(tests/platforms/x/search_fake.py); faults as X gives them (401, 429 with x-rate-limit-reset,
5xx, a hang)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime

import pytest

from cmbuild.platforms.x.listen import listen
from cmbuild.watch.sources import ListenContext, ListenError, XSource
from tests.platforms.x.search_fake import SearchingX
from tests.platforms.x.test_publisher import TOKEN
from tests.push.servers import Fault, FaultServer

NOW = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)
ENV = {"CMB_X_BEARER": TOKEN}


@pytest.fixture
def x() -> Iterator[SearchingX]:
    with SearchingX() as server:
        yield server


def source(url: str, query: str = "grève cm-bordeaux") -> XSource:
    return XSource(name="x-greve", kind="x", query=query, token_env="CMB_X_BEARER", api_base=url)


def context(env: dict[str, str] = ENV, timeout: float = 5.0) -> ListenContext:
    return ListenContext(env=env, timeout=timeout, max_bytes=1_000_000, now=NOW)


def test_posts_matching_the_query_are_heard_and_the_next_run_asks_since_the_newest(
    x: SearchingX,
) -> None:
    first = x.say("Grève chez cm-bordeaux demain ?", "lea", "2026-12-01T07:00:00.000Z")
    x.say("Rien à voir", "tom", "2026-12-01T07:30:00.000Z")
    second = x.say("La grève de cm-bordeaux\nsuite", "tom", "2026-12-01T08:00:00.000Z")
    heard = listen(source(x.url), {}, context())
    assert x.rejected == []
    assert [h.uri for h in heard.items] == [
        f"https://x.com/i/web/status/{second}",
        f"https://x.com/i/web/status/{first}",
    ]
    newest = heard.items[0]
    assert newest.url == f"https://x.com/tom/status/{second}"
    assert (newest.title, newest.author) == ("La grève de cm-bordeaux", "@tom")
    assert newest.text == "La grève de cm-bordeaux\nsuite"
    assert newest.published == datetime(2026, 12, 1, 8, 0, tzinfo=UTC)
    assert heard.cursor == {"since_id": second}
    (asked,) = x.searches
    assert asked["tweet.fields"] == ["created_at", "author_id"]
    assert asked["expansions"] == ["author_id"] and "since_id" not in asked

    third = x.say("cm-bordeaux : la grève est finie", "lea", "2026-12-01T08:30:00.000Z")
    again = listen(source(x.url), heard.cursor, context())
    assert [h.uri for h in again.items] == [f"https://x.com/i/web/status/{third}"]
    assert x.searches[-1]["since_id"] == [second]
    assert again.cursor == {"since_id": third}
    quiet = listen(source(x.url), again.cursor, context())
    assert quiet.items == () and quiet.cursor == {"since_id": third}


def test_pages_are_followed_with_next_token(x: SearchingX) -> None:
    ids = [x.say(f"grève cm-bordeaux {n}", "lea", "2026-12-01T07:00:00Z") for n in range(230)]
    heard = listen(source(x.url), {}, context())
    assert x.rejected == []
    assert len(heard.items) == 230 and len({h.uri for h in heard.items}) == 230
    assert [q.get("next_token") for q in x.searches] == [None, ["100"], ["200"]]
    assert heard.cursor == {"since_id": ids[-1]}


def test_a_missing_or_refused_token_is_named_by_its_variable_never_shown(x: SearchingX) -> None:
    with pytest.raises(ListenError, match="CMB_X_BEARER is not set"):
        listen(source(x.url), {}, context(env={}))
    x.refuse_token = True
    with pytest.raises(ListenError) as refused:
        listen(source(x.url), {}, context())
    assert "refused the token in CMB_X_BEARER (HTTP 401)" in str(refused.value)
    assert TOKEN not in str(refused.value)


def test_a_rate_limit_says_when_the_window_ends(x: SearchingX) -> None:
    reset = int(NOW.timestamp()) + 420
    x.faults = [(429, {"x-rate-limit-reset": str(reset), "x-rate-limit-remaining": "0"})]
    with pytest.raises(ListenError, match="rate limited") as limited:
        listen(source(x.url), {"since_id": "5"}, context())
    assert limited.value.retry_after == 420.0
    x.faults = [(429, {"Retry-After": "30"})]
    with pytest.raises(ListenError) as told:
        listen(source(x.url), {}, context())
    assert told.value.retry_after == 30.0


def test_a_server_error_and_a_bad_query_are_said_plainly(x: SearchingX) -> None:
    x.faults = [(503, {})]
    with pytest.raises(ListenError, match=r"server error \(HTTP 503\)"):
        listen(source(x.url), {}, context())
    with pytest.raises(ListenError, match=r"refused the search \(HTTP 400\).*check `query`"):
        listen(source(x.url, query="x" * 5000), {}, context())


def test_a_hang_is_a_timeout_and_an_oversized_answer_is_not_read() -> None:
    hang = FaultServer([Fault(action="timeout", delay=1.0)])
    with hang, pytest.raises(ListenError, match=r"no answer within 0\.2 s"):
        listen(source(hang.url), {}, context(timeout=0.2))
    big = b'{"data": [], "padding": "' + b"x" * 2_000_000 + b'"}'
    flood = FaultServer([Fault(200, body=big)])
    with flood, pytest.raises(ListenError, match="over 1,000,000 bytes"):
        listen(source(flood.url), {}, context())
