"""The replies/<id>.md files after `cmbuild push` (sent once) or `cmbuild plan` (listed)."""

from __future__ import annotations

from typing import TYPE_CHECKING

import click

from cmbuild.cli.options import EXIT_FAILED, EXIT_OK
from cmbuild.cli.options import guard as _guard

if TYPE_CHECKING:
    from datetime import date

    from cmbuild.inbox.outbox import Planned
    from cmbuild.push.session import PushSettings


def replies_step(settings: PushSettings, today: date, *, send: bool, err: bool = False) -> int:
    """The replies/<id>.md files after a push (`send`) or a plan: shown, sent once; exit code.

    `err` shows them on stderr (beside a JSON report on stdout)."""
    from cmbuild.cli.show import finding_line
    from cmbuild.inbox.outbox import plan_answers, send_answers
    from cmbuild.load.config import load_channels

    def planned() -> list[Planned]:
        channels = {c.name: c for c in load_channels(settings.root)}
        return plan_answers(settings, channels, today)

    code, answers = _guard(planned)
    if not answers:
        return code
    click.echo("", err=err)
    click.echo(f"answers in replies/: {len(answers)}", err=err)
    outcome: dict[str, str] = {}
    if send:
        channels = {c.name: c for c in load_channels(settings.root)}
        code, sent = _guard(lambda: send_answers(settings, answers, channels))
        outcome = {a.name: f"{s.outcome}: {s.detail}" for a, s in sent or []}
        failed = any(s.outcome in ("failed", "gone") for _, s in sent or [])
        code = code or (EXIT_FAILED if failed else EXIT_OK)
    for answer in answers:
        how = "direct message" if answer.composed.private else "public reply"
        shown = outcome.get(answer.name, answer.why if answer.state == "halted" else answer.state)
        click.echo(f"  {answer.source}  {shown}  ({how} to {answer.item_id})", err=err)
        if answer.composed.text:
            click.echo(f"    {answer.composed.text}", err=err)
        for finding in answer.composed.findings:
            click.echo("    " + finding_line(finding), err=err)
    blocked = send and any(a.state == "blocked" for a in answers)
    return code or (EXIT_FAILED if blocked else EXIT_OK)
