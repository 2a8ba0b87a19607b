"""The images step of a build: from each variant's source images to the files each channel gets.

Rendering leaves every variant with its post's *source* images. This step asks the image stage
(`cmbuild.images`) for the cut, branded and encoded image of each, or a title card where the
platform needs an image and the post has none, then gives each variant its processed media (whose
paths are under the output folder), the image findings, and a content hash that covers them.
"""

from __future__ import annotations

import tomllib
from collections.abc import Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

from cmbuild import platforms
from cmbuild.errors import InputError
from cmbuild.layout import CHARTER_FILE
from cmbuild.model import Channel, Finding, Media, Variant
from cmbuild.write.manifest import content_hash

if TYPE_CHECKING:
    from cmbuild.images import ImageJob


@dataclass(frozen=True)
class Imaged:
    variants: list[Variant]
    errors: list[InputError]
    stale: frozenset[str]
    written: tuple[str, ...]
    unchanged: int
    brand_files: tuple[str, ...]  # logo, fonts...: inputs the no-op check must watch


def charter_data(root: Path) -> dict[str, Any]:
    try:
        return tomllib.loads((root / CHARTER_FILE).read_text(encoding="utf-8"))
    except FileNotFoundError:
        return {}


def attach_images(
    root: Path,
    out: Path,
    variants: Sequence[Variant],
    channels: dict[str, Channel],
    *,
    workers: int,
) -> Imaged:
    from cmbuild.images import load_brand, process_images

    jobs: list[ImageJob] = []
    for variant in variants:
        channel = channels[variant.channel]
        base = f"{variant.channel}/{variant.slug}"

        if variant.media:
            jobs.extend(
                _job(variant, channel, f"{base}-{n}", m)
                for n, m in enumerate(variant.media, start=1)
            )
        elif platforms.get(variant.platform).media.requires_image:
            jobs.append(_job(variant, channel, f"{base}-card", None))  # a title card
    data = charter_data(root)
    result = process_images(root, out, jobs, data, workers=workers, cache_dir=out / ".cmbuild")
    extra: dict[tuple[str, str], list[Finding]] = {}
    for finding in result.findings:
        extra.setdefault((finding.file, finding.channel or ""), []).append(finding)
    carded = {job.variant_id for job in jobs if job.source is None}
    updated = []
    for variant in variants:
        mine = extra.get((variant.source, variant.channel))
        if variant.id not in result.media and not mine:
            updated.append(variant)  # no image, no image finding: nothing to change
            continue
        processed = result.media.get(variant.id, variant.media)
        findings = set(variant.findings) | set(mine or ())
        if variant.id in carded:
            # The title card is the image the platform requires.
            findings = {f for f in findings if f.rule != "platform.image-required"}
        changed = replace(
            variant, media=tuple(processed), findings=tuple(sorted(findings, key=Finding.sort_key))
        )
        updated.append(replace(changed, content_hash=content_hash(changed)))
    brand_files: tuple[str, ...] = ()
    if not result.errors:
        brand = load_brand(root, data)
        logo = brand.logo.path if brand.logo is not None else None
        brand_files = tuple(sorted(f for f in (logo, brand.title_font) if f))
    return Imaged(
        variants=updated,
        errors=list(result.errors),
        stale=result.stale,
        written=result.written,
        unchanged=len(result.unchanged),
        brand_files=brand_files,
    )


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
