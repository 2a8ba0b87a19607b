"""Append-only JSON Lines files: lines numbered as written, a torn tail told apart and set aside."""

from __future__ import annotations

from pathlib import Path

from cmbuild.stores import jsonl


def test_a_missing_file_has_no_line(tmp_path: Path) -> None:
    assert jsonl.read_lines(tmp_path / "none.jsonl") == jsonl.RawLines((), 0)


def test_appended_lines_read_back_and_the_tail_is_kept_apart(tmp_path: Path) -> None:
    path = tmp_path / "state" / "log.jsonl"
    jsonl.append(path, b'{"a":1}\n')
    jsonl.append(path, b'{"a":2}\n')
    assert jsonl.read_lines(path) == jsonl.RawLines((b'{"a":1}', b'{"a":2}'), 16)
    jsonl.append(path, b'{"a":')  # a crash in the middle of a line
    raw = jsonl.read_lines(path)
    assert raw.lines == (b'{"a":1}', b'{"a":2}') and raw.tail == b'{"a":' and raw.tail_line == 3


def test_a_torn_tail_is_set_aside_and_the_file_cut_before_it(tmp_path: Path) -> None:
    path = tmp_path / "log.jsonl"
    path.write_bytes(b'{"a":1}\n{"a":')
    aside = jsonl.set_aside(path, b'{"a":', 8)
    assert aside == tmp_path / "log.jsonl.torn"
    assert aside.read_bytes() == b'{"a":\n'
    assert path.read_bytes() == b'{"a":1}\n'
