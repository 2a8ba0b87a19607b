"""The plan: exactly the due, publishable, non-stale, non-halted variants, in schedule order."""

from __future__ import annotations

import json
from datetime import datetime
from pathlib import Path

import pytest

from cmbuild.build import build
from cmbuild.push.apply import inputs
from cmbuild.push.plan import Plan, make_plan
from cmbuild.push.session import PushSettings
from cmbuild.stores.halts import Halt
from cmbuild.stores.ledger import LedgerLine, fold
from tests.helpers import edit
from tests.push.fixtures import cli

# tests/sites/basic, as built: (channel, scheduled UTC, publishable)
#   bluesky-test, x-test      2026-12-01 08:00  yes (campaign hiver)
#   linkedin-test             2026-12-02 07:30  yes
#   instagram-test            2026-12-03 17:00  yes
#   mastodon-test, x-test     2026-12-05 08:00  no: in review
#   blog                      2026-12-08 15:00  yes
#   four channels             2026-12-12        no: error findings


@pytest.fixture
def built(basic: Path) -> Path:
    build(basic, jobs=1)
    return basic


def plan_at(
    root: Path, now: str, *, halts: tuple[Halt, ...] = (), ledger: tuple[LedgerLine, ...] = ()
) -> Plan:
    entries, channels = inputs(PushSettings(root=root))
    return make_plan(entries, fold(ledger), halts, channels, datetime.fromisoformat(now))


def due(plan: Plan) -> list[tuple[str, str]]:
    return [(p.entry.channel, p.entry.scheduled.strftime("%m-%d %H:%M")) for p in plan.due]


def test_due_are_the_variants_scheduled_before_now_in_schedule_order(built: Path) -> None:
    plan = plan_at(built, "2026-12-01T09:00:00Z")
    # Same time: channel order, as in the manifest.
    assert due(plan) == [("bluesky-test", "12-01 08:00"), ("x-test", "12-01 08:00")]
    assert plan.missed == plan.skipped == ()
    assert plan.counts["later"] == 9


def test_a_variant_scheduled_exactly_now_is_due_and_a_second_later_is_not(built: Path) -> None:
    assert due(plan_at(built, "2026-12-02T07:30:00Z"))[-1] == ("linkedin-test", "12-02 07:30")
    assert ("linkedin-test", "12-02 07:30") not in due(plan_at(built, "2026-12-02T07:29:59Z"))


def test_stale_variants_are_missed_and_unpublishable_ones_skipped(built: Path) -> None:
    plan = plan_at(built, "2026-12-05T09:00:00Z")
    assert due(plan) == []
    missed = [(p.entry.channel, p.entry.scheduled.day) for p in plan.missed]
    assert missed == [
        ("bluesky-test", 1),
        ("x-test", 1),
        ("linkedin-test", 2),
        ("instagram-test", 3),
    ]
    assert all("stale_after_hours" in p.reason for p in plan.missed)
    skipped = {(p.entry.channel, p.reason) for p in plan.skipped}
    assert skipped == {
        ("mastodon-test", "not publishable: status is review, not approved"),
        ("x-test", "not publishable: status is review, not approved"),
    }


def test_the_channel_stale_window_applies(built: Path) -> None:
    edit(
        built / "channels.toml",
        'handle = "@TestBrand"',
        'handle = "@TestBrand"\nstale_after_hours = 48',
    )
    plan = plan_at(built, "2026-12-02T09:00:00Z")
    assert due(plan) == [("x-test", "12-01 08:00"), ("linkedin-test", "12-02 07:30")]
    assert [p.entry.channel for p in plan.missed] == ["bluesky-test"]


def test_published_and_halted_variants_are_not_due(built: Path) -> None:
    entries, _ = inputs(PushSettings(root=built))
    bluesky = next(e for e in entries if e.channel == "bluesky-test")
    published = LedgerLine(
        kind="published",
        variant=bluesky.id,
        channel=bluesky.channel,
        platform=bluesky.platform,
        content_hash=bluesky.content_hash,
        idempotency_key=bluesky.idempotency_key,
        remote_id="1",
        at=datetime.fromisoformat("2026-12-01T08:00:05Z"),
    )
    plan = plan_at(built, "2026-12-01T09:00:00Z", ledger=(published,))
    assert due(plan) == [("x-test", "12-01 08:00")]
    assert plan.counts["already published"] == 1

    halt = Halt("campaign", "hiver", "crisis", "2026-12-01T08:30:00Z")
    plan = plan_at(built, "2026-12-01T09:00:00Z", halts=(halt,))
    assert due(plan) == []
    assert [p.reason for p in plan.skipped] == [halt.describe()] * 2
    only_x = Halt("channel", "x-test", "account locked", "2026-12-01T08:30:00Z")
    assert due(plan_at(built, "2026-12-01T09:00:00Z", halts=(only_x,))) == [
        ("bluesky-test", "12-01 08:00")
    ]


def test_plan_command_lists_due_variants_and_why_others_are_not(built: Path) -> None:
    result = cli(built, "plan", "--now", "2026-12-05T09:00:00+01:00")
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert lines[0] == "plan at 2026-12-05T08:00:00Z: nothing is published"
    assert sum(line.lstrip().startswith("missed") for line in lines) == 4
    assert sum(line.lstrip().startswith("skipped") for line in lines) == 2
    assert lines[-1] == "4 missed, 2 skipped, 5 later"
    assert not (built / "state").exists()  # a plan writes nothing


def test_plan_without_a_zone_in_now_is_refused(built: Path) -> None:
    result = cli(built, "plan", "--now", "2026-12-05T09:00:00")
    assert result.returncode == 2
    assert "has no time zone" in result.stderr


def test_a_bad_manifest_is_reported_with_its_file_and_line(built: Path) -> None:
    manifest = built / "output" / "manifest.json"
    data = json.loads(manifest.read_text(encoding="utf-8"))
    data["variants"][2]["scheduled"] = "next tuesday"
    manifest.write_text(json.dumps(data, indent=2), encoding="utf-8")
    start = next(
        number
        for number, line in enumerate(manifest.read_text().splitlines(), 1)
        if f'"id": "{data["variants"][2]["id"]}"' in line
    )
    result = cli(built, "push", "--now", "2026-12-05T09:00:00Z")
    assert result.returncode == 2
    assert f"output/manifest.json:{start - 1}: variants.2.scheduled:" in result.stderr
    assert "Traceback" not in result.stderr

    manifest.write_text('{"schema_version": 1,\n "variants": [\n}', encoding="utf-8")
    result = cli(built, "plan")
    assert result.returncode == 2
    assert "output/manifest.json:3: invalid JSON" in result.stderr

    manifest.unlink()
    result = cli(built, "push")
    assert (result.returncode, result.stderr.strip()) == (
        2,
        "error: output/manifest.json: manifest not found (run `cmbuild build` first)",
    )
