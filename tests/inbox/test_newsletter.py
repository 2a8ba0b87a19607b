"""Newsletter replies against a real mail system: aiosmtpd (SMTP, login required) delivering to a
Maildir that Debian's Dovecot serves over IMAP. The brand sends an issue with `cmbuild push`; a
subscriber answers it from a mail client (the issue quoted below); `cmbuild inbox` reads the answer
over IMAP as a private message with its intent, the quote cut off; `cmbuild reply` answers by SMTP
in the same thread, and the answer is read back from the mailbox. Reading again adds only the
brand's own copy (which marks the item answered), and an answer is never sent twice, even when the
process dies between the send and the ledger's line. No password reaches any output."""

from __future__ import annotations

import os
import smtplib
from collections.abc import Callable, Iterator
from dataclasses import replace
from email import message_from_bytes, policy
from email.message import EmailMessage
from pathlib import Path
from typing import Any

import pytest

from cmbuild.inbox.answer import Outgoing, send_answer
from cmbuild.inbox.fetch import InboxSettings, read_inbox
from cmbuild.load.config import load_channels
from cmbuild.push.report import Report
from cmbuild.push.retry import RetryPolicy
from cmbuild.push.session import PushSettings
from cmbuild.stores import inbox
from tests.helpers import cli
from tests.inbox.steps import killed_after_send
from tests.inbox.test_wire import REPLIES
from tests.platforms.newsletter.mail_peer import MailPeer, unavailable
from tests.push.sites import ledger_lines, make_site, variant

pytestmark = pytest.mark.filterwarnings("ignore:Requiring AUTH while not requiring TLS")
NOW = "2025-12-20T08:05:00Z"  # within the inbox's 30 days of the tests' CMBUILD_NOW
PASSWORD = "pw-mail-5f2a9c"
ENV = {"CMB_MAIL_USER": "lettre", "CMB_MAIL_PASSWORD": PASSWORD}
BRAND = "lettre@cm-bordeaux.example"
QUOTED = (
    "Bonjour, où en est ma commande ?\n\nCamille\n\n"
    f"Le sam. 20 déc. 2025 à 09:00, CM Bordeaux <{BRAND}> a écrit :\n"
    "> Les inscriptions sont ouvertes.\n"
)


@pytest.fixture
def mail() -> Iterator[MailPeer]:
    reason = unavailable()
    if reason:
        if os.environ.get("CI"):
            pytest.fail(f"the newsletter inbox tests cannot run in CI: {reason}")
        pytest.skip(reason)
    with MailPeer("lettre", PASSWORD) as peer:
        yield peer


def site(root: Path, mail: MailPeer) -> Path:
    channels = f"""
[channels.lettre]
platform = "newsletter"
credentials = {{ smtp_user = "CMB_MAIL_USER", smtp_password = "CMB_MAIL_PASSWORD", \
imap_user = "CMB_MAIL_USER", imap_password = "CMB_MAIL_PASSWORD" }}

[channels.lettre.options]
smtp_host = "127.0.0.1"
smtp_port = {mail.smtp_port}
smtp_security = "none"
from = "CM Bordeaux <{BRAND}>"
to = "abonnes@lists.cm-bordeaux.example"
imap_host = "127.0.0.1"
imap_port = {mail.imap_port}
imap_security = "none"
"""
    issue = variant(
        "lettre",
        "newsletter",
        "2025-12-20T08:00:00Z",
        text="<p>Les inscriptions sont ouvertes.</p>",
        text_format="html",
        title="Session de janvier",
    )
    made = make_site(root, channels, [issue])
    (made / "brand" / "replies.toml").write_text(REPLIES, encoding="utf-8")
    return made


def send_mail(mail: MailPeer, message: EmailMessage) -> None:
    """What a subscriber's mail client sends (through the same server, for the test)."""
    with smtplib.SMTP("127.0.0.1", mail.smtp_port, timeout=10) as smtp:
        smtp.login(mail.user, mail.password)
        smtp.send_message(message)


def subscriber_answer(issue_id: str, text: str, message_id: str) -> EmailMessage:
    message = EmailMessage()
    message["From"] = "Camille Martin <camille@example.test>"
    message["To"] = f"CM Bordeaux <{BRAND}>"
    message["Subject"] = "Re: Session de janvier"
    message["Date"] = "Sat, 20 Dec 2025 10:15:00 +0100"
    message["Message-ID"] = message_id
    message["In-Reply-To"] = issue_id
    message["References"] = issue_id
    message.set_content(text)
    message["Content-Language"] = "fr"
    return message


def delivered(mail: MailPeer) -> list[EmailMessage]:
    found = []
    for path in sorted((mail.smtp.maildir / "new").iterdir()):
        message = message_from_bytes(path.read_bytes(), policy=policy.default)
        assert isinstance(message, EmailMessage)
        found.append(message)
    return found


def read(root: Path) -> Any:
    return read_inbox(InboxSettings(root, environ=ENV, retry=RetryPolicy(sleep=lambda _: None)))


def answer(root: Path, item: str, text: str, name: str) -> Any:
    settings = PushSettings(root=root, environ=ENV, retry=RetryPolicy(sleep=lambda _: None))
    channels = {c.name: c for c in load_channels(root)}
    return send_answer(replace(settings, timeout=10.0), Outgoing(item, name, text), channels)


def test_a_reply_is_read_over_imap_answered_in_its_thread_and_never_twice(
    tmp_path: Path, mail: MailPeer, run_push: Callable[..., Report], monkeypatch: pytest.MonkeyPatch
) -> None:
    root = site(tmp_path / "site", mail)
    assert [r.outcome for r in run_push(root, NOW, ENV).rows] == ["published"]
    (published,) = [line for line in ledger_lines(root) if line["kind"] == "published"]
    issue_id = published["remote_id"]
    send_mail(mail, subscriber_answer(issue_id, QUOTED, "<q1@example.test>"))
    unrelated = subscriber_answer("<other@example.test>", "Pour un autre.", "<q2@example.test>")
    unrelated.replace_header("To", "someone@example.test")
    send_mail(mail, unrelated)  # neither about an issue nor to the brand: not read

    for key, value in ENV.items():
        monkeypatch.setenv(key, value)
    listed = cli("inbox", "--root", str(root))
    assert listed.code == 0, listed.err
    item_id = inbox.item_id("lettre", "<q1@example.test>")
    assert "[question]" in listed.out
    assert f"send it: cmbuild reply '{item_id}' --with suivi --var order=..." in listed.out
    (stored,) = inbox.read_items(root / "state" / "inbox.jsonl", "inbox").items
    assert (stored.id, stored.kind, stored.variant) == (item_id, "dm", published["variant"])
    assert stored.text == "Bonjour, où en est ma commande ?\n\nCamille\n[…]"  # quote cut, said
    assert (stored.author_id, stored.author_name, stored.language) == (
        "camille@example.test",
        "Camille Martin",
        "fr",
    )
    assert read(root).channels["lettre"].written == 0  # read again: nothing new

    sent = cli("reply", "--root", str(root), item_id, "--with", "suivi", "--var", "order=42")
    assert sent.code == 0 and sent.out.startswith(f"sent: reply:{item_id}"), sent.out + sent.err
    (reply,) = [m for m in delivered(mail) if m["In-Reply-To"] == "<q1@example.test>"]
    assert reply["To"] == "camille@example.test" and reply["Subject"] == "Re: Session de janvier"
    assert reply["References"].split() == [issue_id, "<q1@example.test>"] and "Bcc" not in reply
    assert "votre commande 42 est en route." in reply.get_content()
    after = read(root)
    assert after.channels["lettre"].written == 1 and item_id in after.answered  # its copy
    for output in (listed.out, listed.err, sent.out, sent.err):
        assert PASSWORD not in output

    killed_after_send(
        monkeypatch, lambda: answer(root, item_id, "Un complément : livraison demain.", "second")
    )
    settled = answer(root, item_id, "Un complément : livraison demain.", "second")
    assert settled.outcome == "reconciled", settled
    texts = [m.get_content() for m in delivered(mail) if m["In-Reply-To"] == "<q1@example.test>"]
    assert sum("Un complément" in text for text in texts) == 1  # once


def test_a_refused_login_names_the_variable_and_never_the_password(
    tmp_path: Path, mail: MailPeer
) -> None:
    root = site(tmp_path / "site", mail)
    (root / "state").mkdir(exist_ok=True)
    wrong = {**ENV, "CMB_MAIL_PASSWORD": "not-the-password-31"}
    settings = InboxSettings(
        root, channels=("lettre",), environ=wrong, retry=RetryPolicy(sleep=lambda _: None)
    )
    run = read_inbox(settings)
    error = run.channels["lettre"].error or ""
    assert "CMB_MAIL_PASSWORD" in error and "not-the-password" not in error, error
    assert not (root / "state" / "inbox.jsonl").exists()


def test_a_reply_without_a_date_is_dated_by_the_server_and_a_cut_reading_says_so(
    tmp_path: Path, mail: MailPeer, run_push: Callable[..., Report], monkeypatch: pytest.MonkeyPatch
) -> None:
    """No Date header: the item is dated by the server's INTERNALDATE (for a Maildir, the file's
    time), never by the time of reading. More messages than a reading takes: the newest are
    read and a warning says how many older ones were not."""
    root = site(tmp_path / "site", mail)
    run_push(root, NOW, ENV)
    (published,) = [line for line in ledger_lines(root) if line["kind"] == "published"]
    older = subscriber_answer(published["remote_id"], "Première question.", "<d1@example.test>")
    undated = subscriber_answer(published["remote_id"], "Sans date.", "<d2@example.test>")
    del undated["Date"]
    send_mail(mail, older)
    send_mail(mail, undated)
    files = sorted((mail.smtp.maildir / "new").iterdir())
    assert len(files) == 3  # the issue itself (delivered to the test's one mailbox) too
    received = 1766226900  # 2025-12-20T10:35:00Z, set before the server first indexes them
    for path in files:
        os.utime(path, (received, received))

    whole = read(root)
    assert whole.channels["lettre"].findings == []
    by_id = {item.remote_id: item for item in whole.contents.items}
    assert by_id["<d2@example.test>"].at.isoformat() == "2025-12-20T10:35:00+00:00"
    assert by_id["<d1@example.test>"].at.isoformat() == "2025-12-20T09:15:00+00:00"  # its Date

    monkeypatch.setattr("cmbuild.platforms.newsletter.inbox._MAX_MESSAGES", 1)
    result = read(root).channels["lettre"]
    assert result.error is None
    (finding,) = result.findings
    assert finding.rule == "inbox-partly-read" and finding.channel == "lettre"
    assert "has 3 messages since 19-Dec-2025" in finding.message, finding.message
    assert "the newest 1 were read, the 2 older ones were not" in finding.message
