"""state/metrics/: snapshots appended durably, read back whole, torn and bad lines handled."""

from __future__ import annotations

import json
import os
from datetime import UTC, datetime, timedelta
from pathlib import Path

import jsonschema
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from cmbuild.stores import metrics
from cmbuild.stores.metrics import Snapshot

ROOT = Path(__file__).resolve().parents[2]
AT = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)


def snap(variant: str | None = "p1-bsky", age: float | None = 24, **kw: object) -> Snapshot:
    fields: dict[str, object] = {
        "variant": variant,
        "channel": "bsky",
        "platform": "bluesky",
        "remote_id": "at://did:plc:x/app.bsky.feed.post/1",
        "at": AT,
        "age_hours": age,
        "metrics": {"likes": 3, "reposts": 1, "impressions": None},
        "source": "api",
        "api": "app.bsky.feed.getPosts",
    }
    fields.update(kw)
    return Snapshot(**fields)  # type: ignore[arg-type]


def test_snapshots_go_to_the_file_of_their_month_and_read_back(tmp_path: Path) -> None:
    later = snap(variant="p2-bsky", at=AT + timedelta(days=31))
    assert metrics.append_snapshots(tmp_path, [snap(), later]) == 2
    assert sorted(p.name for p in (tmp_path / "metrics").iterdir()) == [
        "2026-12.jsonl",
        "2027-01.jsonl",
    ]
    result = metrics.read_snapshots(tmp_path)
    assert result.snapshots == (snap(), later) and result.problems == ()
    assert metrics.read_snapshots(tmp_path, ["2027-01"]).snapshots == (later,)


def test_each_line_matches_the_documented_schema(tmp_path: Path) -> None:
    metrics.append_snapshots(tmp_path, [snap(), snap(variant=None, age=None, source="import")])
    schema = json.loads((ROOT / "docs" / "metrics.schema.json").read_text())
    for line in (tmp_path / "metrics" / "2026-12.jsonl").read_text().splitlines():
        jsonschema.validate(json.loads(line), schema)
    first = json.loads((tmp_path / "metrics" / "2026-12.jsonl").read_text().splitlines()[0])
    assert first["at"] == "2026-12-01T09:00:00Z" and first["metrics"]["impressions"] is None


def test_appending_the_same_readings_again_adds_nothing(tmp_path: Path) -> None:
    batch = [snap(), snap(age=168), snap(variant=None, age=None, metrics={"followers": 10})]
    assert metrics.append_snapshots(tmp_path, batch) == 3
    assert metrics.append_snapshots(tmp_path, batch) == 0
    assert metrics.append_snapshots(tmp_path, [snap(), snap()]) == 0
    assert len(metrics.read_snapshots(tmp_path).snapshots) == 3


def test_keys_tell_ages_sources_and_channel_readings_apart() -> None:
    keys = {
        metrics.snapshot_key(s)
        for s in [
            snap(),
            snap(age=1),
            snap(source="import"),
            snap(channel="masto"),
            snap(variant=None, age=None),
            snap(variant=None, age=None, at=AT + timedelta(hours=1)),
        ]
    }
    assert len(keys) == 6
    assert metrics.snapshot_key(snap()) == metrics.snapshot_key(snap(at=AT + timedelta(hours=2)))


def test_every_line_is_its_own_write_and_fsync(tmp_path: Path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    calls: list[str] = []
    real_write, real_fsync = os.write, os.fsync
    monkeypatch.setattr(os, "write", lambda fd, data: calls.append("write") or real_write(fd, data))
    monkeypatch.setattr(os, "fsync", lambda fd: calls.append("fsync") or real_fsync(fd))
    metrics.append_snapshots(tmp_path, [snap(), snap(age=1), snap(age=168)])
    lines = [c for c in calls]
    # the first line creates the file: its folder is fsync'd too
    assert lines.count("write") == 3 and lines[:2] == ["write", "fsync"]
    assert lines[-2:] == ["write", "fsync"] and lines.count("fsync") >= 3


def test_a_torn_last_line_is_reported_then_set_aside_on_the_next_append(tmp_path: Path) -> None:
    metrics.append_snapshots(tmp_path, [snap()])
    path = tmp_path / "metrics" / "2026-12.jsonl"
    good = path.read_bytes()
    with open(path, "ab") as handle:
        handle.write(b'{"variant":"p9","chan')
    result = metrics.read_snapshots(tmp_path)
    assert result.snapshots == (snap(),)
    assert [(p.file, p.line) for p in result.problems] == [("state/metrics/2026-12.jsonl", 2)]
    assert "cut short" in result.problems[0].message
    assert metrics.append_snapshots(tmp_path, [snap(age=1)]) == 1
    assert path.read_bytes().startswith(good)
    assert (tmp_path / "metrics" / "2026-12.jsonl.torn").read_bytes() == b'{"variant":"p9","chan\n'
    assert metrics.read_snapshots(tmp_path).problems == ()


def test_a_complete_last_line_without_newline_is_kept(tmp_path: Path) -> None:
    path = tmp_path / "metrics" / "2026-12.jsonl"
    path.parent.mkdir(parents=True)
    path.write_bytes(metrics.to_json(snap()).rstrip(b"\n"))
    assert metrics.read_snapshots(tmp_path).snapshots == (snap(),)
    assert metrics.append_snapshots(tmp_path, [snap(), snap(age=1)]) == 1
    assert len(path.read_bytes().splitlines()) == 2


@pytest.mark.parametrize(
    ("line", "key", "message"),
    [
        (b"not json", None, "not valid JSON"),
        (b"[1, 2]", None, "not a snapshot"),
        (b'{"channel": "bsky"}', "variant", "missing"),
        (None, "metrics.likes", "number or null"),
        (None, "at", "date and time"),
        (None, "source", "one of"),
    ],
)
def test_a_bad_line_is_named_and_the_others_still_read(
    tmp_path: Path, line: bytes | None, key: str | None, message: str
) -> None:
    record = json.loads(metrics.to_json(snap()))
    if line is None:
        if key == "metrics.likes":
            record["metrics"]["likes"] = "three"
        elif key == "at":
            record["at"] = "yesterday"
        else:
            record["source"] = "guess"
        line = json.dumps(record).encode()
    path = tmp_path / "metrics" / "2026-12.jsonl"
    path.parent.mkdir(parents=True)
    path.write_bytes(metrics.to_json(snap()) + line + b"\n" + metrics.to_json(snap(age=1)))
    result = metrics.read_snapshots(tmp_path)
    assert len(result.snapshots) == 2
    (problem,) = result.problems
    assert (problem.file, problem.line, problem.key) == ("state/metrics/2026-12.jsonl", 2, key)
    assert message in problem.message and "cmbuild collect" in (problem.hint or "")
    before = path.read_bytes()
    metrics.append_snapshots(tmp_path, [snap(age=168)])
    assert path.read_bytes().startswith(before)  # nothing dropped


def test_a_time_without_zone_is_refused(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="time zone"):
        metrics.append_snapshots(tmp_path, [snap(at=datetime(2026, 12, 1, 9))])


values = st.one_of(
    st.none(), st.integers(-(2**53), 2**53), st.floats(allow_nan=False, allow_infinity=False)
)
names = st.text(min_size=1, max_size=12)
snapshots = st.builds(
    Snapshot,
    variant=st.one_of(st.none(), st.text(min_size=1, max_size=20)),
    channel=st.text(min_size=1, max_size=20),
    platform=st.sampled_from(["bluesky", "mastodon", "x", "blog"]),
    remote_id=st.one_of(st.none(), st.text(max_size=30)),
    at=st.datetimes(
        min_value=datetime(2020, 1, 1), max_value=datetime(2035, 1, 1), timezones=st.just(UTC)
    ),
    age_hours=st.one_of(st.none(), st.sampled_from([1.0, 24.0, 168.0, 672.0, 0.5])),
    metrics=st.dictionaries(names, values, max_size=6),
    source=st.sampled_from(metrics.SOURCES),
    api=st.text(max_size=20),
)


@settings(max_examples=60, deadline=None)
@given(st.lists(snapshots, max_size=8))
def test_what_is_appended_reads_back_unchanged(tmp_path_factory, batch: list[Snapshot]) -> None:  # type: ignore[no-untyped-def]
    state = tmp_path_factory.mktemp("state")
    unique: dict[object, Snapshot] = {}
    for s in batch:
        unique.setdefault((metrics.month_of(s.at), metrics.snapshot_key(s)), s)
    assert metrics.append_snapshots(state, batch) == len(unique)
    back = metrics.read_snapshots(state)
    assert back.problems == ()
    assert sorted(back.snapshots, key=repr) == sorted(unique.values(), key=repr)
