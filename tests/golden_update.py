"""Regenerate the expected output trees: `make golden` (or `python -m tests.golden_update`).

Builds every site under tests/sites/ and replaces tests/golden/<site>/ with the result. Review the
diff before committing: it is the change in what cmbuild produces.
"""

from __future__ import annotations

import shutil
import sys
import tempfile
from pathlib import Path

from cmbuild.build import build
from tests.helpers import tree

HERE = Path(__file__).parent


def build_site(name: str, into: Path) -> dict[str, bytes]:
    """Build tests/sites/<name> from a copy in `into`; return its output tree."""
    root = into / name
    shutil.copytree(HERE / "sites" / name, root)
    build(root, jobs=1)
    return tree(root / "output")


def main() -> int:
    for site in sorted(p.name for p in (HERE / "sites").iterdir() if p.is_dir()):
        with tempfile.TemporaryDirectory() as temp:
            files = build_site(site, Path(temp))
        golden = HERE / "golden" / site
        shutil.rmtree(golden, ignore_errors=True)
        for relative, data in files.items():
            target = golden / relative
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(data)
        print(f"tests/golden/{site}: {len(files)} files")
    _write_report_golden()
    _write_inbox_golden()
    _write_metrics_doc()
    return 0


def _write_report_golden() -> None:
    """tests/golden/report/: the report of tests/insights/fixture.py's measured basic site."""
    from tests.insights.fixture import report_tree

    with tempfile.TemporaryDirectory() as temp:
        files = report_tree(Path(temp))
    golden = HERE / "golden" / "report"
    shutil.rmtree(golden, ignore_errors=True)
    for relative, data in files.items():
        (golden / relative).parent.mkdir(parents=True, exist_ok=True)
        (golden / relative).write_bytes(data)
    print(f"tests/golden/report: {len(files)} files")


def _write_inbox_golden() -> None:
    """tests/golden/inbox/inbox.html: the page of tests/preview/inbox_fixture.py's inbox."""
    from tests.preview.inbox_fixture import GOLDEN, inbox_html

    with tempfile.TemporaryDirectory() as temp:
        page = inbox_html(Path(temp))
    GOLDEN.parent.mkdir(parents=True, exist_ok=True)
    GOLDEN.write_bytes(page)
    print("tests/golden/inbox: 1 file")


def _write_metrics_doc() -> None:
    """docs/insights-metrics.md, from the platforms' metric tables."""
    from cmbuild.collect.table import render

    (HERE.parent / "docs" / "insights-metrics.md").write_text(render(), encoding="utf-8")
    print("docs/insights-metrics.md: written")


if __name__ == "__main__":
    sys.exit(main())
