"""The preview site: pages assembled from cards and calendar grids, rendered with Jinja.

Every page is rendered from the same inputs in a fixed order, with no clock: the same build gives
the same bytes. Links between pages are relative, so the site works from ``file://`` and from
any folder it is copied to. What the post pages are (grouping, names, finding links): pages.py.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import date
from functools import cache
from importlib import resources
from pathlib import Path

from jinja2 import Environment, PackageLoader, StrictUndefined
from markupsafe import Markup

from cmbuild import __version__, platforms
from cmbuild.build.summary import Summary
from cmbuild.model import Channel, Charter, Variant
from cmbuild.preview import calendar
from cmbuild.preview.cards import channel_colours, make_card
from cmbuild.preview.entries import DEFAULT_COLOUR, chip, entry_html
from cmbuild.preview.loop import SLOTS_PAGE, WATCH_PAGE, Views
from cmbuild.preview.media import copy_media, media_name
from cmbuild.preview.pages import (
    PostPage,
    all_findings,
    finding_rows,
    neighbours_of,
    post_pages,
)
from cmbuild.preview.shown import Shown
from cmbuild.stores.halts import Halt

INDEX = "index.html"
FINDINGS = "preview/findings.html"
STYLE = "preview/style.css"


@dataclass(frozen=True)
class Flags:
    """What a calendar entry shows besides the variant: the halts that stop it, its errors."""

    halts: tuple[Halt, ...]
    errors: int


@dataclass(frozen=True)
class Context:
    """What every page shares."""

    brand: str
    zone: str
    colours: dict[str, str]
    channels: tuple[Channel, ...]
    labels: dict[str, str]  # channel → platform label
    summary: Summary
    halts: tuple[Halt, ...]
    halted: int  # variants a halt stops
    drafts: int
    loop: bool = False  # the watch and slots pages are there (linked from every page)


@dataclass
class PageCache:
    """Post pages kept from the last build: a page whose key is unchanged is not rendered again.

    `kept` maps each page path still on disk, unchanged, to the key it was rendered with; `load`
    gives the full variants of a post (rows only say what the calendar needs). After rendering,
    `keys` holds every page's key.
    """

    kept: Mapping[str, str]
    load: Callable[[str], Sequence[Variant]]
    finals: Mapping[str, str]  # variant id -> digest of everything its card shows
    keys: dict[str, str] = field(default_factory=dict)
    # Calendar entries (month and week forms) by what they show, from the last build of a
    # long-running process; replaced by this build's.
    entries: dict[str, tuple[Markup, Markup]] = field(default_factory=dict)


def render_site(
    variants: Sequence[Shown],
    summary: Summary,
    channels: Sequence[Channel],
    charter: Charter,
    halts: tuple[Halt, ...],
    root: Path | None,
    cache: PageCache | None = None,
    views: Views | None = None,
) -> dict[str, bytes | None]:
    """Every file of the preview, by output-relative path (see `cmbuild.preview.render_preview`).

    With a `cache`, a post page whose key is in `cache.kept` maps to None: keep the file on disk.
    """
    files: dict[str, bytes | None] = dict(copy_media(variants, root))
    copied = frozenset(files)
    findings = all_findings(variants, summary)
    context = replace(_context(variants, summary, channels, charter, halts), loop=bool(views))
    pages = post_pages(variants, findings, context.zone)
    env = _environment()
    entries = calendar.entries(variants, context.zone)
    files.update(_post_page_files(env, pages, context, channels, charter, copied, cache))
    short, long = _entries(entries, pages, context, cache)
    files[INDEX] = _page(
        env,
        "index.html.j2",
        context,
        page_id="calendar",
        root="",
        months=calendar.months(entries),
        weeks=calendar.weeks(entries),
        pages=pages,
        short_of=short,
        long_of=long,
        chips_of=_chips(pages, context),
        reports=_reports(root),
        inbox=root is not None and (root / "inbox.html").is_file(),
    )
    rows = finding_rows(findings, pages)
    files[FINDINGS] = _page(
        env, "findings.html.j2", context, page_id="findings", root="../", rows=rows
    )
    if views is not None:
        files[WATCH_PAGE] = _page(
            env, "watch.html.j2", context, page_id="watch", root="../", w=views.watch
        )
        files[SLOTS_PAGE] = _page(
            env, "slots.html.j2", context, page_id="slots", root="../", s=views.slots
        )
    files[STYLE] = _asset("style.css").encode("utf-8")
    return dict(sorted(files.items()))


def _reports(output: Path | None) -> list[str]:
    """The periods `cmbuild report` wrote under output/report/, newest first (no broken link)."""
    if output is None or not (output / "report").is_dir():
        return []
    found = [p.parent.name for p in (output / "report").glob("*/index.html")]
    return sorted(found, reverse=True)


def _post_page_files(
    env: Environment,
    pages: list[PostPage],
    context: Context,
    channels: Sequence[Channel],
    charter: Charter,
    copied: frozenset[str],
    cache: PageCache | None,
) -> dict[str, bytes | None]:
    """Each post's page; with a `cache`, None for a page to keep as it is on disk."""
    files: dict[str, bytes | None] = {}
    by_name = {c.name: c for c in channels}
    shared = _context_digest(context, charter) if cache is not None else ""
    for number, page in enumerate(pages):
        neighbours = neighbours_of(pages, number)
        if cache is not None:
            key = _page_key(shared, page, neighbours, cache.finals, copied)
            cache.keys[page.path] = key
            if cache.kept.get(page.path) == key:
                files[page.path] = None
                continue
            full = {v.id: v for v in cache.load(page.source)}
            page = replace(page, variants=tuple(full[v.id] for v in page.variants))
        files[page.path] = _page(
            env,
            "post.html.j2",
            context,
            page_id="post",
            root="../../",
            page=_with_cards(page, by_name, charter, context, copied),
            neighbours=neighbours,
        )
    return files


def _chips(pages: Sequence[PostPage], context: Context) -> dict[str, Markup]:
    """Each post page's channel chips, as the calendar lists them."""
    return {
        p.path: Markup(
            "".join(
                chip(v.channel, context.colours.get(v.channel, DEFAULT_COLOUR)) + " "
                for v in p.variants
            )
        )
        for p in pages
    }


def _entries(
    entries: list[calendar.Entry], pages: list[PostPage], context: Context, cache: PageCache | None
) -> tuple[dict[date, Markup], dict[date, Markup]]:
    """Each day's calendar entries as HTML, month form and week form."""
    path_of = {v.id: p.path for p in pages for v in p.variants}
    known = cache.entries if cache is not None else {}
    made: dict[str, tuple[Markup, Markup]] = {}
    short: dict[date, list[str]] = {}
    long: dict[date, list[str]] = {}
    for e in entries:
        v = e.variant
        flags = _flags(v, context)
        colour = context.colours.get(v.channel, DEFAULT_COLOUR)
        path = path_of[v.id]
        final = cache.finals.get(v.id) if cache is not None else None
        key = f"{final}|{path}|{colour}|{flags.halts!r}|{flags.errors}|{context.zone}"
        pair = known.get(key) if final is not None else None
        if pair is None:
            drawn = [
                entry_html(
                    e,
                    halted=bool(flags.halts),
                    errors=flags.errors,
                    path=path,
                    colour=colour,
                    long=is_long,
                )
                for is_long in (False, True)
            ]
            pair = (drawn[0], drawn[1])
        if final is not None:
            made[key] = pair
        day = e.local.date()
        short.setdefault(day, []).append(pair[0])
        long.setdefault(day, []).append(pair[1])
    if cache is not None:
        cache.entries = made
    return (
        {d: Markup("".join(parts)) for d, parts in short.items()},
        {d: Markup("".join(parts)) for d, parts in long.items()},
    )


def _flags(variant: Shown, context: Context) -> Flags:
    halts = tuple(h for h in context.halts if h.matches(variant))
    return Flags(halts, sum(1 for f in variant.findings if f.severity == "error"))


def _context_digest(context: Context, charter: Charter) -> str:
    """What every post page shows besides its post (the tool's version covers the templates)."""
    data = repr(
        (
            __version__,
            context.brand,
            context.zone,
            sorted(context.colours.items()),
            context.channels,
            sorted(context.labels.items()),
            context.halts,
            context.loop,
            charter,
        )
    )
    return hashlib.sha256(data.encode()).hexdigest()


def _page_key(
    shared: str,
    page: PostPage,
    neighbours: tuple[PostPage | None, PostPage | None],
    finals: Mapping[str, str],
    copied: frozenset[str],
) -> str:
    data = repr(
        (
            shared,
            page.source,
            page.title,
            page.path,
            page.findings,
            [(v.id, finals[v.id]) for v in page.variants],
            [(p.path, p.title) if p is not None else None for p in neighbours],
            sorted(
                media_name(m) for v in page.variants for m in v.media if media_name(m) in copied
            ),
        )
    )
    return hashlib.sha256(data.encode()).hexdigest()


def _context(
    variants: Sequence[Shown],
    summary: Summary,
    channels: Sequence[Channel],
    charter: Charter,
    halts: tuple[Halt, ...],
) -> Context:
    return Context(
        brand=charter.brand_name or "cmbuild",
        zone=calendar.brand_zone(channels, variants),
        colours=channel_colours(channels, variants),
        channels=tuple(sorted(channels, key=lambda c: c.name)),
        labels={c.name: _label(c.platform) for c in channels},
        summary=summary,
        halts=halts,
        halted=sum(1 for v in variants if any(h.matches(v) for h in halts)),
        drafts=sum(1 for v in variants if v.status == "draft"),
    )


def _page(env: Environment, name: str, context: Context, **values: object) -> bytes:
    script = Markup(_asset("preview.js"))  # our own file, inlined as is
    text = env.get_template(name).render(ctx=context, script=script, style=STYLE, **values)
    return text.encode("utf-8")


@cache
def _environment() -> Environment:
    env = Environment(
        loader=PackageLoader("cmbuild.preview", "templates"),
        autoescape=True,
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    env.filters["plural"] = _plural
    return env


@cache
def _asset(name: str) -> str:
    return (resources.files("cmbuild.preview") / "templates" / name).read_text(encoding="utf-8")


def _plural(count: int, word: str, plural: str | None = None) -> str:
    return f"{count} {word if count == 1 else (plural or word + 's')}"


def _label(platform: str) -> str:
    try:
        return platforms.get(platform).label
    except (KeyError, platforms.PlatformRegistryError):
        return platform


def _with_cards(
    page: PostPage,
    channels: dict[str, Channel],
    charter: Charter,
    context: Context,
    copied: frozenset[str],
) -> PostPage:
    cards = tuple(
        make_card(
            v,
            channel=channels.get(v.channel),
            charter=charter,
            colour=context.colours.get(v.channel, "#374151"),
            zone=context.zone,
            halts=context.halts,
            media_prefix="../../",
            copied=copied,
        )
        for v in page.variants
        if isinstance(v, Variant)
    )
    return replace(page, cards=cards)
