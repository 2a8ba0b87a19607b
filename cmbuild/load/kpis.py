"""brand/kpis.toml: what the brand expects of its channels and campaigns, read by `cmbuild report`.

One `[[kpi]]` table per target: a metric, what it covers (a channel, a campaign, or the whole
brand when neither is given), the period it is measured over (week, month, or the whole
campaign), a `target` and an optional `warn_below`. Rates (engagement rate, click-through rate)
are written in percent: `target = 4` means 4 %. The reference is docs/insights.md.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path

from pydantic import BaseModel, ConfigDict, StrictFloat, ValidationError

from cmbuild.errors import ErrorCollector, InputError, did_you_mean
from cmbuild.load.tomlfile import nearest_line, read_toml
from cmbuild.load.validation import errors_from_validation

KPIS_FILE = "brand/kpis.toml"
METRICS = (
    "impressions",
    "engagement_rate",
    "click_through_rate",
    "clicks",
    "followers_growth",
    "visits",
    "conversions",
    "revenue",
    "response_hours",
)
# Targets that are a most, not a least: the median time to first answer, in hours.
LOWER_IS_BETTER = ("response_hours",)
RATES = ("engagement_rate", "click_through_rate")
PERIODS = ("week", "month", "campaign")
LABELS = {
    "impressions": "impressions",
    "engagement_rate": "engagement rate",
    "click_through_rate": "click-through rate",
    "clicks": "clicks",
    "followers_growth": "followers gained",
    "visits": "visits to the site",
    "conversions": "conversions",
    "revenue": "revenue",
    "response_hours": "hours to first answer (median)",
}

Number = StrictFloat  # whole numbers too; not text, not true/false


@dataclass(frozen=True)
class Kpi:
    """One target of brand/kpis.toml."""

    metric: str  # one of METRICS
    period: str  # one of PERIODS
    target: float
    warn_below: float | None
    channel: str | None = None  # neither channel nor campaign: the whole brand
    campaign: str | None = None
    name: str | None = None
    line: int | None = None  # of its [[kpi]] header, for messages
    warn_above: float | None = None  # for LOWER_IS_BETTER metrics: alert over this

    @property
    def scope(self) -> str:
        if self.channel:
            return f"channel {self.channel}"
        if self.campaign:
            return f"campaign {self.campaign}"
        return "whole brand"

    @property
    def title(self) -> str:
        return self.name or f"{LABELS[self.metric]} per {self.period}, {self.scope}"


class _KpiModel(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: str | None = None
    metric: str
    period: str = "month"
    channel: str | None = None
    campaign: str | None = None
    target: Number
    warn_below: Number | None = None
    warn_above: Number | None = None


class _KpisFile(BaseModel):
    model_config = ConfigDict(extra="forbid")

    kpi: list[_KpiModel] = []


_HINTS = {
    "target": "write a number without quotes or units, like `target = 1200` (rates in percent)",
    "warn_below": "write a number without quotes or units, like `warn_below = 800`",
    "float_type": "write a number without quotes or units",
}


def load_kpis(root: Path, channels: Iterable[str], campaigns: Iterable[str]) -> tuple[Kpi, ...]:
    """Read brand/kpis.toml (none when it does not exist); InputErrors name file, line and key."""
    if not (root / KPIS_FILE).exists():
        return ()
    data, lines = read_toml(root / KPIS_FILE, KPIS_FILE)
    try:
        parsed = _KpisFile.model_validate(data)
    except ValidationError as exc:
        errors = ErrorCollector()
        located = errors_from_validation(
            exc, KPIS_FILE, lambda k: nearest_line(lines, k), hints=_HINTS, model=_KpisFile
        )
        errors.extend(located)
        errors.raise_if_any()
        raise AssertionError("unreachable") from exc
    errors = ErrorCollector()
    known = _Known(sorted(channels), sorted(campaigns))
    kpis = []
    for index, model in enumerate(parsed.kpi):
        where = f"kpi.{index}"
        found = _problems(model, where, known, lambda k: nearest_line(lines, k))
        errors.extend(found)
        if not found:
            kpis.append(_kpi(model, nearest_line(lines, where)))
    errors.raise_if_any()
    return tuple(kpis)


@dataclass(frozen=True)
class _Known:
    channels: list[str]
    campaigns: list[str]


def _problems(
    model: _KpiModel, where: str, known: _Known, line_of: Callable[[str], int | None]
) -> list[InputError]:
    found: list[InputError] = []

    def add(key: str, message: str, hint: str) -> None:
        found.append(
            InputError(
                KPIS_FILE, message, line=line_of(f"{where}.{key}"), key=f"{where}.{key}", hint=hint
            )
        )

    if model.metric not in METRICS:
        add(
            "metric",
            f"unknown metric {model.metric!r}{did_you_mean(model.metric, METRICS)}",
            f"one of {', '.join(METRICS)}",
        )
    if model.period not in PERIODS:
        add(
            "period",
            f"unknown period {model.period!r}{did_you_mean(model.period, PERIODS)}",
            f"one of {', '.join(PERIODS)}",
        )
    if model.channel is not None and model.channel not in known.channels:
        add(
            "channel",
            f"no channel named {model.channel!r} in channels.toml"
            f"{did_you_mean(model.channel, known.channels)}",
            "use the name of a [channels.NAME] table",
        )
    if model.campaign is not None and model.campaign not in known.campaigns:
        add(
            "campaign",
            f"no post has the campaign {model.campaign!r}"
            f"{did_you_mean(model.campaign, known.campaigns)}",
            "use the `campaign:` written in the posts' front matter",
        )
    if model.channel is not None and model.campaign is not None:
        add(
            "campaign",
            "a target covers a channel or a campaign, not both",
            "write two [[kpi]] tables, one for each",
        )
    if model.period == "campaign" and model.campaign is None:
        add(
            "period",
            'period = "campaign" needs the campaign it covers',
            'add `campaign = "..."`, or measure per week or month',
        )
    _direction_problems(model, add)
    return found


def _direction_problems(model: _KpiModel, add: Callable[[str, str, str], None]) -> None:
    """A time to answer is aimed at from above: `warn_above`, not `warn_below`; and back."""
    lower = model.metric in LOWER_IS_BETTER
    if not lower and model.warn_below is not None and model.warn_below > model.target:
        add(
            "warn_below",
            f"warn_below ({model.warn_below:g}) is above the target ({model.target:g})",
            "warn_below is the level under which the report alerts: keep it under the target",
        )
    if lower and model.warn_below is not None:
        add(
            "warn_below",
            f"{model.metric} is a most to stay under: warn_below does not apply",
            "write warn_above = N: the report alerts when the time goes over N hours",
        )
    if not lower and model.warn_above is not None:
        add(
            "warn_above",
            f"warn_above applies to {', '.join(LOWER_IS_BETTER)} only",
            "use warn_below",
        )
    if lower and model.warn_above is not None and model.warn_above < model.target:
        add(
            "warn_above",
            f"warn_above ({model.warn_above:g}) is under the target ({model.target:g})",
            "warn_above is the time over which the report alerts: keep it over the target",
        )
    if lower and model.campaign is not None:
        add(
            "campaign",
            "response times are measured per channel or for the whole brand",
            "use channel, or neither",
        )


def _kpi(model: _KpiModel, line: int | None) -> Kpi:
    return Kpi(
        metric=model.metric,
        period=model.period,
        target=float(model.target),
        warn_below=None if model.warn_below is None else float(model.warn_below),
        warn_above=None if model.warn_above is None else float(model.warn_above),
        channel=model.channel,
        campaign=model.campaign,
        name=model.name,
        line=line,
    )
