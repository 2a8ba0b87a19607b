"""Reading a web analytics CSV export: one reader per tool, each knowing its documented columns.

Each format names the column that holds the `utm_content` of the visits, the columns imported
(and the metric each becomes), and the documented columns it knows but does not import. A file
with any other column is refused, naming the columns found and those expected, so that a
renamed or translated column is never silently read as something else.

The column names relied on:

- Plausible, the dashboard's CSV export, file `utm_contents.csv`: `name` (the utm_content),
  `visitors`, `visits`, `pageviews`, `bounce_rate`, `visit_duration`; with a goal filter,
  `conversions`, `events`, `conversion_rate`, and with revenue goals `total_revenue`,
  `average_revenue`.
- Matomo, the CSV export (`format=CSV`) of a report per utm_content
  (MarketingCampaignsReporting.getContent, or Referrers.getCampaigns where the label is the
  content): `label`, `nb_visits`, `nb_uniq_visitors`, `nb_actions`, `nb_conversions`,
  `nb_visits_converted`, `revenue`, and the per-goal `goal_*` columns. Matomo writes its CSV in
  UTF-16 with a byte order mark, which is read as such.
- GA4, an exploration downloaded as CSV: `# ...` lines first (`# Start date: YYYYMMDD`,
  `# End date: YYYYMMDD`), then the dimension `Session manual ad content` (or `Manual ad
  content`) and the metrics `Sessions`, `Total users`, `Views`, `Conversions` or `Key events`,
  `Total revenue`; `Session campaign`, `Session manual term` and other dimensions may be there.
"""

from __future__ import annotations

import csv
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path

from cmbuild.errors import InputError, InputErrors

UNTAGGED = ("", "(not set)", "(none)", "none")  # visits that carried no utm_content
TOTALS = ("grand total", "total", "totals")  # a summary row some exports add


@dataclass(frozen=True)
class Format:
    """What one tool's CSV export looks like."""

    name: str
    tool: str
    keys: tuple[str, ...]  # the column holding the utm_content: the first of these found
    metrics: Mapping[str, str]  # imported column → the metric it becomes
    known: tuple[str, ...] = ()  # documented columns not imported
    known_prefixes: tuple[str, ...] = ()
    utf16: bool = False  # the tool writes UTF-16 with a byte order mark
    comments: bool = False  # `#` lines before the table (GA4)
    how_to_export: str = ""


FORMATS = {
    "plausible-csv": Format(
        "plausible-csv",
        "Plausible",
        ("name",),
        {
            "visitors": "visitors",
            "visits": "visits",
            "pageviews": "pageviews",
            "conversions": "conversions",
            "events": "events",
            "total_revenue": "revenue",
        },
        ("bounce_rate", "visit_duration", "conversion_rate", "average_revenue", "views_per_visit"),
        how_to_export="in Plausible, open the dashboard, choose the period, click the download "
        "icon, and give the utm_contents.csv file of the downloaded archive",
    ),
    "matomo-csv": Format(
        "matomo-csv",
        "Matomo",
        ("label",),
        {
            "nb_visits": "visits",
            "nb_uniq_visitors": "visitors",
            "nb_actions": "actions",
            "nb_conversions": "conversions",
            "nb_visits_converted": "visits_converted",
            "revenue": "revenue",
        },
        (
            "nb_users",
            "max_actions",
            "sum_visit_length",
            "bounce_count",
            "conversion_rate",
            "bounce_rate",
            "nb_actions_per_visit",
            "avg_time_on_site",
            "sum_daily_nb_uniq_visitors",
            "sum_daily_nb_users",
            "idsubdatatable",
            "segment",
        ),
        ("goal_", "metadata_"),
        utf16=True,
        how_to_export="in Matomo, open Acquisition > Campaigns > Campaign contents, click Export, "
        "choose CSV and keep 'format metrics' off",
    ),
    "ga4-csv": Format(
        "ga4-csv",
        "GA4",
        ("Session manual ad content", "Manual ad content"),
        {
            "Sessions": "visits",
            "Total users": "visitors",
            "Views": "pageviews",
            "Conversions": "conversions",
            "Key events": "conversions",
            "Total revenue": "revenue",
            "Engaged sessions": "engaged_sessions",
        },
        (
            "Session campaign",
            "Session manual term",
            "Session manual campaign name",
            "Session source / medium",
            "Session source",
            "Session medium",
            "Date",
            "Engagement rate",
            "Bounce rate",
            "Average engagement time per session",
        ),
        comments=True,
        how_to_export="in Google Analytics, open the exploration, choose Download data > CSV and "
        "give that file as it is; if you opened and saved it in a spreadsheet, save it again "
        "as 'CSV UTF-8'",
    ),
}


@dataclass
class Row:
    """One line of the export: its utm_content and figures."""

    line: int
    content: str
    metrics: dict[str, int | float | None]


@dataclass
class Export:
    """The rows of one export file, and the period end it states (GA4), if any."""

    rows: list[Row] = field(default_factory=list)
    end: date | None = None  # the last day of the period it covers


def read_export(path: Path, shown: str, fmt: Format) -> Export:
    """The rows of `path`; InputErrors naming the file, line and column of what is wrong."""
    text = _decode(path, shown, fmt)
    lines = text.splitlines(keepends=True)
    export = Export()
    if fmt.comments:
        export.end = _end_date(lines, shown)
        lines = ["\n" if line.startswith("#") else line for line in lines]
    reader = csv.reader(lines)
    header: list[str] | None = None
    errors: list[InputError] = []
    for cells in reader:
        if not any(cell.strip() for cell in cells):
            continue
        if header is None:
            header = [cell.strip() for cell in cells]
            key, columns = _columns(header, shown, fmt)
            continue
        row = _row(cells, header, key, columns, (shown, reader.line_num), errors)
        if row is not None:
            export.rows.append(row)
    if header is None:
        raise InputErrors([InputError(shown, "the file is empty", hint=fmt.how_to_export)])
    if errors:
        raise InputErrors(errors)
    return export


def _decode(path: Path, shown: str, fmt: Format) -> str:
    try:
        data = path.read_bytes()
    except OSError as error:
        raise InputErrors([InputError(shown, f"cannot read the file ({error.strerror})")]) from None
    if not data.strip():
        raise InputErrors([InputError(shown, "the file is empty", hint=fmt.how_to_export)])
    hint = f"export it again as UTF-8: {fmt.how_to_export}"
    if data.startswith((b"\xff\xfe", b"\xfe\xff")) or b"\x00" in data[:200]:
        if fmt.utf16 and data.startswith((b"\xff\xfe", b"\xfe\xff")):
            try:
                return data.decode("utf-16")
            except UnicodeDecodeError:
                pass
        else:
            message = "the file is in UTF-16, not UTF-8 (the text encoding cmbuild reads)"
            raise InputErrors([InputError(shown, message, hint=hint)])
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        line = data.count(b"\n", 0, error.start) + 1
        message = "the file is not in UTF-8 (it looks like Latin-1 or a Windows encoding)"
        raise InputErrors([InputError(shown, message, line=line, hint=hint)]) from None


def _columns(header: list[str], shown: str, fmt: Format) -> tuple[int, dict[int, str]]:
    """The index of the utm_content column, and of each imported column with its metric."""
    lowered = [name.lower() for name in header]
    keys = [k for k in fmt.keys if k.lower() in lowered]
    metrics = {name.lower(): metric for name, metric in fmt.metrics.items()}
    known = {name.lower() for name in fmt.known} | set(metrics) | {k.lower() for k in fmt.keys}
    unexpected = [
        header[i]
        for i, name in enumerate(lowered)
        if name not in known and not name.startswith(fmt.known_prefixes)
    ]
    imported = {i: metrics[name] for i, name in enumerate(lowered) if name in metrics}
    if keys and not unexpected and imported:
        return lowered.index(keys[0].lower()), imported
    expected = " or ".join(fmt.keys) + ", then any of " + ", ".join(fmt.metrics)
    problem = (
        f"unexpected columns {', '.join(unexpected)}"
        if unexpected
        else ("no column of visits" if keys else f"no column {' or '.join(fmt.keys)}")
    )
    message = (
        f"{problem}: this is not a {fmt.tool} export of visits per utm_content "
        f"(columns found: {', '.join(header)}; expected: {expected})"
    )
    raise InputErrors([InputError(shown, message, line=1, hint=fmt.how_to_export)])


def _row(
    cells: list[str],
    header: list[str],
    key: int,
    columns: dict[int, str],
    where: tuple[str, int],
    errors: list[InputError],
) -> Row | None:
    shown, line = where
    content = cells[key].strip() if key < len(cells) else ""
    if content.lower() in TOTALS:
        return None
    figures: dict[str, int | float | None] = {}
    for index, metric in columns.items():
        cell = cells[index].strip() if index < len(cells) else ""
        try:
            value = _number(cell)
        except ValueError:
            message = f"{cell!r} is not a number"
            hint = "export the figures without currency signs or thousands separators"
            errors.append(InputError(shown, message, line=line, key=header[index], hint=hint))
            continue
        if value is not None:
            figures[metric] = (figures.get(metric) or 0) + value
        else:
            figures.setdefault(metric, None)
    return Row(line, content, figures)


_NUMBER = re.compile(r"^-?\d+(\.\d+)?$")


def _number(cell: str) -> int | float | None:
    if cell == "":
        return None  # not given: absent, not zero
    if not _NUMBER.match(cell):
        raise ValueError(cell)
    return float(cell) if "." in cell else int(cell)


def _end_date(lines: list[str], shown: str) -> date | None:
    """`# End date: YYYYMMDD` of a GA4 export: the last day of its period."""
    for number, line in enumerate(lines, start=1):
        if not line.startswith("#"):
            break
        label, _, value = line[1:].partition(":")
        if label.strip().lower() == "end date":
            try:
                day = datetime.strptime(value.strip(), "%Y%m%d").date()
            except ValueError:
                message = f"the end date {value.strip()!r} is not a date like 20261231"
                raise InputErrors([InputError(shown, message, line=number)]) from None
            return day
    return None
