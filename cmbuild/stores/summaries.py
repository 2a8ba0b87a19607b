"""A month file's summary, cached as JSON beside the output: read again only when the file changed.

The key (stamp) is the summary's format version, the file's size and its modification time in
nanoseconds; a summary with another stamp, or one that cannot be read, is made again from the
file and written in place (through a temporary file, so a reader never sees half of one). The
cache folder is safe to delete.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

import orjson

T = TypeVar("T")


def cached_summary(
    path: Path,
    cache_dir: Path | None,
    version: int,
    summarise: Callable[[Path], T],
    to_cache: Callable[[T, list[int]], dict[str, Any]],
    from_cache: Callable[[dict[str, Any]], T],
) -> T:
    """`summarise(path)`, or its copy in `cache_dir` when that copy is current."""
    stat = path.stat()
    stamp = [version, stat.st_size, stat.st_mtime_ns]
    cached = cache_dir / f"{path.stem}.json" if cache_dir is not None else None
    if cached is not None:
        try:
            data = orjson.loads(cached.read_bytes())
        except (OSError, orjson.JSONDecodeError):
            data = None
        if isinstance(data, dict) and data.get("stamp") == stamp:
            return from_cache(data)
    summary = summarise(path)
    if cached is not None:
        cached.parent.mkdir(parents=True, exist_ok=True)
        temporary = cached.with_suffix(".tmp")
        temporary.write_bytes(orjson.dumps(to_cache(summary, stamp)))
        os.replace(temporary, cached)
    return summary
