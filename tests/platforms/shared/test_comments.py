"""Graph comments as inbox items (cmbuild/platforms/shared/comments.py): whatever people write and
however they are named, the item keeps it, and the store gives it back unchanged; a private reply
is allowed up to 7 days after the comment, not a second later."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from cmbuild.platforms.shared.comments import (
    PRIVATE_WINDOW,
    Said,
    check_private_window,
    comment_item,
)
from cmbuild.platforms.shared.inbox import Published
from cmbuild.platforms.shared.publisher import PublishError
from cmbuild.stores import inbox

POST = Published(
    "2026-12-01-texte:facebook-test", "104857600000001_1001", datetime(2026, 12, 1, tzinfo=UTC)
)
ids = st.from_regex(r"[0-9]{1,18}(_[0-9]{1,18})?", fullmatch=True)
moments = st.datetimes(
    min_value=datetime(2020, 1, 1), max_value=datetime(2030, 1, 1), timezones=st.just(UTC)
)


@given(
    remote=ids,
    parent=st.none() | ids,
    text=st.text(),
    name=st.text(),
    author=st.text(max_size=30),
    at=moments,
)
def test_a_comment_is_kept_as_written_and_read_back_unchanged(
    tmp_path_factory: pytest.TempPathFactory,
    remote: str,
    parent: str | None,
    text: str,
    name: str,
    author: str,
    at: datetime,
) -> None:
    comment = {
        "id": remote,
        "from": {"id": author},
        "created_time": at.strftime("%Y-%m-%dT%H:%M:%S+0000"),
    }
    item = comment_item("fb", "facebook", comment, POST, parent, Said(text, author, name, None))
    assert (item.text, item.author_name, item.author_id) == (text, name, author)
    assert item.kind == ("reply" if parent else "comment")
    assert item.refs["thread_id"] == (parent or remote) and item.url is None
    assert item.at == at.replace(microsecond=0)
    path = tmp_path_factory.mktemp("store") / "inbox.jsonl"
    assert inbox.append_items(path, [item, item]) == 1
    assert inbox.read_items(path, "state/inbox.jsonl").items == (item,)


@given(
    at=moments, late=st.timedeltas(min_value=timedelta(seconds=1), max_value=timedelta(days=400))
)
def test_a_private_reply_is_allowed_for_seven_days_only(at: datetime, late: timedelta) -> None:
    comment = {"id": "1", "created_time": at.strftime("%Y-%m-%dT%H:%M:%S+0000")}
    item = comment_item("fb", "facebook", comment, POST, None, Said("?", "", "", None))
    check_private_window(item, "Facebook", item.at + PRIVATE_WINDOW)
    with pytest.raises(PublishError, match="within 7 days"):
        check_private_window(item, "Facebook", item.at + PRIVATE_WINDOW + late)


def test_a_comment_without_its_time_is_an_error_naming_it() -> None:
    with pytest.raises(PublishError, match="comment 7 without its time"):
        comment_item("fb", "facebook", {"id": "7"}, POST, None, Said("", "", "", None))
