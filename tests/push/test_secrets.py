"""Secrets come from the environment only, and never appear in output, ledger or errors."""

from __future__ import annotations

import functools
from collections.abc import Callable
from pathlib import Path

import pytest

from cmbuild.cli.show import push_report
from cmbuild.platforms.shared.publisher import PublishError
from cmbuild.push.apply import inputs
from cmbuild.push.report import Report
from cmbuild.push.session import PushSettings, Session
from tests.push.fixtures import cli
from tests.push.servers import Fault, FaultServer, environ
from tests.push.sites import make_site, variant
from tests.push.test_faults import channels

SECRET = "sk-live-9f8e7d6c5b4a"
TOKEN = "masto/token+with=chars"


def echoing(status: int) -> Fault:
    # A careless server quoting what it was given, in several encodings.
    body = (
        f'{{"error": "bad key {SECRET}", "token": "{TOKEN}", "q": "masto%2Ftoken%2Bwith%3Dchars"}}'
    )
    return Fault(status, body=body.encode())


SECRETS = (SECRET, TOKEN, "masto%2Ftoken%2Bwith%3Dchars")
ENV = {"CMB_HOOK_SECRET": SECRET, "CMB_MASTODON_TOKEN": TOKEN, "CMB_OTHER_SECRET": "x"}
ENTRIES = [
    variant("hook", "x", "2026-12-01T08:00:00Z", slug="a"),
    variant("masto", "mastodon", "2026-12-01T08:05:00Z", slug="b"),
]


@pytest.mark.parametrize("status", [400, 401, 422, 500])
def test_a_secret_echoed_by_a_server_is_not_in_the_report_or_ledger(
    tmp_path: Path, status: int, run_push: Callable[..., Report]
) -> None:
    with FaultServer([echoing(status)] * 10) as server:
        root = make_site(tmp_path / "site", channels(server.url, mastodon_url=server.url), ENTRIES)
        report = run_push(root, "2026-12-01T09:00:00Z", ENV)
    assert [r.outcome for r in report.rows] == ["failed", "failed"]
    shown: list[str] = []
    push_report(report, shown.append)
    ledger = (root / "state" / "ledger.jsonl").read_text(encoding="utf-8")
    assert "[secret]" in "\n".join(shown)
    for text in ("\n".join(shown), ledger):
        for secret in SECRETS:
            assert secret not in text


def test_a_secret_echoed_by_a_server_is_not_in_the_command_output(tmp_path: Path) -> None:
    with FaultServer([echoing(400)] * 4) as server:
        root = make_site(tmp_path / "site", channels(server.url, mastodon_url=server.url), ENTRIES)
        result = cli(root, "push", "--now", "2026-12-01T09:00:00Z", env=environ(**ENV))
    assert result.returncode == 1
    ledger = (root / "state" / "ledger.jsonl").read_text(encoding="utf-8")
    assert result.stdout.count("[secret]") >= 2
    for text in (result.stdout, result.stderr, ledger):
        for secret in SECRETS:
            assert secret not in text


def test_errors_raised_by_publishers_are_redacted_before_anyone_sees_them(tmp_path: Path) -> None:
    entry = variant("hook", "x", "2026-12-01T08:00:00Z")
    with FaultServer([echoing(422)] * 2) as server:
        root = make_site(tmp_path / "site", channels(server.url), [entry])
        settings = PushSettings(root=root, environ={"CMB_HOOK_SECRET": SECRET})
        entries, found = inputs(settings)
        session = Session(settings, found, writer=None, report=None)  # type: ignore[arg-type]
        publisher = session.publisher("hook")
        with pytest.raises(PublishError) as raw:
            publisher.publish(entries[0], ())
        assert SECRET not in str(raw.value)  # the server echoed it, the publisher left it out
        assert "[secret]" in str(raw.value)
        with pytest.raises(PublishError) as guarded:
            session.guarded(functools.partial(publisher.publish, entries[0], ()))()

        def careless() -> None:
            raise PublishError(f"a publisher quoting {SECRET} itself")

        with pytest.raises(PublishError) as quoted:
            session.guarded(careless)()

        def crashing() -> None:
            raise ValueError(f"Invalid header value b'Bearer {SECRET}\\n'")

        with pytest.raises(PublishError) as crashed:
            session.guarded(crashing)()
    for error in (guarded.value, quoted.value, crashed.value):
        assert SECRET not in str(error)  # the session removed it
        assert error.__cause__ is None and error.__suppress_context__


def test_credentials_are_read_only_from_the_named_variables(tmp_path: Path) -> None:
    entry = variant("hook", "x", "2026-12-01T08:00:00Z")
    with FaultServer() as server:
        root = make_site(tmp_path / "site", channels(server.url), [entry])
        result = cli(
            root, "push", "--now", "2026-12-01T09:00:00Z", env=environ(WEBHOOK_SECRET=SECRET)
        )
    assert result.returncode == 1
    assert (
        "environment variable CMB_HOOK_SECRET (channels.hook.credentials.webhook_secret) is not set"
        in result.stdout
    )
    assert server.seen == []
    assert not (root / "state" / "ledger.jsonl").exists()  # nothing was attempted


@pytest.mark.parametrize(
    ("value", "problem"),
    [
        ("masto-token\n", "has a line break at its end"),
        ("masto-token ", "has a space or a tab at its end"),
        ("masto\x07token", "holds a control character"),
    ],
)
def test_a_secret_with_a_stray_character_names_its_variable(
    tmp_path: Path, value: str, problem: str
) -> None:
    entry = variant("masto", "mastodon", "2026-12-01T08:05:00Z", slug="b")
    with FaultServer() as server:
        root = make_site(tmp_path / "site", channels(server.url, mastodon_url=server.url), [entry])
        result = cli(
            root, "push", "--now", "2026-12-01T09:00:00Z", env=environ(CMB_MASTODON_TOKEN=value)
        )
    assert result.returncode == 1
    assert (
        f"environment variable CMB_MASTODON_TOKEN (channels.masto.credentials.token) {problem}"
        in result.stdout
    )
    assert "ValueError" not in result.stdout + result.stderr
    assert "masto-token" not in result.stdout + result.stderr
    assert server.seen == []  # nothing was sent with the bad value


def test_the_redactor_removes_every_derived_form_and_cut_tokens() -> None:
    import base64
    import json
    from urllib.parse import quote, quote_plus

    from cmbuild.push.secrets import Redactor

    redact = Redactor()
    user, password, token = "wpuser42", "Ab12 cd/34 Ef+56", "tumblrAccessToken7c1d9e2f"
    for value in (user, password, token):
        redact.add(value)
    basic = base64.b64encode(f"{user}:{password}".encode()).decode()
    plain = base64.b64encode(f"\0{user}\0{password}".encode()).decode()
    inside = base64.b64encode(f"someone:{token}".encode()).decode()
    texts = [
        f"Authorization: Basic {basic}",
        f"AUTH PLAIN {plain}",
        f"x={quote(password, safe='')} y={quote_plus(password)}",
        f"z={quote(password, safe='').replace('%2F', '%2f').replace('%2B', '%2b')}",
        json.dumps({"p": password}).replace("/", "\\/"),
        f"blob {inside}",
        f"oauth_token={token[:9]}…",
        f"token {token[:10]}",  # the end of the text: cut there
        f"…{token[-8:]} was refused",
    ]
    for text in texts:
        assert "[secret]" in redact(text)
        for piece in (user, token[:6], token[-6:], basic[:12], inside[12:24], "Ab12 cd"):
            assert piece not in redact(text), text
    # A word a secret happens to start with is left alone where nothing was cut.
    assert redact("https://www.tumblr.com/cmb/1") == "https://www.tumblr.com/cmb/1"


def test_an_answer_is_redacted_before_it_is_cut_to_an_excerpt() -> None:
    from cmbuild.platforms.shared.http import status_error
    from cmbuild.push.secrets import Redactor

    redact = Redactor()
    redact.add(SECRET)
    # The secret starts 5 characters before the 300-character cut: cut first, its first 5
    # characters would be too short to recognise.
    body = ("." * 295 + SECRET + " and more").encode()
    error = status_error(401, {}, body, redact)
    assert SECRET[:5] not in error.message
    assert error.message.endswith("…")
