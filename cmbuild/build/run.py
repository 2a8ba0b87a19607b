"""The full build, once the no-op check has said that something changed: one call per stage.

configuration → posts → schedule → image facts → render what changed → rows → cross-post checks
→ images → final rows → summary → preview → write, then the build state. Posts whose bytes,
configuration, times and images are unchanged reuse what the last build made of them.
"""

from __future__ import annotations

import time
from pathlib import Path

from cmbuild.build.finish import (
    Finals,
    StateLost,
    cross_checks,
    finalise_rows,
    gather_rows,
    picture,
    summarise,
)
from cmbuild.build.read import (
    Configuration,
    LazyPosts,
    load_configuration,
    previous_state,
    read_posts,
    replies_found,
)
from cmbuild.build.render import (
    Scheduled,
    image_facts,
    keep_rendered,
    render_changed,
    render_keys,
    schedule_posts,
)
from cmbuild.build.result import BuildResult, Options
from cmbuild.build.save import Made, Pages, Saved, preview_pages, save_stamp, write_build
from cmbuild.build.workers import Pool
from cmbuild.incremental.inputs import Stat
from cmbuild.incremental.memo import Memo
from cmbuild.model import Finding


def run_trusting_state(
    root: Path, out: Path, inputs: dict[str, Stat], options: Options, memo: Memo, start: float
) -> BuildResult:
    """`run`, building from scratch if part of the build state turns out to be gone."""
    try:
        return run(root, out, inputs, options, memo, start=start, trust_state=True)
    except StateLost:
        # A shard the index relies on is missing: do not trust the rest, render everything.
        return run(root, out, inputs, options, memo, start=start, trust_state=False)


def run(
    root: Path,
    out: Path,
    inputs: dict[str, Stat],
    options: Options,
    memo: Memo,
    *,
    start: float,
    trust_state: bool,
) -> BuildResult:
    """Build `root` into `out`; with `trust_state=False`, ignore what the last build left."""
    clock = _Clock(start)
    config = load_configuration(root, out, memo.config, trust_state=trust_state)
    memo.config = config.loaded
    previous = previous_state(out, memo, trust_state=trust_state)
    clock.lap("config")
    with Pool(options.jobs, root, config.channels, config.charter) as pool:
        posts = read_posts(root, inputs, previous, config, pool, options.progress)
        clock.lap("read")
        scheduled = schedule_posts(root, posts, previous.index, config)
        images = image_facts(root, posts, previous.index)
        clock.lap("schedule")
        keys = render_keys(posts, scheduled, images, previous.index, config.digest)
        lazy = LazyPosts(root, posts)
        rendered = render_changed(
            lazy, posts.cached, keys, scheduled, images, config, pool, options.progress
        )
        shards = keep_rendered(out, rendered)
        clock.lap("render")
    rows = gather_rows(posts, rendered, previous, memo)
    cross = cross_checks(rows, config.charter, lazy)
    clock.lap("check")
    pictured = picture(root, out, rows, rendered, config, options)
    clock.lap("images")
    finals = Finals(shards, rendered)
    rows = finalise_rows(rows, keys, cross, pictured, finals)
    summary = summarise(rows, posts, config.channels, inputs, _found(root, config, scheduled))
    clock.lap("summary")
    saved = Saved()
    if options.write:
        options.progress("write", 0, len(rows))
        pages = Pages()
        if options.preview:
            pages = preview_pages(out, rows, finals, summary, config, previous, memo, root, options)
        made = Made(posts, scheduled, images, keys, shards)
        report = write_build(out, rows, finals, config, made, previous, pages, memo)
        saved = save_stamp(out, root, inputs, images, report, pictured, summary)
        clock.lap("write")
    return BuildResult(
        summary=summary,
        load=lambda: tuple(finals.final(r) for r in rows),
        written=saved.written,
        unchanged=saved.unchanged,
        pruned=saved.pruned,
        rendered=len(rendered),
        reused=len(posts.sources) - len(rendered),
        seconds=time.perf_counter() - start,
        timings=clock.timings,
    )


def _found(root: Path, config: Configuration, scheduled: Scheduled) -> list[Finding]:
    """The findings of no variant: on the approved replies, and on the posts the queue could
    not place (and its settings that keep posts from any slot)."""
    return [*replies_found(root, config), *scheduled.queue_findings]


class _Clock:
    """How long each stage took, in seconds (`BuildResult.timings`)."""

    def __init__(self, start: float) -> None:
        self.since = start
        self.timings: dict[str, float] = {}

    def lap(self, stage: str) -> None:
        now = time.perf_counter()
        self.timings[stage] = round(now - self.since, 4)
        self.since = now
