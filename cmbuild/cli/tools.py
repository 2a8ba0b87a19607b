"""`cmbuild count`, `cmbuild init` and `cmbuild diff`: one question each, answered on stdout."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from cmbuild.cli.options import EXIT_FINDINGS, EXIT_INPUT, EXIT_OK, root_option


@click.command()
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
    from cmbuild.cli.show import as_json as dump

    try:
        platform = platforms.get(platform_name)
    except KeyError:
        raise click.BadParameter(
            f"unknown platform {platform_name!r}; known: {', '.join(platforms.names())}",
            param_hint="--platform",
        ) from None
    if text == "-":
        text = sys.stdin.read().removesuffix("\n")
    result = platform.count(text)
    if as_json:
        facts = {"length": result.length, "limit": result.limit, "unit": result.unit}
        click.echo(dump({"platform": platform.name, **facts}))
    else:
        limit = result.limit if result.limit is not None else "∞"
        click.echo(f"{platform.name} {result.length}/{limit} {result.unit}")
    sys.exit(EXIT_OK if result.fits else EXIT_FINDINGS)


@click.command()
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
    except (ValueError, FileExistsError) as error:
        click.echo(f"error: {error}", err=True)
        sys.exit(EXIT_INPUT)
    click.echo(f"created {len(written)} files in {directory}")
    click.echo(
        f"the CI workflows install {install.removeprefix('cmbuild @ git+')}: "
        "use --cmbuild-repository and --cmbuild-revision for your own copy or another version"
    )
    click.echo(f"next: cd {directory} && cmbuild build")


@click.command()
@root_option
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
    from cmbuild.cli.show import as_json as dump
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
