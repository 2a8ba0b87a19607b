"""stamp.json: the inputs' sizes and times and the summary of the last build (the no-op check)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import orjson

from cmbuild import __version__
from cmbuild.files import write_atomic
from cmbuild.incremental import FORMAT, STATE_DIR
from cmbuild.incremental.inputs import Stat


@dataclass(frozen=True)
class Stamp:
    inputs: dict[str, Stat]  # input path -> (mtime_ns, size)
    outputs: list[str]  # every output file, output-relative
    summary: dict[str, Any]  # the build summary, as `Summary.to_dict` gives it


def read_stamp(out: Path) -> Stamp | None:
    try:
        data = orjson.loads((out / STATE_DIR / "stamp.json").read_bytes())
        if data.get("format") != FORMAT or data.get("tool") != __version__:
            return None
        return Stamp(
            inputs={k: (v[0], v[1]) for k, v in data["inputs"].items()},
            outputs=data["outputs"],
            summary=data["summary"],
        )
    except (FileNotFoundError, orjson.JSONDecodeError, KeyError, TypeError, IndexError, ValueError):
        return None


def write_stamp(out: Path, stamp: Stamp) -> None:
    data = {
        "format": FORMAT,
        "tool": __version__,
        "inputs": {k: list(v) for k, v in sorted(stamp.inputs.items())},
        "outputs": sorted(stamp.outputs),
        "summary": stamp.summary,
    }
    write_atomic(out / STATE_DIR / "stamp.json", orjson.dumps(data), durable=False)
