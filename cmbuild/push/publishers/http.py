"""A small HTTP client for publishers that speak plain HTTP: a timeout on every call, and every
failure turned into a classified `PublishError`.

Where a failure happens decides its kind: before the request is fully sent (connection refused,
name not resolved) nothing was done and it is `transient`; once it is sent, a timeout or a dropped
connection leaves us not knowing, and it is `ambiguous`.
"""

from __future__ import annotations

import http.client
import urllib.error
import urllib.request
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime

from cmbuild import __version__
from cmbuild.push.publishers.base import PublishError

USER_AGENT = f"cmbuild/{__version__}"
_MAX_BODY = 1 << 20
_EXCERPT = 300


@dataclass(frozen=True)
class Response:
    status: int
    headers: Mapping[str, str]
    body: bytes


def request(
    method: str, url: str, *, body: bytes | None, headers: Mapping[str, str], timeout: float
) -> Response:
    """Send one request; a 2xx Response, or a PublishError for anything else."""
    sent = urllib.request.Request(
        url, data=body, method=method, headers={"User-Agent": USER_AGENT, **headers}
    )
    try:
        with urllib.request.urlopen(sent, timeout=timeout) as answer:
            return Response(answer.status, dict(answer.headers.items()), answer.read(_MAX_BODY))
    except urllib.error.HTTPError as error:
        raise status_error(error.code, dict(error.headers.items()), error.read(_EXCERPT)) from None
    except urllib.error.URLError as error:
        # Raised while connecting or sending: the server has not got a whole request.
        raise PublishError(f"cannot reach {url}: {error.reason}", "transient") from None
    except TimeoutError:
        raise PublishError(
            f"no answer from {url} within {timeout:g} s (the request may have been carried out)",
            "ambiguous",
        ) from None
    except (http.client.HTTPException, ConnectionError) as error:
        raise PublishError(
            f"the connection to {url} was dropped before an answer ({type(error).__name__}); "
            "the request may have been carried out",
            "ambiguous",
        ) from None


def status_error(status: int, headers: Mapping[str, str], body: bytes) -> PublishError:
    """The PublishError for an HTTP error status (the body is quoted: redact before showing)."""
    excerpt = body[:_EXCERPT].decode("utf-8", errors="replace").strip()
    message = f"HTTP {status}" + (f": {excerpt}" if excerpt else "")
    if status in (401, 403):
        return PublishError(message, "auth", status=status)
    if status in (408, 425, 429) or status >= 500:
        return PublishError(message, "transient", status=status, retry_after=retry_after(headers))
    return PublishError(message, "permanent", status=status)


def retry_after(headers: Mapping[str, str]) -> float | None:
    """Seconds from a Retry-After header (a number of seconds, or an HTTP date)."""
    value = next((v for k, v in headers.items() if k.lower() == "retry-after"), None)
    if value is None:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        return max((parsedate_to_datetime(value) - datetime.now(UTC)).total_seconds(), 0.0)
    except (TypeError, ValueError):
        return None
