"""The build index: its records read back by name, and a record of another shape not trusted."""

from __future__ import annotations

import shutil
from pathlib import Path

import orjson

from cmbuild.build import build
from cmbuild.incremental import STATE_DIR
from cmbuild.incremental.index import INDEX_FILE, IndexRow, RequestRecord, read_index

SITES = Path(__file__).parents[1] / "sites"


def _built(tmp_path: Path) -> Path:
    root = tmp_path / "site"
    shutil.copytree(SITES / "basic", root)
    build(root, preview=False)
    return root / "output"


def test_each_row_and_request_is_read_back_with_its_fields_named(tmp_path: Path) -> None:
    out = _built(tmp_path)
    index = read_index(out)
    manifest = orjson.loads((out / "manifest.json").read_bytes())
    by_id = {entry["id"]: entry for entry in manifest["variants"]}
    rows = [row for entry in index.posts.values() for row in entry.rows]
    assert rows and all(isinstance(row, IndexRow) for row in rows)
    listed = [row for row in rows if row.status != "draft"]
    assert {row.id for row in listed} == set(by_id)
    data = (out / "manifest.json").read_bytes()
    for row in listed:
        entry = by_id[row.id]
        assert (row.channel, row.slug, row.local) == (
            entry["channel"],
            entry["slug"],
            entry["scheduled_local"],
        )
        assert row.manifest is not None
        offset, length = row.manifest
        assert orjson.loads(data[offset : offset + length]) == entry  # where its entry sits
    requests = [r for entry in index.posts.values() for r in entry.requests]
    assert requests and all(isinstance(r, RequestRecord) for r in requests)


def test_an_index_row_of_another_shape_means_no_index(tmp_path: Path) -> None:
    out = _built(tmp_path)
    path = out / STATE_DIR / INDEX_FILE
    data = orjson.loads(path.read_bytes())
    entry = next(iter(data["posts"].values()))
    entry["rows"][0] = entry["rows"][0][:-1]  # one field short
    path.write_bytes(orjson.dumps(data))
    assert read_index(out).posts == {}
