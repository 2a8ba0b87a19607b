"""Reading visits per utm_content live from a web analytics tool's API (one module per tool).

Each tool's `rows(source, key, start, end, ask)` sends its requests through `ask` (which adds
the timeout, the retries and the error handling of cmbuild/collect/live.py) and returns the
same rows a CSV export gives (cmbuild/collect/exports.py), for the same attribution.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from cmbuild.platforms.shared.publisher import PublishError

# (url, body, headers) -> the answer's JSON; PublishError for a failed request
Ask = Callable[[str, bytes, Mapping[str, str]], Any]


def number(value: object, tool: str, metric: str) -> int | float | None:
    """A figure of an answer: a number (a numeric text, or a money object's `value`), None when
    the tool gives none; a PublishError for anything else, so that nothing is guessed."""
    if isinstance(value, dict) and "value" in value:
        value = value["value"]
    if value is None or value == "":
        return None
    if isinstance(value, int | float) and not isinstance(value, bool):
        return value
    if isinstance(value, str):
        try:
            return int(value) if value.lstrip("-").isdigit() else float(value)
        except ValueError:
            pass
    raise PublishError(f"{tool} answered {value!r} for {metric}, which is not a number")
