"""Publishing to Pigeon Post: one JSON POST per message to the channel's loft."""

from __future__ import annotations

import json
from collections.abc import Sequence

from cmbuild.manifest.reader import VariantEntry
from cmbuild.platforms.shared import http
from cmbuild.platforms.shared.publisher import MediaFile, Publisher, PublishError, Receipt

_LOFT_HINT = "the address of the loft that receives the messages"


class PigeonPublisher(Publisher):
    """POST each message, with its idempotency key, to `<loft>/messages`."""

    name = "pigeon"
    required_options = (("loft", _LOFT_HINT),)
    required_credentials = ("token",)

    def publish(self, entry: VariantEntry, media: Sequence[MediaFile]) -> Receipt:
        body = http.compact_json(
            {"text": entry.text, "channel": entry.channel, "images": [m.path for m in media]}
        )
        headers = {
            "Content-Type": "application/json; charset=utf-8",
            "Authorization": f"Bearer {self.credential('token') or ''}",
            "Idempotency-Key": entry.idempotency_key,
        }
        url = self.required_option("loft", _LOFT_HINT).rstrip("/") + "/messages"
        answer = http.request("POST", url, body=body, headers=headers, timeout=self.context.timeout)
        try:
            data = json.loads(answer.body)
            return Receipt(str(data["id"]), data.get("url"))
        except (ValueError, KeyError, TypeError):
            raise PublishError(f"the loft answered without an id: {answer.body[:100]!r}") from None
