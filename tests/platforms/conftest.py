"""The official twitter-text oracle (tests/oracle), started once per test session."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

ORACLE = Path(__file__).resolve().parent.parent / "oracle"
INSTALL = "npm ci --prefix tests/oracle --no-audit --no-fund --ignore-scripts"

WeightedLength = Callable[[str], int]


def require_oracle() -> None:
    """Skip when the oracle is not installed, except under CI, where a missing one is a failure."""
    if (ORACLE / "node_modules" / "twitter-text").is_dir():
        if shutil.which("node") is None:
            pytest.fail("tests/oracle/node_modules is installed but `node` is not on PATH")
        return
    message = f"the twitter-text oracle is not installed: run `{INSTALL}`"
    if os.environ.get("CI", "").lower() not in ("", "0", "false"):
        pytest.fail(message)
    pytest.skip(message)


@pytest.fixture(scope="session")
def official_weighted_length() -> Iterator[WeightedLength]:
    """`parseTweet(text).weightedLength` from official twitter-text 3.1.0, one call per text."""
    require_oracle()
    node = subprocess.Popen(
        ["node", str(ORACLE / "weighted_length.js")],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
        encoding="ascii",
    )
    assert node.stdin is not None and node.stdout is not None
    stdin, stdout = node.stdin, node.stdout

    def weighted_length(text: str) -> int:
        stdin.write(json.dumps(text) + "\n")  # ASCII: every other character is escaped
        stdin.flush()
        answer = stdout.readline()
        if not answer:
            raise RuntimeError(f"the oracle stopped (exit code {node.poll()})")
        return int(answer)

    try:
        yield weighted_length
    finally:
        stdin.close()
        node.wait(timeout=10)
