"""The `options` of a channel in channels.toml, as a typed model per way of publishing.

Every channel's options are validated when channels.toml is loaded (by `cmbuild build` and
`cmbuild push` alike), against the model of the publisher the channel uses: its platform's own
(`Platform.publisher`), the one it chooses with `options.publisher`, or this base model for a
platform published by hand. An unknown key or a value of the wrong kind is reported there with
its file, line and key, instead of when a push first tries to publish.

An option a publisher needs is not required here: a channel may be built and previewed before
its account is connected; the push reports a missing one, naming it.
"""

from __future__ import annotations

import re

from pydantic import BaseModel, ConfigDict, field_validator

Scalar = str | int | float | bool
Identifier = str | int  # ids TOML may hold as numbers (a page id, a user id)

# The ages after publication at which `cmbuild collect` reads a post's figures, in hours.
DEFAULT_COLLECT_AGES = (1.0, 24.0, 168.0, 672.0)
_AGE = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*([hd])\s*$")


def parse_collect_ages(text: str) -> tuple[float, ...]:
    """`"1h, 24h, 7d, 28d"` as hours, ascending; ValueError saying what to write instead."""
    ages: list[float] = []
    for part in text.split(","):
        match = _AGE.match(part)
        if match is None:
            raise ValueError(
                f"{part.strip()!r} is not an age: write hours or days after publication, "
                'separated by commas, like "1h, 24h, 7d, 28d"'
            )
        hours = float(match[1]) * (24 if match[2] == "d" else 1)
        if hours <= 0:
            raise ValueError(f"{part.strip()!r}: an age must be more than 0 hours")
        ages.append(hours)
    if len(set(ages)) != len(ages):
        raise ValueError(f"{text!r} names the same age twice")
    return tuple(sorted(ages))


def check_collect_ages(value: str | None) -> str | None:
    if value is not None:
        parse_collect_ages(value)
    return value


class ChannelOptions(BaseModel):
    """The options every channel may set, whatever its platform."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    publisher: str | None = None  # a publisher other than the platform's own (`webhook`...)
    # The image stage reads these and reports their errors itself (cmbuild.images.targets).
    image_format: Scalar | None = None
    image_type: Scalar | None = None
    overlay: Scalar | None = None
    # When `cmbuild collect` reads each post's figures ("1h, 24h, 7d, 28d"); default: [defaults].
    collect_ages: str | None = None

    _ages = field_validator("collect_ages")(check_collect_ages)
