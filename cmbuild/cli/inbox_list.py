"""The terminal list of `cmbuild inbox`: the rows of `cmbuild.inbox.listing`, as text."""

from __future__ import annotations

from collections.abc import Callable, Sequence

from cmbuild.inbox.listing import InboxRow

_SHOWN = 120  # characters of what someone said; the link or the preview has the rest


def inbox_lines(rows: Sequence[InboxRow], limit: int = 0) -> list[str]:
    """Each item in a few lines: when, where, who, intent, what they said, what to answer; the
    first `limit` rows only (0: all), and how many more there are, and where to see them."""
    if not rows:
        return ["the inbox is empty: nothing said to the brand yet (run `cmbuild inbox`)"]
    waiting = sum(row.answered_at is None for row in rows)
    lines = [f"{len(rows):,} items, {waiting:,} waiting for an answer"]
    shown = rows[:limit] if limit else rows
    for row in shown:
        item = row.item
        said = " ".join(item.text.split())
        said = said if len(said) <= _SHOWN else said[: _SHOWN - 1] + "…"
        state = (
            f"answered {row.answered_at:%Y-%m-%d %H:%M}Z"
            if row.answered_at is not None
            else "waiting"
        )
        intent = row.intent.name if row.intent else "no intent"
        lines.append("")
        lines.append(
            f"{item.at:%Y-%m-%d %H:%M}Z  {item.channel}  {item.kind} from "
            f"{item.author_name or item.author_handle} (@{item.author_handle})  [{intent}]  {state}"
        )
        lines.append(f"  {said}")
        if item.url:
            lines.append(f"  {item.url}")
        lines.append(f"  id: {item.id}")  # what `cmbuild reply` and replies/<id>.md name
        if row.suggested and row.answered_at is None:
            first = row.suggested[0]
            how = "direct message" if first.private else "public reply"
            lines.append(f"  suggested ({how}): {first.name}: {first.text}")
            lines.append(f"  send it: {row.command}")
    if len(shown) < len(rows):
        more = len(rows) - len(shown)
        lines.append("")
        lines.append(
            f"… and {more:,} more not listed here (the first {len(shown):,} are, waiting first): "
            "`--limit 0` lists them all; output/inbox.html has them per intent"
        )
    return lines


def show_inbox(rows: Sequence[InboxRow], echo: Callable[[str], None], limit: int = 0) -> None:
    """Print the inbox list through `echo` (click.echo): the first `limit` rows (0: all)."""
    for line in inbox_lines(rows, limit):
        echo(line)
