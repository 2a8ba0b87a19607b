"""Answering on X (API v2): in public, `POST /2/tweets` with `reply.in_reply_to_tweet_id` = the
item (X adds the mention of the people answered itself, outside the 280 counted characters);
in private, `POST /2/dm_conversations/with/:participant_id/messages` to the item's author
(always, for an item of kind `dm`: the answer lands in the same one-to-one conversation; a
group conversation is refused, to be answered on X). Sources: docs.x.com "Create or Edit
Post", "Create DM message by participant ID" and the OpenAPI description (createPosts,
createDirectMessagesByParticipantId).

X takes no idempotency key and changes the text it was sent (t.co links), so an answer cannot be
looked up after a crash or a timeout, nor safely sent again: such a send stays pending, to be
checked on X and settled with `cmbuild resolve` (`can_find` and `resend_is_safe` are false).
A 403 on a direct message is X refusing that conversation (the person accepts messages only
from accounts they follow, or the token lacks `dm.write`), not a token to renew.
"""

from __future__ import annotations

from typing import ClassVar

from cmbuild.platforms.shared.inbox import Answer, ReplySender
from cmbuild.platforms.shared.publisher import PublishError, Receipt
from cmbuild.platforms.x.publisher import XPublisher, data_id
from cmbuild.stores.inbox import InboxItem


class XReply(ReplySender[XPublisher]):
    can_dm: ClassVar[bool] = True

    def send(self, item: InboxItem, answer: Answer) -> Receipt:
        if answer.private or item.kind == "dm":  # a direct message is never answered in public
            return self._message(item, answer)
        post_id = item.refs.get("id")
        if not post_id:
            raise PublishError(f"the item {item.id} has no post id to answer")
        payload = {"text": answer.text, "reply": {"in_reply_to_tweet_id": post_id}}
        created = data_id(
            self.publisher.post("post the answer", "/2/tweets", payload), "post the answer"
        )
        return Receipt(created, f"https://x.com/i/web/status/{created}")

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
        conversation = item.refs.get("conversation_id", "")
        if item.kind == "dm" and participant not in conversation.split("-"):
            raise PublishError(
                f"the item {item.id} is in a group conversation on X: answer it there (cmbuild "
                "answers direct messages in the one-to-one conversation with their author)",
                "permanent",
            )
        path = f"/2/dm_conversations/with/{participant}/messages"
        try:
            sent = self.publisher.post("send the direct message", path, {"text": answer.text})
        except PublishError as error:
            if error.status != 403:
                raise
            raise PublishError(
                f"X refused the direct message to @{item.author_handle} (HTTP 403): they may "
                "accept messages only from accounts they follow, or the token lacks the "
                "dm.write scope; answer in public or ask them to write first",
                "permanent",
                status=403,
            ) from None
        return Receipt(data_id(sent, "send the direct message", "dm_event_id"))
