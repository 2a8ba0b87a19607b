"""One collect: plan the readings due, read them channel by channel, append each to the store.

Each reading is appended (one write + fsync) as soon as its figures are in, so a crash loses at
most the line being written; the next collect finds what is already stored and reads only the
rest. Credentials refused stop that channel (naming the variables to renew) and the others go
on; a rate limit or server error is retried as a push retries, then reported for that channel.
"""

from __future__ import annotations

import functools
import os
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from cmbuild import platforms
from cmbuild.collect.activity import record_activity
from cmbuild.collect.live import LiveResult, LiveSettings, collect_step
from cmbuild.collect.plan import Due, Plan, held, make_plan
from cmbuild.errors import InputError, InputErrors
from cmbuild.layout import LEDGER_FILE
from cmbuild.load.config import collect_ages, load_channels
from cmbuild.model import Channel
from cmbuild.platforms.shared.metrics import GONE, MetricsReader, PostRef
from cmbuild.platforms.shared.publisher import STOPPED, Publisher, PublishError
from cmbuild.push.report import Report
from cmbuild.push.retry import RetryPolicy, with_retry
from cmbuild.push.session import PushSettings, Session
from cmbuild.stores import metrics
from cmbuild.stores.ledger import Record, fold, read_ledger
from cmbuild.stores.metrics import Snapshot

Progress = Callable[[int, int], None]  # (readings done, readings planned)


@dataclass(frozen=True)
class CollectSettings:
    root: Path = Path(".")
    now: datetime | None = None  # default: the clock
    channels: tuple[str, ...] = ()  # only these (default: all)
    dry_run: bool = False
    timeout: float = 30.0
    retry: RetryPolicy = field(default_factory=RetryPolicy)
    environ: Mapping[str, str] = field(default_factory=lambda: os.environ)

    @property
    def state_dir(self) -> Path:
        return (self.root / LEDGER_FILE).parent


@dataclass
class ChannelResult:
    channel: str
    planned: int = 0
    written: int = 0
    gone: int = 0
    error: str | None = None  # why the channel stopped
    interactions: int = 0  # the audience's interactions newly recorded in state/activity/


@dataclass
class CollectReport:
    now: datetime
    plan: Plan
    channels: dict[str, ChannelResult] = field(default_factory=dict)
    problems: list[str] = field(default_factory=list)  # store lines that could not be read
    unread: list[str] = field(default_factory=list)  # channels cmbuild cannot read figures of yet
    dry_run: bool = False
    analytics: LiveResult | None = None  # channels.toml's [analytics], when there is one

    @property
    def written(self) -> int:
        return sum(r.written for r in self.channels.values())

    @property
    def failed(self) -> bool:
        failed = self.analytics is not None and self.analytics.error is not None
        return failed or any(r.error for r in self.channels.values())


def collect(
    settings: CollectSettings,
    publishers: dict[str, Publisher] | None = None,
    progress: Progress | None = None,
) -> CollectReport:
    """Read and store every reading due now; `publishers` are shared with a run's other steps."""
    channels = chosen_channels(settings)
    now = (settings.now or datetime.now(UTC)).astimezone(UTC).replace(microsecond=0)
    ledger = settings.root / LEDGER_FILE
    records = fold(read_ledger(ledger, LEDGER_FILE).lines)
    stored = metrics.read_snapshots(settings.state_dir)
    ages = collect_ages(settings.root, channels.values())
    readable = {n: c for n, c in channels.items() if platforms.reads_metrics(c)}
    planned = make_plan(records, readable, ages, held(stored.snapshots), now, settings.channels)
    report = CollectReport(now, planned, dry_run=settings.dry_run)
    report.unread = _unread(records, readable, settings.channels)
    report.problems = [str(p) for p in stored.problems]
    for name in sorted({d.channel for d in planned.readings} | set(planned.channels)):
        report.channels[name] = ChannelResult(
            name, sum(d.channel == name for d in planned.readings)
        )
    if not settings.channels:  # the site's visits, unless only some channels are asked for
        report.analytics = collect_step(_live_settings(settings))
    if settings.dry_run or not report.channels:
        return report
    session = Session(_push_settings(settings), channels, None, Report("collect"), publishers)
    done = 0

    def tick(count: int) -> None:
        nonlocal done
        done += count
        if progress is not None:
            progress(done, len(planned.readings))

    for name, result in report.channels.items():
        due = [d for d in planned.readings if d.channel == name]
        snapshots = _channel_snapshots(
            session, channels[name], due, name in planned.channels, now, result, tick
        )
        result.written = metrics.append_snapshots(settings.state_dir, snapshots)
        if name in planned.channels and result.error is None:  # as often as its own figures
            result.interactions, result.error = record_activity(
                session, channels[name], settings.state_dir, now
            )
    return report


def _unread(
    records: Mapping[str, Record], readable: Mapping[str, Channel], only: Sequence[str]
) -> list[str]:
    """The channels with published posts whose figures cmbuild cannot read yet."""
    published = {r.last.channel for r in records.values() if r.state == "published"}
    if only:
        published &= set(only)
    return sorted(published - set(readable))


def _channel_snapshots(
    session: Session,
    channel: Channel,
    due: Sequence[Due],
    own: bool,
    now: datetime,
    result: ChannelResult,
    tick: Callable[[int], None],
) -> Iterator[Snapshot]:
    """The channel's snapshots, each yielded (and so written) as soon as it is read."""
    try:
        reader = _reader(session, channel)
        if reader is None:
            result.error = f"cmbuild cannot read {channel.platform} figures yet"
            return
        for start in range(0, len(due), reader.batch):
            chunk = due[start : start + reader.batch]
            refs = [PostRef(d.remote_id, d.published_at) for d in chunk]
            answer = _retried(session, functools.partial(reader.read_posts, refs, now))
            for item in chunk:
                figures = answer.get(item.remote_id)
                if figures is None:
                    continue  # not answered: asked again by the next collect
                result.gone += figures.gone
                values = {GONE: 1} if figures.gone else dict(figures.metrics)
                yield _snapshot(item, channel, now, values, reader.api)
            tick(len(chunk))
        if own:
            values = _retried(session, reader.read_channel)
            if values:
                yield Snapshot(
                    None,
                    channel.name,
                    channel.platform,
                    None,
                    now,
                    None,
                    dict(values),
                    "api",
                    reader.api,
                )
    except PublishError as error:
        message = session.redact(error.message)
        if error.kind == "auth":
            message = message.replace(STOPPED, "; nothing more is read from this channel now")
        result.error = message


def _reader(session: Session, channel: Channel) -> MetricsReader[Any] | None:
    kind = platforms.metrics_reader_class(channel)
    if kind is None:
        return None
    return kind(session.publisher(channel.name))


def _retried(session: Session, action: Callable[[], Any]) -> Any:
    return with_retry(session.settings.retry, session.guarded(action), resend_is_safe=True)


def _snapshot(
    item: Due, channel: Channel, now: datetime, values: dict[str, Any], api: str
) -> Snapshot:
    return Snapshot(
        item.variant,
        channel.name,
        channel.platform,
        item.remote_id,
        now,
        item.age_hours,
        values,
        "api",
        api,
    )


def chosen_channels(settings: CollectSettings) -> dict[str, Channel]:
    channels = {c.name: c for c in load_channels(settings.root)}
    unknown = [c for c in settings.channels if c not in channels]
    if unknown:
        raise InputErrors(
            [
                InputError(
                    "channels.toml",
                    f"--channel {name}: no such channel",
                    hint=f"channels: {', '.join(sorted(channels))}",
                )
                for name in unknown
            ]
        )
    return channels


def _live_settings(settings: CollectSettings) -> LiveSettings:
    return LiveSettings(dry_run=settings.dry_run, **_shared(settings))


def _push_settings(settings: CollectSettings) -> PushSettings:
    return PushSettings(**_shared(settings))


def _shared(settings: CollectSettings) -> dict[str, Any]:
    """What a collect's settings say that push's and the web analytics' say too."""
    return {
        "root": settings.root,
        "now": settings.now,
        "timeout": settings.timeout,
        "retry": settings.retry,
        "environ": settings.environ,
    }
