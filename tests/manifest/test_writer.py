"""The manifest's canonical JSON: content hashes must never change for the same content."""

from __future__ import annotations

import json
from typing import Any

from hypothesis import given
from hypothesis import strategies as st

from cmbuild.manifest.writer import canonical_json

# Any Unicode text a post can hold (no lone surrogate: files are decoded from UTF-8).
_TEXT = st.text(st.characters(blacklist_categories=("Cs",)))
_VALUES = st.recursive(
    st.none() | st.booleans() | st.integers(-(2**53), 2**53) | _TEXT,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(_TEXT, inner, max_size=4),
    max_leaves=12,
)


@given(st.dictionaries(_TEXT, _VALUES, max_size=6))
def test_canonical_json_is_what_the_standard_library_writes(value: dict[str, Any]) -> None:
    # Content hashes were first computed from these bytes; ledgers keep them across versions.
    expected = json.dumps(value, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    assert canonical_json(value) == expected.encode("utf-8")


def test_canonical_json_of_control_characters_and_separators() -> None:
    value = {"é": 'a\x00\x1f\x7f\u2028\u2029"\\\n\t', "a": [None, True, 1]}
    expected = json.dumps(value, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    assert canonical_json(value) == expected.encode("utf-8")
