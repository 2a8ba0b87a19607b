"""The build-wide stages, on rows: cross-post checks, images, final variants, the summary.

Every variant becomes a light row: a fresh variant makes its row, an unchanged post's rows come
from the index (or from the memo of a long-running process) and its variants are never rebuilt.
A row is reused as it is when its final key (render key, image outcome, cross-post findings) is
the one it had; otherwise its variant is read back, given its images and findings, and its row
made again.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from cmbuild.build.read import Configuration, Posts, Previous
from cmbuild.build.result import Options
from cmbuild.build.summary import Summary, summarize
from cmbuild.build.workers import RenderResult
from cmbuild.errors import InputErrors
from cmbuild.images.step import NO_IMAGES, Imaged, Outcome, image_jobs, run_images
from cmbuild.incremental.inputs import DANGLING, digest
from cmbuild.incremental.memo import Memo
from cmbuild.incremental.rows import Row, finalise
from cmbuild.incremental.shards import Shards, variant_from_dict
from cmbuild.model import Channel, Charter, Finding, Post, Variant

if TYPE_CHECKING:
    from cmbuild.images import ImageJob

Cross = dict[tuple[str, str], list[Finding]]  # (source, channel) -> cross-post findings


def gather_rows(
    posts: Posts, rendered: list[RenderResult], previous: Previous, memo: Memo
) -> list[Row]:
    """Every variant as a row: the fresh ones from their Variant, the others from the index."""
    fresh = {outcome.source: outcome for outcome in rendered}
    rows: list[Row] = []
    for source in posts.sources:
        outcome = fresh.get(source)
        if outcome is not None:
            rows.extend(
                Row.from_variant(
                    variant,
                    variant,
                    output_sha="",
                    fingerprint=outcome.fingerprints.get(variant.id, ""),
                    final="",
                    jobs=[],
                )
                for variant in outcome.variants
            )
        elif previous.warm and source in memo.rows:
            rows.extend(memo.rows[source])  # the rows the last build of this process made
        else:
            rows.extend(Row.from_index(source, data) for data in posts.cached[source].rows)
    return rows


def cross_checks(rows: list[Row], charter: Charter, posts: Mapping[str, Post]) -> Cross:
    """The findings between different posts (complementarity, campaigns), by (source, channel)."""
    from cmbuild.check.campaigns import campaign_typos
    from cmbuild.check.complementarity import across_posts

    found: Cross = {}
    prints = {row.id: row.fingerprint for row in rows}
    for finding in [*across_posts(rows, prints, charter, posts), *campaign_typos(rows, posts)]:
        found.setdefault((finding.file, finding.channel or ""), []).append(finding)
    return found


@dataclass(frozen=True)
class Pictured:
    """The image jobs of every variant, and what the image stage made of them (None: not run)."""

    jobs: dict[str, list[ImageJob]]  # by variant id; variants without an image have none
    imaged: Imaged | None

    @property
    def outcomes(self) -> dict[str, Outcome]:
        return self.imaged.outcomes if self.imaged is not None else {}


def picture(
    root: Path,
    out: Path,
    rows: list[Row],
    rendered: Iterable[RenderResult],
    config: Configuration,
    options: Options,
) -> Pictured:
    """Cut, brand and encode the variants' images (only validate the brand when not writing)."""
    fresh = {variant.id: variant for outcome in rendered for variant in outcome.variants}
    jobs = _image_jobs(rows, fresh, config.by_name())
    if not options.write:
        from cmbuild.images import load_brand

        load_brand(root, config.charter)
        return Pictured(jobs, None)
    every = [job for found in jobs.values() for job in found]
    options.progress("images", 0, len(every))
    imaged = run_images(root, out, every, config.charter, workers=options.jobs)
    if imaged.errors:
        raise InputErrors(imaged.errors)
    return Pictured(jobs, imaged)


def _image_jobs(
    rows: list[Row], rendered: Mapping[str, Variant], channels: Mapping[str, Channel]
) -> dict[str, list[ImageJob]]:
    """The image jobs of every variant (fresh ones from the variant, others from their row)."""
    from cmbuild.images import ImageJob

    jobs: dict[str, list[ImageJob]] = {}
    for row in rows:
        variant = rendered.get(row.id)
        if variant is not None:
            found = image_jobs(variant, channels[row.channel])
        else:
            found = [_job_from(ImageJob, data) for data in row.jobs]
        if found:
            jobs[row.id] = found
    return jobs


def _job_to(job: ImageJob) -> dict[str, Any]:
    return {k: list(v) if isinstance(v, tuple) else v for k, v in vars(job).items()}


def _job_from(kind: type[ImageJob], data: dict[str, Any]) -> ImageJob:
    return kind(
        **{
            **data,
            "options": tuple((a, b) for a, b in data["options"]),
            "focus": (float(data["focus"][0]), float(data["focus"][1])),
        }
    )


class StateLost(Exception):
    """The build state misses what it should have kept (a shard deleted): build from scratch."""


class Finals:
    """Final variants and calendar events of rows, read back from the shards when needed."""

    def __init__(self, shards: Shards, rendered: Iterable[RenderResult]) -> None:
        self.shards = shards
        self._rendered: dict[str, Variant] = {}
        self._events: dict[str, str] = {}
        for outcome in rendered:  # variants this build rendered: no need to read them back
            self._rendered.update((variant.id, variant) for variant in outcome.variants)
            self._events.update(outcome.events)

    def rendered(self, row: Row) -> Variant:
        """The variant as rendered (before images and cross-post checks)."""
        variant = self._rendered.get(row.id)
        if variant is None:
            shard = self.shards.get(row.source)
            if shard is None:
                raise StateLost(row.source)
            for data in shard.variants:
                self._rendered[data["id"]] = variant_from_dict(data)
            self._events.update(shard.events)
            variant = self._rendered[row.id]
        return variant

    def final(self, row: Row) -> Variant:
        if row.variant is None:
            row.variant = row.finish(self.rendered(row))
        return row.variant

    def event(self, row: Row) -> bytes:
        if row.id not in self._events:
            self.rendered(row)
        return self._events[row.id].encode("utf-8")


def finalise_rows(
    rows: list[Row], keys: Mapping[str, str], cross: Cross, pictured: Pictured, finals: Finals
) -> list[Row]:
    """The final rows, in manifest order: those whose final key changed are made again."""
    final_rows = []
    outcomes = pictured.outcomes
    for row in rows:
        mine = cross.get((row.source, row.channel), [])
        outcome = outcomes.get(row.id, NO_IMAGES)
        final = _final_key(keys[row.source], outcome.digest, mine)
        if row.final == final:
            final_rows.append(row)  # reused as it is, manifest entry and calendar event included
            continue
        before = finals.rendered(row)
        variant = finalise(before, outcome, mine)
        jobs = [_job_to(job) for job in pictured.jobs.get(row.id, [])]
        sha = digest(variant.text.encode("utf-8"))
        final_rows.append(
            Row.from_variant(
                variant, before, output_sha=sha, fingerprint=row.fingerprint, final=final, jobs=jobs
            )
        )
    final_rows.sort(key=Row.sort_key)
    return final_rows


def _final_key(render_key: str, images: str, cross: list[Finding]) -> str:
    h = hashlib.blake2b(f"{render_key}\0{images}".encode(), digest_size=16)
    for finding in sorted(cross, key=Finding.sort_key) if cross else ():
        h.update(b"\0" + json.dumps(finding.to_dict(), sort_keys=True).encode())
    return h.hexdigest()


def summarise(
    rows: list[Row],
    posts: Posts,
    channels: Iterable[Channel],
    inputs: Iterable[str] = (),
    found: Sequence[Finding] = (),
) -> Summary:
    """The build summary: per-channel counts, drafts, every finding (`inputs`: the scanned
    files, for the posts that are links to nothing; `found`: the findings of other stages, as on
    the approved replies or the posts the queue could not place)."""
    post_warnings = [w for s in posts.sources for w in posts.warnings_of(s)]
    post_warnings.extend(dangling_links(inputs))
    drafts = sorted({(r.source, r.title) for r in rows if r.status == "draft"})
    return summarize(
        rows,
        post_warnings,
        drafts,
        {c.name: c.platform for c in channels},
        post_count=len(posts.sources),
    ).with_findings(found)


def dangling_links(inputs: Iterable[str]) -> list[Finding]:
    """A warning for each post that is a symbolic link to a file that does not exist."""
    return [
        Finding(
            rule="post.dangling-link",
            severity="warning",
            message="is a link to a file that does not exist: this post is left out",
            file=key.removeprefix(DANGLING),
            hint="restore the file it points to, or delete the link",
        )
        for key in sorted(inputs)
        if key.startswith(DANGLING)
    ]
