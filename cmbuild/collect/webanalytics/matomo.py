"""Matomo's Reporting API: `POST {url}/index.php` with `module=API`,
`method=MarketingCampaignsReporting.getContent` (visits, conversions and revenue per
utm_content), `idSite`, `period=range`, `date=START,END`, `format=JSON`, `filter_limit=-1`
(every row) and `format_metrics=0` (plain numbers), and `token_auth` in the POST body, never in
the URL (developer.matomo.org/api-reference/reporting-api, "Standard API parameters" and
"Authenticate to the API via token_auth parameter").

The answer is a list of rows with the columns of the report's CSV export (`label`, `nb_visits`,
`nb_conversions`, `revenue`...). Matomo reports an error as `{"result": "error", "message":
...}`, often with HTTP 200; a message about the token or access rights is a refused key.
"""

from __future__ import annotations

import re
import urllib.parse
from datetime import date

from cmbuild.collect.exports import FORMATS, Row
from cmbuild.collect.webanalytics import Ask, number
from cmbuild.load.analytics import AnalyticsModel
from cmbuild.platforms.shared.publisher import PublishError

METHOD = "MarketingCampaignsReporting.getContent"
COLUMNS = FORMATS["matomo-csv"].metrics  # the same columns as the CSV export, the same names
_REFUSED = re.compile(r"token_auth|access|authenticat|log ?in", re.IGNORECASE)


def rows(source: AnalyticsModel, key: str, start: date, end: date, ask: Ask) -> list[Row]:
    """Every utm_content's figures from `start` to `end` (days in the site's time zone)."""
    form = {
        "module": "API",
        "method": METHOD,
        "idSite": source.site_id,
        "period": "range",
        "date": f"{start.isoformat()},{end.isoformat()}",
        "format": "JSON",
        "filter_limit": "-1",
        "format_metrics": "0",
        "token_auth": key,
    }
    headers = {"Content-Type": "application/x-www-form-urlencoded"}
    answer = ask(f"{source.url}/index.php", urllib.parse.urlencode(form).encode(), headers)
    if isinstance(answer, dict) and answer.get("result") == "error":
        message = str(answer.get("message", ""))
        raise PublishError(
            f"Matomo: {message}", "auth" if _REFUSED.search(message) else "permanent"
        )
    if not isinstance(answer, list):
        raise PublishError(f"Matomo's answer is not a list of rows: {str(answer)[:200]}")
    found = []
    for line, item in enumerate(answer, 1):
        if not isinstance(item, dict) or "label" not in item:
            raise PublishError(f"Matomo's row {line} has no label: {item!r}"[:300])
        figures = {name: number(item.get(col), "Matomo", col) for col, name in COLUMNS.items()}
        found.append(Row(line, str(item["label"]), figures))
    return found
