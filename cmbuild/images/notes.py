"""What rendering an image found worth telling: a rule, a message, a hint.

The stage turns notes into findings once it knows the post, line, channel and severity.
"""

from __future__ import annotations

from dataclasses import dataclass

from cmbuild.model import Severity

# Default severities; the charter's [severity] table may change them.
SEVERITIES: dict[str, Severity] = {
    "images.small": "warning",
    "images.upscaled": "warning",
    "images.animated": "info",
    "images.color-profile": "warning",
    "images.flattened": "info",
    "images.bytes": "info",
    "images.too-many": "warning",
    "images.title-card": "info",
    "images.contrast": "warning",
    "images.glyphs": "info",
    "images.font": "warning",
}


@dataclass(frozen=True)
class Note:
    rule: str
    message: str
    hint: str | None = None

    def to_list(self) -> list[str | None]:
        return [self.rule, self.message, self.hint]

    @classmethod
    def from_list(cls, data: list[str | None]) -> Note:
        rule, message, hint = data
        return cls(str(rule), str(message), hint)


class AssetError(Exception):
    """A brand asset (logo, font) named in the charter that cannot be used."""

    def __init__(self, key: str, message: str, hint: str | None = None) -> None:
        super().__init__(message)
        self.key = key
        self.message = message
        self.hint = hint
