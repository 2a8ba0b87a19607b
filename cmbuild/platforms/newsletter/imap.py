"""The newsletter's mailbox over IMAP (stdlib `imaplib`): where subscribers' replies arrive.

Options: `imap_host` (reading replies is on only when it is set), `imap_port` (default 993 with
`imap_security = "ssl"`, the default; 143 with `starttls` or `none`), `imap_folder` (default
`INBOX`). Credentials `imap_user` and `imap_password` (the names of the environment variables).
The folder is opened read-only and messages are fetched with `BODY.PEEK[]`: reading the inbox
marks nothing as read.
"""

from __future__ import annotations

import imaplib
import re
import ssl
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from email import message_from_bytes, policy
from email.message import EmailMessage

from cmbuild.platforms.newsletter.publisher import Newsletter
from cmbuild.platforms.shared.publisher import PublishError

_PORTS = {"ssl": 993, "starttls": 143, "none": 143}
LOGIN = ("imap_user", "imap_password")
_QUOTED = re.compile(r'["\\\r\n]')


def configured(publisher: Newsletter) -> bool:
    return bool(publisher.option("imap_host"))


@contextmanager
def mailbox(publisher: Newsletter) -> Iterator[imaplib.IMAP4]:
    """The channel's folder, open read-only and logged in; closed on leaving."""
    host = publisher.required_option("imap_host", "the IMAP server replies are read from")
    security = publisher.option("imap_security") or "ssl"
    if security not in _PORTS:
        where = f"channels.{publisher.channel.name}.options.imap_security"
        raise PublishError(f"{where} must be ssl, starttls or none", "config")
    port = int(publisher.option("imap_port") or _PORTS[security])
    user, password = publisher.login(LOGIN, "reading replies over IMAP")
    try:
        imap = _open(host, port, security, publisher.context.timeout)
    except (imaplib.IMAP4.error, OSError) as error:
        raise PublishError(f"cannot connect to {host}:{port} ({error})", "transient") from None
    try:
        try:
            imap.login(user, password)
        except imaplib.IMAP4.error:
            raise publisher.auth_error(
                "the IMAP server refused the login", purposes=LOGIN
            ) from None
        except UnicodeEncodeError:
            names = " and ".join(dict(publisher.channel.credentials)[p] for p in LOGIN)
            raise PublishError(
                f"IMAP logins are sent in plain ASCII: {names} hold other characters", "config"
            ) from None
        folder = publisher.option("imap_folder") or "INBOX"
        status, _ = imap.select(quoted(folder), readonly=True)
        if status != "OK":
            raise PublishError(
                f"channels.{publisher.channel.name}.options.imap_folder: the mailbox has no "
                f"folder {folder!r}",
                "config",
            )
        yield imap
    except imaplib.IMAP4.abort as error:
        raise PublishError(f"the IMAP connection dropped ({error})", "transient") from None
    except (imaplib.IMAP4.error, OSError) as error:
        raise PublishError(f"the IMAP server failed ({error})", "transient") from None
    finally:
        _logout(imap)


def search(imap: imaplib.IMAP4, *criteria: str) -> list[bytes]:
    """The UIDs of the messages matching `criteria` (IMAP SEARCH keys), oldest first."""
    status, data = imap.uid("SEARCH", *criteria)
    if status != "OK":
        raise PublishError(f"the IMAP server refused the search ({data!r})", "transient")
    return [uid for line in data if line for uid in line.split()]


def fetch(imap: imaplib.IMAP4, uid: bytes) -> tuple[EmailMessage, datetime | None] | None:
    """The whole message `uid` (not marked as read), parsed, and when the server received it
    (its INTERNALDATE); None if it is gone."""
    status, data = imap.uid("FETCH", uid.decode(), "(INTERNALDATE BODY.PEEK[])")
    if status != "OK":
        raise PublishError(f"the IMAP server refused to fetch a message ({data!r})", "transient")
    part = next((part for part in data if isinstance(part, tuple)), None)
    if part is None or not isinstance(part[1], bytes):
        return None
    message = message_from_bytes(part[1], policy=policy.default)
    if not isinstance(message, EmailMessage):
        return None
    return message, _received(part[0])


def _received(envelope: bytes) -> datetime | None:
    """The INTERNALDATE of a FETCH response's envelope, in UTC."""
    fields = imaplib.Internaldate2tuple(envelope)  # the server's time, as a local time tuple
    if fields is None:
        return None
    return datetime.fromtimestamp(time.mktime(fields), UTC)


def quoted(text: str) -> str:
    """`text` as an IMAP quoted string."""
    return '"' + _QUOTED.sub(lambda m: "\\" + m.group() if m.group() in '"\\' else "", text) + '"'


def _open(host: str, port: int, security: str, timeout: float) -> imaplib.IMAP4:
    if security == "ssl":
        return imaplib.IMAP4_SSL(
            host, port, ssl_context=ssl.create_default_context(), timeout=timeout
        )
    imap = imaplib.IMAP4(host, port, timeout=timeout)
    if security == "starttls":
        imap.starttls(ssl_context=ssl.create_default_context())
    return imap


def _logout(imap: imaplib.IMAP4) -> None:
    try:
        imap.logout()
    except (imaplib.IMAP4.error, OSError):
        imap.shutdown()
