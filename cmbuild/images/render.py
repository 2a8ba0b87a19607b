"""Rendering one source image into every variant that needs it (the unit of parallel work).

A source is decoded once, at the smallest size that still serves its largest output. Each output
is then resampled from a shared pyramid (the decoded image, halved, thirded... by box averaging,
which costs a few milliseconds) so that the final Lanczos pass starts from less than twice the
output size: that pass is most of the time a build spends on images. Outputs of the same size and
crop share their pixels, and outputs of the same pixels and format share their encoding.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from pathlib import Path

from PIL import Image

from cmbuild.images.brand import Brand
from cmbuild.images.decode import ColorTransforms, SourceError, decode, open_source, upright_size
from cmbuild.images.encode import Encoded, Memo, encode_within
from cmbuild.images.geometry import Box, Fit, Limits, fit, plan
from cmbuild.images.notes import AssetError, Note
from cmbuild.images.overlay import LogoCache, apply_overlay
from cmbuild.images.targets import EXTENSIONS, Target
from cmbuild.images.titlecard import TitleFonts, title_card

# Box-reduce until the Lanczos pass has less than this ratio left to cover. 1.0 is the speed of
# JPEG draft decoding (1/2, 1/4...) with any integer factor; larger is closer to a pure Lanczos.
REDUCE_GAP = 1.0
TITLE_CARD_SIZE = (1200, 630)  # for platforms that recommend no size
SHRINK_STEPS = 5  # tries at 85% of the size when even the lowest quality is too large


@dataclass(frozen=True)
class Task:
    """One distinct image to produce (variants with the same key share it)."""

    key: str
    target: Target
    focus: tuple[float, float] = (0.5, 0.5)
    title: str | None = None  # set for a title card


@dataclass(frozen=True)
class Group:
    """Every task of one source image (decoded once), or one title card (source None)."""

    source: str | None
    tasks: tuple[Task, ...]
    cost: int = 0  # a rough size of the work, to start the largest first


@dataclass(frozen=True)
class Rendered:
    key: str
    data: bytes
    sha256: str
    extension: str
    width: int
    height: int
    notes: tuple[Note, ...] = ()


@dataclass(frozen=True)
class GroupResult:
    source: str | None
    rendered: tuple[Rendered, ...] = ()
    error: tuple[str, str | None] | None = None  # the source cannot be used: message, hint
    asset_error: tuple[str, str, str | None] | None = None  # a brand asset: key, message, hint


@dataclass
class _Picture:
    """Pixels at output size, without overlay, and what was already made from them."""

    image: Image.Image
    memo: dict[tuple[bool, bool], tuple[Image.Image, Memo]] = field(default_factory=dict)


class Studio:
    """Renders groups; one per process, holding the brand and everything decoded once."""

    def __init__(self, root: Path, brand: Brand, logo: bytes | None, font: bytes | None) -> None:
        self.root = root
        self.brand = brand
        self.logos = LogoCache(logo)
        self.fonts = TitleFonts(font)
        self.transforms = ColorTransforms()

    def render(self, group: Group) -> GroupResult:
        try:
            if group.source is None:
                return GroupResult(None, tuple(self._title_card(t) for t in group.tasks))
            return self._photo(group, group.source)
        except SourceError as exc:
            return GroupResult(group.source, error=(exc.message, exc.hint))
        except AssetError as exc:
            return GroupResult(group.source, asset_error=(exc.key, exc.message, exc.hint))

    def _photo(self, group: Group, source: str) -> GroupResult:
        cap = self.brand.max_source_pixels
        image = open_source(self.root / source, cap)
        try:
            width, height = upright_size(image)
            plans = {t.key: plan(width, height, t.focus, t.target.limits) for t in group.tasks}
            scale = max(
                max(p.fit.width / p.box.width, p.fit.height / p.box.height) for p in plans.values()
            )
            base, notes = decode(image, scale, cap, self.transforms)
        except BaseException:
            image.close()
            raise
        if base is not image:
            image.close()
        factor = base.width / width
        shared = [Note(n.rule, f"image {source} {n.message}", n.hint) for n in notes]
        pyramid = _Pyramid(base)
        pictures: dict[tuple[tuple[float, ...], tuple[int, int]], _Picture] = {}
        rendered = []
        for task in group.tasks:
            planned = plans[task.key]
            size = (planned.fit.width, planned.fit.height)
            box = planned.box.scaled(factor)
            picture = pictures.get((box.as_tuple(), size))
            if picture is None:
                picture = _Picture(pyramid.resample(box, size))
                pictures[(box.as_tuple(), size)] = picture
            own = [*shared, *_size_notes(source, planned.box, planned.fit, task.target)]
            rendered.append(self._finish(task, picture, own))
        return GroupResult(source, tuple(rendered))

    def _title_card(self, task: Task) -> Rendered:
        target = task.target
        limits = target.limits
        wanted = limits.shape or target.recommended or TITLE_CARD_SIZE
        size = fit(wanted[0], wanted[1], _caps_only(limits))
        reserve = 0
        logo = self.brand.logo
        if logo is not None and target.overlay:
            logo_width = size.width * logo.width
            reserve = round(logo_width / self.logos.ratio() + 2 * size.width * logo.margin)
        card, notes = title_card(
            (size.width, size.height), task.title or "", self.brand, self.fonts, reserve
        )
        return self._finish(task, _Picture(card), notes)

    def _finish(self, task: Task, picture: _Picture, notes: list[Note]) -> Rendered:
        """Overlay, flatten if the format needs it, and encode within the byte limit."""
        target = task.target
        notes = list(notes)
        transparent = picture.image.mode == "RGBA"
        fmt = target.alpha_format if transparent and target.alpha_format else target.opaque_format
        if transparent and fmt == "jpeg":
            notes.append(_flattened_note(target, self.brand))
        encoded, prepared = self._encode(picture, target, fmt)
        if encoded is None and fmt != target.opaque_format:
            fmt = target.opaque_format  # too large with transparency: flatten it instead
            notes.append(_flattened_note(target, self.brand))
            encoded, prepared = self._encode(picture, target, fmt)
        shrunk = 0
        while encoded is None:
            shrunk += 1
            if shrunk > SHRINK_STEPS:
                raise SourceError(f"cannot be made to fit {target.label}'s byte limit")
            image = picture.image
            smaller = (max(1, round(image.width * 0.85)), max(1, round(image.height * 0.85)))
            picture = _Picture(image.resize(smaller, Image.Resampling.LANCZOS))
            encoded, prepared = self._encode(picture, target, fmt)
        if shrunk:
            notes.append(_shrunk_note(target, prepared.size))
        return Rendered(
            key=task.key,
            data=encoded.data,
            sha256=hashlib.sha256(encoded.data).hexdigest(),
            extension=EXTENSIONS[encoded.format],
            width=prepared.width,
            height=prepared.height,
            notes=tuple(notes),
        )

    def _encode(
        self, picture: _Picture, target: Target, fmt: str
    ) -> tuple[Encoded | None, Image.Image]:
        prepared, memo = self._prepared(picture, target.overlay, flatten=fmt == "jpeg")
        brand = self.brand
        encoded = encode_within(
            prepared, fmt, target.max_bytes, brand.quality, brand.min_quality, memo
        )
        return encoded, prepared

    def _prepared(
        self, picture: _Picture, overlay: bool, flatten: bool
    ) -> tuple[Image.Image, Memo]:
        key = (overlay, flatten)
        found = picture.memo.get(key)
        if found is None:
            image = picture.image
            if flatten and image.mode == "RGBA":
                flat = Image.new("RGB", image.size, self.brand.background)
                flat.paste(image, (0, 0), image)
                image = flat
            if overlay:
                image = apply_overlay(image, self.brand, self.logos)
            found = picture.memo[key] = (image, Memo())
        return found


class _Pyramid:
    """The decoded image and its box-reduced copies, made on demand and shared by outputs."""

    def __init__(self, base: Image.Image) -> None:
        self.levels: dict[int, Image.Image] = {1: base}

    def resample(self, box: Box, size: tuple[int, int]) -> Image.Image:
        ratio = min(box.width / size[0], box.height / size[1])
        step = max(1, int(ratio / REDUCE_GAP))
        level = self.levels.get(step)
        if level is None:
            level = self.levels[step] = self.levels[1].reduce(step)
        scaled = box.scaled(1 / step)
        bounds = (
            max(0.0, scaled.left),
            max(0.0, scaled.top),
            min(float(level.width), scaled.right),
            min(float(level.height), scaled.bottom),
        )
        if size == level.size and bounds == (0.0, 0.0, float(level.width), float(level.height)):
            return level
        return level.resize(size, Image.Resampling.LANCZOS, box=bounds)


def _caps_only(limits: Limits) -> Limits:
    return Limits(
        aspect_min=limits.aspect_min,
        aspect_max=limits.aspect_max,
        max_width=limits.max_width,
        max_height=limits.max_height,
        max_pixels=limits.max_pixels,
        min_width=limits.min_width,
    )


def _size_notes(source: str, box: Box, fitted: Fit, target: Target) -> list[Note]:
    shown = f"{round(box.width)}×{round(box.height)}"
    if fitted.upscaled:
        return [
            Note(
                "images.upscaled",
                f"image {source} is {shown} as cropped for {target.label}, narrower than the"
                f" {target.limits.min_width} pixels it accepts: enlarged to"
                f" {fitted.width}×{fitted.height}",
                "use a larger image",
            )
        ]
    if fitted.small and target.recommended:
        wanted = f"{target.recommended[0]}×{target.recommended[1]}"
        return [
            Note(
                "images.small",
                f"image {source} is {shown} as cropped for {target.label}, smaller than the"
                f" {wanted} it recommends: used as is, not enlarged",
                f"use an image of at least {wanted}",
            )
        ]
    return []


def _flattened_note(target: Target, brand: Brand) -> Note:
    color = "#{:02X}{:02X}{:02X}".format(*brand.background)
    return Note(
        "images.flattened",
        f"transparent areas are filled with the brand background {color} for {target.label}"
        " (its images cannot keep transparency here)",
        None,
    )


def _shrunk_note(target: Target, size: tuple[int, int]) -> Note:
    return Note(
        "images.bytes",
        f"made {size[0]}×{size[1]} to fit {target.label}'s limit of {target.max_bytes:,} bytes",
        None,
    )


# The per-process studio of a worker, set once by `init_worker`; the parent passes its own.
_studio: Studio | None = None


def init_worker(root: Path, brand: Brand, logo: bytes | None, font: bytes | None) -> None:
    global _studio
    _studio = Studio(root, brand, logo, font)


def render_in_worker(group: Group) -> GroupResult:
    assert _studio is not None, "init_worker was not called in this process"
    return _studio.render(group)
