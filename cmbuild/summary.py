"""What a build produced, per channel, and what it found: the build summary the CLI shows."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cached_property
from typing import Any

from cmbuild.model import Finding, Placed, Post
from cmbuild.write.manifest import is_publishable


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
    variants: Iterable[Placed],
    extra_findings: Iterable[Finding],
    drafts: Iterable[Post | tuple[str, str]],
    platforms_by_channel: dict[str, str],
    post_count: int,
) -> Summary:
    listed = list(variants)
    findings = sorted(
        set(extra_findings) | {f for v in listed for f in v.findings}, key=Finding.sort_key
    )
    channels = []
    for name in sorted(platforms_by_channel):
        mine = [v for v in listed if v.channel == name]
        mine_findings = [f for f in findings if f.channel == name]
        channels.append(
            ChannelSummary(
                name=name,
                platform=platforms_by_channel[name],
                variants=sum(1 for v in mine if v.status != "draft"),
                drafts=sum(1 for v in mine if v.status == "draft"),
                publishable=sum(1 for v in mine if is_publishable(v)),
                errors=sum(1 for f in mine_findings if f.severity == "error"),
                warnings=sum(1 for f in mine_findings if f.severity == "warning"),
            )
        )
    draft_list = sorted(
        (d.source, d.title) if isinstance(d, Post) else (d[0], d[1]) for d in drafts
    )
    return Summary(
        posts=post_count,
        variants=sum(1 for v in listed if v.status != "draft"),
        publishable=sum(1 for v in listed if is_publishable(v)),
        channels=tuple(channels),
        drafts=tuple(draft_list),
        findings=tuple(findings),
    )
