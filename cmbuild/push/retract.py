"""Crisis tools: delete a campaign's published posts, and settle a send nobody can check.

`retract` first halts the campaign (nothing more of it goes out), then deletes each of its posts
the ledger records as published, on every platform that allows deletion, using the remote ids of
the ledger, and records a `retracted` line for each. A post that cannot be deleted (an e-mail, a
platform without deletion) is reported as failed with its URL, to remove by hand.

`resolve` settles a send that stopped half-way on a platform that cannot be asked (e-mail): a
person checks, then says whether it went out.
"""

from __future__ import annotations

import functools
from collections.abc import Mapping
from datetime import UTC, datetime

from cmbuild.errors import InputError, InputErrors
from cmbuild.load.config import load_channels
from cmbuild.model import Channel
from cmbuild.platforms import NoPublisher, publisher_class
from cmbuild.platforms.shared.publisher import PublishError
from cmbuild.push.report import Outcome, Report, Row
from cmbuild.push.retry import with_retry
from cmbuild.push.session import PushSettings, Session
from cmbuild.stores.halts import Halt, add_halt
from cmbuild.stores.ledger import LedgerLine, LedgerWriter, fold, locked, now_utc, read_ledger


def retract(settings: PushSettings, campaign: str, reason: str) -> Report:
    """Halt `campaign`, then delete its published posts; what was deleted and what was not."""
    channels = {c.name: c for c in load_channels(settings.root)}
    if settings.dry_run:
        return retract_plan(settings, campaign, channels)
    since = now_utc().strftime("%Y-%m-%dT%H:%M:%SZ")
    add_halt(
        settings.halt_path,
        settings.display(settings.halt_path),
        Halt("campaign", campaign, reason, since),
    )
    ledger = settings.ledger_path
    report = Report(f"retract campaign {campaign} (halted since {since})")
    with locked(ledger, settings.display(ledger), wait=settings.wait):
        contents = read_ledger(ledger, settings.display(ledger))
        writer = LedgerWriter(ledger, settings.display(ledger))
        note = writer.repair(contents)
        if note:
            report.notes.append(note)
        session = Session(settings, channels, writer, report)
        records = [r for r in fold(contents.lines).values() if r.last.campaign == campaign]
        only = settings.channels
        for record in records:
            if only and record.last.channel not in only:
                continue
            if record.state == "pending":
                report.add_row(_row("failed", record.last, _PENDING))
            elif record.state == "published" and record.receipt is not None:
                _delete(session, record.receipt, reason)
    if not report.rows:
        report.notes.append(f"the ledger records no published post of campaign {campaign}")
    return report


def retract_plan(settings: PushSettings, campaign: str, channels: Mapping[str, Channel]) -> Report:
    """What `retract` would delete, and what it could not: nothing halted, deleted or recorded."""
    ledger = settings.ledger_path
    contents = read_ledger(ledger, settings.display(ledger))
    report = Report(f"retract campaign {campaign}, dry run: nothing is halted or deleted")
    for record in fold(contents.lines).values():
        line = record.last
        if line.campaign != campaign or (
            settings.channels and line.channel not in settings.channels
        ):
            continue
        if record.state == "pending":
            report.add_row(_row("failed", line, _PENDING))
        elif record.state == "published" and record.receipt is not None:
            receipt = record.receipt
            where = receipt.url or receipt.remote_id or ""
            if _can_delete(channels.get(line.channel)) and receipt.remote_id is not None:
                report.add_row(_row("due", receipt, f"would be deleted: {where}"))
            else:
                report.add_row(
                    _row("failed", receipt, f"cannot be deleted: remove it by hand ({where})")
                )
    if not report.rows:
        report.notes.append(f"the ledger records no published post of campaign {campaign}")
    return report


def _can_delete(channel: Channel | None) -> bool:
    if channel is None:
        return False
    try:
        return publisher_class(channel).can_delete
    except NoPublisher:
        return False


_PENDING = (
    "a send of it was interrupted: run `cmbuild push` (it checks the platform), then retract again"
)


def _delete(session: Session, line: LedgerLine, reason: str) -> None:
    report = session.report
    where = line.url or line.remote_id or ""
    if line.channel in session.stopped:
        report.add_row(_row("failed", line, f"not attempted: {session.stopped[line.channel]}"))
        return
    try:
        publisher = session.publisher(line.channel)
        if not publisher.can_delete or line.remote_id is None:
            raise PublishError(
                f"{publisher.name} cannot delete a post: remove it by hand ({where})"
            )
        delete = session.guarded(functools.partial(publisher.delete, line.remote_id))
        with_retry(session.settings.retry, delete)
    except PublishError as error:
        message = session.redact(error.message)
        if error.kind in ("auth", "config"):
            session.stop(line.channel, message)
        report.add_row(_row("failed", line, message))
        return
    session.record_after("retracted", line, reason=reason)
    report.add_row(_row("retracted", line, where))


def resolve(
    settings: PushSettings, variant: str, *, sent: bool, remote_id: str | None, url: str | None
) -> Report:
    """Record what a person found out about an unconfirmed send of `variant`."""
    ledger = settings.ledger_path
    report = Report(f"resolve {variant}")
    with locked(ledger, settings.display(ledger), wait=settings.wait):
        contents = read_ledger(ledger, settings.display(ledger))
        writer = LedgerWriter(ledger, settings.display(ledger))
        note = writer.repair(contents)
        if note:
            report.notes.append(note)
        record = fold(contents.lines).get(variant)
        if record is None or record.state != "pending":
            state = record.state if record else "not in the ledger"
            raise InputErrors(
                [
                    InputError(
                        settings.display(ledger),
                        f"variant {variant} has no unconfirmed send ({state})",
                    )
                ]
            )
        session = Session(settings, {}, writer, report)
        if sent:
            line = session.record_after(
                "reconciled",
                record.last,
                code="by-hand",
                remote_id=remote_id or record.last.idempotency_key,
                url=url,
                published_at=datetime.now(UTC).replace(microsecond=0),
                reason="confirmed sent by hand",
            )
            report.add_row(_row("reconciled", line, "recorded as published: never sent again"))
        else:
            line = session.record_after(
                "failed", record.last, code="unsent", reason="confirmed not sent, by hand"
            )
            report.add_row(_row("skipped", line, "recorded as not sent: the next push sends it"))
    return report


def _row(outcome: Outcome, line: LedgerLine, detail: str) -> Row:
    when = line.published_at or line.at
    shown = when.astimezone(UTC).strftime("%Y-%m-%d %H:%MZ")
    return Row(outcome, line.channel, line.variant, line.post or "", shown, detail)
