"""The options of a Pinterest channel (`cmbuild.platforms.pinterest.publisher`)."""

from __future__ import annotations

from cmbuild.platforms.options import Identifier
from cmbuild.platforms.shared.options import ApiOptions


class PinterestOptions(ApiOptions):
    """`board`: the board to pin to, its id or its name."""

    board: Identifier | None = None
