"""The preview's post pages: variants grouped by post, each page named, and findings linked.

What the pages are, before any is rendered (site.py renders them): a page per post with its
variants in calendar order, a file name that is its slug when the slug is safe, its neighbours in
time, and every finding of the build linked to the card (or the post) it concerns.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from zoneinfo import ZoneInfo

from cmbuild.build.summary import Summary
from cmbuild.model import Finding
from cmbuild.preview import calendar
from cmbuild.preview.cards import Card
from cmbuild.preview.shown import Shown

POSTS_DIR = "preview/posts"
_SAFE_SLUG = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,120}")


@dataclass(frozen=True)
class PostPage:
    source: str
    title: str
    path: str  # output-relative
    variants: tuple[Shown, ...]  # in calendar order
    findings: tuple[Finding, ...] = ()  # findings on the post itself, not on one variant
    cards: tuple[Card, ...] = field(default=())
    when: str = ""  # its first time, as cards show it

    @property
    def first(self) -> datetime:
        return self.variants[0].scheduled

    @property
    def campaign(self) -> str | None:
        return next((v.campaign for v in self.variants if v.campaign), None)

    @property
    def tags(self) -> tuple[str, ...]:
        return self.variants[0].tags

    @property
    def statuses(self) -> list[str]:
        return sorted({v.status for v in self.variants})

    @property
    def finding_count(self) -> int:
        return len(self.findings) + sum(len(v.findings) for v in self.variants)


@dataclass(frozen=True)
class FindingRow:
    finding: Finding
    href: str | None  # relative to the findings page
    title: str | None


def post_pages(variants: Sequence[Shown], findings: list[Finding], zone: str) -> list[PostPage]:
    grouped: dict[str, list[Shown]] = {}
    for variant in sorted(variants, key=lambda v: (v.scheduled, v.channel, v.id)):
        grouped.setdefault(variant.source, []).append(variant)
    by_file: dict[str, list[Finding]] = {}
    for finding in findings:
        by_file.setdefault(finding.file, []).append(finding)
    taken: set[str] = set()
    pages = []
    for source, listed in grouped.items():
        on_variants = {f for v in listed for f in v.findings}
        own = tuple(f for f in by_file.get(source, ()) if f not in on_variants)
        name = _page_name(listed[0].slug, source, taken)
        path = f"{POSTS_DIR}/{name}.html"
        local = listed[0].scheduled.astimezone(ZoneInfo(zone))
        when = f"{calendar.long_date(local.date())}, {local.strftime('%H:%M')}"
        pages.append(PostPage(source, listed[0].title, path, tuple(listed), own, when=when))
    pages.sort(key=lambda p: (p.first, p.source))
    return pages


def _page_name(slug: str, source: str, taken: set[str]) -> str:
    name = slug if _SAFE_SLUG.fullmatch(slug) else "post"
    if name in taken or name != slug:
        name = f"{name}-{hashlib.sha256(source.encode()).hexdigest()[:10]}"
    taken.add(name)
    return name


def neighbours_of(pages: list[PostPage], index: int) -> tuple[PostPage | None, PostPage | None]:
    before = pages[index - 1] if index > 0 else None
    after = pages[index + 1] if index + 1 < len(pages) else None
    return before, after


def all_findings(variants: Sequence[Shown], summary: Summary) -> list[Finding]:
    """The build's findings: the summary's and every variant's, once each, in report order."""
    found = set(summary.findings) | {f for v in variants for f in v.findings}
    return sorted(found, key=Finding.sort_key)


def finding_rows(findings: list[Finding], pages: list[PostPage]) -> list[FindingRow]:
    """Every finding, each linked to the card (or the post) it concerns."""
    rows = []
    for finding in findings:
        href = title = None
        for page in pages:
            if page.source != finding.file:
                continue
            title = page.title
            href = page.path.removeprefix("preview/")
            target = next((v for v in page.variants if finding in v.findings), None)
            if target is None and finding.channel is not None:
                target = next((v for v in page.variants if v.channel == finding.channel), None)
            if target is not None:
                href += f"#v-{target.id}"
            break
        rows.append(FindingRow(finding, href, title))
    return rows
