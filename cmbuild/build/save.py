"""The last stages of a build: the preview, the outputs, then the build state and the stamp.

The state is saved last, so that an interrupted build is simply redone by the next one.
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from cmbuild.build.finish import Finals, Pictured
from cmbuild.build.read import Configuration, Posts, Previous
from cmbuild.build.render import Scheduled, SourceImages, request_record
from cmbuild.build.result import Options
from cmbuild.build.summary import Summary
from cmbuild.files import prune
from cmbuild.incremental import STATE_DIR
from cmbuild.incremental.config import save as save_config
from cmbuild.incremental.index import INDEX_FILE, Index, PostEntry, write_index
from cmbuild.incremental.inputs import Stat, stat_of
from cmbuild.incremental.memo import Memo
from cmbuild.incremental.rows import Row
from cmbuild.incremental.shards import Shards
from cmbuild.incremental.stamp import Stamp, write_stamp
from cmbuild.layout import HALT_FILE
from cmbuild.model import Media
from cmbuild.write.outputs import LastWrite, Sources, WriteReport, write_outputs

if TYPE_CHECKING:
    from markupsafe import Markup


@dataclass(frozen=True)
class Pages:
    """The preview site's files (None: keep the page on disk) and its post pages' keys."""

    files: dict[str, bytes | None] = field(default_factory=dict)
    keys: dict[str, str] = field(default_factory=dict)  # post page path -> key it was made with
    entries: dict[str, tuple[Markup, Markup]] = field(default_factory=dict)  # calendar entries


def preview_pages(
    out: Path,
    rows: list[Row],
    finals: Finals,
    summary: Summary,
    config: Configuration,
    previous: Previous,
    memo: Memo,
    root: Path,
    options: Options,
) -> Pages:
    """The preview site; post pages whose key did not change are kept as they are on disk.

    The watch and slots pages are read from `root`'s state (the slots scored up to the day of
    `options.now`).
    """
    from cmbuild.preview import halts_shown, render_preview_kept
    from cmbuild.preview.loop import read_views
    from cmbuild.preview.pages import POSTS_DIR
    from cmbuild.preview.site import PageCache

    try:
        on_disk = {f"{POSTS_DIR}/{name}" for name in os.listdir(out / POSTS_DIR)}
    except FileNotFoundError:
        on_disk = set()
    kept = {
        path: key
        for path, key in previous.index.preview.items()
        if path in on_disk and path in previous.index.outputs
    }
    by_source = _by_source(rows)
    cache = PageCache(
        kept=kept,
        load=lambda source: [finals.final(row) for row in by_source[source]],
        finals={row.id: row.final for row in rows},
        entries=memo.entries,
    )
    halts = halts_shown(root / HALT_FILE)
    charts = out / STATE_DIR / "charts"
    views = read_views(root, rows, halts, options.now, charts, memo.slots)
    # Variants' media are the processed images, under the output folder.
    files = render_preview_kept(
        rows,
        summary,
        config.channels,
        config.charter,
        cache=cache,
        halts=halts,
        root=out,
        views=views,
    )
    return Pages(files, cache.keys, cache.entries)


def _by_source(rows: list[Row]) -> dict[str, list[Row]]:
    by_source: dict[str, list[Row]] = {}
    for row in rows:
        by_source.setdefault(row.source, []).append(row)
    return by_source


@dataclass(frozen=True)
class Made:
    """What the build made of each post: the index entries' parts that are not in the rows."""

    posts: Posts
    scheduled: Scheduled
    images: SourceImages
    keys: dict[str, str]  # source -> render key
    shards: Shards  # with this build's rendered variants


def write_build(
    out: Path,
    rows: list[Row],
    finals: Finals,
    config: Configuration,
    made: Made,
    previous: Previous,
    pages: Pages,
    memo: Memo,
) -> WriteReport:
    """Write the outputs, then the index and shards; the new index and rows go to `memo`."""
    posts, images, shards = made.posts, made.images, made.shards
    shards.drop(set(previous.index.posts) - set(posts.sources))
    last = LastWrite(previous.index.outputs, previous.index.written, memo.files)
    report = write_outputs(
        out,
        rows,
        Sources(finals.final, finals.event),
        config.charter.brand_name or "cmbuild",
        _inputs_digest(config.digest, posts.shas, images.media),
        last,
        extra=pages.files,
        calendar_zone=config.charter.timezone,
    )
    by_source = _by_source(rows)
    index = Index(
        config_hash=config.digest,
        posts=_entries(made, by_source),
        images={p: (stat, images.media[p]) for p, stat in images.stats.items()},
        files={s: (stat, posts.shas[s]) for s, stat in posts.stats.items()},
        outputs=report.digests,
        written=report.stats,
        preview=pages.keys,
    )
    shards.save()
    write_index(out, index)
    if config.to_save is not None:
        save_config(out / STATE_DIR, config.digest, config.to_save)
    memo.index, memo.stat = index, stat_of(out / STATE_DIR / INDEX_FILE)
    memo.rows, memo.files, memo.entries = by_source, report.files, pages.entries
    return report


def _entries(made: Made, by_source: Mapping[str, list[Row]]) -> dict[str, PostEntry]:
    posts, requests = made.posts, made.scheduled.requests
    return {
        s: PostEntry(
            sha=posts.shas[s],
            key=made.keys[s],
            requests=(
                [request_record(r) for r in requests[s]]
                if s in requests
                else posts.cached[s].requests
            ),
            images=made.images.of_post[s],
            warnings=(
                [w.to_dict() for w in posts.warnings[s]]
                if s in posts.parsed
                else posts.cached[s].warnings
            ),
            rows=[r.to_index() for r in by_source.get(s, [])],
        )
        for s in posts.sources
    }


def _inputs_digest(config_hash: str, shas: dict[str, str], media: dict[str, Media]) -> str:
    h = hashlib.sha256(config_hash.encode())
    for source, sha in sorted(shas.items()):
        h.update(f"\0{source}\0{sha}".encode())
    for path, facts in sorted(media.items()):
        h.update(f"\0{path}\0{facts.sha256}".encode())
    return "sha256:" + h.hexdigest()


@dataclass(frozen=True)
class Saved:
    """The files a build wrote, left alone and removed."""

    written: tuple[str, ...] = ()
    unchanged: int = 0
    pruned: tuple[str, ...] = ()


def save_stamp(
    out: Path,
    root: Path,
    inputs: Mapping[str, Stat],
    images: SourceImages,
    report: WriteReport,
    pictured: Pictured,
    summary: Summary,
) -> Saved:
    """Prune the images no longer made and write the stamp: the next no-op check's inputs."""
    written, unchanged, pruned = report.written, report.unchanged, report.pruned
    stamp_inputs = dict(inputs)
    stamp_inputs.update(images.stats)
    imaged = pictured.imaged
    if imaged is not None:
        written += imaged.written
        unchanged += imaged.unchanged
        pruned += tuple(prune(out, imaged.stale))
        for relative in imaged.brand_files:
            brand_stat = stat_of(root / relative)
            if brand_stat is not None:
                stamp_inputs[relative] = brand_stat
    write_stamp(out, Stamp(stamp_inputs, report.outputs, summary.to_dict()))
    return Saved(written, unchanged, pruned)
