"""Showing a result to a person (a build's findings and table, a push's table) or to a program.

Only the CLI prints: the commands hand these functions a `write` callable (or a terminal).
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Sequence
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from cmbuild.build.summary import Summary
    from cmbuild.errors import InputError
    from cmbuild.inbox.fetch import InboxRun
    from cmbuild.model import Finding
    from cmbuild.push.report import Report

Write = Callable[[str], None]


def finding_line(finding: Finding, channels: Sequence[str] | None = None) -> str:
    """One finding as a line of text; `channels` (default: its own) are those it was found on."""
    if channels is None:
        channels = (finding.channel,) if finding.channel else ()
    channel = f" [{', '.join(channels)}]" if channels else ""
    hint = f"\n    hint: {finding.hint}" if finding.hint else ""
    where = f"{finding.location()}:{channel}"
    return f"{where} {finding.severity}: {finding.message} ({finding.rule}){hint}"


def plain_summary(
    summary: Summary, write: Write, *, show: Iterable[str] = ("error", "warning")
) -> None:
    """A summary readable in a CI log: findings, then one row per channel, then totals."""
    from cmbuild.build.summary import grouped_findings

    wanted = set(show)
    for finding, channels in grouped_findings(summary.findings):
        if finding.severity in wanted:
            write(finding_line(finding, channels))
    if summary.findings and wanted:
        write("")
    rows = [("channel", "platform", "variants", "drafts", "errors", "warnings")]
    rows += [
        (c.name, c.platform, str(c.variants), str(c.drafts), str(c.errors), str(c.warnings))
        for c in summary.channels
    ]
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
    for row in rows:
        write(
            "  ".join(
                cell.ljust(w) if i < 2 else cell.rjust(w)
                for i, (cell, w) in enumerate(zip(row, widths, strict=True))
            ).rstrip()
        )
    if summary.drafts:
        write("")
        write(f"drafts (not in the manifest): {len(summary.drafts)}")
        for source, title in summary.drafts:
            write(f"  {source}  {title}")
    write("")
    write(totals(summary))


def totals(summary: Summary) -> str:
    return (
        f"{summary.posts} posts, {summary.variants} variants ({summary.publishable} publishable), "
        f"{len(summary.drafts)} drafts, {summary.count('error')} errors, "
        f"{summary.count('warning')} warnings"
    )


def rich_summary(summary: Summary, *, show: Iterable[str] = ("error", "warning")) -> None:
    """The same summary as a coloured table, for a terminal."""
    from rich.console import Console
    from rich.table import Table

    from cmbuild.build.summary import grouped_findings

    console = Console()
    colours = {"error": "red", "warning": "yellow", "info": "blue"}
    wanted = set(show)
    for finding, channels in grouped_findings(summary.findings):
        if finding.severity not in wanted:
            continue
        colour = colours[finding.severity]
        channel = f" [bold]\\[{', '.join(channels)}][/bold]" if channels else ""
        console.print(
            f"[dim]{finding.location()}:[/dim]{channel} [{colour}]{finding.severity}[/{colour}]: "
            f"{_escape(finding.message)} [dim]({finding.rule})[/dim]",
            highlight=False,
        )
        if finding.hint:
            console.print(f"    [dim]hint:[/dim] {_escape(finding.hint)}", highlight=False)
    table = Table(title="cmbuild", title_justify="left")
    for name, justify in (
        ("channel", "left"),
        ("platform", "left"),
        ("variants", "right"),
        ("drafts", "right"),
        ("errors", "right"),
        ("warnings", "right"),
    ):
        table.add_column(name, justify=justify)  # type: ignore[arg-type]
    for c in summary.channels:
        table.add_row(
            c.name,
            c.platform,
            str(c.variants),
            str(c.drafts),
            f"[red]{c.errors}[/red]" if c.errors else "0",
            f"[yellow]{c.warnings}[/yellow]" if c.warnings else "0",
        )
    console.print(table)
    if summary.drafts:
        console.print(f"drafts (not in the manifest): {len(summary.drafts)}", highlight=False)
        for source, title in summary.drafts:
            console.print(f"  [dim]{source}[/dim]  {_escape(title)}", highlight=False)
    console.print(totals(summary), highlight=False)


def _escape(text: str) -> str:
    from rich.markup import escape

    return escape(text)


def input_errors_text(errors: Iterable[InputError]) -> list[str]:
    return [str(e) for e in errors]


def push_report(report: Report, show: Write) -> None:
    """Print the report as a table (`cmbuild.push.report.lines`).

    Every line passes once more through the push's redactor before it is shown."""
    from cmbuild.push.report import lines

    for line in lines(report):
        show(report.redact(line))


def as_json(data: dict[str, Any]) -> str:
    return json.dumps(data, ensure_ascii=False, indent=2)


def show_reading(run: InboxRun, echo: Write) -> None:
    """What an inbox reading did, per channel (the items are listed by `cli.inbox_list`)."""
    verb = "read (dry run, not stored)" if run.dry_run else "new"
    for problem in run.contents.errors:
        echo(f"warning: {problem}")
    for name, result in run.channels.items():
        count = result.read if run.dry_run else result.written
        line = f"  {name}: {count} items {verb}"
        echo(line + (f"; stopped: {result.error}" if result.error else ""))
        for finding in result.findings:
            echo(f"    warning: {finding.message}" + (f" ({finding.hint})" if finding.hint else ""))
    if not run.fetched:
        echo("  no platform read (--no-fetch): listing what state/inbox.jsonl holds")
    elif run.idle:
        idle = ", ".join(run.idle)
        echo(f"  not read (nothing published there yet; --channel reads one): {idle}")
    if run.unread:
        echo(f"  cmbuild cannot read the inbox of these channels yet: {', '.join(run.unread)}")
