"""Local fakes of Plausible's Stats API v2 and Matomo's Reporting API, on 127.0.0.1.

Neither tool runs offline here, so each fake checks every request against what the tool
publishes and refuses the rest, noting why in `invalid` (a test asserts it stays empty):

- Plausible: the body of `POST /api/v2/query` against the query's JSON Schema, vendored
  unchanged in official/plausible-query-api-schema.json (plausible/analytics,
  priv/json-schemas/query-api-schema.json); `Authorization: Bearer <key>` (plausible.io/docs/
  stats-api, "Authentication"); answers `{"results": [{"dimensions": [...], "metrics": [...]}],
  "meta": {}, "query": {...}}`, revenue metrics as money objects, as the page shows them.
- Matomo: `POST /index.php`, form-encoded, with the standard parameters of
  developer.matomo.org/api-reference/reporting-api (module, method, idSite, period, date,
  format, token_auth, filter_limit, format_metrics, ...); `token_auth` must not be in the URL.
  An error is `{"result": "error", "message": ...}` with HTTP 200, as Matomo answers.
"""

from __future__ import annotations

import json
import re
import threading
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, urlsplit

from jsonschema import Draft7Validator, FormatChecker

from tests.push.fake_http import LocalServer, read_body, send, send_json

SCHEMA = json.loads(
    (Path(__file__).parent / "official" / "plausible-query-api-schema.json").read_text("utf-8")
)
QUERY = Draft7Validator(SCHEMA, format_checker=FormatChecker())
Figures = dict[str, float]


@dataclass
class Fault:
    """An answer to give instead of the tool's to the next request; `hang`: none at all until
    the fake stops (the client's timeout fires)."""

    status: int = 500
    body: Any = None
    headers: dict[str, str] = field(default_factory=dict)
    hang: bool = False


class WebFake(LocalServer):
    """What both fakes share: the key they accept, scripted faults, what they were sent."""

    def __init__(self, key: str, site: str) -> None:
        super().__init__()
        self.key = key
        self.site = site
        self.faults: list[Fault] = []
        self.invalid: list[str] = []  # requests the published description does not allow
        self.requests: list[tuple[str, dict[str, str], bytes]] = []  # (path+query, headers, body)
        self.released = threading.Event()

    def stop(self) -> None:
        self.released.set()
        super().stop()

    def handle(self, handler: BaseHTTPRequestHandler) -> None:
        body = read_body(handler)
        self.requests.append((handler.path, dict(handler.headers.items()), body))
        if self.faults:
            fault = self.faults.pop(0)
            if fault.hang:
                self.released.wait(30)
                return
            send_json(handler, fault.status, fault.body, fault.headers)
            return
        self.answer(handler, body)

    def answer(self, handler: BaseHTTPRequestHandler, body: bytes) -> None:
        raise NotImplementedError

    def refuse(self, handler: BaseHTTPRequestHandler, why: str, status: int = 400) -> None:
        self.invalid.append(why)
        send_json(handler, status, {"error": why})


class PlausibleFake(WebFake):
    """Plausible with `visits` per utm_content, and `goals`: what the goal filter leaves."""

    def __init__(self, key: str, site: str) -> None:
        super().__init__(key, site)
        self.visits: dict[str, Figures] = {}
        self.goals: dict[str, Figures] = {}
        self.queries: list[dict[str, Any]] = []

    def answer(self, handler: BaseHTTPRequestHandler, body: bytes) -> None:
        if handler.command != "POST" or handler.path != "/api/v2/query":
            return self.refuse(handler, f"{handler.command} {handler.path}: no such call", 404)
        if handler.headers.get("Authorization") != f"Bearer {self.key}":
            return send_json(handler, 401, {"error": "Invalid API key or site ID."})
        if not (handler.headers.get("Content-Type") or "").startswith("application/json"):
            return self.refuse(handler, "the body must be sent as application/json")
        try:
            query = json.loads(body)
        except ValueError:
            return self.refuse(handler, "the body is not JSON")
        problems = [
            f"{'/'.join(map(str, e.absolute_path)) or '(root)'}: {e.message}"
            for e in QUERY.iter_errors(query)
        ]
        if problems:
            return self.refuse(handler, "; ".join(problems))
        if query["site_id"] != self.site:
            return send_json(handler, 401, {"error": "Invalid API key or site ID."})
        self.queries.append(query)
        send_json(handler, 200, self._results(query))
        return None

    def _results(self, query: dict[str, Any]) -> dict[str, Any]:
        goal = any(f[1] == "event:goal" for f in query.get("filters", []))
        table = self.goals if goal else self.visits
        page = query.get("pagination", {})
        offset, limit = page.get("offset", 0), page.get("limit", 10_000)
        results = [
            {"dimensions": [content], "metrics": [_money(m, f.get(m, 0)) for m in query["metrics"]]}
            for content, f in sorted(table.items())
        ][offset : offset + limit]
        return {"results": results, "meta": {}, "query": query}


def _money(metric: str, value: float) -> Any:
    if metric not in ("total_revenue", "average_revenue"):
        return value
    return {"short": f"€{value:.1f}", "long": f"€{value:.2f}", "value": value, "currency": "EUR"}


MATOMO_PARAMETERS = {  # the standard parameters of the Reporting API reference
    "module", "method", "idSite", "period", "date", "format", "token_auth", "segment",
    "filter_limit", "filter_offset", "filter_truncate", "format_metrics", "flat", "expanded",
    "idSubtable", "showColumns", "hideColumns", "filter_sort_column", "filter_sort_order",
    "language", "translateColumnNames", "label", "force_api_session",
}  # fmt: skip
MATOMO_FORMATS = {"xml", "json", "csv", "tsv", "html", "rss", "original"}
_DAY = r"\d{4}-\d{2}-\d{2}"


class MatomoFake(WebFake):
    """Matomo with the MarketingCampaignsReporting plugin: `rows` of its content report."""

    def __init__(self, key: str, site: str) -> None:
        super().__init__(key, site)
        self.rows: list[dict[str, Any]] = []
        self.forms: list[dict[str, str]] = []

    def answer(self, handler: BaseHTTPRequestHandler, body: bytes) -> None:
        url = urlsplit(handler.path)
        if handler.command != "POST" or url.path != "/index.php":
            return self.refuse(handler, f"{handler.command} {url.path}: not the API", 404)
        if "token_auth" in dict(parse_qsl(url.query)):
            return self.refuse(handler, "token_auth is in the URL (it belongs in the POST body)")
        if handler.headers.get("Content-Type") != "application/x-www-form-urlencoded":
            return self.refuse(handler, "the form must be application/x-www-form-urlencoded")
        form = dict(parse_qsl(url.query) + parse_qsl(body.decode(), keep_blank_values=True))
        problem = _matomo_problem(form)
        if problem:
            return self.refuse(handler, problem)
        self.forms.append(form)
        if form.get("token_auth") != self.key or form["idSite"] != self.site:
            message = (
                "You can't access this resource as it requires 'view' access for the website "
                f"id = {form['idSite']}."
            )
            return send_json(handler, 200, {"result": "error", "message": message})
        if form["method"] != "MarketingCampaignsReporting.getContent":
            message = f"The method '{form['method']}' does not exist or is not available"
            return send_json(handler, 200, {"result": "error", "message": message})
        send(handler, 200, json.dumps(self.rows).encode(), {"Content-Type": "application/json"})
        return None


def _matomo_problem(form: dict[str, str]) -> str | None:
    unknown = sorted(set(form) - MATOMO_PARAMETERS)
    if unknown:
        return f"parameters the API does not document: {', '.join(unknown)}"
    for name in ("module", "method", "idSite", "period", "date"):
        if not form.get(name):
            return f"{name} is required"
    if form["module"] != "API" or form.get("format", "xml").lower() not in MATOMO_FORMATS:
        return "module must be API and format one of " + ", ".join(sorted(MATOMO_FORMATS))
    if form["period"] not in ("day", "week", "month", "year", "range"):
        return f"period {form['period']!r} is not day, week, month, year or range"
    shape = rf"{_DAY},{_DAY}" if form["period"] == "range" else rf"{_DAY}|today|yesterday"
    if not re.fullmatch(shape, form["date"]):
        return f"date {form['date']!r} does not fit period {form['period']}"
    return None
