"""The options of a newsletter channel (`cmbuild.platforms.newsletter.publisher`)."""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from cmbuild.platforms.options import ChannelOptions


class NewsletterOptions(ChannelOptions):
    """The SMTP server, the sender and list addresses, and the mailbox replies reach (IMAP)."""

    smtp_host: str | None = None
    smtp_port: int | str | None = None
    smtp_security: Literal["starttls", "ssl", "none"] | None = None
    sender: str | None = Field(default=None, alias="from")
    to: str | None = None
    # Replies, read over IMAP where `imap_host` is set (the login: credentials imap_user and
    # imap_password); see cmbuild.platforms.newsletter.imap.
    imap_host: str | None = None
    imap_port: int | str | None = None
    imap_security: Literal["ssl", "starttls", "none"] | None = None
    imap_folder: str | None = None
