"""What a platform's rules are made of: counts, problems, extra fields, media, preview folds.

Plain values: `base.Platform` holds them as its rules and `checks` reads them, so the checks
need no `Platform` and the imports go one way (base -> checks -> spec).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from cmbuild.model import Severity

Unit = Literal["characters", "weighted characters", "graphemes", "utf-16 units", "utf-8 bytes"]


@dataclass(frozen=True)
class Count:
    """A text's length as a platform counts it, against that platform's limit."""

    length: int
    limit: int | None
    unit: Unit

    @property
    def fits(self) -> bool:
        return self.limit is None or self.length <= self.limit


@dataclass(frozen=True)
class Problem:
    """What a platform finds wrong with a variant; the check stage adds file, line and channel."""

    rule: str
    severity: Severity
    message: str
    hint: str | None = None


@dataclass(frozen=True)
class FieldSpec:
    """A text field beyond the main text (Pinterest title, YouTube description...)."""

    name: str
    limit: int
    unit: Unit
    required: bool = False
    forbidden: str = ""  # characters the platform rejects in this field
    note: str = ""  # where the limit comes from, and how sure we are


@dataclass(frozen=True)
class MediaSpec:
    """The images a platform accepts. Aspect ratios are width / height."""

    formats: tuple[str, ...] = ("jpeg", "png")
    max_images: int = 4
    max_bytes: int | None = None
    max_pixels: int | None = None
    min_width: int | None = None
    max_width: int | None = None
    max_height: int | None = None
    aspect_min: float | None = None
    aspect_max: float | None = None
    # The size the platform shows best; the image stage scales images down so that their long
    # edge is no longer than this size's long edge (it never enlarges them to reach it).
    recommended: tuple[int, int] | None = None
    # Named output sizes a channel may choose with `options.image_format` ("portrait", "square",
    # "landscape"...): the image is cropped to that exact ratio around its focal point.
    shapes: tuple[tuple[str, tuple[int, int]], ...] = ()
    # The shape used when a channel chooses none (None: the source's own ratio, within range);
    # a channel keeps the source's ratio with `image_format = "original"`.
    default_shape: str | None = None
    alt_text_limit: int | None = None  # None: the platform takes no alt text
    requires_image: bool = False

    def shape(self, name: str) -> tuple[int, int] | None:
        """The output size of the shape called `name`, or None if the platform has none."""
        for shape, size in self.shapes:
            if shape == name:
                return size
        return None


@dataclass(frozen=True)
class Fold:
    """Where a platform cuts a long text behind "see more": after `chars`, or after `lines`."""

    chars: int
    lines: int | None = None


@dataclass(frozen=True)
class PublisherSpec:
    """One way of publishing a platform: a publisher class and the model of its channel options.

    Both are ``"module:attribute"`` references, imported only when needed: the publisher only by
    `cmbuild push`, the options model when channels.toml is loaded.
    """

    publisher: str
    options: str
    # The inbox reader and reply sender of a channel published this way, when the platform's own
    # (Platform.inbox, .reply) need its own publisher's session: "module:attribute" references.
    inbox: str | None = None
    reply: str | None = None
