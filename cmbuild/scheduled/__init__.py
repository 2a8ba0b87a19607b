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
from cmbuild.watch.run import WatchResult

# The steps, in the order a scheduled run takes them. Listening comes first: a crisis halts a
# campaign before its next post goes out; the community inbox comes last, after collect.
STEPS = ("watch", "push", "collect", "inbox")


@dataclass
class RunReport:
    watch: WatchResult | None = None
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
    watch: Callable[[], WatchResult] | None = None,
) -> RunReport:
    """Each step of STEPS not in `skip`, in order, with one publisher per channel for all.

    `watch` is the listening step, None when the repository has no brand/watch.toml (then it is
    not run, and not listed as skipped: there is nothing to skip).
    """
    shared: dict[str, Publisher] = {} if publishers is None else publishers
    if watch is None:
        skip = (*skip, "watch")
    report = RunReport(skipped=[s for s in STEPS if s in skip and (s != "watch" or watch)])
    steps: dict[str, Callable[[], None]] = {
        "watch": lambda: setattr(report, "watch", watch() if watch else None),
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
