"""Finding an answer on X after an interrupted send (a crash, a timeout) without an idempotency key.

X takes no key and rewrites what it was sent, so an answer is recognised by where it is, who
wrote it, when, and its words:

- in public, the account's own posts since the send began (`GET /2/users/:id/tweets`,
  `start_time` = the pending time minus `_MARGIN`, `tweet.fields=referenced_tweets,created_at`,
  every page): the answer is a post there that replies to the item (`referenced_tweets`
  replied_to = the item's id) with the same words once normalized (`normalized`);
- in private, the conversation's events since then (`GET /2/dm_conversations/{id}/dm_events`
  for a group conversation, `.../with/:participant_id/dm_events` for a one-to-one one, newest
  first, until an event older than the window): a MessageCreate from the account with the same
  words.

Found: the answer's id. Proven absent (every post or event of the window was read, none answers
the item): None, and it is safe to send. Anything else is a doubt, raised as an `ambiguous`
PublishError and never taken for absence: the read failed, the window holds more than the pages
read, the send began less than the request timeout plus `_SETTLED` ago (it may still be under
way, and X may not list a new post at once), or the account answered the item there with other
words (by hand, or rewritten in a way not foreseen).
Sources: docs.x.com "Get Posts" (getUsersPosts), "Get DM events for a DM conversation"
(getDirectMessagesEventsByConversationId, getDirectMessagesEventsByParticipantId) and the
OpenAPI description.
"""

from __future__ import annotations

import html
import re
import unicodedata
import urllib.parse
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

from cmbuild.platforms.shared.inbox import Answer
from cmbuild.platforms.shared.publisher import PublishError, Receipt
from cmbuild.platforms.x.messages import x_time
from cmbuild.platforms.x.publisher import XPublisher
from cmbuild.stores.inbox import InboxItem
from cmbuild.text.entities import url_spans

_MARGIN = timedelta(minutes=5)  # this machine's clock against X's
_SETTLED = timedelta(seconds=30)  # how long X may take to list a new post or message
_PAGE = 100  # max_results: maximum 100 on both timelines
_MAX_PAGES = 10  # more than 1,000 posts since the send: not read to the end, a doubt
_LEADING_MENTIONS = re.compile(r"^(?:@[A-Za-z0-9_]{1,15}\s+)+")
_LINK = "\x00"  # what every link becomes: its target is X's t.co wrapper, not what was sent


def normalized(text: str) -> str:
    """`text` without what X rewrites in it: the words of an answer as X gives them back.

    X escapes `&`, `<` and `>` as HTML entities, replaces every link (with or without a
    protocol, as twitter-text finds them) by a t.co link, and starts a reply with the mentions
    of whom it answers (`@handle `) whether the text named them or not. So entities are read
    back, links become one placeholder, leading mentions are dropped and runs of spaces become
    one. This is safe because it only ever compares posts of the account itself that reply to
    this very item and were made since the send began: one of those with the same remaining
    words is this answer, or the same answer written by hand, and sending it again would say
    it twice. A reply there with other words is never taken for absence (it is a doubt).
    """
    text = unicodedata.normalize("NFC", html.unescape(text))
    spans = url_spans(text, without_protocol=True)
    for start, end in reversed(spans):
        text = text[:start] + _LINK + text[end:]
    text = " ".join(text.split())
    return _LEADING_MENTIONS.sub("", text + " ").strip()


def account_of(publisher: XPublisher) -> str:
    """The id of the account the channel's token speaks for (`GET /2/users/me`)."""
    answer = publisher.call("read the account", "GET", "/2/users/me")
    found = str((answer.get("data") or {}).get("id") or "")
    if not found:
        raise PublishError("cannot read the account: X gave no id", "transient")
    return found


def find_post(publisher: XPublisher, me: str, item: InboxItem, answer: Answer) -> Receipt | None:
    """The account's post answering `item` with `answer`'s words, since the send began."""
    start = _window(answer)
    query = {
        "start_time": start.strftime("%Y-%m-%dT%H:%M:%SZ"),
        "max_results": str(_PAGE),
        "tweet.fields": "referenced_tweets,created_at",
    }
    wanted, other = normalized(answer.text), None
    path = f"/2/users/{me}/tweets"
    for post in _read(publisher, "read the account's posts", path, query, lambda _: False):
        refs = {str(r.get("type")): str(r.get("id")) for r in post.get("referenced_tweets") or []}
        if refs.get("replied_to") != item.refs.get("id", item.remote_id):
            continue
        receipt = Receipt(
            str(post["id"]),
            f"https://x.com/i/web/status/{post['id']}",
            x_time(post["created_at"]) if post.get("created_at") else None,
        )
        if normalized(str(post.get("text") or "")) == wanted:
            return receipt
        other = other or receipt
    if other is not None:
        raise PublishError(
            f"the account answered the item on X since then with other words ({other.url})",
            "ambiguous",
        )
    _settled(answer, publisher.context.timeout)
    return None


def find_message(
    publisher: XPublisher, me: str, item: InboxItem, answer: Answer, group: str | None
) -> Receipt | None:
    """The account's direct message with `answer`'s words in the item's conversation (the
    group `group`, else the one-to-one conversation with the item's author), since the send."""
    start = _window(answer)
    query = {
        "event_types": "MessageCreate",
        "dm_event.fields": "id,text,created_at,sender_id",
        "max_results": str(_PAGE),
    }
    participant = item.refs.get("author_id", "")
    where = f"{group}" if group else f"with/{participant}"
    path = f"/2/dm_conversations/{where}/dm_events"
    wanted, other = normalized(answer.text), None
    older = _older(start)
    for event in _events(publisher, path, query, older):
        if str(event.get("sender_id") or "") != me or older(event):
            continue
        if normalized(str(event.get("text") or "")) == wanted:
            at = x_time(event["created_at"]) if event.get("created_at") else None
            return Receipt(str(event["id"]), None, at)
        other = other or str(event["id"])
    if other is not None:
        raise PublishError(
            f"the account wrote in that conversation on X since then with other words "
            f"(message {other})",
            "ambiguous",
        )
    _settled(answer, publisher.context.timeout)
    return None


def _events(
    publisher: XPublisher,
    path: str,
    query: dict[str, str],
    older: Callable[[dict[str, Any]], bool],
) -> Iterator[dict[str, Any]]:
    try:
        yield from _read(publisher, "read the conversation", path, query, older)
    except PublishError as error:
        if error.status != 403:
            raise
        raise PublishError(
            "X refused to read the conversation (HTTP 403): the token may lack the dm.read "
            "scope, or the account has left it",
            "ambiguous",
            status=403,
        ) from None


def _window(answer: Answer) -> datetime:
    """Where the read starts."""
    if answer.pending_at is None:
        raise PublishError("the interrupted send has no time to look from", "ambiguous")
    return answer.pending_at - _MARGIN


def _settled(answer: Answer, timeout: float) -> None:
    """Before an absence is believed: a doubt while the send may still be under way (its
    request lasts up to `timeout`) or too recent for X to list."""
    wait = _SETTLED + timedelta(seconds=timeout)
    if answer.pending_at is None or datetime.now(UTC) < answer.pending_at + wait:
        raise PublishError(
            f"it began less than {wait.seconds} seconds ago and X may not list it yet",
            "ambiguous",
        )


def _older(start: datetime) -> Callable[[dict[str, Any]], bool]:
    def older(event: dict[str, Any]) -> bool:
        return bool(event.get("created_at")) and x_time(event["created_at"]) < start

    return older


def _read(
    publisher: XPublisher,
    what: str,
    path: str,
    query: dict[str, str],
    past: Callable[[dict[str, Any]], bool],
) -> Iterator[dict[str, Any]]:
    """Every entry of the pages at `path` until one is `past` the window or none is left; a
    doubt when `_MAX_PAGES` do not reach the end."""
    for _ in range(_MAX_PAGES):
        answer = publisher.call(what, "GET", f"{path}?{urllib.parse.urlencode(query)}")
        reached = False
        for entry in answer.get("data") or []:
            if isinstance(entry, dict) and entry.get("id"):
                reached = reached or past(entry)
                yield entry
        token = (answer.get("meta") or {}).get("next_token")
        if not token or reached:
            return
        query["pagination_token"] = str(token)
    raise PublishError(
        f"more than {_MAX_PAGES * _PAGE} entries since then: not all of them were read",
        "ambiguous",
    )
