"""Answering a newsletter reply: an e-mail to its sender, by the channel's SMTP server (the
publisher's), in the same thread (`In-Reply-To` the item's Message-ID, `References` its thread
and it). An e-mail is private: every answer is a direct message.

The answer's Message-ID is made from its idempotency key, and a copy goes in Bcc to the channel's
`from` address, the mailbox read over IMAP: after a crash between the send and the ledger, `find`
searches that folder for the Message-ID, so the answer is not sent twice. (A copy the server has
not delivered yet when `find` looks is not found: `cmbuild reply` is then re-run later, not at
once.)
"""

from __future__ import annotations

from datetime import UTC, datetime
from email.message import EmailMessage
from email.utils import format_datetime

from cmbuild.platforms.newsletter.imap import mailbox, quoted, search
from cmbuild.platforms.newsletter.inbox import address
from cmbuild.platforms.newsletter.publisher import Newsletter
from cmbuild.platforms.shared.inbox import Answer, ReplySender
from cmbuild.platforms.shared.publisher import PublishError, Receipt
from cmbuild.stores.inbox import InboxItem


class NewsletterReply(ReplySender[Newsletter]):
    can_dm = True
    can_find = True

    def send(self, item: InboxItem, answer: Answer) -> Receipt:
        message = self.message(item, answer)
        self.publisher.deliver(message)
        return Receipt(str(message["Message-ID"]), None, datetime.now(UTC).replace(microsecond=0))

    def find(self, item: InboxItem, answer: Answer) -> Receipt | None:
        del item
        wanted = self._message_id(answer.key)
        with mailbox(self.publisher) as imap:
            found = search(imap, "HEADER", "Message-ID", quoted(wanted))
        return Receipt(wanted) if found else None

    def message(self, item: InboxItem, answer: Answer) -> EmailMessage:
        """The answer to `item`: threaded under it, a copy in Bcc to the brand's mailbox."""
        sender = self.publisher.required_option("from", "the sender address")
        to = item.refs.get("reply_to") or item.author_id
        if not to or "@" not in to:
            raise PublishError(f"the item {item.id} has no address to answer")
        subject = item.refs.get("subject") or ""
        message = EmailMessage()
        message["From"] = sender
        message["To"] = to
        message["Bcc"] = address(sender)
        message["Subject"] = subject if subject.lower().startswith("re:") else f"Re: {subject}"
        message["Date"] = format_datetime(datetime.now(UTC))
        message["Message-ID"] = self._message_id(answer.key)
        message["In-Reply-To"] = item.remote_id
        message["References"] = " ".join([*item.refs.get("references", "").split(), item.remote_id])
        message["X-Cmbuild-Key"] = answer.key
        message.set_content(answer.text + "\n")
        if answer.language:  # after the content, which would drop it
            message["Content-Language"] = answer.language
        return message

    def _message_id(self, key: str) -> str:
        domain = address(self.publisher.option("from") or "").rpartition("@")[2]
        return f"<answer.{key}@{domain or 'cmbuild.invalid'}>"
