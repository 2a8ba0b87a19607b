"""What a change to the content repository does to the schedule, variant by variant.

Two builds are compared: variants are matched by their stable id (post path + channel), so a post
that is renamed or moved to another folder shows as removed and added. Drafts are left out, as in
the manifest: a draft that becomes `review` or `approved` enters the schedule, so it is "added".
A status change between `review` and `approved` is a change: it decides whether the post goes out.
Findings are matched by (file, channel, rule, message): line numbers are left out so that a finding
does not look new because text was inserted above it.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any, Literal

from cmbuild.build.summary import Summary
from cmbuild.model import Finding, Media, Variant

ChangeKind = Literal["added", "removed", "changed"]
RunOp = Literal["equal", "delete", "insert"]


@dataclass(frozen=True)
class WordRun:
    """Consecutive words that are the same on both sides, only in base, or only in head."""

    op: RunOp
    words: tuple[str, ...]


@dataclass(frozen=True)
class VariantChange:
    """One variant that is new, gone, or different in head."""

    kind: ChangeKind
    base: Variant | None
    head: Variant | None
    words: tuple[WordRun, ...] = ()  # the word diff of the text, when it changed

    @property
    def variant(self) -> Variant:
        """Head's variant, or base's for a removed one."""
        found = self.head or self.base
        assert found is not None
        return found

    @property
    def rescheduled(self) -> bool:
        # Aware datetimes compare as instants: a channel's zone change alone is not a move.
        return self._both and self._base.scheduled != self._head.scheduled

    @property
    def status_changed(self) -> bool:
        return self._both and self._base.status != self._head.status

    @property
    def text_changed(self) -> bool:
        return self._both and self._base.text != self._head.text

    @property
    def image_changed(self) -> bool:
        return self._both and _digests(self._base.media) != _digests(self._head.media)

    @property
    def _both(self) -> bool:
        return self.base is not None and self.head is not None

    @property
    def _base(self) -> Variant:
        assert self.base is not None
        return self.base

    @property
    def _head(self) -> Variant:
        assert self.head is not None
        return self.head

    def to_dict(self) -> dict[str, Any]:
        variant = self.variant
        data: dict[str, Any] = {
            "id": variant.id,
            "key": variant.key,
            "source": variant.source,
            "title": variant.title,
            "change": self.kind,
            "scheduled": variant.scheduled.isoformat(),
            "timezone": variant.timezone,
            "status": None,
            "rescheduled": None,
            "text": None,
            "image": None,
        }
        if self.status_changed:
            data["status"] = {"old": self._base.status, "new": self._head.status}
        if self.rescheduled:
            data["rescheduled"] = {
                "old": self._base.scheduled.isoformat(),
                "new": self._head.scheduled.isoformat(),
            }
        if self.text_changed:
            data["text"] = {
                "old": self._base.text,
                "new": self._head.text,
                "diff": [{"op": r.op, "text": " ".join(r.words)} for r in self.words],
            }
        if self.image_changed:
            data["image"] = {
                "old": [m.to_dict() for m in self._base.media],
                "new": [m.to_dict() for m in self._head.media],
            }
        return data


@dataclass(frozen=True)
class ChannelChanges:
    channel: str
    platform: str
    changes: tuple[VariantChange, ...]  # in schedule order


@dataclass(frozen=True)
class PostChanges:
    """The changes of one post, on every channel it has a change on."""

    source: str
    title: str
    changes: tuple[VariantChange, ...]  # by channel name

    @property
    def status(self) -> tuple[str, str] | None:
        """(old, new) when the post's status changed, else None."""
        for change in self.changes:
            if change.status_changed:
                assert change.base is not None and change.head is not None
                return change.base.status, change.head.status
        return None

    def to_dict(self) -> dict[str, Any]:
        status = self.status
        return {
            "source": self.source,
            "title": self.title,
            "status": {"old": status[0], "new": status[1]} if status else None,
            "channels": [c.variant.channel for c in self.changes],
        }


@dataclass(frozen=True)
class ScheduleDiff:
    """Everything that differs between the schedules of two builds."""

    channels: tuple[ChannelChanges, ...]  # only channels with a change, by name
    new_findings: tuple[Finding, ...]
    resolved_findings: tuple[Finding, ...]

    @property
    def changes(self) -> tuple[VariantChange, ...]:
        return tuple(c for channel in self.channels for c in channel.changes)

    @property
    def posts(self) -> tuple[PostChanges, ...]:
        """The changes grouped by post, in order of the post's first time, then its path."""
        by_post: dict[str, list[VariantChange]] = {}
        for change in self.changes:
            by_post.setdefault(change.variant.source, []).append(change)
        posts = [
            PostChanges(
                source,
                mine[0].variant.title,
                tuple(sorted(mine, key=lambda c: c.variant.channel)),
            )
            for source, mine in by_post.items()
        ]
        return tuple(
            sorted(posts, key=lambda p: (min(c.variant.scheduled for c in p.changes), p.source))
        )

    def counts(self) -> dict[str, int]:
        changes = self.changes
        return {
            "added": sum(1 for c in changes if c.kind == "added"),
            "removed": sum(1 for c in changes if c.kind == "removed"),
            "status_changed": sum(1 for post in self.posts if post.status),
            "rescheduled": sum(1 for c in changes if c.rescheduled),
            "text_changed": sum(1 for c in changes if c.text_changed),
            "image_changed": sum(1 for c in changes if c.image_changed),
            "new_findings": len(self.new_findings),
            "resolved_findings": len(self.resolved_findings),
        }

    def to_dict(self) -> dict[str, Any]:
        return {
            "counts": self.counts(),
            "channels": [
                {
                    "channel": c.channel,
                    "platform": c.platform,
                    "changes": [change.to_dict() for change in c.changes],
                }
                for c in self.channels
            ],
            "posts": [post.to_dict() for post in self.posts],
            "new_findings": [f.to_dict() for f in self.new_findings],
            "resolved_findings": [f.to_dict() for f in self.resolved_findings],
        }


def schedule_diff(
    base: Iterable[Variant],
    head: Iterable[Variant],
    base_summary: Summary,
    head_summary: Summary,
) -> ScheduleDiff:
    """Compare the variants and findings of two builds (base: before, head: after)."""
    old = {v.id: v for v in base if v.status != "draft"}
    new = {v.id: v for v in head if v.status != "draft"}
    changes: list[VariantChange] = []
    for variant_id in sorted(old.keys() | new.keys()):
        before, after = old.get(variant_id), new.get(variant_id)
        if before is None:
            changes.append(VariantChange("added", None, after))
        elif after is None:
            changes.append(VariantChange("removed", before, None))
        else:
            change = VariantChange("changed", before, after, word_diff(before.text, after.text))
            if (
                change.status_changed
                or change.rescheduled
                or change.text_changed
                or change.image_changed
            ):
                changes.append(change)
    by_channel: dict[str, list[VariantChange]] = {}
    for change in changes:
        by_channel.setdefault(change.variant.channel, []).append(change)
    channels = tuple(
        ChannelChanges(
            channel=name,
            platform=mine[0].variant.platform,
            changes=tuple(sorted(mine, key=lambda c: (c.variant.scheduled, c.variant.source))),
        )
        for name, mine in sorted(by_channel.items())
    )
    return ScheduleDiff(
        channels=channels,
        new_findings=_missing_from(head_summary.findings, base_summary.findings),
        resolved_findings=_missing_from(base_summary.findings, head_summary.findings),
    )


def word_diff(old: str, new: str) -> tuple[WordRun, ...]:
    """The runs of words kept, deleted and inserted from `old` to `new` (spacing ignored).

    Empty when the words are the same (or the texts equal): only spacing or line breaks changed.
    """
    before, after = old.split(), new.split()
    if before == after:
        return ()
    # autojunk would drop frequent words ("de", "la") from long texts and give a poorer diff.
    matcher = difflib.SequenceMatcher(a=before, b=after, autojunk=False)
    runs: list[WordRun] = []
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        if tag == "equal":
            runs.append(WordRun("equal", tuple(before[i1:i2])))
            continue
        if i2 > i1:
            runs.append(WordRun("delete", tuple(before[i1:i2])))
        if j2 > j1:
            runs.append(WordRun("insert", tuple(after[j1:j2])))
    return tuple(runs)


def _digests(media: tuple[Media, ...]) -> tuple[str, ...]:
    return tuple(m.sha256 for m in media)


def _finding_key(finding: Finding) -> tuple[str, str, str, str]:
    return (finding.file, finding.channel or "", finding.rule, finding.message)


def _missing_from(findings: Iterable[Finding], other: Iterable[Finding]) -> tuple[Finding, ...]:
    """The findings whose (file, channel, rule, message) is not among `other`'s."""
    known = {_finding_key(f) for f in other}
    return tuple(
        sorted((f for f in findings if _finding_key(f) not in known), key=Finding.sort_key)
    )
