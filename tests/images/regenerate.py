"""Write the golden digests of the image stage again: `python -m tests.images.regenerate`.

Review the change before committing: different digests mean different output bytes.
"""

from __future__ import annotations

import json
import sys
import tempfile
from pathlib import Path

from tests.images.golden import GOLDEN, build, digests


def main() -> int:
    with tempfile.TemporaryDirectory() as temp:
        result = build(Path(temp) / "golden")
    if result.errors:
        print("\n".join(str(e) for e in result.errors), file=sys.stderr)
        return 1
    found = digests(result)
    GOLDEN.write_text(json.dumps(found, indent=2, sort_keys=True) + "\n", encoding="utf-8")
    print(
        f"{GOLDEN.relative_to(Path.cwd()) if GOLDEN.is_relative_to(Path.cwd()) else GOLDEN}:"
        f" {len(found)} outputs"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
