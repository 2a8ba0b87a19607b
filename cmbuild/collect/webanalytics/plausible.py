"""Plausible's Stats API v2: `POST {url}/api/v2/query` with the site's API key as a bearer token.

One query of visitors, visits and pageviews per utm_content (dimension `visit:utm_content`),
and, where goals are configured, one with the filter `["is", "event:goal", [goals]]`: under it
`visitors` are the visitors who converted and `events` the conversions (plausible.io/docs/
stats-api, "Metrics"), and `total_revenue` the goals' revenue. The request follows the
query's published JSON Schema (plausible/analytics, priv/json-schemas/query-api-schema.json);
an answer holds `results`, each `{"dimensions": [utm_content], "metrics": [in asked order]}`,
at most `pagination.limit` (10,000) a page.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from cmbuild.collect.exports import Row
from cmbuild.collect.webanalytics import Ask, number
from cmbuild.load.analytics import AnalyticsModel
from cmbuild.platforms.shared.http import compact_json
from cmbuild.platforms.shared.publisher import PublishError

PAGE = 10_000  # the schema's pagination.limit maximum
VISITS = {"visitors": "visitors", "visits": "visits", "pageviews": "pageviews"}
GOALS = {"visitors": "conversions", "events": "events"}
REVENUE = {"total_revenue": "revenue"}


def rows(source: AnalyticsModel, key: str, start: date, end: date, ask: Ask) -> list[Row]:
    """Every utm_content's figures from `start` to `end` (days in the site's time zone)."""
    headers = {"Authorization": f"Bearer {key}", "Content-Type": "application/json"}
    found = _query(source, (start, end), VISITS, [], ask, headers)
    if source.goals:
        goals = {**GOALS, **(REVENUE if source.revenue else {})}
        where = [["is", "event:goal", list(source.goals)]]
        found += _query(source, (start, end), goals, where, ask, headers)
    return found


def _query(
    source: AnalyticsModel,
    days: tuple[date, date],
    metrics: dict[str, str],
    filters: list[Any],
    ask: Ask,
    headers: dict[str, str],
) -> list[Row]:
    names = list(metrics)
    found: list[Row] = []
    while True:
        query: dict[str, Any] = {
            "site_id": source.site_id,
            "metrics": names,
            "date_range": [days[0].isoformat(), days[1].isoformat()],
            "dimensions": ["visit:utm_content"],
            "pagination": {"limit": PAGE, "offset": len(found)},
        }
        if filters:
            query["filters"] = filters
        answer = ask(f"{source.url}/api/v2/query", compact_json(query), headers)
        results = answer.get("results") if isinstance(answer, dict) else None
        if not isinstance(results, list):
            raise PublishError(f"Plausible's answer has no list of results: {str(answer)[:200]}")
        for item in results:
            found.append(_row(len(found) + 1, item, names, metrics))
        if len(results) < PAGE:
            return found


def _row(line: int, item: object, names: list[str], metrics: dict[str, str]) -> Row:
    dimensions = item.get("dimensions") if isinstance(item, dict) else None
    values = item.get("metrics") if isinstance(item, dict) else None
    if not isinstance(dimensions, list) or not isinstance(values, list):
        raise PublishError(f"Plausible's result {line} is not a row of figures: {item!r}"[:300])
    if len(values) != len(names):
        raise PublishError(f"Plausible's result {line} has {len(values)} figures for {names}")
    content = "" if dimensions[0] is None else str(dimensions[0])
    return Row(
        line,
        content,
        {metrics[n]: number(v, "Plausible", n) for n, v in zip(names, values, strict=True)},
    )
