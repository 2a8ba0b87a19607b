"""The planning keys of a post's front matter: `kind`, `series` and `repeat`.

`kind` says what a post is to the calendar: `news` (the default: a post with its own date),
`event` (a launch, a meetup: background posts keep away from it) or `evergreen` (background
content the queue places). A post with a `series:` name is background content too. `repeat:`
makes a background post recur, every N weeks until a date; a repeat that never ends would fill
every future slot, so `until` is required.
"""

from __future__ import annotations

import re
from datetime import date, datetime

from pydantic import BaseModel, ConfigDict, field_validator

from cmbuild.errors import InputError
from cmbuild.model import Repeat

_EVERY = re.compile(r"^(?:(\d+)\s*)?(?:weeks?|w)$", re.IGNORECASE)

KINDS = ("news", "event", "evergreen")


class RepeatModel(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, coerce_numbers_to_str=True)
    every: str = "1 week"
    until: date | None = None

    @field_validator("every")
    @classmethod
    def _weeks(cls, value: str) -> str:
        text = value.strip()
        if text.isdigit():
            text = f"{text} weeks"
        found = _EVERY.match(text)
        if found is None or (found.group(1) is not None and int(found.group(1)) < 1):
            raise ValueError(f"write how often in weeks, like `every: 2 weeks`, got {value!r}")
        return f"{int(found.group(1) or 1)} weeks"


def repeat_of(
    model: RepeatModel | None, publish: object, source: str, lines: dict[str, int]
) -> Repeat | None:
    """The post's `repeat`, checked against its first date; InputError when it cannot end well."""
    if model is None:
        return None
    if model.until is None:
        raise InputError(
            source,
            "this repeat never ends",
            line=lines.get("repeat"),
            key="repeat.until",
            hint="add `until: 2027-06-30` under `repeat:`: the last day it may come back",
        )
    first = _first_day(publish)
    if first is not None and model.until < first:
        raise InputError(
            source,
            f"this repeat ends ({model.until.isoformat()}) before the post starts "
            f"({first.isoformat()})",
            line=lines.get("repeat.until") or lines.get("repeat"),
            key="repeat.until",
            hint="set `until` to a day after the post's `publish` date",
        )
    return Repeat(weeks=int(model.every.split()[0]), until=model.until.isoformat())


def _first_day(publish: object) -> date | None:
    if isinstance(publish, datetime):
        return publish.date()
    if isinstance(publish, date):
        return publish
    if isinstance(publish, str):
        try:
            return date.fromisoformat(publish.strip()[:10])
        except ValueError:
            return None
    return None
