"""The sample site built once, and its preview written to a temporary output folder."""

from __future__ import annotations

import shutil
from dataclasses import dataclass
from pathlib import Path

import pytest

from cmbuild.build import build
from cmbuild.build.summary import Summary
from cmbuild.layout import HALT_FILE
from cmbuild.load.site import load_config
from cmbuild.model import Channel, Charter, Variant
from cmbuild.preview import halts_shown, render_preview

SITES = Path(__file__).resolve().parents[1] / "sites"

HALTS = """\
[[halt]]
scope = "campaign"
name = "conseils"
reason = "Client asked to hold the tips series"
since = "2026-11-30T08:00:00Z"
"""


@dataclass(frozen=True)
class Preview:
    root: Path  # the content repository
    out: Path  # the output folder, preview written into it
    variants: tuple[Variant, ...]
    summary: Summary
    channels: tuple[Channel, ...]
    charter: Charter
    files: dict[str, bytes]

    def text(self, path: str) -> str:
        return self.files[path].decode("utf-8")

    def variant(self, key: str) -> Variant:
        return next(v for v in self.variants if v.key == key)


def make_preview(root: Path, out: Path) -> Preview:
    """Build `root` into `out`, render its preview and write the files, as the write stage does.

    The variants' media are the processed images, under `out`: the preview reads them there.
    """
    result = build(root, out)
    assert result.variants is not None
    channels, charter = load_config(root)
    halts = halts_shown(root / HALT_FILE)
    files = render_preview(
        result.variants, result.summary, channels, charter, halts=halts, root=out
    )
    for relative, data in files.items():
        target = out / relative
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(data)
    return Preview(root, out, result.variants, result.summary, channels, charter, files)


@pytest.fixture(scope="session")
def preview(tmp_path_factory: pytest.TempPathFactory) -> Preview:
    """tests/sites/basic with the "conseils" campaign halted, built and previewed once."""
    base = tmp_path_factory.mktemp("preview")
    root = base / "basic"
    shutil.copytree(SITES / "basic", root)
    (root / "state").mkdir()
    (root / HALT_FILE).write_text(HALTS, encoding="utf-8")
    return make_preview(root, base / "output")
