"""The newsletter by SMTP, against aiosmtpd delivering to a Maildir: text and HTML parts."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from email import message_from_bytes, policy
from email.message import EmailMessage
from pathlib import Path

import pytest

from cmbuild.push.report import Report
from tests.push.servers import SmtpServer
from tests.push.sites import PNG, image, kinds, make_site, variant

pytestmark = pytest.mark.filterwarnings("ignore:Requiring AUTH while not requiring TLS")

ENV = {"CMB_SMTP_USER": "lettre", "CMB_SMTP_PASSWORD": "pw-7c1d"}


@pytest.fixture
def smtp(tmp_path: Path) -> Iterator[SmtpServer]:
    with SmtpServer(tmp_path / "mail", "lettre", "pw-7c1d") as server:
        yield server


def channels(port: int) -> str:
    return f"""
[defaults]
timezone = "UTC"

[channels.newsletter]
platform = "newsletter"
stale_after_hours = 24
credentials = {{ smtp_user = "CMB_SMTP_USER", smtp_password = "CMB_SMTP_PASSWORD" }}

[channels.newsletter.options]
smtp_host = "127.0.0.1"
smtp_port = {port}
smtp_security = "none"
from = "CM Bordeaux <lettre@cm-bordeaux.example>"
to = "abonnes@lists.cm-bordeaux.example"
"""


HTML = """<!doctype html>
<html lang="fr"><head><title>Lettre</title><style>p {{ color: red; }}</style></head>
<body><div style="display:none;">Preheader text</div>
<h1>Session de janvier</h1>
<p>Les inscriptions sont <a href="https://cm-bordeaux.example/janvier">ouvertes</a>.</p>
<img src="{src}" alt="La salle">
<ul><li>Huit semaines</li><li>Quai des Chartrons</li></ul>
</body></html>"""


def parsed(raw: bytes) -> EmailMessage:
    message = message_from_bytes(raw, policy=policy.default)
    assert isinstance(message, EmailMessage)
    return message


def test_push_sends_one_multipart_message_per_due_issue(
    tmp_path: Path, smtp: SmtpServer, run_push: Callable[..., Report]
) -> None:
    root = tmp_path / "repo"
    root.mkdir()
    pixel = image(root, "media/salle.png", "La salle")
    issue = variant(
        "newsletter",
        "newsletter",
        "2026-12-01T07:30:00Z",
        slug="janvier",
        title="Session de janvier",
        text_format="html",
        text=HTML.format(src="media/salle.png"),
        media=[pixel],
    )
    later = variant(
        "newsletter",
        "newsletter",
        "2026-12-08T07:30:00Z",
        slug="fevrier",
        text_format="html",
        text=HTML.format(src="x"),
    )
    make_site(root, channels(smtp.port), [issue, later])

    report = run_push(root, "2026-12-01T08:00:00Z", ENV)
    assert [(r.outcome, r.variant) for r in report.rows] == [("published", issue["id"])]
    messages = [parsed(m.as_bytes()) for m in smtp.messages()]
    assert len(messages) == 1
    message = messages[0]
    assert message["Subject"] == "Session de janvier"
    assert message["To"] == "abonnes@lists.cm-bordeaux.example"
    assert (
        message["Message-ID"]
        == f"<{issue['id']}.{issue['content_hash'][7:23]}@cm-bordeaux.example>"
    )

    text = message.get_body(("plain",))
    html = message.get_body(("html",))
    assert text is not None and html is not None
    plain = text.get_content()
    assert plain == (
        "Session de janvier\n\n"
        "Les inscriptions sont ouvertes (https://cm-bordeaux.example/janvier).\n\n"
        "• Huit semaines\n• Quai des Chartrons\n"
    )
    markup = html.get_content()
    assert "<h1>Session de janvier</h1>" in markup
    assert 'src="cid:' in markup and 'src="media/salle.png"' not in markup
    images = [part for part in message.walk() if part.get_content_type() == "image/png"]
    assert [part.get_content() for part in images] == [PNG]
    cid = images[0]["Content-ID"].strip("<>")
    assert f'src="cid:{cid}"' in markup

    assert run_push(root, "2026-12-01T09:00:00Z", ENV).rows == []
    assert len(list(smtp.messages())) == 1
    assert [k for k, _ in kinds(root)] == ["pending", "published"]


def test_the_issue_as_received_says_its_language_at_the_top(
    tmp_path: Path, smtp: SmtpServer, run_push: Callable[..., Report]
) -> None:
    """Content-Language on the message itself, plain or HTML (not on a part, nor lost)."""
    html = variant(
        "newsletter",
        "newsletter",
        "2026-12-01T07:30:00Z",
        slug="janvier",
        title="Lettre HTML",
        text_format="html",
        text=HTML.format(src="x"),
    )
    plain = variant(
        "newsletter", "newsletter", "2026-12-01T07:40:00Z", slug="note", title="Plain letter"
    )
    unsaid = variant(
        "newsletter", "newsletter", "2026-12-01T07:50:00Z", slug="sans", title="No language"
    )
    html["lang"], plain["lang"], unsaid["lang"] = "fr", "en-GB", None
    root = make_site(tmp_path / "repo", channels(smtp.port), [html, plain, unsaid])

    report = run_push(root, "2026-12-01T08:00:00Z", ENV)
    assert [r.outcome for r in report.rows] == ["published"] * 3
    received = {m["Subject"]: m for m in (parsed(raw.as_bytes()) for raw in smtp.messages())}
    assert {subject: m["Content-Language"] for subject, m in received.items()} == {
        "Lettre HTML": "fr",
        "Plain letter": "en-GB",
        "No language": None,
    }
    assert received["Lettre HTML"].get_content_type() == "multipart/alternative"
    parts = [part for part in received["Lettre HTML"].walk()][1:]
    assert [part["Content-Language"] for part in parts] == [None, None]
    assert received["Plain letter"].get_content() == plain["text"] + "\n"


def test_a_refused_login_names_both_variables(
    tmp_path: Path, smtp: SmtpServer, run_push: Callable[..., Report]
) -> None:
    issue = variant(
        "newsletter", "newsletter", "2026-12-01T07:30:00Z", text_format="html", text="<p>Hi</p>"
    )
    root = make_site(tmp_path / "repo", channels(smtp.port), [issue])
    report = run_push(root, "2026-12-01T08:00:00Z", {**ENV, "CMB_SMTP_PASSWORD": "wrong-pw-99"})
    assert [r.outcome for r in report.rows] == ["failed"]
    detail = report.rows[0].detail
    assert "CMB_SMTP_USER (channels.newsletter.credentials.smtp_user)" in detail
    assert "CMB_SMTP_PASSWORD (channels.newsletter.credentials.smtp_password)" in detail
    assert "wrong-pw-99" not in detail
    assert list(smtp.messages()) == []


def test_an_interrupted_send_is_not_resent_until_someone_resolves_it(
    tmp_path: Path, smtp: SmtpServer, run_push: Callable[..., Report]
) -> None:
    from cmbuild.push.retract import resolve
    from cmbuild.push.session import PushSettings
    from tests.push.sites import ledger_lines

    issue = variant(
        "newsletter", "newsletter", "2026-12-01T07:30:00Z", text_format="html", text="<p>Hi</p>"
    )
    root = make_site(tmp_path / "repo", channels(smtp.port), [issue])
    # What a push killed in the middle of the SMTP exchange leaves: a pending line, nothing else.
    from cmbuild.stores.ledger import LedgerLine, LedgerWriter, now_utc

    LedgerWriter(root / "state" / "ledger.jsonl", "ledger").append(
        LedgerLine(
            kind="pending",
            variant=issue["id"],
            channel="newsletter",
            platform="newsletter",
            content_hash=issue["content_hash"],
            idempotency_key="k",
            at=now_utc(),
        )
    )
    report = run_push(root, "2026-12-01T08:00:00Z", ENV)
    assert [r.outcome for r in report.rows] == ["failed"]
    assert f"cmbuild resolve {issue['id']} --sent" in report.rows[0].detail
    assert list(smtp.messages()) == []

    resolve(PushSettings(root=root), issue["id"], sent=False, remote_id=None, url=None)
    report = run_push(root, "2026-12-01T08:05:00Z", ENV)
    assert [r.outcome for r in report.rows] == ["published"]
    assert len(list(smtp.messages())) == 1
    assert [line.get("code") for line in ledger_lines(root)] == [None, "unsent", None, None]


def test_a_halted_campaign_sends_nothing(
    tmp_path: Path, smtp: SmtpServer, run_push: Callable[..., Report]
) -> None:
    from cmbuild.stores.halts import Halt, add_halt

    issue = variant(
        "newsletter", "newsletter", "2026-12-01T07:30:00Z", text_format="html", text="<p>Hi</p>"
    )
    root = make_site(tmp_path / "repo", channels(smtp.port), [issue])
    add_halt(root / "state" / "halt.toml", "halt", Halt("campaign", "launch", "typo", "now"))
    report = run_push(root, "2026-12-01T08:00:00Z", ENV)
    assert [r.outcome for r in report.rows] == ["skipped"]
    assert list(smtp.messages()) == []
    assert kinds(root) == []
