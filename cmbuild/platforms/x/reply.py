"""Answering on X (API v2): in public, `POST /2/tweets` with `reply.in_reply_to_tweet_id` = the
item (X adds the mention of the people answered itself, outside the 280 counted characters);
in private, a direct message in the item's conversation: an item of kind `dm` is always answered
there (a direct message is never answered in public), `POST /2/dm_conversations/:id/messages`
for a group conversation, `POST /2/dm_conversations/with/:participant_id/messages` to its author
for a one-to-one one (and for a private answer to a public item). Sources: docs.x.com "Create or
Edit Post", "Create DM message by conversation ID", "Create DM message by participant ID" and
the OpenAPI description (createPosts, createDirectMessagesByConversationId,
createDirectMessagesByParticipantId).

X takes no idempotency key, so a send interrupted between X and the ledger is looked up
(`cmbuild.platforms.x.answered`): found, it is recorded with its id; proven absent, it is sent;
in doubt, it stays pending, to be checked on X and settled with `cmbuild resolve`.
A 403 on a direct message is X refusing that conversation (the person accepts messages only
from accounts they follow, the account left the group, or the token lacks `dm.write`), not a
token to renew.
"""

from __future__ import annotations

from typing import ClassVar

from cmbuild.platforms.shared.inbox import Answer, ReplySender
from cmbuild.platforms.shared.publisher import PublishError, Receipt
from cmbuild.platforms.x.answered import account_of, find_message, find_post
from cmbuild.platforms.x.publisher import XPublisher, data_id
from cmbuild.stores.inbox import InboxItem


class XReply(ReplySender[XPublisher]):
    can_dm: ClassVar[bool] = True
    can_find: ClassVar[bool] = True

    def send(self, item: InboxItem, answer: Answer) -> Receipt:
        if _private(item, answer):
            return self._message(item, answer)
        post_id = item.refs.get("id")
        if not post_id:
            raise PublishError(f"the item {item.id} has no post id to answer")
        payload = {"text": answer.text, "reply": {"in_reply_to_tweet_id": post_id}}
        created = data_id(
            self.publisher.post("post the answer", "/2/tweets", payload), "post the answer"
        )
        return Receipt(created, f"https://x.com/i/web/status/{created}")

    def find(self, item: InboxItem, answer: Answer) -> Receipt | None:
        me = account_of(self.publisher)
        if _private(item, answer):
            return find_message(self.publisher, me, item, answer, _group(item))
        return find_post(self.publisher, me, item, answer)

    def exists(self, item: InboxItem) -> bool:
        if item.kind == "dm":  # a direct message is not a post; the person can still be written to
            return True
        answer = self.publisher.call(
            "check the item is still there", "GET", f"/2/tweets?ids={item.remote_id}"
        )
        return any(str(post.get("id")) == item.remote_id for post in answer.get("data") or [])

    def _message(self, item: InboxItem, answer: Answer) -> Receipt:
        participant = item.refs.get("author_id")
        if not participant:
            raise PublishError(f"the item {item.id} has no author to write to")
        group = _group(item)
        where = group or f"with/{participant}"
        path = f"/2/dm_conversations/{where}/messages"
        try:
            sent = self.publisher.post("send the direct message", path, {"text": answer.text})
        except PublishError as error:
            if error.status != 403:
                raise
            why = (
                "the account may have left that group conversation"
                if group
                else f"@{item.author_handle} may accept messages only from accounts they follow"
            )
            raise PublishError(
                f"X refused the direct message to @{item.author_handle} (HTTP 403): {why}, or "
                "the token lacks the dm.write scope; answer in public or ask them to write first",
                "permanent",
                status=403,
            ) from None
        return Receipt(data_id(sent, "send the direct message", "dm_event_id"))


def _private(item: InboxItem, answer: Answer) -> bool:
    return answer.private or item.kind == "dm"  # a direct message is never answered in public


def _group(item: InboxItem) -> str | None:
    """The item's group conversation, if it came from one (a one-to-one conversation's id is
    its two participants' ids, `<id>-<id>`)."""
    conversation = item.refs.get("conversation_id", "")
    participant = item.refs.get("author_id", "")
    if item.kind != "dm" or not conversation or participant in conversation.split("-"):
        return None
    return conversation
