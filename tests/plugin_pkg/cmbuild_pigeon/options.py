"""The options of a Pigeon Post channel."""

from __future__ import annotations

from cmbuild.platforms.options import ChannelOptions


class PigeonOptions(ChannelOptions):
    """`loft`: the address of the loft that receives the messages."""

    loft: str | None = None
