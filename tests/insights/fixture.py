"""A small measured history for tests/sites/basic: a few readings, followers, and targets."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

from cmbuild.render.variant import variant_id
from cmbuild.stores.metrics import Snapshot, append_snapshots

LAUNCH = "posts/2026-12-01-lancement.md"
TIP = "posts/2026-12-05-conseil.md"
ENGLISH = "posts/2026-12-08-english.md"

KPIS = """\
[[kpi]]
metric = "impressions"
period = "month"
target = 1000
warn_below = 500

[[kpi]]
metric = "engagement_rate"
channel = "mastodon-test"
target = 5
warn_below = 2

[[kpi]]
metric = "followers_growth"
channel = "x-test"
target = 10

[[kpi]]
metric = "clicks"
period = "week"
target = 40
warn_below = 5

[[kpi]]
name = "Winter sign-ups"
metric = "conversions"
campaign = "hiver"
period = "campaign"
target = 10
warn_below = 4
"""


def snapshots() -> list[Snapshot]:
    launch = datetime(2026, 12, 1, 8, 0, tzinfo=UTC)
    tip = datetime(2026, 12, 5, 8, 0, tzinfo=UTC)
    english = datetime(2026, 12, 8, 15, 0, tzinfo=UTC)

    def reading(source: str, channel: str, platform: str, at: datetime, age: float, **m: object):  # type: ignore[no-untyped-def]
        return Snapshot(
            variant_id(source, channel),
            channel,
            platform,
            f"id-{channel}",
            at + timedelta(hours=age),
            age,
            dict(m),
            "api",
            "test",  # type: ignore[arg-type]
        )

    found = [
        reading(
            LAUNCH,
            "x-test",
            "x",
            launch,
            24,
            likes=10,
            reposts=2,
            replies=1,
            impressions=700,
            clicks=30,
        ),
        reading(
            LAUNCH,
            "x-test",
            "x",
            launch,
            168,
            likes=14,
            reposts=3,
            replies=1,
            impressions=900,
            clicks=36,
        ),
        reading(
            LAUNCH,
            "mastodon-test",
            "mastodon",
            launch,
            24,
            favourites=6,
            reblogs=2,
            replies=0,
            impressions=None,
        ),
        reading(
            TIP, "x-test", "x", tip, 24, likes=2, reposts=0, replies=0, impressions=300, clicks=3
        ),
        reading(
            TIP,
            "mastodon-test",
            "mastodon",
            tip,
            24,
            favourites=1,
            reblogs=0,
            replies=1,
            impressions=None,
        ),
        reading(ENGLISH, "blog", "blog", english, 24, views=120, comments=None),
        Snapshot(
            variant_id(LAUNCH, "x-test"),
            "x-test",
            "x",
            None,
            launch + timedelta(days=9),
            None,
            {"visits": 41, "conversions": 3, "revenue": 135.0},
            "import",
            "test",
        ),
    ]
    for day, x, masto in ((-3, 500, 200), (6, 504, 210), (13, 509, 212)):
        at = launch + timedelta(days=day)
        found.append(Snapshot(None, "x-test", "x", None, at, None, {"followers": x}, "api", "test"))
        found.append(
            Snapshot(
                None,
                "mastodon-test",
                "mastodon",
                None,
                at,
                None,
                {"followers": masto},
                "api",
                "test",
            )
        )
    return found


def measure(root: Path) -> None:
    """Give the site at `root` its targets and history."""
    (root / "brand" / "kpis.toml").write_text(KPIS, encoding="utf-8")
    append_snapshots(root / "state", snapshots())


def report_tree(into: Path) -> dict[str, bytes]:
    """`cmbuild report --period 2026-12` on a measured copy of tests/sites/basic: its files."""
    import shutil

    from tests.helpers import cli, tree

    root = into / "basic"
    shutil.copytree(Path(__file__).parents[1] / "sites" / "basic", root)
    measure(root)
    cli("report", "--root", str(root), "--period", "2026-12")
    return tree(root / "output" / "report")
