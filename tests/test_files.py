"""Writing outputs: atomic replacement, in-place overwrite, pruning."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from cmbuild.files import (
    prune,
    same_content,
    update_in_place,
    write_atomic,
    write_in_place,
)


def test_atomic_write_replaces_the_file(tmp_path: Path) -> None:
    target = tmp_path / "manifest.json"
    target.write_bytes(b"old")
    write_atomic(target, b"new")
    assert target.read_bytes() == b"new"
    assert [p.name for p in tmp_path.iterdir()] == ["manifest.json"]


def test_a_crash_during_an_atomic_write_keeps_the_old_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    target = tmp_path / "manifest.json"
    target.write_bytes(b"old")

    def crash(source: str, destination: str) -> None:
        raise OSError("disk full")

    monkeypatch.setattr(os, "replace", crash)
    with pytest.raises(OSError, match="disk full"):
        write_atomic(target, b"new")
    assert target.read_bytes() == b"old"
    assert [p.name for p in tmp_path.iterdir()] == ["manifest.json"]  # no temporary file left


def test_in_place_overwrite_shrinks_and_grows(tmp_path: Path) -> None:
    target = tmp_path / "x" / "post.txt"
    write_in_place(target, b"a long first version")
    inode = target.stat().st_ino
    write_in_place(target, b"short")
    assert target.read_bytes() == b"short"
    assert target.stat().st_ino == inode  # overwritten, not replaced
    assert same_content(target, b"short")
    assert not same_content(target, b"other")


def test_prune_removes_only_what_it_is_given_and_empty_folders(tmp_path: Path) -> None:
    (tmp_path / "gone").mkdir()
    (tmp_path / "gone" / "a.txt").write_text("a")
    (tmp_path / "kept").mkdir()
    (tmp_path / "kept" / "b.txt").write_text("b")
    (tmp_path / "kept" / "c.txt").write_text("c")
    removed = prune(tmp_path, {"gone/a.txt", "kept/b.txt", "never/existed.txt"})
    assert removed == ["gone/a.txt", "kept/b.txt"]
    assert not (tmp_path / "gone").exists()
    assert (tmp_path / "kept" / "c.txt").exists()


def test_an_in_place_update_writes_only_what_differs(tmp_path: Path) -> None:
    target = tmp_path / "x" / "post.txt"
    assert update_in_place(target, b"first") is True  # created, folder included
    assert update_in_place(str(target), b"first") is False
    before = target.stat().st_mtime_ns
    assert update_in_place(target, b"fir") is True  # shorter: the tail is cut
    assert target.read_bytes() == b"fir"
    assert update_in_place(target, b"first!") is True  # longer
    assert target.read_bytes() == b"first!"
    assert update_in_place(target, b"first!") is False
    assert target.stat().st_mtime_ns >= before
