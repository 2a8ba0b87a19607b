"""A gate in front of mastodon_mock that refuses statuses Mastodon itself refuses.

The mock stores any `visibility` and `language`; Mastodon answers 422 to a visibility outside
public, unlisted, private and direct, and to a language that is not an ISO 639 code
(app/models/status.rb: `validates :visibility`, LanguageValidator). Everything else is passed
on to the mock unchanged, and every status the gate let through is recorded.
"""

from __future__ import annotations

import json
import re
from email.parser import BytesParser
from email.policy import HTTP
from http.server import BaseHTTPRequestHandler
from typing import Any
from urllib.parse import parse_qs

from tests.push.fake_http import LocalServer, forward, read_body, relay, send_json

VISIBILITIES = ("public", "unlisted", "private", "direct")
_LANGUAGE = re.compile(r"^[a-z]{2,3}$")


class MastodonGate(LocalServer):
    def __init__(self, target: str) -> None:
        super().__init__()
        self.target = target
        self.statuses: list[dict[str, str]] = []  # the fields of each status let through
        self.rejected: list[str] = []

    def handle(self, handler: BaseHTTPRequestHandler) -> None:
        body = read_body(handler)
        if handler.command == "POST" and handler.path.split("?")[0] == "/api/v1/statuses":
            fields = _fields(handler.headers.get("Content-Type") or "", body)
            problem = _problem(fields)
            if problem:
                self.rejected.append(problem)
                send_json(handler, 422, {"error": f"Validation failed: {problem}"})
                return
            self.statuses.append(fields)
        relay(handler, *forward(handler, self.target, body))


def _problem(fields: dict[str, str]) -> str | None:
    visibility = fields.get("visibility", "public")
    if visibility not in VISIBILITIES:
        return "Visibility is not included in the list"
    language = fields.get("language")
    if language is not None and not _LANGUAGE.match(language):
        return "Language is not a valid ISO 639 code"
    return None


def _fields(content_type: str, body: bytes) -> dict[str, str]:
    """The form, JSON or multipart fields of a request body, each as a text."""
    if content_type.startswith("application/json"):
        data: Any = json.loads(body or b"{}")
        return {str(k): str(v) for k, v in data.items() if not isinstance(v, list | dict)}
    if content_type.startswith("multipart/form-data"):
        head = f"Content-Type: {content_type}\r\n\r\n".encode()
        message = BytesParser(policy=HTTP).parsebytes(head + body)
        return {
            str(part.get_param("name", header="content-disposition")): part.get_content()
            for part in message.iter_parts()
            if part.get_filename() is None
        }
    form = parse_qs(body.decode(), keep_blank_values=True)
    return {k: v[-1] for k, v in form.items()}
