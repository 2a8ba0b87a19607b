"""The cache of the items already read from state/inbox.jsonl: used only while it is true.

Each reading with the cache is compared with a reading without it: the same items, errors, torn
line, whatever was done to the file in between (appended, cut short, edited in the middle, a
line torn, the cache itself damaged).
"""

from __future__ import annotations

import json
import pickle
from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st

from cmbuild.stores import inbox, inbox_cache
from cmbuild.stores.inbox import InboxContents
from tests.stores.test_inbox import SHOWN, item


def lines(count: int, start: int = 0) -> bytes:
    return b"".join(
        inbox.to_json(item(f"at://fan/{n}", text=f"mot {n}")) for n in range(start, count)
    )


def both(path: Path, cache: Path) -> tuple[InboxContents, InboxContents]:
    """The store read with the cache, and without it."""
    return inbox.read_items(path, SHOWN, cache), inbox.read_items(path, SHOWN)


def same(path: Path, cache: Path) -> InboxContents:
    cached, fresh = both(path, cache)
    assert cached == fresh
    assert [str(e) for e in cached.errors] == [str(e) for e in fresh.errors]
    return cached


def test_the_cache_is_used_for_the_lines_it_holds_and_the_new_ones_are_parsed(
    tmp_path: Path,
) -> None:
    path, cache = tmp_path / "inbox.jsonl", tmp_path / inbox_cache.ITEMS_CACHE
    path.write_bytes(lines(3))
    assert len(same(path, cache).items) == 3 and cache.exists()
    # A cache that says other things of the same bytes is believed: it is what is read.
    format_, digest, prefix = pickle.loads(cache.read_bytes())
    forged = inbox_cache.Prefix(prefix.size, prefix.lines, prefix.items[:1], ())
    cache.write_bytes(pickle.dumps((format_, digest, forged)))
    with path.open("ab") as handle:
        handle.write(lines(5, start=3))
    read = inbox.read_items(path, SHOWN, cache).items
    assert [i.remote_id for i in read] == ["at://fan/0", "at://fan/3", "at://fan/4"]


def test_a_store_cut_short_is_read_again_in_full(tmp_path: Path) -> None:
    path, cache = tmp_path / "inbox.jsonl", tmp_path / "cache.pickle"
    path.write_bytes(lines(4))
    same(path, cache)
    path.write_bytes(lines(2))
    assert len(same(path, cache).items) == 2


def test_a_line_edited_in_the_middle_is_read_again_with_the_same_size(tmp_path: Path) -> None:
    path, cache = tmp_path / "inbox.jsonl", tmp_path / "cache.pickle"
    path.write_bytes(lines(4))
    same(path, cache)
    edited = path.read_bytes().replace(b"mot 1", b"mot 9")
    assert len(edited) == path.stat().st_size
    path.write_bytes(edited + lines(5, start=4))
    assert [i.text for i in same(path, cache).items][1] == "mot 9"


def test_a_torn_last_line_is_not_kept_and_is_read_again_once_complete(tmp_path: Path) -> None:
    path, cache = tmp_path / "inbox.jsonl", tmp_path / "cache.pickle"
    whole = lines(3)
    path.write_bytes(whole[:-30])
    torn = same(path, cache)
    assert len(torn.items) == 2 and torn.torn and torn.torn_line == 3
    path.write_bytes(whole)
    assert len(same(path, cache).items) == 3


def test_bad_lines_are_named_again_from_the_cache(tmp_path: Path) -> None:
    path, cache = tmp_path / "inbox.jsonl", tmp_path / "cache.pickle"
    bad = json.loads(inbox.to_json(item()))
    bad["kind"] = "like"
    path.write_bytes(b"not json\n\n" + json.dumps(bad).encode() + b"\n" + lines(2))
    first = same(path, cache)
    with path.open("ab") as handle:
        handle.write(b"{}\n" + lines(3, start=2))
    again = same(path, cache)
    assert [e.line for e in again.errors] == [e.line for e in first.errors] + [6] == [1, 3, 6]
    assert str(again.errors[0]).startswith("state/inbox.jsonl:1: this line is not valid JSON")


def test_a_damaged_or_foreign_cache_is_ignored_and_made_again(tmp_path: Path) -> None:
    path, cache = tmp_path / "inbox.jsonl", tmp_path / "cache.pickle"
    path.write_bytes(lines(2))
    for damaged in (b"", b"garbage", pickle.dumps(("other", 1)), pickle.dumps((0, b"", None))):
        cache.write_bytes(damaged)
        assert len(same(path, cache).items) == 2
    assert inbox_cache.load(cache, path.read_bytes()) is not None


class Planted:
    """Unpickled by plain pickle, it would create the file `planted`."""

    def __reduce__(self) -> tuple[object, tuple[str, str]]:
        return (open, ("planted", "w"))


def test_a_cache_holding_anything_but_items_builds_none_of_it(
    tmp_path: Path, monkeypatch: object
) -> None:
    path, cache = tmp_path / "inbox.jsonl", tmp_path / "cache.pickle"
    path.write_bytes(lines(2))
    same(path, cache)
    format_, digest, _ = pickle.loads(cache.read_bytes())
    cache.write_bytes(pickle.dumps((format_, digest, Planted())))
    monkeypatch.chdir(tmp_path)  # type: ignore[attr-defined]
    assert inbox_cache.load(cache, path.read_bytes()) is None
    assert not (tmp_path / "planted").exists()
    assert len(same(path, cache).items) == 2


def test_a_missing_store_is_empty_and_leaves_no_cache(tmp_path: Path) -> None:
    cache = tmp_path / "cache.pickle"
    assert same(tmp_path / "inbox.jsonl", cache).items == () and not cache.exists()


EDITS = st.lists(
    st.one_of(
        st.tuples(st.just("append"), st.integers(1, 3)),
        st.tuples(st.just("cut"), st.integers(0, 2000)),
        st.tuples(st.just("flip"), st.integers(0, 2000)),
    ),
    max_size=8,
)


@settings(max_examples=60, deadline=None)
@given(EDITS)
def test_the_cached_reading_agrees_with_the_full_one_whatever_happens_to_the_file(
    tmp_path_factory: object, edits: list[tuple[str, int]]
) -> None:
    folder = tmp_path_factory.mktemp("store")  # type: ignore[attr-defined]
    path, cache = folder / "inbox.jsonl", folder / "cache.pickle"
    data, made = b"", 0
    for what, amount in edits:
        if what == "append":
            data, made = data + lines(made + amount, start=made), made + amount
        elif what == "cut":
            data = data[: amount % (len(data) + 1)]
        elif data:
            at = amount % len(data)
            data = data[:at] + (b"x" if data[at : at + 1] != b"x" else b"y") + data[at + 1 :]
        path.write_bytes(data)
        same(path, cache)
