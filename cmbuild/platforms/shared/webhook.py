"""The generic webhook: a signed JSON POST of the variant, for any channel.

A channel sets `options.publisher = "webhook"` and `options.webhook_url`; its secret is named by
`credentials.webhook_secret`. This is how a platform with no built-in publisher (YouTube...)
is published today: through the brand's own automation (n8n, Make, Zapier, a small server).

Each request carries:
- `X-Cmbuild-Signature: sha256=<hex>`: HMAC-SHA256 of the exact body with the secret (the format
  GitHub uses, which webhook receivers check out of the box);
- `Idempotency-Key`: the variant id and content digest. cmbuild sends a request again with the
  same key after a timeout or a crash, so the receiver must drop a key it has already handled;
- `X-Cmbuild-Event`: `publish`, or `retract` when `cmbuild retract` deletes a post.

A JSON answer's `id` and `url` become the post's remote id and URL in the ledger.
"""

from __future__ import annotations

import hashlib
import hmac
import json
from collections.abc import Sequence
from typing import Any

from cmbuild.manifest.reader import VariantEntry
from cmbuild.platforms.shared import http
from cmbuild.platforms.shared.publisher import MediaFile, Publisher, PublishError, Receipt


class Webhook(Publisher):
    """POST every variant, signed, to the channel's webhook URL."""

    name = "webhook"
    required_options = (("webhook_url", "the URL that receives the posts"),)
    required_credentials = ("webhook_secret",)
    can_delete = True
    resend_is_safe = True  # the receiver's contract: drop a repeated Idempotency-Key

    def publish(self, entry: VariantEntry, media: Sequence[MediaFile]) -> Receipt:
        key = entry.idempotency_key
        payload: dict[str, Any] = {
            "event": "publish",
            "idempotency_key": key,
            "variant": entry.payload(),
            "media": [self._media(m) for m in media],
        }
        api_text = _api_text(entry)
        if api_text is not None:
            payload["api_text"] = api_text
        answer = self._post("publish", key, payload)
        return _receipt(answer.body, default_id=key)

    def delete(self, remote_id: str) -> None:
        payload = {"event": "retract", "remote_id": remote_id, "channel": self.channel.name}
        self._post("retract", f"retract-{remote_id}", payload)

    def _post(self, event: str, key: str, payload: dict[str, Any]) -> http.Response:
        url = self.required_option("webhook_url", "the URL that receives the posts")
        body = http.compact_json(payload)
        secret = self.credential("webhook_secret") or ""
        signature = hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()
        headers = {
            "Content-Type": "application/json; charset=utf-8",
            "Idempotency-Key": key,
            "X-Cmbuild-Event": event,
            "X-Cmbuild-Signature": f"sha256={signature}",
        }
        try:
            return http.request(
                "POST",
                url,
                body=body,
                headers=headers,
                timeout=self.context.timeout,
                redact=self.context.redact,
            )
        except PublishError as error:
            if error.kind == "auth":
                raise self.auth_error(
                    f"the webhook refused the request ({error.message})"
                ) from None
            raise

    def _media(self, media: MediaFile) -> dict[str, Any]:
        described: dict[str, Any] = {
            "path": media.path,
            "mime_type": media.mime_type,
            "alt": media.alt,
            "sha256": hashlib.sha256(media.data).hexdigest(),
        }
        base = self.option("media_base_url")
        if base:
            described["url"] = base.rstrip("/") + "/" + media.path
        return described


def _api_text(entry: VariantEntry) -> str | None:
    """The text as the platform's API takes it, where that differs from what people read."""
    from cmbuild import platforms

    try:
        platform = platforms.get(entry.platform)
    except (KeyError, platforms.PlatformRegistryError):
        return None
    return platform.api_text(entry.text)


def _receipt(body: bytes, default_id: str) -> Receipt:
    try:
        data = json.loads(body)
    except ValueError:
        return Receipt(default_id)
    if not isinstance(data, dict):
        return Receipt(default_id)
    remote_id = data.get("id")
    url = data.get("url")
    return Receipt(
        str(remote_id) if remote_id not in (None, "") else default_id,
        url if isinstance(url, str) else None,
    )
