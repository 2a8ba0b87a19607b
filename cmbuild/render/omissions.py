"""What the template filters left out of a variant, as findings that show the words lost.

Nothing of the writer's words leaves the variant silently: a text `fit` shortened is a warning
quoting what was cut, hashtags over a cap are named, and a template that leaves no room for the
text at all is an error on the post's `tags:` line (the usual cause) rather than a crash.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace

from cmbuild.model import Channel, Charter, Finding, Post
from cmbuild.platforms.base import Platform
from cmbuild.render.templates import Omission

# Longer cuts are quoted by their start and end, with the number of words in between.
QUOTE_LIMIT = 160


def omission_findings(
    post: Post,
    channel: Channel,
    platform: Platform,
    charter: Charter,
    omissions: Sequence[Omission],
) -> list[Finding]:
    """One finding per thing left out of `post`'s variant for `channel`.

    The charter's `[severity]` may change a cut's (warning) or dropped hashtags' (info); a text
    with no room left is always an error.
    """
    findings = []
    for omission in omissions:
        if omission.kind == "cut":
            finding = _cut(post, channel, platform, omission)
        elif omission.kind == "hashtags":
            finding = _hashtags(post, channel, platform, omission)
        else:
            findings.append(_no_room(post, channel, platform, omission))
            continue
        findings.append(replace(finding, severity=charter.severity(finding.rule, finding.severity)))
    return findings


def quote(words: str) -> str:
    """`words` on one line, in « », shortened in the middle when long (the count says how much)."""
    flat = words.split()
    if len(" ".join(flat)) <= QUOTE_LIMIT:
        return f"« {' '.join(flat)} »"
    head = _leading(flat, QUOTE_LIMIT * 2 // 3)
    tail = _leading(flat[::-1], QUOTE_LIMIT // 3)[::-1]
    hidden = len(flat) - len(head) - len(tail)
    return f"« {' '.join(head)} […{hidden} more words…] {' '.join(tail)} »"


def _leading(words: list[str], width: int) -> list[str]:
    """The first `words` (at least one) that fit in `width` characters with their spaces."""
    taken: list[str] = []
    used = -1
    for word in words:
        used += len(word) + 1
        if taken and used > width:
            break
        taken.append(word)
    return taken


def _cut(post: Post, channel: Channel, platform: Platform, omission: Omission) -> Finding:
    words = len(omission.lost.split())
    return Finding(
        rule="text.cut",
        severity="warning",
        message=(
            f"the text was cut to fit {omission.limit} {platform.unit} on {platform.label}; "
            f"{words} word{'s' if words != 1 else ''} left out: {quote(omission.lost)}"
        ),
        file=post.source,
        line=post.body_line,
        channel=channel.name,
        hint=(
            f"write a shorter `text:` for {channel.name} under `channels:` in the front matter, "
            "so that you choose what is said (your own `text:` is never cut)"
        ),
    )


def _hashtags(post: Post, channel: Channel, platform: Platform, omission: Omission) -> Finding:
    dropped = omission.lost.split()
    return Finding(
        rule="text.hashtags-dropped",
        severity="info",
        message=(
            f"{len(dropped)} hashtag{'s' if len(dropped) != 1 else ''} left out on "
            f"{platform.label} (at most {omission.limit} here): {' '.join(dropped)}"
        ),
        file=post.source,
        line=post.line_of("tags"),
        channel=channel.name,
        hint=f"the first tags are kept: put the ones that matter most for {channel.name} first",
    )


def _no_room(post: Post, channel: Channel, platform: Platform, omission: Omission) -> Finding:
    on_tags = bool(post.tags) and post.line_of("tags") is not None
    what = "the hashtags, link and disclosure" if on_tags else "the link and disclosure"
    return Finding(
        rule="text.no-room",
        severity="error",
        message=f"no room is left for the text on {platform.label}: {what} "
        + (
            f"alone are {-omission.limit} {platform.unit} over the limit"
            if omission.limit < 0
            else f"leave {omission.limit} {platform.unit}, not enough for a word"
        ),
        file=post.source,
        line=post.line_of("tags") if on_tags else post.body_line,
        channel=channel.name,
        hint=("use fewer or shorter `tags:`" if on_tags else "shorten the link or the disclosure"),
    )
