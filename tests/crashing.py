"""`python -m tests.crashing N ARGS`: run `cmbuild ARGS`, killing itself right after the Nth send.

The crash tests' worst moment: a post is out on the platform and the ledger does not know it yet.
The kill point is set here, on the test side; cmbuild itself has no test hook in its code.
"""

from __future__ import annotations

import os
import signal
import sys

from cmbuild.cli import run
from cmbuild.push.session import Session


def _kill_after(limit: int) -> None:
    sent = Session.sent
    count = 0

    def sent_then_die(self: Session) -> None:
        nonlocal count
        sent(self)
        count += 1
        if count >= limit:
            os.kill(os.getpid(), signal.SIGKILL)

    Session.sent = sent_then_die  # type: ignore[method-assign]


if __name__ == "__main__":
    _kill_after(int(sys.argv[1]))
    sys.argv = ["cmbuild", *sys.argv[2:]]
    run()
