"""Response times per channel and intent, from the inbox and its answers."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

from cmbuild.insights.period import Period
from cmbuild.insights.response import ResponseRow, overall_median, response_lines, response_times
from cmbuild.load.replies import load_replies
from cmbuild.stores.inbox import append_items
from cmbuild.stores.ledger import LedgerLine
from tests.helpers import cli
from tests.inbox.test_compose import ITEM, REPLIES
from tests.insights.fixture import measure

JANUARY = Period("2027-01", "month", date(2027, 1, 1), date(2027, 1, 31), "UTC")


def test_time_to_first_answer_per_channel_and_intent(tmp_path: Path) -> None:
    (tmp_path / "brand").mkdir()
    (tmp_path / "brand" / "replies.toml").write_text(REPLIES, encoding="utf-8")
    wording = load_replies(tmp_path)
    at = datetime(2027, 1, 10, 9, tzinfo=UTC)
    complaints = [replace(ITEM, id=f"bluesky-cmb:{n}", at=at) for n in range(3)]
    hello = replace(ITEM, id="bluesky-cmb:hello", text="Bonjour", at=at)
    own = replace(ITEM, id="bluesky-cmb:own", author_id="did:plc:brand", at=at)
    december = replace(ITEM, id="bluesky-cmb:dec", at=datetime(2026, 12, 31, 23, tzinfo=UTC))
    answered = {
        "bluesky-cmb:0": at + timedelta(minutes=30),
        "bluesky-cmb:1": at + timedelta(hours=5),
        "bluesky-cmb:dec": at,
    }
    rows = response_times(
        [*complaints, hello, own, december],
        answered,
        wording,
        JANUARY,
        own_accounts={"bluesky-cmb": "did:plc:brand"},
    )
    assert rows == (
        ResponseRow("bluesky-cmb", "complaint", 3, 2, 2.75, 5.0),
        ResponseRow("bluesky-cmb", "none", 1, 0, None, None),
    )
    assert overall_median(rows) == 2.75 and overall_median(rows, "x-cmb") is None
    lines = response_lines(rows)
    assert lines[2] == "| bluesky-cmb | complaint | 3 | 2 | 1 | 2.8 h | 5.0 h | — |"
    assert lines[3] == "| bluesky-cmb | none | 1 | 0 | 1 | — | — | — |"
    # Counted to a time: the items still waiting have waited so far, and make the median worse.
    later = response_times(
        [*complaints, hello, own, december],
        answered,
        wording,
        JANUARY,
        own_accounts={"bluesky-cmb": "did:plc:brand"},
        as_of=at + timedelta(hours=30),
    )
    assert [row.waiting_hours for row in later] == [30.0, 30.0]
    assert overall_median(later) == 17.5  # 0.5, 5, 30 and 30 hours
    assert response_lines(later)[2].endswith("| 2.8 h | 5.0 h | 30.0 h |")


def test_the_report_has_response_times_from_the_inbox_and_the_ledger(
    site: Callable[[str], Path],
) -> None:
    root = site("basic")
    measure(root)
    (root / "brand" / "replies.toml").write_text(REPLIES, encoding="utf-8")
    said = datetime(2026, 12, 10, 9, tzinfo=UTC)
    asked = replace(ITEM, id="x-test:1", channel="x-test", platform="x", at=said)
    # The brand's answer, read back from X: an answer, not an item waiting for one.
    ours = replace(asked, id="x-test:ours", remote_id="ours-1", at=said + timedelta(hours=2))
    append_items(root / "state" / "inbox.jsonl", [asked, replace(asked, id="x-test:2"), ours])
    reply = LedgerLine(
        kind="published",
        variant="reply-1",
        channel="x-test",
        platform="x",
        content_hash="h",
        idempotency_key="k",
        published_at=said + timedelta(hours=2),
        at=said + timedelta(hours=2),
        in_reply_to="x-test:1",
        remote_id="ours-1",
    )
    with (root / "state" / "ledger.jsonl").open("ab") as ledger:
        ledger.write(reply.to_json())
    (root / "brand" / "kpis.toml").write_text(
        '[[kpi]]\nname = "Answer fast"\nmetric = "response_hours"\nchannel = "x-test"\n'
        "target = 1\nwarn_above = 1.5\n",
        encoding="utf-8",
    )
    now = "2026-12-10T12:00:00Z"  # x-test:2 has waited 3 h so far
    run = cli("report", "--root", str(root), "--period", "2026-12", "--now", now)
    assert run.code == 1 and "alert  Answer fast" in run.out  # 2 h and 3 h: over warn_above
    written = (root / "output" / "report" / "2026-12" / "report.md").read_text(encoding="utf-8")
    assert "## Response times" in written
    assert "| x-test | complaint | 2 | 1 | 1 | 2.0 h | 2.0 h | 3.0 h |" in written
