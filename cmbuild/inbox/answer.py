"""One answer to one inbox item, sent exactly once through the ledger.

The answer is a ledger variant of its own (`reply:<name>`: the replies/ file's name, or the item's
id for `cmbuild reply`), with `in_reply_to` naming the item. As for a post: a `pending` line
before the send, a `published` line after. A `pending` line left by a crash is settled first:
the platform is asked whether the answer is there (`find`, by its idempotency key); found, it is
recorded as `reconciled` and not sent again; not found, it is sent. An answer already sent is
never sent again. An item deleted on the platform since it was read is not answered.

Halts (state/halt.toml) hold answers too: an answer belongs to the item's channel and to the
campaign and post of the variant the item answers, so a halt of any of them keeps it unsent
(`halted`, nothing written to the ledger) until `cmbuild resume`, unless the community manager
answers that one item anyway (`despite_halt`, `cmbuild reply --despite-halt`).
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from typing import Any, Literal

from cmbuild.errors import InputError, did_you_mean
from cmbuild.layout import INBOX_FILE
from cmbuild.platforms import reply_sender_class
from cmbuild.platforms.shared.inbox import Answer, ReplySender
from cmbuild.platforms.shared.publisher import PublishError, Receipt
from cmbuild.push.report import Report
from cmbuild.push.retry import with_retry
from cmbuild.push.session import PushSettings, Session
from cmbuild.stores import inbox
from cmbuild.stores.halts import Halt, halted_by, read_halts
from cmbuild.stores.inbox import InboxItem
from cmbuild.stores.ledger import (
    LedgerLine,
    LedgerWriter,
    Record,
    fold,
    locked,
    now_utc,
    read_ledger,
)

Outcome = Literal["sent", "reconciled", "already sent", "gone", "halted", "failed", "dry run"]
PREFIX = "reply:"


@dataclass(frozen=True)
class Outgoing:
    """An answer to send: to which item, under which name, with which (composed) text."""

    item_id: str
    name: str  # the replies/ file's name, or the item id: the answer's ledger variant
    text: str
    private: bool = False
    language: str | None = None
    despite_halt: bool = False  # sent even if a halt holds its channel, campaign or post


@dataclass(frozen=True)
class AnswerTarget:
    """What a halt looks at for an answer: the item's channel, the answered post's campaign."""

    channel: str
    campaign: str | None
    source: str


def halt_of(halts: tuple[Halt, ...], item: InboxItem, records: dict[str, Record]) -> Halt | None:
    """The halt that holds answers to `item`, if any (`records`: the folded ledger)."""
    answered = records.get(item.variant) if item.variant else None
    line = answered.last if answered is not None else None
    campaign = line.campaign if line is not None else None
    return halted_by(halts, AnswerTarget(item.channel, campaign, (line and line.post) or ""))


@dataclass(frozen=True)
class Sent:
    outcome: Outcome
    variant: str
    detail: str  # the answer's link or id, or why it was not sent


def variant_of(name: str) -> str:
    return PREFIX + name


def find_item(settings: PushSettings, item_id: str) -> InboxItem:
    """The stored item `item_id`; an InputError naming the closest ids when it is not there."""
    items = inbox.read_items(settings.root / INBOX_FILE, INBOX_FILE).by_id()
    if item_id in items:
        return items[item_id]
    hint = did_you_mean(item_id, items) or "run `cmbuild inbox` to read the new items"
    raise InputError(INBOX_FILE, f"no item {item_id!r} in the inbox", hint=hint)


def send_answer(settings: PushSettings, outgoing: Outgoing, channels: Any) -> Sent:
    """Send `outgoing` once (reconciling an interrupted send first); what happened."""
    item = find_item(settings, outgoing.item_id)
    variant = variant_of(outgoing.name)
    answer = Answer(outgoing.text, outgoing.private, _key(variant), outgoing.language)
    ledger, shown = settings.ledger_path, settings.display(settings.ledger_path)
    with locked(ledger, shown, wait=settings.wait):
        contents = read_ledger(ledger, shown)
        records = fold(contents.lines)
        record = records.get(variant)
        if record is not None and record.state == "published":
            done = record.receipt
            return Sent("already sent", variant, (done and (done.url or done.remote_id)) or "")
        halts = read_halts(settings.halt_path, settings.display(settings.halt_path))
        halt = halt_of(halts, item, records)
        if halt is not None and not outgoing.despite_halt:
            return Sent("halted", variant, f"{halt.describe()}: not sent")
        if settings.dry_run:
            return Sent("dry run", variant, f"would answer {item.id} on {item.channel}")
        writer = LedgerWriter(ledger, shown)
        writer.repair(contents)
        session = Session(settings, channels, writer, Report("reply"))
        try:
            sender = _sender(session, item)
            if record is not None and record.state == "pending" and sender.can_find:
                interrupted = replace(answer, since=record.last.at)
                found = _guarded(session, lambda: sender.find(item, interrupted))
                if found is not None:
                    _line(writer, "reconciled", item, variant, answer, found)
                    return Sent("reconciled", variant, found.url or found.remote_id)
            unsure = not (sender.can_find or sender.resend_is_safe)
            if record is not None and record.state == "pending" and unsure:
                why = "an earlier send was interrupted and cannot be checked: check the "
                return Sent("failed", variant, why + f"platform, then `cmbuild resolve {variant}`")
            if not _guarded(session, lambda: sender.exists(item)):
                reason = "the item was deleted on the platform: not answered"
                _line(writer, "failed", item, variant, answer, None, code="gone", reason=reason)
                return Sent("gone", variant, reason)
            return _send(session, writer, sender, item, variant, answer)
        except PublishError as error:
            return Sent("failed", variant, session.redact(error.message))


def _send(
    session: Session,
    writer: LedgerWriter,
    sender: ReplySender[Any],
    item: InboxItem,
    variant: str,
    answer: Answer,
) -> Sent:
    pending = _line(writer, "pending", item, variant, answer, None)
    answer = replace(answer, since=pending.at)
    try:
        receipt = with_retry(
            session.settings.retry,
            session.guarded(lambda: sender.send(item, answer)),
            check=session.guarded(lambda: sender.find(item, answer)) if sender.can_find else None,
            resend_is_safe=sender.resend_is_safe,
        )
    except PublishError as error:
        reason = session.redact(error.message)
        if error.kind != "ambiguous":  # ambiguous: the pending line stays, reconciled next time
            _line(writer, "failed", item, variant, answer, None, code=error.kind, reason=reason)
        return Sent("failed", variant, reason)
    session.sent()
    _line(writer, "published", item, variant, answer, receipt)
    return Sent("sent", variant, receipt.url or receipt.remote_id)


def _sender(session: Session, item: InboxItem) -> ReplySender[Any]:
    channel = session.channels.get(item.channel)
    if channel is None:
        raise PublishError(f"channel {item.channel} is not in channels.toml", "config")
    kind = reply_sender_class(channel)
    if kind is None:
        raise PublishError(f"cmbuild cannot answer on {channel.platform} yet", "config")
    return kind(session.publisher(item.channel))


def _guarded(session: Session, action: Any) -> Any:
    return with_retry(session.settings.retry, session.guarded(action), resend_is_safe=True)


def _line(
    writer: LedgerWriter,
    kind: Literal["pending", "published", "reconciled", "failed"],
    item: InboxItem,
    variant: str,
    answer: Answer,
    receipt: Receipt | None,
    **fields: Any,
) -> LedgerLine:
    published = None
    if receipt is not None:
        published = receipt.published_at or datetime.now(UTC).replace(microsecond=0)
    line = LedgerLine(
        kind=kind,
        variant=variant,
        channel=item.channel,
        platform=item.platform,
        content_hash=hashlib.sha256(answer.text.encode()).hexdigest(),
        idempotency_key=answer.key,
        text_sha256=hashlib.sha256(answer.text.encode()).hexdigest(),
        remote_id=receipt.remote_id if receipt else None,
        url=receipt.url if receipt else None,
        published_at=published,
        at=now_utc(),
        in_reply_to=item.id,
        **fields,
    )
    writer.append(line)
    return line


def _key(variant: str) -> str:
    return hashlib.sha256(f"cmbuild-answer:{variant}".encode()).hexdigest()[:32]
