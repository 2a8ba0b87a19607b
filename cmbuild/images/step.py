"""The images step of a build: from each variant's source images to the files each channel gets.

Rendering leaves every variant with its post's *source* images. This step asks the image stage
(`cmbuild.images`) for the cut, branded and encoded image of each, or a title card where the
platform needs an image and the post has none, then gives each variant its processed media (whose
paths are under the output folder), the image findings, and a content hash that covers them.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Sequence
from dataclasses import dataclass, replace
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING

from cmbuild import platforms
from cmbuild.errors import InputError
from cmbuild.manifest.writer import content_hash
from cmbuild.model import Channel, Charter, Finding, Media, Variant

if TYPE_CHECKING:
    from cmbuild.images import ImageJob


@dataclass(frozen=True)
class Outcome:
    """What the image stage did for one variant: its processed media and image findings."""

    media: tuple[Media, ...] | None  # None: the stage made no image for it
    findings: tuple[Finding, ...]
    carded: bool  # it got a title card, the image its platform requires

    @cached_property
    def digest(self) -> str:
        """A digest of the outcome: a variant whose outcome and inputs did not change is reused."""
        data = {
            "media": None if self.media is None else [m.to_dict() for m in self.media],
            "findings": [f.to_dict() for f in self.findings],
            "carded": self.carded,
        }
        return hashlib.sha256(json.dumps(data, sort_keys=True).encode()).hexdigest()


NO_IMAGES = Outcome(None, (), False)


@dataclass(frozen=True)
class Imaged:
    outcomes: dict[str, Outcome]  # by variant id; variants without an image have none
    errors: list[InputError]
    stale: frozenset[str]
    written: tuple[str, ...]
    unchanged: int
    brand_files: tuple[str, ...]  # logo, fonts...: inputs the no-op check must watch


def image_jobs(variant: Variant, channel: Channel) -> list[ImageJob]:
    """The images `variant` needs: each of its post's images, else a title card if required."""
    base = f"{variant.channel}/{variant.slug}"
    if variant.media:
        return [
            _job(variant, channel, f"{base}-{n}", m) for n, m in enumerate(variant.media, start=1)
        ]
    if platforms.get(variant.platform).media.requires_image:
        return [_job(variant, channel, f"{base}-card", None)]  # a title card
    return []


def run_images(
    root: Path, out: Path, jobs: Sequence[ImageJob], charter: Charter, *, workers: int
) -> Imaged:
    """Cut, brand and encode what `jobs` ask for (all of them: what is no longer asked is stale)."""
    from cmbuild.images import load_brand, process_images

    result = process_images(root, out, jobs, charter, workers=workers, cache_dir=out / ".cmbuild")
    found: dict[tuple[str, str], list[Finding]] = {}
    for finding in result.findings:
        found.setdefault((finding.file, finding.channel or ""), []).append(finding)
    carded = {job.variant_id for job in jobs if job.source is None}
    outcomes: dict[str, Outcome] = {}
    for job in jobs:
        if job.variant_id in outcomes:
            continue
        media = result.media.get(job.variant_id)
        mine = found.get((job.post, job.channel), [])
        outcomes[job.variant_id] = Outcome(
            tuple(media) if media is not None else None,
            tuple(sorted(mine, key=Finding.sort_key)),
            job.variant_id in carded,
        )
    brand_files: tuple[str, ...] = ()
    if not result.errors:
        brand = load_brand(root, charter)
        logo = brand.logo.path if brand.logo is not None else None
        brand_files = tuple(sorted(f for f in (logo, brand.title_font) if f))
    return Imaged(
        outcomes=outcomes,
        errors=list(result.errors),
        stale=result.stale,
        written=result.written,
        unchanged=len(result.unchanged),
        brand_files=brand_files,
    )


def apply_images(variant: Variant, outcome: Outcome) -> Variant:
    """`variant` with its processed media and image findings, and a content hash covering them."""
    if outcome.media is None and not outcome.findings:
        return variant  # no image, no image finding: nothing to change
    processed = outcome.media if outcome.media is not None else variant.media
    findings = set(variant.findings) | set(outcome.findings)
    if outcome.carded:
        # The title card is the image the platform requires.
        findings = {f for f in findings if f.rule != "platform.image-required"}
    changed = replace(
        variant, media=processed, findings=tuple(sorted(findings, key=Finding.sort_key))
    )
    return replace(changed, content_hash=content_hash(changed))


def _job(variant: Variant, channel: Channel, output: str, media: Media | None) -> ImageJob:
    """One image `variant` needs: `media` cut for its channel, or a title card (None)."""
    from cmbuild.images import ImageJob

    return ImageJob(
        variant_id=variant.id,
        channel=variant.channel,
        platform=variant.platform,
        options=channel.options,
        source=media.path if media else None,
        focus=media.focus if media else (0.5, 0.5),
        alt=media.alt if media else None,
        title=variant.title,
        output=output,
        post=variant.source,
        line=media.line if media else None,
        source_sha256=media.sha256 if media else None,
    )
