"""`cmbuild import-analytics`: each export's rows become one snapshot per variant, exactly once."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from tests.collect.analytics.conftest import EXPORTS
from tests.collect.helpers import store_lines
from tests.helpers import Run

X_LAUNCH = "4bc2ffe706872a386736"  # posts/2026-12-01-lancement.md on x-test
BLUESKY_LAUNCH = "95c74ddc2081aa2fd184"
LINKEDIN_LAUNCH = "7b0f2c850f6e953e536d"
INSTAGRAM_LAUNCH = "031ddf29382187db1955"

Importer = Callable[..., Any]


def by_variant(root: Path) -> dict[str, dict[str, Any]]:
    return {line["variant"]: line for line in store_lines(root)}


def test_a_plausible_export_is_attributed_per_variant(built: Path, run_import: Importer) -> None:
    run: Run = run_import("utm_contents.csv", "plausible-csv", "--at", "2026-12-31")
    assert run.code == 1, run.err  # one utm_content matches no post
    assert "utm_content 'deadbeef' matches no post" in run.out
    assert "utm_contents.csv:4" in run.out
    lines = by_variant(built)
    assert sorted(lines) == sorted([X_LAUNCH, BLUESKY_LAUNCH])
    x = lines[X_LAUNCH]
    assert x == {
        "variant": X_LAUNCH,
        "channel": "x-test",
        "platform": "x",
        "remote_id": None,
        "at": "2026-12-31T22:59:59Z",
        "age_hours": None,
        "metrics": {"visitors": 30, "visits": 41, "pageviews": 77},
        "source": "import",
        "api": "plausible-csv",
    }
    assert lines[BLUESKY_LAUNCH]["metrics"] == {"visitors": 10, "visits": 12, "pageviews": 20}


def test_importing_the_same_export_again_adds_nothing(built: Path, run_import: Importer) -> None:
    run_import("utm_contents.csv", "plausible-csv", "--at", "2026-12-31")
    store = built / "state" / "metrics" / "2026-12.jsonl"
    before = store.read_bytes()
    run = run_import("utm_contents.csv", "plausible-csv", "--at", "2026-12-31")
    assert "recorded 0, 2 already there" in run.out
    assert store.read_bytes() == before


def test_a_dry_run_writes_nothing(built: Path, run_import: Importer) -> None:
    run = run_import("utm_contents.csv", "plausible-csv", "--at", "2026-12-31", "--dry-run")
    assert f"{X_LAUNCH} x-test: pageviews 77, visitors 30, visits 41" in run.out
    assert not (built / "state" / "metrics").exists()


def test_a_matomo_export_in_utf16_is_read(built: Path, run_import: Importer) -> None:
    assert (EXPORTS / "matomo-content.csv").read_bytes().startswith(b"\xff\xfe")
    run = run_import("matomo-content.csv", "matomo-csv", "--at", "2026-12-31T23:00:00+01:00")
    assert run.code == 0, run.err
    lines = by_variant(built)
    assert lines[X_LAUNCH]["metrics"] == {
        "visitors": 35,
        "visits": 41,
        "actions": 90,
        "visits_converted": 3,
        "conversions": 3,
        "revenue": 135.5,
    }
    assert lines[X_LAUNCH]["at"] == "2026-12-31T22:00:00Z"
    assert lines[X_LAUNCH]["api"] == "matomo-csv"
    assert lines[INSTAGRAM_LAUNCH]["channel"] == "instagram-test"


def test_a_ga4_export_gives_its_period_and_rows_add_up(built: Path, run_import: Importer) -> None:
    run = run_import("ga4-exploration.csv", "ga4-csv")
    assert run.code == 0, run.err
    assert "1 rows without a utm_content" in run.out
    lines = by_variant(built)
    assert lines[X_LAUNCH]["at"] == "2026-12-31T22:59:59Z"  # Paris
    assert lines[X_LAUNCH]["metrics"] == {
        "visits": 41,
        "visitors": 34,
        "pageviews": 80,
        "conversions": 3,
        "revenue": 135.5,
    }
    # an empty revenue cell is recorded as absent, not zero
    assert lines[LINKEDIN_LAUNCH]["metrics"]["revenue"] is None
    assert lines[LINKEDIN_LAUNCH]["platform"] == "linkedin"


def test_a_report_counts_the_imported_visits(built: Path, run_import: Importer) -> None:
    from tests.helpers import cli

    (built / "brand" / "kpis.toml").write_text(
        '[[kpi]]\nmetric = "visits"\nperiod = "month"\ntarget = 100\nwarn_below = 10\n\n'
        '[[kpi]]\nmetric = "revenue"\nperiod = "month"\ntarget = 100\n',
        encoding="utf-8",
    )
    run_import("ga4-exploration.csv", "ga4-csv")
    run = cli("report", "--root", str(built), "--period", "2026-12")
    assert run.code == 0, run.out + run.err
    csv_text = (built / "output" / "report" / "2026-12" / "report.csv").read_text("utf-8")
    rows = [line.split(",") for line in csv_text.splitlines()]
    visits = [row for row in rows if row[0] == "kpi" and "visits" in ",".join(row)]
    assert visits and "50" in visits[0], csv_text
    revenue = [row for row in rows if row[0] == "kpi" and "revenue" in ",".join(row)]
    assert revenue and "135.5" in revenue[0], csv_text


def test_a_plausible_goal_export_gives_conversions_and_revenue(
    built: Path, run_import: Importer, tmp_path: Path
) -> None:
    path = tmp_path / "utm_contents.csv"
    path.write_text(
        "name,visitors,events,conversion_rate,total_revenue,average_revenue,conversions\n"
        "4bc2ffe7,3,4,7.3,135.5,45.17,3\n"
        "Grand total,3,4,7.3,135.5,45.17,3\n",
        encoding="utf-8",
    )
    run = run_import(path, "plausible-csv", "--at", "2026-12-31")
    assert run.code == 0, run.err
    assert by_variant(built)[X_LAUNCH]["metrics"] == {
        "visitors": 3,
        "events": 4,
        "revenue": 135.5,
        "conversions": 3,
    }
