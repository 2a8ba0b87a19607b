"""A channel's slots scored from its history: pure functions, same history → same scores.

For each cell of the week (weekday × hour in the channel's zone, cmbuild/planning/week.py):

- **performance**: each post's engagements divided by the rolling median of the channel's posts
  around it (MEDIAN_SPAN on each side, by publish time), so that a channel that gained followers
  over the window does not favour its recent slots; a cell's value is the mean of its posts'
  ratios, pulled toward the channel's mean ratio with the weight of POSTS_PRIOR posts;
- **audience activity**: the cell's interactions over those expected from its real hours of
  exposure at the channel's overall rate, pulled toward 1 with the weight of ACTIVITY_PRIOR
  expected interactions;
- each part has a confidence (n / (n + prior)); the cell's confidence is that of either part
  being right, 1 - (1 - cp)(1 - ca), and its index is the parts weighted by their confidence,
  blended with the cell's prior by the confidence left over. The prior is the platform's default
  for the cell while the channel has no data, and moves to the channel's mean (1) as its data
  grows to enough (below).

A score is the index over the channel's best index (the best slot scores 1.00). A channel has
enough data with MIN_POSTS posts or MIN_INTERACTIONS interactions in the window; otherwise the
defaults dominate, and the result says so.
"""

from __future__ import annotations

import math
import statistics
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import numpy as np
from numpy.lib.stride_tricks import sliding_window_view
from numpy.typing import NDArray

from cmbuild.planning.week import CELLS, Calendar, calendar, label

MEDIAN_SPAN = 10  # posts on each side of a post in its rolling median
POSTS_PRIOR = 4.0  # a cell's performance counts as this many posts at the channel's mean
ACTIVITY_PRIOR = 10.0  # a cell's activity counts as this many interactions at the channel's rate
MIN_POSTS = 20
MIN_INTERACTIONS = 200
EXPLORE_BELOW = 0.25  # a cell under this confidence is thin: a candidate to explore
EXPLORE_SLOTS = 2
EPOCH = datetime(1970, 1, 1, tzinfo=UTC)  # the span of a history with no times at all
BOTTOM_SHARE = 0.10  # `cmbuild check` warns of posts fixed in this share of weakest cells


@dataclass(frozen=True)
class Slot:
    """One cell of the week, scored."""

    cell: int
    score: float  # index over the channel's best index, 0..1
    confidence: float  # 0..1: how much of the score is the channel's own data
    posts: int  # the channel's posts published in this cell
    interactions: int  # its audience's interactions in this cell
    index: float  # unscaled: 1 is the channel's average hour
    performance: float = 1.0  # the posts' part, shrunk (1: the channel's mean)
    activity: float = 1.0  # the audience's part, shrunk (1: the channel's rate)

    @property
    def label(self) -> str:
        return label(self.cell)


@dataclass(frozen=True)
class Scores:
    """A channel's cells, best first, with what they rest on."""

    ranked: tuple[Slot, ...]  # all 168 cells, best first (ties: by the platform's defaults)
    explore: tuple[Slot, ...]  # thin cells worth trying, best first
    posts: int
    interactions: int
    enough: bool  # enough data of its own; else the defaults dominate

    def bottom(self) -> frozenset[int]:
        """The cells of the weakest BOTTOM_SHARE."""
        count = math.ceil(CELLS * BOTTOM_SHARE)
        return frozenset(slot.cell for slot in self.ranked[-count:])


def performance_ratios(posts: Sequence[tuple[datetime, float]]) -> list[float]:
    """Each post's engagements over the rolling median around it (+1 on both: zero-safe)."""
    values = np.fromiter((engagements for _, engagements in posts), float, count=len(posts))
    ratios: list[float] = _ratios(values).tolist()
    return ratios


def _ratios(values: NDArray[np.float64]) -> NDArray[np.float64]:
    count = len(values)
    medians = np.empty(count)
    width = 2 * MEDIAN_SPAN + 1
    if count >= width:  # full windows: an odd count, so the median is the middle value itself
        windows = sliding_window_view(values, width)
        medians[MEDIAN_SPAN : count - MEDIAN_SPAN] = np.median(windows, axis=1)
    for i in (
        *range(min(MEDIAN_SPAN, count)),
        *range(max(MEDIAN_SPAN, count - MEDIAN_SPAN), count),
    ):
        medians[i] = statistics.median(
            values[max(0, i - MEDIAN_SPAN) : i + MEDIAN_SPAN + 1].tolist()
        )
    return (values + 1.0) / (medians + 1.0)


def score_cells(
    posts: Sequence[tuple[datetime, float]],
    interactions: Sequence[datetime],
    exposure: Sequence[int],
    zone: ZoneInfo,
    defaults: Sequence[float],
    window: Calendar | None = None,  # the cells of the window's quarters in `zone`, if known
) -> Scores:
    """Score every cell from a channel's posts (oldest first), interactions and exposure."""
    times = [published for published, _ in posts]
    every = [*times, *interactions]
    window = window or calendar(min(every, default=EPOCH), max(every, default=EPOCH), zone)
    values = np.fromiter((engagements for _, engagements in posts), float, count=len(posts))
    return score_history(
        values, window.cells(times), window.cells(interactions), exposure, defaults
    )


def score_history(
    engagements: NDArray[np.float64],  # each post's, oldest first
    post_cells: NDArray[np.intp],  # the cell of each post
    interaction_cells: NDArray[np.intp],
    exposure: Sequence[int],
    defaults: Sequence[float],
) -> Scores:
    """Score every cell from a channel's posts and interactions, already placed in their cells."""
    perf, perf_conf, post_counts = _performance(engagements, post_cells)
    interactions = len(interaction_cells)
    act, act_conf, act_counts = _activity(interactions, exposure, interaction_cells)
    # The prior of a cell: the platform's default while the channel has little data, moving to
    # the channel's own mean (1) as its data grows to enough.
    posts = len(engagements)
    grown = min(1.0, max(posts / MIN_POSTS, interactions / MIN_INTERACTIONS))
    indexes = []
    confidences = []
    for cell in range(CELLS):
        prior = (1.0 - grown) * defaults[cell] + grown
        cp, ca = perf_conf[cell], act_conf[cell]
        confidence = 1.0 - (1.0 - cp) * (1.0 - ca)
        data = (cp * perf[cell] + ca * act[cell]) / (cp + ca) if cp + ca > 0 else 1.0
        indexes.append(confidence * data + (1.0 - confidence) * prior)
        confidences.append(confidence)
    best = max(indexes)
    slots = [
        Slot(c, round(indexes[c] / best, 2), round(confidences[c], 2), post_counts[c],
             act_counts[c], indexes[c], perf[c], act[c])
        for c in range(CELLS)
    ]  # fmt: skip
    # Equal indexes (cells with no data of their own) in the order of the platform's defaults.
    ranked = tuple(sorted(slots, key=lambda s: (-round(s.index, 9), -defaults[s.cell], s.cell)))
    # With no data at all every cell is a guess: exploring means something only beside data.
    # Worth trying: the thin cells the platform's defaults rate highest.
    thin = sorted(
        (s for s in ranked if s.confidence < EXPLORE_BELOW and (posts or interactions)),
        key=lambda s: (-defaults[s.cell], s.cell),
    )
    explore = tuple(thin[:EXPLORE_SLOTS])
    enough = posts >= MIN_POSTS or interactions >= MIN_INTERACTIONS
    return Scores(ranked, explore, posts, interactions, enough)


def _performance(
    values: NDArray[np.float64], cells: NDArray[np.intp]
) -> tuple[list[float], list[float], list[int]]:
    ratios = _ratios(values)
    mean = statistics.fmean(ratios.tolist()) if len(ratios) else 1.0
    # bincount adds each cell's ratios in order, as a loop over the posts would: same floats.
    sums = np.bincount(cells, weights=ratios, minlength=CELLS).tolist()
    counts = np.bincount(cells, minlength=CELLS).tolist()
    values_ = [(sums[c] + POSTS_PRIOR * mean) / (counts[c] + POSTS_PRIOR) for c in range(CELLS)]
    # As an index around 1, like activity and the defaults: relative to the channel's mean.
    shrunk = [value / mean for value in values_]
    confidence = [counts[c] / (counts[c] + POSTS_PRIOR) for c in range(CELLS)]
    return shrunk, confidence, counts


def _activity(
    interactions: int, exposure: Sequence[int], cells: NDArray[np.intp]
) -> tuple[list[float], list[float], list[int]]:
    counts = np.bincount(cells, minlength=CELLS).tolist()
    hours = sum(exposure)
    rate = interactions / hours if hours else 0.0
    expected = [exposure[c] * rate for c in range(CELLS)]
    values = [(counts[c] + ACTIVITY_PRIOR) / (expected[c] + ACTIVITY_PRIOR) for c in range(CELLS)]
    confidence = [expected[c] / (expected[c] + ACTIVITY_PRIOR) for c in range(CELLS)]
    return values, confidence, counts
