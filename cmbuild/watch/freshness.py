"""`max_watch_age`: push refuses to publish when veille has not listened recently enough.

Opt-in, at the top of brand/watch.toml (`max_watch_age = "2h"`). A watch counts when it read
every source it was due to read (state/watch/sources.json `succeeded_at`): a watch whose sources
all failed heard nothing, and a post that clashes with the news could go out unnoticed. Only this
key is read here, so a push without `max_watch_age` does not depend on the rest of the file.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from pathlib import Path

from pydantic import TypeAdapter, ValidationError

from cmbuild.errors import InputError
from cmbuild.load.tomlfile import read_toml
from cmbuild.load.validation import describe
from cmbuild.stores.watch import LastWatch, Store
from cmbuild.watch.sources import Interval

WATCH_FILE = "brand/watch.toml"
KEY = "max_watch_age"
_AGE: TypeAdapter[timedelta] = TypeAdapter(Interval)


def max_watch_age(root: Path) -> tuple[timedelta | None, int | None]:
    """The age asked for (None when not asked) and its line; InputError if it is invalid."""
    if not (root / WATCH_FILE).exists():
        return None, None
    data, lines = read_toml(root / WATCH_FILE, WATCH_FILE)
    if data.get(KEY) is None:
        return None, None
    try:
        return _AGE.validate_python(data[KEY]), lines.get(KEY)
    except ValidationError as exc:
        message = describe(exc.errors()[0])
        raise InputError(WATCH_FILE, message, line=lines.get(KEY), key=KEY) from None


def stale_watch(root: Path, now: datetime) -> InputError | None:
    """Why a push must not run now (the last good watch is too old, or none ran), else None."""
    age, line = max_watch_age(root)
    if age is None:
        return None
    last = Store.at(root).last_watch()
    if last.succeeded is not None and now - datetime.fromisoformat(last.succeeded) <= age:
        return None
    return InputError(
        WATCH_FILE,
        f"{_heard(last, now, age)}: push publishes nothing then, as a post that clashes with the"
        f" news could go out unnoticed{_failing(last)}",
        line=line,
        key=KEY,
        hint="run `cmbuild watch` first, then push; `cmbuild run` does both in that order"
        + ("; fix the failing sources, or remove them" if last.failing else ""),
    )


def _heard(last: LastWatch, now: datetime, age: timedelta) -> str:
    if last.ran is None:
        return (
            "veille has never listened here (no `cmbuild watch` ran):"
            f" max_watch_age asks for one in the last {_span(age)}"
        )
    if last.succeeded is None:
        said = f"no watch has read all its sources yet (the last one ran at {last.ran})"
    else:
        ago = _span(now - datetime.fromisoformat(last.succeeded))
        said = (
            f"the last watch that read all its sources ran at {last.succeeded}, {ago} ago:"
            f" more than max_watch_age ({_span(age)})"
        )
    return said


def _failing(last: LastWatch) -> str:
    if not last.failing:
        return ""
    failing = "; ".join(f"{name}: {error}" for name, error in last.failing)
    return f". Sources that failed at the last watch ({last.ran}): {failing}"


def _span(span: timedelta) -> str:
    minutes = max(0, int(span.total_seconds() // 60))
    if minutes < 120:
        return f"{minutes} min"
    hours = minutes / 60
    return f"{hours:.1f} h" if hours < 48 else f"{hours / 24:.1f} days"
