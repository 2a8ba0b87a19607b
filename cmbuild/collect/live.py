"""Web analytics read live: channels.toml's `[analytics]` tool asked for the visits,
conversions and revenue per utm_content, attributed per variant as an export is
(cmbuild/collect/analytics.py), into the same store (`source: "import"`).

The figures asked for run from the first post's day (or `since`) to yesterday, in the brand's
time zone, and are recorded at yesterday's last second, like an export given `--at yesterday`:
so a second import on the same day adds nothing, and a collect that runs every few minutes
records one import a day. The key is read from the variable `key` names, sent only to the tool,
and removed from every message. A refused key names that variable; a rate limit (429, with
its Retry-After), a server error or a timeout is retried as collect retries, then reported.
"""

from __future__ import annotations

import json
import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from cmbuild.collect.analytics import ImportReport, manifest_variants, period_end, record
from cmbuild.collect.exports import Export, Row
from cmbuild.collect.webanalytics import Ask, matomo, plausible
from cmbuild.errors import InputError, InputErrors
from cmbuild.layout import CHANNELS_FILE
from cmbuild.load.analytics import AnalyticsModel
from cmbuild.load.config import default_timezone, load_channels, web_analytics
from cmbuild.manifest.reader import VariantEntry
from cmbuild.platforms.shared import http
from cmbuild.platforms.shared.publisher import PublishError
from cmbuild.push.retry import RetryPolicy, with_retry
from cmbuild.push.secrets import Redactor

TOOLS = {"plausible": plausible.rows, "matomo": matomo.rows}
NAMES = {"plausible": "Plausible", "matomo": "Matomo"}
API = {"plausible": "plausible-api-v2", "matomo": "matomo-reporting-api"}


@dataclass(frozen=True)
class LiveSettings:
    root: Path = Path(".")
    now: datetime | None = None  # default: the clock
    tool: str | None = None  # `--from`: the tool expected in channels.toml (default: its own)
    dry_run: bool = False  # ask, show, write nothing
    timeout: float = 30.0
    retry: RetryPolicy = field(default_factory=RetryPolicy)
    environ: Mapping[str, str] = field(default_factory=lambda: os.environ)


class AnalyticsFailed(Exception):
    """The tool could not be read (key missing or refused, server down); free of secrets."""


@dataclass(frozen=True)
class LiveResult:
    """What a collect did with the web analytics: its import, or why there is none."""

    tool: str
    report: ImportReport | None = None
    error: str | None = None


def import_live(settings: LiveSettings, source: AnalyticsModel | None = None) -> ImportReport:
    """Ask the configured tool, attribute its rows, append the snapshots.

    InputErrors for a bad or missing configuration or manifest; AnalyticsFailed when the tool
    cannot be read (nothing is written then)."""
    source = source or configured(settings.root, settings.tool)
    variants = manifest_variants(settings.root)
    zone = ZoneInfo(default_timezone(settings.root) or "UTC")
    now = (settings.now or datetime.now(UTC)).astimezone(zone)
    end = now.date() - timedelta(days=1)
    start = source.since or _first_day(variants, zone, end)
    at = period_end(end, settings.root, CHANNELS_FILE)
    api = API[source.tool]
    if start > end:  # nothing published before today: no whole day to count yet
        return record(Export(), variants, at, api, settings.root, settings.dry_run)
    rows = _read(settings, source, start, end)
    return record(Export(rows), variants, at, api, settings.root, settings.dry_run)


def configured(root: Path, tool: str | None) -> AnalyticsModel:
    """channels.toml's `[analytics]`, checked to be the `tool` asked for (when one is)."""
    load_channels(root)
    source = web_analytics(root)
    example = 'tool = "plausible", url, site and key (see docs/analytics.md)'
    if source is None:
        message = "there is no [analytics] table to read the site's web analytics from"
        raise InputErrors([InputError(CHANNELS_FILE, message, key="analytics", hint=example)])
    if tool is not None and source.tool != tool:
        message = f"[analytics] reads {source.tool}, not {tool}"
        hint = f'use --from {source.tool}, or set tool = "{tool}" with its url, site and key'
        raise InputErrors([InputError(CHANNELS_FILE, message, key="analytics.tool", hint=hint)])
    return source


def collect_step(settings: LiveSettings) -> LiveResult | None:
    """The web analytics part of a collect: None when channels.toml has no `[analytics]`; on a
    dry run, nothing asked. Problems are the result's error: the platforms' readings go on."""
    source = web_analytics(settings.root)
    if source is None:
        return None
    if settings.dry_run:
        return LiveResult(source.tool)
    try:
        return LiveResult(source.tool, import_live(settings, source))
    except AnalyticsFailed as failure:
        return LiveResult(source.tool, error=str(failure))
    except InputErrors as errors:
        return LiveResult(source.tool, error="; ".join(str(e) for e in errors))


def _first_day(variants: tuple[VariantEntry, ...], zone: ZoneInfo, end: date) -> date:
    """The day of the earliest post (its scheduled time in the brand's zone); after `end` when
    there is none, so that nothing is asked."""
    days = [v.scheduled.astimezone(zone).date() for v in variants]
    return min(days, default=end + timedelta(days=1))


def _read(settings: LiveSettings, source: AnalyticsModel, start: date, end: date) -> list[Row]:
    name = NAMES[source.tool]
    key = settings.environ.get(source.key, "")
    if not key.strip():
        raise AnalyticsFailed(
            f"{name}: the variable {source.key} (channels.toml [analytics] key) is not set: "
            f"set it to an API key of {source.url}"
        )
    redact = Redactor()
    redact.add(key)
    try:
        return TOOLS[source.tool](source, key, start, end, _asker(settings, redact))
    except PublishError as error:
        message = redact(error.message)
        if error.kind == "auth":
            raise AnalyticsFailed(
                f"{name} refused the key in {source.key} ({message}): create a new API key in "
                f"{name} and set {source.key} to it"
            ) from None
        raise AnalyticsFailed(f"{name} ({source.url}): {message}") from None


def _asker(settings: LiveSettings, redact: Redactor) -> Ask:
    def ask(url: str, body: bytes, headers: Mapping[str, str]) -> Any:
        def once() -> Any:
            sent = {"Accept": "application/json", **headers}
            answer = http.request(
                "POST", url, body=body, headers=sent, timeout=settings.timeout, redact=redact
            )
            try:
                return json.loads(answer.body)
            except ValueError:
                raise PublishError(
                    f"the answer is not JSON: {http.cut(answer.body, redact)}"
                ) from None

        return with_retry(settings.retry, once, resend_is_safe=True)

    return ask
