"""The newsletter's inbox: subscribers' replies, read over IMAP where the channel sets
`imap_host` (see cmbuild.platforms.newsletter.imap).

A message of the folder is an item when it answers an issue (its `In-Reply-To` or `References`
name the Message-ID an issue was sent with: the issue is the item's variant) or when it is
addressed to the channel's `from` address (To or Cc). An e-mail is private: every item is a `dm`.
Its text is the message's text part (else its HTML part, as read), without the quoted message
a mail client adds below an answer: the text then ends with "[…]", saying so. A message without
a Message-ID cannot be answered in its thread and is not read.

The folder is searched from a day before the newest stored item (IMAP's SINCE counts whole days,
in the server's time zone); the store drops the duplicates. A copy of each answer cmbuild sends
reaches the folder too (it is sent in Bcc to the `from` address): read as the brand's own item,
it tells which message was answered.

An item's `refs`: `message_id`, `references` (the thread it belongs to, for the answer's
References header), `reply_to` (the address to answer: Reply-To, else From) and `subject`.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from email.message import EmailMessage
from email.utils import getaddresses, parseaddr

from cmbuild.model import Channel, Finding
from cmbuild.platforms.newsletter.imap import fetch, mailbox, search
from cmbuild.platforms.newsletter.publisher import Newsletter
from cmbuild.platforms.shared.inbox import InboxReader, Published, Since, partly_read
from cmbuild.stores.inbox import InboxItem, item_id
from cmbuild.text.html import read_html

_OVERLAP = timedelta(days=1)
_MAX_MESSAGES = 5000  # a reading takes the newest; more is a finding (`partly_read`)
_IDS = re.compile(r"<[^<>\s]+>")
# Where a mail client starts quoting the message answered: its attribution line, or a header
# block ("-----Original Message-----", Outlook's "From: ..." lines).
_ATTRIBUTION = re.compile(
    r"^\s*(On\s.+\swrote\s?:|Le\s.+\sa\s+écrit\s?:|Am\s.+\sschrieb\s.*:|El\s.+\sescribió\s?:"
    r"|-{2,}\s*(Original Message|Message d'origine|Ursprüngliche Nachricht)\s*-{2,}"
    r"|(From|De|Von)\s?:\s.+@.+)\s*$",
    re.IGNORECASE,
)
CUT = "[…]"
_MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")


class NewsletterInbox(InboxReader[Newsletter]):
    api = "IMAP UID SEARCH SINCE and UID FETCH BODY.PEEK[] in options.imap_folder"

    @classmethod
    def reads(cls, channel: Channel) -> bool:
        return bool(dict(channel.options).get("imap_host"))

    def read(self, posts: Sequence[Published], since: Since | None) -> list[InboxItem]:
        issues = {post.remote_id: post.variant for post in posts}
        criteria = ["ALL"]
        if since is not None:
            criteria = ["SINCE", _imap_date(since.at - _OVERLAP)]
        found: dict[str, InboxItem] = {}
        self.findings = []
        with mailbox(self.publisher) as imap:
            uids = search(imap, *criteria)
            if len(uids) > _MAX_MESSAGES:
                self.findings.append(self._cut(len(uids), since))
            for uid in uids[-_MAX_MESSAGES:]:
                fetched = fetch(imap, uid)
                item = self._item(*fetched, issues) if fetched is not None else None
                if item is not None:
                    found.setdefault(item.id, item)
        return sorted(found.values(), key=lambda i: (i.at, i.id))

    def _cut(self, count: int, since: Since | None) -> Finding:
        folder = self.publisher.option("imap_folder") or "INBOX"
        after = f" since {_imap_date(since.at - _OVERLAP)}" if since is not None else ""
        return partly_read(
            self.publisher.channel.name,
            f"newsletter: the folder {folder} has {count:,} messages{after}; the newest "
            f"{_MAX_MESSAGES:,} were read, the {count - _MAX_MESSAGES:,} older ones were not "
            "(the next reading starts from the newest)",
            "read the older ones in the mail client, or move them to another folder",
        )

    def account_id(self) -> str:
        return address(self.publisher.option("from") or "")

    def _item(
        self, message: EmailMessage, received: datetime | None, issues: dict[str, str]
    ) -> InboxItem | None:
        message_id = _first_id(str(message.get("Message-ID") or ""))
        if message_id is None:
            return None
        parent = _first_id(str(message.get("In-Reply-To") or ""))
        thread = _IDS.findall(str(message.get("References") or "")) or ([parent] if parent else [])
        variant = next((issues[i] for i in [parent, *reversed(thread)] if i in issues), None)
        own = self.account_id()
        to = {
            address(a)
            for _, a in getaddresses(message.get_all("To", []) + message.get_all("Cc", []))
        }
        if variant is None and own not in to:
            return None  # neither an answer to an issue nor a message to the brand
        name, sender = parseaddr(str(message.get("From") or ""))
        answer_to = parseaddr(str(message.get("Reply-To") or ""))[1] or sender
        channel = self.publisher.channel.name
        language = str(message.get("Content-Language") or "").split(",")[0].strip()
        return InboxItem(
            id=item_id(channel, message_id),
            channel=channel,
            platform="newsletter",
            kind="dm",
            remote_id=message_id,
            refs={
                "message_id": message_id,
                "references": " ".join(thread),
                "reply_to": answer_to,
                "subject": str(message.get("Subject") or ""),
            },
            author_id=address(sender),
            author_handle=address(sender),
            author_name=name or sender,
            text=reply_text(message),
            url=None,  # an e-mail has no public address
            language=language or None,
            at=_date(message, received),
            variant=variant,
            answers=item_id(channel, parent) if parent else None,
        )


def reply_text(message: EmailMessage) -> str:
    """What the sender wrote: the text part (else the HTML part, as read), the quoted message
    below it cut off (and "[…]" saying so)."""
    body = message.get_body(preferencelist=("plain", "html"))
    if body is None:
        return ""
    content = str(body.get_content())
    if body.get_content_subtype() == "html":
        content = read_html(content).readable
    return cut_quoted(content)


def cut_quoted(text: str) -> str:
    """`text` without the quoted message a mail client adds; ending with "[…]" if it had one."""
    lines = text.replace("\r\n", "\n").split("\n")
    kept: list[str] = []
    cut = False
    for number, line in enumerate(lines):
        pair = f"{line} {lines[number + 1]}" if number + 1 < len(lines) else line
        if _ATTRIBUTION.match(line) or (line.strip() and _ATTRIBUTION.match(pair)):
            cut = True
            break
        if line.lstrip().startswith(">"):
            cut = True
            continue
        kept.append(line)
    written = "\n".join(kept).strip()
    return f"{written}\n{CUT}" if cut and written else written


def address(value: str) -> str:
    """The e-mail address in `value` ("Name <a@b>" or "a@b"), lower-cased."""
    return parseaddr(value)[1].strip().lower()


def _imap_date(at: datetime) -> str:
    """`at`'s day as IMAP writes dates (RFC 3501 date: 02-Dec-2026), whatever the locale."""
    return f"{at.day:02d}-{_MONTHS[at.month - 1]}-{at.year}"


def _first_id(value: str) -> str | None:
    found = _IDS.search(value)
    return found.group() if found else None


def _date(message: EmailMessage, received: datetime | None) -> datetime:
    """When it was written (Date), else when the server received it (INTERNALDATE), in UTC."""
    at = getattr(message.get("Date"), "datetime", None)
    if not isinstance(at, datetime):
        at = received
    if at is None:  # neither: the epoch, never the time of reading (which would change)
        at = datetime(1970, 1, 1, tzinfo=UTC)
    return (at if at.tzinfo else at.replace(tzinfo=UTC)).astimezone(UTC).replace(microsecond=0)
