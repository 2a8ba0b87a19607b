"""What is halted, as the preview shows it: a tolerant reader of ``state/halt.toml``.

The file lists ``[[halt]]`` tables. Two spellings are read, because both are in use: the short one
(``campaign = "..."``, ``channel = "..."`` or ``all = true``, with ``reason``) and the one
`cmbuild halt` writes (``scope = "all" | "campaign" | "channel"``, ``name``, ``reason``,
``since``). Unknown keys are ignored.

The preview must never show as publishable what push would refuse. So a file that exists but
cannot be read, or an entry that names nothing recognisable, is shown as a halt of everything,
with the problem as its reason: push stops on such a file too.
"""

from __future__ import annotations

import tomllib
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from cmbuild.preview.shown import Shown

HALT_FILE = "state/halt.toml"


@dataclass(frozen=True)
class Halt:
    """One halt: of everything, of a campaign, or of a channel."""

    reason: str
    campaign: str | None = None
    channel: str | None = None
    everything: bool = False
    since: str | None = None

    def matches(self, variant: Shown) -> bool:
        if self.everything:
            return True
        if self.campaign is not None and variant.campaign == self.campaign:
            return True
        return self.channel is not None and variant.channel == self.channel

    def describe(self) -> str:
        if self.everything:
            what = "everything"
        elif self.campaign is not None:
            what = f"campaign {self.campaign}"
        else:
            what = f"channel {self.channel}"
        since = f" since {self.since}" if self.since else ""
        return f"{what} halted{since}: {self.reason}"


def read_halts(path: Path) -> tuple[Halt, ...]:
    """The halts listed in `path`; none when the file does not exist."""
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return ()
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as error:
        return (Halt(reason=f"{path.name} cannot be read ({error})", everything=True),)
    entries = data.get("halt", [])
    if isinstance(entries, Mapping):
        entries = [entries]  # a single [halt] table instead of [[halt]]
    if not isinstance(entries, list):
        return (Halt(reason=f"{path.name}: `halt` is not a list of tables", everything=True),)
    return tuple(_halt(entry, index) for index, entry in enumerate(entries, start=1))


def halts_for(variant: Shown, halts: tuple[Halt, ...]) -> tuple[Halt, ...]:
    """The halts that stop `variant`."""
    return tuple(h for h in halts if h.matches(variant))


def _halt(entry: object, index: int) -> Halt:
    if not isinstance(entry, Mapping):
        return Halt(reason=f"halt entry {index} is not a table", everything=True)
    reason = _text(entry.get("reason")) or "no reason given"
    since = _text(entry.get("since"))
    scope = _text(entry.get("scope"))
    name = _text(entry.get("name"))
    if entry.get("all") is True or scope == "all":
        return Halt(reason, everything=True, since=since)
    campaign = _text(entry.get("campaign")) or (name if scope == "campaign" else None)
    channel = _text(entry.get("channel")) or (name if scope == "channel" else None)
    if campaign is None and channel is None:
        return Halt(
            f"halt entry {index} names no campaign, channel or `all = true` ({reason})",
            everything=True,
            since=since,
        )
    return Halt(reason, campaign=campaign, channel=channel, since=since)


def _text(value: object) -> str | None:
    if isinstance(value, str) and value.strip():
        return value.strip()
    if value is None or isinstance(value, bool):
        return None
    return str(value) if isinstance(value, int | float) else None
