"""`cmbuild collect` and `cmbuild run` on the command line: what they print and their exit codes."""

from __future__ import annotations

import os
from pathlib import Path

from tests.collect.helpers import after, store_lines
from tests.collect.x_fake import ReadingX
from tests.platforms.x.test_publisher import ENV
from tests.push.fixtures import cli


def env(**extra: str) -> dict[str, str]:
    return {**os.environ, **ENV, **extra}


def test_a_dry_run_says_what_is_due_and_writes_nothing(x_root: Path, x: ReadingX) -> None:
    now = after(x_root, 2).isoformat()
    result = cli(x_root, "collect", "--dry-run", "--now", now, env=env())
    assert result.returncode == 0, result.stderr
    assert "x-test: 2 readings due" in result.stdout
    assert store_lines(x_root) == [] and [q for q in x.reads if "ids" in q] == []


def test_collect_exits_0_when_all_was_read_and_1_when_a_channel_could_not_be(
    x_root: Path, x: ReadingX
) -> None:
    now = after(x_root, 2).isoformat()
    x.refuse_token = True
    refused = cli(x_root, "collect", "--now", now, env=env())
    assert refused.returncode == 1
    assert "stopped:" in refused.stdout and "CMB_X_TOKEN" in refused.stdout
    assert ENV["CMB_X_TOKEN"] not in refused.stdout + refused.stderr
    x.refuse_token = False
    done = cli(x_root, "collect", "--now", now, env=env())
    assert done.returncode == 0, done.stderr
    assert "x-test: 3 readings written" in done.stdout
    again = cli(x_root, "collect", "--now", now, env=env())
    assert "nothing due" in again.stdout and again.returncode == 0


def test_an_unknown_channel_is_bad_input_with_the_known_ones(x_root: Path) -> None:
    result = cli(x_root, "collect", "--channel", "x-tset", env=env())
    assert result.returncode == 2
    assert "--channel x-tset: no such channel" in result.stderr and "x-test" in result.stderr
    assert "Traceback" not in result.stderr


def test_run_pushes_then_collects_and_a_step_can_be_skipped(x_root: Path, x: ReadingX) -> None:
    now = after(x_root, 2).isoformat()
    result = cli(x_root, "run", "--now", now, "--skip", "push", env=env())
    assert result.returncode == 0, result.stderr
    assert "push: skipped" in result.stdout and "x-test: 3 readings written" in result.stdout
