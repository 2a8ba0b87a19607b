"""`cmbuild build` and `cmbuild check`: run a build, show its summary, exit 0, 1 or 2."""

from __future__ import annotations

import sys
from collections.abc import Callable
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

import click

from cmbuild.cli.options import EXIT_FINDINGS, EXIT_INPUT, EXIT_OK, common_build_options

if TYPE_CHECKING:
    from cmbuild.build.result import BuildResult
    from cmbuild.errors import InputErrors

T = TypeVar("T")


@click.command()
@common_build_options
@click.option(
    "--out",
    "-o",
    type=click.Path(file_okay=False, path_type=Path),
    default=None,
    help="Output folder (default: ROOT/output).",
)
@click.option(
    "--no-preview",
    is_flag=True,
    help="Skip the preview site (faster; an earlier preview is removed from the output).",
)
@click.option(
    "--now",
    envvar="CMBUILD_NOW",
    default=None,
    help="The time publish times are compared with, to warn of those already past "
    "(ISO 8601 with zone; default: now).",
)
def build(
    root: Path,
    out: Path | None,
    strict: bool,
    as_json: bool,
    quiet: bool,
    jobs: int | None,
    no_preview: bool,
    now: str | None,
) -> None:
    """Compile every post for every channel into output/.

    Writes output/<channel>/<post>.txt (or .html) and each channel's images,
    output/manifest.json, output/calendar.ics and the preview site output/index.html.
    Only what changed is rebuilt; unchanged files are not rewritten.

    \b
    Examples:
      cmbuild build
      cmbuild build --strict --json > summary.json
      cmbuild build -C ../other-brand -o /tmp/preview
      cmbuild build --no-preview          (for a push job: manifest only)
      cmbuild build --now 2026-12-01T08:00:00+01:00
    """
    from cmbuild.cli.push import parse_now

    _run(
        root,
        out,
        write=True,
        strict=strict,
        as_json=as_json,
        quiet=quiet,
        jobs=jobs,
        preview=not no_preview,
        now=parse_now(now) or _clock(),
    )


@click.command()
@common_build_options
def check(root: Path, strict: bool, as_json: bool, quiet: bool, jobs: int | None) -> None:
    """Validate posts, channels, charter and templates without writing anything.

    \b
    Examples:
      cmbuild check
      cmbuild check --strict --quiet
    """
    _run(
        root, None, write=False, strict=strict, as_json=as_json, quiet=quiet, jobs=jobs,
        slots_now=_check_now(),
    )  # fmt: skip


def _run(
    root: Path,
    out: Path | None,
    *,
    write: bool,
    strict: bool,
    as_json: bool,
    quiet: bool,
    jobs: int | None,
    preview: bool = True,
    now: datetime | None = None,
    slots_now: datetime | None = None,
) -> None:
    from cmbuild.build import build as run_build
    from cmbuild.errors import InputErrors

    if not (root / "channels.toml").exists() and not (root / "posts").exists():
        raise click.UsageError(
            f"{root} is not a content repository (no channels.toml, no posts/); "
            "run it where channels.toml is, pass --root, or create one with `cmbuild init DIR`"
        )
    interactive = sys.stderr.isatty() and not (quiet or as_json)
    try:
        if interactive:
            result = _with_status(
                lambda progress: run_build(
                    root, out, jobs=jobs, write=write, preview=preview, progress=progress, now=now
                )
            )
        else:
            result = run_build(root, out, jobs=jobs, write=write, preview=preview, now=now)
    except InputErrors as errors:
        _show_errors(errors, as_json=as_json)
        sys.exit(EXIT_INPUT)
    if now is not None:
        from cmbuild.build.late import past_publish_times

        late = past_publish_times(root, out or root / "output", now)
        result = replace(result, summary=result.summary.with_findings(late))
    if slots_now is not None:  # posts fixed in a channel's weakest hours (cmbuild slots)
        from cmbuild.planning.warnings import weak_slot_findings

        weak = weak_slot_findings(root, slots_now)
        result = replace(result, summary=result.summary.with_findings(weak))
    summary = result.summary
    failed = summary.count("error") > 0 or (strict and summary.count("warning") > 0)
    _show_result(result, write=write, failed=failed, as_json=as_json, quiet=quiet)
    sys.exit(EXIT_FINDINGS if failed else EXIT_OK)


def _clock() -> datetime:
    return datetime.now(UTC)


def _check_now() -> datetime:
    """The clock `check` judges times to come by: CMBUILD_NOW (tests, CI replays), else now."""
    import os

    from cmbuild.cli.push import parse_now

    return parse_now(os.environ.get("CMBUILD_NOW")) or _clock()


def _show_errors(errors: InputErrors, *, as_json: bool) -> None:
    from cmbuild.cli.show import as_json as dump

    if as_json:
        click.echo(dump({"ok": False, "errors": [e.to_dict() for e in errors]}))
        return
    grouped = errors.grouped()
    for error, channels in grouped:
        click.echo(f"error: {error.shown(channels)}", err=True)
    click.echo(f"{len(grouped)} input error(s): nothing was written.", err=True)


def _show_result(
    result: BuildResult, *, write: bool, failed: bool, as_json: bool, quiet: bool
) -> None:
    from cmbuild.build.summary import grouped_findings
    from cmbuild.cli import show

    summary = result.summary
    if as_json:
        click.echo(show.as_json({"ok": not failed, **summary.to_dict(), "build": _facts(result)}))
    elif quiet:
        for finding, channels in grouped_findings(summary.findings):
            if finding.severity == "error":
                click.echo(show.finding_line(finding, channels), err=True)
    elif sys.stdout.isatty():
        show.rich_summary(summary)
        click.echo(_changes(result, write))
    else:
        show.plain_summary(summary, click.echo)
        click.echo(_changes(result, write))


def _facts(result: BuildResult) -> dict[str, Any]:
    return {
        "noop": result.noop,
        "seconds": round(result.seconds, 3),
        "written": list(result.written),
        "unchanged": result.unchanged,
        "pruned": list(result.pruned),
        "rendered_posts": result.rendered,
        "reused_posts": result.reused,
    }


_STAGES = {
    "read": "reading {total} changed posts",
    "render": "rendering {total} posts",
    "images": "cutting and encoding images",
    "write": "writing outputs",
}


def _with_status(run: Callable[[Callable[[str, int, int], None]], T]) -> T:
    """Run a build with a spinner on the terminal naming the stage it is in."""
    from rich.console import Console

    status = Console(stderr=True).status("loading channels, charter and templates")

    def progress(stage: str, done: int, total: int) -> None:
        del done
        status.update(_STAGES.get(stage, stage).format(total=total))

    with status:
        return run(progress)


def _changes(result: BuildResult, write: bool) -> str:
    if not write:
        return f"checked in {result.seconds:.2f} s; nothing written"
    if result.noop:
        return f"nothing changed ({result.seconds:.2f} s)"
    return (
        f"{len(result.written)} files written, {result.unchanged} unchanged, "
        f"{len(result.pruned)} removed; {result.rendered} posts rendered, "
        f"{result.reused} reused ({result.seconds:.2f} s)"
    )
