"""What the preview's calendar and lists read of a variant: a `Variant`, or its light row.

Only post pages need whole variants (their cards show the text); the calendar, the list of posts
and the findings page are drawn from these few attributes, which a build has for every variant
without reading its rendered text back.
"""

from __future__ import annotations

from datetime import datetime
from typing import Protocol

from cmbuild.model import Media, Placed


class Shown(Placed, Protocol):
    """What the calendar and the lists read of a variant: a `Variant`, or its row.

    Besides what every build-wide stage reads (`Placed`: id, source, channel, time, status,
    findings), the title, zone, campaign, tags and images the calendar and lists show.
    """

    @property
    def slug(self) -> str: ...
    @property
    def title(self) -> str: ...
    @property
    def scheduled(self) -> datetime: ...
    @property
    def timezone(self) -> str: ...
    @property
    def campaign(self) -> str | None: ...
    @property
    def tags(self) -> tuple[str, ...]: ...
    @property
    def media(self) -> tuple[Media, ...]: ...
    @property
    def kind(self) -> str: ...
    @property
    def plan(self) -> str | None: ...
