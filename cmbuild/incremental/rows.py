"""Rows: the light form of a variant that every build-wide stage reads.

Rendering a post gives full `Variant`s, but most posts of a rebuild did not change: for those the
build reads only their rows from the index (channel, time, status, final findings, digests, where
their manifest entry and calendar event sit in the previous files) and never rebuilds a `Variant`.
The cross-post checks, the summary, the manifest and calendar order and the text files all work on
rows; a `Variant` is read back from its shard only when something about it has to be redone.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime
from functools import partial
from typing import Any

from cmbuild.images.step import Outcome
from cmbuild.incremental.index import IndexRow
from cmbuild.incremental.shards import local_time, media_from, media_to
from cmbuild.model import Finding, Media, Variant

_record = partial(tuple.__new__, IndexRow)  # an IndexRow from a tuple of its fields, unchecked

Span = tuple[int, int]  # (offset, length) in a file written by the previous build


@dataclass(slots=True)
class Row:
    """One variant as the build-wide stages see it (after images and cross-post checks)."""

    id: str
    source: str
    channel: str
    platform: str
    slug: str
    title: str
    status: str
    local: str  # ISO 8601 time in the variant's zone, as in the manifest's `scheduled_local`
    timestamp: float  # the same instant, in seconds since the epoch
    timezone: str
    output: str
    fingerprint: str
    findings: tuple[Finding, ...]
    final: str  # digest of what its final form depends on (render key, images, cross findings)
    jobs: list[dict[str, Any]]  # the image jobs it needs, as ImageJob fields
    media_data: list[dict[str, Any]] | None  # its final media, if not those it was rendered with
    content_hash: str | None  # its final content hash, when not the one it was rendered with
    campaign: str | None
    tags: tuple[str, ...]
    kind: str = "news"  # news, event or evergreen (background): the calendar's lanes
    plan: str | None = None  # why the queue placed it there
    manifest: Span | None = None
    event: Span | None = None
    output_sha: str = ""  # digest of its text file ("" when unchanged since the last build)
    variant: Variant | None = None  # the final Variant, when this build has it in memory
    raw: IndexRow | None = None  # the index's record it was read from, if any
    _when: datetime | None = None

    @classmethod
    def from_index(cls, source: str, data: IndexRow) -> Row:
        return cls(
            id=data.id,
            source=source,
            channel=data.channel,
            platform=data.platform,
            slug=data.slug,
            title=data.title,
            status=data.status,
            local=data.local,
            timestamp=data.timestamp,
            timezone=data.timezone,
            output=data.output,
            fingerprint=data.fingerprint,
            findings=tuple(Finding.from_dict(f) for f in data.findings) if data.findings else (),
            final=data.final,
            jobs=data.jobs,
            media_data=data.media,
            content_hash=data.content_hash,
            campaign=data.campaign,
            tags=tuple(data.tags),
            kind=data.kind,
            plan=data.plan,
            manifest=(data.manifest[0], data.manifest[1]) if data.manifest else None,
            event=(data.event[0], data.event[1]) if data.event else None,
            raw=data,
        )

    @classmethod
    def from_variant(
        cls,
        variant: Variant,
        rendered: Variant,
        *,
        output_sha: str,
        fingerprint: str,
        final: str,
        jobs: list[dict[str, Any]],
    ) -> Row:
        """The row of a final variant; `rendered` is what it was rendered as, kept in its shard."""
        return cls(
            id=variant.id,
            source=variant.source,
            channel=variant.channel,
            platform=variant.platform,
            slug=variant.slug,
            title=variant.title,
            status=variant.status,
            local=variant.scheduled.isoformat(),
            timestamp=variant.scheduled.timestamp(),
            timezone=variant.timezone,
            output=variant.output,
            fingerprint=fingerprint,
            findings=variant.findings,
            final=final,
            jobs=jobs,
            media_data=(
                None if variant.media == rendered.media else [media_to(m) for m in variant.media]
            ),
            content_hash=(
                None if variant.content_hash == rendered.content_hash else variant.content_hash
            ),
            campaign=variant.campaign,
            tags=variant.tags,
            kind=variant.kind,
            plan=variant.plan,
            output_sha=output_sha,
            variant=variant,
        )

    def to_index(self) -> IndexRow:
        manifest = list(self.manifest) if self.manifest else None
        event = list(self.event) if self.event else None
        raw = self.raw
        if raw is not None:
            # Read from the index and reused: only where its entries sit may have moved.
            if raw.manifest == manifest and raw.event == event:
                return raw
            return _record((*raw[:-2], manifest, event))
        return IndexRow(
            self.id,
            self.channel,
            self.platform,
            self.slug,
            self.title,
            self.status,
            self.local,
            self.timestamp,
            self.timezone,
            self.output,
            self.fingerprint,
            [f.to_dict() for f in self.findings],
            self.final,
            self.jobs,
            self.media_data,
            self.content_hash,
            self.campaign,
            list(self.tags),
            self.kind,
            self.plan,
            manifest,
            event,
        )

    def finish(self, rendered: Variant) -> Variant:
        """The final variant, from the variant as rendered (read back from its shard)."""
        return replace(
            rendered,
            media=(
                rendered.media
                if self.media_data is None
                else tuple(media_from(m) for m in self.media_data)
            ),
            findings=self.findings,
            content_hash=self.content_hash or rendered.content_hash,
        )

    @property
    def scheduled(self) -> datetime:
        """When it is scheduled, in its own zone."""
        if self._when is None:
            self._when = local_time(self.local, self.timezone)
        return self._when

    @property
    def media(self) -> tuple[Media, ...]:
        """Its final (processed) images; none when the image stage gave it none."""
        return tuple(media_from(m) for m in self.media_data or ())

    def sort_key(self) -> tuple[float, str, str]:
        """Manifest and calendar order: by time, then channel, then id."""
        return (self.timestamp, self.channel, self.id)


def finalise(rendered: Variant, images: Outcome, cross: list[Finding]) -> Variant:
    """A rendered variant with its image outcome and its cross-post findings."""
    from cmbuild.images.step import apply_images

    variant = apply_images(rendered, images)
    if cross:
        merged = tuple(sorted(set(variant.findings) | set(cross), key=Finding.sort_key))
        variant = replace(variant, findings=merged)
    return variant
