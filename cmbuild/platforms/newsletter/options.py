"""The options of a newsletter channel (`cmbuild.platforms.newsletter.publisher`)."""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from cmbuild.platforms.options import ChannelOptions


class NewsletterOptions(ChannelOptions):
    """The SMTP server, and the sender and list addresses."""

    smtp_host: str | None = None
    smtp_port: int | str | None = None
    smtp_security: Literal["starttls", "ssl", "none"] | None = None
    sender: str | None = Field(default=None, alias="from")
    to: str | None = None
