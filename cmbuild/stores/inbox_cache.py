"""The items of state/inbox.jsonl already read, kept in output/.cmbuild/inbox-items.pickle.

The store is append-only, so what was read of it once stays true as long as its first bytes are
unchanged. The cache holds the items of the file's first `size` bytes (complete lines only), the
number of lines they span and the lines that could not be read (their bytes, to be named again
with the same error), keyed by FORMAT and a SHA-256 of those `size` bytes. A later reading
hashes the same prefix of the file: when it matches, only the lines after it are parsed. Any
mismatch (the file cut short, a line edited, another FORMAT, a cache that cannot be read) reads
the whole file again, as without a cache; so does a cache holding anything but items (see
`_CLASSES`: nothing else is built from it). It is derived, private to cmbuild and safe to delete;
it lives under the output folder, never in state/.
"""

from __future__ import annotations

import gc
import hashlib
import pickle
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from cmbuild.files import write_atomic

if TYPE_CHECKING:
    from cmbuild.stores.inbox import InboxItem

FORMAT = 1  # bump when InboxItem or the reading changes: every cache is read afresh
# Under the output folder, in the cache folder the build keeps there (cmbuild.incremental).
ITEMS_CACHE = Path(".cmbuild") / "inbox-items.pickle"


@dataclass(frozen=True)
class Prefix:
    """What the first `size` bytes of the store hold."""

    size: int  # bytes, ending with a newline
    lines: int  # the number of lines in them, blank ones included
    items: tuple[InboxItem, ...]
    bad: tuple[tuple[int, bytes], ...]  # (line number, bytes) of each line that could not be read


def load(cache: Path, data: bytes) -> Prefix | None:
    """The cached prefix of `data` (the store's bytes), or None when it is not one of them."""
    try:
        with collector_paused(), cache.open("rb") as handle:
            stored = _Unpickler(handle).load()
    except (OSError, pickle.UnpicklingError, EOFError, AttributeError, ImportError, ValueError):
        return None
    if not isinstance(stored, tuple) or len(stored) != 3 or stored[0] != FORMAT:
        return None
    _, digest, prefix = stored
    if not isinstance(prefix, Prefix) or not 0 < prefix.size <= len(data):
        return None
    if data[prefix.size - 1] != ord("\n") or _digest(data, prefix.size) != digest:
        return None
    return prefix


def save(cache: Path, data: bytes, prefix: Prefix) -> None:
    """Keep `prefix` of `data` for the next reading (not synced to disk: it can be made again)."""
    if prefix.size == 0:
        return
    stored = (FORMAT, _digest(data, prefix.size), prefix)
    write_atomic(cache, pickle.dumps(stored, protocol=pickle.HIGHEST_PROTOCOL), durable=False)


# The only classes a cache may hold: anything else in the file is refused, never built.
_CLASSES = {
    ("cmbuild.stores.inbox", "InboxItem"),
    ("cmbuild.stores.inbox_cache", "Prefix"),
    ("datetime", "datetime"),
    ("datetime", "timezone"),
    ("datetime", "timedelta"),
}


class _Unpickler(pickle.Unpickler):
    def find_class(self, module: str, name: str) -> Any:
        if (module, name) not in _CLASSES:
            raise pickle.UnpicklingError(f"{module}.{name} has no place in the inbox cache")
        return super().find_class(module, name)


def _digest(data: bytes, size: int) -> bytes:
    with memoryview(data) as view:
        return hashlib.sha256(view[:size]).digest()


@contextmanager
def collector_paused() -> Iterator[None]:
    """Python's cycle collector off while many acyclic objects are made (the items of a large
    store: it would walk every one of them again and again, half of the reading time), then on
    again as it was."""
    was = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was:
            gc.enable()
