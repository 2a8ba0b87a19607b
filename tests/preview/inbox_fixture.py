"""The inbox of the golden tests/golden/inbox/inbox.html: items of every kind and state."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path

from cmbuild.inbox.listing import list_inbox
from cmbuild.load.replies import load_replies
from cmbuild.preview.inbox import inbox_page
from tests.inbox.test_compose import ITEM, REPLIES, TODAY, channel

GOLDEN = Path(__file__).resolve().parents[1] / "golden" / "inbox" / "inbox.html"


def inbox_html(root: Path) -> bytes:
    (root / "brand").mkdir(parents=True, exist_ok=True)
    (root / "brand" / "replies.toml").write_text(REPLIES, encoding="utf-8")
    wording = load_replies(root)
    on_x = replace(
        ITEM,
        id="x-cmb:1869",
        channel="x-cmb",
        platform="x",
        kind="mention",
        author_name="Léa <b>Martin</b>",
        author_handle="lea_m",
        text="@cmb toujours pas de remboursement… <script>alert(1)</script>",
        url="https://x.com/lea_m/status/1869",
        at=datetime(2027, 1, 13, 8, 30, tzinfo=UTC),
    )
    hello = replace(
        ITEM, id="bluesky-cmb:hello", text="Bonjour à tous", at=datetime(2027, 1, 12, tzinfo=UTC)
    )
    done = replace(ITEM, id="bluesky-cmb:done", at=datetime(2027, 1, 11, tzinfo=UTC))
    answered = {done.id: datetime(2027, 1, 11, 2, tzinfo=UTC)}
    channels = {"bluesky-cmb": channel("bluesky-cmb", "bluesky"), "x-cmb": channel("x-cmb", "x")}
    rows = list_inbox([ITEM, on_x, hello, done], answered, wording, channels, TODAY)
    return inbox_page(rows, wording, "CM Bordeaux")
