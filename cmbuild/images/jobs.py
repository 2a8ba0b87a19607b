"""What the image stage is asked to make, and what it hands back."""

from __future__ import annotations

from dataclasses import dataclass, field

from cmbuild.errors import InputError
from cmbuild.model import Finding, Media


@dataclass(frozen=True)
class ImageJob:
    """One image a variant needs: a source image cut for a channel, or a title card."""

    variant_id: str
    channel: str
    platform: str  # the spec is `cmbuild.platforms.get(platform).media`
    options: tuple[tuple[str, str], ...]  # the channel's options (image_format, image_type...)
    source: str | None  # repository-relative source path; None for a title card
    focus: tuple[float, float]  # (x, y) in 0..1 of the upright image
    alt: str | None
    title: str  # what a title card shows
    output: str  # output-relative path without extension: the encoder picks it
    post: str  # the post's source, for errors and findings
    line: int | None  # the image's line in the post
    source_sha256: str | None = None  # the source's digest, when the caller already has it


@dataclass(frozen=True)
class ImageResult:
    """Everything the stage made or found; bad images are errors here, never exceptions."""

    media: dict[str, tuple[Media, ...]] = field(default_factory=dict)  # by variant id, job order
    findings: list[Finding] = field(default_factory=list)
    errors: list[InputError] = field(default_factory=list)
    outputs: frozenset[str] = frozenset()  # every output path the stage owns now
    stale: frozenset[str] = frozenset()  # paths it wrote before and no longer makes: prune them
    written: tuple[str, ...] = ()  # paths whose bytes were written in this run
    unchanged: tuple[str, ...] = ()  # the other outputs: already on disk with the right bytes
    encoded: int = 0  # distinct images rendered in this run (0 when nothing changed)
