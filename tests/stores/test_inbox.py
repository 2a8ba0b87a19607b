"""state/inbox.jsonl: items appended durably once each, read back, torn and bad lines named."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

import jsonschema
from hypothesis import given, settings
from hypothesis import strategies as st

from cmbuild.stores import inbox
from cmbuild.stores.inbox import InboxItem
from cmbuild.stores.ledger import LedgerLine

ROOT = Path(__file__).resolve().parents[2]
AT = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)
SHOWN = "state/inbox.jsonl"


def item(remote: str = "at://did:plc:fan/app.bsky.feed.post/1", **kw: object) -> InboxItem:
    fields: dict[str, object] = {
        "id": inbox.item_id("bsky", remote),
        "channel": "bsky",
        "platform": "bluesky",
        "kind": "reply",
        "remote_id": remote,
        "refs": {"uri": remote, "cid": "bafy1", "root_uri": "at://brand/1", "root_cid": "bafy0"},
        "author_id": "did:plc:fan",
        "author_handle": "fan.test",
        "author_name": "Fan",
        "text": "Où est ma commande ?",
        "url": None,
        "language": "fr",
        "at": AT,
        "variant": "launch-bsky",
        "answers": None,
    }
    fields.update(kw)
    return InboxItem(**fields)  # type: ignore[arg-type]


def test_items_read_back_as_written_and_match_the_documented_schema(tmp_path: Path) -> None:
    path = tmp_path / "inbox.jsonl"
    other = item("at://did:plc:fan/app.bsky.feed.post/2", kind="mention", variant=None)
    assert inbox.append_items(path, [item(), other]) == 2
    contents = inbox.read_items(path, SHOWN)
    assert contents.items == (item(), other) and contents.errors == ()
    schema = json.loads((ROOT / "docs" / "inbox.schema.json").read_text())
    for line in path.read_text().splitlines():
        jsonschema.validate(json.loads(line), schema)
    assert json.loads(path.read_text().splitlines()[0])["at"] == "2026-12-01T09:00:00Z"


def test_an_item_already_stored_or_repeated_is_not_written_again(tmp_path: Path) -> None:
    path = tmp_path / "inbox.jsonl"
    assert inbox.append_items(path, [item(), item()]) == 1
    before = path.read_bytes()
    assert inbox.append_items(path, [item(text="edited later")]) == 0
    assert path.read_bytes() == before


def test_a_torn_last_line_is_named_then_set_aside_before_the_next_append(tmp_path: Path) -> None:
    path = tmp_path / "inbox.jsonl"
    inbox.append_items(path, [item()])
    with path.open("ab") as handle:
        handle.write(b'{"id":"bsky:cut')
    contents = inbox.read_items(path, SHOWN)
    assert contents.items == (item(),) and contents.torn == b'{"id":"bsky:cut'
    assert [(e.line, "cut short" in e.message) for e in contents.errors] == [(2, True)]
    assert inbox.append_items(path, [item("x")]) == 1
    assert (tmp_path / "inbox.jsonl.torn").read_bytes() == b'{"id":"bsky:cut\n'
    assert [i.remote_id for i in inbox.read_items(path, SHOWN).items] == [item().remote_id, "x"]


def test_a_complete_last_line_without_newline_is_kept_and_ended(tmp_path: Path) -> None:
    path = tmp_path / "inbox.jsonl"
    path.write_bytes(inbox.to_json(item()).rstrip(b"\n"))
    assert inbox.read_items(path, SHOWN).items == (item(),)
    assert inbox.append_items(path, [item("y")]) == 1
    assert len(path.read_bytes().splitlines()) == 2 and not (tmp_path / "inbox.jsonl.torn").exists()


def test_a_bad_line_is_named_by_line_and_key_and_the_others_are_kept(tmp_path: Path) -> None:
    path = tmp_path / "inbox.jsonl"
    good = inbox.to_json(item())
    bad = json.loads(good)
    bad["kind"] = "like"
    path.write_bytes(b"not json\n" + json.dumps(bad).encode() + b"\n" + good)
    contents = inbox.read_items(path, SHOWN)
    assert contents.items == (item(),)
    shown = [str(e) for e in contents.errors]
    assert shown[0].startswith("state/inbox.jsonl:1: this line is not valid JSON")
    assert shown[1].startswith("state/inbox.jsonl:2: kind:") and "reply" in shown[1]


def reply_line(kind: str, target: str, at: datetime) -> LedgerLine:
    return LedgerLine.model_validate(
        {
            "kind": kind,
            "variant": f"reply:{target}",
            "channel": "bsky",
            "platform": "bluesky",
            "content_hash": "h",
            "idempotency_key": "k",
            "at": at,
            "published_at": at,
            "in_reply_to": target,
        }
    )


def test_answered_counts_sent_replies_and_the_brands_own_answers_first_time_wins() -> None:
    asked, other, third = item(), item("b"), item("c")
    own = item("d", author_id="did:plc:brand", answers=other.id, at=AT + timedelta(hours=2))
    ledger = [
        reply_line("pending", third.id, AT + timedelta(hours=1)),  # not sent: not an answer
        reply_line("published", asked.id, AT + timedelta(hours=3)),
        reply_line("reconciled", asked.id, AT + timedelta(hours=1)),
        reply_line("published", "bsky:not-in-the-inbox", AT),
    ]
    found = inbox.answered([asked, other, third, own], ledger, {"bsky": "did:plc:brand"})
    assert found == {asked.id: AT + timedelta(hours=1), other.id: AT + timedelta(hours=2)}
    assert other.id not in inbox.answered([asked, other, own], ledger)  # account unknown


texts = st.text(st.characters(codec="utf-8"), max_size=40)


@settings(max_examples=60, deadline=None)
@given(text=texts, name=texts, refs=st.dictionaries(texts, texts, max_size=3))
def test_any_text_round_trips_through_the_store(
    tmp_path_factory: object, text: str, name: str, refs: dict[str, str]
) -> None:
    folder = tmp_path_factory.mktemp("inbox")  # type: ignore[attr-defined]
    path = folder / "inbox.jsonl"
    written = item(text=text, author_name=name, refs=refs)
    inbox.append_items(path, [written])
    assert inbox.read_items(path, SHOWN).items == (written,)


def test_the_brands_own_answers_are_known_by_the_ledger_or_by_the_account() -> None:
    asked, sent, by_hand = item(), item("sent"), item("by-hand", author_id="did:plc:brand")
    answer = reply_line("published", asked.id, AT).model_copy(update={"remote_id": "sent"})
    pending = reply_line("pending", asked.id, AT).model_copy(update={"remote_id": "c"})
    items = [asked, sent, by_hand]
    assert inbox.own_items(items, [answer, pending]) == {sent.id}
    assert inbox.own_items(items, [answer], {"bsky": "did:plc:brand"}) == {sent.id, by_hand.id}


JSON_VALUES = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=30),
    lambda inner: (
        st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=5), inner, max_size=3)
    ),
    max_leaves=6,
)
TIMES = st.sampled_from(
    ["2026-12-01T09:00:00Z", "2026-12-01T09:00:00.250000Z", "2026-12-01T10:00:00+01:00",
     "2026-12-01T09:00:00", "2026-12-01", "20261201T090000Z", "2026-13-01T09:00:00Z", "1764579600"]
)  # fmt: skip


@settings(max_examples=300, deadline=None)
@given(
    key=st.sampled_from([*json.loads(inbox.to_json(item())), "extra"]),
    value=JSON_VALUES | TIMES,
    drop=st.booleans(),
)
def test_the_fast_reading_agrees_with_the_full_check_on_any_line(
    key: str, value: object, drop: bool
) -> None:
    """The fast path takes only what the model takes, as the model reads it; anything else gets
    the model's own located error."""
    data = json.loads(inbox.to_json(item()))
    if drop:
        data.pop(key, None)
    else:
        data[key] = value
    chunk = json.dumps(data).encode()
    fast, full = inbox._parse(chunk, 3, SHOWN), inbox._validated(chunk, 3, SHOWN)
    assert str(fast) == str(full) if isinstance(full, Exception) else fast == full
    if isinstance(fast, InboxItem):
        assert fast.at.tzinfo is UTC or fast.at.utcoffset() == timedelta(0)
