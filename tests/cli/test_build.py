"""The command line: count, init, help, exit codes."""

from __future__ import annotations

import json
from pathlib import Path

from click.testing import CliRunner

from cmbuild.cli import main
from tests.helpers import cli


def test_count_x_weighs_links_and_emoji() -> None:
    result = cli(
        "count", "--platform", "x", "Bonjour 👋 https://cm-bordeaux.fr/une/tres/longue/adresse"
    )
    assert result.code == 0
    assert result.out.strip() == "x 34/280 weighted characters"  # 7 + 1 + 2 + 1 + 23


def test_count_json() -> None:
    result = cli("count", "-p", "bluesky", "--json", "👨‍👩‍👧‍👦 é")
    assert json.loads(result.out) == {
        "platform": "bluesky",
        "length": 3,
        "limit": 300,
        "unit": "graphemes",
    }


def test_count_mastodon_remote_mention() -> None:
    result = cli(
        "count", "-p", "mastodon", "--json", "@cm@mastodon.social https://example.org/a/b/c/d/e/f"
    )
    assert json.loads(result.out)["length"] == len("@cm") + 1 + 23


def test_count_reads_stdin() -> None:
    result = CliRunner().invoke(main, ["count", "-p", "x", "-"], input="Salut\n")
    assert result.output.strip() == "x 5/280 weighted characters"


def test_count_over_the_limit_exits_1() -> None:
    assert cli("count", "-p", "x", "a" * 281).code == 1


def test_count_unknown_platform_is_a_usage_error() -> None:
    result = CliRunner().invoke(main, ["count", "-p", "myspace", "x"])
    assert result.exit_code == 2
    assert "unknown platform 'myspace'" in result.output


def test_init_creates_a_buildable_repository(tmp_path: Path) -> None:
    target = tmp_path / "brand"
    created = cli("init", str(target))
    assert created.code == 0, created.err
    assert (target / "channels.toml").exists()
    built = cli("build", "--root", str(target))
    assert built.code == 0, built.out + built.err
    assert (target / "output/manifest.json").exists()


def test_init_refuses_a_non_empty_folder(tmp_path: Path) -> None:
    (tmp_path / "keep.txt").write_text("mine")
    result = cli("init", str(tmp_path))
    assert result.code == 2
    assert result.err == (
        f"error: {tmp_path} is not empty; choose a new folder, or empty this one first\n"
    )
    assert sorted(p.name for p in tmp_path.iterdir()) == ["keep.txt"]  # nothing was added
    assert (tmp_path / "keep.txt").read_text() == "mine"


def test_build_outside_a_content_repository(tmp_path: Path) -> None:
    result = CliRunner().invoke(main, ["build", "--root", str(tmp_path)])
    assert result.exit_code == 2
    assert "is not a content repository" in result.output


def test_every_command_has_help_with_examples() -> None:
    for command in ("build", "check", "count", "init"):
        result = CliRunner().invoke(main, [command, "--help"])
        assert result.exit_code == 0
        assert "Examples:" in result.output


def test_strict_turns_warnings_into_failure(basic: Path) -> None:
    (basic / "posts/2026-12-12-problemes.md").unlink()
    text = (basic / "posts/2026-12-05-conseil.md").read_text(encoding="utf-8")
    (basic / "posts/2026-12-05-conseil.md").write_text(
        text.replace("status: review", "status: review\nstatut: oops"), encoding="utf-8"
    )
    assert cli("check", "--root", str(basic)).code == 0
    assert cli("check", "--root", str(basic), "--strict").code == 1


def test_errors_exit_1(basic: Path) -> None:
    result = cli("build", "--root", str(basic))
    assert result.code == 1
    assert "banned wording" in result.out
