"""Rendering one source image into every variant that needs it (the unit of parallel work).

A source is decoded once, at the smallest size that still serves its largest output (JPEG draft
mode), then each output is resampled from the cheapest good starting point (see pyramid.py).
Outputs of the same crop and size share their pixels, and outputs of the same pixels and format
share their encoding.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field, replace
from pathlib import Path

from PIL import Image

from cmbuild.images.brand import Brand
from cmbuild.images.decode import ColorTransforms, SourceError, decode, open_source, upright_size
from cmbuild.images.encode import Encoded, Memo, encode_within
from cmbuild.images.geometry import Box, Fit, Limits, Plan, fit, plan
from cmbuild.images.notes import AssetError, Note
from cmbuild.images.overlay import LogoCache, apply_overlay
from cmbuild.images.pyramid import Pyramid
from cmbuild.images.targets import EXTENSIONS, Target
from cmbuild.images.titlecard import TitleFonts, title_card
from cmbuild.images.work import Group, GroupResult, Rendered, Task, Written

TITLE_CARD_SIZE = (1200, 630)  # for platforms that recommend no size
SHRINK_STEPS = 5  # tries at 85% of the size when even the lowest quality is too large


@dataclass
class _Picture:
    """Pixels at output size, without overlay, and what was already made from them."""

    image: Image.Image
    overlays: set[bool] = field(default_factory=set)  # with and/or without overlay
    finished: bool = False  # the overlay (if any) is already on these pixels
    memo: dict[tuple[bool, bool], tuple[Image.Image, Memo]] = field(default_factory=dict)


class Studio:
    """Renders groups; one per process, holding the brand and everything decoded once."""

    def __init__(
        self, root: Path, out: Path, brand: Brand, logo: bytes | None, font: bytes | None
    ) -> None:
        self.root = root
        self.out = out
        self.brand = brand
        self.logos = LogoCache(logo)
        self.fonts = TitleFonts(font)
        self.transforms = ColorTransforms()

    def render(self, group: Group) -> GroupResult:
        """Render every task of `group`, then write its files; or say why the source is bad.

        Nothing is written for a group until all its outputs are encoded, so a bad source leaves
        no output half-updated.
        """
        keys = tuple(task.key for task in group.tasks)
        try:
            if group.source is None:
                made = [self._title_card(task) for task in group.tasks]
            else:
                made = self._photo(group, group.source)
        except SourceError as exc:
            return GroupResult(group.source, keys, error=(exc.message, exc.hint))
        except AssetError as exc:
            return GroupResult(group.source, keys, asset_error=(exc.key, exc.message, exc.hint))
        outputs = {task.key: task.outputs for task in group.tasks}
        written = tuple(self._write(r, data, outputs[r.key]) for r, data in made)
        return GroupResult(group.source, keys, written)

    def _write(self, rendered: Rendered, data: bytes, outputs: tuple[str, ...]) -> Rendered:
        from cmbuild.files import same_content, write_in_place

        files = []
        for output in outputs:
            path = f"{output}.{rendered.extension}"
            target = self.out / path
            changed = not same_content(target, data)
            if changed:
                write_in_place(target, data)
            stat = target.stat()
            files.append(Written(path, changed, (stat.st_size, stat.st_mtime_ns)))
        return replace(rendered, files=tuple(files))

    def _photo(self, group: Group, source: str) -> list[tuple[Rendered, bytes]]:
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
        pyramid = Pyramid(base)
        crops = {t.key: _crop_key(plans[t.key], factor) for t in group.tasks}
        pictures: dict[tuple[tuple[float, ...], tuple[int, int]], _Picture] = {}
        # Resample everything first, largest first: a large output of the whole frame is a cheap
        # start for smaller ones. Only then draw overlays, on pixels nothing resamples any more.
        for task in sorted(group.tasks, key=lambda t: -crops[t.key][1][0] * crops[t.key][1][1]):
            box, size = crops[task.key]
            picture = pictures.get((box, size))
            if picture is None:
                pixels = pyramid.resample(Box(*box), size)
                picture = pictures[(box, size)] = _Picture(pixels)
            picture.overlays.add(task.target.overlay)
        del pyramid
        rendered = []
        for task in group.tasks:
            planned = plans[task.key]
            own = [*shared, *_size_notes(source, planned.box, planned.fit, task.target)]
            rendered.append(self._finish(task, pictures[crops[task.key]], own))
        return rendered

    def _title_card(self, task: Task) -> tuple[Rendered, bytes]:
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
        return self._finish(task, _Picture(card, {target.overlay}), notes)

    def _finish(self, task: Task, picture: _Picture, notes: list[Note]) -> tuple[Rendered, bytes]:
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
            smaller = fit(prepared.width * 0.85, prepared.height * 0.85, _caps_only(target.limits))
            pixels = prepared.resize((smaller.width, smaller.height), Image.Resampling.LANCZOS)
            picture = _Picture(pixels, {target.overlay}, finished=True)
            encoded, prepared = self._encode(picture, target, fmt)
        if shrunk:
            notes.append(_shrunk_note(target, prepared.size))
        rendered = Rendered(
            key=task.key,
            sha256=hashlib.sha256(encoded.data).hexdigest(),
            bytes=len(encoded.data),
            extension=EXTENSIONS[encoded.format],
            width=prepared.width,
            height=prepared.height,
            notes=tuple(notes),
        )
        return rendered, encoded.data

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
        key = (overlay, flatten and picture.image.mode == "RGBA")
        found = picture.memo.get(key)
        if found is None:
            image = picture.image
            if flatten and image.mode == "RGBA":
                flat = Image.new("RGB", image.size, self.brand.background)
                flat.paste(image, (0, 0), image)
                image = flat
            if overlay and not picture.finished:
                # When every output of these pixels wants the overlay, draw it on them and save
                # a copy; transparent pixels may still be needed plain (flattened instead).
                in_place = picture.overlays == {True} and image.mode == "RGB"
                image = apply_overlay(image, self.brand, self.logos, in_place=in_place)
            found = picture.memo[key] = (image, Memo())
        return found


def _crop_key(planned: Plan, factor: float) -> tuple[tuple[float, ...], tuple[int, int]]:
    """Where to cut in the decoded pixels, and the output size: equal keys, equal pixels."""
    return planned.box.scaled(factor).as_tuple(), (planned.fit.width, planned.fit.height)


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


def init_worker(
    root: Path, out: Path, brand: Brand, logo: bytes | None, font: bytes | None
) -> None:
    global _studio
    _studio = Studio(root, out, brand, logo, font)


def render_in_worker(group: Group) -> GroupResult:
    assert _studio is not None, "init_worker was not called in this process"
    return _studio.render(group)
