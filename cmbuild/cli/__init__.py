"""The `cmbuild` command: the only code that prints, and that maps results to exit codes.

    options.py    options shared by several commands; the exit codes
    build.py      build, check
    tools.py      count, init, diff
    push.py       push, plan, resolve
    halt.py       halt, resume, retract
    serve.py      serve
    report.py     report
    collect.py    collect, run (the scheduled steps)
    analytics.py  import-analytics
    watch.py      watch (veille)
    receive.py    watch-receive (Apprise notifications into a veille inbox)
    slots.py      slots (each channel's best hours, learned from its history)
    inbox.py      inbox, reply (the community inbox)
    show.py       a build's summary (plain, rich, JSON) and a push's table

Exit codes: 0 fine; 1 findings at error level (or warnings, with --strict), or a push that failed
somewhere; 2 bad input or usage; 3 another push holds the ledger; 70 a defect of cmbuild itself
(group.py); 141 the reader of the output went away. Each command loads, calls the
library, shows the result and exits. A command's module is imported only when that command runs
(or `--help` lists them all), and heavy imports happen inside commands, so that `--help`, a no-op
build and a watch stay fast. The library returns results and raises typed errors; it never prints.
"""

from __future__ import annotations

import os
import sys
from typing import NoReturn

import click

from cmbuild import __version__
from cmbuild.cli.group import Group
from cmbuild.cli.options import EXIT_PIPE

# Each command, by "module:attribute", imported only when it runs: `cmbuild watch` loads no push
# or build code. A new command is one line here (tests/cli/test_commands.py checks none is missing).
COMMANDS = {
    "build": "cmbuild.cli.build:build",
    "check": "cmbuild.cli.build:check",
    "count": "cmbuild.cli.tools:count",
    "init": "cmbuild.cli.tools:init",
    "diff": "cmbuild.cli.tools:diff",
    "push": "cmbuild.cli.push:push",
    "plan": "cmbuild.cli.push:plan",
    "halt": "cmbuild.cli.halt:halt",
    "resume": "cmbuild.cli.halt:resume",
    "retract": "cmbuild.cli.halt:retract",
    "resolve": "cmbuild.cli.push:resolve",
    "serve": "cmbuild.cli.serve:serve",
    "report": "cmbuild.cli.report:report",
    "collect": "cmbuild.cli.collect:collect",
    "run": "cmbuild.cli.collect:run_scheduled",
    "import-analytics": "cmbuild.cli.analytics:import_analytics",
    "watch": "cmbuild.cli.watch:watch",
    "watch-receive": "cmbuild.cli.receive:watch_receive",
    "slots": "cmbuild.cli.slots:slots",
    "inbox": "cmbuild.cli.inbox:inbox",
    "reply": "cmbuild.cli.inbox:reply",
}


@click.group(
    cls=Group,
    lazy=COMMANDS,
    context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100},
)
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
    try:
        sys.stdout.flush()
        sys.stderr.flush()
    except BrokenPipeError:  # `cmbuild plan | head`: the reader has all it wanted
        code = EXIT_PIPE
    os._exit(code or 0)
