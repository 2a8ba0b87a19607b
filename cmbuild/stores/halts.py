"""state/halt.toml: what must not be published now, whatever the calendar says.

`cmbuild halt` adds an entry (a campaign, a channel, or everything) with a reason; `cmbuild resume`
removes it. The file is replaced atomically (temporary file, fsync, rename), so a push reading it
at any moment sees the old or the new list, never half of one. A running push reads it again
before every send, so a halt takes effect at once, not at the next scheduled run.

This is the one reader of the file: push and the preview read it the same way, so the preview
never shows as publishable what push would refuse (see cmbuild/preview/halts.py).
"""

from __future__ import annotations

import contextlib
import fcntl
import json
import os
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Literal, Protocol

from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from cmbuild.errors import InputError, InputErrors, did_you_mean
from cmbuild.files import write_atomic
from cmbuild.layout import CHANNELS_FILE, LOCK_SUFFIX, post_sources
from cmbuild.load.tomlfile import nearest_line, read_toml
from cmbuild.load.validation import errors_from_validation
from cmbuild.manifest.reader import read_manifest

# "post": one post (its source path) held by veille because it is `sensitive:` to a topic in crisis.
Scope = Literal["all", "campaign", "channel", "post"]

_HEADER = """\
# Publishing halted: `cmbuild push` publishes nothing that an entry below matches.
# Written by `cmbuild halt`; `cmbuild resume` lifts an entry. Commit this file with the ledger.
"""


class _HaltModel(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    scope: Scope
    name: str | None = None
    reason: str = Field(min_length=1)
    since: str
    # A halt written by veille (`cmbuild watch`): the topic in crisis and the item that set it off.
    topic: str | None = None
    item: str | None = None
    url: str | None = None

    @model_validator(mode="after")
    def _named(self) -> _HaltModel:
        if (self.scope == "all") != (self.name is None):
            raise ValueError("`name` is required for a campaign or channel halt, and only then")
        return self


class _HaltFile(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    halt: list[_HaltModel] = Field(default_factory=list)


class Halted(Protocol):
    """What a halt looks at: a manifest entry for push, a variant for the preview."""

    @property
    def channel(self) -> str: ...
    @property
    def campaign(self) -> str | None: ...
    @property
    def source(self) -> str: ...


@dataclass(frozen=True)
class Veille:
    """Why veille halted: the topic in crisis and the item heard (its title, where to read it)."""

    topic: str
    item: str
    url: str | None


@dataclass(frozen=True)
class Halt:
    """One halt: everything, a campaign, or a channel, since when and why."""

    scope: Scope
    name: str | None
    reason: str
    since: str | None  # None only for the halt the preview shows for a file push would refuse
    veille: Veille | None = None  # set when `cmbuild watch` wrote it

    def matches(self, item: Halted) -> bool:
        if self.scope == "all":
            return True
        if self.scope == "campaign":
            return item.campaign == self.name
        if self.scope == "post":
            return item.source == self.name
        return item.channel == self.name

    @property
    def what(self) -> str:
        """`everything`, `campaign NAME` or `channel NAME`."""
        return "everything" if self.scope == "all" else f"{self.scope} {self.name}"

    def describe(self) -> str:
        since = f" since {self.since}" if self.since is not None else ""
        return f"halted ({self.what}){since}: {self.reason}"


def read_halts(path: Path, display: str) -> tuple[Halt, ...]:
    """The halts in force; none when the file does not exist. InputErrors if it is invalid."""
    if not path.exists():
        return ()
    data, lines = read_toml(path, display)  # raises a located InputError
    try:
        parsed = _HaltFile.model_validate(data)
    except ValidationError as error:
        raise InputErrors(
            errors_from_validation(error, display, lambda key: nearest_line(lines, key))
        ) from None
    return tuple(
        Halt(
            h.scope,
            h.name,
            h.reason,
            h.since,
            Veille(h.topic, h.item or "", h.url) if h.topic is not None else None,
        )
        for h in parsed.halt
    )


def write_halts(path: Path, halts: tuple[Halt, ...]) -> None:
    """Replace the halt file atomically with `halts`."""
    parts = [_HEADER]
    for halt in halts:
        parts.append("\n[[halt]]\n")
        parts.append(f"scope = {_toml_string(halt.scope)}\n")
        if halt.name is not None:
            parts.append(f"name = {_toml_string(halt.name)}\n")
        parts.append(f"reason = {_toml_string(halt.reason)}\n")
        if halt.since is not None:
            parts.append(f"since = {_toml_string(halt.since)}\n")
        if halt.veille is not None:
            parts.append(f"topic = {_toml_string(halt.veille.topic)}\n")
            parts.append(f"item = {_toml_string(halt.veille.item)}\n")
            if halt.veille.url is not None:
                parts.append(f"url = {_toml_string(halt.veille.url)}\n")
    write_atomic(path, "".join(parts).encode("utf-8"))


def add_halt(path: Path, display: str, halt: Halt) -> tuple[Halt, ...]:
    """Add (or replace, for the same scope and name) a halt; the halts now in force."""
    with _editing(path):
        kept = tuple(
            h for h in read_halts(path, display) if (h.scope, h.name) != (halt.scope, halt.name)
        )
        halts = (*kept, halt)
        write_halts(path, halts)
    return halts


def lift(path: Path, display: str, scope: Scope, name: str | None) -> tuple[Halt, ...]:
    """Remove the halt for `scope`/`name` (every halt for scope "all"); the halts removed."""
    with _editing(path):
        halts = read_halts(path, display)
        removed = selected(halts, scope, name)
        if removed:
            write_halts(path, tuple(h for h in halts if h not in removed))
    return removed


def selected(halts: Iterable[Halt], scope: Scope, name: str | None) -> tuple[Halt, ...]:
    """The halts `lift` removes for `scope`/`name`: that one, or every halt for scope "all"."""
    return tuple(h for h in halts if scope == "all" or (h.scope, h.name) == (scope, name))


def resolve_post(root: Path, manifest: Path, given: str, halt_file: Path) -> str:
    """The post (its source, as a "post" halt names it) that `given` names: its file, its slug or
    one of its variant ids. An InputError with the closest name when it names none."""
    path = Path(given)
    if path.exists():
        with contextlib.suppress(ValueError):
            given = path.resolve().relative_to(root.resolve()).as_posix()
    halts = read_halts(halt_file, halt_file.as_posix())
    names = {h.name: h.name for h in halts if h.scope == "post" and h.name}
    names.update({source: source for source in post_sources(root)})
    if manifest.is_file():
        for entry in read_manifest(manifest, manifest.as_posix()):
            names.update({entry.source: entry.source, entry.slug: entry.source})
            names[entry.id] = entry.source
    if given in names:
        return names[given]
    posts = sorted(set(names.values()))
    raise InputError(
        "--post",
        f"no post is named {given!r}{did_you_mean(given, names)}: nothing was changed",
        hint=f"give the post's file, e.g. {posts[0]}" if posts else "there are no posts here",
    )


def check_target(
    root: Path,
    manifest: Path,
    scope: Scope,
    name: str | None,
    *,
    also: Iterable[str] = (),
) -> None:
    """An InputError unless `name` is a campaign of the manifest (or of `also`: the ledger's,
    the halt file's) or a channel of channels.toml, or unless `root` is no content repository.

    A misspelt name would halt nothing while saying "halted": it is refused, with the closest
    name as a suggestion.
    """
    channels_file = root / CHANNELS_FILE
    if not channels_file.is_file():
        raise InputError(
            str(root.resolve()),
            f"not a content repository: there is no {CHANNELS_FILE} here",
            hint="run the command at the repository's root, or pass -C ROOT",
        )
    if scope == "all" or name is None:
        return
    if scope == "channel":
        data, _ = read_toml(channels_file, CHANNELS_FILE)
        channels = data.get("channels")
        known = set(channels) if isinstance(channels, dict) else set()
        where = CHANNELS_FILE
    else:
        known = set(also)
        where = manifest.as_posix()
        if manifest.is_file():
            entries = read_manifest(manifest, where)
            known |= {e.campaign for e in entries if e.campaign}
        elif name not in known:
            raise InputError(
                where,
                f"no manifest to check campaign {name!r} against",
                hint="run `cmbuild build` first; `--all` needs no name",
            )
    if name not in known:
        listed = ", ".join(sorted(known)) or "none"
        raise InputError(
            where,
            f"no {scope} named {name!r}{did_you_mean(name, known)}: nothing was changed",
            key=f"--{scope}",
            hint=f"{scope}s: {listed}",
        )


def named_in(halt_file: Path, ledger: Path | None) -> set[str]:
    """The names the halt file halts, and the campaigns the ledger records."""
    from cmbuild.stores.ledger import read_ledger

    names = {h.name for h in read_halts(halt_file, halt_file.as_posix()) if h.name}
    if ledger is not None:
        lines = read_ledger(ledger, ledger.as_posix()).lines
        names |= {line.campaign for line in lines if line.campaign}
    return names


def halted_by(halts: tuple[Halt, ...], item: Halted) -> Halt | None:
    """The first halt that stops `item`, if any."""
    return next((h for h in halts if h.matches(item)), None)


class HaltWatch:
    """The halts in force, read again whenever the file changes (cheap: one stat per check)."""

    def __init__(self, path: Path, display: str) -> None:
        self.path = path
        self.display = display
        self._stamp: tuple[int, int, int] | None = None
        self._halts: tuple[Halt, ...] = ()

    def current(self) -> tuple[Halt, ...]:
        try:
            stat = self.path.stat()
            stamp = (stat.st_ino, stat.st_mtime_ns, stat.st_size)
        except FileNotFoundError:
            self._stamp, self._halts = None, ()
            return ()
        if stamp != self._stamp:
            self._halts = read_halts(self.path, self.display)
            self._stamp = stamp
        return self._halts


def _toml_string(value: str) -> str:
    # A JSON string is a valid TOML basic string: same quotes, same escapes (\n, \", \uXXXX).
    # TOML also forbids a raw DEL, which JSON leaves alone.
    return json.dumps(value, ensure_ascii=False).replace("\x7f", "\\u007f")


@contextlib.contextmanager
def _editing(path: Path) -> Iterator[None]:
    """Serialise halt and resume: two at once must not lose one of the two changes."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path.with_name(path.name + LOCK_SUFFIX), os.O_RDWR | os.O_CREAT, 0o644)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        yield
    finally:
        os.close(fd)
