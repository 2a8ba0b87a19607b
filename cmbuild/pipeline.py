"""The full build pipeline, once the no-op shortcut has said something changed.

load config → read changed posts → schedule → image facts → render what changed → cross-post checks
→ write. Posts whose bytes, configuration, times and images are unchanged reuse their cached
variants.
"""

from __future__ import annotations

import hashlib
import json
import os
import time
from collections.abc import Iterable, Iterator, Mapping
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from cmbuild import __version__
from cmbuild.build import BuildResult, Progress
from cmbuild.errors import ErrorCollector, InputError, InputErrors
from cmbuild.imaging import NO_IMAGES, Imaged, charter_data, image_jobs, run_images
from cmbuild.inputs import config_digest, digest, stat_of
from cmbuild.layout import resolve_image
from cmbuild.load.cache import read_cached
from cmbuild.load.cache import save as save_config
from cmbuild.media import describe_image
from cmbuild.model import Channel, Charter, Finding, Media, Post, Variant
from cmbuild.render.templates import compile_templates, make_environment
from cmbuild.render.variant import RenderContext
from cmbuild.rows import Row, finalise
from cmbuild.schedule import Request, requests_for, schedule
from cmbuild.state import (
    STATE_DIR,
    Index,
    Memo,
    PostEntry,
    Shard,
    Shards,
    Stamp,
    local_time,
    read_index,
    variant_from_dict,
    variant_to_dict,
)
from cmbuild.summary import Summary, summarize
from cmbuild.workers import (
    ParseResult,
    Pool,
    RenderJob,
    RenderResult,
    _parse_chunk,
    _render_chunk,
    default_jobs,
    parse_posts,
    render_posts,
)
from cmbuild.write.files import prune

if TYPE_CHECKING:
    from cmbuild.images import ImageJob
from cmbuild.writer import Sources, write_outputs


class _LazyPosts(Mapping[str, Post]):
    """Posts by source, read on demand (cross-post checks need a few cached posts' key lines)."""

    def __init__(
        self, root: Path, parsed: dict[str, Post], sources: list[str], names: frozenset[str]
    ) -> None:
        self._root = root
        self._posts = dict(parsed)
        self._sources = sources
        self._names = names

    def __getitem__(self, source: str) -> Post:
        post = self._posts.get(source)
        if post is None:
            (result,) = parse_posts(self._root, [self._root / source], self._names)
            if result.post is None:
                raise KeyError(source)
            post = self._posts[source] = result.post
        return post

    def __iter__(self) -> Iterator[str]:
        return iter(self._sources)

    def __len__(self) -> int:
        return len(self._sources)


class Pipeline:
    def __init__(
        self,
        root: Path,
        out: Path,
        *,
        jobs: int | None,
        progress: Progress,
        preview: bool = True,
        memo: Memo | None = None,
    ) -> None:
        self.root = root
        self.preview = preview
        self.out = out
        self.jobs = jobs if jobs is not None else default_jobs()
        self.progress = progress
        self.timings: dict[str, float] = {}
        self._pool: Pool | None = None
        self.fresh = False  # ignore the build state: render everything
        self.memo = memo if memo is not None else Memo()

    def close(self) -> None:
        if self._pool is not None:
            self._pool.close()

    def _lap(self, stage: str, since: float) -> float:
        now = time.perf_counter()
        self.timings[stage] = round(now - since, 4)
        return now

    def run(self, inputs: dict[str, tuple[int, int]], *, write: bool, start: float) -> BuildResult:
        root = self.root
        lap = start
        config_hash = config_digest(root, __version__)
        loaded: tuple[tuple[Channel, ...], Charter] | None = None  # to keep for the next build
        if self.memo.config is not None and self.memo.config[0] == config_hash:
            _, channels, charter, env = self.memo.config  # same files: same configuration
        else:
            kept = None if self.fresh else read_cached(self.out / STATE_DIR, config_hash)
            if kept is None:
                from cmbuild.load.site import load_config

                loaded = kept = load_config(root)
            channels, charter = kept
            env = make_environment(root)
            template_errors = compile_templates(env, {c.template for c in channels})
            if template_errors:
                raise InputErrors(template_errors)
            self.memo.config = (config_hash, channels, charter, env)
        by_name = {c.name: c for c in channels}
        warm = not self.fresh and self._memo_valid()
        if warm:
            assert self.memo.index is not None
            index = self.memo.index
        else:
            self.memo.clear()
            index = Index() if self.fresh else read_index(self.out)
        if not Shards(self.out).complete(index.posts):
            index = Index()  # part of the build state was deleted: trust none of it
            warm = False
            self.memo.clear()
        same_config = index.config_hash == config_hash
        self._pool = Pool(self.jobs, root, channels, charter)
        lap = self._lap("config", lap)

        # Posts: reuse the index entry of every post whose bytes and configuration are unchanged.
        sources = sorted(p for p in inputs if p.startswith("posts/"))
        shas: dict[str, str] = {}
        cached: dict[str, PostEntry] = {}
        to_parse: list[Path] = []
        for source in sources:
            known = index.files.get(source)
            if known is not None and known[0] == inputs[source]:
                shas[source] = known[1]
            else:
                shas[source] = digest((root / source).read_bytes())
            entry = index.posts.get(source)
            if same_config and entry is not None and entry.sha == shas[source]:
                cached[source] = entry
            else:
                to_parse.append(root / source)
        names = frozenset(by_name)
        self.progress("read", 0, len(to_parse))
        parsed_results: list[ParseResult] = self._pool.map_chunks(
            to_parse, lambda paths: parse_posts(root, paths, names), _parse_chunk, names
        )
        errors = ErrorCollector()
        parsed: dict[str, Post] = {}
        warnings: dict[str, tuple[Finding, ...]] = {}
        for result in parsed_results:
            errors.extend(result.errors)
            if result.post is not None:
                parsed[result.source] = result.post
                warnings[result.source] = result.warnings
        errors.extend(self._duplicate_slugs(parsed, cached))
        errors.raise_if_any()
        lap = self._lap("read", lap)

        requests = {s: requests_for(post) for s, post in parsed.items()}  # the others: as indexed
        times = self._schedule(sources, requests, cached, index, by_name)
        images = {
            s: self._images_of(parsed[s]) if s in parsed else cached[s].images for s in sources
        }
        media = self._media({path for paths in images.values() for path in paths}, index)
        lap = self._lap("schedule", lap)

        # Render what changed: the post itself, or its times, or one of its images.
        keys = {
            s: (
                cached[s].key
                if s in cached and self._times_reused and self._same_images(images[s], index)
                else _render_key(
                    shas[s], config_hash, times.get(s, {}), [media[p] for p in images[s]]
                )
            )
            for s in sources
        }
        jobs: list[RenderJob] = []
        lazy = _LazyPosts(root, parsed, sources, names)
        for source in sources:
            entry = cached.get(source)
            if entry is not None and entry.key == keys[source]:
                continue
            post = lazy[source]
            subset = {p: media[p] for p in images[source]}
            jobs.append(RenderJob(post, times.get(source, {}), subset))
        self.progress("render", 0, len(jobs))
        ctx = RenderContext(by_name, charter, env)
        rendered: list[RenderResult] = self._pool.map_chunks(
            jobs, lambda batch: render_posts(ctx, batch), _render_chunk
        )
        for outcome in rendered:
            errors.extend(outcome.errors)
        errors.raise_if_any()
        shards = Shards(self.out)
        fresh = {outcome.source: outcome for outcome in rendered}
        for outcome in rendered:
            shards.put(
                outcome.source,
                Shard([variant_to_dict(v) for v in outcome.variants], dict(outcome.events)),
            )
        lap = self._lap("render", lap)

        # Every variant as a row: the fresh ones from their Variant, the others from the index.
        rows: list[Row] = []
        rendered_variants: dict[str, Variant] = {}
        for source in sources:
            if source in fresh:
                outcome = fresh[source]
                for variant in outcome.variants:
                    rendered_variants[variant.id] = variant
                    rows.append(
                        Row.from_variant(
                            variant,
                            variant,
                            output_sha="",
                            fingerprint=outcome.fingerprints.get(variant.id, ""),
                            final="",
                            jobs=[],
                        )
                    )
            elif warm and source in self.memo.rows:
                rows.extend(self.memo.rows[source])  # the Rows the last build of this process made
            else:
                rows.extend(Row.from_index(source, data) for data in cached[source].rows)
        cross = self._cross_checks(rows, charter, lazy)
        lap = self._lap("check", lap)

        image_jobs = self._image_jobs(rows, rendered_variants, by_name)
        imaged = self._run_images(image_jobs, write=write)
        outcomes = imaged.outcomes if imaged is not None else {}
        lap = self._lap("images", lap)

        finals = _Finals(shards)
        for outcome in rendered:
            finals.add(outcome.variants, outcome.events)
        for number, row in enumerate(rows):
            mine = cross.get((row.source, row.channel), [])
            pictured = outcomes.get(row.id, NO_IMAGES)
            final = _final_key(keys[row.source], pictured.digest, mine)
            if row.final == final:
                continue  # reused as it is, manifest entry and calendar event included
            before = rendered_variants.get(row.id) or finals.rendered(row)
            variant = finalise(before, pictured, mine)
            rows[number] = Row.from_variant(
                variant,
                before,
                output_sha=digest(variant.text.encode("utf-8")),
                fingerprint=row.fingerprint,
                final=final,
                jobs=[_job_to(job) for job in image_jobs.get(row.id, [])],
            )
        rows.sort(key=Row.sort_key)
        post_warnings = [
            w
            for s in sources
            for w in (
                warnings[s] if s in parsed else [Finding.from_dict(d) for d in cached[s].warnings]
            )
        ]
        drafts = sorted({(r.source, r.title) for r in rows if r.status == "draft"})
        summary = summarize(
            rows,
            post_warnings,
            drafts,
            {c.name: c.platform for c in channels},
            post_count=len(sources),
        )
        lap = self._lap("summary", lap)
        written: tuple[str, ...] = ()
        unchanged = 0
        pruned: tuple[str, ...] = ()
        if write:
            self.progress("write", 0, len(rows))
            shards.drop(set(index.posts) - set(sources))
            by_source: dict[str, list[Row]] = {}
            for row in rows:
                by_source.setdefault(row.source, []).append(row)
            new_index = Index(
                config_hash=config_hash,
                images={p: (stat, m) for p, (stat, m) in self._image_stats.items()},
                files={s: (inputs[s], shas[s]) for s in sources},
                outputs=dict(index.outputs),
                written=dict(index.written),
            )
            extra = (
                self._preview(rows, finals, summary, channels, charter, index, new_index)
                if self.preview
                else {}
            )
            report = write_outputs(
                self.out,
                rows,
                Sources(finals.final, finals.event),
                charter.brand_name or "cmbuild",
                _inputs_digest(config_hash, shas, media),
                new_index,
                shards,
                memo=self.memo.files,
                extra=extra,
                calendar_zone=charter.timezone,
                entries=lambda: {
                    s: PostEntry(
                        sha=shas[s],
                        key=keys[s],
                        requests=(
                            [[r.channel, r.raw, r.zone, r.line, r.key] for r in requests[s]]
                            if s in requests
                            else cached[s].requests
                        ),
                        images=images[s],
                        warnings=(
                            [w.to_dict() for w in warnings[s]]
                            if s in parsed
                            else cached[s].warnings
                        ),
                        rows=[r.to_index() for r in by_source.get(s, [])],
                    )
                    for s in sources
                },
            )
            written, unchanged, pruned = report.written, report.unchanged, report.pruned
            if loaded is not None:
                save_config(self.out / STATE_DIR, config_hash, loaded)
            self.memo.index = new_index
            self.memo.stat = stat_of(self.out / STATE_DIR / "index.json")
            self.memo.rows = by_source
            stamp_inputs = dict(inputs)
            stamp_inputs.update({p: stat for p, (stat, _) in self._image_stats.items()})
            if imaged is not None:
                written += imaged.written
                unchanged += imaged.unchanged
                pruned += tuple(prune(self.out, imaged.stale))
                for relative in imaged.brand_files:
                    brand_stat = stat_of(root / relative)
                    if brand_stat is not None:
                        stamp_inputs[relative] = brand_stat
            from cmbuild.state import write_stamp

            write_stamp(self.out, Stamp(stamp_inputs, report.outputs, summary.to_dict()))
            self._lap("write", lap)
        return BuildResult(
            summary=summary,
            load=lambda: tuple(finals.final(r) for r in rows),
            written=written,
            unchanged=unchanged,
            pruned=pruned,
            rendered=len(jobs),
            reused=len(sources) - len(jobs),
            noop=False,
            seconds=time.perf_counter() - start,
            timings=self.timings,
        )

    _image_stats: dict[str, tuple[tuple[int, int], Media]]

    def _schedule(
        self,
        sources: list[str],
        requests: dict[str, list[Request]],
        cached: dict[str, PostEntry],
        index: Index,
        channels: dict[str, Channel],
    ) -> Mapping[str, Mapping[str, datetime]]:
        """Every post's times: those of the last build when no post's requests changed.

        `requests` are those of the posts read again; the others' are in the index, unchanged.
        """
        self._times_reused = set(index.posts) == set(sources) and all(
            s in index.posts
            and [[r.channel, r.raw, r.zone, r.line, r.key] for r in found]
            == index.posts[s].requests
            # The times its variants were rendered with are in its rows (1: channel).
            and {r.channel for r in found} == {row[1] for row in index.posts[s].rows}
            for s, found in requests.items()
        )
        if self._times_reused:
            return _IndexedTimes(index)
        every = [r for s in sources for r in requests.get(s) or _requests(s, cached[s])]
        return schedule(every, channels)

    _times_reused = False

    def _memo_valid(self) -> bool:
        """Whether the index kept in memory is still the one on disk."""
        memo = self.memo
        index_file = self.out / STATE_DIR / "index.json"
        return memo.index is not None and memo.stat is not None and stat_of(index_file) == memo.stat

    def _same_images(self, paths: list[str], index: Index) -> bool:
        """Whether each image has the facts it had last time (its stat is unchanged)."""
        for path in paths:
            known = index.images.get(path)
            if known is None or self._image_stats[path][0] != known[0]:
                return False
        return True

    def _image_jobs(
        self, rows: list[Row], rendered: dict[str, Variant], channels: dict[str, Channel]
    ) -> dict[str, list[ImageJob]]:
        """The image jobs of every variant (fresh ones from the variant, others from the index)."""
        from cmbuild.images import ImageJob

        jobs: dict[str, list[ImageJob]] = {}
        for row in rows:
            variant = rendered.get(row.id)
            if variant is not None:
                found = image_jobs(variant, channels[row.channel])
            else:
                found = [_job_from(ImageJob, data) for data in row.jobs]
            if found:
                jobs[row.id] = found
        return jobs

    def _run_images(self, jobs: dict[str, list[ImageJob]], *, write: bool) -> Imaged | None:
        """Cut, brand and encode the variants' images (only validate the brand when not writing)."""
        if not write:
            from cmbuild.images import load_brand

            load_brand(self.root, charter_data(self.root))
            return None
        every = [job for found in jobs.values() for job in found]
        self.progress("images", 0, len(every))
        imaged = run_images(self.root, self.out, every, workers=self.jobs)
        if imaged.errors:
            raise InputErrors(imaged.errors)
        return imaged

    def _preview(
        self,
        rows: list[Row],
        finals: _Finals,
        summary: Summary,
        channels: tuple[Channel, ...],
        charter: Charter,
        index: Index,
        new_index: Index,
    ) -> dict[str, bytes | None]:
        """The preview site; post pages whose key did not change are kept as they are on disk."""
        from cmbuild.preview import HALT_FILE, read_halts, render_preview_kept
        from cmbuild.preview.site import POSTS_DIR, PageCache

        try:
            on_disk = {f"{POSTS_DIR}/{name}" for name in os.listdir(self.out / POSTS_DIR)}
        except FileNotFoundError:
            on_disk = set()
        kept = {
            path: key
            for path, key in index.preview.items()
            if path in on_disk and path in index.outputs
        }
        by_source: dict[str, list[Row]] = {}
        for row in rows:
            by_source.setdefault(row.source, []).append(row)
        cache = PageCache(
            kept=kept,
            load=lambda source: [finals.final(row) for row in by_source[source]],
            finals={row.id: row.final for row in rows},
            entries=self.memo.entries,
        )
        halts = read_halts(self.root / HALT_FILE)
        # Variants' media are the processed images, under the output folder.
        files = render_preview_kept(
            rows, summary, channels, charter, cache=cache, halts=halts, root=self.out
        )
        new_index.preview = cache.keys
        self.memo.entries = cache.entries
        return files

    def _images_of(self, post: Post) -> list[str]:
        paths = [resolve_image(post.source, i.path) for i in post.images]
        for _, override in post.overrides:
            paths.extend(resolve_image(post.source, i.path) for i in override.images or ())
        return sorted(set(paths))

    def _media(self, paths: set[str], index: Index) -> dict[str, Media]:
        self._image_stats = {}
        media = {}
        for path in sorted(paths):
            stat = stat_of(self.root / path)
            if stat is None:
                raise InputErrors([InputError(path, "image not found")])
            known = index.images.get(path)
            facts = (
                known[1]
                if known is not None and known[0] == stat
                else describe_image(self.root, path)
            )
            media[path] = facts
            self._image_stats[path] = (stat, facts)
        return media

    def _duplicate_slugs(
        self, parsed: dict[str, Post], cached: dict[str, PostEntry]
    ) -> list[InputError]:
        owners: dict[str, str] = {}
        for source, entry in cached.items():
            if entry.rows:
                owners.setdefault(entry.rows[0][3], source)
        problems = []
        for source, post in sorted(parsed.items()):
            owner = owners.get(post.slug)
            if owner is not None and owner != source:
                problems.append(
                    InputError(
                        source,
                        f"slug {post.slug!r} is already used by {owner}",
                        line=post.line_of("slug") or 1,
                        key="slug",
                        hint="rename the file or set a unique `slug:`",
                    )
                )
            else:
                owners[post.slug] = source
        return problems

    def _cross_checks(
        self, rows: list[Row], charter: Charter, posts: Mapping[str, Post]
    ) -> dict[tuple[str, str], list[Finding]]:
        """The complementarity findings between different posts, by (source, channel)."""
        from cmbuild.check.complementarity import across_posts

        found: dict[tuple[str, str], list[Finding]] = {}
        prints = {row.id: row.fingerprint for row in rows}
        for finding in across_posts(rows, prints, charter, posts):
            found.setdefault((finding.file, finding.channel or ""), []).append(finding)
        return found


class _IndexedTimes(Mapping[str, Mapping[str, datetime]]):
    """Each post's times as its rows in the index have them, read when asked for."""

    def __init__(self, index: Index) -> None:
        self._index = index

    def __getitem__(self, source: str) -> Mapping[str, datetime]:
        # Row fields: 1 channel, 6 local time, 8 zone.
        return {row[1]: local_time(row[6], row[8]) for row in self._index.posts[source].rows}

    def __iter__(self) -> Iterator[str]:
        return iter(self._index.posts)

    def __len__(self) -> int:
        return len(self._index.posts)


class StateLost(Exception):
    """The build state misses what it should have kept (a shard deleted): build from scratch."""


class _Finals:
    """Final variants and calendar events of rows, read back from the shards when needed."""

    def __init__(self, shards: Shards) -> None:
        self.shards = shards
        self._rendered: dict[str, Variant] = {}
        self._events: dict[str, str] = {}

    def add(self, variants: Iterable[Variant], events: Mapping[str, str]) -> None:
        """Variants (and their events) this build rendered: no need to read them back."""
        self._rendered.update((variant.id, variant) for variant in variants)
        self._events.update(events)

    def rendered(self, row: Row) -> Variant:
        """The variant as rendered (before images and cross-post checks)."""
        variant = self._rendered.get(row.id)
        if variant is None:
            shard = self.shards.get(row.source)
            if shard is None:
                raise StateLost(row.source)
            for data in shard.variants:
                self._rendered[data["id"]] = variant_from_dict(data)
            self._events.update(shard.events)
            variant = self._rendered[row.id]
        return variant

    def final(self, row: Row) -> Variant:
        if row.variant is None:
            row.variant = row.finish(self.rendered(row))
        return row.variant

    def event(self, row: Row) -> bytes:
        if row.id not in self._events:
            self.rendered(row)
        return self._events[row.id].encode("utf-8")


def _requests(source: str, entry: PostEntry) -> list[Request]:
    return [Request(source, c, raw, zone, line, key) for c, raw, zone, line, key in entry.requests]


def _final_key(render_key: str, images: str, cross: list[Finding]) -> str:
    h = hashlib.blake2b(f"{render_key}\0{images}".encode(), digest_size=16)
    for finding in sorted(cross, key=Finding.sort_key) if cross else ():
        h.update(b"\0" + json.dumps(finding.to_dict(), sort_keys=True).encode())
    return h.hexdigest()


def _job_to(job: ImageJob) -> dict[str, Any]:
    return {k: list(v) if isinstance(v, tuple) else v for k, v in vars(job).items()}


def _job_from(kind: type[ImageJob], data: dict[str, Any]) -> ImageJob:
    return kind(
        **{
            **data,
            "options": tuple((a, b) for a, b in data["options"]),
            "focus": (float(data["focus"][0]), float(data["focus"][1])),
        }
    )


def _render_key(
    sha: str, config_hash: str, times: Mapping[str, datetime], media: list[Media]
) -> str:
    data = {
        "post": sha,
        "config": config_hash,
        "times": {k: v.isoformat() for k, v in sorted(times.items())},
        "media": [m.sha256 for m in media],
    }
    return hashlib.sha256(json.dumps(data, sort_keys=True).encode()).hexdigest()


def _inputs_digest(config_hash: str, shas: dict[str, str], media: dict[str, Media]) -> str:
    h = hashlib.sha256(config_hash.encode())
    for source, sha in sorted(shas.items()):
        h.update(f"\0{source}\0{sha}".encode())
    for path, facts in sorted(media.items()):
        h.update(f"\0{path}\0{facts.sha256}".encode())
    return "sha256:" + h.hexdigest()
