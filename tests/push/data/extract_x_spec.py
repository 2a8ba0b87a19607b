"""Extract from X's official OpenAPI document the operations cmbuild's X publisher, metrics
reader and listener call.

    cd tests/push/data && xz -dc official/x-openapi.json.xz > /tmp/x-openapi.json \
        && python extract_x_spec.py /tmp/x-openapi.json > x-openapi.json

The extract is faithful (see openapi_extract.py): each kept operation is copied unchanged, with
every component it refers to, also unchanged; only `x-extracted-from` is added.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

try:
    from tests.push.data import openapi_extract
except ModuleNotFoundError:  # run as a script: the shared extractor sits beside it
    import openapi_extract  # type: ignore[no-redef]

# (path, method): what the publisher sends, what collect reads, what veille searches, and what
# the inbox reads and answers with, and what finds an answer after a crash.
OPERATIONS: tuple[tuple[str, str], ...] = (
    ("/2/media/upload", "post"),
    ("/2/media/metadata", "post"),
    ("/2/tweets", "post"),
    ("/2/tweets/{id}", "delete"),
    ("/2/tweets", "get"),
    ("/2/users/me", "get"),
    ("/2/tweets/search/recent", "get"),
    ("/2/users/{id}/mentions", "get"),
    ("/2/dm_conversations/with/{participant_id}/messages", "post"),
    ("/2/dm_events", "get"),
    ("/2/dm_conversations/{dm_conversation_id}/messages", "post"),
    ("/2/users/{id}/tweets", "get"),
    ("/2/dm_conversations/with/{participant_id}/dm_events", "get"),
    ("/2/dm_conversations/{id}/dm_events", "get"),
)


def render(spec: dict[str, Any]) -> str:
    return openapi_extract.render(spec, OPERATIONS)


if __name__ == "__main__":
    source = Path(sys.argv[1])
    sys.stdout.write(render(json.loads(source.read_text(encoding="utf-8"))))
