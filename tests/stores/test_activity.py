"""state/activity/: lines match the documented schema, one per (channel, key), in the month of
the interaction; a torn last line is set aside before the next append, never dropped."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

import jsonschema

from cmbuild.errors import InputError
from cmbuild.stores import activity
from cmbuild.stores.activity import Activity

ROOT = Path(__file__).parents[2]


def _item(key: str, at: str) -> Activity:
    return Activity("bsky", "bluesky", key, "like", datetime.fromisoformat(at), "test")


def test_lines_match_the_schema_and_go_to_the_month_of_the_interaction(tmp_path: Path) -> None:
    items = [_item("a", "2026-11-30T23:30:00+00:00"), _item("b", "2026-12-01T00:10:00+01:00")]
    assert activity.append_activity(tmp_path, items) == 2
    schema = json.loads((ROOT / "docs" / "activity.schema.json").read_text())
    files = {p.name: p.read_text().splitlines() for p in activity.month_files(tmp_path)}
    assert sorted(files) == ["2026-11.jsonl"]  # 00:10 in Paris is 23:10 UTC on the 30th
    for line in files["2026-11.jsonl"]:
        jsonschema.validate(json.loads(line), schema)
    assert json.loads(files["2026-11.jsonl"][1])["at"] == "2026-11-30T23:10:00Z"
    assert activity.newest(tmp_path, "bsky") == datetime(2026, 11, 30, 23, 30, tzinfo=UTC)


def test_the_same_interaction_is_kept_once_and_a_torn_line_is_set_aside(tmp_path: Path) -> None:
    activity.append_activity(tmp_path, [_item("a", "2026-12-01T09:00:00+00:00")])
    path = tmp_path / "activity" / "2026-12.jsonl"
    with path.open("ab") as handle:
        handle.write(b'{"channel": "bsky", "pla')
    problems = [r for r in activity.iter_records(path) if isinstance(r, InputError)]
    assert [(p.line, "cut short" in p.message) for p in problems] == [(2, True)]
    again = [_item("a", "2026-12-01T09:00:00+00:00"), _item("c", "2026-12-02T09:00:00+00:00")]
    assert activity.append_activity(tmp_path, again) == 1
    assert (
        tmp_path / "activity" / "2026-12.jsonl.torn"
    ).read_bytes() == b'{"channel": "bsky", "pla\n'
    keys = [json.loads(line)["key"] for line in path.read_text().splitlines()]
    assert keys == ["a", "c"]
