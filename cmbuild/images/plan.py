"""Planning the image stage: each job's target and key, before any pixel is read.

Everything that can be said about a job without decoding is said here: unknown channel options,
a source outside the repository or missing, more images than the platform takes, and the digest
(key) that decides whether last build's output can be reused.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from cmbuild import platforms
from cmbuild.errors import InputError
from cmbuild.images.brand import Brand
from cmbuild.images.cache import STAGE_VERSION, Index, render_key, source_digest
from cmbuild.images.jobs import ImageJob
from cmbuild.images.notes import Note
from cmbuild.images.targets import Target, resolve_target
from cmbuild.layout import CHANNELS_FILE


@dataclass(frozen=True)
class Planned:
    """A job that will get an image: its target, the key of its bytes, its source's digest."""

    job: ImageJob
    target: Target
    key: str
    digest: str | None  # None for a title card
    notes: tuple[Note, ...] = ()  # said at planning time (not cached with the output)


@dataclass
class Plan:
    planned: list[Planned] = field(default_factory=list)
    dropped: list[tuple[ImageJob, Note]] = field(default_factory=list)  # over the image cap
    errors: list[InputError] = field(default_factory=list)
    logo: bytes | None = None
    font: bytes | None = None


class Planner:
    def __init__(self, root: Path, brand: Brand, index: Index) -> None:
        self.root = root
        self.brand = brand
        self.index = index
        self._targets: dict[tuple[str, str, tuple[tuple[str, str], ...]], Target | None] = {}
        self._pillow = _pillow_version()
        self._resolved_root = root.resolve()
        self._sources: dict[str, _Digest | str] = {}

    def plan(self, jobs: Sequence[ImageJob]) -> Plan:
        result = Plan()
        brand = self.brand
        if brand.logo is not None:
            result.logo = (self.root / brand.logo.path).read_bytes()
        logo_digest = _digest_bytes(result.logo)
        if brand.title_font is not None and any(j.source is None for j in jobs):
            result.font = (self.root / brand.title_font).read_bytes()
        font_digest = _digest_bytes(result.font)
        counts: dict[str, int] = {}
        for job in jobs:
            target = self._target(job, result.errors)
            if target is None:
                continue
            number = counts[job.variant_id] = counts.get(job.variant_id, 0) + 1
            limit = platforms.get(job.platform).media.max_images
            if number > limit:
                if number == limit + 1:  # say it once per variant
                    result.dropped.append((job, _too_many(target, limit)))
                continue
            digest = self._digest(job, result.errors)
            if job.source is not None and digest is None:
                continue
            card = job.source is None
            parts: dict[str, Any] = {
                "version": [STAGE_VERSION, self._pillow],
                "target": target.fingerprint(),
                "brand": brand.fingerprint(overlay=target.overlay, title_card=card),
                "logo": logo_digest if target.overlay else None,
            }
            notes: tuple[Note, ...] = ()
            if job.source is None:
                parts.update(title=job.title, font=font_digest)
                notes = (_title_card_note(target),)
            else:
                parts.update(source=digest, focus=list(_focus(job.focus)))
            result.planned.append(Planned(job, target, render_key(parts), digest, notes))
        return result

    def _target(self, job: ImageJob, errors: list[InputError]) -> Target | None:
        cache_key = (job.platform, job.channel, job.options)
        if cache_key not in self._targets:
            resolved = resolve_target(platforms.get(job.platform), job.channel, dict(job.options))
            if isinstance(resolved, list):
                errors.extend(_located(self.root, resolved))
                self._targets[cache_key] = None
            else:
                self._targets[cache_key] = resolved
        return self._targets[cache_key]

    def _digest(self, job: ImageJob, errors: list[InputError]) -> str | None:
        if job.source is None:
            return None
        if job.source not in self._sources:  # each source is checked and hashed once per run
            self._sources[job.source] = self._look_at(job.source, job.source_sha256)
        found = self._sources[job.source]
        if isinstance(found, _Digest):
            return found.sha256
        errors.append(
            InputError(
                job.post,
                f"image {job.source} {found}",
                line=job.line,
                key="images",
                hint="paths are relative to the repository, or to the post with ./",
            )
        )
        return None

    def _look_at(self, source: str, known: str | None) -> _Digest | str:
        """The source's digest, or what is wrong with its path."""
        full = (self.root / source).resolve()
        if not full.is_relative_to(self._resolved_root):
            return "points outside the repository"
        digest = known or source_digest(self.root, source, self.index)
        return "not found" if digest is None else _Digest(digest)


@dataclass(frozen=True)
class _Digest:
    sha256: str


def _focus(focus: tuple[float, float]) -> tuple[float, float]:
    return (min(max(float(focus[0]), 0.0), 1.0), min(max(float(focus[1]), 0.0), 1.0))


def _digest_bytes(data: bytes | None) -> str | None:
    import hashlib

    return hashlib.sha256(data).hexdigest() if data is not None else None


def _pillow_version() -> str:
    import PIL

    return str(PIL.__version__)


def _too_many(target: Target, limit: int) -> Note:
    return Note(
        "images.too-many",
        f"{target.label} takes at most {limit} images: only the first {limit} are published",
        "remove images or set an `images:` override for this channel",
    )


def _title_card_note(target: Target) -> Note:
    required = platforms.get(target.platform).media.requires_image
    why = f"{target.label} requires an image: " if required else ""
    return Note(
        "images.title-card",
        f"{why}a title card was made from the post's title",
        "add an image to the post to publish a picture instead",
    )


def _located(root: Path, errors: list[InputError]) -> list[InputError]:
    """Channel option errors with the line of their key in channels.toml."""
    from dataclasses import replace

    from cmbuild.load.tomlfile import key_lines, nearest_line

    try:
        lines = key_lines((root / CHANNELS_FILE).read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError):
        return errors
    return [
        replace(e, line=nearest_line(lines, e.key)) if e.file == CHANNELS_FILE and e.key else e
        for e in errors
    ]
