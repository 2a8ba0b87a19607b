"""A push: reconcile what an interrupted push left pending, then publish what is due, in order.

1. Read the manifest, channels.toml and the halts; take the ledger's lock; read the ledger.
2. Reconcile: a `pending` line with nothing after it is a send that may or may not have happened.
   The platform is asked (`find`) before anything is sent again; a receiver that drops repeated
   idempotency keys gets the same key again; an e-mail, which nobody can ask, waits for a person
   (`cmbuild resolve`).
3. Plan (plan.py), record newly missed variants, then publish each due variant: `pending` line,
   send (with retries), `published` line. The halt file is read again before each send.

One channel's failure never stops the others; an auth failure stops its channel only.
"""

from __future__ import annotations

import functools
from collections.abc import Mapping
from datetime import UTC, datetime, timedelta

from cmbuild.errors import InputError, InputErrors
from cmbuild.load.config import load_channels
from cmbuild.manifest.reader import VariantEntry, read_manifest
from cmbuild.model import Channel
from cmbuild.platforms.shared.publisher import Lookup, Publisher, PublishError
from cmbuild.push.media import load_media
from cmbuild.push.plan import Plan, held_by_veille, make_plan
from cmbuild.push.report import Outcome, Report, Row, plan_report, row_of
from cmbuild.push.retry import with_retry
from cmbuild.push.session import PushSettings, Session
from cmbuild.stores.halts import halted_by, read_halts
from cmbuild.stores.ledger import LedgerLine, LedgerWriter, Record, fold, locked, read_ledger
from cmbuild.watch.freshness import stale_watch


def inputs(settings: PushSettings) -> tuple[tuple[VariantEntry, ...], dict[str, Channel]]:
    """The manifest's variants and the channels; InputErrors if either is bad."""
    entries = read_manifest(settings.manifest_path, settings.display(settings.manifest_path))
    channels = {c.name: c for c in load_channels(settings.root)}
    unknown = [c for c in settings.channels if c not in channels]
    if unknown:
        raise InputErrors(
            [
                InputError(
                    "channels.toml",
                    f"--channel {name}: no such channel",
                    hint=f"channels: {', '.join(sorted(channels))}",
                )
                for name in unknown
            ]
        )
    return entries, channels


def plan(settings: PushSettings, horizon: timedelta | None = None) -> Report:
    """What a push would do now (and, with a horizon, what comes next): nothing is written."""
    entries, channels = inputs(settings)
    contents = read_ledger(settings.ledger_path, settings.display(settings.ledger_path))
    halts = read_halts(settings.halt_path, settings.display(settings.halt_path))
    now = _now(settings)
    records = fold(contents.lines)
    planned = make_plan(entries, records, halts, channels, now, settings.channels, horizon=horizon)
    report = plan_report(planned, "dry run" if settings.dry_run else "plan")
    report.held = list(held_by_veille(entries, records, halts))
    stale = stale_watch(settings.root, now)
    if stale is not None:
        report.notes.append(f"`cmbuild push` would refuse to run now: {stale}")
    if contents.torn:
        report.notes.append(
            f"{settings.display(settings.ledger_path)}:{contents.torn_line}: the last line was "
            "cut short by an interrupted write; the next push sets it aside"
        )
    return report


def push(settings: PushSettings, publishers: dict[str, Publisher] | None = None) -> Report:
    """Publish what is due; the report says what was published, skipped and failed, and why.

    `publishers`: the logged-in publishers a scheduled run shares between its steps."""
    if settings.dry_run:
        return plan(settings)
    refuse_rehearsal_on_the_real_ledger(settings)
    entries, channels = inputs(settings)
    stale = stale_watch(settings.root, _now(settings))
    if stale is not None:  # veille has not listened lately: nothing may go out
        raise stale
    show = settings.display
    read_halts(settings.halt_path, show(settings.halt_path))  # a bad halt file stops everything
    ledger = settings.ledger_path
    with locked(ledger, show(ledger), wait=settings.wait):
        contents = read_ledger(ledger, show(ledger))
        writer = LedgerWriter(ledger, show(ledger))
        now = _now(settings)
        report = Report(f"push at {_iso(now)}", command="push", now=now)
        note = writer.repair(contents)
        if note:
            report.notes.append(note)
        session = Session(settings, channels, writer, report, publishers)
        by_id = {e.id: e for e in entries}
        reconciled = _reconcile(session, fold(contents.lines), by_id)
        # The plan is made from the ledger as the reconcile left it.
        records = fold(read_ledger(ledger, show(ledger)).lines)
        halts = session.halts.current()
        planned = make_plan(entries, records, halts, channels, now, settings.channels, reconciled)
        _apply(session, planned)
    return report


# How far --now may be from the clock and still be taken for the clock (a time typed by hand).
CLOCK_TOLERANCE = timedelta(minutes=5)


def refuse_rehearsal_on_the_real_ledger(
    settings: PushSettings, clock: datetime | None = None
) -> None:
    """An InputError for a push at a time other than the clock's that would write the real ledger.

    Such a push would record real upcoming posts as missed, for good. The real ledger is the one
    a repository commits: ROOT/state/ledger.jsonl inside a git work tree. A rehearsal names
    another one with --ledger, or is a dry run.
    """
    if settings.now is None:
        return
    clock = clock or datetime.now(UTC)
    if abs(settings.now - clock) <= CLOCK_TOLERANCE or not is_real_ledger(settings):
        return
    raise InputError(
        "--now",
        f"{_iso(settings.now)} is not the current time ({_iso(clock)}): a push at another time "
        f"would write {settings.display(settings.ledger_path)}, the repository's real ledger, "
        "and mark real upcoming posts as missed for good; nothing was done",
        hint="add --dry-run to see what would happen then, or rehearse on a separate ledger "
        "with --ledger state/rehearsal.jsonl (what a rehearsal sends does go out)",
    )


def is_real_ledger(settings: PushSettings) -> bool:
    """Whether the push writes the ledger its repository commits."""
    default = settings.root / "state" / "ledger.jsonl"
    if settings.ledger_path.resolve() != default.resolve():
        return False
    folder = settings.root.resolve()
    return any((parent / ".git").exists() for parent in (folder, *folder.parents))


def _apply(session: Session, planned: Plan) -> None:
    session.report.counts.update(planned.counts)
    for item in planned.missed:
        session.record("failed", item.entry, code="missed", reason=item.reason)
        session.report.add("missed", item.entry, item.reason)
    for item in planned.skipped:
        session.report.add("skipped", item.entry, item.reason)
    for item in planned.due:
        _publish(session, item.entry)


def _publish(session: Session, entry: VariantEntry) -> None:
    report = session.report
    halt = halted_by(session.halts.current(), entry)
    if halt is not None:
        report.add("skipped", entry, halt.describe())
        return
    if entry.channel in session.stopped:
        report.add("failed", entry, f"not attempted: {session.stopped[entry.channel]}")
        return
    try:
        publisher = session.publisher(entry.channel)
        media = load_media(entry, session.settings.output_dir, session.settings.root)
    except PublishError as error:
        _failed(session, entry, error, record=False)
        return
    pending = session.record("pending", entry)
    lookup = Lookup(entry.idempotency_key, entry.id, entry.text_sha256, pending.at)
    try:
        receipt = with_retry(
            session.settings.retry,
            session.guarded(functools.partial(publisher.publish, entry, media)),
            check=session.guarded(functools.partial(publisher.find, lookup))
            if publisher.can_find
            else None,
            resend_is_safe=publisher.resend_is_safe,
        )
    except PublishError as error:
        _failed(session, entry, error, record=True, publisher=publisher)
        return
    session.sent()
    session.record(
        "published",
        entry,
        remote_id=receipt.remote_id,
        url=receipt.url,
        published_at=receipt.published_at or datetime.now(UTC).replace(microsecond=0),
    )
    report.add("published", entry, receipt.url or receipt.remote_id)


def _failed(
    session: Session,
    entry: VariantEntry,
    error: PublishError,
    *,
    record: bool,
    publisher: Publisher | None = None,
) -> None:
    reason = session.redact(error.message)
    if error.kind == "ambiguous" and publisher is not None:
        # The pending line stays: the next push reconciles it before anything is sent again.
        if publisher.can_find:
            reason += "; the next push checks the platform before sending again"
        elif publisher.resend_is_safe:
            reason += "; the next push sends it again with the same idempotency key"
        else:
            reason += f"; {_unconfirmed_hint(entry.id)}"
    elif record:
        session.record("failed", entry, code=error.kind, reason=reason)
    if error.kind in ("auth", "config"):
        session.stop(entry.channel, reason)
    session.report.add("failed", entry, reason)


def _reconcile(
    session: Session, records: Mapping[str, Record], by_id: dict[str, VariantEntry]
) -> set[str]:
    """Settle the sends interrupted earlier; the variants found published (and reported)."""
    only = session.settings.channels
    reconciled: set[str] = set()
    for record in records.values():
        line = record.last
        if record.state != "pending" or (only and line.channel not in only):
            continue
        entry = by_id.get(line.variant)
        try:
            publisher = session.publisher(line.channel)
            if line.in_reply_to is not None and not publisher.can_find:
                # An answer the posts' lookup cannot find: its own lookup, which has the item
                # it answers, settles it when it is sent again (a replies/ file, `cmbuild reply`).
                continue
            if publisher.can_find:
                lookup = Lookup(line.idempotency_key, line.variant, line.text_sha256, line.at)
                find = session.guarded(functools.partial(publisher.find, lookup))
                found = with_retry(session.settings.retry, find)
            elif publisher.resend_is_safe:
                session.record_after("failed", line, code="unconfirmed", reason=_RESEND)
                continue
            else:
                session.report.add_row(
                    _ledger_row("failed", line, entry, _unconfirmed_hint(line.variant))
                )
                continue
        except PublishError as error:
            reason = f"cannot check an interrupted send: {session.redact(error.message)}"
            if error.kind in ("auth", "config"):
                session.stop(line.channel, reason)
            session.report.add_row(_ledger_row("failed", line, entry, reason))
            continue
        if found is None:
            session.record_after("failed", line, code="not-sent", reason=_NOT_FOUND)
            continue
        published = found.published_at or line.at
        session.record_after(
            "reconciled", line, remote_id=found.remote_id, url=found.url, published_at=published
        )
        session.report.add_row(
            _ledger_row("reconciled", line, entry, "sent before an interruption; now recorded")
        )
        reconciled.add(line.variant)
    return reconciled


_RESEND = "interrupted send, unconfirmed: sent again with the same idempotency key"
_NOT_FOUND = "interrupted send: not on the platform, so it was not sent"


def _unconfirmed_hint(variant: str) -> str:
    return (
        "may or may not have been sent (it cannot be checked automatically): check, then run "
        f"`cmbuild resolve {variant} --sent` or `--not-sent`"
    )


def _ledger_row(outcome: Outcome, line: LedgerLine, entry: VariantEntry | None, detail: str) -> Row:
    if entry is not None:
        return row_of(outcome, entry, detail)
    scheduled = entry.scheduled.astimezone(UTC).strftime("%Y-%m-%d %H:%MZ") if entry else ""
    return Row(outcome, line.channel, line.variant, line.post or "", scheduled, detail)


def _now(settings: PushSettings) -> datetime:
    return settings.now if settings.now is not None else datetime.now(UTC).replace(microsecond=0)


def _iso(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
