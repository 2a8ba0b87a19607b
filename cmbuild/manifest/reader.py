"""Reading output/manifest.json for a push: only the fields publishing needs, validated.

The manifest is written by `cmbuild build` (schema: docs/manifest.schema.json). A push may run long
after the build, from another checkout, so it validates what it reads and names the file and line
of anything wrong instead of failing half-way through a push.
"""

from __future__ import annotations

import hashlib
import json
from datetime import datetime
from pathlib import Path
from typing import Any, Literal

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field, ValidationError

from cmbuild.errors import InputError, InputErrors
from cmbuild.load.validation import errors_from_validation

_HASH = r"^sha256:[0-9a-f]{64}$"


class _Entry(BaseModel):
    # Newer manifests may add fields: a push ignores what it does not use.
    model_config = ConfigDict(extra="ignore", frozen=True)


class MediaEntry(_Entry):
    """An image a variant carries, as the manifest lists it."""

    path: str
    sha256: str = Field(pattern=r"^[0-9a-f]{64}$")
    bytes: int = Field(ge=0)
    width: int | None = None
    height: int | None = None
    alt: str | None = None


class VariantEntry(_Entry):
    """One variant of the manifest: a post rendered for one channel, and when to publish it."""

    id: str = Field(pattern=r"^[0-9a-f]{20}(-r[0-9]+)?$")  # -r2...: a `repeat:`
    key: str
    channel: str
    platform: str
    source: str
    slug: str
    title: str
    status: Literal["review", "approved"]
    publishable: bool
    scheduled: AwareDatetime
    scheduled_local: str
    timezone: str
    text: str
    text_format: Literal["plain", "html"]
    output: str
    fields: dict[str, str] = Field(default_factory=dict)
    link: str | None = None
    media: tuple[MediaEntry, ...] = ()
    campaign: str | None = None
    tags: tuple[str, ...] = ()
    sponsored: bool = False
    lang: str | None = None
    content_hash: str = Field(pattern=_HASH)
    plan: str | None = None  # why the queue placed it there (background posts only)
    kind: Literal["news", "event", "evergreen"] = "news"  # written when it is not news

    @property
    def idempotency_key(self) -> str:
        """The variant id and its content digest: the same post, the same content, the same key."""
        return f"{self.id}-{self.content_hash.removeprefix('sha256:')}"

    @property
    def text_sha256(self) -> str:
        """Digest of the text as a platform gives it back, to recognise a post after a crash."""
        return text_digest(self.text)

    def payload(self) -> dict[str, Any]:
        """The variant as JSON-ready data (what a webhook receives)."""
        return self.model_dump(mode="json")


class _ManifestFile(BaseModel):
    model_config = ConfigDict(extra="ignore", frozen=True)

    schema_version: Literal[1]
    variants: tuple[VariantEntry, ...]


def text_digest(text: str) -> str:
    """sha256 of a text with line endings and surrounding white space normalised.

    Platforms store what they were sent, but some turn CRLF into LF or trim the ends.
    """
    normal = text.replace("\r\n", "\n").strip()
    return hashlib.sha256(normal.encode("utf-8")).hexdigest()


def read_manifest(path: Path, display: str) -> tuple[VariantEntry, ...]:
    """The manifest's variants in schedule order; InputErrors naming file and line if it is bad."""
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise InputErrors(
            [InputError(display, "manifest not found", hint="run `cmbuild build` first")]
        ) from None
    except (OSError, UnicodeDecodeError) as error:
        raise InputErrors([InputError(display, f"cannot read the manifest ({error})")]) from None
    try:
        data = json.loads(text)
    except json.JSONDecodeError as error:
        raise InputErrors(
            [
                InputError(
                    display,
                    f"invalid JSON: {error.msg}",
                    line=error.lineno,
                    hint="rebuild it with `cmbuild build`",
                )
            ]
        ) from None
    try:
        manifest = _ManifestFile.model_validate(data)
    except ValidationError as error:
        starts = _variant_lines(text)

        def line_of(key: str) -> int | None:
            parts = key.split(".")
            if len(parts) >= 2 and parts[0] == "variants" and parts[1].isdigit():
                index = int(parts[1])
                return starts[index] if index < len(starts) else None
            return None

        raise InputErrors(errors_from_validation(error, display, line_of)) from None
    _check_unique(manifest.variants, display, text)
    return tuple(sorted(manifest.variants, key=_schedule_order))


def _schedule_order(entry: VariantEntry) -> tuple[datetime, str, str]:
    return (entry.scheduled, entry.channel, entry.id)


def _check_unique(entries: tuple[VariantEntry, ...], display: str, text: str) -> None:
    seen: set[str] = set()
    twice = []
    for index, entry in enumerate(entries):
        if entry.id in seen:
            twice.append((index, entry.id))
        seen.add(entry.id)
    if not twice:
        return
    starts = _variant_lines(text)  # only when there is something to point at: it walks the file
    errors = []
    for index, variant in twice:
        line = starts[index] if index < len(starts) else None
        errors.append(InputError(display, f"variant id {variant} appears twice", line=line))
    if errors:
        raise InputErrors(errors)


def _variant_lines(text: str) -> list[int]:
    """The line on which each element of the top-level "variants" array starts."""
    start = text.find('"variants"')
    if start < 0:
        return []
    index = text.find("[", start) + 1
    decoder = json.JSONDecoder()
    lines: list[int] = []
    line, counted = 1, 0  # lines counted up to `counted`: each stretch of the text counted once
    while 0 < index < len(text):
        while index < len(text) and text[index] in " \t\r\n,":
            index += 1
        if index >= len(text) or text[index] == "]":
            break
        line += text.count("\n", counted, index)
        counted = index
        lines.append(line)
        try:
            _, index = decoder.raw_decode(text, index)
        except ValueError:
            break
    return lines
