"""channels.toml's queue settings and slot entries (read by cmbuild/load/config.py).

The queue's rules are set once for the brand in a `[queue]` table and, where one channel differs,
in that channel's own `queue = { ... }`; a channel's value wins over the brand's, the brand's
over the defaults of `model.QueueRules`. A slot is `"HH:MM"` (every day), `"Tue 12:30"` (that
weekday only) or the table `{ at = "Wed 09:00", score = 0.82 }` that `cmbuild slots --propose`
writes; the order of the list is the channel's ranking, best first.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from datetime import date
from functools import cache
from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field, field_validator

from cmbuild.errors import did_you_mean
from cmbuild.layout import CHANNELS_FILE
from cmbuild.load.tomlfile import nearest_line, read_toml
from cmbuild.model import Channel, Finding, QueueRules

WEEKDAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
_SLOT = re.compile(r"^(?:([A-Za-z]{3})\s+)?(([01]\d|2[0-3]):[0-5]\d)$")


class SlotModel(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
    at: str
    score: float | None = Field(default=None, ge=0, le=1)


SlotEntry = str | SlotModel


def check_slots(value: list[SlotEntry] | None) -> list[SlotEntry] | None:
    """Each slot is `HH:MM` or `Ddd HH:MM` (a weekday in English, three letters)."""
    for entry in value or []:
        text = entry.at if isinstance(entry, SlotModel) else entry
        found = _SLOT.match(text.strip())
        day = found.group(1) if found else None
        if found is None or (day is not None and day.title() not in WEEKDAYS):
            close = did_you_mean(day.title(), WEEKDAYS) if day else ""
            raise ValueError(
                f"slot {text!r} is not a 24-hour time like '09:30' or a weekday and a time "
                f"like 'Tue 12:30'{close}"
            )
    return value


def slot_entries(value: list[SlotEntry]) -> tuple[tuple[str, ...], tuple[float | None, ...]]:
    """The slots as written (`Tue 12:30`, `09:00`), in rank order, and their scores."""
    texts, scores = [], []
    for entry in value:
        text = entry.at if isinstance(entry, SlotModel) else entry
        found = _SLOT.match(text.strip())
        assert found is not None  # checked by `check_slots`
        day = found.group(1)
        texts.append(f"{day.title()} {found.group(2)}" if day else found.group(2))
        scores.append(entry.score if isinstance(entry, SlotModel) else None)
    return tuple(texts), tuple(scores)


class QueueModel(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
    max_per_day: int | None = None
    min_gap_hours: float | None = Field(default=None, ge=0)
    blackout_hours: float | None = Field(default=None, ge=0)
    country: str | None = None
    horizon_weeks: int | None = Field(default=None, ge=1, le=104)
    start: date | None = None

    @field_validator("max_per_day")
    @classmethod
    def _some(cls, value: int | None) -> int | None:
        if value is not None and value < 1:
            raise ValueError(
                f"max_per_day {value} would never let a background post out: use 1 or more"
            )
        return value

    @field_validator("country")
    @classmethod
    def _country(cls, value: str | None) -> str | None:
        if value is not None and value.upper() not in _countries():
            raise ValueError(
                f"unknown country code {value!r}{did_you_mean(value.upper(), _countries())}: "
                "use the two-letter ISO code of the brand's country, like 'FR' or 'BE'"
            )
        return value.upper() if value is not None else None


@cache
def _countries() -> tuple[str, ...]:
    import holidays

    return tuple(sorted(code for code in holidays.list_supported_countries() if len(code) == 2))


def queue_rules(own: QueueModel | None, brand: QueueModel) -> QueueRules:
    """A channel's queue rules: its own values, else the brand's, else the defaults."""
    base = QueueRules()
    values = {}
    for name in QueueModel.model_fields:
        chosen = getattr(own, name) if own is not None else None
        chosen = chosen if chosen is not None else getattr(brand, name)
        values[name] = chosen if chosen is not None else getattr(base, name)
    start = values.pop("start")
    return QueueRules(**values, start=start.isoformat() if start is not None else None)


def blackout_warnings(root: Path, channels: Iterable[Channel]) -> list[Finding]:
    """A warning for each channel whose blackout is longer than its queue's horizon.

    It is no error in channels.toml: posts far from any event are still placed. But a post near
    an event may then find no slot at all: the queue lists it (an error on the post), and this
    warning says which setting to change, with its line.
    """
    long = [c for c in channels if c.queue.blackout_hours > c.queue.horizon_weeks * 7 * 24]
    if not long:
        return []
    _, lines = read_toml(root / CHANNELS_FILE, CHANNELS_FILE)
    return [_blackout_warning(channel, lines) for channel in long]


def _blackout_warning(channel: Channel, lines: dict[str, int]) -> Finding:
    rules = channel.queue
    own = f"channels.{channel.name}.queue.blackout_hours"
    key = own if own in lines else "queue.blackout_hours"
    horizon = rules.horizon_weeks * 7 * 24
    return Finding(
        rule="schedule.queue.blackout",
        severity="warning",
        message=f"{key}: a blackout of {rules.blackout_hours:g} hours is longer than the queue's "
        f"horizon ({rules.horizon_weeks} weeks = {horizon} hours): a background post near an "
        "event may find no slot at all",
        file=CHANNELS_FILE,
        line=nearest_line(lines, key),
        channel=channel.name,
        hint="shorten blackout_hours (24 keeps a day around each event) or lengthen horizon_weeks",
    )
