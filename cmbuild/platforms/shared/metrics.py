"""The metrics reader interface: read back a channel's published posts' figures, and its own.

One class per platform, in `cmbuild/platforms/<name>/metrics.py`, named by `Platform.metrics`.
A reader works through the channel's publisher (its credentials, its logged-in session, its
error handling), so a scheduled run that pushes and collects logs in once per account. Which
platform field each metric name stands for is data, in `metrics.toml` beside each reader
(`tables`): docs/insights-metrics.md is generated from it. A metric the platform does not give
for a post is None, never 0.
"""

from __future__ import annotations

import tomllib
from abc import ABC, abstractmethod
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from importlib import resources
from typing import Any, ClassVar, Generic, TypeVar

from cmbuild.platforms.shared.publisher import Publisher, PublishError

MetricValue = int | float | None
P = TypeVar("P", bound=Publisher)
GONE = "gone"  # the metric a reading of a post deleted on the platform holds (1)


@dataclass(frozen=True)
class Metric:
    """One row of a platform's metric table: cmbuild's name, the platform's field, its meaning."""

    name: str
    field: str
    meaning: str


@dataclass(frozen=True)
class PostRef:
    """A published post to read: its id on the platform and when it was published."""

    remote_id: str
    published_at: datetime


@dataclass(frozen=True)
class PostFigures:
    """What the platform said of one post: every metric of the table (None: not given)."""

    metrics: Mapping[str, MetricValue]
    gone: bool = False  # deleted on the platform: no figures, and none to ask for again


class MetricsReader(ABC, Generic[P]):
    """Reads one channel's figures through its publisher."""

    api: ClassVar[str]  # the API the figures come from, as the store records it
    posts: ClassVar[tuple[Metric, ...]]  # the metrics of a post (metrics.toml's [posts])
    channel: ClassVar[tuple[Metric, ...]] = ()  # the channel's own figures ([channel])
    batch: ClassVar[int] = 1  # posts per request
    # other tables for the posts of other kinds of account: (whose posts, their metrics)
    more: ClassVar[tuple[tuple[str, tuple[Metric, ...]], ...]] = ()

    def __init_subclass__(cls, **kwargs: Any) -> None:
        """Each table of the `metrics.toml` beside the reader's module (`posts`, `channel`...)
        becomes the class attribute of its name, unless the class sets that one itself."""
        super().__init_subclass__(**kwargs)
        for name, table in tables(cls.__module__).items():
            if name not in cls.__dict__:
                setattr(cls, name, table)

    def __init__(self, publisher: P) -> None:
        self.publisher = publisher

    @abstractmethod
    def read_posts(self, refs: Sequence[PostRef], now: datetime) -> dict[str, PostFigures]:
        """The figures of each of `refs` (at most `batch`), by remote id; PublishError."""

    def read_channel(self) -> Mapping[str, MetricValue]:
        """The channel's own figures (followers...); empty where the platform gives none."""
        return {}


def figures(table: Sequence[Metric], values: Mapping[str, object]) -> dict[str, MetricValue]:
    """Every metric of `table` from `values` (the platform's fields): a number, else None."""
    found: dict[str, MetricValue] = {}
    for metric in table:
        value = values.get(metric.field)
        found[metric.name] = (
            value
            if isinstance(value, int | float) and value is not True and value is not False
            else None
        )
    return found


def tables(reader_module: str) -> dict[str, tuple[Metric, ...]]:
    """The metric tables of the `metrics.toml` beside a reader (give its `__name__`): each
    table's rows `name = [platform field, meaning]`, in the file's order."""
    found = resources.files(reader_module.rpartition(".")[0]).joinpath("metrics.toml")
    if not found.is_file():
        return {}  # a shared base (cmbuild/platforms/shared/) has no table of its own
    text = found.read_text(encoding="utf-8")
    return {
        table: tuple(Metric(name, field, meaning) for name, (field, meaning) in rows.items())
        for table, rows in tomllib.loads(text).items()
    }


def read_each(
    refs: Sequence[PostRef], read: Callable[[PostRef], PostFigures], gone: tuple[int, ...] = (404,)
) -> dict[str, PostFigures]:
    """`read` each post in turn; a post the platform answers one of the `gone` statuses for was
    deleted there."""
    found: dict[str, PostFigures] = {}
    for ref in refs:
        try:
            found[ref.remote_id] = read(ref)
        except PublishError as error:
            if error.status not in gone:
                raise
            found[ref.remote_id] = PostFigures({}, gone=True)
    return found
