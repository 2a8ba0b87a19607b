"""Pigeon Post: a platform from outside cmbuild, to show that a platform is one folder.

This package is what a third party ships: the platform's rules here, its publisher, its channel
options model and its starter template beside it, and one entry point in its distribution's
metadata (``cmbuild_pigeon-1.0.dist-info/entry_points.txt``)::

    [cmbuild.platforms]
    pigeon = cmbuild_pigeon:Pigeon
"""

from __future__ import annotations

from cmbuild.platforms.base import Platform
from cmbuild.platforms.spec import Fold, MediaSpec, PublisherSpec


class Pigeon(Platform):
    """Messages carried by pigeon: 140 characters, one picture."""

    name = "pigeon"
    label = "Pigeon Post"
    text_limit = 140
    unit = "characters"
    media = MediaSpec(formats=("jpeg", "png"), max_images=1, alt_text_limit=200)
    fold = Fold(chars=60)
    publisher = PublisherSpec(
        "cmbuild_pigeon.publisher:PigeonPublisher",
        "cmbuild_pigeon.options:PigeonOptions",
    )
    starter = "starter.j2"

    def length(self, text: str) -> int:
        return len(text)
