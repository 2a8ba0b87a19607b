"""The commands end to end: exit codes, platforms without a publisher, missed posts, dry runs."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

from tests.push.fixtures import cli
from tests.push.servers import FaultServer, environ
from tests.push.sites import kinds, ledger_lines, make_site, variant
from tests.push.test_faults import channels

ENV = {"CMB_HOOK_SECRET": "s3cret"}

NOT_YET = """
[channels.yt]
platform = "youtube"
credentials = { token = "CMB_X_TOKEN" }

[channels.insta]
platform = "instagram"
"""


def test_platforms_without_a_publisher_fail_loudly_and_others_publish(tmp_path: Path) -> None:
    entries = [
        variant("yt", "youtube", "2026-12-01T08:00:00Z", slug="a"),
        variant("insta", "instagram", "2026-12-01T08:00:00Z", slug="b"),
        variant("hook", "x", "2026-12-01T08:30:00Z", slug="c"),
    ]
    with FaultServer() as server:
        root = make_site(tmp_path / "site", channels(server.url) + NOT_YET, entries)
        result = cli(root, "push", "--now", "2026-12-01T09:00:00Z", env=environ(**ENV))
    assert result.returncode == 1
    lines = result.stdout.splitlines()
    assert any("hook" in line and line.lstrip().startswith("published") for line in lines)
    assert "publishing to YouTube is not implemented yet" in result.stdout
    assert "channels.insta.credentials.token is not set" in result.stdout  # a config error
    assert lines[-1] == "1 published, 2 failed"
    # Nothing was attempted on them: no pending line, so nothing to reconcile later.
    assert [k for k, _ in kinds(root)] == ["pending", "published"]


def test_dry_run_needs_no_credentials_and_writes_nothing(tmp_path: Path) -> None:
    entries = [variant("hook", "x", "2026-12-01T08:00:00Z")]
    with FaultServer() as server:
        root = make_site(tmp_path / "site", channels(server.url), entries)
        result = cli(root, "push", "--dry-run", "--now", "2026-12-01T09:00:00Z")
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith(
        "dry run at 2026-12-01T09:00:00Z: 1 variant is due; a real push would publish it"
    )
    assert "1 due" in result.stdout
    assert server.seen == []
    assert not (root / "state").exists()


def test_missed_variants_are_reported_once_and_fail_the_push_once(tmp_path: Path) -> None:
    entries = [variant("hook", "x", "2026-12-01T01:00:00Z")]
    with FaultServer() as server:
        root = make_site(tmp_path / "site", channels(server.url), entries)
        first = cli(root, "push", "--now", "2026-12-01T09:00:00Z", env=environ(**ENV))
        second = cli(root, "push", "--now", "2026-12-01T09:15:00Z", env=environ(**ENV))
    assert first.returncode == 1
    assert "missed: due 8.0 h ago, more than the 6 h" in first.stdout
    assert (second.returncode, second.stdout.splitlines()[-1]) == (0, "1 missed earlier")
    assert server.seen == []
    assert [(line["kind"], line["code"]) for line in ledger_lines(root)] == [("failed", "missed")]


def test_unknown_channel_option_is_bad_input(tmp_path: Path) -> None:
    root = make_site(tmp_path / "site", channels("http://127.0.0.1:9"), [])
    result = cli(root, "push", "--channel", "nope")
    assert result.returncode == 2
    assert "--channel nope: no such channel (channels: hook)" in result.stderr


def test_resolve_refuses_a_variant_without_an_unconfirmed_send(tmp_path: Path) -> None:
    root = make_site(tmp_path / "site", channels("http://127.0.0.1:9"), [])
    result = cli(root, "resolve", "0123456789abcdef0123", "--sent")
    assert result.returncode == 2
    assert (
        "variant 0123456789abcdef0123 has no unconfirmed send (not in the ledger)" in result.stderr
    )


def test_everything_published_exits_zero_and_publishing_again_is_a_no_op(tmp_path: Path) -> None:
    entries = [variant("hook", "x", "2026-12-01T08:00:00Z")]
    with FaultServer() as server:
        root = make_site(tmp_path / "site", channels(server.url), entries)
        first = cli(root, "push", "--now", "2026-12-01T09:00:00Z", env=environ(**ENV))
        again = cli(root, "push", "--now", "2026-12-01T09:05:00Z", env=environ(**ENV))
    assert (first.returncode, again.returncode) == (0, 0)
    assert again.stdout.splitlines()[-1] == "1 already published"
    assert len(server.seen) == 1


def test_a_push_at_another_time_than_the_clock_never_writes_the_real_ledger(
    tmp_path: Path,
) -> None:
    import subprocess

    entries = [
        variant("hook", "x", "2026-12-01T08:00:00Z", slug="a"),
        variant("hook", "x", "2030-06-01T08:00:00Z", slug="later"),
    ]
    with FaultServer() as server:
        root = make_site(tmp_path / "site", channels(server.url), entries)
        subprocess.run(["git", "init", "-q", str(root)], check=True)  # a content repository
        far = "2030-06-01T09:00:00Z"  # a rehearsal: everything looks due or missed then
        refused = cli(root, "push", "--now", far, env=environ(**ENV))
        dry = cli(root, "push", "--now", far, "--dry-run", env=environ(**ENV))
        rehearsal = cli(
            root, "push", "--now", far, "--ledger", "state/rehearsal.jsonl", env=environ(**ENV)
        )
        assert server.seen and len(server.seen) == 1  # only the rehearsal sent (`later`)
    assert refused.returncode == 2
    assert "--now: 2030-06-01T09:00:00Z is not the current time" in refused.stderr
    assert "the repository's real ledger" in refused.stderr
    assert "--dry-run" in refused.stderr and "--ledger state/rehearsal.jsonl" in refused.stderr
    assert refused.stdout == ""
    assert dry.returncode == 0
    assert not (root / "state" / "ledger.jsonl").exists()  # the real ledger was never written
    assert (root / "state" / "rehearsal.jsonl").exists()
    assert rehearsal.returncode == 1  # `a` was missed (in the rehearsal ledger only)


def test_push_json_reports_each_variant_with_its_title_and_local_time(tmp_path: Path) -> None:
    # The real clock (a push at another time is a rehearsal): due ten minutes ago.
    due = (datetime.now(UTC) - timedelta(minutes=10)).strftime("%Y-%m-%dT%H:%M:%SZ")
    entries = [variant("hook", "x", due, title="Marché de Noël : on y sera !")]
    with FaultServer() as server:
        root = make_site(tmp_path / "site", channels(server.url), entries)
        result = cli(root, "push", "--json", env=environ(**ENV))
    assert result.returncode == 0, result.stderr
    data = json.loads(result.stdout)
    assert data["command"] == "push" and data["counts"] == {"published": 1}
    (row,) = data["variants"]
    assert (row["outcome"], row["title"], row["scheduled"]) == (
        "published",
        "Marché de Noël : on y sera !",
        due,
    )
    assert row["scheduled_local"] == datetime.fromisoformat(due).isoformat()  # a UTC channel
