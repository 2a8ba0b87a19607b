"""What one push (or retract) works with: its settings, channels, publishers, ledger and report.

Passed explicitly to every step; nothing here is global. Every message that leaves a session, to
the report or to the ledger, goes through the session's redactor first.
"""

from __future__ import annotations

import functools
import os
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any, TypeVar

from cmbuild.layout import DEFAULT_OUTPUT, HALT_FILE, LEDGER_FILE, MANIFEST_FILE
from cmbuild.manifest.reader import VariantEntry
from cmbuild.model import Channel
from cmbuild.platforms import NoPublisher, publisher_class
from cmbuild.platforms.shared.publisher import Publisher, PublisherContext, PublishError
from cmbuild.push.report import Report
from cmbuild.push.retry import RetryPolicy
from cmbuild.push.secrets import Redactor, read_credentials
from cmbuild.stores.halts import HaltWatch
from cmbuild.stores.ledger import Kind, LedgerLine, LedgerWriter, now_utc

T = TypeVar("T")


@dataclass(frozen=True)
class PushSettings:
    """Where things are and how a push behaves. Paths as the user gave them (for messages)."""

    root: Path = Path(".")
    manifest: Path | None = None  # default: ROOT/output/manifest.json
    ledger: Path | None = None  # default: ROOT/state/ledger.jsonl
    halt_file: Path | None = None  # default: ROOT/state/halt.toml
    now: datetime | None = None  # default: the clock
    channels: tuple[str, ...] = ()  # only these channels (default: all)
    dry_run: bool = False
    wait: bool = False  # wait for another push to finish instead of refusing
    timeout: float = 30.0  # seconds, for every call to a platform
    retry: RetryPolicy = field(default_factory=RetryPolicy)
    environ: Mapping[str, str] = field(default_factory=lambda: os.environ)

    @property
    def manifest_path(self) -> Path:
        return self.manifest or self.root / DEFAULT_OUTPUT / MANIFEST_FILE

    @property
    def ledger_path(self) -> Path:
        return self.ledger or self.root / LEDGER_FILE

    @property
    def halt_path(self) -> Path:
        return self.halt_file or self.root / HALT_FILE

    @property
    def output_dir(self) -> Path:
        return self.manifest_path.parent

    def display(self, path: Path) -> str:
        """`path` as messages show it: relative to the repository when it is inside it."""
        try:
            return path.relative_to(self.root).as_posix()
        except ValueError:
            return str(path)


class Session:
    """One push: publishers built on first use, channels stopped on auth errors, the ledger."""

    def __init__(
        self,
        settings: PushSettings,
        channels: Mapping[str, Channel],
        writer: LedgerWriter | None,
        report: Report,
        publishers: dict[str, Publisher] | None = None,
    ) -> None:
        """`publishers`: the logged-in publishers of a scheduled run, shared by its steps (one
        session per account); a push alone starts with none."""
        self.settings = settings
        self.channels = channels
        self.writer = writer
        self.report = report
        self.redact = Redactor()
        # Every secret of every channel is known to the redactor before anything is reported:
        # a server may quote another channel's secret in an error.
        for channel in channels.values():
            for _, variable in channel.credentials:
                self.redact.add(settings.environ.get(variable, ""))
        if report is not None:  # a session that only builds publishers has no report
            report.redact = self.redact
        self.halts = HaltWatch(settings.halt_path, settings.display(settings.halt_path))
        self.stopped: dict[str, str] = {}  # channel -> why nothing more is sent to it
        self._publishers: dict[str, Publisher] = {} if publishers is None else publishers
        self.sends = 0  # sends that returned in this session

    def publisher(self, channel_name: str) -> Publisher:
        """The channel's publisher; a `config` PublishError if it cannot have one."""
        if channel_name in self._publishers:
            return self._publishers[channel_name]
        channel = self.channels.get(channel_name)
        if channel is None:
            raise PublishError(f"channel {channel_name} is not in channels.toml", "config")
        try:
            kind = publisher_class(channel)
        except NoPublisher as error:
            raise PublishError(str(error), "config") from None
        credentials = read_credentials(
            channel, kind.required_credentials, self.settings.environ, self.redact
        )
        context = PublisherContext(
            channel=channel,
            credentials=credentials,
            root=self.settings.root,
            timeout=self.settings.timeout,
            sleep=self.settings.retry.sleep,
            redact=self.redact,
        )
        publisher = self.guarded(functools.partial(kind, context))()  # its errors redacted too
        self._publishers[channel_name] = publisher
        return publisher

    def record(self, kind: Kind, entry: VariantEntry, **fields: Any) -> LedgerLine:
        """Append a line about `entry` to the ledger (fsync'd before this returns)."""
        line = LedgerLine(
            kind=kind,
            variant=entry.id,
            channel=entry.channel,
            platform=entry.platform,
            campaign=entry.campaign,
            post=entry.source,
            content_hash=entry.content_hash,
            idempotency_key=entry.idempotency_key,
            text_sha256=entry.text_sha256,
            at=now_utc(),
            **self._clean(fields),
        )
        assert self.writer is not None, "a session without a ledger records nothing"
        self.writer.append(line)
        return line

    def record_after(self, kind: Kind, previous: LedgerLine, **fields: Any) -> LedgerLine:
        """Append a line continuing `previous` (same variant), when the manifest may lack it."""
        update = {"kind": kind, "at": now_utc(), "code": None, "reason": None}
        line = previous.model_copy(update={**update, **self._clean(fields)})
        assert self.writer is not None, "a session without a ledger records nothing"
        self.writer.append(line)
        return line

    def guarded(self, action: Callable[[], T]) -> Callable[[], T]:
        """`action`, with whatever it raises turned into a PublishError free of secrets.

        A publisher quotes what servers answer, and a server may echo a token: every error
        message is redacted here, before anything can print, record or re-raise it.
        """

        def run() -> T:
            try:
                return action()
            except PublishError as error:
                raise PublishError(
                    self.redact(error.message),
                    error.kind,
                    status=error.status,
                    retry_after=error.retry_after,
                ) from None
            except Exception as error:  # a bug in one publisher must not stop the others
                message = f"unexpected error: {type(error).__name__}: {error}"
                raise PublishError(self.redact(message)) from None

        return run

    def stop(self, channel: str, why: str) -> None:
        self.stopped.setdefault(channel, why)

    def sent(self) -> None:
        """Called right after each send returns, before the ledger records it."""
        self.sends += 1

    def _clean(self, fields: dict[str, Any]) -> dict[str, Any]:
        return {k: self.redact(v) if isinstance(v, str) else v for k, v in fields.items()}
