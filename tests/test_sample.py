"""The sample content repository at the root builds cleanly, and its outputs are well-formed."""

from __future__ import annotations

import json
import os
import shutil
import tomllib
from pathlib import Path

import icalendar
import jsonschema
import pytest
import vobject  # type: ignore[import-untyped]

from cmbuild.build import build
from cmbuild.cli.push import parse_now
from tests.conftest import REPO
from tests.helpers import cli, tree

SCHEMA = json.loads((REPO / "docs/manifest.schema.json").read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def sample(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("sample")
    for name in ("posts", "brand", "media"):
        shutil.copytree(REPO / name, root / name)
    shutil.copy(REPO / "channels.toml", root / "channels.toml")
    result = cli("build", "--root", str(root), "--json")
    assert result.code == 0, result.out + result.err
    summary = json.loads(result.out)
    assert summary["errors"] == 0
    # The sample keeps one small photo on purpose, to show the "not enlarged" warning; its posts
    # give more tags than the short networks keep, which is only information.
    assert {f["rule"] for f in summary["findings"] if f["severity"] != "info"} <= {"images.small"}
    assert {f["rule"] for f in summary["findings"] if f["severity"] == "info"} <= {
        "text.hashtags-dropped"
    }
    return root


def manifest(root: Path) -> dict[str, object]:
    data = json.loads((root / "output/manifest.json").read_text(encoding="utf-8"))
    assert isinstance(data, dict)
    return data


def test_every_channel_gets_variants(sample: Path) -> None:
    channels = tomllib.loads((sample / "channels.toml").read_text(encoding="utf-8"))["channels"]
    variants = manifest(sample)["variants"]
    assert isinstance(variants, list)
    used = {v["channel"] for v in variants}
    assert used == set(channels)
    for name in channels:
        assert any((sample / "output" / name).iterdir())


def test_sample_covers_the_brief(sample: Path) -> None:
    variants = manifest(sample)["variants"]
    assert isinstance(variants, list)
    posts = {v["source"] for v in variants}
    assert len(list((sample / "posts").rglob("*.md"))) >= 15
    assert len({v["campaign"] for v in variants if v["campaign"]}) >= 3
    assert {v["platform"] for v in variants} >= {
        "x", "mastodon", "bluesky", "threads", "linkedin", "facebook", "instagram", "pinterest",
        "blog",
    }  # fmt: skip
    assert any(v["lang"] == "en" for v in variants)
    assert any(v["media"] for v in variants)
    assert len(posts) >= 15


@pytest.mark.parametrize("which", ["sample", "basic"])
def test_manifest_validates_against_its_schema(which: str, sample: Path, basic: Path) -> None:
    root = sample if which == "sample" else basic
    if which == "basic":
        build(root)
    jsonschema.validate(
        manifest(root), SCHEMA, format_checker=jsonschema.Draft202012Validator.FORMAT_CHECKER
    )


def test_calendar_parses_and_matches_the_manifest(sample: Path) -> None:
    data = (sample / "output/calendar.ics").read_bytes()
    calendar = icalendar.Calendar.from_ical(data)
    events = list(calendar.walk("VEVENT"))
    variants = manifest(sample)["variants"]
    assert isinstance(variants, list)
    assert [str(e["UID"]) for e in events] == [v["id"] for v in variants]
    for event, variant in zip(events, variants, strict=True):
        start = event.decoded("DTSTART")
        assert start.isoformat() == variant["scheduled_local"]
    parsed = vobject.readOne(data.decode("utf-8"))
    assert len(parsed.vevent_list) == len(events)
    assert {tz.tzid.value for tz in parsed.vtimezone_list} == {v["timezone"] for v in variants}


def test_rebuilding_the_sample_changes_nothing(sample: Path) -> None:
    before = tree(sample / "output")
    shutil.rmtree(sample / "output" / ".cmbuild")
    build(sample, now=parse_now(os.environ["CMBUILD_NOW"]))  # the clock `cmbuild build` had
    assert tree(sample / "output") == before
