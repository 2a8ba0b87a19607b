"""The two units of parallel work in a build: reading posts, and rendering them.

A cold build of thousands of posts is CPU-bound Python (YAML, Markdown, Jinja), so it runs in worker
processes, one per core. Each worker builds its own `RenderContext` once, in the pool initializer:
that per-process context is the only module-level state in cmbuild, and it lives only in workers.
"""

from __future__ import annotations

import multiprocessing
import os
from collections.abc import Callable, Iterable, Mapping, Sequence
from concurrent.futures import Executor, ProcessPoolExecutor
from dataclasses import dataclass, field, replace
from datetime import datetime
from pathlib import Path
from typing import TypeVar

from cmbuild.errors import InputError, InputErrors
from cmbuild.model import Channel, Charter, Finding, Media, Post, Variant

T = TypeVar("T")
R = TypeVar("R")

# Below this many items, a pool costs more than it saves.
PARALLEL_THRESHOLD = 96


@dataclass(frozen=True)
class ParseResult:
    source: str
    post: Post | None
    warnings: tuple[Finding, ...]
    errors: tuple[InputError, ...]


@dataclass(frozen=True)
class RenderJob:
    post: Post
    times: Mapping[str, datetime]
    media: Mapping[str, Media]
    plans: Mapping[str, str] = field(default_factory=dict)  # channel -> why the queue put it there
    # channel -> the later occurrences of its `repeat:`: (number, time, why the queue put it there)
    repeats: Mapping[str, tuple[tuple[int, datetime, str], ...]] = field(default_factory=dict)

    def reasons(self) -> dict[str, str]:
        """Variant id -> why the queue placed it there, for every occurrence it placed."""
        from cmbuild.render.variant import variant_id

        source = self.post.source
        found = {variant_id(source, name): why for name, why in self.plans.items()}
        for name, later in self.repeats.items():
            found.update((variant_id(source, name, n), why) for n, _, why in later)
        return found


@dataclass(frozen=True)
class RenderResult:
    source: str
    variants: tuple[Variant, ...]
    events: dict[str, str]
    fingerprints: dict[str, str]
    errors: tuple[InputError, ...]


_worker: dict[str, object] = {}  # per-process render context, set by `_init_worker` only


def _init_worker(root: Path, channels: tuple[Channel, ...], charter: Charter) -> None:
    from cmbuild.render.templates import make_environment
    from cmbuild.render.variant import RenderContext

    _worker["root"] = root
    _worker["ctx"] = RenderContext(
        channels={c.name: c for c in channels}, charter=charter, env=make_environment(root)
    )


def parse_posts(
    root: Path, paths: Sequence[Path], channel_names: frozenset[str]
) -> list[ParseResult]:
    from cmbuild.load.posts import read_post
    from cmbuild.load.site import check_post

    results = []
    for path in paths:
        source = path.relative_to(root).as_posix()
        try:
            loaded = read_post(root, path)
        except InputError as error:
            results.append(ParseResult(source, None, (), (error,)))
            continue
        except InputErrors as many:
            results.append(ParseResult(source, None, (), tuple(many)))
            continue
        problems = [*loaded.errors, *check_post(root, loaded.post, set(channel_names))]
        if problems:
            results.append(ParseResult(source, None, (), tuple(problems)))
        else:
            results.append(ParseResult(source, loaded.post, loaded.warnings, ()))
    return results


def parse_chunk(paths: Sequence[Path], channel_names: frozenset[str]) -> list[ParseResult]:
    root = _worker["root"]
    assert isinstance(root, Path)
    return parse_posts(root, paths, channel_names)


def render_posts(ctx: object, jobs: Sequence[RenderJob]) -> list[RenderResult]:
    """Render each job's post, check it, and serialise its calendar events."""
    from cmbuild.check.complementarity import fingerprints
    from cmbuild.check.post import check_post
    from cmbuild.manifest.writer import content_hash
    from cmbuild.render.variant import RenderContext, render_post
    from cmbuild.write.calendar import event_ics

    assert isinstance(ctx, RenderContext)
    results = []
    for job in jobs:
        repeats = {name: [(n, when) for n, when, _ in later] for name, later in job.repeats.items()}
        rendered = render_post(job.post, ctx, job.times, job.media, repeats)
        checked = check_post(rendered.variants, job.post, ctx.channels, ctx.charter)
        reasons = job.reasons()
        planned = (replace(v, plan=reasons.get(v.id)) for v in checked)
        variants = tuple(replace(v, content_hash=content_hash(v)) for v in planned)
        events = {
            v.id: event_ics(v, dtstamp=v.scheduled).decode("utf-8")
            for v in variants
            if v.status != "draft"
        }
        prints = fingerprints(variants)
        results.append(RenderResult(job.post.source, variants, events, prints, rendered.errors))
    return results


def render_chunk(jobs: Sequence[RenderJob]) -> list[RenderResult]:
    return render_posts(_worker["ctx"], jobs)


def chunks(items: Sequence[T], count: int) -> list[Sequence[T]]:
    """`items` split into `count` interleaved chunks of similar cost."""
    return [items[i::count] for i in range(count) if items[i::count]]


class Pool:
    """A process pool started only when a build has enough work for it."""

    def __init__(
        self, jobs: int, root: Path, channels: tuple[Channel, ...], charter: Charter
    ) -> None:
        self.jobs = jobs
        self._args = (root, channels, charter)
        self._executor: Executor | None = None

    def _get(self) -> Executor:
        if self._executor is None:
            method = "fork" if "fork" in multiprocessing.get_all_start_methods() else None
            self._executor = ProcessPoolExecutor(
                max_workers=self.jobs,
                mp_context=multiprocessing.get_context(method),
                initializer=_init_worker,
                initargs=self._args,
            )
        return self._executor

    def map_chunks(
        self,
        items: Sequence[T],
        local: Callable[[Sequence[T]], list[R]],
        remote: Callable[..., list[R]],
        *extra: object,
    ) -> list[R]:
        """Run `local(items)` here, or `remote(chunk, *extra)` across the pool for large batches."""
        if self.jobs <= 1 or len(items) < PARALLEL_THRESHOLD:
            return local(items)
        executor = self._get()
        futures = [executor.submit(remote, chunk, *extra) for chunk in chunks(items, self.jobs * 2)]
        merged: list[R] = []
        for future in futures:
            merged.extend(future.result())
        return merged

    def close(self) -> None:
        if self._executor is not None:
            self._executor.shutdown()

    def __enter__(self) -> Pool:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def default_jobs() -> int:
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # pragma: no cover - not on Linux
        return max(1, os.cpu_count() or 1)


def flatten(results: Iterable[Iterable[T]]) -> list[T]:
    return [item for group in results for item in group]
