"""`cmbuild report`: the same history gives the same files; targets decide the exit code."""

from __future__ import annotations

import os
import re
import shutil
from collections.abc import Callable
from dataclasses import replace
from datetime import timedelta
from pathlib import Path

from cmbuild.platforms.shared.metrics import GONE
from cmbuild.stores import metrics
from tests.golden_update import HERE
from tests.helpers import cli, edit, tree
from tests.insights.fixture import measure, report_tree, snapshots


def measured(site: Callable[[str], Path]) -> Path:
    root = site("basic")
    measure(root)
    return root


def test_the_report_matches_its_golden_files_byte_for_byte(tmp_path: Path) -> None:
    """Regenerate with `make golden` when the report legitimately changes."""
    first = report_tree(tmp_path / "one")
    os.environ["TZ"] = "America/Los_Angeles"
    try:
        second = report_tree(tmp_path / "two")
    finally:
        os.environ["TZ"] = "Pacific/Auckland"
    assert first == second
    expected = tree(HERE / "golden" / "report")
    assert (
        sorted(first)
        == sorted(expected)
        == [
            "2026-12/index.html",
            "2026-12/report.csv",
            "2026-12/report.md",
        ]
    )
    for name, data in expected.items():
        assert first[name] == data, f"{name} differs from tests/golden/report"


def test_a_target_under_warn_below_exits_1_and_says_which(site: Callable[[str], Path]) -> None:
    root = measured(site)
    run = cli("report", "--root", str(root), "--period", "2026-12")
    assert run.code == 1
    assert "alert  Winter sign-ups" in run.out and "1 target(s) under warn_below" in run.err
    edit(root / "brand" / "kpis.toml", "warn_below = 4", "warn_below = 2")
    run = cli("report", "--root", str(root), "--period", "2026-12")
    assert run.code == 0 and "below target  Winter sign-ups" in run.out


def test_the_figures_are_the_newest_readings(site: Callable[[str], Path]) -> None:
    root = measured(site)
    cli("report", "--root", str(root), "--period", "2026-12")
    md = (root / "output" / "report" / "2026-12" / "report.md").read_text()
    # x-test: launch at 7 days (900 impressions, 18 engagements) + tip at 1 day (300, 2)
    assert "| x-test | 2 | 1,200 | 20 | 1.67 % | 39 | 3.25 % | 41 | 3 | 135.00 | 9 |" in md
    # Mastodon gives no impressions: 10 engagements over 2 posts x 212 followers
    assert "| mastodon-test | 2 | — | 10 | 2.36 % |" in md
    assert "mastodon-test: impressions not given by the platform" in md


def test_a_post_deleted_later_keeps_the_figures_it_had(site: Callable[[str], Path]) -> None:
    root = measured(site)
    cli("report", "--root", str(root), "--period", "2026-12")
    before = (root / "output" / "report" / "2026-12" / "report.md").read_text()
    # collect records a post deleted on the platform as a reading holding only "gone"
    launch = next(s for s in snapshots() if s.channel == "x-test" and s.age_hours == 168)
    gone = replace(launch, at=launch.at + timedelta(days=21), age_hours=672, metrics={GONE: 1})
    metrics.append_snapshots(root / "state", [gone])
    cli("report", "--root", str(root), "--period", "2026-12")
    after = (root / "output" / "report" / "2026-12" / "report.md").read_text()
    assert "| x-test | 2 | 1,200 | 20 |" in after
    assert after == before


def test_a_period_without_readings_writes_a_nothing_measured_page(
    site: Callable[[str], Path],
) -> None:
    root = measured(site)
    run = cli("report", "--root", str(root), "--period", "2026-06")
    assert run.code == 0 and "nothing measured in 2026-06" in run.out
    page = (root / "output" / "report" / "2026-06" / "index.html").read_text()
    assert 'id="nothing-measured"' in page
    assert "Nothing was measured" in (root / "output/report/2026-06/report.md").read_text()


def test_ranges_and_weeks_are_periods_too(site: Callable[[str], Path]) -> None:
    root = measured(site)
    run = cli("report", "--root", str(root), "--from", "2026-12-01", "--to", "2026-12-03")
    assert run.code == 1  # the winter campaign's sign-ups, whatever the range
    md = (root / "output/report/2026-12-01_2026-12-03/report.md").read_text()
    assert "| x-test | 1 | 900 |" in md
    assert cli("report", "--root", str(root), "--period", "2026-W49").code == 1


def test_bad_options_are_named(site: Callable[[str], Path]) -> None:
    root = measured(site)
    run = cli("report", "--root", str(root), "--period", "December")
    assert run.code == 2 and "2026-12" in run.err and "Traceback" not in run.err
    run = cli("report", "--root", str(root), "--channel", "x-tset")
    assert run.code == 2 and "did you mean 'x-test'?" in run.err
    run = cli("report", "--root", str(root), "--campaign", "hivr")
    assert run.code == 2 and "did you mean 'hiver'?" in run.err
    run = cli("report", "--root", str(root), "--from", "2026-12-01")
    assert run.code == 2 and "--to" in run.err


def test_a_bad_kpis_file_is_bad_input(site: Callable[[str], Path]) -> None:
    root = measured(site)
    edit(root / "brand" / "kpis.toml", 'metric = "clicks"', 'metric = "clics"')
    run = cli("report", "--root", str(root), "--period", "2026-12")
    assert run.code == 2
    assert "brand/kpis.toml:19: kpi.3.metric: unknown metric 'clics' (did you mean 'clicks'?)" in (
        run.err
    )


def test_a_bad_line_in_the_store_is_named_and_the_rest_reported(
    site: Callable[[str], Path],
) -> None:
    root = measured(site)
    with open(root / "state" / "metrics" / "2026-12.jsonl", "ab") as handle:
        handle.write(b'{"variant": "x"}\n')
    run = cli("report", "--root", str(root), "--period", "2026-12")
    assert run.code == 1
    assert "warning: state/metrics/2026-12.jsonl:12: channel: missing" in run.err
    page = (root / "output" / "report" / "2026-12" / "index.html").read_text()
    assert (
        "state/metrics/2026-12.jsonl:12" in page
        and "| x-test | 2 | 1,200 |" in (root / "output/report/2026-12/report.md").read_text()
    )


def test_the_cache_follows_the_store(site: Callable[[str], Path]) -> None:
    root = measured(site)
    cli("report", "--root", str(root), "--period", "2026-12")
    assert (root / "output" / ".cmbuild" / "insights" / "2026-12.json").is_file()
    snapshot = next(
        s for s in metrics.read_snapshots(root / "state").snapshots if s.age_hours == 168
    )
    later = metrics.Snapshot(
        **{
            **snapshot.__dict__,
            "age_hours": 672.0,
            "at": snapshot.at.replace(day=29),
            "metrics": {**snapshot.metrics, "impressions": 1900},
        }
    )
    assert metrics.append_snapshots(root / "state", [later]) == 1
    cli("report", "--root", str(root), "--period", "2026-12")
    md = (root / "output/report/2026-12/report.md").read_text()
    assert "| x-test | 2 | 2,200 |" in md


def test_the_page_is_offline_and_links_only_to_existing_previews(
    site: Callable[[str], Path],
) -> None:
    root = measured(site)
    cli("report", "--root", str(root), "--period", "2026-12")
    page = (root / "output" / "report" / "2026-12" / "index.html").read_text()
    assert "preview/posts/" not in page  # no preview built yet: no link
    assert cli("build", "--root", str(root), "-q").code in (0, 1)
    cli("report", "--root", str(root), "--period", "2026-12")
    page = (root / "output" / "report" / "2026-12" / "index.html").read_text()
    links = [link for link in re.findall(r'href="([^"#]+)"', page)]
    assert any("preview/posts/" in link for link in links)
    for link in links:
        assert not link.startswith(("http:", "https:", "//"))
        assert (root / "output" / "report" / "2026-12" / link).resolve().is_file(), link
    assert page.count("<svg") == 2 and "<script" not in page and "dc:date" not in page
    assert not re.search(r'(src|href)="https?:', page)
    # the preview links to the reports once there is one
    assert cli("build", "--root", str(root), "-q").code in (0, 1)
    calendar = (root / "output" / "index.html").read_text()
    assert '<a href="report/2026-12/index.html">2026-12</a>' in calendar


def test_the_sample_reports_out_of_the_box(tmp_path: Path) -> None:
    """The repository's own sample ships its synthetic history and targets."""
    root = tmp_path / "sample"
    repo = Path(__file__).resolve().parents[2]
    shutil.copytree(repo, root, ignore=shutil.ignore_patterns(".venv", "output", "tests", ".git*"))
    run = cli("report", "--root", str(root), "--period", "2026-12")
    assert run.code in (0, 1), run.err
    md = (root / "output/report/2026-12/report.md").read_text()
    assert "## Targets" in md and "| linkedin-cmb |" in md
    assert all(
        '"api":"synthetic-sample"' in line
        for line in (root / "state/metrics/2026-12.jsonl").read_text().splitlines()
    )
