"""YouTube (video uploads): a description of 5000 UTF-8 bytes and a title of 100 characters.

Neither may contain ``<`` or ``>``. The variant's text is the video's description, its `title`
field the video's title, and its image the thumbnail. Sources: developers.google.com/youtube/v3/
docs/videos (snippet.title and snippet.description property notes, H) and thumbnails/set (2 MB in
the v3 docs; newer reference pages say 50 MB: the lower value is kept).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import ClassVar

from cmbuild.platforms.base import Platform
from cmbuild.platforms.checks import forbidden_characters
from cmbuild.platforms.spec import FieldSpec, MediaSpec, Problem
from cmbuild.text.counting import utf8_bytes


class YouTube(Platform):
    """The text of a YouTube video: description and title."""

    name = "youtube"
    label = "YouTube"
    text_limit = 5000
    unit = "utf-8 bytes"  # a French description fits about 4,800 characters, CJK about 1,666
    forbidden: ClassVar[str] = "<>"
    fields = (
        FieldSpec(
            "title",
            100,
            "characters",
            required=True,  # videos.insert rejects a video without a title
            forbidden="<>",
            note="snippet.title: 100 characters, no < or > (H)",
        ),
    )
    media = MediaSpec(
        formats=("jpeg", "png"),
        max_images=1,  # the custom thumbnail
        max_bytes=2_000_000,
        # Thumbnails show at 16:9 (1.7778); other ratios get black bars. The range leaves room
        # for whole-pixel sizes of small sources.
        aspect_min=1.775,
        aspect_max=1.78,
        recommended=(1280, 720),
        shapes=(("landscape", (1280, 720)),),
        alt_text_limit=None,  # thumbnails take no alt text
    )
    starter = "starter.j2"

    def length(self, text: str) -> int:
        return utf8_bytes(text)

    def check(
        self, text: str, fields: Mapping[str, str], alt_texts: Sequence[str | None]
    ) -> list[Problem]:
        problems = super().check(text, fields, alt_texts)
        problems.extend(forbidden_characters(self.label, text, self.forbidden, "the description"))
        return problems
