"""What a long-running process (`cmbuild serve`) keeps in memory from one build to the next."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, NamedTuple

from cmbuild.incremental.index import Index
from cmbuild.incremental.inputs import Stat
from cmbuild.model import Channel, Charter

if TYPE_CHECKING:
    import jinja2
    from markupsafe import Markup

    from cmbuild.incremental.rows import Row
    from cmbuild.preview.slots import SlotsView


class LoadedConfig(NamedTuple):
    """The configuration of a build, valid as long as the digest of its files is `digest`."""

    digest: str
    channels: tuple[Channel, ...]
    charter: Charter
    env: jinja2.Environment  # the templates, compiled


@dataclass
class Memo:
    """The index a build wrote (valid while index.json keeps the size and time it had then), the
    rows it made, and the manifest and calendar bytes, so that a rebuild reads none of them back.
    A build that fails forgets everything but the configuration, kept by the digest of its files.
    """

    index: Index | None = None
    stat: Stat | None = None  # of index.json, as written
    rows: dict[str, list[Row]] = field(default_factory=dict)  # source -> its rows
    files: dict[str, tuple[Stat, bytes]] = field(default_factory=dict)  # name -> (stat, bytes)
    # The preview's calendar entries (month and week forms) by what they show.
    entries: dict[str, tuple[Markup, Markup]] = field(default_factory=dict)
    config: LoadedConfig | None = None
    # The preview's slots page, by the stats of what it read and the day (cmbuild/preview/loop.py).
    slots: dict[str, SlotsView] = field(default_factory=dict)

    def clear(self) -> None:
        self.index, self.stat, self.rows, self.files, self.entries = None, None, {}, {}, {}
        self.slots = {}
