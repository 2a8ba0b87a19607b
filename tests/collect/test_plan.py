"""Which readings are due: ages from channels.toml, the highest age reached, what is stored."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from cmbuild.collect.plan import held, make_plan
from cmbuild.errors import InputErrors
from cmbuild.load.config import collect_ages, load_channels
from cmbuild.platforms.options import DEFAULT_COLLECT_AGES, parse_collect_ages
from cmbuild.stores.ledger import LedgerLine, fold
from cmbuild.stores.metrics import Snapshot
from tests.push.sites import make_site

PUBLISHED = datetime(2026, 12, 1, 9, tzinfo=UTC)
CHANNELS = """[defaults]
timezone = "UTC"
{defaults}
[channels.masto]
platform = "mastodon"
{options}
[channels.bsky]
platform = "bluesky"
"""


def repo(tmp_path: Path, defaults: str = "", options: str = "") -> Path:
    return make_site(tmp_path / "site", CHANNELS.format(defaults=defaults, options=options), [])


def line(variant: str, channel: str = "masto", kind: str = "published") -> LedgerLine:
    return LedgerLine(
        kind=kind,  # type: ignore[arg-type]
        variant=variant,
        channel=channel,
        platform="mastodon" if channel == "masto" else "bluesky",
        content_hash="sha256:0",
        idempotency_key=f"{variant}-key",
        remote_id=f"id-{variant}" if kind == "published" else None,
        published_at=PUBLISHED if kind == "published" else None,
        at=PUBLISHED,
    )


def reading(variant: str | None, age: float | None, **metrics: int) -> Snapshot:
    at = PUBLISHED + timedelta(hours=age or 0)
    return Snapshot(variant, "masto", "mastodon", None, at, age, metrics, "api", "test")


def plan(tmp_path: Path, hours: float, snapshots: list[Snapshot], **files: str):  # type: ignore[no-untyped-def]
    root = repo(tmp_path, **files)
    channels = {c.name: c for c in load_channels(root)}
    records = fold([line("a"), line("b"), line("c", kind="pending"), line("d", "bsky")])
    ages = collect_ages(root, channels.values())
    return make_plan(records, channels, ages, held(snapshots), PUBLISHED + timedelta(hours=hours))


def test_ages_parse_in_hours_and_days_and_default_to_one_hour_a_day_a_week_four_weeks() -> None:
    assert parse_collect_ages("2d, 6h , 0.5h") == (0.5, 6.0, 48.0)
    assert DEFAULT_COLLECT_AGES == (1.0, 24.0, 168.0, 672.0)
    for bad in ("soon", "1h,,2h", "0h", "3h, 3h", "-1d"):
        with pytest.raises(ValueError):
            parse_collect_ages(bad)


def test_a_channel_takes_its_own_ages_else_the_defaults(tmp_path: Path) -> None:
    root = repo(tmp_path, 'collect_ages = "2h, 3d"', 'options = { collect_ages = "12h" }')
    ages = collect_ages(root, load_channels(root))
    assert ages == {"masto": (12.0,), "bsky": (2.0, 72.0)}


@pytest.mark.parametrize(
    ("defaults", "options", "key", "line_number"),
    [
        ('collect_ages = "1h, tomorrow"', "", "defaults.collect_ages", 3),
        ("", 'options = { collect_ages = "1 week" }', "channels.masto.options.collect_ages", 6),
    ],
)
def test_an_age_that_does_not_parse_is_named_with_its_line_and_key(
    tmp_path: Path, defaults: str, options: str, key: str, line_number: int
) -> None:
    root = repo(tmp_path, defaults, options)
    with pytest.raises(InputErrors) as raised:
        load_channels(root)
    (error,) = list(raised.value)
    assert error.key == key and error.line == line_number, error
    assert '"1h, 24h, 7d, 28d"' in str(error)


def test_only_published_posts_are_due_at_the_highest_age_they_reached(tmp_path: Path) -> None:
    early = plan(tmp_path, 0.5, [])
    assert early.readings == () and early.waiting == 3
    assert early.channels == ("bsky", "masto")  # never read: each channel's followers are due
    late = plan(tmp_path, 50, [])
    assert [(d.variant, d.age_hours) for d in late.readings] == [("d", 24), ("a", 24), ("b", 24)]


def test_what_the_store_holds_is_not_due_again_and_a_gone_post_never(tmp_path: Path) -> None:
    stored = [reading("a", 24, favourites=1), reading("b", 24, gone=1), reading(None, 49)]
    found = plan(tmp_path, 50, stored)
    assert [d.variant for d in found.readings] == ["d"]
    assert found.channels == ("bsky",)  # masto's followers were read an hour ago
    assert plan(tmp_path, 24 * 7, stored).channels == ("bsky", "masto")
    week = plan(tmp_path, 24 * 7, stored).readings
    assert [(d.variant, d.age_hours) for d in week] == [("d", 168), ("a", 168)]
