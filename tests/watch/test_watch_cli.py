"""`cmbuild watch` end to end: a crisis in a feed alerts, halts the campaign, and push obeys.

The feeds come from a local server (tests/watch/feeds.py); alerts go through Apprise's `json://`
to a local HTTP server that records them; push publishes through the webhook publisher to a
local server (as the push tests do).
"""

from __future__ import annotations

import json
from pathlib import Path

from tests.push.fixtures import cli
from tests.push.servers import Fault, FaultServer, environ
from tests.push.sites import make_site, variant, write_manifest
from tests.push.test_faults import channels
from tests.watch.feeds import RSS, FeedServer

NOW = "2026-12-01T09:00:00Z"
ENV = {"CMB_HOOK_SECRET": "s3cret", "CMB_ALERT_HOST": "127.0.0.1"}


def _watch_toml(
    feed_url: str, alert_url: str, *, auto_halt: bool = True, halt: str = "launch"
) -> str:
    return f"""
auto_halt = {str(auto_halt).lower()}

[[sources]]
kind = "feed"
name = "sud-ouest"
url = "{feed_url}"
interval = "15m"

[[topics]]
name = "grève"
terms = ["grève", "mouvement social"]
exclude = ["grève de la faim"]
severity = "crisis"
halt = ["{halt}"]

[[topics]]
name = "noël"
terms = ["marché de noël"]
severity = "info"

[alerts]
urls = ["{alert_url}"]
"""


def _site(tmp_path: Path, hook_url: str, watch_toml: str) -> Path:
    entries = [
        variant("hook", "x", "2026-12-01T08:30:00Z", slug="promo", campaign="launch"),
        variant("hook", "x", "2026-12-01T08:40:00Z", slug="other", campaign=None),
    ]
    root = make_site(tmp_path / "site", channels(hook_url), entries)
    (root / "brand" / "watch.toml").write_text(watch_toml, encoding="utf-8")
    return root


def _lines(path: Path) -> list[dict[str, object]]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]


def test_a_crisis_in_a_feed_alerts_halts_and_push_obeys_until_resume(tmp_path: Path) -> None:
    with FeedServer() as feeds, FaultServer() as alerts, FaultServer() as hook:
        alert_url = f"json://{{CMB_ALERT_HOST}}:{alerts.httpd.server_address[1]}/alert"
        toml = 'max_watch_age = "1h"\n' + _watch_toml(f"{feeds.url}/rss", alert_url)
        root = _site(tmp_path, hook.url, toml)

        # A crisis item appears in the feed: watch alerts and halts the campaign.
        watched = cli(root, "watch", "--now", NOW, env=environ(**ENV))
        assert watched.returncode == 1, watched.stderr
        assert "crisis grève: Grève des transports à Bordeaux" in watched.stdout
        assert "halted campaign launch: veille: grève:" in watched.stdout
        (alert,) = [json.loads(seen.body) for seen in alerts.seen]
        assert "grève" in alert["title"] and "greve-tram-123.html" in alert["message"]
        mentions = _lines(root / "state" / "watch" / "mentions.jsonl")
        assert [(m["topic"], m["severity"]) for m in mentions] == [
            ("grève", "crisis"),
            ("noël", "info"),
        ]
        planned = cli(root, "plan", "--now", NOW)
        assert "campaign launch: topic grève in crisis since 2026-12-01T09:00:00Z" in planned.stdout

        # Push publishes none of the campaign (the other post goes out) and says why.
        pushed = cli(root, "push", "--now", NOW, env=environ(**ENV))
        assert pushed.returncode == 0, pushed.stderr
        assert "halted (campaign launch) since 2026-12-01T09:00:00Z: veille: grève: Grève" in (
            pushed.stdout
        )
        assert [json.loads(s.body)["variant"]["text"] for s in hook.seen] == [
            "other on hook at 2026-12-01T08:40:00Z"
        ]

        again = cli(root, "watch", "--now", "2026-12-01T09:20:00Z", env=environ(**ENV))
        assert again.returncode == 0, again.stdout  # the same items: nothing new
        assert len(alerts.seen) == 1

        # Resume lifts the veille halt like any other; push publishes the campaign.
        resumed = cli(root, "resume", "--campaign", "launch")
        assert resumed.returncode == 0, resumed.stderr
        assert "resumed: halted (campaign launch) since 2026-12-01T09:00:00Z: veille:" in (
            resumed.stdout
        )
        pushed = cli(root, "push", "--now", "2026-12-01T09:30:00Z", env=environ(**ENV))
    assert pushed.returncode == 0, pushed.stderr
    assert [json.loads(s.body)["variant"]["text"] for s in hook.seen] == [
        "other on hook at 2026-12-01T08:40:00Z",
        "promo on hook at 2026-12-01T08:30:00Z",
    ]


def test_without_auto_halt_watch_gives_the_halt_command(tmp_path: Path) -> None:
    with FeedServer() as feeds, FaultServer() as alerts:
        alert_url = f"json://127.0.0.1:{alerts.httpd.server_address[1]}/alert"
        toml = _watch_toml(f"{feeds.url}/rss", alert_url, auto_halt=False)
        root = _site(tmp_path, "http://127.0.0.1:9", toml)
        watched = cli(root, "watch", "--now", NOW, env=environ(**ENV))
    assert watched.returncode == 1
    assert "to halt, run: cmbuild halt --campaign launch --reason 'veille: grève:" in watched.stdout
    assert not (root / "state" / "halt.toml").exists()


def test_an_alert_target_that_is_down_is_tried_again_next_run(tmp_path: Path) -> None:
    with FeedServer() as feeds, FaultServer([Fault(status=503)]) as alerts:
        alert_url = f"json://127.0.0.1:{alerts.httpd.server_address[1]}/alert"
        root = _site(tmp_path, "http://127.0.0.1:9", _watch_toml(f"{feeds.url}/rss", alert_url))
        first = cli(root, "watch", "--now", NOW, env=environ(**ENV))
        assert first.returncode == 1
        assert "alert not sent, tried again next run: alert URL 1 (json://)" in first.stderr
        assert len(_lines(root / "state" / "watch" / "mentions.jsonl")) == 2  # still recorded
        second = cli(root, "watch", "--now", "2026-12-01T09:20:00Z", env=environ(**ENV))
    assert "1 alert(s) sent" in second.stdout
    assert len(alerts.seen) == 2


def test_a_failing_source_is_named_and_the_others_go_on(tmp_path: Path) -> None:
    with FeedServer() as feeds:
        toml = _watch_toml(f"{feeds.url}/malformed", "json://127.0.0.1:9/x")
        toml += f'\n[[sources]]\nkind = "feed"\nname = "blog"\nurl = "{feeds.url}/atom"\n'
        root = _site(tmp_path, "http://127.0.0.1:9", toml)
        result = cli(root, "watch", "--now", NOW, env=environ(**ENV))
    assert result.returncode == 0
    assert "source sud-ouest: the feed is malformed XML and was skipped" in result.stderr
    assert "1 source(s) read, 1 new item(s), 0 mention(s)" in result.stdout
    state = json.loads((root / "state" / "watch" / "sources.json").read_text(encoding="utf-8"))
    assert state["sources"]["sud-ouest"]["error"].startswith("the feed is malformed")


def test_a_torn_last_mention_is_set_aside_and_said(tmp_path: Path) -> None:
    with FeedServer() as feeds:
        feeds.extra["/quiet"] = RSS.replace("Grève", "Fête").replace("mouvement social", "x")
        root = _site(
            tmp_path,
            "http://127.0.0.1:9",
            _watch_toml(f"{feeds.url}/quiet", "json://127.0.0.1:9/x"),
        )
        folder = root / "state" / "watch"
        folder.mkdir(parents=True)
        (folder / "mentions.jsonl").write_bytes(b'{"at": "2026-11-30T09:00:00Z", "sou')
        result = cli(root, "watch", "--now", NOW, env=environ(**ENV))
    assert result.returncode == 0, result.stderr
    assert "mentions.jsonl:1: the last line was cut short" in result.stderr
    assert (folder / "mentions.jsonl.torn").read_bytes() == b'{"at": "2026-11-30T09:00:00Z", "sou\n'


def test_a_topic_halting_an_unknown_campaign_is_refused_with_a_suggestion(tmp_path: Path) -> None:
    root = _site(
        tmp_path, "http://127.0.0.1:9", _watch_toml("https://e.org/rss", "json://h/x", halt="lunch")
    )
    result = cli(root, "watch", "--now", NOW)
    assert result.returncode == 2
    assert "brand/watch.toml:15" in result.stderr and "topics.0.halt.0" in result.stderr
    assert "'lunch'" in result.stderr and "launch" in result.stderr


def test_an_invalid_term_is_refused_at_its_line(tmp_path: Path) -> None:
    toml = _watch_toml("https://e.org/rss", "json://h/x").replace('"mouvement social"', '"!!"')
    root = _site(tmp_path, "http://127.0.0.1:9", toml)
    result = cli(root, "watch", "--now", NOW)
    assert result.returncode == 2
    assert "topics.0.terms.1" in result.stderr and "no word in it" in result.stderr


def test_cmbuild_run_watches_before_it_pushes(tmp_path: Path) -> None:
    with FeedServer() as feeds, FaultServer() as alerts, FaultServer() as hook:
        alert_url = f"json://127.0.0.1:{alerts.httpd.server_address[1]}/alert"
        root = _site(tmp_path, hook.url, _watch_toml(f"{feeds.url}/rss", alert_url))
        result = cli(root, "run", "--now", NOW, "--skip", "collect", env=environ(**ENV))
    assert result.returncode == 0, result.stderr
    assert result.stdout.index("halted campaign launch") < result.stdout.index("veille: grève")
    assert [json.loads(s.body)["variant"]["text"] for s in hook.seen] == [
        "other on hook at 2026-12-01T08:40:00Z"
    ]


def _sensitive_post(root: Path, topic: str) -> None:
    (root / "posts").mkdir(exist_ok=True)
    (root / "posts" / "fete.md").write_text(
        f"---\ntitle: Fête\nchannels: [hook]\nsensitive: [{topic}]\n---\nOn fait la fête !\n",
        encoding="utf-8",
    )


def test_a_sensitive_post_is_held_whatever_its_campaign(tmp_path: Path) -> None:
    with FeedServer() as feeds, FaultServer() as hook:
        root = _site(tmp_path, hook.url, _watch_toml(f"{feeds.url}/rss", "json://127.0.0.1:9/x"))
        _sensitive_post(root, "grève")
        entries = [
            variant("hook", "x", "2026-12-01T08:40:00Z", slug="fete", campaign=None),
            variant("hook", "x", "2026-12-02T08:30:00Z", slug="promo", campaign="launch"),
        ]
        write_manifest(root, entries)
        watched = cli(root, "watch", "--now", NOW, env=environ(**ENV))
        assert "halted post posts/fete.md: veille: grève:" in watched.stdout, watched.stderr
        pushed = cli(root, "push", "--now", NOW, env=environ(**ENV))
    assert pushed.returncode == 0
    assert "halted (post posts/fete.md)" in pushed.stdout
    assert hook.seen == []


def test_a_sensitive_topic_that_does_not_exist_is_named_at_the_post(tmp_path: Path) -> None:
    root = _site(tmp_path, "http://127.0.0.1:9", _watch_toml("https://e.org/rss", "json://h/x"))
    _sensitive_post(root, "greve")
    result = cli(root, "watch", "--now", NOW)
    assert result.returncode == 2
    assert "posts/fete.md:4" in result.stderr and "'greve'" in result.stderr
    assert "grève" in result.stderr


def test_an_alert_url_whose_token_sits_in_the_host_or_port_never_shows_it(tmp_path: Path) -> None:
    # Apprise URLs often carry their token where a host or port would be (`slack://TOKEN_A/...`,
    # `tgram://BOT_ID:TOKEN/CHAT`): a failure names the target by place and scheme, never by host.
    secrets = {"CMB_SLACK": "T0SLACKSECRET", "CMB_TG": "123456:AAHTGSECRET"}
    with FeedServer() as feeds:
        toml = _watch_toml(f"{feeds.url}/rss", "slack://{CMB_SLACK}/", auto_halt=False)
        toml = toml.replace('urls = ["slack', 'urls = ["nosuch://{CMB_TG}/1", "slack')
        root = _site(tmp_path, "http://127.0.0.1:9", toml)
        watched = cli(root, "watch", "--now", NOW, env=environ(**ENV, **secrets))
    assert "Traceback" not in watched.stderr, watched.stderr
    assert "alert not sent, tried again next run: alert URL 1 (nosuch://)" in watched.stderr
    assert "alert URL 2 (slack://)" in watched.stderr
    for secret in ("SLACKSECRET", "TGSECRET", "123456"):
        assert secret.lower() not in (watched.stdout + watched.stderr).lower()


MENTION = {
    "at": "2026-12-01T09:00:00+00:00",
    "source": "sud-ouest",
    "uri": "",
    "url": None,
    "title": "Un titre",
    "topic": "greve",
    "severity": "crisis",
    "terms": ["grève"],
}


def test_a_line_of_state_that_is_not_a_record_is_named_and_skipped(tmp_path: Path) -> None:
    with FeedServer() as feeds:
        feeds.extra["/quiet"] = RSS.replace("Grève", "Fête").replace("mouvement social", "x")
        root = _site(
            tmp_path, "http://127.0.0.1:9", _watch_toml(f"{feeds.url}/quiet", "json://h:9/x")
        )
        folder = root / "state" / "watch"
        folder.mkdir(parents=True)
        undated = json.dumps({**MENTION, "uri": "https://e.org/b", "at": "hier"})
        (folder / "mentions.jsonl").write_text(
            '{"uri": "https://e.org/a"}\n' + undated + "\n", encoding="utf-8"
        )
        (folder / "seen.jsonl").write_text("[1]\n", encoding="utf-8")
        result = cli(root, "watch", "--now", NOW, env=environ(**ENV))
    assert result.returncode == 0, result.stderr
    assert "seen.jsonl:1: not a JSON object, left as it is and skipped" in result.stderr
    assert "a line that is not a mention (uri 'https://e.org/a')" in result.stderr
    assert "a line that is not a mention (uri 'https://e.org/b')" in result.stderr  # no time
    assert (folder / "mentions.jsonl").read_text().startswith('{"uri": "https://e.org/a"}\n')
