"""Schedule, image facts and rendering: each post's variants, rendered again only when needed.

A post is rendered again when its render key changed: its bytes, the configuration, its resolved
times or one of its images. Rendered variants go to the shards as they are (before images and
cross-post checks), to be read back only when a later stage has to look at them again.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from datetime import datetime
from functools import cached_property
from pathlib import Path

from cmbuild.build.read import Configuration, LazyPosts, Posts
from cmbuild.build.result import Progress
from cmbuild.build.workers import Pool, RenderJob, RenderResult, render_chunk, render_posts
from cmbuild.errors import InputError, InputErrors
from cmbuild.images.facts import describe_image
from cmbuild.incremental.index import Index, PostEntry, RequestRecord
from cmbuild.incremental.inputs import Stat, stat_of
from cmbuild.incremental.shards import Shard, Shards, local_time, variant_to_dict
from cmbuild.layout import HALT_FILE, resolve_image
from cmbuild.load.queue import blackout_warnings
from cmbuild.model import Charter, Finding, Media, Post
from cmbuild.render.variant import RenderContext
from cmbuild.schedule.queue import Plan, Rules
from cmbuild.schedule.slots import Request, requests_for, schedule_plan
from cmbuild.stores.halts import read_halts

Times = Mapping[str, Mapping[str, datetime]]  # post source -> channel -> aware datetime
Recurrences = tuple[tuple[int, datetime, str], ...]  # (occurrence, time, why the queue put it)


@dataclass(frozen=True)
class Scheduled:
    """Every post's times, and the requests of the posts read again."""

    requests: dict[str, list[Request]]
    times: Times
    reused: bool  # no request changed: the times are those of the last build
    plan: Plan | None = None  # the queue's placements and the posts it left out

    @property
    def queue_findings(self) -> list[Finding]:
        """The posts (per channel, per occurrence) the queue could not place and why, and the
        queue settings that may keep posts from any slot."""
        return self.plan.findings if self.plan else []

    def plans(self, source: str) -> dict[str, str]:
        """Channel -> why the queue placed `source` there (empty for a post with its own time)."""
        return self._reasons.get(source, {})

    def repeats(self, source: str) -> dict[str, Recurrences]:
        """Channel -> the later occurrences of `source`'s `repeat:` the queue placed there:
        (number, time, why there)."""
        return self._repeats.get(source, {})

    @cached_property
    def _reasons(self) -> dict[str, dict[str, str]]:
        found: dict[str, dict[str, str]] = {}
        for (source, channel, occurrence), placement in (
            self.plan.placed if self.plan else {}
        ).items():
            if occurrence == 0:
                found.setdefault(source, {})[channel] = placement.reason
        return found

    @cached_property
    def _repeats(self) -> dict[str, dict[str, Recurrences]]:
        found: dict[str, dict[str, Recurrences]] = {}
        placed = self.plan.placed if self.plan else {}
        for (source, channel, occurrence), placement in sorted(placed.items()):
            if occurrence > 0:
                by_channel = found.setdefault(source, {})
                one = (occurrence, placement.when, placement.reason)
                by_channel[channel] = (*by_channel.get(channel, ()), one)
        return found


def schedule_posts(root: Path, posts: Posts, index: Index, config: Configuration) -> Scheduled:
    """Every post's times: those of the last build when no post's requests changed."""
    channels = config.by_name()
    requests = {s: requests_for(post) for s, post in posts.parsed.items()}
    reused = set(index.posts) == set(posts.sources) and all(
        s in index.posts
        and [request_record(r) for r in found] == index.posts[s].requests
        # The times its variants were rendered with are in its rows.
        and {r.channel for r in found} == {row.channel for row in index.posts[s].rows}
        for s, found in requests.items()
    )
    every = [r for s in posts.sources for r in requests.get(s) or _requests(s, posts.cached[s])]
    # The queue's placements depend on every post's times and on the halts: placed again each
    # time; a post whose placement did not change keeps its render key, so it is not re-rendered.
    if reused and not any(r.queued for r in every):
        return Scheduled(requests, _IndexedTimes(index), True)
    times, plan = schedule_plan(every, channels, queue_rules(root, config.charter))
    plan.findings.extend(blackout_warnings(root, config.channels))
    return Scheduled(requests, times, False, plan)


def queue_rules(root: Path, charter: Charter) -> Rules:
    """What the queue keeps clear of beside each channel's rules: the charter's complementarity
    window and exempt groups, and the halts in state/halt.toml."""
    halts = read_halts(root / HALT_FILE, HALT_FILE)
    return Rules(
        window_hours=charter.complementarity_window_hours,
        exempt=charter.complementarity_exempt,
        halted={halt.what: halt.reason for halt in halts},
    )


def request_record(request: Request) -> RequestRecord:
    """What the index keeps of a request: every field but its source, so a cached post is
    scheduled (and queued) as if read again."""
    return RequestRecord(
        request.channel,
        request.raw,
        request.zone,
        request.line,
        request.key,
        request.queued,
        request.campaign,
        request.own_text,
        request.event,
        request.repeat_weeks,
        request.repeat_until,
    )


def _requests(source: str, entry: PostEntry) -> list[Request]:
    return [Request(source, *record) for record in entry.requests]


class _IndexedTimes(Mapping[str, Mapping[str, datetime]]):
    """Each post's times as its rows in the index have them, read when asked for."""

    def __init__(self, index: Index) -> None:
        self._index = index

    def __getitem__(self, source: str) -> Mapping[str, datetime]:
        rows = self._index.posts[source].rows
        # A later occurrence of a `repeat:` is a row of its own; the post's time is its first.
        return {
            row.channel: local_time(row.local, row.timezone) for row in rows if "-r" not in row.id
        }

    def __iter__(self) -> Iterator[str]:
        return iter(self._index.posts)

    def __len__(self) -> int:
        return len(self._index.posts)


@dataclass(frozen=True)
class SourceImages:
    """The source images of every post, and their facts."""

    of_post: dict[str, list[str]]  # source -> repository-relative image paths
    media: dict[str, Media]  # path -> facts
    stats: dict[str, Stat]  # path -> (mtime_ns, size), when the facts were taken

    def unchanged(self, paths: list[str], index: Index) -> bool:
        """Whether each image has the stat it had in the last build (so, the same facts)."""
        for path in paths:
            known = index.images.get(path)
            if known is None or self.stats[path] != known[0]:
                return False
        return True


def image_facts(root: Path, posts: Posts, index: Index) -> SourceImages:
    """Every post's images, described again only when their size or time changed."""
    of_post = {
        s: _images_of(posts.parsed[s]) if s in posts.parsed else posts.cached[s].images
        for s in posts.sources
    }
    media: dict[str, Media] = {}
    stats: dict[str, Stat] = {}
    for path in sorted({path for paths in of_post.values() for path in paths}):
        stat = stat_of(root / path)
        if stat is None:
            raise InputErrors([InputError(path, "image not found")])
        known = index.images.get(path)
        media[path] = (
            known[1] if known is not None and known[0] == stat else describe_image(root, path)
        )
        stats[path] = stat
    return SourceImages(of_post, media, stats)


def _images_of(post: Post) -> list[str]:
    paths = [resolve_image(post.source, i.path) for i in post.images]
    for _, override in post.overrides:
        paths.extend(resolve_image(post.source, i.path) for i in override.images or ())
    return sorted(set(paths))


def render_keys(
    posts: Posts, scheduled: Scheduled, images: SourceImages, index: Index, config_hash: str
) -> dict[str, str]:
    """Each post's render key: what its rendered variants depend on."""
    keys = {}
    for s in posts.sources:
        entry = posts.cached.get(s)
        if entry is not None and scheduled.reused and images.unchanged(images.of_post[s], index):
            keys[s] = entry.key
        else:
            media = [images.media[p] for p in images.of_post[s]]
            times, plans = scheduled.times.get(s, {}), scheduled.plans(s)
            repeats = scheduled.repeats(s)
            keys[s] = _render_key(posts.shas[s], config_hash, times, media, plans, repeats)
    return keys


def _render_key(
    sha: str,
    config_hash: str,
    times: Mapping[str, datetime],
    media: list[Media],
    plans: Mapping[str, str],
    repeats: Mapping[str, Recurrences],
) -> str:
    data = {
        "post": sha,
        "config": config_hash,
        "times": {k: v.isoformat() for k, v in sorted(times.items())},
        "media": [m.sha256 for m in media],
        "plans": dict(sorted(plans.items())),
        "repeats": {
            name: [[n, when.isoformat(), why] for n, when, why in later]
            for name, later in sorted(repeats.items())
        },
    }
    return hashlib.sha256(json.dumps(data, sort_keys=True).encode()).hexdigest()


def render_changed(
    posts: LazyPosts,
    cached: Mapping[str, PostEntry],
    keys: Mapping[str, str],
    scheduled: Scheduled,
    images: SourceImages,
    config: Configuration,
    pool: Pool,
    progress: Progress,
) -> list[RenderResult]:
    """Render (and check) every post whose render key changed; raise InputErrors for failures."""
    jobs: list[RenderJob] = []
    for source in posts:
        entry = cached.get(source)
        if entry is not None and entry.key == keys[source]:
            continue
        subset = {p: images.media[p] for p in images.of_post[source]}
        times = scheduled.times.get(source, {})
        plans, repeats = scheduled.plans(source), scheduled.repeats(source)
        jobs.append(RenderJob(posts[source], times, subset, plans, repeats))
    progress("render", 0, len(jobs))
    ctx = RenderContext(config.by_name(), config.charter, config.env)
    rendered: list[RenderResult] = pool.map_chunks(
        jobs, lambda batch: render_posts(ctx, batch), render_chunk
    )
    errors = [error for outcome in rendered for error in outcome.errors]
    if errors:
        raise InputErrors(errors)
    return rendered


def keep_rendered(out: Path, rendered: list[RenderResult]) -> Shards:
    """The shards, with this build's rendered variants put in (saved by the write stage)."""
    shards = Shards(out)
    for outcome in rendered:
        variants = [variant_to_dict(v) for v in outcome.variants]
        shards.put(outcome.source, Shard(variants, dict(outcome.events)))
    return shards
