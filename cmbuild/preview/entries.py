"""Calendar entries and channel chips as HTML, written directly rather than through Jinja.

The calendar page shows every variant twice (month and week views): tens of thousands of entries
on a large repository. As Jinja macros they cost about a hundred microseconds each; as plain
string building, a few. The markup is the one `macros.html.j2` documents for the other pages;
every value is escaped.
"""

from __future__ import annotations

from functools import lru_cache

from markupsafe import Markup

from cmbuild.preview.calendar import Entry

_STATUS = {"draft": "Draft", "review": "In review"}
# The plan told apart: background content and event communication get their own lane colour and
# label (the calendar's legend); news, the default, neither.
LANES = {"evergreen": "Background", "event": "Event"}
DEFAULT_COLOUR = "#374151"


@lru_cache(maxsize=4096)
def escape(text: str) -> str:
    """`text` escaped for HTML exactly as Jinja's autoescape (markupsafe) escapes it.

    Cached: titles, channels, colours and page paths repeat across a calendar's entries.
    """
    return (
        text.replace("&", "&amp;")
        .replace(">", "&gt;")
        .replace("<", "&lt;")
        .replace("'", "&#39;")
        .replace('"', "&#34;")
    )


def chip(channel: str, colour: str) -> str:
    return f'<span class="chip" style="--c: {escape(colour)}">{escape(channel)}</span>'


def entry_html(
    entry: Entry, *, halted: bool, errors: int, path: str, colour: str, long: bool
) -> Markup:
    """One calendar entry: time, channel, title, and its flags (status, halted, errors)."""
    v = entry.variant
    classes = "entry"
    classes += " is-draft" if v.status == "draft" else ""
    classes += " is-halted" if halted else ""
    classes += " has-errors" if errors else ""
    classes += f" lane-{v.kind}" if v.kind in LANES else ""
    why = f' title="{escape(v.plan)}"' if v.plan else ""
    lines = [
        f'<li class="{classes}" data-variant="{escape(v.id)}" data-channel="{escape(v.channel)}"'
        f' style="--c: {escape(colour)}"{why}>',
        f'  <a href="{escape(path)}#v-{escape(v.id)}">',
        f'    <span class="entry-top"><time datetime="{entry.local.isoformat()}">'
        f"{entry.time}</time> {chip(v.channel, colour)}</span>",
        f'    <span class="entry-title">{escape(v.title)}</span>',
    ]
    own = entry.own_time if long else None
    if own:
        lines.append(f'    <span class="entry-own">{escape(own)}</span>')
    if v.kind in LANES:
        lines.append(f'    <span class="entry-lane">{LANES[v.kind]}</span>')
    if long and v.plan:
        lines.append(f'    <span class="entry-plan">{escape(v.plan)}</span>')
    if v.status != "approved" or halted or errors:
        badges = ""
        status = _STATUS.get(v.status)
        if status:
            badges += f'<span class="badge badge-{escape(v.status)}">{status}</span>'
        if halted:
            badges += '<span class="badge badge-halted">Halted</span>'
        if errors:
            badges += (
                f'<span class="badge badge-error">{errors} error{"" if errors == 1 else "s"}</span>'
            )
        lines.append(f'    <span class="entry-flags">{badges}</span>')
    lines.append("  </a>")
    lines.append("</li>")
    return Markup("\n".join(lines))
