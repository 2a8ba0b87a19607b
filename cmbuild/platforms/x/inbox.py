"""X's inbox: the mentions timeline, `GET /2/users/:id/mentions` (API v2), through the channel's
publisher (its token, its error handling).

On X a reply names the people it answers, so the replies to the brand's posts, the mentions and
the quotes of its posts all come through this one timeline, newest first, 100 a page
(`pagination_token`), from the `since_id` of the newest stored item on. Each post comes with
`author_id` expanded (`includes.users`: the handle and name), and the fields the inbox needs:
`created_at`, `conversation_id` (the thread's first post: which brand post a reply deep in a
thread answers), `referenced_tweets` (replied_to, quoted) and `lang`. Source: docs.x.com
"GET /2/users/:id/mentions" and the OpenAPI description (operation getUsersMentions).

With the channel option `conversation_search = true`, the threads of the ledger's recent posts
are searched too (`GET /2/tweets/search/recent?query=conversation_id:<post>`, the last 7 days):
the replies deep in a thread that no longer name the brand, and the brand's own answers (which
tell what was answered on X). Recent search needs a paid X plan: a 403 says to turn it off.

With `read_direct_messages = true` (the token's `dm.read` scope), the direct messages are read
too (`cmbuild.platforms.x.messages`), as items of kind `dm`.

An item's `refs` hold the post's `id` (what `reply.in_reply_to_tweet_id` names), its
`conversation_id` and its `author_id` (the participant of a direct message).
"""

from __future__ import annotations

import urllib.parse
from collections.abc import Iterator, Sequence
from typing import Any

from cmbuild.platforms.shared.inbox import InboxReader, Published, Since
from cmbuild.platforms.shared.publisher import PublishError
from cmbuild.platforms.x.messages import read_messages, x_time
from cmbuild.platforms.x.publisher import XPublisher
from cmbuild.stores.inbox import InboxItem, Kind, item_id

_PAGE = 100  # max_results: maximum 100
_MAX_PAGES = 20  # a first reading of a busy account stops there; the next one goes on
_FIELDS = {
    "expansions": "author_id",
    "tweet.fields": "author_id,created_at,conversation_id,referenced_tweets,lang",
    "user.fields": "name,username",
}


class XInbox(InboxReader[XPublisher]):
    api = (
        "GET /2/users/:id/mentions; GET /2/tweets/search/recent (conversation_id:, by option); "
        "GET /2/dm_events (by option)"
    )

    def __init__(self, publisher: XPublisher) -> None:
        super().__init__(publisher)
        self._me: str | None = None

    def read(self, posts: Sequence[Published], since: Since | None) -> list[InboxItem]:
        variants = {post.remote_id: post.variant for post in posts}
        found: dict[str, InboxItem] = {}
        found_posts = list(self._mentions(since))
        if self.publisher.option("conversation_search") == "True":
            found_posts += self._threads(posts)
        for post, users in found_posts:
            item = self._item(post, users, variants)
            found.setdefault(item.id, item)
        if self.publisher.option("read_direct_messages") == "True":
            for item in read_messages(self.publisher, self.account_id(), since):
                found.setdefault(item.id, item)
        return sorted(found.values(), key=lambda i: (i.at, i.id))

    def account_id(self) -> str:
        if self._me is None:
            answer = self.publisher.call("read the account", "GET", "/2/users/me")
            self._me = str((answer.get("data") or {}).get("id") or "")
        return self._me

    def _mentions(self, since: Since | None) -> Iterator[tuple[dict[str, Any], dict[str, Any]]]:
        query: dict[str, str] = {**_FIELDS, "max_results": str(_PAGE)}
        if since is not None and since.remote_id.isdigit():
            query["since_id"] = since.remote_id
        path = f"/2/users/{self.account_id()}/mentions"
        yield from self._pages("read the mentions", path, query, "pagination_token")

    def _threads(self, posts: Sequence[Published]) -> Iterator[tuple[dict[str, Any], Any]]:
        # No since_id: recent search refuses one older than its 7 days; the store drops what
        # is read again.
        for post in posts:
            query = {**_FIELDS, "max_results": str(_PAGE)}
            query["query"] = f"conversation_id:{post.remote_id}"
            try:
                yield from self._pages(
                    "search the post's thread", "/2/tweets/search/recent", query, "next_token"
                )
            except PublishError as error:
                if error.status != 403:
                    raise
                raise PublishError(
                    "X refused recent search (HTTP 403): the app's plan may not include it; "
                    f"set channels.{self.publisher.channel.name}.options.conversation_search "
                    "= false to read the mentions only",
                    "config",
                    status=403,
                ) from None

    def _pages(
        self, what: str, path: str, query: dict[str, str], token_name: str
    ) -> Iterator[tuple[dict[str, Any], dict[str, Any]]]:
        for _ in range(_MAX_PAGES):
            answer = self.publisher.call(what, "GET", f"{path}?{urllib.parse.urlencode(query)}")
            users = {
                str(user["id"]): user
                for user in (answer.get("includes") or {}).get("users") or []
                if isinstance(user, dict) and user.get("id")
            }
            for post in answer.get("data") or []:
                if isinstance(post, dict) and post.get("id"):
                    yield post, users
            token = (answer.get("meta") or {}).get("next_token")
            if not token:
                return
            query[token_name] = str(token)

    def _item(
        self, post: dict[str, Any], users: dict[str, Any], variants: dict[str, str]
    ) -> InboxItem:
        channel = self.publisher.channel.name
        post_id = str(post["id"])
        author_id = str(post.get("author_id") or "")
        user = users.get(author_id) or {}
        handle = str(user.get("username") or author_id)
        refs = {str(r.get("type")): str(r.get("id")) for r in post.get("referenced_tweets") or []}
        parent, quoted = refs.get("replied_to"), refs.get("quoted")
        kind: Kind = "reply" if parent else "quote" if quoted else "mention"
        conversation = str(post.get("conversation_id") or post_id)
        variant = variants.get(parent or "") or variants.get(quoted or "")
        return InboxItem(
            id=item_id(channel, post_id),
            channel=channel,
            platform="x",
            kind=kind,
            remote_id=post_id,
            refs={"id": post_id, "conversation_id": conversation, "author_id": author_id},
            author_id=author_id,
            author_handle=handle,
            author_name=str(user.get("name") or handle),
            text=str(post.get("text") or ""),
            url=f"https://x.com/{handle}/status/{post_id}",
            language=_language(post.get("lang")),
            at=x_time(post.get("created_at")),
            variant=variant or variants.get(conversation),
            answers=item_id(channel, parent) if parent else None,
        )


def _language(lang: Any) -> str | None:
    # X gives `und` (undetermined) and `qme`/`zxx` (media only, no text) where no language is.
    return str(lang) if lang and lang not in ("und", "qme", "zxx", "qht", "qst") else None
