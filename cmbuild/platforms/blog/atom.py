"""The blog's Atom feed (RFC 4287): one entry per published article, newest first.

The feed is read, changed and written whole, atomically, at each publication or deletion, so a
feed reader never sees half a file.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from dataclasses import dataclass
from pathlib import Path

from cmbuild.files import write_atomic

_NS = "http://www.w3.org/2005/Atom"
ET.register_namespace("", _NS)


def _q(tag: str) -> str:
    return f"{{{_NS}}}{tag}"


@dataclass(frozen=True)
class FeedEntry:
    id: str  # urn:cmbuild:<variant id>
    title: str
    link: str
    published: str  # RFC 3339
    summary: str


def read_entries(path: Path) -> list[FeedEntry]:
    """The entries of the feed at `path` (none if there is no feed yet)."""
    if not path.exists():
        return []
    root = ET.parse(path).getroot()
    entries = []
    for element in root.findall(_q("entry")):
        link = element.find(_q("link"))
        entries.append(
            FeedEntry(
                id=element.findtext(_q("id"), ""),
                title=element.findtext(_q("title"), ""),
                link=link.get("href", "") if link is not None else "",
                published=element.findtext(_q("published"), ""),
                summary=element.findtext(_q("summary"), ""),
            )
        )
    return entries


def write_feed(
    path: Path, *, title: str, feed_id: str, link: str, entries: list[FeedEntry]
) -> None:
    """Write the feed atomically, entries newest first."""
    ordered = sorted(entries, key=lambda e: (e.published, e.id), reverse=True)
    root = ET.Element(_q("feed"))
    ET.SubElement(root, _q("title")).text = title
    ET.SubElement(root, _q("id")).text = feed_id
    ET.SubElement(root, _q("link"), href=link)
    updated = ordered[0].published if ordered else "1970-01-01T00:00:00Z"
    ET.SubElement(root, _q("updated")).text = updated
    for entry in ordered:
        element = ET.SubElement(root, _q("entry"))
        ET.SubElement(element, _q("id")).text = entry.id
        ET.SubElement(element, _q("title")).text = entry.title
        ET.SubElement(element, _q("link"), href=entry.link)
        ET.SubElement(element, _q("published")).text = entry.published
        ET.SubElement(element, _q("updated")).text = entry.published
        ET.SubElement(element, _q("summary")).text = entry.summary
    ET.indent(root)
    data = ET.tostring(root, encoding="utf-8", xml_declaration=True) + b"\n"
    write_atomic(path, data)
