"""The platform interface: how a platform counts, what it accepts, how it formats mentions and tags,
how the preview shows it, how it is published and what `cmbuild init` starts its template from.

Each platform is a folder, `cmbuild/platforms/<name>/`, whose `__init__.py` subclasses `Platform`
and imports nothing heavier than this module: its publisher and its options model are named by
``"module:attribute"`` references (`PublisherSpec`), imported only when a push or a load of
channels.toml needs them. The registry (`cmbuild.platforms`) lists the platforms, built-ins and
plug-ins alike, through the ``cmbuild.platforms`` entry-point group.
"""

from __future__ import annotations

import re
import sys
from abc import ABC, abstractmethod
from collections.abc import Mapping, Sequence
from pathlib import Path
from types import MappingProxyType
from typing import ClassVar

from cmbuild.model import TextFormat
from cmbuild.platforms.checks import check_fields, check_hashtags, check_images, check_length
from cmbuild.platforms.spec import Count, FieldSpec, Fold, MediaSpec, Problem, PublisherSpec, Unit


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
    utm_medium: ClassVar[str] = "social"  # the UTM medium of its links unless the channel sets one

    # Preview traits: where the feed folds a long text behind "see more" (None: it shows posts
    # whole), and whether a bare domain (`example.org/page`, no `https://`) shows as a link there.
    # Fold points are approximate, measured on desktop and mobile feeds: the platforms publish
    # none and change them often.
    fold: ClassVar[Fold | None] = None
    links_without_protocol: ClassVar[bool] = False

    # Publishing: the platform's own publisher (None: publish by hand, or through the webhook),
    # and other publishers a channel may choose by name with `options.publisher`.
    publisher: ClassVar[PublisherSpec | None] = None
    alternatives: ClassVar[Mapping[str, PublisherSpec]] = MappingProxyType({})
    # Reading figures back (`cmbuild collect`): a "module:attribute" reference to the platform's
    # MetricsReader (cmbuild.platforms.shared.metrics), which works through its publisher.
    metrics: ClassVar[str | None] = None
    # The audience's activity (`cmbuild collect`, read by `cmbuild slots`): a "module:attribute"
    # reference to the platform's ActivityReader (cmbuild.platforms.shared.activity).
    activity: ClassVar[str | None] = None
    # Whether an answer to someone can go in a direct message (an approved reply with
    # `private = true`); where not, the intent's approved public reply is sent instead.
    direct_messages: ClassVar[bool] = False
    # The community inbox (`cmbuild inbox`, `cmbuild reply`): "module:attribute" references to
    # the platform's InboxReader and ReplySender (cmbuild.platforms.shared.inbox), which work
    # through its publisher.
    inbox: ClassVar[str | None] = None
    reply: ClassVar[str | None] = None

    # The `cmbuild init` starter template: a file beside the module that defines the platform,
    # copied to brand/templates/<name>.j2 (.html.j2 for HTML platforms). None: no starter.
    starter: ClassVar[str | None] = None

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
        return [
            *check_length(self.count(text)),
            *check_hashtags(self.label, self.hashtag_limit, text),
            *check_images(self.label, self.media, alt_texts),
            *check_fields(self.label, self.fields, fields),
        ]

    def hashtag(self, tag: str) -> str:
        """`tag` as a hashtag this platform links: words joined in CamelCase, accents kept."""
        words = [w for w in re.split(r"[^\w]+", tag) if w]
        if len(words) == 1:
            return "#" + words[0]
        return "#" + "".join(w[:1].upper() + w[1:] for w in words)

    def mention(self, name: str, handle: str | None) -> str:
        """How to name someone: their handle on this platform, or their plain name."""
        return handle if handle else name

    def shown_mentions(self, text: str) -> list[tuple[int, int, str]]:
        """Mentions written in this platform's own syntax, as (start, end, name shown): preview.

        Plain ``@handle`` mentions are found for every platform; this is for the others (LinkedIn's
        ``@[Name](urn:li:...)``).
        """
        return []

    def api_text(self, text: str) -> str | None:
        """`text` as this platform's API takes it, where that differs from what people read."""
        return None

    def starter_template(self) -> bytes | None:
        """The `cmbuild init` starter template (the `starter` file), or None if there is none."""
        if self.starter is None:
            return None
        from importlib.resources import files

        # Read as package data, so that it works from a wheel or a zip too.
        module = sys.modules[type(self).__module__]
        if module.__package__:
            return files(module.__package__).joinpath(self.starter).read_bytes()
        return Path(module.__file__ or "").with_name(self.starter).read_bytes()

    def template_name(self) -> str:
        """The template a channel of this platform uses unless it names one."""
        return f"{self.name}.html.j2" if self.text_format == "html" else f"{self.name}.j2"
