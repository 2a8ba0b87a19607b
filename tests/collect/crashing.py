"""`python -m tests.collect.crashing N ARGS`: run `cmbuild ARGS`, killed in the middle of writing
its Nth line to state/metrics/ (half the line on disk, then SIGKILL): the worst moment of a
collect. The kill point is set here, on the test side; cmbuild has no test hook in its code.
"""

from __future__ import annotations

import os
import signal
import sys
from pathlib import Path

from cmbuild.cli import run
from cmbuild.stores import jsonl


def _kill_during(limit: int) -> None:
    append = jsonl.append
    count = 0

    def append_then_die(path: Path, data: bytes) -> None:
        nonlocal count
        if path.parent.name == "metrics" and data.strip():
            count += 1
            if count >= limit:
                with open(path, "ab") as handle:
                    handle.write(data[: len(data) // 2])
                os.kill(os.getpid(), signal.SIGKILL)
        append(path, data)

    jsonl.append = append_then_die  # type: ignore[assignment]


if __name__ == "__main__":
    _kill_during(int(sys.argv[1]))
    sys.argv = ["cmbuild", *sys.argv[2:]]
    run()
