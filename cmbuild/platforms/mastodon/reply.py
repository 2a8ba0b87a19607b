"""Answering on Mastodon: a status with `in_reply_to_id` = the item, posted with an
`Idempotency-Key` (docs.joinmastodon.org/methods/statuses/#create: the server keeps a key for an
hour and answers a repeated one with the status it already created, so a resend adds nothing).

The answer starts with the author's `@acct` unless it already names them: Mastodon delivers and
notifies a status to the accounts it mentions, and a direct one reaches no one else. The mention
is part of the composed text, so the charter and the length check see it (a remote
`@user@domain` counts as `@user`, as the server counts it). A private answer, or any answer to a
direct message, has `visibility = direct`: a private conversation is never answered in public.
Otherwise the answer takes the channel's visibility, or the item's where that is narrower
(`private`, followers only, stays `private`), as Mastodon's own composer does.

After a crash, `find` reads the item's context for a status of the brand's account answering it
whose source text is the answer's.
"""

from __future__ import annotations

import functools
import re
from typing import Any, ClassVar

from cmbuild.manifest.reader import text_digest
from cmbuild.platforms.mastodon.publisher import VISIBILITIES, MastodonPublisher, receipt
from cmbuild.platforms.shared.inbox import Answer, ReplySender
from cmbuild.platforms.shared.publisher import PublishError, Receipt
from cmbuild.stores.inbox import InboxItem


class MastodonReply(ReplySender[MastodonPublisher]):
    can_dm: ClassVar[bool] = True
    can_find: ClassVar[bool] = True
    resend_is_safe: ClassVar[bool] = True

    @classmethod
    def address(cls, handle: str, text: str, private: bool) -> str:
        del private  # public or direct, only the accounts mentioned are notified
        if not handle or _mentions(text, handle):
            return text
        return f"@{handle} {text}"

    def send(self, item: InboxItem, answer: Answer) -> Receipt:
        in_reply_to = item.refs.get("id")
        if not in_reply_to:
            raise PublishError(f"the item {item.id} has no status id to answer")
        private = answer.private or item.kind == "dm"
        visibility = "direct" if private else self._visibility(item)
        status = self.publisher.read(
            "post the answer",
            lambda api: api.status_post(
                answer.text,
                in_reply_to_id=in_reply_to,
                visibility=visibility,
                language=answer.language.split("-")[0].lower() if answer.language else None,
                idempotency_key=answer.key,
            ),
        )
        return receipt(status)

    def _visibility(self, item: InboxItem) -> str:
        """The channel's visibility, or the item's where it is narrower (as Mastodon's own
        composer answers): a followers-only status is not answered in public."""
        chosen = self.publisher.option("visibility", "public") or "public"
        asked = item.refs.get("visibility", "public")
        ranks = {name: rank for rank, name in enumerate(VISIBILITIES)}
        return max(chosen, asked, key=lambda name: ranks.get(name, 0))

    def find(self, item: InboxItem, answer: Answer) -> Receipt | None:
        me = self.publisher.read("read the account", lambda api: api.me())
        context = self.publisher.read(
            "read the item's thread", lambda api: api.status_context(item.remote_id)
        )
        wanted = text_digest(answer.text)
        for status in context["descendants"]:
            ours = str(status["account"]["id"]) == str(me["id"])
            if not ours or str(status.get("in_reply_to_id")) != item.remote_id:
                continue
            source: Any = self.publisher.read(
                "read a status's source",
                functools.partial(_source, status_id=str(status["id"])),
            )
            if text_digest(str(source["text"])) == wanted:
                return receipt(status)
        return None

    def exists(self, item: InboxItem) -> bool:
        try:
            self.publisher.read(
                "check the item is still there", lambda api: api.status(item.remote_id)
            )
        except PublishError as error:
            if error.status == 404:
                return False
            raise
        return True


def _source(api: Any, status_id: str) -> Any:
    return api.status_source(status_id)


def _mentions(text: str, handle: str) -> bool:
    """Whether `text` already mentions `@handle` (a whole mention, in any case)."""
    pattern = rf"(?<![\w@])@{re.escape(handle)}(?![\w@.-]*\w)"
    return re.search(pattern, text, re.IGNORECASE) is not None
