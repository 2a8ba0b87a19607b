"""What one channel needs from an image: the platform's media spec plus the channel's choices.

Channels choose with their `options` in channels.toml:

- ``image_format``: one of the platform's named shapes (Instagram "portrait", "square" or
  "landscape"...); the image is cropped to that exact ratio. Without it, the platform's default
  shape if it has one (Pinterest: portrait 2:3), else the source's ratio; "original" keeps the
  source's ratio (within the platform's range) on every platform.
- ``image_type``: "jpeg", "webp" or "png", if the platform accepts it (default: JPEG, or PNG for
  images with transparency where the platform takes PNG).
- ``overlay``: "false" to publish the images of this channel without the brand overlay.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from cmbuild.errors import InputError
from cmbuild.images.geometry import Limits
from cmbuild.layout import CHANNELS_FILE
from cmbuild.platforms.base import Platform
from cmbuild.platforms.spec import MediaSpec

# The formats the image stage writes, in order of preference for opaque images.
WRITABLE = ("jpeg", "webp", "png")
EXTENSIONS = {"jpeg": "jpg", "webp": "webp", "png": "png"}
ORIGINAL = "original"  # image_format: keep the source's ratio
_FALSE = {"false", "no", "off", "0"}
_TRUE = {"true", "yes", "on", "1"}


@dataclass(frozen=True)
class Target:
    """The images one channel publishes: where they come from is the job's business."""

    platform: str
    label: str  # the platform's name as people write it, for messages
    limits: Limits
    opaque_format: str  # what photos are written as
    alpha_format: str | None  # what images with transparency are written as (None: flatten)
    max_bytes: int | None
    recommended: tuple[int, int] | None
    overlay: bool

    def fingerprint(self) -> dict[str, object]:
        return {
            "platform": self.platform,
            "limits": vars(self.limits),
            "formats": [self.opaque_format, self.alpha_format],
            "max_bytes": self.max_bytes,
            "overlay": self.overlay,
        }


def resolve_target(
    platform: Platform, channel: str, options: Mapping[str, str]
) -> Target | list[InputError]:
    """The target of `channel` on `platform`, or the errors in its image options."""
    spec = platform.media
    errors: list[InputError] = []
    shape = _shape(spec, platform.label, channel, options.get("image_format"), errors)
    formats = _formats(platform, channel, options.get("image_type"), errors)
    overlay = _flag(channel, "overlay", options.get("overlay"), errors)
    if errors or formats is None:
        return errors
    opaque, alpha = formats
    return Target(
        platform=platform.name,
        label=platform.label,
        limits=Limits(
            aspect_min=spec.aspect_min,
            aspect_max=spec.aspect_max,
            shape=shape,
            long_edge=max(spec.recommended) if spec.recommended else None,
            max_width=spec.max_width,
            max_height=spec.max_height,
            max_pixels=spec.max_pixels,
            min_width=spec.min_width,
        ),
        opaque_format=opaque,
        alpha_format=alpha,
        max_bytes=spec.max_bytes,
        recommended=shape or spec.recommended,
        overlay=overlay,
    )


def _formats(
    platform: Platform, channel: str, chosen: str | None, errors: list[InputError]
) -> tuple[str, str | None] | None:
    """The format for opaque pictures, and for transparent ones (None: flatten them)."""
    accepted = [f for f in WRITABLE if f in platform.media.formats]
    if not accepted:
        message = f"{platform.label} takes none of the formats cmbuild writes (JPEG, WebP, PNG)"
        errors.append(_option_error(channel, "platform", message, None))
        return None
    if chosen is None:
        opaque = accepted[0]
        if opaque != "jpeg":
            return opaque, opaque  # WebP and PNG keep transparency themselves
        return opaque, "png" if "png" in accepted else None
    if chosen.lower() not in accepted:
        errors.append(
            _option_error(
                channel,
                "image_type",
                f"{platform.label} does not take {chosen!r} images",
                f"choose one of: {', '.join(accepted)}",
            )
        )
        return None
    opaque = chosen.lower()
    return opaque, None if opaque == "jpeg" else opaque  # asked for JPEG: flatten transparency


def _shape(
    spec: MediaSpec, label: str, channel: str, name: str | None, errors: list[InputError]
) -> tuple[int, int] | None:
    if name is None:
        name = spec.default_shape
    if name is None or name == ORIGINAL:
        return None
    size = spec.shape(name)
    if size is None:
        names = ", ".join([*(shape for shape, _ in spec.shapes), ORIGINAL])
        errors.append(
            _option_error(
                channel,
                "image_format",
                f"{name!r} is not an image format of {label}",
                f"choose one of: {names}",
            )
        )
    return size


def _flag(channel: str, key: str, value: str | None, errors: list[InputError]) -> bool:
    if value is None or value.lower() in _TRUE:
        return True
    if value.lower() in _FALSE:
        return False
    errors.append(_option_error(channel, key, f"expected true or false, got {value!r}", None))
    return True


def _option_error(channel: str, option: str, message: str, hint: str | None) -> InputError:
    key = f"channels.{channel}.options.{option}"
    if option == "platform":
        key = f"channels.{channel}.platform"
    return InputError(CHANNELS_FILE, message, key=key, hint=hint)
