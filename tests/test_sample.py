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


# --- The whole loop on the sample, as a new user runs it on a clean clone (offline: veille reads
# only the committed inbox folder; its feeds are commented out in brand/watch.toml).

NOW = "2026-12-02T09:00:00+01:00"


def _clone(root: Path) -> Path:
    for name in ("posts", "brand", "media", "state"):
        shutil.copytree(REPO / name, root / name)
    shutil.copy(REPO / "channels.toml", root / "channels.toml")
    return root


@pytest.fixture
def clone(tmp_path: Path) -> Path:
    return _clone(tmp_path)


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = _clone(tmp_path_factory.mktemp("clone"))
    result = cli("build", "--root", str(root))
    assert result.code == 0, result.out + result.err
    assert "0 errors" in result.out + result.err
    return root


@pytest.mark.parametrize(
    ("command", "expected"),
    [
        (("check",), "0 errors, 0 warnings"),
        (("plan", "--now", NOW), "due"),
        (("plan", "--week", "--now", NOW), "upcoming"),
        (("slots", "--now", NOW), "score 1.00"),
        (("slots", "--propose", "--now", NOW), "channels.toml"),
        (("watch", "--dry-run", "--now", NOW), "(dry run: nothing recorded)"),
        (("inbox", "--no-fetch"), "3 items, 3 waiting for an answer"),
        (("reply", "mastodon-cmb:113563877", "--with", "objection-prix-fr", "--dry-run"), "dry"),
        (("report", "--period", "2026-12"), "wrote output/report/2026-12/"),
    ],
)
def test_each_command_answers_on_the_sample(
    built: Path, command: tuple[str, ...], expected: str
) -> None:
    result = cli(*command, "--root", str(built))
    assert result.code == 0, result.out + result.err
    assert expected in result.out + result.err
    assert "Traceback" not in result.out + result.err


def test_watch_hears_the_sample_inbox_without_halting(clone: Path) -> None:
    dry = cli("watch", "--dry-run", "--now", NOW, "--root", str(clone))
    assert dry.code == 0, dry.out + dry.err
    assert not (clone / "state/watch/mentions.jsonl").exists()
    heard = cli("watch", "--now", NOW, "--root", str(clone))
    assert heard.code == 0, heard.out + heard.err
    assert "1 source(s) read, 2 new item(s), 2 mention(s)" in heard.out
    assert "watch  cite-numerique: Page changed: https://www.cite-numerique.fr/agenda" in heard.out
    assert "info   secteur: LinkedIn revoit son algorithme" in heard.out
    lines = (clone / "state/watch/mentions.jsonl").read_text(encoding="utf-8").splitlines()
    assert sorted(json.loads(line)["topic"] for line in lines) == ["cite-numerique", "secteur"]
    assert not (clone / "state/halt.toml").exists()  # no crisis: the sample's push goes on
    again = cli("watch", "--now", "2026-12-02T10:00:00+01:00", "--root", str(clone))
    assert again.code == 0, again.out + again.err
    assert "0 new item(s)" in again.out
    assert sorted(p.name for p in (clone / "state/watch/inbox/done").iterdir()) == sorted(
        p.name for p in (REPO / "state/watch/inbox").glob("*.json")
    )


def test_a_strike_in_the_sample_inbox_names_the_halt_and_the_sensitive_post(clone: Path) -> None:
    (clone / "state/watch/inbox/greve.json").write_text(
        json.dumps(
            {
                "title": "Préavis de grève sur le réseau TBM le 10 décembre",
                "url": "https://www.infotbm.com/fr/actualites/preavis-greve",
            }
        ),
        encoding="utf-8",
    )
    result = cli("watch", "--now", NOW, "--root", str(clone))
    assert result.code == 1, result.out + result.err  # a new crisis: a person is needed
    assert "cmbuild halt --campaign meetup-decembre" in result.out + result.err
    assert "posts/session-janvier/2027-01-11-c-est-parti.md" in result.out + result.err
    assert not (clone / "state/halt.toml").exists()  # auto_halt = false: nothing halted by itself


def test_the_queue_places_the_evergreen_conseils(sample: Path) -> None:
    variants = manifest(sample)["variants"]
    assert isinstance(variants, list)
    placed = [v for v in variants if v.get("kind") == "evergreen"]
    assert {v["source"] for v in placed} == {"posts/conseils/2026-12-16-heures-de-publication.md"}
    assert all(v["plan"] for v in placed)
    assert any(v["id"].endswith("-r4") for v in placed)  # `repeat:` every 4 weeks to March
    calendar = (sample / "output/calendar.ics").read_text(encoding="utf-8")
    assert "background" in calendar
