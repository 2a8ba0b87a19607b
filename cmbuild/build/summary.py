"""What a build produced, per channel, and what it found: the build summary the CLI shows."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from functools import cached_property
from typing import Any

from cmbuild.manifest.writer import is_publishable
from cmbuild.model import Finding, Placed, Post


@dataclass(frozen=True)
class ChannelSummary:
    name: str
    platform: str
    variants: int
    drafts: int
    publishable: int
    errors: int
    warnings: int


@dataclass(frozen=True)
class Summary:
    posts: int
    variants: int
    publishable: int
    channels: tuple[ChannelSummary, ...]
    drafts: tuple[tuple[str, str], ...]  # (source, title)
    findings: tuple[Finding, ...]

    def count(self, severity: str) -> int:
        return self._counts.get(severity, 0)

    @cached_property
    def _counts(self) -> dict[str, int]:
        return dict(Counter(f.severity for f in self.findings))

    def with_findings(self, findings: Sequence[Finding]) -> Summary:
        """This summary with `findings` added (and counted on their channels)."""
        if not findings:
            return self
        counts = Counter((f.channel, f.severity) for f in findings)
        channels = tuple(
            replace(
                c,
                errors=c.errors + counts[(c.name, "error")],
                warnings=c.warnings + counts[(c.name, "warning")],
            )
            for c in self.channels
        )
        merged = tuple(sorted({*self.findings, *findings}, key=Finding.sort_key))
        return replace(self, findings=merged, channels=channels)

    def to_dict(self) -> dict[str, Any]:
        return {
            "posts": self.posts,
            "variants": self.variants,
            "publishable": self.publishable,
            "channels": [vars(c) for c in self.channels],
            "drafts": [{"source": s, "title": t} for s, t in self.drafts],
            "findings": [f.to_dict() for f in self.findings],
            "errors": self.count("error"),
            "warnings": self.count("warning"),
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Summary:
        return cls(
            posts=data["posts"],
            variants=data["variants"],
            publishable=data["publishable"],
            channels=tuple(ChannelSummary(**c) for c in data["channels"]),
            drafts=tuple((d["source"], d["title"]) for d in data["drafts"]),
            findings=tuple(Finding.from_dict(f) for f in data["findings"]),
        )


def summarize(
    variants: Sequence[Placed],
    extra_findings: Iterable[Finding],
    drafts: Iterable[Post | tuple[str, str]],
    platforms_by_channel: dict[str, str],
    post_count: int,
) -> Summary:
    findings = sorted(
        set(extra_findings) | {f for v in variants for f in v.findings}, key=Finding.sort_key
    )
    # Per channel: variants (not drafts), drafts, publishable, errors, warnings. One pass each.
    counts = {name: [0, 0, 0, 0, 0] for name in platforms_by_channel}
    for v in variants:
        mine = counts.get(v.channel)
        if mine is None:
            continue
        if v.status == "draft":
            mine[1] += 1
        else:
            mine[0] += 1
            mine[2] += is_publishable(v)
    for f in findings:
        mine = counts.get(f.channel or "")
        if mine is not None and f.severity in ("error", "warning"):
            mine[3 if f.severity == "error" else 4] += 1
    channels = [
        ChannelSummary(
            name=name,
            platform=platforms_by_channel[name],
            variants=counts[name][0],
            drafts=counts[name][1],
            publishable=counts[name][2],
            errors=counts[name][3],
            warnings=counts[name][4],
        )
        for name in sorted(platforms_by_channel)
    ]
    draft_list = sorted(
        (d.source, d.title) if isinstance(d, Post) else (d[0], d[1]) for d in drafts
    )
    return Summary(
        posts=post_count,
        variants=sum(1 for v in variants if v.status != "draft"),
        publishable=sum(1 for v in variants if v.status != "draft" and is_publishable(v)),
        channels=tuple(channels),
        drafts=tuple(draft_list),
        findings=tuple(findings),
    )


_SEVERITY_ORDER = {"error": 0, "warning": 1, "info": 2}


def grouped_findings(findings: Iterable[Finding]) -> list[tuple[Finding, tuple[str, ...]]]:
    """Each distinct finding once with the channels it was found on, errors first.

    The same problem (same file, line, rule, message and hint) met on several channels is one
    thing to fix: the report shows it once, naming the channels.
    """
    groups: dict[Finding, set[str]] = {}
    for finding in findings:
        channels = groups.setdefault(replace(finding, channel=None), set())
        if finding.channel is not None:
            channels.add(finding.channel)
    ordered = sorted(
        groups.items(),
        key=lambda item: (_SEVERITY_ORDER.get(item[0].severity, 3), item[0].sort_key()),
    )
    return [(finding, tuple(sorted(channels))) for finding, channels in ordered]
