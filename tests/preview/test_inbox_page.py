"""inbox.html per intent, with the approved replies and how to send each; byte for byte."""

from __future__ import annotations

from pathlib import Path

from tests.preview.inbox_fixture import GOLDEN, inbox_html


def test_the_inbox_page_matches_its_golden_file(tmp_path: Path) -> None:
    """Regenerate with `make golden` when the page legitimately changes."""
    page = inbox_html(tmp_path)
    assert page == inbox_html(tmp_path / "again")
    assert page == GOLDEN.read_bytes()
    text = page.decode()
    assert "<script>alert" not in text and "&lt;script&gt;" in text  # what people write is escaped
    assert text.index('id="intent-complaint"') < text.index('id="intent-none"')
    assert "cmbuild reply x-cmb:1869 --with plainte-dm --var order=..." in text
    assert "cmbuild reply bluesky-cmb:done" not in text  # answered: nothing to send


def test_an_intent_of_many_items_shows_the_first_200_and_says_how_many_more(
    tmp_path: Path,
) -> None:
    from datetime import timedelta

    from cmbuild.inbox.listing import InboxRow
    from cmbuild.load.replies import Wording
    from cmbuild.preview.inbox import SHOWN_PER_INTENT, inbox_page
    from tests.stores.test_inbox import AT, item

    total = 1234
    rows = [
        InboxRow(
            item(f"at://fan/{n}", text=f"said {n}", at=AT - timedelta(minutes=n)), None, None, ()
        )
        for n in range(total)
    ]
    text = inbox_page(rows, Wording(()), "Brand").decode()
    assert SHOWN_PER_INTENT == 200
    assert "said 199<" in text and "said 200<" not in text
    assert text.count('<li class="item waiting">') == 200
    assert (
        "Showing 200 of 1,234" in text
        and "<code>cmbuild inbox --limit 0</code> lists every item" in text
    )
    assert '<span class="count-pill">1234</span>' in text and "1234 items, 1234 waiting" in text
    few = inbox_page(rows[:200], Wording(()), "Brand").decode()
    assert "said 199<" in few and "Showing" not in few


def test_an_intent_is_titled_by_its_label_where_the_file_gives_one(tmp_path: Path) -> None:
    from cmbuild.inbox.listing import InboxRow
    from cmbuild.load.replies import load_replies
    from cmbuild.preview.inbox import inbox_page
    from tests.stores.test_inbox import item

    (tmp_path / "brand").mkdir()
    (tmp_path / "brand" / "replies.toml").write_text(
        '[intents.complaint]\nlabel = "Réclamation"\ntriggers.fr = ["remboursement"]\n\n'
        '[intents.question]\ntriggers.fr = ["comment"]\n',
        encoding="utf-8",
    )
    wording = load_replies(tmp_path)
    complaint, question = wording.intents
    rows = [
        InboxRow(item("at://fan/1", text="remboursement ?"), complaint, None, ()),
        InboxRow(item("at://fan/2", text="comment ?"), question, None, ()),
    ]
    text = inbox_page(rows, wording, "Brand").decode()
    assert complaint.label == "Réclamation" and question.label is None
    assert ">Réclamation" in text and ">Complaint" not in text  # the team's word for it
    assert ">Question" in text  # no label: the intent's name
