"""Answering on Bluesky in the chat (`chat.bsky.convo.*`, through the account's server and its
chat proxy, as `chat.py` reads).

- An item of kind `dm` is answered in its conversation (`refs.convo_id`). A private answer to a
  reply or a mention goes to the one-to-one conversation with its author, which
  `chat.bsky.convo.getConvoForMembers` finds (or opens). Then `chat.bsky.convo.sendMessage`,
  with the text's link and hashtag facets (chat.bsky.convo.defs#messageInput).
- sendMessage takes no idempotency key, so a message that may have gone out is never simply
  sent again. After a crash, or an answer lost on the way, `find_message` reads the
  conversation back (`getMessages`, newest first) for a message of the brand's account with
  exactly the answer's text, sent since the answer's pending line (less `CLOCK_MARGIN`, for the
  two clocks); only when none is there is a resend safe. A server error on sendMessage is such
  a doubt too: the chat service may have kept the message before failing.
- Refusals are named: the person does not accept messages from the brand (their
  `chat.bsky.actor.declaration` `allowIncoming`, which their profile shows as
  `associated.chat`), the app password was made without access to direct messages (the server
  refuses the chat methods to such a password with `Bad token method`).
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from atproto_client import models  # type: ignore[import-untyped]

from cmbuild.platforms.bluesky.chat import chat_time, message_page
from cmbuild.platforms.bluesky.publisher import BlueskyPublisher
from cmbuild.platforms.bluesky.record import facets
from cmbuild.platforms.shared.inbox import Answer
from cmbuild.platforms.shared.publisher import PublishError, Receipt
from cmbuild.stores.inbox import InboxItem

# The chat service's clock and ours may differ: an answer is looked for from a little before its
# pending line, so a service a few seconds behind cannot make it look unsent (and sent twice).
# The cost is only that an identical message to the same person just before counts as it.
CLOCK_MARGIN = timedelta(minutes=5)
_MAX_PAGES = 20  # 2,000 messages back: far more than a conversation gets between two runs
_SETTINGS = {  # chat.bsky.actor.declaration#allowIncoming, in the app's words
    "none": "accept direct messages from no one",
    "following": "accept direct messages only from accounts they follow",
}


def send_message(publisher: BlueskyPublisher, item: InboxItem, answer: Answer) -> Receipt:
    """Send `answer` to `item`'s author in the chat; where it now is."""
    convo = _convo(publisher, item)
    message: dict[str, Any] = {"text": answer.text}
    found = facets(answer.text, {})
    if found:
        message["facets"] = [facet.as_json() for facet in found]
    data = models.ChatBskyConvoSendMessage.Data.model_validate(
        {"convoId": convo, "message": message}
    )
    try:
        sent = publisher.chat(
            "send the direct message",
            lambda api: api.chat.bsky.convo.send_message(data),
            repeatable=False,
        )
    except PublishError as error:
        if error.kind == "transient" and (error.status or 0) >= 500:
            raise PublishError(error.message, "ambiguous", status=error.status) from None
        raise refusal(publisher, item, error) from None
    return _receipt(convo, sent)


def find_message(publisher: BlueskyPublisher, item: InboxItem, answer: Answer) -> Receipt | None:
    """The brand's message with the answer's text sent since `answer.pending_at`, if it is there."""
    if answer.pending_at is None:
        raise PublishError(
            f"cmbuild cannot tell whether the answer to {item.id} went out (no time to look "
            "back from): look in the Bluesky app's conversation, then `cmbuild resolve`"
        )
    convo = _convo(publisher, item)
    me = publisher.did
    cursor: str | None = None
    for _ in range(_MAX_PAGES):
        page = message_page(publisher, convo, cursor, "look the direct message up")
        for message in page.messages:
            sent_at = getattr(message, "sent_at", None)
            if sent_at is None or _at(sent_at) < answer.pending_at - CLOCK_MARGIN:
                return None  # newest first: everything further is older than the answer
            sender = getattr(message, "sender", None)
            if str(getattr(sender, "did", "")) == me and getattr(message, "text", None) == (
                answer.text
            ):
                return _receipt(convo, message)
        cursor = page.cursor
        if not cursor or not page.messages:
            return None
    raise PublishError(
        f"more than {_MAX_PAGES * 100} messages since the answer to {item.id} was sent: look in "
        "the Bluesky app's conversation, then `cmbuild resolve`"
    )


def refusal(publisher: BlueskyPublisher, item: InboxItem, error: PublishError) -> PublishError:
    """`error` in a community manager's words, where the chat refused the brand."""
    if "Bad token method" in error.message:  # the PDS's answer to a password without chat
        return PublishError(
            f"Bluesky refused the direct message (HTTP {error.status}): the app password has no "
            'access to direct messages; create one with "Allow access to your direct messages" '
            f"for channels.{publisher.channel.name}, or answer in public",
            "config",
            status=error.status,
        )
    if error.status != 400:
        return error
    setting = _their_setting(publisher, item)
    why = f"they {setting}" if setting else f"the chat service says: {_said(error.message)}"
    return PublishError(
        f"@{item.author_handle} does not accept direct messages from the brand on Bluesky "
        f"({why}): answer in public, or wait until they write to the brand",
        "permanent",
        status=400,
    )


def _convo(publisher: BlueskyPublisher, item: InboxItem) -> str:
    """The conversation an answer to `item` goes to."""
    if item.kind == "dm":
        convo = item.refs.get("convo_id")
        if not convo:
            raise PublishError(f"the item {item.id} has no conversation to answer in")
        return convo
    if not item.author_id.startswith("did:"):
        raise PublishError(f"the item {item.id} has no author to write to")
    params = models.ChatBskyConvoGetConvoForMembers.Params(members=[item.author_id])
    try:
        found = publisher.chat(
            "open the conversation",
            lambda api: api.chat.bsky.convo.get_convo_for_members(params),
        )
    except PublishError as error:
        raise refusal(publisher, item, error) from None
    return str(found.convo.id)


def _their_setting(publisher: BlueskyPublisher, item: InboxItem) -> str | None:
    """What the person's profile says about who may write to them, if it says it."""
    params = models.AppBskyActorGetProfile.Params(actor=item.author_id)
    try:
        profile = publisher.read(
            "read the person's profile", lambda api: api.app.bsky.actor.get_profile(params)
        )
    except PublishError:
        return None  # the refusal is named anyway, with the chat service's own words
    chat = getattr(getattr(profile, "associated", None), "chat", None)
    return _SETTINGS.get(str(getattr(chat, "allow_incoming", "")))


def _said(message: str) -> str:
    """The server's words within a PublishError's message (after its `HTTP 400: ` part)."""
    said = message.split("HTTP 400: ", 1)[-1].rstrip(")")
    return said.removeprefix("400 InvalidRequest: ")


def _receipt(convo: str, message: Any) -> Receipt:
    return Receipt(
        f"{convo}/{message.id}",
        f"https://bsky.app/messages/{convo}",
        chat_time(message.sent_at),
    )


def _at(value: Any) -> datetime:
    """A chat timestamp to the millisecond (`chat_time` keeps seconds only)."""
    at = datetime.fromisoformat(str(value).replace("Z", "+00:00"))
    return at if at.tzinfo else at.replace(tzinfo=UTC)
