"""`cmbuild import-analytics`: a web analytics export's visits, attributed to each variant.

Every tagged link carries `utm_content=<the first characters of the variant id>`
(cmbuild.render.links.utm_content). An export of visits per utm_content (cmbuild.collect.exports
reads the files) is matched against the ids of output/manifest.json: a utm_content that starts
exactly one variant's id is that variant's; one that starts none, or several, is reported and
never guessed. Each variant's figures become one snapshot (`source: "import"`, `api:
"<tool>-csv"`) at the end of the export's period, so importing the same export twice adds nothing.
A bad file (encoding, columns, a cell that is not a number) writes nothing.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time
from pathlib import Path
from zoneinfo import ZoneInfo

from cmbuild.collect.exports import FORMATS, UNTAGGED, Export, read_export
from cmbuild.errors import InputError, InputErrors
from cmbuild.layout import DEFAULT_OUTPUT, MANIFEST_FILE, STATE_DIR
from cmbuild.load.config import default_timezone, load_channels
from cmbuild.manifest.reader import VariantEntry, read_manifest
from cmbuild.render.links import UTM_CONTENT_LENGTH
from cmbuild.stores.metrics import Snapshot, append_snapshots

Figures = dict[str, int | float | None]


@dataclass(frozen=True)
class ImportSettings:
    root: Path
    file: Path
    format: str  # a key of cmbuild.collect.exports.FORMATS
    at: datetime | date | None = None  # the end of the export's period; GA4 files state it
    dry_run: bool = False


@dataclass(frozen=True)
class Unmatched:
    """A utm_content no variant (or more than one) answers to, with the lines it was on."""

    content: str
    lines: tuple[int, ...]
    candidates: tuple[str, ...]  # the variants it could be (several: ambiguous; none: unknown)


@dataclass(frozen=True)
class ImportReport:
    at: datetime
    snapshots: tuple[Snapshot, ...]  # one per variant found in the export
    written: int  # snapshots new to the store (0 on a dry run or a re-import)
    unmatched: tuple[Unmatched, ...]
    untagged: int  # rows of visits without a utm_content
    dry_run: bool


def import_analytics(settings: ImportSettings) -> ImportReport:
    """Read the export, attribute its rows, append the snapshots; InputErrors on a bad file."""
    fmt = FORMATS[settings.format]
    shown = str(settings.file)
    export = read_export(settings.file, shown, fmt)
    at = period_end(settings.at or export.end, settings.root, shown)
    variants = manifest_variants(settings.root)
    return record(export, variants, at, fmt.name, settings.root, settings.dry_run)


def manifest_variants(root: Path) -> tuple[VariantEntry, ...]:
    """The variants of output/manifest.json, whose ids the utm_contents start."""
    manifest = root / DEFAULT_OUTPUT / MANIFEST_FILE
    return read_manifest(manifest, f"{DEFAULT_OUTPUT}/{MANIFEST_FILE}")


def record(
    export: Export,
    variants: tuple[VariantEntry, ...],
    at: datetime,
    api: str,
    root: Path,
    dry_run: bool,
) -> ImportReport:
    """The export's rows attributed, one snapshot per variant at `at`, appended to the store of
    `root` unless a dry run."""
    figures, unmatched, untagged = attribute(export, variants)
    by_id = {v.id: v for v in variants}
    snapshots = tuple(
        Snapshot(
            key, by_id[key].channel, by_id[key].platform, None, at, None, values, "import", api
        )
        for key, values in sorted(figures.items())
    )
    written = 0 if dry_run else append_snapshots(root / STATE_DIR, snapshots)
    return ImportReport(at, snapshots, written, unmatched, untagged, dry_run)


def attribute(
    export: Export, variants: tuple[VariantEntry, ...]
) -> tuple[dict[str, Figures], tuple[Unmatched, ...], int]:
    """Each variant's summed figures, the utm_contents that match no single variant, and the
    number of rows without a utm_content."""
    ids = sorted(v.id for v in variants)
    figures: dict[str, Figures] = {}
    unmatched: dict[str, tuple[list[int], tuple[str, ...]]] = {}
    untagged = 0
    for row in export.rows:
        content = row.content.strip().lower()
        if content in UNTAGGED:
            untagged += 1
            continue
        found = tuple(i for i in ids if i.startswith(content))
        if len(content) < UTM_CONTENT_LENGTH or len(found) != 1:
            shown = found if len(content) >= UTM_CONTENT_LENGTH else ()
            unmatched.setdefault(row.content, ([], shown))[0].append(row.line)
            continue
        total = figures.setdefault(found[0], {})
        for metric, value in row.metrics.items():
            if value is None:
                total.setdefault(metric, None)
            else:
                total[metric] = (total.get(metric) or 0) + value
    return (
        figures,
        tuple(Unmatched(c, tuple(lines), cands) for c, (lines, cands) in unmatched.items()),
        untagged,
    )


def period_end(given: datetime | date | None, root: Path, shown: str) -> datetime:
    """The time the figures stand for: a day means its last second in the brand's time zone
    (channels.toml's `[defaults] timezone`), so the report counts them in that day's month."""
    if isinstance(given, datetime):
        return given.astimezone(UTC)
    if given is None:
        message = "this export does not say which period it covers"
        hint = "give the last day of the exported period with --at, e.g. --at 2026-12-31"
        raise InputErrors([InputError(shown, message, key="--at", hint=hint)])
    load_channels(root)
    zone = ZoneInfo(default_timezone(root) or "UTC")
    return datetime.combine(given, time(23, 59, 59), tzinfo=zone).astimezone(UTC)


def parse_at(text: str) -> datetime | date:
    """`--at`: a day (2026-12-31) or a time with its zone; ValueError otherwise."""
    if len(text) == 10:
        return datetime.strptime(text, "%Y-%m-%d").date()
    moment = datetime.fromisoformat(text)
    if moment.tzinfo is None:
        raise ValueError(f"{text!r} has no time zone: add Z or an offset such as +01:00")
    return moment.astimezone(UTC)
