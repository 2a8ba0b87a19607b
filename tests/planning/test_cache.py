"""The stores' per-month summaries change nothing: cached, uncached and re-read give one answer,
and a month written to after the cache was made is read again."""

from __future__ import annotations

import random
from datetime import timedelta
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from cmbuild.planning.history import Histories, read_histories
from cmbuild.stores import activity
from cmbuild.stores.activity import Activity
from tests.helpers import cli
from tests.planning.history import END, write_posts

START = END - timedelta(weeks=16)


def _store(state: Path, seed: int, posts: int, likes: int) -> None:
    rng = random.Random(seed)
    span = int((END - START).total_seconds())
    moments = [START + timedelta(seconds=rng.randrange(span), microseconds=rng.randrange(10**6))
               for _ in range(posts + likes)]  # fmt: skip
    write_posts(state, "bsky", [(t, rng.randint(0, 50)) for t in moments[:posts]])
    items = [Activity("bsky", "bluesky", f"at://like/{i}", "like", t, "test")
             for i, t in enumerate(moments[posts:])]  # fmt: skip
    activity.append_activity(state, items)


@settings(
    max_examples=15, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(seed=st.integers(0, 2**16), posts=st.integers(0, 60), likes=st.integers(0, 300))
def test_cached_and_uncached_histories_are_the_same(
    tmp_path_factory: object, seed: int, posts: int, likes: int
) -> None:
    root = Path(tmp_path_factory.mktemp("store"))  # type: ignore[attr-defined]
    state, cache = root / "state", root / "output" / ".cmbuild"
    _store(state, seed, posts, likes)
    plain = read_histories(state, None, START, END, ["bsky"])
    cold = read_histories(state, cache, START, END, ["bsky"])
    assert (cache / "activity").is_dir() == bool(activity.month_files(state))
    warm = read_histories(state, cache, START, END, ["bsky"])
    assert _lists(plain) == _lists(cold) == _lists(warm)
    assert len(plain.channels["bsky"].interactions) == likes
    assert len(plain.channels["bsky"].published) == posts


def _lists(histories: Histories) -> tuple[object, ...]:
    bsky = histories.channels["bsky"]
    return (bsky.published.tolist(), bsky.engagements.tolist(), bsky.interactions.tolist(),
            histories.problems)  # fmt: skip


def test_slots_gives_the_same_bytes_with_and_without_the_cache(tmp_path: Path) -> None:
    (tmp_path / "channels.toml").write_text(
        '[channels.bsky]\nplatform = "bluesky"\ntimezone = "Europe/Paris"\n', encoding="utf-8"
    )
    (tmp_path / "brand" / "templates").mkdir(parents=True)
    (tmp_path / "brand" / "templates" / "bluesky.j2").write_text("{{ body }}\n", encoding="utf-8")
    _store(tmp_path / "state", 7, 80, 600)
    args = ("slots", "-C", str(tmp_path), "--json", "--now", END.isoformat())
    cold = cli(*args)
    assert cold.code == 0, cold.err
    assert (tmp_path / "output" / ".cmbuild" / "activity").is_dir()
    warm = cli(*args)
    assert cold.code == warm.code == 0 and cold.out == warm.out
    # A month appended to after the cache was written is read again, not taken from the cache.
    activity.append_activity(
        tmp_path / "state",
        [Activity("bsky", "bluesky", "at://like/late", "like", END - timedelta(hours=1), "test")],
    )
    later = cli(*args)
    assert later.out != warm.out and '"interactions": 601' in later.out
