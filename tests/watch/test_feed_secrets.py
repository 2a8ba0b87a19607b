"""A feed address carrying a secret (a token in its query, a login in it) never shows.

Whatever goes wrong reaching the feed (refused, unknown host, no answer, a TLS failure, an HTTP
error), what `cmbuild watch` says and keeps names the source, never its address: no part of the
token or the login reaches stdout, stderr or state/.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from cmbuild.watch.feed import listen
from cmbuild.watch.sources import FeedSource, ListenError
from tests.push.fixtures import cli
from tests.push.servers import environ, free_port
from tests.watch.feeds import FeedServer
from tests.watch.test_feed import CONTEXT
from tests.watch.test_watch_cli import ENV, NOW, _site, _watch_toml

TOKEN = "tok-5ecr3t-77a1"
LOGIN = "veilleur"
PASSWORD = "pw-9c4e2b"
SECRETS = (TOKEN, LOGIN, PASSWORD)
BARE = """<?xml version="1.0" encoding="UTF-8"?>
<rss version="2.0"><channel><title>Bare</title>
<item><title>Marché de noël sans lien</title><description>Place Pey-Berland.</description></item>
</channel></rss>"""


@pytest.fixture(scope="module")
def feeds() -> Iterator[FeedServer]:
    with FeedServer() as running:
        yield running


def _url(base: str, path: str) -> str:
    scheme, _, rest = base.partition("://")
    return f"{scheme}://{LOGIN}:{PASSWORD}@{rest}{path}?token={TOKEN}"


def _faults(feeds: FeedServer) -> dict[str, tuple[str, str]]:
    """Each fault: the feed's address, and what the error says of it."""
    port = feeds.url.rsplit(":", 1)[1]
    return {
        "refused": (_url(f"http://127.0.0.1:{free_port()}", "/rss"), "could not be reached"),
        "dns": (_url("http://feeds.example.invalid", "/rss"), "could not be reached"),
        "tls": (_url(f"https://127.0.0.1:{port}", "/rss"), "could not be reached"),
        "http-404": (_url(feeds.url, "/status/404"), "HTTP 404"),
        "http-503": (_url(feeds.url, "/status/503"), "HTTP 503"),
    }


def _clean(text: str) -> None:
    for secret in SECRETS:
        assert secret not in text
    assert "token=" not in text and "@127.0.0.1" not in text


@pytest.mark.parametrize("fault", ["refused", "dns", "tls", "http-404", "http-503", "timeout"])
def test_the_listener_error_names_no_part_of_the_address(feeds: FeedServer, fault: str) -> None:
    url, says = (
        (_url(feeds.url, "/hang"), "no answer within 1 s")
        if fault == "timeout"
        else _faults(feeds)[fault]
    )
    with pytest.raises(ListenError) as error:
        listen(FeedSource(kind="feed", name="presse", url=url), {}, CONTEXT)
    assert says in str(error.value)
    _clean(str(error.value))


def test_watch_says_which_source_failed_never_its_secret(tmp_path: Path, feeds: FeedServer) -> None:
    faults = _faults(feeds)
    toml = _watch_toml(faults.pop("refused")[0], "json://127.0.0.1:9/x", auto_halt=False)
    toml = toml.replace('name = "sud-ouest"', 'name = "refused"')
    # A feed that is read, whose item has neither id nor link: named by its feed, in state.
    feeds.extra["/bare"] = BARE
    faults["bare"] = (_url(feeds.url, "/bare"), "")
    for name, (url, _) in faults.items():
        toml += f'\n[[sources]]\nkind = "feed"\nname = "{name}"\nurl = "{url}"\n'
    root = _site(tmp_path, "http://127.0.0.1:9", toml)
    result = cli(root, "watch", "--now", NOW, env=environ(**ENV))
    assert result.returncode == 0, result.stderr
    assert "1 source(s) read, 1 new item(s)" in result.stdout, result.stdout
    mentions = (root / "state" / "watch" / "mentions.jsonl").read_text(encoding="utf-8")
    assert f"{feeds.url}/bare?source=bare#Marché de noël sans lien" in mentions
    for name in ("refused", "dns", "tls", "http-404", "http-503"):
        assert f"source {name}: " in result.stderr, result.stderr
    _clean(result.stdout)
    _clean(result.stderr)
    for path in (root / "state").rglob("*"):
        if path.is_file():
            _clean(path.read_text(encoding="utf-8"))
