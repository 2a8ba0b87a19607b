"""A small HTTP client for publishers that speak plain HTTP: a timeout on every call, and every
failure turned into a classified `PublishError`.

Where a failure happens decides its kind: before the request is fully sent (connection refused,
name not resolved) nothing was done and it is `transient`; once it is sent, a timeout or a dropped
connection leaves us not knowing, and it is `ambiguous`.
"""

from __future__ import annotations

import http.client
import json
import urllib.error
import urllib.request
import uuid
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from typing import Any

from cmbuild import __version__
from cmbuild.platforms.shared.publisher import MediaFile, PublishError

USER_AGENT = f"cmbuild/{__version__}"
_MAX_BODY = 1 << 20
_EXCERPT = 300


@dataclass(frozen=True)
class Response:
    status: int
    headers: Mapping[str, str]
    body: bytes


def request(
    method: str,
    url: str,
    *,
    body: bytes | None,
    headers: Mapping[str, str],
    timeout: float,
    redact: Callable[[str], str] = str,
) -> Response:
    """Send one request; a 2xx Response, or a PublishError for anything else (quoting the
    answer's body `redact`ed, then cut)."""
    sent = urllib.request.Request(
        url, data=body, method=method, headers={"User-Agent": USER_AGENT, **headers}
    )
    try:
        with urllib.request.urlopen(sent, timeout=timeout) as answer:
            return Response(answer.status, dict(answer.headers.items()), answer.read(_MAX_BODY))
    except urllib.error.HTTPError as error:
        headers = dict(error.headers.items())
        raise status_error(error.code, headers, error.read(_MAX_BODY), redact) from None
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


def status_error(
    status: int, headers: Mapping[str, str], body: bytes, redact: Callable[[str], str] = str
) -> PublishError:
    """The PublishError for an HTTP error status, quoting the start of the body (`redact`ed
    first, and redacted again by the session)."""
    excerpt = cut(body, redact)
    message = f"HTTP {status}" + (f": {excerpt}" if excerpt else "")
    if status in (401, 403):
        return PublishError(message, "auth", status=status)
    if status in (408, 425, 429) or status >= 500:
        return PublishError(message, "transient", status=status, retry_after=retry_after(headers))
    return PublishError(message, "permanent", status=status)


def cut(body: bytes, redact: Callable[[str], str] = str, limit: int = _EXCERPT) -> str:
    """The start of an answer's body, to quote, with its secrets removed before it is cut; "…"
    marks a cut, so that the redactor still knows a secret there may be cut short."""
    text = redact(body.decode("utf-8", errors="replace")).strip()
    return text if len(text) <= limit else text[:limit] + "…"


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


def failed(
    what: str, error: PublishError, *, repeatable: bool, detail: str | None = None
) -> PublishError:
    """`error` restated as a failure to do `what` (`detail` in place of its message).

    A call that is `repeatable` (doing it twice publishes nothing) is not left ambiguous after a
    timeout: it is `transient`, so the push tries it again.
    """
    kind = "transient" if error.kind == "ambiguous" and repeatable else error.kind
    return PublishError(
        f"cannot {what}: {detail if detail is not None else error.message}",
        kind,
        status=error.status,
        retry_after=error.retry_after,
    )


def compact_json(payload: Any) -> bytes:
    """The smallest JSON body: no spaces, non-ASCII text sent as UTF-8 rather than escaped."""
    return json.dumps(payload, ensure_ascii=False, separators=(",", ":")).encode()


def json_object(body: bytes) -> dict[str, Any] | None:
    """The JSON object an answer holds (`{}` for an empty answer); None for anything else, so
    the caller can say which call went wrong."""
    try:
        data = json.loads(body) if body else {}
    except ValueError:
        return None
    return data if isinstance(data, dict) else None


def multipart(
    fields: Mapping[str, str | tuple[bytes, str]], files: Mapping[str, MediaFile]
) -> tuple[bytes, str]:
    """A multipart/form-data body and its Content-Type.

    The fields come first, each a text, or bytes with their content type (Tumblr's `json` part);
    then each file under its parameter name, with its file name and type.
    """
    boundary = f"cmbuild-{uuid.uuid4().hex}"
    parts: list[bytes] = []
    for name, value in fields.items():
        head = f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"\r\n'
        if isinstance(value, tuple):
            data, content_type = value
            head += f"Content-Type: {content_type}\r\n"
        else:
            data = value.encode()
        parts.append(f"{head}\r\n".encode() + data + b"\r\n")
    for name, item in files.items():
        filename = item.path.rsplit("/", 1)[-1].replace('"', "")
        parts.append(
            f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"; '
            f'filename="{filename}"\r\nContent-Type: {item.mime_type}\r\n\r\n'.encode()
            + item.data
            + b"\r\n"
        )
    parts.append(f"--{boundary}--\r\n".encode())
    return b"".join(parts), f"multipart/form-data; boundary={boundary}"
