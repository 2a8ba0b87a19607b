"""The inbox list: unanswered first, newest first, with the intent and the reply to send."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path

from cmbuild.cli.inbox_list import inbox_lines
from cmbuild.inbox.listing import list_inbox
from cmbuild.load.replies import load_replies
from tests.inbox.test_compose import ITEM, REPLIES, TODAY, channel


def test_rows_order_intent_suggestion_and_command(tmp_path: Path) -> None:
    (tmp_path / "brand").mkdir()
    (tmp_path / "brand" / "replies.toml").write_text(REPLIES, encoding="utf-8")
    wording = load_replies(tmp_path)
    older = replace(ITEM, id="bluesky-cmb:old", at=datetime(2027, 1, 1, tzinfo=UTC))
    done = replace(ITEM, id="bluesky-cmb:done", at=datetime(2027, 1, 20, tzinfo=UTC))
    other = replace(
        ITEM, id="bluesky-cmb:hello", text="Bonjour !", at=datetime(2027, 1, 2, tzinfo=UTC)
    )
    answered = {done.id: datetime(2027, 1, 20, 1, tzinfo=UTC)}
    channels = {"bluesky-cmb": channel("bluesky-cmb", "linkedin")}
    rows = list_inbox([older, ITEM, done, other], answered, wording, channels, TODAY)
    assert [r.item.id for r in rows] == [ITEM.id, other.id, older.id, done.id]
    first = rows[0]
    assert first.intent is not None and first.intent.name == "complaint"
    # LinkedIn's API sends no direct messages: only the public reply is suggested.
    assert [r.name for r in first.suggested] == ["plainte-public"]
    assert first.command == f"cmbuild reply {ITEM.id} --with plainte-public"
    assert rows[1].intent is None and rows[1].command is None
    assert rows[3].command is None  # answered
    x = {"bluesky-cmb": channel("bluesky-cmb", "bluesky")}
    (dm,) = list_inbox([ITEM], {}, wording, x, TODAY)
    assert [r.name for r in dm.suggested] == ["plainte-dm", "plainte-public"]
    assert dm.command == f"cmbuild reply {ITEM.id} --with plainte-dm --var order=..."
    lines = inbox_lines(rows)
    assert lines[0] == "4 items, 3 waiting for an answer"
    assert f"  send it: cmbuild reply {ITEM.id} --with plainte-public" in lines


def test_a_limited_listing_shows_the_first_rows_and_says_how_many_more(tmp_path: Path) -> None:
    (tmp_path / "brand").mkdir()
    (tmp_path / "brand" / "replies.toml").write_text(REPLIES, encoding="utf-8")
    wording = load_replies(tmp_path)
    channels = {"bluesky-cmb": channel("bluesky-cmb", "bluesky")}
    items = [
        replace(ITEM, id=f"bluesky-cmb:{n}", at=datetime(2027, 1, 1 + n, tzinfo=UTC))
        for n in range(5)
    ]
    rows = list_inbox(items, {}, wording, channels, TODAY)
    lines = inbox_lines(rows, limit=2)
    assert lines[0] == "5 items, 5 waiting for an answer"
    listed = [line.removeprefix("  id: ") for line in lines if line.startswith("  id: ")]
    assert listed == [rows[0].item.id, rows[1].item.id]  # the newest waiting ones
    assert lines[-1].startswith("… and 3 more not listed here (the first 2 are, waiting first)")
    assert "`--limit 0` lists them all" in lines[-1]
    assert inbox_lines(rows, limit=0) == inbox_lines(rows)  # 0: all, nothing said of more
    assert not any(line.startswith("… and") for line in inbox_lines(rows, limit=5))
