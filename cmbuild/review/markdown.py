"""A schedule diff as Markdown, to post as a pull-request comment (GitHub-flavoured Markdown).

Post text is escaped so that it shows as written: no stray emphasis or links, and above all no
notifications. On GitHub `@name` in a comment pings that GitHub user and `#123` links issue 123,
so a zero-width space is put after every `@` and after a `#` followed by a digit.
"""

from __future__ import annotations

import re
from datetime import datetime

from cmbuild.model import Finding, Media
from cmbuild.review.compare import Review, Side
from cmbuild.review.diff import PostChanges, VariantChange, WordRun

CONTEXT_WORDS = 5  # unchanged words kept on each side of a change
_WEEKDAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")  # not strftime: locale-free
_SPECIAL = re.compile(r"[\\`*~\[\]<]|&(?=#?\w+;)|(?<!\w)_|_(?!\w)")
_PINGS = re.compile(r"@|#(?=\d)")
_ZERO_WIDTH_SPACE = "&#8203;"
_HEADERS = {
    "added": "added",
    "removed": "removed",
    "status_changed": "status changed",
    "rescheduled": "rescheduled",
    "text_changed": "text changed",
    "image_changed": "image changed",
    "new_findings": "new findings",
    "resolved_findings": "resolved findings",
}


def render(review: Review) -> str:
    """The whole comment: title, counts, changes per post, new and resolved findings."""
    diff = review.diff
    lines = [
        f"## Schedule changes: {_code(review.base.label)} → {_side(review.head)}",
        "",
        *_counts(diff.counts()),
        "",
    ]
    if not diff.channels:
        lines += ["No change to the schedule.", ""]
    for post in diff.posts:
        lines += [f"### {_code(post.source)} “{escape(post.title)}”", "", *_post(post), ""]
    for title, findings, hints in (
        ("New findings", diff.new_findings, True),
        ("Resolved findings", diff.resolved_findings, False),
    ):
        if findings:
            lines += [f"### {title} ({len(findings)})", ""]
            lines += [_finding(f, hint=hints) for f in findings]
            lines.append("")
    return "\n".join(lines).rstrip("\n") + "\n"


def _post(post: PostChanges) -> list[str]:
    """The post's status line, then each change once, with the channels it is on."""
    lines = [_status(post)] if post.status else []
    grouped: dict[tuple[str, str], list[str]] = {}
    for change in post.changes:
        for label, detail in _facts(change):
            grouped.setdefault((label, detail), []).append(change.variant.channel)
    for (label, detail), channels in grouped.items():
        lines.append(f"- **{label}** on {', '.join(channels)}{': ' if detail else ''}{detail}")
    return lines


def _status(post: PostChanges) -> str:
    assert post.status is not None
    old, new = post.status
    heads = [c.head for c in post.changes if c.status_changed and c.head is not None]
    first = min(heads, key=lambda v: v.scheduled)
    where = _channels(len(heads))
    if new == "approved":
        return (
            f"- **now approved** (was {old}): goes out {_when(first.scheduled, first.timezone)}"
            f" on {where}"
        )
    return (
        f"- **now {new}** (was {old}): will not go out until approved again"
        f" (was due {_when(first.scheduled, first.timezone)} on {where})"
    )


def _channels(count: int) -> str:
    return "1 channel" if count == 1 else f"{count} channels"


def escape(text: str) -> str:
    """`text` shown literally in GitHub Markdown, on one line, without mentions or references."""
    text = " ".join(text.split())
    text = _SPECIAL.sub(lambda m: "\\" + m.group(), text)
    return _PINGS.sub(lambda m: m.group() + _ZERO_WIDTH_SPACE, text)


def words(runs: tuple[WordRun, ...]) -> str:
    """A compact word diff: `~~deleted~~ **inserted**`, long unchanged stretches cut to `…`."""
    parts = []
    last = len(runs) - 1
    for index, run in enumerate(runs):
        text = escape(" ".join(run.words))
        if run.op == "delete":
            parts.append(f"~~{text}~~")
        elif run.op == "insert":
            parts.append(f"**{text}**")
        else:
            parts.append(_context(run.words, keep_start=index > 0, keep_end=index < last))
    return " ".join(parts)


def _context(kept: tuple[str, ...], *, keep_start: bool, keep_end: bool) -> str:
    head = kept[:CONTEXT_WORDS] if keep_start else ()
    tail = kept[-CONTEXT_WORDS:] if keep_end else ()
    if len(head) + len(tail) >= len(kept):
        return escape(" ".join(kept))
    shown = [escape(" ".join(head))] if head else []
    shown.append("…")
    if tail:
        shown.append(escape(" ".join(tail)))
    return " ".join(shown)


def _counts(counts: dict[str, int]) -> list[str]:
    return [
        "| " + " | ".join(_HEADERS[name] for name in counts) + " |",
        "|" + "---:|" * len(counts),
        "| " + " | ".join(str(n) for n in counts.values()) + " |",
    ]


def _facts(change: VariantChange) -> list[tuple[str, str]]:
    """What changed on one channel, as (label, detail) pairs that other channels may share."""
    variant = change.variant
    if change.kind == "added":
        return [("added", _when(variant.scheduled, variant.timezone))]
    if change.kind == "removed":
        return [("removed", f"was {_when(variant.scheduled, variant.timezone)}")]
    base, head = change.base, change.head
    assert base is not None and head is not None
    facts = []
    if change.rescheduled:
        if base.timezone == head.timezone:
            moved = f"{_time(base.scheduled)} → {_time(head.scheduled)} ({head.timezone})"
        else:
            moved = (
                f"{_when(base.scheduled, base.timezone)} → {_when(head.scheduled, head.timezone)}"
            )
        facts.append(("rescheduled", moved))
    if change.text_changed:
        facts.append(
            ("text", words(change.words) if change.words else "spacing or line breaks only")
        )
    if change.image_changed:
        old, new = _media(base.media), _media(head.media)
        if old == new:  # same files and sizes, new content
            digests = f"{_digests(base.media)} → {_digests(head.media)}"
            facts.append(("image", f"{new}, content changed (sha256 {digests})"))
        else:
            facts.append(("image", f"{old} → {new}"))
    return facts


def _media(media: tuple[Media, ...]) -> str:
    if not media:
        return "none"
    return ", ".join(
        _code(m.path) + (f" {m.width}×{m.height}" if m.width and m.height else "") for m in media
    )


def _digests(media: tuple[Media, ...]) -> str:
    return ", ".join(m.sha256[:8] for m in media)


def _finding(finding: Finding, *, hint: bool) -> str:
    channel = f" · {finding.channel}" if finding.channel else ""
    line = (
        f"- **{finding.severity}** {_code(finding.location())}{channel}: "
        f"{escape(finding.message)} ({_code(finding.rule)})"
    )
    if hint and finding.hint:
        line += f" — {escape(finding.hint)}"
    return line


def _time(moment: datetime) -> str:
    return f"{_WEEKDAYS[moment.weekday()]} {moment:%Y-%m-%d %H:%M}"


def _when(moment: datetime, timezone: str) -> str:
    return f"{_time(moment)} ({timezone})"


def _side(side: Side) -> str:
    return _code(side.label) if side.commit is not None else "the working tree"


def _code(text: str) -> str:
    fence = "``" if "`" in text else "`"
    pad = " " if fence == "``" else ""
    return f"{fence}{pad}{text}{pad}{fence}"
