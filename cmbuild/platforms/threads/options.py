"""The options of a Threads channel (`cmbuild.platforms.threads.publisher`)."""

from __future__ import annotations

from cmbuild.platforms.options import Identifier
from cmbuild.platforms.shared.options import GraphOptions, MediaHostOptions


class ThreadsOptions(GraphOptions, MediaHostOptions):
    """The Threads user (default `me`), the Graph address and version, and the media host."""

    user_id: Identifier | None = None
