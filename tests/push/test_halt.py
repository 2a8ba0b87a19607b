"""Halt and resume: state/halt.toml, written atomically, read again before every send."""

from __future__ import annotations

import tomllib
from collections.abc import Callable
from pathlib import Path

from cmbuild.push.report import Report
from cmbuild.stores.halts import Halt, add_halt
from tests.push.fixtures import cli
from tests.push.servers import FaultServer, Seen, environ
from tests.push.sites import kinds, make_site, variant
from tests.push.test_faults import channels

ENV = {"CMB_HOOK_SECRET": "s3cret"}
NOW = "2026-12-01T09:00:00Z"


def test_halt_and_resume_edit_the_halt_file(tmp_path: Path) -> None:
    entries = [variant("hook", "x", "2026-12-01T08:00:00Z", campaign="meetup")]
    root = make_site(tmp_path / "site", channels("http://127.0.0.1:9"), entries)
    reason = 'venue "Cité" cancelled\nsee #crisis'
    assert cli(root, "halt", "--campaign", "meetup", "--reason", reason).returncode == 0
    assert cli(root, "halt", "--channel", "hook", "--reason", "token leaked").returncode == 0
    halt_file = root / "state" / "halt.toml"
    data = tomllib.loads(halt_file.read_text(encoding="utf-8"))
    assert [(h["scope"], h.get("name"), h["reason"]) for h in data["halt"]] == [
        ("campaign", "meetup", reason),
        ("channel", "hook", "token leaked"),
    ]
    assert [p.name for p in (root / "state").iterdir() if p.name.endswith(".tmp")] == []

    lifted = cli(root, "resume", "--campaign", "meetup")
    assert lifted.returncode == 0
    assert "resumed: halted (campaign meetup)" in lifted.stdout
    data = tomllib.loads(halt_file.read_text(encoding="utf-8"))
    assert [h["scope"] for h in data["halt"]] == ["channel"]
    nothing = cli(root, "resume", "--campaign", "meetup")
    assert (nothing.returncode, nothing.stdout.startswith("nothing to resume")) == (0, True)
    assert cli(root, "resume", "--all").returncode == 0
    assert tomllib.loads(halt_file.read_text(encoding="utf-8")) == {}


def test_halt_needs_exactly_one_selector(tmp_path: Path) -> None:
    root = make_site(tmp_path / "site", channels("http://127.0.0.1:9"), [])
    for args in ([], ["--all", "--campaign", "x"]):
        result = cli(root, "halt", *args, "--reason", "r")
        assert result.returncode == 2
        assert "give exactly one of --campaign NAME, --channel NAME or --all" in result.stderr
    assert not (root / "state" / "halt.toml").exists()


def test_halt_all_stops_every_channel(tmp_path: Path) -> None:
    with FaultServer() as server:
        entries = [variant("hook", "x", "2026-12-01T08:00:00Z", campaign=None)]
        root = make_site(tmp_path / "site", channels(server.url), entries)
        assert cli(root, "halt", "--all", "--reason", "national mourning").returncode == 0
        result = cli(root, "push", "--now", NOW, env=environ(**ENV))
    assert result.returncode == 0
    assert "halted (everything) since" in result.stdout and "national mourning" in result.stdout
    assert server.seen == []


def test_a_halt_during_a_push_stops_the_next_send(
    tmp_path: Path, run_push: Callable[..., Report]
) -> None:
    entries = [
        variant("hook", "x", f"2026-12-01T08:{minute}:00Z", slug=f"p{minute}")
        for minute in ("00", "10", "20")
    ]
    with FaultServer() as server:
        root = make_site(tmp_path / "site", channels(server.url), entries)

        def halt_now(seen: Seen) -> None:
            # While the first post is being sent, someone runs `cmbuild halt`.
            del seen
            halt = Halt("campaign", "launch", "stop everything", "2026-12-01T08:59:00Z")
            add_halt(root / "state" / "halt.toml", "state/halt.toml", halt)

        server.on_request = halt_now
        report = run_push(root, NOW, ENV)
    assert [r.outcome for r in report.rows] == ["published", "skipped", "skipped"]
    assert "stop everything" in report.rows[1].detail
    assert len(server.seen) == 1
    assert [k for k, _ in kinds(root)] == ["pending", "published"]


def test_a_broken_halt_file_stops_the_push_with_its_line(tmp_path: Path) -> None:
    with FaultServer() as server:
        root = make_site(
            tmp_path / "site", channels(server.url), [variant("hook", "x", "2026-12-01T08:00:00Z")]
        )
        halt_file = root / "state" / "halt.toml"
        halt_file.parent.mkdir()
        halt_file.write_text(
            '[[halt]]\nscope = "campaign"\nname = "x"\nreason = "r"\nsince = "now"\nuntil = 3\n'
        )
        result = cli(root, "push", "--now", NOW, env=environ(**ENV))
    assert result.returncode == 2
    assert "state/halt.toml:6: halt.0.until: unknown key" in result.stderr
    assert server.seen == []


def test_a_misspelt_name_is_refused_with_a_suggestion_and_nothing_changes(tmp_path: Path) -> None:
    entries = [variant("hook", "x", "2026-12-01T08:00:00Z", campaign="noel-2026")]
    root = make_site(tmp_path / "site", channels("http://127.0.0.1:9"), entries)
    for args in (
        ["halt", "--campaign", "noel2026", "--reason", "r"],
        ["resume", "--campaign", "noel2026"],
        ["retract", "--campaign", "noel2026"],
        ["retract", "--campaign", "noel2026", "--dry-run"],
    ):
        result = cli(root, *args)
        assert result.returncode == 2, args
        assert "no campaign named 'noel2026' (did you mean 'noel-2026'?)" in result.stderr
        assert result.stdout == ""
    channel = cli(root, "halt", "--channel", "hok", "--reason", "r")
    assert channel.returncode == 2
    assert "no channel named 'hok' (did you mean 'hook'?)" in channel.stderr
    assert not (root / "state").exists()  # no halt file, no ledger
    assert cli(root, "halt", "--campaign", "noel-2026", "--reason", "r").returncode == 0


def test_crisis_commands_refuse_to_run_outside_a_content_repository(tmp_path: Path) -> None:
    for args in (
        ["halt", "--all", "--reason", "r"],
        ["resume", "--all"],
        ["retract", "--campaign", "x"],
    ):
        result = cli(tmp_path, *args)
        assert result.returncode == 2, args
        assert "not a content repository: there is no channels.toml here" in result.stderr
    assert list(tmp_path.iterdir()) == []


def test_retract_dry_run_shows_what_would_go_and_changes_nothing(
    tmp_path: Path, run_push: Callable[..., Report]
) -> None:
    entries = [variant("hook", "x", "2026-12-01T08:00:00Z")]
    with FaultServer() as server:
        root = make_site(tmp_path / "site", channels(server.url), entries)
        run_push(root, NOW, ENV)
        ledger = (root / "state" / "ledger.jsonl").read_bytes()
        result = cli(root, "retract", "--campaign", "launch", "--dry-run", env=environ(**ENV))
        assert len(server.seen) == 1  # the publish only: nothing was deleted
    assert result.returncode == 0, result.stdout + result.stderr
    assert "dry run: nothing is halted or deleted" in result.stdout
    assert "would be deleted: https://example.test/p/1" in result.stdout
    assert (root / "state" / "ledger.jsonl").read_bytes() == ledger
    assert not (root / "state" / "halt.toml").exists()
