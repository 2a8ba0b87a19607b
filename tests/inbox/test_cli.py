"""`cmbuild inbox --no-fetch` lists the store (to answer first, newest first); `cmbuild reply`
names an item that is not in the inbox, with the closest one, and sends nothing."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

from cmbuild.stores import inbox
from tests.helpers import cli
from tests.push.sites import make_site
from tests.stores.test_inbox import AT, item

CHANNELS = '[channels.bsky]\nplatform = "bluesky"\n'


def test_inbox_without_fetch_lists_what_is_stored_newest_first(tmp_path: Path) -> None:
    root = make_site(tmp_path / "site", CHANNELS, [])
    older = item("at://did:plc:fan/app.bsky.feed.post/old", text="Premier message")
    newer = item("at://did:plc:fan/app.bsky.feed.post/new", text="Second", at=AT + timedelta(1))
    inbox.append_items(root / "state" / "inbox.jsonl", [older, newer])
    run = cli("inbox", "--root", str(root), "--no-fetch")
    assert run.code == 0, run.err
    assert run.out.index("Second") < run.out.index("Premier message")
    assert run.out.count("  waiting\n") == 2 and newer.id in run.out


def test_reply_to_an_item_not_in_the_inbox_names_the_closest(tmp_path: Path) -> None:
    root = make_site(tmp_path / "site", CHANNELS, [])
    stored = item("at://did:plc:fan/app.bsky.feed.post/abc")
    inbox.append_items(root / "state" / "inbox.jsonl", [stored])
    run = cli("reply", "--root", str(root), stored.id + "x", "--text", "Merci")
    assert run.code == 2
    assert "state/inbox.jsonl: no item" in run.err and f"did you mean '{stored.id}'" in run.err
    assert "( (" not in run.err and "copy the id from `cmbuild inbox`" in run.err
    assert not (root / "state" / "ledger.jsonl").exists()


def test_the_reading_says_why_a_channel_was_not_read(tmp_path: Path) -> None:
    root = make_site(tmp_path / "site", CHANNELS, [])
    stored = item("at://did:plc:fan/app.bsky.feed.post/abc")
    inbox.append_items(root / "state" / "inbox.jsonl", [stored])
    listed = cli("inbox", "--root", str(root), "--no-fetch")
    assert listed.code == 0, listed.err
    assert "no platform read (--no-fetch): listing what state/inbox.jsonl holds" in listed.out
    assert "cannot read" not in listed.out  # Bluesky can be read: it was not asked to
    # Nothing published on bsky yet: not read, and the reason is that, not a missing reader.
    read = cli("inbox", "--root", str(root))
    assert read.code == 0, read.err
    assert "not read (nothing published there yet; --channel reads one): bsky" in read.out
    assert "cannot read" not in read.out and "--no-fetch" not in read.out


def test_a_bad_since_is_named_as_since(tmp_path: Path) -> None:
    root = make_site(tmp_path / "site", CHANNELS, [])
    for given, said in (("hier", "not an ISO 8601 time"), ("2026-12-01T00:00", "no time zone")):
        run = cli("inbox", "--root", str(root), "--no-fetch", "--since", given)
        assert run.code == 2 and said in run.err, run.err
        assert "--since" in run.err and "--now" not in run.err, run.err


def test_a_placeholder_given_twice_is_refused_not_overwritten(tmp_path: Path) -> None:
    root = make_site(tmp_path / "site", CHANNELS, [])
    stored = item("at://did:plc:fan/app.bsky.feed.post/abc")
    inbox.append_items(root / "state" / "inbox.jsonl", [stored])
    args = ("reply", "--root", str(root), stored.id, "--text", "Merci", "--dry-run")
    run = cli(*args, "--var", "order=41", "--var", "order=42")
    assert run.code == 2 and "order" in run.err and "twice" in run.err, run.err
    assert not (root / "state" / "ledger.jsonl").exists()
