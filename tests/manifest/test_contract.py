"""The build↔push contract: what the writer writes is what the reader reads, field for field."""

from __future__ import annotations

import json
from pathlib import Path

from cmbuild.manifest.reader import read_manifest, text_digest
from cmbuild.manifest.writer import SCHEMA_VERSION

GOLDEN = Path(__file__).resolve().parents[1] / "golden" / "basic" / "manifest.json"


def test_the_reader_reads_every_variant_the_writer_wrote() -> None:
    written = json.loads(GOLDEN.read_text(encoding="utf-8"))
    assert written["schema_version"] == SCHEMA_VERSION
    read = {entry.id: entry for entry in read_manifest(GOLDEN, "output/manifest.json")}
    assert sorted(read) == sorted(v["id"] for v in written["variants"])
    for variant in written["variants"]:
        entry = read[variant["id"]]
        assert (entry.channel, entry.content_hash, entry.text) == (
            variant["channel"],
            variant["content_hash"],
            variant["text"],
        )
        assert entry.publishable == variant["publishable"]
        assert entry.text_sha256 == text_digest(variant["text"])
