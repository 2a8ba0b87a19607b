"""The unit of parallel work: a source image and the distinct outputs made from it."""

from __future__ import annotations

from dataclasses import dataclass

from cmbuild.images.notes import Note
from cmbuild.images.targets import Target


@dataclass(frozen=True)
class Task:
    """One distinct image to produce (variants with the same key share it)."""

    key: str
    target: Target
    focus: tuple[float, float] = (0.5, 0.5)
    title: str | None = None  # set for a title card
    outputs: tuple[str, ...] = ()  # output-relative paths to write it to, without extension


@dataclass(frozen=True)
class Group:
    """Every task of one source image (decoded once), or one title card (source None)."""

    source: str | None
    tasks: tuple[Task, ...]
    cost: int = 0  # a rough size of the work, to start the largest first


@dataclass(frozen=True)
class Written:
    """One output file as the stage left it."""

    path: str  # output-relative, with its extension
    changed: bool  # False: the file already held these bytes and was not touched
    stat: tuple[int, int]  # size and modification time (ns) after writing


@dataclass(frozen=True)
class Rendered:
    key: str
    sha256: str
    bytes: int
    extension: str
    width: int
    height: int
    notes: tuple[Note, ...] = ()
    files: tuple[Written, ...] = ()


@dataclass(frozen=True)
class GroupResult:
    source: str | None
    keys: tuple[str, ...]  # the group's task keys
    rendered: tuple[Rendered, ...] = ()
    error: tuple[str, str | None] | None = None  # the source cannot be used: message, hint
    asset_error: tuple[str, str, str | None] | None = None  # a brand asset: key, message, hint
