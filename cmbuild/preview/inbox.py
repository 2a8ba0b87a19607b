"""output/inbox.html: the inbox per intent, with the approved replies and how to send each.

Drawn from the rows of `cmbuild.inbox.listing` by `cmbuild inbox` (not by the build: the inbox
is read from the platforms, not from the repository). Intents come in the order of
brand/replies.toml, then the items no trigger matched. Same rows, same bytes.

Each intent shows its first SHOWN_PER_INTENT rows in full (waiting first, newest first, as listed)
and says how many more there are and where to see them (`cmbuild inbox --limit 0` lists every
item): a page of 100,000 cards would be too heavy to open and to write.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from jinja2 import Environment, PackageLoader, StrictUndefined

from cmbuild.inbox.compose import item_values
from cmbuild.inbox.listing import InboxRow, reply_command
from cmbuild.load.replies import Approved, Wording
from cmbuild.stores.inbox import InboxItem

INBOX_PAGE = "inbox.html"  # in the output folder, beside index.html
STYLE = "preview/style.css"
SHOWN_PER_INTENT = 200


@dataclass(frozen=True)
class _Group:
    key: str
    title: str
    escalate: tuple[str, ...]
    rows: tuple[InboxRow, ...]  # the first SHOWN_PER_INTENT of them
    total: int  # rows of the intent, shown or not

    @property
    def more(self) -> str:
        """What the page says of the rows not shown ("" when every row is)."""
        if self.total <= len(self.rows):
            return ""
        return f"Showing {len(self.rows):,} of {self.total:,}"


def _group(key: str, title: str, escalate: tuple[str, ...], rows: Sequence[InboxRow]) -> _Group:
    return _Group(key, title, escalate, tuple(rows[:SHOWN_PER_INTENT]), len(rows))


def inbox_page(rows: Sequence[InboxRow], wording: Wording, brand: str) -> bytes:
    """The page's bytes for `rows` (in the order `list_inbox` gives them)."""
    by_intent: dict[str | None, list[InboxRow]] = {}
    for row in rows:  # one pass, in the rows' order: not one per intent
        by_intent.setdefault(row.intent.name if row.intent is not None else None, []).append(row)
    groups = []
    for intent in wording.intents:
        chosen = by_intent.get(intent.name, [])
        if chosen:
            title = intent.label or intent.name.capitalize()
            groups.append(_group(intent.name, title, intent.escalate_to, chosen))
    unmatched = by_intent.get(None, [])
    if unmatched:
        groups.append(_group("none", "No intent recognised", (), unmatched))
    env = Environment(
        loader=PackageLoader("cmbuild.preview", "templates"),
        autoescape=True,
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    text = env.get_template("inbox.html.j2").render(
        brand=brand,
        style=STYLE,
        groups=groups,
        total=len(rows),
        waiting=sum(row.answered_at is None for row in rows),
        command=reply_command,
        missing=_missing,
    )
    return text.encode("utf-8")


def _missing(item: InboxItem, reply: Approved) -> list[str]:
    given = item_values(item)
    return [name for name in reply.placeholders if name not in given]
