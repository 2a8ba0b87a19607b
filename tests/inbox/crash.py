"""A process killed between an answer's send and the ledger's `published` line."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from cmbuild.stores.ledger import LedgerWriter


def die_after_send(monkeypatch: pytest.MonkeyPatch) -> Callable[[], None]:
    """Make the next `published` ledger line kill the run (SystemExit); call the result to undo."""
    original = LedgerWriter.append

    def append(self: LedgerWriter, line: Any) -> None:
        if line.kind == "published":
            raise SystemExit("killed between send and ledger")
        original(self, line)

    monkeypatch.setattr(LedgerWriter, "append", append)
    return lambda: monkeypatch.setattr(LedgerWriter, "append", original)
