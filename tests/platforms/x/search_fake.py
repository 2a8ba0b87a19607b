"""The X fake (every request and answer checked against X's OpenAPI description) with recent
search: `GET /2/tweets/search/recent`, newest first, `since_id`, `max_results` and `next_token`
pages, the `author_id` expansion. Its matching is simple (every word of the query in the text,
case-insensitive): what is tested is the listener's use of the API, not X's search engine."""

from __future__ import annotations

from typing import Any

from tests.collect.x_fake import ReadingX

BRAND_USER = {"id": "2244994945", "name": "Test Brand", "username": "TestBrand"}


class SearchingX(ReadingX):
    """ReadingX with posts by other accounts to search (`said`)."""

    def __init__(self) -> None:
        super().__init__()
        self.said: dict[str, dict[str, Any]] = {}  # post id -> post (id, text, author_id...)
        self.users: dict[str, dict[str, str]] = {}
        self.searches: list[dict[str, list[str]]] = []

    def say(self, text: str, username: str, created_at: str) -> str:
        """A post by `username` (a new account if need be); its id."""
        user = next((u for u in self.users.values() if u["username"] == username), None)
        if user is None:
            user_id = str(1000 + len(self.users))
            user = {"id": user_id, "name": username.title(), "username": username}
            self.users[user["id"]] = user
        post_id = self.new_id()
        self.said[post_id] = {
            "id": post_id,
            "text": text,
            "author_id": user["id"],
            "created_at": created_at,
            "edit_history_tweet_ids": [post_id],
        }
        return post_id

    def carry_out(
        self, method: str, template: str, params: dict[str, str], body: Any
    ) -> tuple[int, dict[str, Any]]:
        if template != "/2/tweets/search/recent":
            return super().carry_out(method, template, params, body)
        query = self.reads[-1]
        self.searches.append(query)
        return 200, self._search(query)

    def _search(self, query: dict[str, list[str]]) -> dict[str, Any]:
        words = ",".join(query["query"]).lower().split()  # the query is one value, commas kept
        since = int(query.get("since_id", ["0"])[0])
        found = sorted(
            (
                p
                for p in self.said.values()
                if int(p["id"]) > since and all(w in p["text"].lower() for w in words)
            ),
            key=lambda p: int(p["id"]),
            reverse=True,
        )
        start = int(query.get("next_token", ["0"])[0])
        size = int(query.get("max_results", ["10"])[0])
        page = found[start : start + size]
        if not page:
            return {"meta": {"result_count": 0}}
        fields = set(query.get("tweet.fields", []))
        data = [
            {k: v for k, v in p.items() if k in {"id", "text", "edit_history_tweet_ids"} | fields}
            for p in page
        ]
        meta: dict[str, Any] = {
            "newest_id": page[0]["id"],
            "oldest_id": page[-1]["id"],
            "result_count": len(page),
        }
        if start + size < len(found):
            meta["next_token"] = str(start + size)
        answer: dict[str, Any] = {"data": data, "meta": meta}
        if "author_id" in query.get("expansions", []):
            authors = {p["author_id"] for p in page}
            answer["includes"] = {"users": [self.users[a] for a in sorted(authors)]}
        return answer
