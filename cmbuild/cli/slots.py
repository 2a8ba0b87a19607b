"""`cmbuild slots`: each channel's best hours of the week, learned from its own history
(the library: cmbuild/planning/). Exits 0; 2 on bad input (an unknown channel, bad --weeks)."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from cmbuild.cli.options import EXIT_INPUT, EXIT_OK, root_option

if TYPE_CHECKING:
    from cmbuild.planning.run import ChannelSlots
    from cmbuild.planning.scores import Slot


@click.command()
@root_option
@click.option("--channel", "channels", multiple=True, help="Only this channel (repeat).")
@click.option("--weeks", default=16, show_default=True, help="Weeks of history to learn from.")
@click.option("--top", default=10, show_default=True, help="Slots shown per channel.")
@click.option("--propose", is_flag=True, help="Print the change to channels.toml as a diff.")
@click.option("--json", "as_json", is_flag=True, help="Every slot of every channel, as JSON.")
@click.option(
    "--now",
    envvar="CMBUILD_NOW",
    default=None,
    help="The end of the history learned from (ISO 8601 with zone; default: now).",
)
def slots(
    root: Path,
    channels: tuple[str, ...],
    weeks: int,
    top: int,
    propose: bool,
    as_json: bool,
    now: str | None,
) -> None:
    """Rank each channel's hours of the week by its own posts' results and audience activity.

    Scores are in the channel's time zone, 1.00 for its best hour; the confidence says how much
    rests on the channel's own data (the rest on the platform's defaults, docs/slots.md).
    --propose prints the change to `slots = [...]` in channels.toml; nothing is written.

    \b
    Examples:
      cmbuild slots
      cmbuild slots --channel linkedin-cmb --weeks 26
      cmbuild slots --propose > slots.diff
    """
    from datetime import UTC, datetime

    from cmbuild.cli.push import parse_now
    from cmbuild.cli.show import input_errors_text
    from cmbuild.errors import InputError, InputErrors
    from cmbuild.planning.run import slots as score_slots

    try:
        result = score_slots(root, channels, weeks, parse_now(now) or datetime.now(UTC))
        diff = _diff(root, result.channels) if propose else ""
    except (InputError, InputErrors) as error:
        for line in input_errors_text([error] if isinstance(error, InputError) else list(error)):
            click.echo(line, err=True)
        sys.exit(EXIT_INPUT)
    for problem in result.problems:
        click.echo(f"warning: {problem}", err=True)
    if as_json:
        from cmbuild.cli.show import as_json as dump

        click.echo(dump({"weeks": weeks, "channels": [_json(c) for c in result.channels]}))
    elif propose:
        for channel in result.channels:
            for note in channel.notes:
                click.echo(f"note: {channel.channel.name}: {note}", err=True)
        click.echo(diff, nl=False)
    else:
        for channel in result.channels:
            _show(channel, top, weeks)
    sys.exit(EXIT_OK)


def _diff(root: Path, channels: Any) -> str:
    from cmbuild.planning.propose import propose_diff

    return propose_diff(root, channels)


def _show(channel: ChannelSlots, top: int, weeks: int) -> None:
    scores = channel.scores
    click.echo(
        f"{channel.channel.name} ({channel.zone}; last {weeks} weeks: {scores.posts} posts, "
        f"{scores.interactions} interactions)"
    )
    for rank, slot in enumerate(scores.ranked[:top], start=1):
        click.echo(f"  {rank:>3}  {_line(slot)}")
    if scores.explore:
        click.echo("  explore (little data yet): " + ", ".join(s.label for s in scores.explore))
    for note in channel.notes:
        click.echo(f"  note: {note}")


def _line(slot: Slot) -> str:
    return (
        f"{slot.label}  score {slot.score:.2f}  confidence {slot.confidence:.2f}  "
        f"({slot.posts} posts, {slot.interactions} interactions)"
    )


def _json(channel: ChannelSlots) -> dict[str, Any]:
    scores = channel.scores
    return {
        "channel": channel.channel.name,
        "timezone": channel.zone,
        "posts": scores.posts,
        "interactions": scores.interactions,
        "enough_data": scores.enough,
        "defaults": channel.defaults,
        "notes": list(channel.notes),
        "explore": [s.label for s in scores.explore],
        "slots": [
            {
                "at": s.label,
                "score": s.score,
                "confidence": s.confidence,
                "posts": s.posts,
                "interactions": s.interactions,
                "performance": round(s.performance, 3),
                "activity": round(s.activity, 3),
            }
            for s in scores.ranked
        ],
    }
