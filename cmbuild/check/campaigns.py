"""Campaign names that look like a misspelling of another: `noel2026` beside `noel-2026`.

A campaign is only a name written in each post, so a typo silently makes a campaign of its own:
`cmbuild halt --campaign noel-2026` would not stop that post, and the calendar would not group it.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping, Sequence
from typing import Protocol

from cmbuild.errors import did_you_mean
from cmbuild.model import Finding, Post

RULE = "post.campaign"


class _Row(Protocol):
    @property
    def source(self) -> str: ...
    @property
    def channel(self) -> str: ...
    @property
    def campaign(self) -> str | None: ...


def campaign_typos(rows: Sequence[_Row], posts: Mapping[str, Post]) -> list[Finding]:
    """A warning on each variant of a post whose campaign no other post has, near one more used."""
    sources: dict[str, set[str]] = defaultdict(set)
    for row in rows:
        if row.campaign:
            sources[row.campaign].add(row.source)
    found = []
    for row in rows:
        if not row.campaign or len(sources[row.campaign]) != 1:
            continue
        # Only names with the same digits: noel-2025 beside noel-2026 is another year, not a typo.
        digits = _digits(row.campaign)
        busier = [n for n, used in sources.items() if len(used) > 1 and _digits(n) == digits]
        close = did_you_mean(row.campaign, busier)
        if not close:
            continue
        post = posts.get(row.source)
        found.append(
            Finding(
                rule=RULE,
                severity="warning",
                message=f"campaign {row.campaign!r} is used by no other post{close}",
                file=row.source,
                line=post.line_of("campaign") if post is not None else None,
                channel=row.channel,
                hint="write the campaign exactly as in its other posts, so that "
                "`cmbuild halt --campaign` and the calendar include this one",
            )
        )
    return found


def _digits(name: str) -> str:
    return "".join(c for c in name if c.isdigit())
