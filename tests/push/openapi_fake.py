"""What the fakes checked against a platform's OpenAPI description share: the refusal of a
request the description does not allow, finding the operation's path, and the checks on a request
body that come before its schema (declared or not, required, of a declared media type)."""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any


class Invalid(Exception):
    """A request the description does not allow: the status and why."""

    def __init__(self, status: int, detail: str) -> None:
        super().__init__(detail)
        self.status = status
        self.detail = detail


def match_path(templates: Iterable[str], path: str) -> tuple[str, dict[str, str]]:
    """The path template `path` matches, and its path parameters."""
    for template in templates:
        pattern = re.sub(r"\\\{(\w+)\\\}", r"(?P<\1>[^/]+)", re.escape(template))
        found = re.fullmatch(pattern, path)
        if found:
            return template, found.groupdict()
    raise Invalid(404, f"{path} is not a path of the spec")


def body_media_type(operation: dict[str, Any], content_type: str, raw: bytes) -> str | None:
    """The declared media type the body is sent as; None for an operation rightly sent no body."""
    declared = operation.get("requestBody")
    if declared is None:
        if raw:
            raise Invalid(400, "this operation takes no body")
        return None
    if not raw:
        if declared.get("required"):
            raise Invalid(400, "the request body is required")
        return None
    media_type = content_type.split(";", 1)[0].strip().lower()
    if media_type not in declared["content"]:
        raise Invalid(
            400, f"{media_type or 'no Content-Type'} is not one of {list(declared['content'])}"
        )
    return media_type
