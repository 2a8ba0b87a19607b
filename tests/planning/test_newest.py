"""`slots` picks each post's reading as the report does: the oldest age, then the latest time,
then the first read, across months, so both tell the same story of a post."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from cmbuild.insights.readings import CHANNEL, PUBLISHED, SOURCE, read_readings
from cmbuild.planning.audience import microseconds
from cmbuild.planning.history import ENGAGEMENTS, _months, read_histories
from cmbuild.stores import metrics
from cmbuild.stores.metrics import Snapshot
from tests.planning.history import END

START = END - timedelta(weeks=16)
# Readings on both sides of a month's end, so that one post's readings are in two month files.
READINGS = st.lists(
    st.tuples(
        st.integers(0, 5),  # the post
        st.integers(0, 45 * 24),  # hours before END: November and December
        st.sampled_from([1, 24, 168]),  # age: few values, so that ages tie
        st.integers(0, 30),  # likes
        st.sampled_from(["api", "import"]),
    ),
    max_size=40,
)


def _reference(state: Path) -> list[tuple[int, float]]:
    """The posts as the report's own summary gives them (the rows slots read before)."""
    low, high = metrics.iso_utc(START), metrics.iso_utc(END)
    found = []
    for row in read_readings(state, None, _months(START, END)).posts.values():
        if row[CHANNEL] != "bsky" or row[SOURCE] != "api" or row[ENGAGEMENTS] is None:
            continue
        if low <= row[PUBLISHED] < high:
            found.append((microseconds(metrics.parse_at(row[PUBLISHED])), float(row[ENGAGEMENTS])))
    return sorted(found)


@settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(readings=READINGS)
def test_slots_takes_the_reading_the_report_takes(
    tmp_path_factory: object, readings: list[tuple[int, int, int, int, str]]
) -> None:
    state = Path(tmp_path_factory.mktemp("store")) / "state"  # type: ignore[attr-defined]
    snapshots = [
        Snapshot(f"bsky-{post}", "bsky", "bluesky", f"at://{post}",
                 (END - timedelta(hours=hours)).astimezone(UTC), age,
                 {"likes": likes, "reposts": 0}, source, "app.bsky.feed.getPosts")
        for post, hours, age, likes, source in readings
    ]  # fmt: skip
    metrics.append_snapshots(state, snapshots)
    history = read_histories(state, None, START, END, ["bsky"]).channels["bsky"]
    got = list(zip(history.published.tolist(), history.engagements.tolist(), strict=True))
    assert got == _reference(state)


def test_a_tie_on_age_goes_to_the_later_reading(tmp_path: Path) -> None:
    at = datetime(2025, 12, 20, tzinfo=UTC)
    state = tmp_path / "state"
    metrics.append_snapshots(state, [
        Snapshot("bsky-1", "bsky", "bluesky", "at://1", when, 24, {"likes": likes}, "api", "x")
        for when, likes in ((at, 5), (at + timedelta(days=12), 9), (at + timedelta(days=1), 7))
    ])  # fmt: skip
    history = read_histories(state, None, START, END, ["bsky"]).channels["bsky"]
    assert history.engagements.tolist() == [9.0]
    published = at + timedelta(days=12) - timedelta(hours=24)
    assert history.published.tolist() == [microseconds(published)]
