"""docs/insights-metrics.md: which metric means what on each platform, from the readers' tables.

The tables are data in each platform's folder (metrics.toml, read into `MetricsReader.posts`,
`.channel`); this renders them, so the page cannot drift from what collect records. `make
golden` writes the page and a test compares it with this rendering.
"""

from __future__ import annotations

from cmbuild import platforms
from cmbuild.platforms.shared.metrics import GONE, Metric

INTRO = """# What each metric means, per platform

Generated from the metric tables in `cmbuild/platforms/<name>/metrics.toml` (`make golden`
writes this page): the name `cmbuild collect` records in `state/metrics/`, the field of the
platform's answer it comes from, and what it counts. A metric the platform does not give for a
post (an older server, a figure it stopped serving, a private figure after day 30) is recorded
as `null`: absent, never 0. A post deleted on the platform is recorded once with
`{{"{GONE}": 1}}` and never asked for again; its earlier readings stay as they were.
"""


def render() -> str:
    """The whole page, Markdown."""
    parts = [INTRO.format(GONE=GONE)]
    for name in platforms.names():
        platform = platforms.get(name)
        if platform.metrics is None:
            continue
        module, _, attribute = platform.metrics.partition(":")
        from importlib import import_module

        reader = getattr(import_module(module), attribute)
        parts.append(f"\n## {platform.label}\n\nFrom `{reader.api}`.\n")
        parts.append(_table("Each post", reader.posts))
        for whose, table in reader.more:
            parts.append(_table(f"Each post of {whose}", table))
        if reader.channel:
            parts.append(_table("The channel (`variant` null)", reader.channel))
    return "".join(parts)


def _table(title: str, metrics: tuple[Metric, ...]) -> str:
    rows = [f"\n{title}:\n\n| metric | platform field | what it counts |\n|---|---|---|\n"]
    rows += [f"| `{m.name}` | `{m.field}` | {m.meaning} |\n" for m in metrics]
    return "".join(rows)
