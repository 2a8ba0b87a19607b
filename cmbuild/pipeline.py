"""The full build pipeline, once the no-op shortcut has said something changed.

load config → read changed posts → schedule → image facts → render what changed → cross-post checks
→ write. Posts whose bytes, configuration, times and images are unchanged reuse their cached
variants.
"""

from __future__ import annotations

import hashlib
import json
import time
from collections.abc import Iterator, Mapping
from dataclasses import replace
from datetime import datetime
from pathlib import Path

from cmbuild import __version__
from cmbuild.build import BuildResult, Progress
from cmbuild.errors import ErrorCollector, InputError, InputErrors
from cmbuild.imaging import Imaged, attach_images, charter_data
from cmbuild.inputs import config_digest, digest, stat_of
from cmbuild.layout import resolve_image
from cmbuild.load.site import load_config
from cmbuild.media import describe_image
from cmbuild.model import Channel, Charter, Finding, Media, Post, Variant
from cmbuild.render.templates import compile_templates, make_environment
from cmbuild.render.variant import RenderContext
from cmbuild.schedule import Request, requests_for, schedule
from cmbuild.state import PostRecord, Stamp, State, read_state
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
from cmbuild.writer import write_outputs


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
        self, root: Path, out: Path, *, jobs: int | None, progress: Progress, preview: bool = True
    ) -> None:
        self.root = root
        self.preview = preview
        self.out = out
        self.jobs = jobs if jobs is not None else default_jobs()
        self.progress = progress
        self.timings: dict[str, float] = {}
        self._pool: Pool | None = None

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
        channels, charter = load_config(root)
        by_name = {c.name: c for c in channels}
        env = make_environment(root)
        template_errors = compile_templates(env, {c.template for c in channels})
        if template_errors:
            raise InputErrors(template_errors)
        config_hash = config_digest(root, __version__)
        state = read_state(self.out)
        same_config = state.config_hash == config_hash
        self._pool = Pool(self.jobs, root, channels, charter)
        lap = self._lap("config", lap)

        # Posts: reuse the cached record of every post whose bytes and configuration are unchanged.
        sources = sorted(p for p in inputs if p.startswith("posts/"))
        shas: dict[str, str] = {}
        cached: dict[str, PostRecord] = {}
        to_parse: list[Path] = []
        for source in sources:
            known = state.files.get(source)
            if known is not None and known[0] == inputs[source]:
                shas[source] = known[1]
            else:
                shas[source] = digest((root / source).read_bytes())
            record = state.posts.get(source)
            if same_config and record is not None and record.sha == shas[source]:
                cached[source] = record
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

        requests: list[Request] = []
        for record in cached.values():
            requests.extend(record.requests)
        for post in parsed.values():
            requests.extend(requests_for(post))
        times = schedule(requests, by_name)
        images = {
            s: self._images_of(parsed[s]) if s in parsed else cached[s].images for s in sources
        }
        media = self._media({path for paths in images.values() for path in paths}, state)
        lap = self._lap("schedule", lap)

        # Render what changed: the post itself, or its times, or one of its images.
        keys = {
            s: _render_key(shas[s], config_hash, times.get(s, {}), [media[p] for p in images[s]])
            for s in sources
        }
        records: dict[str, PostRecord] = {}
        jobs: list[RenderJob] = []
        lazy = _LazyPosts(root, parsed, sources, names)
        for source in sources:
            record = cached.get(source)
            if record is not None and record.key == keys[source]:
                records[source] = record
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
        for outcome in rendered:
            source = outcome.source
            post = lazy[source]
            records[source] = PostRecord(
                sha=shas[source],
                key=keys[source],
                requests=requests_for(post),
                images=images[source],
                variants=list(outcome.variants),
                warnings=list(
                    warnings.get(source, cached[source].warnings if source in cached else ())
                ),
                events=outcome.events,
                fingerprints=outcome.fingerprints,
            )
        lap = self._lap("render", lap)

        prints = {i: p for s in sources for i, p in records[s].fingerprints.items()}
        variants = self._cross_checks(
            [v for s in sources for v in records[s].variants], prints, charter, lazy
        )
        imaged = self._images(variants, by_name, write=write)
        if imaged is not None:
            variants = imaged.variants
        lap = self._lap("images", lap)
        post_warnings = [w for s in sources for w in records[s].warnings]
        drafts = sorted({(v.source, v.title) for v in variants if v.status == "draft"})
        summary = summarize(
            variants,
            post_warnings,
            drafts,
            {c.name: c.platform for c in channels},
            post_count=len(sources),
        )
        lap = self._lap("check", lap)
        written: tuple[str, ...] = ()
        unchanged = 0
        pruned: tuple[str, ...] = ()
        if write:
            self.progress("write", 0, len(variants))
            new_state = State(
                config_hash=config_hash,
                posts=records,
                images={p: (stat, m) for p, (stat, m) in self._image_stats.items()},
                files={s: (inputs[s], shas[s]) for s in sources},
                outputs=dict(state.outputs),
            )
            report = write_outputs(
                self.out,
                variants,
                {v_id: ev for s in sources for v_id, ev in records[s].events.items()},
                charter.brand_name or "cmbuild",
                _inputs_digest(config_hash, shas, media),
                new_state,
                extra=self._preview(variants, summary, channels, charter) if self.preview else {},
            )
            written, unchanged, pruned = report.written, report.unchanged, report.pruned
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
            variants=tuple(variants),
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

    def _images(
        self, variants: list[Variant], channels: dict[str, Channel], *, write: bool
    ) -> Imaged | None:
        """Cut, brand and encode the variants' images (only validate the brand when not writing)."""
        if not write:
            from cmbuild.images import load_brand

            load_brand(self.root, charter_data(self.root))
            return None
        self.progress("images", 0, len(variants))
        imaged = attach_images(self.root, self.out, variants, channels, workers=self.jobs)
        if imaged.errors:
            raise InputErrors(imaged.errors)
        return imaged

    def _preview(
        self,
        variants: list[Variant],
        summary: Summary,
        channels: tuple[Channel, ...],
        charter: Charter,
    ) -> dict[str, bytes]:
        from cmbuild.preview import HALT_FILE, read_halts, render_preview

        halts = read_halts(self.root / HALT_FILE)
        # Variants' media are the processed images, under the output folder.
        return render_preview(variants, summary, channels, charter, halts=halts, root=self.out)

    def _images_of(self, post: Post) -> list[str]:
        paths = [resolve_image(post.source, i.path) for i in post.images]
        for _, override in post.overrides:
            paths.extend(resolve_image(post.source, i.path) for i in override.images or ())
        return sorted(set(paths))

    def _media(self, paths: set[str], state: State) -> dict[str, Media]:
        self._image_stats = {}
        media = {}
        for path in sorted(paths):
            stat = stat_of(self.root / path)
            if stat is None:
                raise InputErrors([InputError(path, "image not found")])
            known = state.images.get(path)
            facts = (
                known[1]
                if known is not None and known[0] == stat
                else describe_image(self.root, path)
            )
            media[path] = facts
            self._image_stats[path] = (stat, facts)
        return media

    def _duplicate_slugs(
        self, parsed: dict[str, Post], cached: dict[str, PostRecord]
    ) -> list[InputError]:
        owners: dict[str, str] = {}
        for source, record in cached.items():
            if record.variants:
                owners.setdefault(record.variants[0].slug, source)
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
        self,
        variants: list[Variant],
        prints: dict[str, str],
        charter: Charter,
        posts: Mapping[str, Post],
    ) -> list[Variant]:
        """Add the complementarity findings between different posts (a post's own are cached)."""
        from cmbuild.check.complementarity import across_posts

        extra: dict[tuple[str, str], list[Finding]] = {}
        for finding in across_posts(variants, prints, charter, posts):
            extra.setdefault((finding.file, finding.channel or ""), []).append(finding)
        if not extra:
            return variants
        result = []
        for variant in variants:
            more = extra.get((variant.source, variant.channel))
            if more:
                merged = tuple(sorted(set(variant.findings) | set(more), key=Finding.sort_key))
                variant = replace(variant, findings=merged)
            result.append(variant)
        return result


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
