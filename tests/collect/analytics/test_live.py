"""`cmbuild import-analytics --from plausible|matomo`, and collect: the site's visits read live
from the tool's API (fakes that check each request against the tool's published description),
attributed per variant like an export, exactly once a day; faults named, the key never shown."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from cmbuild.cli import main
from cmbuild.collect.live import AnalyticsFailed, LiveSettings, import_live
from cmbuild.push.retry import RetryPolicy
from tests.collect.analytics.test_import import BLUESKY_LAUNCH, X_LAUNCH
from tests.collect.analytics.webfakes import Fault, MatomoFake, PlausibleFake
from tests.collect.helpers import run_collect, store_lines
from tests.helpers import Run

KEY = "plausible-key-Zq81vKc0aa"
TOKEN = "0b9c1f8e7d6a5b4c3d2e1f0a9b8c7d6e"
NOW = "2027-01-01T10:00:00Z"  # yesterday, in Europe/Paris, is 2026-12-31
AT = "2026-12-31T22:59:59Z"


def configure(root: Path, table: str) -> None:
    with open(root / "channels.toml", "a", encoding="utf-8") as handle:
        handle.write("\n[analytics]\n" + table)


@pytest.fixture
def plausible(built: Path) -> Iterator[PlausibleFake]:
    with PlausibleFake(KEY, "example.com") as fake:
        fake.visits = {
            X_LAUNCH[:8]: {"visitors": 30, "visits": 41, "pageviews": 77},
            BLUESKY_LAUNCH[:8]: {"visitors": 10, "visits": 12, "pageviews": 20},
            "deadbeef": {"visitors": 3, "visits": 3, "pageviews": 3},
        }
        fake.goals = {X_LAUNCH[:8]: {"visitors": 4, "events": 5, "total_revenue": 90.5}}
        configure(
            built,
            f'tool = "plausible"\nurl = "{fake.url}"\nsite = "example.com"\n'
            'key = "CMB_PLAUSIBLE_KEY"\ngoals = ["Signup", "Purchase"]\nrevenue = true\n',
        )
        yield fake
    assert not fake.invalid, fake.invalid


@pytest.fixture
def matomo(built: Path) -> Iterator[MatomoFake]:
    with MatomoFake(TOKEN, "3") as fake:
        fake.rows = [
            {"label": X_LAUNCH[:8], "nb_visits": 41, "nb_actions": 90, "nb_conversions": 4,
             "nb_visits_converted": 4, "revenue": 90.5},
            {"label": BLUESKY_LAUNCH[:8], "nb_visits": 12, "nb_actions": 20, "nb_conversions": 0,
             "nb_visits_converted": 0, "revenue": 0},
        ]  # fmt: skip
        configure(built, f'tool = "matomo"\nurl = "{fake.url}"\nsite = 3\nkey = "CMB_MATOMO"\n')
        yield fake
    assert not fake.invalid, fake.invalid


def cli_env(*args: str, env: dict[str, str]) -> Run:
    """`cmbuild ARGS` with these variables set (and the analytics keys of the tests not)."""
    unset: dict[str, str | None] = {"CMB_PLAUSIBLE_KEY": None, "CMB_MATOMO": None}
    result = CliRunner().invoke(main, list(args), env={**unset, **env}, catch_exceptions=False)
    return Run(result.exit_code, result.stdout, result.stderr)


def live(root: Path, tool: str, *options: str, **environ: str) -> Run:
    return cli_env(
        "import-analytics", "--from", tool, "--root", str(root), "--now", NOW, *options,
        env=environ,
    )  # fmt: skip


def by_variant(root: Path) -> dict[str, dict[str, Any]]:
    return {line["variant"]: line for line in store_lines(root)}


def first_day(root: Path) -> str:
    manifest = json.loads((root / "output" / "manifest.json").read_text(encoding="utf-8"))
    return min(v["scheduled_local"][:10] for v in manifest["variants"])


def test_plausible_visits_and_goals_are_attributed_per_variant(
    built: Path, plausible: PlausibleFake
) -> None:
    run = live(built, "plausible", CMB_PLAUSIBLE_KEY=KEY)
    assert run.code == 1, run.err  # one utm_content matches no post
    assert "utm_content 'deadbeef' matches no post" in run.out
    lines = by_variant(built)
    assert sorted(lines) == sorted([X_LAUNCH, BLUESKY_LAUNCH])
    assert lines[X_LAUNCH] == {
        "variant": X_LAUNCH,
        "channel": "x-test",
        "platform": "x",
        "remote_id": None,
        "at": AT,
        "age_hours": None,
        "metrics": {
            "visitors": 30, "visits": 41, "pageviews": 77,
            "conversions": 4, "events": 5, "revenue": 90.5,
        },
        "source": "import",
        "api": "plausible-api-v2",
    }  # fmt: skip
    assert lines[BLUESKY_LAUNCH]["metrics"] == {"visitors": 10, "visits": 12, "pageviews": 20}
    visits, goals = plausible.queries
    assert visits["date_range"] == [first_day(built), "2026-12-31"]
    assert visits["dimensions"] == ["visit:utm_content"] and "filters" not in visits
    assert goals["filters"] == [["is", "event:goal", ["Signup", "Purchase"]]]
    assert goals["metrics"] == ["visitors", "events", "total_revenue"]
    assert KEY not in run.out + run.err


def test_a_second_import_the_same_day_adds_nothing(built: Path, plausible: PlausibleFake) -> None:
    live(built, "plausible", CMB_PLAUSIBLE_KEY=KEY)
    store = built / "state" / "metrics" / "2026-12.jsonl"
    before = store.read_bytes()
    again = cli_env(
        "import-analytics", "--from", "plausible", "--root", str(built),
        "--now", "2027-01-01T21:30:00Z", env={"CMB_PLAUSIBLE_KEY": KEY},
    )  # fmt: skip
    assert "recorded 0, 2 already there" in again.out
    assert store.read_bytes() == before


def test_a_dry_run_asks_and_shows_but_writes_nothing(built: Path, plausible: PlausibleFake) -> None:
    run = live(built, "plausible", "--dry-run", CMB_PLAUSIBLE_KEY=KEY)
    assert f"{X_LAUNCH} x-test: conversions 4, events 5" in run.out
    assert not (built / "state" / "metrics").exists()


def test_a_refused_key_names_its_variable_and_never_shows_it(
    built: Path, plausible: PlausibleFake
) -> None:
    plausible.faults.append(Fault(401, {"error": f"Invalid API key {KEY}"}))
    run = live(built, "plausible", CMB_PLAUSIBLE_KEY=KEY)
    assert run.code == 1
    assert "Plausible refused the key in CMB_PLAUSIBLE_KEY" in run.err
    assert "set CMB_PLAUSIBLE_KEY to it" in run.err
    assert KEY not in run.out + run.err
    assert not (built / "state" / "metrics").exists()


def test_a_missing_key_is_named(built: Path, plausible: PlausibleFake) -> None:
    run = live(built, "plausible")
    assert run.code == 1
    assert "the variable CMB_PLAUSIBLE_KEY (channels.toml [analytics] key) is not set" in run.err
    assert not plausible.requests


def settings(root: Path, sleeps: list[float], timeout: float = 5.0) -> LiveSettings:
    return LiveSettings(
        root,
        datetime(2027, 1, 1, 10, tzinfo=UTC),
        timeout=timeout,
        retry=RetryPolicy(sleep=sleeps.append),
        environ={"CMB_PLAUSIBLE_KEY": KEY, "CMB_MATOMO": TOKEN},
    )


def test_a_rate_limit_is_waited_out_as_the_tool_asks(built: Path, plausible: PlausibleFake) -> None:
    plausible.faults.append(Fault(429, {"error": "Too many requests"}, {"Retry-After": "7"}))
    sleeps: list[float] = []
    report = import_live(settings(built, sleeps))
    assert sleeps == [7.0]
    assert report.written == 2


def test_server_errors_and_timeouts_are_retried_then_reported(
    built: Path, plausible: PlausibleFake
) -> None:
    plausible.faults += [Fault(502), Fault(hang=True)]
    sleeps: list[float] = []
    assert import_live(settings(built, sleeps, timeout=0.5)).written == 2
    assert len(sleeps) == 2
    plausible.faults += [Fault(503)] * 4
    with pytest.raises(AnalyticsFailed, match=r"Plausible \(http://127.0.0.1:\d+\): gave up after"):
        import_live(settings(built, []))


def test_every_page_of_results_is_read(built: Path, plausible: PlausibleFake) -> None:
    plausible.goals = {}
    plausible.visits = {f"{n:08x}z": {"visitors": 1} for n in range(10_001)}
    plausible.visits[X_LAUNCH[:8]] = {"visitors": 5, "visits": 6, "pageviews": 7}
    report = import_live(settings(built, []))
    offsets = [q["pagination"]["offset"] for q in plausible.queries if "filters" not in q]
    assert offsets == [0, 10_000]
    assert [s.variant for s in report.snapshots] == [X_LAUNCH]
    assert len(report.unmatched) == 10_001


def test_matomo_content_report_is_attributed_with_the_token_in_the_body(
    built: Path, matomo: MatomoFake
) -> None:
    run = live(built, "matomo", CMB_MATOMO=TOKEN)
    assert run.code == 0, run.err
    lines = by_variant(built)
    assert lines[X_LAUNCH]["metrics"] == {
        "visits": 41, "visitors": None, "actions": 90,
        "conversions": 4, "visits_converted": 4, "revenue": 90.5,
    }  # fmt: skip
    assert lines[X_LAUNCH]["api"] == "matomo-reporting-api"
    (form,) = matomo.forms
    assert form["method"] == "MarketingCampaignsReporting.getContent"
    assert form["period"] == "range" and form["date"] == f"{first_day(built)},2026-12-31"
    (path, _, _), = matomo.requests  # fmt: skip
    assert path == "/index.php" and TOKEN not in path
    assert TOKEN not in run.out + run.err


def test_matomo_refusing_the_token_names_its_variable(built: Path, matomo: MatomoFake) -> None:
    run = live(built, "matomo", CMB_MATOMO="not-the-token-4471")
    assert run.code == 1
    assert "Matomo refused the key in CMB_MATOMO" in run.err
    assert "requires 'view' access" in run.err
    assert "not-the-token-4471" not in run.err


def test_collect_imports_the_configured_tool(built: Path, plausible: PlausibleFake) -> None:
    environ = {"CMB_PLAUSIBLE_KEY": KEY}
    now = datetime(2027, 1, 1, 10, tzinfo=UTC)
    report = run_collect(built, now, environ)
    assert report.analytics is not None and report.analytics.report is not None
    assert report.analytics.report.written == 2
    assert run_collect(built, now, environ).analytics.report.written == 0  # type: ignore[union-attr]
    dry = run_collect(built, now, environ, dry_run=True)
    assert dry.analytics is not None and dry.analytics.report is None
    assert len(plausible.queries) == 4  # two imports of two queries; the dry run asked nothing


def test_collect_reports_a_refused_key_and_fails(built: Path, plausible: PlausibleFake) -> None:
    plausible.faults.append(Fault(403, {"error": "forbidden"}))
    report = run_collect(built, datetime(2027, 1, 1, 10, tzinfo=UTC), {"CMB_PLAUSIBLE_KEY": KEY})
    assert report.failed
    assert report.analytics is not None and "CMB_PLAUSIBLE_KEY" in (report.analytics.error or "")


def test_nothing_is_asked_before_the_first_post_has_a_whole_day(
    built: Path, plausible: PlausibleFake
) -> None:
    configure_since = (built / "channels.toml").read_text(encoding="utf-8")
    (built / "channels.toml").write_text(configure_since + "since = 2027-01-01\n", "utf-8")
    report = import_live(settings(built, []))
    assert report.snapshots == () and not plausible.requests
    assert date(2026, 12, 31).isoformat() in AT


@pytest.mark.parametrize(
    ("table", "expected"),
    [
        ('tool = "plausibel"\nurl = "https://p.io"\nsite = "a"\nkey = "K"\n', "analytics.tool"),
        ('tool = "plausible"\nurl = "p.io"\nsite = "a"\nkey = "K"\n', "is not a web address"),
        ('tool = "plausible"\nurl = "https://p.io"\nsite = "a"\nkey = "s3cr3t-v@lue"\n',
         "never hold the key itself"),
        ('tool = "plausible"\nurl = "https://p.io"\nsite = "a"\nkey = "K"\ngoal = ["x"]\n',
         "analytics.goal"),
    ],
)  # fmt: skip
def test_a_wrong_analytics_table_names_its_line_and_key(
    built: Path, table: str, expected: str
) -> None:
    configure(built, table)
    run = live(built, "plausible")
    assert run.code == 2, run.out + run.err
    assert "channels.toml:" in run.err and expected in run.err
    assert "Traceback" not in run.err and "s3cr3t-v@lue" not in run.err


def test_from_another_tool_than_configured_says_which(built: Path, matomo: MatomoFake) -> None:
    run = live(built, "plausible")
    assert run.code == 2
    assert "[analytics] reads matomo, not plausible" in run.err


def test_collect_shows_the_import_and_exits_1_when_it_fails(
    built: Path, plausible: PlausibleFake
) -> None:
    args = ("collect", "--root", str(built), "--now", NOW)
    run = cli_env(*args, env={"CMB_PLAUSIBLE_KEY": KEY})
    assert run.code == 0, run.out + run.err
    assert "web analytics (plausible): 2 posts found, 2 written" in run.out
    assert "1 utm_contents matching no single post left out" in run.out
    failed = cli_env(*args, env={})
    assert failed.code == 1
    assert "web analytics (plausible): stopped: Plausible: the variable CMB_PLAUSIBLE_KEY" in (
        failed.out
    )
