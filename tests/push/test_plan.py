"""The plan: exactly the due, publishable, non-stale, non-halted variants, in schedule order."""

from __future__ import annotations

import csv
import io
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
    assert lines[0] == "plan at 2026-12-05T08:00:00Z: nothing due now"
    # Four missed variants of one post are one line, not four.
    (missed,) = [line for line in lines if line.lstrip().startswith("missed")]
    assert "missed   4 variants of 1 post, due from Tue 2026-12-01 09:00 CET" in missed
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


def test_plan_shows_local_times_and_titles_and_says_what_is_due(built: Path) -> None:
    result = cli(built, "plan", "--now", "2026-12-01T10:00:00+01:00")
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert lines[0] == (
        "plan at 2026-12-01T09:00:00Z: 2 variants are due; `cmbuild push` publishes them"
        " (a plan sends nothing)"
    )
    due = [line.split() for line in lines if line.lstrip().startswith("due")]
    # 08:00 UTC in the channels' zone (Europe/Paris), with the post's title, not its hash.
    assert [words[1:6] for words in due] == [
        ["Tue", "2026-12-01", "09:00", "CET", "bluesky-test"],
        ["Tue", "2026-12-01", "09:00", "CET", "x-test"],
    ]
    assert all("Lancement de la session d’hiver" in line for line in lines[1:3])
    assert "08:00Z" not in result.stdout


def test_plan_week_lists_the_coming_seven_days(built: Path) -> None:
    result = cli(built, "plan", "--now", "2026-12-01T10:00:00+01:00", "--week", "--json")
    assert result.returncode == 0, result.stderr
    data = json.loads(result.stdout)
    upcoming = [v for v in data["variants"] if v["outcome"] == "upcoming"]
    assert [(v["channel"], v["scheduled_local"]) for v in upcoming][:2] == [
        ("linkedin-test", "2026-12-02T08:30:00+01:00"),
        ("instagram-test", "2026-12-03T18:00:00+01:00"),
    ]
    assert all(v["scheduled"] <= "2026-12-08T09:00:00Z" for v in upcoming)
    review = [v for v in upcoming if v["channel"] == "mastodon-test"]
    assert review and review[0]["detail"] == "will not go out: status is review, not approved"
    assert data["counts"]["upcoming"] == len(upcoming)
    assert data["counts"]["later"] + len(upcoming) == 9


def test_plan_json_has_a_stable_documented_shape(built: Path) -> None:
    result = cli(built, "plan", "--now", "2026-12-01T10:00:00+01:00", "--json")
    data = json.loads(result.stdout)
    assert list(data) == [
        "command", "now", "title", "notes", "counts", "variants", "held_by_veille",
    ]  # fmt: skip
    assert data["command"] == "plan" and data["now"] == "2026-12-01T09:00:00Z"
    assert data["counts"] == {"due": 2, "later": 9}
    first = data["variants"][0]
    assert list(first) == [
        "outcome", "channel", "platform", "variant", "post", "title",
        "scheduled", "scheduled_local", "timezone", "detail", "kind",
    ]  # fmt: skip
    assert first["outcome"] == "due" and first["timezone"] == "Europe/Paris"
    assert first["scheduled"] == "2026-12-01T08:00:00Z"
    assert first["scheduled_local"] == "2026-12-01T09:00:00+01:00"
    assert first["title"] == "Lancement de la session d’hiver"


def test_plan_csv_exports_the_listed_variants(built: Path, tmp_path: Path) -> None:
    target = tmp_path / "schedule.csv"
    result = cli(
        built, "plan", "--now", "2026-12-01T10:00:00+01:00", "--week", "--csv", str(target)
    )
    assert result.returncode == 0, result.stderr
    rows = list(csv.DictReader(io.StringIO(target.read_text(encoding="utf-8"), newline="")))
    assert rows[0] == {
        "scheduled_local": "2026-12-01T09:00:00+01:00",
        "timezone": "Europe/Paris",
        "scheduled": "2026-12-01T08:00:00Z",
        "channel": "bluesky-test",
        "platform": "bluesky",
        "title": "Lancement de la session d’hiver",
        "post": "posts/2026-12-01-lancement.md",
        "outcome": "due",
        "detail": "",
        "variant": rows[0]["variant"],
    }
    assert [r["scheduled"] for r in rows] == sorted(r["scheduled"] for r in rows)
    assert {r["outcome"] for r in rows} == {"due", "upcoming"}
