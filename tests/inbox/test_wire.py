"""`cmbuild inbox` and `cmbuild reply` wired to the approved wording, end to end through the CLI.

The inbox lists each item with its intent, the suggested approved reply and the command that
sends it, writes output/inbox.html (linked from the preview's index after the next build) and
alerts a complaint's escalate_to once, to a real HTTP receiver. `cmbuild reply` composes the
answer first: a placeholder left unfilled or an expired reply stops it before the ledger.
"""

from __future__ import annotations

import json
from datetime import timedelta
from pathlib import Path

import pytest

from cmbuild.stores import inbox
from tests.helpers import cli
from tests.inbox.test_escalate import _Receiver, receiver
from tests.push.sites import make_site
from tests.stores.test_inbox import AT, item

__all__ = ["receiver"]
CHANNELS = '[channels.bsky]\nplatform = "bluesky"\n'
REPLIES = """\
[intents.question]
triggers.fr = ["commande"]

[intents.complaint]
triggers.fr = ["remboursement"]
escalate_to = ["SUPPORT_URL"]

[[reply]]
name = "suivi"
intent = "question"
language = "fr"
text = "Bonjour {first_name}, votre commande {order} est en route."
approved_by = "Claire"

[[reply]]
name = "ancien-suivi"
intent = "question"
language = "fr"
text = "Bonjour {first_name}, tout va bien."
approved_by = "Claire"
valid_until = 2025-06-30

[[reply]]
name = "plainte"
intent = "complaint"
language = "fr"
text = "Bonjour {first_name}, nous sommes désolés : écrivez-nous à contact@example.org."
approved_by = "Claire"
"""


def site(tmp_path: Path) -> Path:
    root = make_site(tmp_path / "site", CHANNELS, [])
    (root / "brand" / "replies.toml").write_text(REPLIES, encoding="utf-8")
    asked = item("at://did:plc:fan/app.bsky.feed.post/q", text="Où est ma commande ?")
    angry = item(
        "at://did:plc:fan/app.bsky.feed.post/c",
        text="Je veux un remboursement",
        at=AT + timedelta(1),
    )
    inbox.append_items(root / "state" / "inbox.jsonl", [asked, angry])
    return root


def test_inbox_lists_intents_and_replies_writes_the_page_and_alerts_once(
    tmp_path: Path, receiver: tuple[str, type[_Receiver]], monkeypatch: pytest.MonkeyPatch
) -> None:
    url, handler = receiver
    root = site(tmp_path)
    monkeypatch.setenv("SUPPORT_URL", url)
    run = cli("inbox", "--root", str(root), "--no-fetch")
    assert run.code == 0, run.err
    assert "2 items, 2 waiting for an answer" in run.out
    assert run.out.index("Je veux un remboursement") < run.out.index("Où est ma commande ?")
    assert "[question]" in run.out and "[complaint]" in run.out
    question = inbox.item_id("bsky", "at://did:plc:fan/app.bsky.feed.post/q")
    assert f"send it: cmbuild reply {question} --with suivi --var order=..." in run.out
    assert "ancien-suivi" not in run.out  # expired: never suggested
    page = (root / "output" / "inbox.html").read_text(encoding="utf-8")
    assert 'id="intent-complaint"' in page and "suivi" in page
    complaint = inbox.item_id("bsky", "at://did:plc:fan/app.bsky.feed.post/c")
    assert f"alerted: {complaint}" in run.out
    assert len(handler.received) == 1 and "[complaint]" in handler.received[0]["title"]
    again = cli("inbox", "--root", str(root), "--no-fetch")
    assert again.code == 0 and "alerted:" not in again.out and len(handler.received) == 1
    assert (root / "output" / "inbox.html").read_text(encoding="utf-8") == page
    built = cli("build", "--root", str(root))
    assert built.code == 0, built.err
    assert 'href="inbox.html"' in (root / "output" / "index.html").read_text(encoding="utf-8")


def test_inbox_dry_run_writes_no_page_and_alerts_no_one(
    tmp_path: Path, receiver: tuple[str, type[_Receiver]], monkeypatch: pytest.MonkeyPatch
) -> None:
    url, handler = receiver
    root = site(tmp_path)
    monkeypatch.setenv("SUPPORT_URL", url)
    run = cli("inbox", "--root", str(root), "--no-fetch", "--dry-run")
    assert run.code == 0, run.err and "[complaint]" in run.out
    assert not (root / "output" / "inbox.html").exists() and handler.received == []
    assert not (root / "state" / "inbox-alerts.jsonl").exists()


def test_reply_stops_on_an_unfilled_placeholder_or_an_expired_reply(tmp_path: Path) -> None:
    root = site(tmp_path)
    question = inbox.item_id("bsky", "at://did:plc:fan/app.bsky.feed.post/q")
    missing = cli("reply", "--root", str(root), question, "--with", "suivi")
    assert missing.code == 2
    assert "uses {order}, and it is never given" in missing.err and "not sent" in missing.err
    expired = cli("reply", "--root", str(root), question, "--with", "ancien-suivi")
    assert expired.code == 2 and "expired on 2025-06-30" in expired.err
    typo = cli("reply", "--root", str(root), question, "--with", "suvi", "--var", "order=42")
    assert typo.code == 2 and "did you mean 'suivi'?" in typo.err
    assert not (root / "state" / "ledger.jsonl").exists()


def test_reply_dry_run_shows_the_composed_answer_and_free_text_warns(tmp_path: Path) -> None:
    root = site(tmp_path)
    question = inbox.item_id("bsky", "at://did:plc:fan/app.bsky.feed.post/q")
    args = ("reply", "--root", str(root), question, "--dry-run")
    run = cli(*args, "--with", "suivi", "--var", "order=42")
    assert run.code == 0, run.err
    assert run.out.startswith(f"dry run: reply:{question}")
    assert "(public reply) Bonjour Fan, votre commande 42 est en route." in run.out
    free = cli(*args, "--text", "Bonjour Fan, votre commande 42 arrive.")
    assert free.code == 0, free.err
    assert "not one of the approved replies; the closest is 'suivi'" in free.err
    both = cli(*args, "--text", "Merci", "--with", "suivi")
    assert both.code == 2 and "not both" in both.err
    bad = cli(*args, "--with", "suivi", "--var", "order")
    assert bad.code == 2 and "name=value" in bad.err
    assert not (root / "state" / "ledger.jsonl").exists()
    assert json.loads((root / "state" / "inbox.jsonl").read_text().splitlines()[0])


def write_answer(root: Path, name: str, front: str) -> None:
    folder = root / "replies"
    folder.mkdir(exist_ok=True)
    (folder / f"{name}.md").write_text(f"---\n{front}---\n", encoding="utf-8")


def test_plan_and_push_dry_run_list_the_reply_files_and_push_refuses_a_blocked_one(
    tmp_path: Path,
) -> None:
    root = site(tmp_path)
    question = inbox.item_id("bsky", "at://did:plc:fan/app.bsky.feed.post/q")
    write_answer(root, "ok", f"in_reply_to: '{question}'\ntemplate: suivi\nvars: {{order: 42}}\n")
    write_answer(root, "ko", f"in_reply_to: '{question}'\ntemplate: suivi\n")
    planned = cli("plan", "--root", str(root))
    assert planned.code == 0, planned.err
    assert "answers in replies/: 2" in planned.out
    assert "replies/ok.md  to send  (public reply to " in planned.out
    assert "Bonjour Fan, votre commande 42 est en route." in planned.out
    assert "replies/ko.md  blocked" in planned.out
    assert "replies/ko.md:3: [bsky] error: approved reply 'suivi' uses {order}" in planned.out
    dry = cli("push", "--root", str(root), "--dry-run")
    assert dry.code == 0, dry.err and "replies/ok.md  to send" in dry.out
    assert not (root / "state" / "ledger.jsonl").exists()
    (root / "replies" / "ok.md").unlink()
    pushed = cli("push", "--root", str(root))
    assert pushed.code == 1 and "replies/ko.md  blocked" in pushed.out
    ledger = root / "state" / "ledger.jsonl"
    assert not ledger.exists() or "reply:" not in ledger.read_text(encoding="utf-8")


def test_a_reply_file_with_a_bad_key_is_named_with_its_line(tmp_path: Path) -> None:
    root = site(tmp_path)
    write_answer(root, "bad", "in_reply_to: x\ntemplat: suivi\n")
    run = cli("plan", "--root", str(root))
    assert run.code == 2 and "replies/bad.md:3" in run.err and "templat" in run.err
