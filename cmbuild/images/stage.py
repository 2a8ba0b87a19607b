"""The image stage: plan every job, reuse what is still valid, render the rest, write outputs.

Read-all-then-write, per source image: a source that fails to decode writes none of its outputs,
and every output file is complete when written (encoded in memory, then overwritten in place,
which our disks prefer to replacing files). Files whose bytes did not change are not touched.
Rendering runs in worker processes, one source image per task; each worker writes the files of its
source (the bytes never travel between processes) and reports what it wrote.
"""

from __future__ import annotations

import multiprocessing
from collections.abc import Iterable, Iterator, Sequence
from concurrent.futures import ProcessPoolExecutor, as_completed
from dataclasses import dataclass, field, replace
from pathlib import Path

from cmbuild.errors import InputError, InputErrors
from cmbuild.images.brand import Brand, load_brand
from cmbuild.images.cache import Entry, Index, read_index, stat_of, write_index
from cmbuild.images.jobs import ImageJob, ImageResult
from cmbuild.images.notes import SEVERITIES, Note
from cmbuild.images.plan import Plan, Planned, Planner
from cmbuild.images.work import Group, GroupResult, Rendered, Task
from cmbuild.layout import CHARTER_FILE
from cmbuild.model import Charter, Finding, Media


def process_images(
    root: Path,
    out: Path,
    jobs: Sequence[ImageJob],
    charter: Charter,
    *,
    workers: int,
    cache_dir: Path,
) -> ImageResult:
    """Cut, brand and encode every image `jobs` ask for, into `out`; reuse what has not changed.

    `charter` is the loaded brand/charter.toml (its `images`). Bad images and bad brand settings
    are returned as errors (all of them), never raised. Returns the media of each variant in job
    order, the findings, the outputs the stage owns and those it made before and no longer makes.
    """
    try:
        brand = load_brand(root, charter)
    except InputErrors as exc:
        return ImageResult(errors=list(exc))
    index = read_index(cache_dir)
    plan = Planner(root, brand, index).plan(jobs)
    run = _Run(out, brand, index, plan)
    todo = [p for p in plan.planned if not run.reuse(p)]
    groups, members = _groups(todo)
    # A source its header already condemns stops the stage before any file is written.
    refused = _refused(root, brand, groups)
    for result in refused or _render(root, out, brand, plan, groups, workers):
        run.apply(result, members)
    outcome = run.finish(jobs)
    used = {p.job.source for p in plan.planned if p.job.source is not None}
    if set(index.sources) - used:
        index.sources = {s: v for s, v in index.sources.items() if s in used}
        index.changed = True
    if index.changed:
        write_index(cache_dir, index)
    return outcome


def _groups(todo: list[Planned]) -> tuple[list[Group], dict[str, list[Planned]]]:
    """One group per source image (by content), one per title card; jobs by key."""
    members: dict[str, list[Planned]] = {}
    photos: dict[str, tuple[str, dict[str, Task]]] = {}
    cards: dict[str, Task] = {}
    for planned in todo:
        job = planned.job
        members.setdefault(planned.key, []).append(planned)
        if job.source is None:
            cards.setdefault(planned.key, Task(planned.key, planned.target, title=job.title))
            continue
        assert planned.digest is not None
        _, tasks = photos.setdefault(planned.digest, (job.source, {}))
        tasks.setdefault(planned.key, Task(planned.key, planned.target, job.focus))
    outputs = {k: tuple(dict.fromkeys(p.job.output for p in m)) for k, m in members.items()}

    def with_outputs(tasks: Iterable[Task]) -> tuple[Task, ...]:
        return tuple(replace(t, outputs=outputs[t.key]) for t in tasks)

    groups = [Group(s, with_outputs(t.values()), len(t) * 10) for s, t in photos.values()]
    groups.extend(Group(None, with_outputs([task]), 1) for task in cards.values())
    groups.sort(key=lambda g: -g.cost)
    return groups, members


def _refused(root: Path, brand: Brand, groups: list[Group]) -> list[GroupResult]:
    """The groups whose source cannot be used, judged from its header alone (cheap: no decode).

    Missing, unreadable and over-the-pixel-cap sources are found here, before the stage writes
    anything, so that a build refused for a bad image leaves output/ as it was.
    """
    from cmbuild.images.decode import SourceError, open_source

    found = []
    for group in groups:
        if group.source is None:
            continue
        try:
            open_source(root / group.source, brand.max_source_pixels).close()
        except SourceError as exc:
            keys = tuple(task.key for task in group.tasks)
            found.append(GroupResult(group.source, keys, error=(exc.message, exc.hint)))
    return found


def _render(
    root: Path, out: Path, brand: Brand, plan: Plan, groups: list[Group], workers: int
) -> Iterator[GroupResult]:
    if not groups:
        return
    # Imported here: a build with nothing to render never loads Pillow's codecs.
    from cmbuild.images.render import Studio, init_worker, render_in_worker

    if workers <= 1 or len(groups) == 1:
        studio = Studio(root, out, brand, plan.logo, plan.font)
        for group in groups:
            yield studio.render(group)
        return
    method = "fork" if "fork" in multiprocessing.get_all_start_methods() else None
    with ProcessPoolExecutor(
        max_workers=min(workers, len(groups)),
        mp_context=multiprocessing.get_context(method),
        initializer=init_worker,
        initargs=(root, out, brand, plan.logo, plan.font),
    ) as pool:
        # No list of the futures is kept: each result is let go once it has been used.
        for future in as_completed([pool.submit(render_in_worker, g) for g in groups]):
            yield future.result()


@dataclass
class _Run:
    """What one run reuses, writes and finds, job by job."""

    out: Path
    brand: Brand
    index: Index
    plan: Plan
    entries: dict[str, Entry] = field(default_factory=dict)  # by job output
    written: list[str] = field(default_factory=list)
    errors: list[InputError] = field(default_factory=list)
    rendered: set[str] = field(default_factory=set)  # keys encoded in this run

    def reuse(self, planned: Planned) -> bool:
        entry = self.index.outputs.get(planned.job.output)
        if entry is None or entry.key != planned.key:
            return False
        if stat_of(self.out / entry.path) != entry.stat:
            return False
        self.entries[planned.job.output] = entry
        return True

    def apply(self, result: GroupResult, members: dict[str, list[Planned]]) -> None:
        if result.asset_error is not None:
            key, message, hint = result.asset_error
            self.errors.append(InputError(CHARTER_FILE, message, key=key, hint=hint))
        if result.error is not None:
            message, hint = result.error
            for key in result.keys:
                for planned in members.get(key, []):
                    job = planned.job
                    what = f"image {job.source}" if job.source else "the title card"
                    self.errors.append(
                        InputError(job.post, f"{what} {message}", job.line, "images", hint)
                    )
        for rendered in result.rendered:
            self.rendered.add(rendered.key)
            for planned in members.get(rendered.key, []):
                self._record(planned, rendered)

    def _record(self, planned: Planned, rendered: Rendered) -> None:
        output = planned.job.output
        [file] = [f for f in rendered.files if f.path.rpartition(".")[0] == output]
        if file.changed:
            self.written.append(file.path)
        old = self.index.outputs.get(output)
        if old is not None and old.path != file.path:
            self.index.orphans.add(old.path)
        entry = Entry(
            key=planned.key,
            path=file.path,
            sha256=rendered.sha256,
            bytes=rendered.bytes,
            width=rendered.width,
            height=rendered.height,
            stat=file.stat,
            notes=rendered.notes,
        )
        self.index.outputs[output] = self.entries[output] = entry
        self.index.changed = True

    def finish(self, jobs: Sequence[ImageJob]) -> ImageResult:
        media: dict[str, list[Media]] = {job.variant_id: [] for job in jobs}
        findings: list[Finding] = []
        for job, note in self.plan.dropped:
            findings.append(self._finding(job, note))
        for planned in self.plan.planned:
            job = planned.job
            entry = self.entries.get(job.output)
            if entry is None:
                continue
            alt = job.alt if job.alt is not None or job.source else job.title
            media[job.variant_id].append(
                Media(entry.path, entry.sha256, entry.bytes, alt, entry.width, entry.height)
            )
            findings.extend(self._finding(job, n) for n in (*planned.notes, *entry.notes))
        outputs = frozenset(e.path for e in self.entries.values())
        stale = self._stale(outputs, {p.job.output for p in self.plan.planned})
        errors = sorted(
            set(self.plan.errors) | set(self.errors),
            key=lambda e: (e.file, e.line or 0, e.key or "", e.message),
        )
        return ImageResult(
            media={k: tuple(v) for k, v in media.items()},
            findings=sorted(set(findings), key=Finding.sort_key),
            errors=errors,
            outputs=outputs,
            stale=stale,
            written=tuple(sorted(self.written)),
            unchanged=tuple(sorted(outputs - set(self.written))),
            encoded=len(self.rendered),
        )

    def _stale(self, outputs: frozenset[str], wanted: set[str]) -> frozenset[str]:
        """Outputs made before and no longer: reported until they are gone from disk."""
        index = self.index
        for name in [n for n in index.outputs if n not in wanted]:
            index.orphans.add(index.outputs.pop(name).path)
            index.changed = True
        still = {p for p in index.orphans - outputs if stat_of(self.out / p) is not None}
        if still != index.orphans:
            index.orphans = still
            index.changed = True
        return frozenset(still)

    def _finding(self, job: ImageJob, note: Note) -> Finding:
        severity = self.brand.severity(note.rule, SEVERITIES.get(note.rule, "warning"))
        return Finding(
            note.rule, severity, note.message, job.post, job.line, job.channel, note.hint
        )
