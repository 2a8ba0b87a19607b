"""The extraction the OpenAPI extract scripts share: from a platform's full description, the
operations a publisher calls, each with every component it refers to.

The extract is faithful: each kept operation is copied unchanged, with every component it refers
to (through `$ref` or a discriminator mapping, transitively), also unchanged. Nothing is edited or
added but `x-extracted-from`, which records the operations kept.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

Operations = Sequence[tuple[str, str]]  # (path, method)
_PREFIX = "#/components/"


def _refs(node: Any) -> set[str]:
    """Every `#/components/...` reference in `node`."""
    found: set[str] = set()
    if isinstance(node, dict):
        for key, value in node.items():
            if key == "$ref" and isinstance(value, str) and value.startswith(_PREFIX):
                found.add(value)
            elif key == "mapping" and isinstance(value, dict):
                found.update(v for v in value.values() if str(v).startswith(_PREFIX))
            else:
                found |= _refs(value)
    elif isinstance(node, list):
        for item in node:
            found |= _refs(item)
    return found


def extract(spec: dict[str, Any], operations: Operations) -> dict[str, Any]:
    """The description cut down to `operations` and what they refer to."""
    paths: dict[str, Any] = {}
    for path, method in operations:
        item = spec["paths"][path]
        kept = paths.setdefault(path, {k: v for k, v in item.items() if k == "parameters"})
        kept[method] = item[method]
    components: dict[str, dict[str, Any]] = {}
    todo = _refs(paths)
    done: set[str] = set()
    while todo:
        ref = todo.pop()
        done.add(ref)
        section, name = ref[len(_PREFIX) :].split("/", 1)
        value = spec["components"][section][name]
        components.setdefault(section, {})[name] = value
        todo |= _refs(value) - done
    used_schemes = {
        name for op in _operations(paths) for req in op.get("security", []) for name in req
    }
    schemes = spec["components"].get("securitySchemes", {})
    components["securitySchemes"] = {k: v for k, v in schemes.items() if k in used_schemes}
    return {
        "openapi": spec["openapi"],
        "info": spec["info"],
        "servers": spec.get("servers", []),
        "x-extracted-from": [f"{method.upper()} {path}" for path, method in operations],
        "paths": paths,
        "components": {k: dict(sorted(v.items())) for k, v in sorted(components.items())},
    }


def _operations(paths: dict[str, Any]) -> list[dict[str, Any]]:
    return [op for item in paths.values() for key, op in item.items() if key != "parameters"]


def render(spec: dict[str, Any], operations: Operations) -> str:
    """The extract as the committed file holds it."""
    return json.dumps(extract(spec, operations), indent=1, ensure_ascii=False) + "\n"
