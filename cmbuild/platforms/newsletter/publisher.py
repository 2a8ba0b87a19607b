"""The newsletter: one HTML e-mail per issue, sent by SMTP to the list's address.

Options: `smtp_host` (required), `smtp_port` (default 587, 465 with `smtp_security = "ssl"`),
`smtp_security` (`starttls`, the default; `ssl`; or `none` for a relay on the same machine), `from`
and `to` (the mailing list's posting address; several separated by commas). Credentials (both
optional, for servers that require a login): `smtp_user` and `smtp_password`.

The message is multipart: a text/plain rendering and the HTML, with the images the HTML shows
attached inline (`cid:`). Its Message-ID is derived from the variant id and content digest, and
an `X-Cmbuild-Key` header carries the idempotency key.

An e-mail cannot be looked up or unsent: if a push stops while the server is receiving a message,
the next push does not guess. It reports the issue as unconfirmed until someone checks the list's
archive and runs `cmbuild resolve`. Retraction is not possible either.
"""

from __future__ import annotations

import smtplib
import ssl
from collections.abc import Sequence
from email.message import EmailMessage
from email.utils import format_datetime, make_msgid

from cmbuild.manifest.reader import VariantEntry
from cmbuild.platforms.shared.publisher import (
    ErrorKind,
    MediaFile,
    Publisher,
    PublishError,
    Receipt,
)
from cmbuild.text.html import read_html

_PORTS = {"starttls": 587, "ssl": 465, "none": 25}
_LOGIN = ("smtp_user", "smtp_password")


class Newsletter(Publisher):
    """One e-mail per newsletter issue."""

    name = "newsletter"
    required_options = (
        ("smtp_host", "the SMTP server"),
        ("from", "the sender address"),
        ("to", "the list's posting address"),
    )

    def publish(self, entry: VariantEntry, media: Sequence[MediaFile]) -> Receipt:
        message = self.message(entry, media)
        self.deliver(message)
        return Receipt(str(message["Message-ID"]))

    def deliver(self, message: EmailMessage) -> None:
        """Send `message` by SMTP to its To, Cc and Bcc (a Bcc header is not transmitted)."""
        smtp = self._connect()
        try:
            try:
                refused = smtp.send_message(message)
            except smtplib.SMTPResponseException as error:
                raise _response_error("the server refused the message", error) from None
            except smtplib.SMTPRecipientsRefused as error:
                raise PublishError(f"recipients refused: {', '.join(error.recipients)}") from None
            except (smtplib.SMTPServerDisconnected, OSError) as error:
                raise PublishError(
                    f"the connection dropped while sending ({error}); the message may have gone",
                    "ambiguous",
                ) from None
        finally:
            _quit(smtp)
        if refused:
            raise PublishError(f"recipients refused: {', '.join(sorted(refused))}")

    def message(self, entry: VariantEntry, media: Sequence[MediaFile]) -> EmailMessage:
        """The e-mail for `entry`: text and HTML alternatives, images inline."""
        sender = self.required_option("from", "the sender address")
        recipients = self.required_option("to", "the list's posting address")
        message = EmailMessage()
        message["Subject"] = entry.fields.get("subject") or entry.title
        message["From"] = sender
        message["To"] = ", ".join(r.strip() for r in recipients.split(",") if r.strip())
        message["Date"] = format_datetime(entry.scheduled)
        domain = sender.rpartition("@")[2].strip(" >") or "cmbuild.invalid"
        # Short enough not to be folded (some clients mishandle a folded Message-ID).
        message["Message-ID"] = f"<{entry.id}.{entry.content_hash[7:23]}@{domain}>"
        message["X-Cmbuild-Key"] = entry.idempotency_key
        html = entry.text if entry.text_format == "html" else None
        message.set_content(read_html(html).readable + "\n" if html is not None else entry.text)
        if html is not None:
            _add_html(message, html, media, domain)
        # Last: set_content() clears every Content-* header, and making the message multipart
        # moves them onto its first part, where a reader's client does not look for the language.
        if entry.lang:
            message["Content-Language"] = entry.lang
        return message

    def _connect(self) -> smtplib.SMTP:
        host = self.required_option("smtp_host", "the SMTP server")
        security = self.option("smtp_security", "starttls") or "starttls"
        if security not in _PORTS:
            raise PublishError(
                f"channels.{self.channel.name}.options.smtp_security must be starttls, ssl or none",
                "config",
            )
        port = int(self.option("smtp_port") or _PORTS[security])
        timeout = self.context.timeout
        login = self._login()
        try:
            smtp: smtplib.SMTP
            if security == "ssl":
                smtp = smtplib.SMTP_SSL(
                    host, port, timeout=timeout, context=ssl.create_default_context()
                )
            else:
                smtp = smtplib.SMTP(host, port, timeout=timeout)
                if security == "starttls":
                    smtp.starttls(context=ssl.create_default_context())
            if login is not None:
                smtp.login(*login)
        except smtplib.SMTPAuthenticationError as error:
            raise self.auth_error(
                f"the SMTP server refused the login ({error.smtp_code})", purposes=_LOGIN
            ) from None
        except smtplib.SMTPResponseException as error:
            raise _response_error("the SMTP server refused the connection", error) from None
        except (smtplib.SMTPException, OSError) as error:
            raise PublishError(f"cannot connect to {host}:{port} ({error})", "transient") from None
        return smtp

    def _login(self) -> tuple[str, str] | None:
        """The SMTP user and password, if the channel names them (both or neither)."""
        names = dict(self.channel.credentials)
        return self.login(_LOGIN) if any(p in names for p in _LOGIN) else None

    def login(self, purposes: tuple[str, str], why: str = "a login") -> tuple[str, str]:
        """The user and password named by credentials `purposes`; a config error naming the
        key or the variable (never a value) when one is missing."""
        names = dict(self.channel.credentials)
        for purpose in purposes:
            key = f"channels.{self.channel.name}.credentials.{purpose}"
            if purpose not in names:
                raise PublishError(f"{key} is not set: {why} needs a user and a password", "config")
            if not self.credential(purpose):
                raise PublishError(
                    f"environment variable {names[purpose]} ({key}) is not set or empty", "config"
                )
        return self.credential(purposes[0]) or "", self.credential(purposes[1]) or ""


def _add_html(message: EmailMessage, html: str, media: Sequence[MediaFile], domain: str) -> None:
    """Add `html` as the alternative to the text, with the images it shows attached inline."""
    inline = []
    for item in media:
        cid = make_msgid(domain=domain)
        if f'src="{item.path}"' in html:
            html = html.replace(f'src="{item.path}"', f'src="cid:{cid[1:-1]}"')
            inline.append((item, cid))
    message.add_alternative(html, subtype="html")
    html_part = message.get_body(("html",))
    assert html_part is not None
    for item, cid in inline:
        maintype, _, subtype = item.mime_type.partition("/")
        html_part.add_related(
            item.data, maintype, subtype, cid=cid, filename=item.path.rsplit("/", 1)[-1]
        )


def _response_error(what: str, error: smtplib.SMTPResponseException) -> PublishError:
    reply = (
        error.smtp_error.decode("utf-8", "replace")
        if isinstance(error.smtp_error, bytes)
        else str(error.smtp_error)
    )
    kind: ErrorKind = "transient" if 400 <= error.smtp_code < 500 else "permanent"
    return PublishError(f"{what}: {error.smtp_code} {reply}", kind, status=error.smtp_code)


def _quit(smtp: smtplib.SMTP) -> None:
    try:
        smtp.quit()
    except (smtplib.SMTPException, OSError):
        smtp.close()
