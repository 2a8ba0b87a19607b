"""The checks every platform shares: text length, hashtags, images, alt texts, extra fields.

`Platform.check` runs them; a platform adds its own rules by extending `check` (Bluesky's byte
limit, Threads' five links, YouTube's forbidden characters). They read the platform's rules as
values (`cmbuild.platforms.spec`), so this module does not import the `Platform` class that
calls it.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence

from cmbuild.platforms.spec import Count, FieldSpec, MediaSpec, Problem, Unit
from cmbuild.text import counting, entities

SHORTEN_HINT = "shorten the text or set a shorter `text:` override for this channel"

_MEASURES: dict[Unit, Callable[[str], int]] = {
    "characters": len,
    "weighted characters": counting.x_weighted_length,
    "graphemes": counting.graphemes,
    "utf-16 units": counting.utf16_units,
    "utf-8 bytes": counting.utf8_bytes,
}


def measure(text: str, unit: Unit) -> int:
    """The length of `text` in `unit` ("characters" are code points)."""
    return _MEASURES[unit](text)


def over_limit(length: int, limit: int, unit: str) -> str:
    """A message such as ``312/280 weighted characters: 32 over``."""
    return f"{length}/{limit} {unit}: {length - limit} over"


def forbidden_characters(label: str, text: str, forbidden: str, where: str) -> list[Problem]:
    """A problem if `text` holds any of the characters in `forbidden` (`where`: "the text"...)."""
    found = sorted({char for char in text if char in forbidden})
    if not found:
        return []
    shown = " ".join(f"`{char}`" for char in found)
    return [
        Problem(
            "platform.forbidden-chars",
            "error",
            f"{where} contains {shown}, which {label} rejects",
            hint="remove these characters or replace them (for example « » or ‹ ›)",
        )
    ]


def check_length(count: Count) -> list[Problem]:
    """A problem if the text's `count` is over its limit."""
    if count.fits or count.limit is None:
        return []
    return [
        Problem(
            "platform.length",
            "error",
            over_limit(count.length, count.limit, count.unit),
            hint=SHORTEN_HINT,
        )
    ]


def check_hashtags(label: str, limit: int | None, text: str) -> list[Problem]:
    """A problem if `text` has more hashtags than the platform's `limit` (None: no cap)."""
    if limit is None:
        return []
    found = entities.hashtags(text)
    if len(found) <= limit:
        return []
    return [
        Problem(
            "platform.hashtags",
            "error",
            f"{len(found)} hashtags ({' '.join(found)}): {label} allows {limit}",
            hint=f"keep at most {limit} hashtag{'s' if limit != 1 else ''} for this channel",
        )
    ]


def check_images(label: str, media: MediaSpec, alt_texts: Sequence[str | None]) -> list[Problem]:
    """Problems with the number of images and their alt texts (one entry, or None, per image)."""
    problems = []
    if len(alt_texts) > media.max_images:
        problems.append(
            Problem(
                "platform.images",
                "error",
                f"{len(alt_texts)} images: {label} takes at most {media.max_images}",
                hint="remove images or set an `images:` override for this channel",
            )
        )
    if media.requires_image and not alt_texts:
        problems.append(
            Problem(
                "platform.image-required",
                "error",
                f"{label} needs an image and this post has none",
                hint="add an image to the post or an `images:` override for this channel",
            )
        )
    limit = media.alt_text_limit
    if limit is not None:
        for number, alt in enumerate(alt_texts, start=1):
            if alt is not None and len(alt) > limit:
                problems.append(
                    Problem(
                        "platform.alt-text",
                        "error",
                        f"image {number}: alt text is " + over_limit(len(alt), limit, "characters"),
                        hint=f"shorten the alt text to {limit} characters",
                    )
                )
    return problems


def check_fields(
    label: str, specs: Sequence[FieldSpec], fields: Mapping[str, str]
) -> list[Problem]:
    """Problems with the extra fields (`specs`: the platform's; `fields`: the variant's values)."""
    problems = []
    for spec in specs:
        value = fields.get(spec.name)
        if not value or not value.strip():
            if spec.required:
                problems.append(
                    Problem(
                        "platform.field",
                        "error",
                        f"`{spec.name}` is empty: {label} requires it",
                        hint=f"set `{spec.name}` in the post or in this channel's override",
                    )
                )
            continue
        length = measure(value, spec.unit)
        if length > spec.limit:
            problems.append(
                Problem(
                    "platform.field",
                    "error",
                    f"`{spec.name}`: " + over_limit(length, spec.limit, spec.unit),
                    hint=f"shorten `{spec.name}` (set it in this channel's override)",
                )
            )
        if spec.forbidden:
            problems.extend(forbidden_characters(label, value, spec.forbidden, f"`{spec.name}`"))
    return problems
