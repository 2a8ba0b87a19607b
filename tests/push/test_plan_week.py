"""`cmbuild plan --week`: the coming week channel by channel, each in its own local time."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from tests.push.fixtures import cli
from tests.push.sites import make_site, variant
from tests.push.test_faults import channels

NOW = "2026-12-01T09:00:00Z"


def _in(zone: str, entry: dict[str, Any], **extra: str) -> dict[str, Any]:
    return {**entry, "timezone": zone, **extra}


def _site(tmp_path: Path) -> Path:
    toml = channels("http://127.0.0.1:9", other_url="http://127.0.0.1:9")
    entries = [
        _in("Europe/Paris", variant("hook", "x", "2026-12-03T17:00:00Z", slug="lancement",
                                    title="Lancement", campaign="hiver"), kind="event"),
        _in("Europe/Paris", variant("hook", "x", "2026-12-02T11:30:00Z", slug="astuce",
                                    title="Astuce du mardi", campaign=None),
            kind="evergreen", plan="best free slot, score 0.82"),
        _in("America/Montreal", variant("other", "threads", "2026-12-02T15:00:00Z",
                                        slug="lancement", title="Lancement", campaign="hiver")),
        variant("hook", "x", "2026-12-09T09:00:00Z", slug="later", campaign=None),
    ]  # fmt: skip
    return make_site(tmp_path / "site", toml, entries)


def test_the_week_is_listed_per_channel_in_local_time_with_kinds(tmp_path: Path) -> None:
    root = _site(tmp_path)
    result = cli(root, "plan", "--now", NOW, "--week")
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    start = lines.index("coming up, channel by channel, in each channel's local time:")
    week = [line.split() for line in lines[start + 1 : start + 6]]
    assert [w[:1] for w in week if len(w) == 2] == [["hook"], ["other"]]
    assert week[0] == ["hook", "(Europe/Paris)"]
    assert week[1][:4] == ["Wed", "2026-12-02", "12:30", "CET"]
    assert week[1][4:10] == ["Astuce", "du", "mardi", "evergreen,", "queued", week[1][9]]
    assert "queued: best free slot, score 0.82" in lines[start + 2]
    assert week[2][:7] == ["Thu", "2026-12-03", "18:00", "CET", "Lancement", "event", week[2][6]]
    assert week[3] == ["other", "(America/Montreal)"]
    assert week[4][:6] == ["Wed", "2026-12-02", "10:00", "EST", "Lancement", "news"]
    assert "2026-12-09" not in result.stdout  # beyond the week: counted as later
    assert result.stdout.splitlines()[-1] == "3 upcoming, 1 later"


def test_the_week_as_json_gives_each_kind(tmp_path: Path) -> None:
    result = cli(_site(tmp_path), "plan", "--now", NOW, "--week", "--json")
    data = json.loads(result.stdout)
    assert [(v["channel"], v["kind"], v["scheduled_local"]) for v in data["variants"]] == [
        ("hook", "evergreen", "2026-12-02T12:30:00+01:00"),
        ("other", "news", "2026-12-02T10:00:00-05:00"),
        ("hook", "event", "2026-12-03T18:00:00+01:00"),
    ]
