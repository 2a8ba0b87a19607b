"""preview/watch.html: what veille heard, as of the last `cmbuild watch`, and what it holds.

Read from brand/watch.toml and state/watch/ through their own readers, without changing them (a
torn last line of mentions.jsonl is named on the page and left for `cmbuild watch` to set
aside). Everything is dated by the last watch, not by the clock: the same files give the same
page. Spikes are found by the rule `cmbuild watch` alerts on (`cmbuild.watch.run.spikes`).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

from markupsafe import Markup

from cmbuild.errors import InputError, InputErrors
from cmbuild.load.watch import Watch, load_watch
from cmbuild.preview.shown import Shown
from cmbuild.stores.halts import Halt
from cmbuild.stores.jsonl import TORN_SUFFIX
from cmbuild.stores.watch import WATCH_DIR, Mention, SourceState, Store
from cmbuild.watch.run import Spike, spikes
from cmbuild.watch.sources import Source

WATCH_PAGE = "preview/watch.html"
DAYS = 30  # the chart's span, ending on the day of the last watch
LATEST = 50  # items listed, newest first
VEILLE = "veille: "  # how `cmbuild watch` begins the reason of the halts it writes


@dataclass(frozen=True)
class SourceRow:
    name: str
    kind: str
    interval: str
    last_read: str | None  # the last attempt, "YYYY-MM-DD HH:MM UTC"
    last_ok: str | None
    error: str | None


@dataclass(frozen=True)
class Held:
    """A halt veille wrote, the item behind it (when still in the store), and the posts it holds."""

    halt: Halt
    mention: Mention | None
    posts: tuple[tuple[str, str], ...]  # (title, source), in calendar order


@dataclass(frozen=True)
class TopicRow:
    name: str
    severity: str
    total: int  # mentions in the store
    last_day: int  # in the 24 h before the last watch


@dataclass(frozen=True)
class WatchView:
    """Everything the watch page shows.

    `state`: "unconfigured", "invalid" (brand/watch.toml), "damaged" (state/watch/sources.json),
    "never" or "read".
    """

    state: str
    problem: str = ""
    watched_at: str | None = None
    topics: tuple[TopicRow, ...] = ()
    chart: Markup | None = None
    latest: tuple[Mention, ...] = ()
    total: int = 0
    spikes: tuple[Spike, ...] = ()
    sources: tuple[SourceRow, ...] = ()
    held: tuple[Held, ...] = ()
    notices: tuple[str, ...] = ()


def read_watch(
    repo: Path, variants: Sequence[Shown], halts: tuple[Halt, ...], cache: Path | None
) -> WatchView:
    """The watch page's view of the repository at `repo` (charts cached under `cache`)."""
    held = _held(halts, variants, [])
    try:
        config = load_watch(repo, {v.campaign for v in variants if v.campaign})
    except (InputError, InputErrors) as error:
        return WatchView("invalid", problem=str(error), held=held)
    if config is None:
        return WatchView("unconfigured", held=held)
    notices: list[str] = []
    store = Store(repo / WATCH_DIR, repair=False)
    try:
        mentions = store.mentions(notices)
    except TypeError:  # a line with other keys than a mention's: the store cannot read it
        notices.append(
            f"{WATCH_DIR}/mentions.jsonl: a line is not a mention as `cmbuild watch` writes"
            " them (other keys); no mention is shown until it is fixed or removed"
        )
        mentions = []
    try:
        watched_at, states = store.sources()
    except InputError as error:  # damaged by hand or by a tool: said, and the build goes on
        return WatchView("damaged", problem=str(error), held=held, notices=tuple(notices))
    torn = repo / WATCH_DIR / f"mentions.jsonl{TORN_SUFFIX}"
    if torn.is_file():
        notices.append(
            f"{WATCH_DIR}/{torn.name}: lines cut short by an interrupted write were set aside"
            " there; they are not counted"
        )
    notices = [n.replace(f"{repo}/", "") for n in notices]  # the same page wherever repo is
    if watched_at is None and not mentions:
        return WatchView("never", held=held, notices=tuple(notices))
    anchor = _anchor(watched_at, mentions)
    return WatchView(
        "read",
        watched_at=_shown(watched_at),
        topics=_topics(config, mentions, anchor),
        chart=_chart(config, mentions, anchor, cache),
        latest=tuple(sorted(mentions, key=_newest_first))[:LATEST],
        total=len(mentions),
        spikes=tuple(spikes(mentions, config.topics, anchor, config.spike_k)),
        sources=tuple(_source_row(s, states.get(s.name)) for s in config.sources),
        held=_held(halts, variants, mentions),
        notices=tuple(notices),
    )


def _newest_first(mention: Mention) -> tuple[float, str, str]:
    return (-datetime.fromisoformat(mention.at).timestamp(), mention.uri, mention.topic)


def _anchor(watched_at: str | None, mentions: Sequence[Mention]) -> datetime:
    """The moment the page speaks of: the last watch, else the last mention heard."""
    if watched_at is not None:
        return datetime.fromisoformat(watched_at).astimezone(UTC)
    return max(datetime.fromisoformat(m.at).astimezone(UTC) for m in mentions)


def _shown(moment: str | None) -> str | None:
    if moment is None:
        return None
    return datetime.fromisoformat(moment).astimezone(UTC).strftime("%Y-%m-%d %H:%M UTC")


def _topics(config: Watch, mentions: Sequence[Mention], anchor: datetime) -> tuple[TopicRow, ...]:
    rows = []
    for topic in config.topics:
        mine = [m for m in mentions if m.topic == topic.name]
        recent = sum(
            timedelta(0) <= anchor - datetime.fromisoformat(m.at) < timedelta(days=1) for m in mine
        )
        rows.append(TopicRow(topic.name, topic.severity, len(mine), recent))
    return tuple(rows)


def _source_row(source: Source, state: SourceState | None) -> SourceRow:
    minutes = source.interval.total_seconds() / 60
    interval = f"every {minutes / 60:g} h" if minutes >= 60 else f"every {minutes:g} min"
    return SourceRow(
        name=source.name,
        kind=source.kind,
        interval=interval,
        last_read=_shown(state.last_read) if state else None,
        last_ok=_shown(state.last_ok) if state else None,
        error=state.error if state else None,
    )


def _held(
    halts: tuple[Halt, ...], variants: Sequence[Shown], mentions: Sequence[Mention]
) -> tuple[Held, ...]:
    """The halts `cmbuild watch` wrote, each with its item: by the topic and item the halt
    records, else (a halt file written before they were recorded) by the reason it wrote."""
    by_reason = {f"{VEILLE}{m.topic}: {m.title} ({m.url or m.uri})": m for m in mentions}
    by_item = {(m.topic, m.url or m.uri): m for m in mentions}
    found = []
    for halt in halts:
        if halt.veille is None and not halt.reason.startswith(VEILLE):
            continue
        mention = by_reason.get(halt.reason)
        if halt.veille is not None:
            mention = by_item.get((halt.veille.topic, halt.veille.url or ""), mention)
        posts: dict[str, str] = {}
        for v in sorted(variants, key=lambda v: (v.scheduled, v.source)):
            if halt.matches(v):
                posts.setdefault(v.source, v.title)
        shown = tuple((title, source) for source, title in posts.items())
        found.append(Held(halt, mention, shown))
    return tuple(found)


def _chart(
    config: Watch, mentions: Sequence[Mention], anchor: datetime, cache: Path | None
) -> Markup | None:
    """Mentions per day and topic over the DAYS ending on the last watch's day; None if none."""
    from cmbuild.insights import charts

    last = anchor.date()
    days = [last - timedelta(days=DAYS - 1 - i) for i in range(DAYS)]
    series: dict[str, list[int]] = {t.name: [0] * DAYS for t in config.topics}
    for mention in mentions:
        index = DAYS - 1 - (last - datetime.fromisoformat(mention.at).astimezone(UTC).date()).days
        if 0 <= index < DAYS and mention.topic in series:
            series[mention.topic][index] += 1
    if not any(any(counts) for counts in series.values()):
        return None
    labels = [d.strftime("%d %b") for d in days]
    data = ("watch-mentions", labels, sorted(series.items()))
    svg = charts.cached(cache, data, lambda: _draw(labels, series))
    return Markup(svg) if svg else None


def _draw(labels: Sequence[str], series: dict[str, list[int]]) -> str:
    import matplotlib
    from matplotlib.figure import Figure
    from matplotlib.ticker import MaxNLocator

    from cmbuild.insights import charts

    with matplotlib.rc_context(charts.STYLE):  # type: ignore[arg-type]
        figure = Figure(figsize=(7.5, 2.8))
        axes = figure.add_subplot()
        positions = list(range(len(labels)))
        for topic, counts in sorted(series.items()):
            axes.plot(positions, counts, marker=".", label=topic)
        axes.set_xticks(positions[::5], labels[::5])
        axes.yaxis.set_major_locator(MaxNLocator(integer=True))
        axes.set_ylabel("mentions per day")
        axes.set_title("Mentions per topic, by day (UTC)")
        axes.legend(loc="upper left", fontsize=7, ncols=3, frameon=False)
        return charts.svg(figure)
