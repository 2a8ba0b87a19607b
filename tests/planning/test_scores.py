"""The scores as pure functions: a planted best hour is found, no data gives the defaults, a
change of clocks loses or doubles no hour, and the same history gives the same answer."""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from hypothesis import given, settings
from hypothesis import strategies as st

from cmbuild.planning.defaults import default_weights
from cmbuild.planning.scores import score_cells
from cmbuild.planning.week import CELLS, cell_of, exposure
from tests.planning.history import END, local_times

ZONES = ["Europe/Paris", "America/New_York", "Australia/Sydney", "Asia/Kolkata", "UTC"]
WEEKS = 16
START = END - timedelta(weeks=WEEKS)


def _score(posts: list[tuple[datetime, float]], zone: str, interactions: list[datetime] = []):  # type: ignore[no-untyped-def]  # noqa: B006
    tz = ZoneInfo(zone)
    return score_cells(
        sorted(posts), sorted(interactions), exposure(START, END, tz), tz,
        default_weights("bluesky"),
    )  # fmt: skip


@settings(max_examples=40, deadline=None)
@given(
    zone=st.sampled_from(ZONES),
    planted=st.integers(0, CELLS - 1),
    others=st.lists(st.integers(0, CELLS - 1), min_size=3, max_size=6, unique=True),
    seed=st.integers(0, 2**16),
)
def test_a_planted_best_hour_is_found(
    zone: str, planted: int, others: list[int], seed: int
) -> None:
    rng = random.Random(seed)
    posts = [(t, float(rng.randint(30, 40))) for t in local_times(planted, WEEKS, zone)]
    for cell in others:
        if cell != planted:
            posts += [(t, float(rng.randint(5, 12))) for t in local_times(cell, WEEKS, zone)]
    scores = _score(posts, zone)
    assert scores.enough
    assert scores.ranked[0].cell == planted
    assert scores.ranked[0].score == 1.0 and scores.ranked[0].confidence > 0.7


@settings(max_examples=20, deadline=None)
@given(zone=st.sampled_from(ZONES), planted=st.integers(0, CELLS - 1), seed=st.integers(0, 999))
def test_the_audience_activity_alone_finds_the_hour_people_are_there(
    zone: str, planted: int, seed: int
) -> None:
    rng = random.Random(seed)
    tz = ZoneInfo(zone)
    hours = [START + timedelta(hours=h) for h in range(WEEKS * 168)]
    busy = [at for at in hours if cell_of(at, tz) == planted for _ in range(20)]
    background = [rng.choice(hours) for _ in range(600)]
    scores = _score([], zone, busy + background)
    assert scores.ranked[0].cell == planted


@given(zone=st.sampled_from(ZONES))
def test_without_any_data_the_scores_are_the_platform_defaults(zone: str) -> None:
    scores = _score([], zone)
    defaults = default_weights("bluesky")
    assert not scores.enough and scores.explore == ()
    assert {s.cell: s.index for s in scores.ranked} == dict(enumerate(defaults))
    assert all(s.confidence == 0 for s in scores.ranked)
    assert [s.cell for s in scores.ranked] == sorted(
        range(CELLS), key=lambda c: (-round(defaults[c], 9), -defaults[c], c)
    )


@settings(max_examples=60)
@given(
    zone=st.sampled_from(ZONES),
    start=st.datetimes(datetime(2025, 1, 1), datetime(2027, 1, 1)).map(
        lambda d: d.replace(tzinfo=UTC)
    ),
    weeks=st.integers(1, 30),
)
def test_each_real_hour_is_counted_once_across_clock_changes(
    zone: str, start: datetime, weeks: int
) -> None:
    end = start + timedelta(weeks=weeks)
    counts = exposure(start, end, ZoneInfo(zone))
    assert sum(counts) == weeks * 168  # no hour lost nor counted twice
    assert all(weeks - 1 <= c <= weeks + 1 for c in counts)


def test_the_repeated_and_the_missing_local_hour_are_handled_explicitly() -> None:
    # Europe/Paris 2025: clocks forward on Sun 30 March (02:00 never happens), back on
    # Sun 26 October (02:00 happens twice); both are in this window.
    start = datetime(2025, 3, 1, tzinfo=UTC)
    counts = exposure(start, start + timedelta(weeks=40), ZoneInfo("Europe/Paris"))
    sunday_2 = 6 * 24 + 2
    assert counts[sunday_2] == 40  # 39 ordinary Sundays + 0 in March + 2 in October
    assert sum(counts) == 40 * 168
    start = datetime(2025, 10, 1, tzinfo=UTC)
    counts = exposure(start, start + timedelta(weeks=8), ZoneInfo("Europe/Paris"))
    assert counts[sunday_2] == 9 and sum(counts) == 8 * 168
    # Interactions at each real hour of the repeated one count once each, in one cell.
    repeated = [
        datetime(2025, 10, 26, 0, 30, tzinfo=UTC),
        datetime(2025, 10, 26, 1, 30, tzinfo=UTC),
    ]
    assert {cell_of(at, ZoneInfo("Europe/Paris")) for at in repeated} == {sunday_2}


@settings(max_examples=25, deadline=None)
@given(
    zone=st.sampled_from(ZONES),
    posts=st.lists(st.tuples(st.integers(0, WEEKS * 168 - 1), st.integers(0, 500)), max_size=60),
    clicks=st.lists(st.integers(0, WEEKS * 168 - 1), max_size=300),
)
def test_the_same_history_gives_the_same_answer(
    zone: str, posts: list[tuple[int, int]], clicks: list[int]
) -> None:
    timed = [(START + timedelta(hours=h, minutes=7), float(e)) for h, e in posts]
    interactions = [START + timedelta(hours=h) for h in clicks]
    first = _score(timed, zone, interactions)
    again = _score(list(reversed(timed)), zone, list(reversed(interactions)))
    assert first == again
    assert len({s.cell for s in first.ranked}) == CELLS
    assert all(0 <= s.score <= 1 and 0 <= s.confidence <= 1 for s in first.ranked)
