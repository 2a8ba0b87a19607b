"""The approved replies of brand/replies.toml are checked by every build, like posts."""

from __future__ import annotations

from pathlib import Path

from cmbuild.build import build
from tests.helpers import cli, edit

REPLIES = """\
[intents.question]
triggers.fr = ["comment"]

[[reply]]
name = "question-fr"
intent = "question"
language = "fr"
text = "Bonjour {first_name}, c'est gratuit ! #TestBrand"
approved_by = "Direction"

[[reply]]
name = "question-dm"
intent = "question"
language = "fr"
private = true
channel = "linkedin-test"
text = "Bonjour {first_name}, écrivez-nous en message privé."
approved_by = "Direction"
"""


def test_reply_findings_are_in_the_summary_with_their_line(basic: Path) -> None:
    (basic / "brand" / "replies.toml").write_text(REPLIES, encoding="utf-8")
    result = build(basic)
    found = [f for f in result.summary.findings if f.file == "brand/replies.toml"]
    banned = {(f.line, f.channel) for f in found if f.rule == "charter.banned-wording"}
    # On every channel it may go to, at the line of its [[reply]] table.
    assert {line for line, _ in banned} == {4}
    assert {"x-test", "bluesky-test", "instagram-test"} <= {c for _, c in banned}
    # LinkedIn has no direct messages: the private reply is never sent there as written (the
    # public one is), so it is not checked; nothing is missing since a public reply exists.
    assert not [f for f in found if f.line == 11]
    # Editing only brand/replies.toml is seen: the build is not a no-op, the posts are reused.
    edit(basic / "brand" / "replies.toml", "c'est gratuit", "c'est offert")
    again = build(basic)
    assert not again.noop and again.rendered == 0
    assert not [f for f in again.summary.findings if f.file == "brand/replies.toml"]


def test_an_invalid_replies_file_stops_the_build(basic: Path) -> None:
    (basic / "brand" / "replies.toml").write_text(
        REPLIES.replace('intent = "question"', 'intent = "questoin"', 1), encoding="utf-8"
    )
    run = cli("build", "--root", str(basic))
    assert run.code == 2
    assert "brand/replies.toml:6: reply.0.intent: no intent named 'questoin'" in run.err + run.out


def test_a_reply_over_the_platforms_length_is_named_with_the_fix(basic: Path) -> None:
    long = "Bonjour {first_name}, " + "merci pour votre message. " * 12 + "#TestBrand"
    (basic / "brand" / "replies.toml").write_text(
        REPLIES.replace("Bonjour {first_name}, c'est gratuit ! #TestBrand", long), encoding="utf-8"
    )
    run = cli("build", "--root", str(basic))
    shown = run.out + run.err
    assert run.code == 1 and "Traceback" not in shown
    # The file, the line of its [[reply]], the channel, which reply, by how much, and the fix.
    assert "brand/replies.toml:4: [x-test] error: reply 'question-fr': " in shown
    assert "weighted characters" in shown and "over (platform.length)" in shown
    assert 'approve a shorter [[reply]] with channel = "x-test" in brand/replies.toml' in shown


def test_an_intent_no_item_can_match_is_a_warning_at_its_line(basic: Path) -> None:
    untriggered = REPLIES.replace(
        '[intents.question]\ntriggers.fr = ["comment"]\n',
        '[intents.question]\ntriggers.fr = ["comment"]\ntriggers.en = []\n\n[intents.silence]\n',
    )
    (basic / "brand" / "replies.toml").write_text(untriggered, encoding="utf-8")
    found = [f for f in build(basic).summary.findings if f.rule == "replies.no-triggers"]
    assert [(f.line, f.severity) for f in found] == [(1, "warning"), (5, "warning")]
    assert "intents.question.triggers.en: empty list" in found[0].message
    assert "intent 'silence' has no trigger terms" in found[1].message
    assert found[1].hint is not None and "[intents.silence]" in found[1].hint
