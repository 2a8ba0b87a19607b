"""Answers obey halts and `push --channel`: a halt of the item's channel, or of the campaign or
post it answers, keeps `cmbuild push` from sending a replies/ file (held, said, nothing in the
ledger) and makes `cmbuild reply` refuse unless --despite-halt; `--channel C` plans and sends only
the answers to C's items. No platform is contacted: a held answer never reaches the send."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from cmbuild.stores import inbox
from cmbuild.stores.ledger import LedgerLine, LedgerWriter
from tests.helpers import cli
from tests.inbox.test_wire import REPLIES, write_answer
from tests.push.sites import make_site, variant
from tests.stores.test_inbox import item

CHANNELS = '[channels.bsky]\nplatform = "bluesky"\n\n[channels.other]\nplatform = "bluesky"\n'
QUESTION = item("at://did:plc:fan/app.bsky.feed.post/q", text="Où est ma commande ?")


def site(tmp_path: Path) -> Path:
    later = variant("other", "bluesky", "2027-06-01T09:00:00Z", campaign="noel")  # not due
    root = make_site(tmp_path / "site", CHANNELS, [later])
    (root / "brand" / "replies.toml").write_text(REPLIES, encoding="utf-8")
    inbox.append_items(root / "state" / "inbox.jsonl", [QUESTION])
    # The brand's post the question answers, published in campaign "noel".
    at = datetime(2026, 11, 30, 9, tzinfo=UTC)
    LedgerWriter(root / "state" / "ledger.jsonl", "state/ledger.jsonl").append(
        LedgerLine(
            kind="published",
            variant="launch-bsky",
            channel="bsky",
            platform="bluesky",
            campaign="noel",
            post="posts/launch.md",
            content_hash="sha256:" + "0" * 64,
            idempotency_key="k",
            remote_id="at://brand/1",
            published_at=at,
            at=at,
        )
    )
    write_answer(root, "q1", f"in_reply_to: '{QUESTION.id}'\ntemplate: suivi\nvars: {{order: 7}}\n")
    return root


def reply_lines(root: Path) -> list[str]:
    text = (root / "state" / "ledger.jsonl").read_text(encoding="utf-8")
    return [line for line in text.splitlines() if '"reply:' in line]


def test_a_halted_channel_or_campaign_holds_the_answers_of_push_and_reply(tmp_path: Path) -> None:
    root = site(tmp_path)
    for scope in (("--channel", "bsky"), ("--campaign", "noel")):
        halted = cli("halt", "--root", str(root), *scope, "--reason", "crise en cours")
        assert halted.code == 0, halted.err
        planned = cli("plan", "--root", str(root))
        assert f"replies/q1.md  halted ({scope[0][2:]} {scope[1]})" in planned.out, planned.out
        pushed = cli("push", "--root", str(root))
        assert pushed.code == 0, pushed.out + pushed.err
        assert "crise en cours: not sent" in pushed.out
        args = ("reply", "--root", str(root), QUESTION.id, "--with", "suivi", "--var", "order=7")
        refused = cli(*args)
        assert refused.code == 1 and refused.out.startswith(f"halted: reply:{QUESTION.id}")
        assert "--despite-halt answers this one item" in refused.out
        # --despite-halt goes past the halt (to a dry run here: no platform in this test).
        forced = cli(*args, "--despite-halt", "--dry-run")
        assert forced.code == 0 and forced.out.startswith("dry run: "), forced.out
        assert reply_lines(root) == []
        assert cli("resume", "--root", str(root), *scope).code == 0
    assert "replies/q1.md  to send" in cli("plan", "--root", str(root)).out


def test_push_channel_plans_only_that_channels_answers(tmp_path: Path) -> None:
    root = site(tmp_path)
    mine = cli("plan", "--root", str(root), "--channel", "bsky")
    assert mine.code == 0 and "replies/q1.md  to send" in mine.out, mine.out + mine.err
    theirs = cli("plan", "--root", str(root), "--channel", "other")
    assert theirs.code == 0 and "replies/q1.md" not in theirs.out
    pushed = cli("push", "--root", str(root), "--channel", "other")
    assert pushed.code == 0 and "replies/q1.md" not in pushed.out
    assert reply_lines(root) == []
