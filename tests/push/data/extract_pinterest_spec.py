"""Extract from Pinterest's official OpenAPI description (v5) the operations cmbuild's Pinterest
publisher and metrics reader call.

    cd tests/push/data && python extract_pinterest_spec.py official/pinterest-v5.yaml.xz \
        > pinterest-openapi.json

The extract is faithful (see openapi_extract.py): each kept operation is copied unchanged, with
every component it refers to, also unchanged; only `x-extracted-from` is added. Pinterest
publishes the description as YAML and as JSON; both hold the same document, and this reads either.
"""

from __future__ import annotations

import lzma
import sys
from pathlib import Path
from typing import Any

import yaml

try:
    from tests.push.data import openapi_extract
except ModuleNotFoundError:  # run as a script: the shared extractor sits beside it
    import openapi_extract  # type: ignore[no-redef]

# (path, method): what the publisher and the metrics reader send. The base URL ends in /v5.
OPERATIONS: tuple[tuple[str, str], ...] = (
    ("/boards", "get"),
    ("/boards/{board_id}/pins", "get"),
    ("/pins", "post"),
    ("/pins/{pin_id}", "delete"),
    ("/pins/{pin_id}/analytics", "get"),
    ("/user_account", "get"),
)


def load(source: Path) -> dict[str, Any]:
    """The full description, from its YAML or JSON file (JSON is YAML too), or its .xz copy."""
    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)  # the C parser: 10x faster
    opener = lzma.open if source.suffix == ".xz" else open
    with opener(source, "rt", encoding="utf-8") as stream:
        document = yaml.load(stream, Loader=loader)
    if not isinstance(document, dict):
        raise ValueError(f"{source}: not an OpenAPI description")
    return document


def render(spec: dict[str, Any]) -> str:
    return openapi_extract.render(spec, OPERATIONS)


if __name__ == "__main__":
    sys.stdout.write(render(load(Path(sys.argv[1]))))
