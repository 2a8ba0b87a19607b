"""Every channel pushed to a server that refuses the credentials and quotes the request back: no
form of any secret may reach a byte cmbuild writes (terminal, ledger, state/, output/)."""

from __future__ import annotations

import base64
import json
import socketserver
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler
from pathlib import Path
from urllib.parse import quote, quote_plus

import pytest

from tests.push.fake_http import LocalServer, read_body, send
from tests.push.fixtures import cli
from tests.push.servers import environ
from tests.push.sites import image, make_site, variant

NOW = "2026-12-01T09:00:00Z"

# One marker per credential variable: long, random-looking, with the characters that encodings
# change (/ + = and a space in the WordPress application password, as WordPress shows them).
MARKERS = {
    "CMB_X_TOKEN": "XtokQ7/mR2+vW9=kP4sLzA81",
    "CMB_MASTODON_TOKEN": "MastZ3k9Lq8/Wn2+Rt5yUv6e",
    "CMB_BSKY_ID": "bskyid7Hq2mKx9.example",
    "CMB_BSKY_PASSWORD": "bskyPw4k-9f2h-Qz7m-8tLc",
    "CMB_LINKEDIN_TOKEN": "LinkdQ1w2E3r4T5y6U7i8O9p/0",
    "CMB_TUMBLR_CONSUMER_KEY": "TumCk5Fh8Jk2Lm4Np6Qr8St",
    "CMB_TUMBLR_CONSUMER_SECRET": "TumCs9Zx7Cv5Bn3Mm1Aa2Ss",
    "CMB_TUMBLR_TOKEN": "TumTk4Gh6Jj8Kk0Ll2Zz4Xx",
    "CMB_TUMBLR_TOKEN_SECRET": "TumTs1Qq3Ww5Ee7Rr9Tt0Yy",
    "CMB_PINTEREST_TOKEN": "pina_PinTk8Uu6Ii4Oo2Pp0Aa",
    "CMB_FACEBOOK_PAGE_TOKEN": "EAAFbPg7Hh5Jj3Kk1Ll9Zz7X",
    "CMB_INSTAGRAM_TOKEN": "IGQIgTk2Ww4Ee6Rr8Tt0Yy2U",
    "CMB_THREADS_TOKEN": "THQThTk3Ss5Dd7Ff9Gg1Hh3J",
    "CMB_MEDIA_KEY_ID": "AKIAMEDIA7KEY9ID3XQZ",
    "CMB_MEDIA_SECRET": "MedSc/8Kk6Jj4Hh2Gg0Ff+Dd9",
    "CMB_WP_USER": "wpuserQ5r7t9y1",
    "CMB_WP_APP_PASSWORD": "Wp4k 9f2h Qz7m 8tLc Xa3b",
    "CMB_HOOK_SECRET": "HookSec6Vv8Bb0Nn2Mm4Qq6",
    "CMB_SMTP_USER": "smtpUsr3Ee5Rr7Tt9Yy",
    "CMB_SMTP_PASSWORD": "SmtpPw8Ii6Uu4Yy2Tt0Rr",
}


def derived_forms(value: str) -> set[str]:
    """Every form of `value` a leak could take, down to the first 6 characters of each."""
    escaped = json.dumps(value)[1:-1]
    whole = {
        value,
        quote(value, safe=""),
        quote_plus(value),
        escaped,
        escaped.replace("/", "\\/"),
        base64.b64encode(value.encode()).decode().rstrip("="),
    }
    for other in MARKERS.values():
        if other != value:
            whole.add(base64.b64encode(f"{other}:{value}".encode()).decode().rstrip("="))
    return whole | {form[:6] for form in whole} | {form[-6:] for form in whole}


class EchoServer(LocalServer):
    """Refuses every request with 401 and quotes it back: in JSON escaped the PHP way (`\\/`),
    as plain text, or with the Authorization header where a 300-byte excerpt cuts it."""

    def __init__(self, mode: str) -> None:
        super().__init__()
        self.mode = mode
        self.seen: list[str] = []

    def handle(self, handler: BaseHTTPRequestHandler) -> None:
        body = read_body(handler).decode("utf-8", errors="replace")
        headers = dict(handler.headers.items())
        self.seen.append(f"{handler.command} {handler.path}")
        if self.mode == "json":
            echo = {"error": "invalid_token", "path": handler.path, "headers": headers}
            echo["body"] = body
            text = json.dumps(echo).replace("/", "\\/")
        elif self.mode == "plain":
            text = f"Unauthorized: {handler.command} {handler.path}\n"
            text += "".join(f"{k}: {v}\n" for k, v in headers.items()) + body
        else:  # a credential straddling byte 300 of the answer
            auth = headers.get("Authorization") or handler.path
            scheme = auth.index(" ") + 1 if " " in auth else 0
            text = "Unauthorized: ".ljust(292 - scheme, ".") + auth + " " + body
        send(handler, 401, text.encode(), {"Content-Type": "application/json"})


class SmtpEcho(socketserver.StreamRequestHandler):
    """An SMTP server refusing every login, quoting what it was sent."""

    def handle(self) -> None:
        self.wfile.write(b"220 echo ESMTP\r\n")
        while line := self.rfile.readline():
            said = line.decode(errors="replace").strip()
            if said.upper().startswith("EHLO"):
                self.wfile.write(b"250-echo\r\n250 AUTH PLAIN LOGIN\r\n")
            elif said.upper().startswith("AUTH"):
                self.wfile.write(f"535 5.7.8 refused: {said}\r\n".encode())
            elif said.upper().startswith("QUIT"):
                self.wfile.write(b"221 bye\r\n")
                return
            else:
                self.wfile.write(f"250 ok {said}\r\n".encode())


@pytest.fixture
def smtp_echo() -> Iterator[int]:
    server = socketserver.ThreadingTCPServer(("127.0.0.1", 0), SmtpEcho)
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05})
    thread.start()
    try:
        yield int(server.server_address[1])
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)


def channels(url: str, smtp_port: int, site_dir: Path) -> str:
    media = (
        f'media_bucket = "cmb", media_public_url = "{url}/cmb", '
        f'media_endpoint = "{url}", media_region = "fr-par"'
    )
    media_credentials = 'media_key_id = "CMB_MEDIA_KEY_ID", media_secret = "CMB_MEDIA_SECRET"'
    return f"""
[defaults]
timezone = "UTC"
stale_after_hours = 48

[channels.x]
platform = "x"
options = {{ api_base = "{url}" }}
credentials = {{ token = "CMB_X_TOKEN" }}

[channels.mastodon]
platform = "mastodon"
options = {{ instance = "{url}" }}
credentials = {{ token = "CMB_MASTODON_TOKEN" }}

[channels.bluesky]
platform = "bluesky"
options = {{ service = "{url}" }}
credentials = {{ identifier = "CMB_BSKY_ID", app_password = "CMB_BSKY_PASSWORD" }}

[channels.linkedin]
platform = "linkedin"
options = {{ author = "urn:li:organization:1", api_base = "{url}" }}
credentials = {{ token = "CMB_LINKEDIN_TOKEN" }}

[channels.tumblr]
platform = "tumblr"
options = {{ blog = "cmb.tumblr.com", api_base = "{url}" }}
credentials.consumer_key = "CMB_TUMBLR_CONSUMER_KEY"
credentials.token = "CMB_TUMBLR_TOKEN"
credentials.consumer_secret = "CMB_TUMBLR_CONSUMER_SECRET"
credentials.token_secret = "CMB_TUMBLR_TOKEN_SECRET"

[channels.pinterest]
platform = "pinterest"
options = {{ board = "1234", api_base = "{url}" }}
credentials = {{ token = "CMB_PINTEREST_TOKEN" }}

[channels.facebook]
platform = "facebook"
options = {{ page_id = "1049", api_base = "{url}" }}
credentials = {{ page_token = "CMB_FACEBOOK_PAGE_TOKEN" }}

[channels.instagram]
platform = "instagram"
options = {{ ig_user_id = "1784", api_base = "{url}", {media} }}
credentials = {{ token = "CMB_INSTAGRAM_TOKEN", {media_credentials} }}

[channels.threads]
platform = "threads"
options = {{ api_base = "{url}", {media} }}
credentials = {{ token = "CMB_THREADS_TOKEN", {media_credentials} }}

[channels.wordpress]
platform = "blog"
options = {{ publisher = "wordpress", site = "{url}" }}
credentials = {{ user = "CMB_WP_USER", app_password = "CMB_WP_APP_PASSWORD" }}

[channels.blog]
platform = "blog"
options = {{ site_dir = "{site_dir}" }}

[channels.hook]
platform = "youtube"
options = {{ publisher = "webhook", webhook_url = "{url}/hook" }}
credentials = {{ webhook_secret = "CMB_HOOK_SECRET" }}

[channels.newsletter]
platform = "newsletter"
credentials = {{ smtp_user = "CMB_SMTP_USER", smtp_password = "CMB_SMTP_PASSWORD" }}
options.smtp_host = "127.0.0.1"
options.smtp_port = {smtp_port}
options.smtp_security = "none"
options.from = "a@example.org"
options.to = "b@example.org"
"""


PLATFORMS = {
    "x": "x",
    "mastodon": "mastodon",
    "bluesky": "bluesky",
    "linkedin": "linkedin",
    "tumblr": "tumblr",
    "pinterest": "pinterest",
    "facebook": "facebook",
    "instagram": "instagram",
    "threads": "threads",
    "wordpress": "blog",
    "blog": "blog",
    "hook": "youtube",
    "newsletter": "newsletter",
}


def written(root: Path) -> dict[str, bytes]:
    """Every file under `root` but the inputs the test wrote."""
    inputs = {"channels.toml", "output/manifest.json"}
    return {
        path.relative_to(root).as_posix(): path.read_bytes()
        for path in sorted(root.rglob("*"))
        if path.is_file()
        and path.relative_to(root).as_posix() not in inputs
        and not path.relative_to(root).as_posix().startswith(("brand/", "media/"))
    }


@pytest.mark.parametrize("mode", ["json", "plain", "cut"])
def test_no_form_of_any_secret_is_written_anywhere(
    tmp_path: Path, mode: str, smtp_echo: int
) -> None:
    root = tmp_path / "site"
    with EchoServer(mode) as server:
        root.mkdir()
        pixel = image(root)
        entries = []
        for channel, platform in PLATFORMS.items():
            for slug in ("a", "b"):
                media = [pixel] if platform in ("instagram", "pinterest") else None
                text = f"<p>{slug} {channel}</p>" if platform in ("blog", "newsletter") else None
                entries.append(
                    variant(
                        channel,
                        platform,
                        f"2026-12-01T0{'7' if slug == 'a' else '8'}:00:00Z",
                        slug=f"{channel}-{slug}",
                        media=media,
                        text=text,
                        text_format="html" if text else "plain",
                    )
                )
        make_site(root, channels(server.url, smtp_echo, root / "site"), entries)
        result = cli(root, "push", "--now", NOW, env=environ(**MARKERS))
        again = cli(root, "push", "--now", NOW, env=environ(**MARKERS))
        plan = cli(root, "plan", "--now", NOW, env=environ(**MARKERS))
    assert result.returncode == 1, result.stdout + result.stderr
    assert "Traceback" not in result.stderr + again.stderr
    assert server.seen  # the server did get (and quote) requests
    outputs = {
        "push stdout": result.stdout,
        "push stderr": result.stderr,
        "second push stdout": again.stdout,
        "second push stderr": again.stderr,
        "plan": plan.stdout + plan.stderr,
        **{name: data.decode("utf-8", errors="replace") for name, data in written(root).items()},
    }
    assert "state/ledger.jsonl" in outputs
    leaks = [
        f"{where}: {variable} as {form!r}"
        for where, text in outputs.items()
        for variable, value in MARKERS.items()
        for form in sorted(derived_forms(value))
        if form in text
    ]
    assert leaks == []
    if mode != "cut":
        assert "[secret]" in result.stdout
