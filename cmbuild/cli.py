"""The `cmbuild` command: thin wrappers that call the library and map results to exit codes.

Exit codes: 0 fine; 1 findings at error level (or warnings, with --strict); 2 bad input or usage.
Heavy imports happen inside commands so that `--help` and a no-op build stay fast.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Callable
from pathlib import Path
from typing import NoReturn, TypeVar

import click

from cmbuild import __version__

EXIT_OK, EXIT_FINDINGS, EXIT_INPUT = 0, 1, 2
T = TypeVar("T")


@click.group(context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100})
@click.version_option(__version__, prog_name="cmbuild")
def main() -> None:
    """cmbuild: content as code for community managers.

    Posts are Markdown files in posts/, the brand charter and templates live in brand/, the accounts
    in channels.toml. cmbuild compiles every post for every channel, checks it against each
    platform's limits and the charter, and writes output/ (variants, manifest.json, calendar.ics).

    \b
    Examples:
      cmbuild build                 build the repository in the current folder
      cmbuild check --strict        validate only; warnings fail too
      cmbuild count --platform x "Bonjour 👋 https://cm-bordeaux.fr"
      cmbuild init my-brand         start a new content repository
    """


def _root_option(function: click.decorators.FC) -> click.decorators.FC:
    return click.option(
        "--root",
        "-C",
        type=click.Path(file_okay=False, path_type=Path),
        default=Path("."),
        show_default=True,
        help="The content repository (holding posts/, brand/, channels.toml).",
    )(function)


def _common_build_options(function: click.decorators.FC) -> click.decorators.FC:
    for option in reversed(
        [
            click.option("--strict", is_flag=True, help="Warnings fail the build too (exit 1)."),
            click.option(
                "--json", "as_json", is_flag=True, help="Print a machine-readable summary."
            ),
            click.option("--quiet", "-q", is_flag=True, help="Print errors only."),
            click.option(
                "--jobs",
                "-j",
                type=click.IntRange(min=1),
                default=None,
                help="Worker processes for large builds (default: one per core).",
            ),
        ]
    ):
        function = option(function)
    return _root_option(function)


@main.command()
@_common_build_options
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
def build(
    root: Path,
    out: Path | None,
    strict: bool,
    as_json: bool,
    quiet: bool,
    jobs: int | None,
    no_preview: bool,
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
    """
    _run(
        root,
        out,
        write=True,
        strict=strict,
        as_json=as_json,
        quiet=quiet,
        jobs=jobs,
        preview=not no_preview,
    )


@main.command()
@_common_build_options
def check(root: Path, strict: bool, as_json: bool, quiet: bool, jobs: int | None) -> None:
    """Validate posts, channels, charter and templates without writing anything.

    \b
    Examples:
      cmbuild check
      cmbuild check --strict --quiet
    """
    _run(root, None, write=False, strict=strict, as_json=as_json, quiet=quiet, jobs=jobs)


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
) -> None:
    from cmbuild.build import build as run_build
    from cmbuild.errors import InputErrors
    from cmbuild.report import as_json as dump
    from cmbuild.report import plain_summary

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
                    root, out, jobs=jobs, write=write, preview=preview, progress=progress
                )
            )
        else:
            result = run_build(root, out, jobs=jobs, write=write, preview=preview)
    except InputErrors as errors:
        if as_json:
            click.echo(dump({"ok": False, "errors": [e.to_dict() for e in errors]}))
        else:
            for error in errors:
                click.echo(f"error: {error}", err=True)
            click.echo(f"{len(errors)} input error(s): nothing was written.", err=True)
        sys.exit(EXIT_INPUT)
    summary = result.summary
    failed = summary.count("error") > 0 or (strict and summary.count("warning") > 0)
    if as_json:
        data = {"ok": not failed, **summary.to_dict()}
        data["build"] = {
            "noop": result.noop,
            "seconds": round(result.seconds, 3),
            "written": list(result.written),
            "unchanged": result.unchanged,
            "pruned": list(result.pruned),
            "rendered_posts": result.rendered,
            "reused_posts": result.reused,
        }
        click.echo(dump(data))
    elif quiet:
        plain_summary_errors_only(summary)
    elif sys.stdout.isatty():
        from cmbuild.report import rich_summary

        rich_summary(summary)
        click.echo(_changes(result, write))
    else:
        plain_summary(summary, click.echo)
        click.echo(_changes(result, write))
    sys.exit(EXIT_FINDINGS if failed else EXIT_OK)


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


def plain_summary_errors_only(summary: object) -> None:
    from cmbuild.report import finding_line
    from cmbuild.summary import Summary

    assert isinstance(summary, Summary)
    for finding in summary.findings:
        if finding.severity == "error":
            click.echo(finding_line(finding), err=True)


def _changes(result: object, write: bool) -> str:
    from cmbuild.build import BuildResult

    assert isinstance(result, BuildResult)
    if not write:
        return f"checked in {result.seconds:.2f} s; nothing written"
    if result.noop:
        return f"nothing changed ({result.seconds:.2f} s)"
    return (
        f"{len(result.written)} files written, {result.unchanged} unchanged, "
        f"{len(result.pruned)} removed; {result.rendered} posts rendered, "
        f"{result.reused} reused ({result.seconds:.2f} s)"
    )


@main.command()
@click.option(
    "--platform",
    "-p",
    "platform_name",
    required=True,
    help="x, mastodon, bluesky, threads, linkedin...",
)
@click.option(
    "--json", "as_json", is_flag=True, help="Print {platform, length, limit, unit} as JSON."
)
@click.argument("text")
def count(platform_name: str, as_json: bool, text: str) -> None:
    """Print the length of TEXT as PLATFORM counts it, and its limit.

    TEXT '-' reads standard input. X counts weighted characters (URLs 23, emoji 2), Mastodon
    graphemes (URLs 23, @user@domain as @user), Bluesky graphemes (and at most 3000 bytes).

    \b
    Examples:
      cmbuild count --platform x "Bonjour 👋 https://cm-bordeaux.fr"      → x 34/280
      echo "Salut" | cmbuild count -p bluesky --json -
    """
    from cmbuild import platforms
    from cmbuild.report import as_json as dump

    try:
        platform = platforms.get(platform_name)
    except KeyError:
        raise click.BadParameter(
            f"unknown platform {platform_name!r}; known: {', '.join(platforms.names())}",
            param_hint="--platform",
        ) from None
    if text == "-":
        text = sys.stdin.read()
        if text.endswith("\n"):
            text = text[:-1]
    result = platform.count(text)
    if as_json:
        click.echo(
            dump(
                {
                    "platform": platform.name,
                    "length": result.length,
                    "limit": result.limit,
                    "unit": result.unit,
                }
            )
        )
    else:
        limit = result.limit if result.limit is not None else "∞"
        click.echo(f"{platform.name} {result.length}/{limit} {result.unit}")
    sys.exit(EXIT_OK if result.fits else EXIT_FINDINGS)


@main.command()
@click.argument("directory", type=click.Path(file_okay=False, path_type=Path))
@click.option(
    "--cmbuild-repository",
    default=None,
    metavar="URL",
    help="The git repository the CI workflows install cmbuild from.",
)
@click.option(
    "--cmbuild-revision",
    default=None,
    metavar="REV",
    help="The tag or commit of cmbuild the CI workflows install (this version's tag by default).",
)
def init(directory: Path, cmbuild_repository: str | None, cmbuild_revision: str | None) -> None:
    """Create a new, buildable content repository in DIRECTORY.

    It holds channels.toml, brand/charter.toml, a starter template for every platform,
    one example post, a README for writers and GitHub Actions workflows.

    \b
    Examples:
      cmbuild init my-brand && cd my-brand && cmbuild build
      cmbuild init my-brand --cmbuild-revision 3f2c1ab
    """
    from cmbuild.scaffold import DEFAULT_REPOSITORY, DEFAULT_REVISION, requirement, scaffold

    try:
        install = requirement(
            cmbuild_repository or DEFAULT_REPOSITORY, cmbuild_revision or DEFAULT_REVISION
        )
        written = scaffold(directory, install=install)
    except ValueError as error:
        click.echo(f"error: {error}", err=True)
        sys.exit(EXIT_INPUT)
    except FileExistsError as error:
        click.echo(f"error: {error}", err=True)
        sys.exit(EXIT_INPUT)
    click.echo(f"created {len(written)} files in {directory}")
    click.echo(f"next: cd {directory} && cmbuild build")


@main.command()
@_root_option
@click.option("--json", "as_json", is_flag=True, help="Print the diff as JSON.")
@click.argument("base")
@click.argument("head", required=False)
def diff(root: Path, as_json: bool, base: str, head: str | None) -> None:
    """Show what HEAD changes in the schedule since BASE, as Markdown for a pull request.

    BASE and HEAD are git revisions; without HEAD, the working tree (uncommitted edits included).
    Both sides are built in temporary folders: the working tree and output/ are not touched.
    Lists variants added, removed, rescheduled, with text or image changed, per channel, and the
    findings that are new or resolved. A diff is not a failure: exit 0; bad revision or input: 2.

    \b
    Examples:
      cmbuild diff origin/main                 this branch, uncommitted edits included
      cmbuild diff origin/main HEAD > diff.md  for `gh pr comment --body-file diff.md`
      cmbuild diff HEAD~1 HEAD --json
    """
    from cmbuild.report import as_json as dump
    from cmbuild.review.compare import SideError, compare
    from cmbuild.review.markdown import render

    try:
        review = compare(root, base, head)
    except SideError as error:
        if as_json:
            click.echo(dump({"ok": False, "side": error.side, "errors": error.problems}))
        for line in error.lines():
            click.echo(f"error: {line}", err=True)
        sys.exit(EXIT_INPUT)
    click.echo(dump(review.to_dict()) if as_json else render(review), nl=as_json)
    sys.exit(EXIT_OK)


# --- Publishing: push, plan, halt, resume, retract, resolve (library: cmbuild/push/) -----------


def _state_options(function: click.decorators.FC) -> click.decorators.FC:
    for option in reversed(
        [
            click.option(
                "--manifest",
                type=click.Path(dir_okay=False, path_type=Path),
                default=None,
                help="The manifest to publish from (default: ROOT/output/manifest.json).",
            ),
            click.option(
                "--ledger",
                type=click.Path(dir_okay=False, path_type=Path),
                default=None,
                help="What was published (default: ROOT/state/ledger.jsonl).",
            ),
            click.option(
                "--halt-file",
                type=click.Path(dir_okay=False, path_type=Path),
                default=None,
                help="Halted campaigns and channels (default: ROOT/state/halt.toml).",
            ),
            click.option(
                "--channel",
                "channels",
                multiple=True,
                help="Only this channel (repeat for several).",
            ),
        ]
    ):
        function = option(function)
    return _root_option(function)


_WAIT = click.option("--wait", is_flag=True, help="Wait for another push on this ledger to end.")


_JSON = click.option("--json", "as_json", is_flag=True, help="Print the report as JSON.")
_NOW = click.option(
    "--now", default=None, help="Act as if it were this time (ISO 8601 with zone; default: now)."
)


@main.command()
@_state_options
@_WAIT
@_NOW
@click.option("--dry-run", is_flag=True, help="Show what would be published; publish nothing.")
@_JSON
def push(
    root: Path,
    manifest: Path | None,
    ledger: Path | None,
    halt_file: Path | None,
    channels: tuple[str, ...],
    wait: bool,
    now: str | None,
    dry_run: bool,
    as_json: bool,
) -> None:
    """Publish what is due from the manifest, exactly once, recording it in the ledger.

    Due: scheduled at or before now, publishable, not in the ledger, not halted, and not more than
    the channel's stale_after_hours late (then reported as missed). Re-running is always safe.
    Exit 0 all due published, 1 something failed, 2 bad input, 3 another push is running.

    \b
    Examples:
      cmbuild push
      cmbuild push --dry-run --now 2026-12-01T09:00:00Z
      cmbuild push --channel mastodon-cmb --wait
    """
    from cmbuild.push import apply, commands

    options = (root, manifest, ledger, halt_file, now, channels)
    settings = commands.settings(*options, dry_run=dry_run, wait=wait)
    sys.exit(commands.run(lambda: apply.push(settings), fails=not dry_run, as_json=as_json))


@main.command()
@_state_options
@_NOW
@click.option("--week", is_flag=True, help="Also list what is scheduled in the coming 7 days.")
@_JSON
@click.option(
    "--csv",
    "csv_file",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    help="Also write the listed variants to this CSV file (for a spreadsheet).",
)
def plan(
    root: Path,
    manifest: Path | None,
    ledger: Path | None,
    halt_file: Path | None,
    channels: tuple[str, ...],
    now: str | None,
    week: bool,
    as_json: bool,
    csv_file: Path | None,
) -> None:
    """Show what `cmbuild push` would publish now, and what it would not and why.

    Needs no credentials and changes nothing (but the --csv file).

    \b
    Examples:
      cmbuild plan --now 2026-12-01T09:00:00+01:00
      cmbuild plan --week --csv schedule.csv
    """
    from datetime import timedelta

    from cmbuild.push import apply, commands

    settings = commands.settings(root, manifest, ledger, halt_file, now, channels)
    horizon = timedelta(days=7) if week else None
    action = lambda: apply.plan(settings, horizon)  # noqa: E731
    sys.exit(commands.run(action, fails=False, as_json=as_json, csv_file=csv_file))


def _selector_options(function: click.decorators.FC) -> click.decorators.FC:
    function = click.option("--all", "everything", is_flag=True, help="Every channel.")(function)
    function = click.option("--channel", default=None, help="One channel.")(function)
    function = click.option("--campaign", default=None, help="One campaign.")(function)
    return click.option(
        "--halt-file",
        type=click.Path(dir_okay=False, path_type=Path),
        default=None,
        help="The halt file (default: ROOT/state/halt.toml).",
    )(_root_option(function))


@main.command()
@_selector_options
@click.option("--reason", required=True, help="Why: shown by every push it stops.")
def halt(
    root: Path,
    halt_file: Path | None,
    campaign: str | None,
    channel: str | None,
    everything: bool,
    reason: str,
) -> None:
    """Stop publishing a campaign, a channel, or everything, at once, until `cmbuild resume`.

    A running push reads the halt file before each send. Commit state/halt.toml so CI sees it.

    \b
    Examples:
      cmbuild halt --campaign meetup-decembre --reason "venue cancelled"
      cmbuild halt --all --reason "national mourning"
    """
    from cmbuild.push import commands

    scope, name = commands.selector(campaign, channel, everything)
    sys.exit(commands.halt(halt_file or root / "state" / "halt.toml", scope, name, reason))


@main.command()
@_selector_options
def resume(
    root: Path, halt_file: Path | None, campaign: str | None, channel: str | None, everything: bool
) -> None:
    """Lift a halt (--all lifts every halt). Variants now stale are reported as missed.

    \b
    Examples:
      cmbuild resume --campaign meetup-decembre
    """
    from cmbuild.push import commands

    scope, name = commands.selector(campaign, channel, everything)
    sys.exit(commands.resume(halt_file or root / "state" / "halt.toml", scope, name))


@main.command()
@_state_options
@_WAIT
@click.option("--campaign", required=True, help="The campaign whose posts to delete.")
@click.option("--reason", default="retracted", show_default=True, help="Recorded with the halt.")
def retract(
    root: Path,
    manifest: Path | None,
    ledger: Path | None,
    halt_file: Path | None,
    channels: tuple[str, ...],
    wait: bool,
    campaign: str,
    reason: str,
) -> None:
    """Halt a campaign and delete its published posts wherever the platform allows it.

    Uses the ledger's remote ids; records each deletion in the ledger. Exit 1 if a post could not
    be deleted (the table says where it is, to remove by hand).

    \b
    Examples:
      cmbuild retract --campaign meetup-decembre --reason "wrong date"
    """
    from cmbuild.push import commands
    from cmbuild.push import retract as retracting

    settings = commands.settings(root, manifest, ledger, halt_file, None, channels, wait=wait)
    sys.exit(commands.run(lambda: retracting.retract(settings, campaign, reason)))


@main.command()
@_state_options
@_WAIT
@click.argument("variant")
@click.option("--sent/--not-sent", required=True, help="Whether the post did go out.")
@click.option("--remote-id", default=None, help="Its id on the platform, if known.")
@click.option("--url", default=None, help="Its address, if known.")
def resolve(
    root: Path,
    manifest: Path | None,
    ledger: Path | None,
    halt_file: Path | None,
    channels: tuple[str, ...],
    wait: bool,
    variant: str,
    sent: bool,
    remote_id: str | None,
    url: str | None,
) -> None:
    """Settle an interrupted send that cannot be checked automatically (an e-mail).

    \b
    Examples:
      cmbuild resolve 5898f4e092f71929bba5 --sent
      cmbuild resolve 5898f4e092f71929bba5 --not-sent
    """
    from cmbuild.push import commands
    from cmbuild.push.retract import resolve as settle

    settings = commands.settings(root, manifest, ledger, halt_file, None, channels, wait=wait)
    sys.exit(
        commands.run(lambda: settle(settings, variant, sent=sent, remote_id=remote_id, url=url))
    )


@main.command()
@_root_option
@click.option(
    "--port", "-p", type=click.IntRange(0, 65535), default=8000, show_default=True, help="0: any."
)
def serve(root: Path, port: int) -> None:
    """Build, serve output/ on 127.0.0.1, rebuild on every save and reload the browser.

    Watches posts/, brand/ and channels.toml. A failed build shows its errors in the browser
    until the next successful one. Ctrl-C stops.

    \b
    Examples:
      cmbuild serve                      then open http://127.0.0.1:8000/
      cmbuild serve -C ../other-brand --port 8001
    """
    import threading

    from cmbuild.serve.loop import serve as run_serve
    from cmbuild.serve.report import line

    try:
        run_serve(root, port=port, stop=threading.Event(), report=lambda e: click.echo(line(e)))
    except KeyboardInterrupt:
        sys.exit(EXIT_OK)
    except OSError as error:
        click.echo(f"error: cannot serve on 127.0.0.1:{port}: {error}", err=True)
        sys.exit(EXIT_INPUT)


def run() -> NoReturn:
    """The console script: `main`, then an exit that skips freeing the objects a build made.

    A build of thousands of posts leaves hundreds of thousands of objects; freeing them one by one
    at interpreter exit took longer than a one-post rebuild's own work. Everything was written and
    closed by then (files with context managers, pools shut down): only the standard streams are
    left to flush.
    """
    try:
        main()
        code: object = 0
    except SystemExit as done:
        code = done.code
    if code is not None and not isinstance(code, int):
        print(code, file=sys.stderr)  # what SystemExit does with a message
        code = 1
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(code or 0)
