"""`cmbuild watch`: read the due sources, match the topics, record, alert, halt.

One pass, in order: read each due source (a source that fails is named and the others go on),
keep the items not seen before, match them against the topics, append the matches to
state/watch/mentions.jsonl, find spikes, send the pending alerts (a crisis mention not yet
alerted, this run's or an earlier run's whose target was down), and for a new crisis either write
the halts (auto_halt) or give the exact `cmbuild halt` command. Nothing here prints: the result
says what happened and the CLI shows it.
"""

from __future__ import annotations

import statistics
from collections.abc import Iterator, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING

from cmbuild.layout import HALT_FILE
from cmbuild.load.watch import Topic, Watch, resolve_url
from cmbuild.stores.metrics import iso_utc
from cmbuild.stores.watch import Mention, SourceState, Store
from cmbuild.text.terms import Phrases
from cmbuild.watch.sources import (
    FeedSource,
    Heard,
    ListenContext,
    Listened,
    ListenError,
    Source,
    listen,
)

if TYPE_CHECKING:
    import urllib3

    from cmbuild.stores.halts import Scope

TIMEOUT = 10.0
READERS = 8  # sources read at once: most of a read is waiting for the server
MAX_BYTES = 10_000_000


@dataclass(frozen=True)
class Spike:
    topic: str
    last_day: int
    mean: float
    threshold: float


@dataclass
class WatchResult:
    """What one watch did, for the CLI to show."""

    read: list[str] = field(default_factory=list)  # sources read
    failed: list[tuple[str, str]] = field(default_factory=list)  # source, problem
    new_items: int = 0
    mentions: list[Mention] = field(default_factory=list)
    spikes: list[Spike] = field(default_factory=list)
    alerts_sent: int = 0
    alert_failures: list[str] = field(default_factory=list)
    halts_written: list[str] = field(default_factory=list)  # "campaign NAME: reason"
    halt_commands: list[str] = field(default_factory=list)  # to run by hand
    notices: list[str] = field(default_factory=list)

    @property
    def crisis(self) -> bool:
        return any(m.severity == "crisis" for m in self.mentions) or bool(self.spikes)


@dataclass(frozen=True)
class WatchSettings:
    root: Path
    now: datetime
    env: Mapping[str, str]
    dry_run: bool = False


def watch(settings: WatchSettings, config: Watch) -> WatchResult:
    """One watch over `config`'s sources, recorded under settings.root/state/watch/."""
    store, result = Store.at(settings.root), WatchResult()
    seen = store.seen(result.notices)
    _, states = store.sources()
    heard: list[tuple[str, Heard]] = []
    sources = _due(config.sources, states, settings.now)
    due = [(source, states.setdefault(source.name, SourceState())) for source in sources]
    with _http(sources, TIMEOUT) as http:
        context = ListenContext(
            settings.env, TIMEOUT, MAX_BYTES, settings.now, settings.root, settings.dry_run, http
        )
        answers = _listen_all(due, context)
    for (source, state), listened in zip(due, answers, strict=True):
        state.last_read = iso_utc(settings.now)
        if isinstance(listened, ListenError):
            state.error, state.retry_at = str(listened), _retry_at(listened, settings.now)
            wait = (
                f"; not read again before {state.retry_at}, as it asked" if state.retry_at else ""
            )
            result.failed.append((source.name, str(listened) + wait))
            continue
        state.error, state.last_ok, state.cursor, state.retry_at = (
            None,
            iso_utc(settings.now),
            dict(listened.cursor),
            None,
        )
        result.read.append(source.name)
        for item in listened.items:
            if item.uri not in seen:
                seen.add(item.uri)
                heard.append((source.name, item))
    result.new_items = len(heard)
    result.mentions = match(heard, config, iso_utc(settings.now))
    history = store.mentions(result.notices) + result.mentions
    result.spikes = spikes(history, config.topics, settings.now, config.spike_k)
    if settings.dry_run:
        return result
    store.add_seen(
        {"uri": item.uri, "source": name, "at": iso_utc(settings.now)} for name, item in heard
    )
    store.add_mentions(result.mentions)
    store.save_sources(iso_utc(settings.now), states, succeeded=not result.failed)
    _alert(store, config, settings, history, result)
    _halt(config, settings, result)
    return result


def _listen_all(
    due: Sequence[tuple[Source, SourceState]], context: ListenContext
) -> list[Listened | ListenError]:
    """Read the sources READERS at a time (each keeps its own timeout); the answers come back in
    the order of `due`, so what is recorded does not depend on which source answered first."""

    def one(pair: tuple[Source, SourceState]) -> Listened | ListenError:
        try:
            return listen(pair[0], pair[1].cursor, context)
        except ListenError as exc:
            return exc

    if len(due) < 2:
        return [one(pair) for pair in due]
    with ThreadPoolExecutor(max_workers=min(READERS, len(due))) as pool:
        return list(pool.map(one, due))


@contextmanager
def _http(sources: Sequence[Source], timeout: float) -> Iterator[urllib3.PoolManager | None]:
    """One HTTP client for the feeds among `sources` (None when there are none)."""
    if not any(isinstance(source, FeedSource) for source in sources):
        yield None
        return
    from cmbuild.watch.feed import new_client

    with new_client(timeout, READERS) as client:
        yield client


def _due(
    sources: Sequence[Source], states: Mapping[str, SourceState], now: datetime
) -> list[Source]:
    """The sources whose interval has passed, and which did not ask to wait until later."""
    due = []
    for source in sources:
        state = states.get(source.name)
        last = state.last_read if state else None
        if state is not None and state.retry_at and now < datetime.fromisoformat(state.retry_at):
            continue
        if last is None or datetime.fromisoformat(last) + source.interval <= now:
            due.append(source)
    return due


def _retry_at(error: ListenError, now: datetime) -> str | None:
    """When a source that asked to wait (Retry-After) may be read again; None if it did not."""
    if error.retry_after is None or error.retry_after <= 0:
        return None
    return iso_utc(now + timedelta(seconds=error.retry_after))


def match(heard: Sequence[tuple[str, Heard]], config: Watch, at: str) -> list[Mention]:
    """The mentions in `heard`: one per item and topic it matches (and no exclusion rules out)."""
    terms = Phrases({t.name: t.terms for t in config.topics}, config.languages)
    excluded = Phrases({t.name: t.exclude for t in config.topics if t.exclude}, config.languages)
    severity = {t.name: t.severity for t in config.topics}
    mentions = []
    for source, item in heard:
        text = f"{item.title}\n{item.text}"
        found = terms.find(text)
        if not found:
            continue
        ruled_out = excluded.find(text)
        for topic, phrases in found.items():
            if topic not in ruled_out:
                published = iso_utc(item.published) if item.published else None
                mentions.append(
                    Mention(
                        at,
                        source,
                        item.uri,
                        item.url,
                        item.title,
                        topic,
                        severity[topic],
                        phrases,
                        published,
                    )
                )
    return mentions


def spikes(
    mentions: Sequence[Mention], topics: Sequence[Topic], now: datetime, k: float
) -> list[Spike]:
    """Topics whose mentions of the last 24 h exceed the mean of the 7 days before + k σ."""
    found = []
    for topic in topics:
        days = [0] * 8  # 0: the last 24 h, 1..7: the days before
        for mention in mentions:
            if mention.topic == topic.name:
                age = now - datetime.fromisoformat(mention.at)
                if timedelta(0) <= age < timedelta(days=8):
                    days[age.days] += 1
        week = days[1:]
        mean, spread = statistics.fmean(week), statistics.pstdev(week)
        threshold = mean + k * spread
        if days[0] > threshold and days[0] >= 3:  # three mentions at least: one is no spike
            found.append(Spike(topic.name, days[0], mean, threshold))
    return found


def _alert(
    store: Store,
    config: Watch,
    settings: WatchSettings,
    history: list[Mention],
    result: WatchResult,
) -> None:
    alerted = store.alerted(result.notices)
    pending = [m for m in history if m.severity == "crisis" and (m.uri, m.topic) not in alerted]
    pending += [_spike_mention(spike, settings.now) for spike in result.spikes]
    if not pending or not config.alert_urls:
        return
    from cmbuild.notify import send

    try:
        urls = [resolve_url(url, settings.env) for url in config.alert_urls]
    except KeyError as exc:
        result.alert_failures.append(
            f"the environment variable {exc.args[0]} is not set: no alert sent"
        )
        return
    for mention in pending:
        title = f"[veille] {mention.severity}: {mention.topic}: {mention.title}"
        body = "\n".join(
            (
                mention.title,
                mention.url or mention.uri,
                f"terms: {', '.join(mention.terms)}",
                f"source: {mention.source}",
            )
        )
        failures = send(urls, title, body)
        if failures:
            result.alert_failures.extend(failures)
        else:
            store.add_alerted(mention.uri, mention.topic, iso_utc(settings.now))
            result.alerts_sent += 1


def _spike_mention(spike: Spike, now: datetime) -> Mention:
    day = now.strftime("%Y-%m-%d")
    title = f"{spike.last_day} mentions in 24 h (threshold {spike.threshold:.1f})"
    return Mention(
        iso_utc(now), "spike", f"spike:{spike.topic}:{day}", None, title, spike.topic, "spike", ()
    )


def _halt(config: Watch, settings: WatchSettings, result: WatchResult) -> None:
    """Hold what a new crisis clashes with: the topic's campaigns and its sensitive posts."""
    topics = {t.name: t for t in config.topics}
    crises = [m for m in result.mentions if topics[m.topic].severity == "crisis"]
    if not crises:
        return
    from cmbuild.stores.halts import Halt, Veille, add_halt  # the halt file's reader: on a crisis

    path = settings.root / HALT_FILE
    done: set[tuple[Scope, str]] = set()
    for mention in crises:
        topic = topics[mention.topic]
        reason = f"veille: {topic.name}: {mention.title} ({mention.url or mention.uri})"
        heard = Veille(topic.name, mention.title, mention.url or mention.uri)
        held: list[tuple[Scope, str]] = [("post", p) for p in config.sensitive.get(topic.name, ())]
        held += [("campaign", campaign) for campaign in topic.halt]
        for scope, name in held:
            if (scope, name) in done:
                continue
            done.add((scope, name))
            if topic.auto_halt:
                since = iso_utc(settings.now)
                add_halt(path, HALT_FILE, Halt(scope, name, reason, since, heard))
                result.halts_written.append(f"{scope} {name}: {reason}")
            elif scope == "post":
                # `cmbuild halt` holds campaigns and channels: a single post is held by veille only.
                result.halt_commands.append(f"hold {name} (sensitive: {topic.name}) by hand")
            else:
                result.halt_commands.append(
                    f"cmbuild halt --campaign {_quoted(name)} --reason {_quoted(reason)}"
                )


def _quoted(value: str) -> str:
    import shlex

    return shlex.quote(value)
