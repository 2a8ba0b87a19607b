"""`cmbuild run`: the scheduled steps in order, sharing one logged-in session per account.

A platform limits logins (Bluesky: 30 per account per 5 minutes, 300 a day), and a CI job that
runs push and collect every few minutes, each logging in, would exceed that. `run` gives every
step the same publishers: a channel's publisher is built, and logs in, only when a step has
work for it, and the next step reuses it.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from cmbuild.collect.run import CollectReport, CollectSettings, Progress, collect
from cmbuild.inbox.fetch import InboxRun, InboxSettings, read_inbox
from cmbuild.platforms.shared.publisher import Publisher
from cmbuild.push.apply import push
from cmbuild.push.report import Report
from cmbuild.push.session import PushSettings

# The steps, in the order a scheduled run takes them. Listening (`watch`, before push: a crisis
# halts a campaign before its next post) and the community inbox (`inbox`, after collect) come
# in here when cmbuild has them.
STEPS = ("push", "collect")


@dataclass
class RunReport:
    push: Report | None = None
    collect: CollectReport | None = None
    inbox: InboxRun | None = None
    skipped: list[str] = field(default_factory=list)
    logins: int = 0  # publishers built, each at most one login


def run_steps(
    push_settings: PushSettings,
    collect_settings: CollectSettings,
    skip: Sequence[str] = (),
    progress: Progress | None = None,
    publishers: dict[str, Publisher] | None = None,
) -> RunReport:
    """Each step of STEPS not in `skip`, in order, with one publisher per channel for all."""
    shared: dict[str, Publisher] = {} if publishers is None else publishers
    report = RunReport(skipped=[s for s in STEPS if s in skip])
    steps: dict[str, Callable[[], None]] = {
        "push": lambda: setattr(report, "push", push(push_settings, shared)),
        "collect": lambda: setattr(report, "collect", collect(collect_settings, shared, progress)),
        "inbox": lambda: setattr(report, "inbox", read_inbox(_inbox(collect_settings), shared)),
    }
    for name in STEPS:
        if name not in skip:
            steps[name]()
    report.logins = len(shared)
    return report


def _inbox(settings: CollectSettings) -> InboxSettings:
    return InboxSettings(
        settings.root,
        now=settings.now,
        timeout=settings.timeout,
        retry=settings.retry,
        environ=settings.environ,
    )
