"""The platform interface: how a platform counts, what it accepts, how it formats mentions and tags.

One module per platform subclasses `Platform`; the registry (`cmbuild.platforms`) lists them.
Adding a platform is adding one module and registering it (built-ins and third-party plug-ins
alike, through the ``cmbuild.platforms`` entry-point group).
"""

from __future__ import annotations

import re
from abc import ABC, abstractmethod
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import ClassVar, Literal

from cmbuild.model import Severity, TextFormat

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


class Platform(ABC):
    """A social network or medium with fixed rules."""

    name: ClassVar[str]
    label: ClassVar[str]
    text_format: ClassVar[TextFormat] = "plain"
    text_limit: ClassVar[int | None] = None
    unit: ClassVar[Unit] = "characters"
    links_clickable: ClassVar[bool] = True
    hashtag_limit: ClassVar[int | None] = None  # None: no platform cap
    fields: ClassVar[tuple[FieldSpec, ...]] = ()
    media: ClassVar[MediaSpec] = MediaSpec()
    extension: ClassVar[str] = ".txt"
    # Whether the brand's links get the channel's UTM parameters here: not on the brand's own
    # site (UTM on internal links would restart the visitor's analytics session).
    tags_links: ClassVar[bool] = True

    @abstractmethod
    def length(self, text: str) -> int:
        """The length of `text` exactly as this platform counts it, in `unit`."""

    def count(self, text: str) -> Count:
        return Count(self.length(text), self.text_limit, self.unit)

    def truncate(self, text: str, limit: int, ellipsis: str = "…") -> str:
        """Shorten `text` so that it fits `limit` (in this platform's unit) on a grapheme boundary.

        The ellipsis is appended only when something was cut; the result always fits.
        """
        from cmbuild.text.truncate import truncate_to_fit

        return truncate_to_fit(text, limit, self.length, ellipsis)

    def check(
        self, text: str, fields: Mapping[str, str], alt_texts: Sequence[str | None]
    ) -> list[Problem]:
        """Problems with the final text, extra fields and images (one alt text, or None, per image).

        Subclasses extend it with their own rules (Bluesky's byte limit, Threads' five links...).
        """
        from cmbuild.platforms.checks import standard_checks

        return standard_checks(self, text, fields, alt_texts)

    def hashtag(self, tag: str) -> str:
        """`tag` as a hashtag this platform links: words joined in CamelCase, accents kept."""
        words = [w for w in re.split(r"[^\w]+", tag) if w]
        if len(words) == 1:
            return "#" + words[0]
        return "#" + "".join(w[:1].upper() + w[1:] for w in words)

    def mention(self, name: str, handle: str | None) -> str:
        """How to name someone: their handle on this platform, or their plain name."""
        return handle if handle else name
