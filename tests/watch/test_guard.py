"""Push and plan know what veille heard: `max_watch_age`, `resume --post`, the holds in `plan`.

Real peers as in test_watch_cli.py: feeds from a local server, push through the webhook
publisher to a local server that records what it receives.
"""

from __future__ import annotations

import json
from pathlib import Path

from tests.push.fixtures import cli
from tests.push.servers import FaultServer, environ
from tests.push.sites import variant, write_manifest
from tests.watch.feeds import RSS, FeedServer
from tests.watch.test_watch_cli import ENV, NOW, _sensitive_post, _site, _watch_toml

QUIET = RSS.replace("Grève", "Fête").replace("mouvement social", "x")


def _texts(hook: FaultServer) -> list[str]:
    return [json.loads(seen.body)["variant"]["text"] for seen in hook.seen]


def _guarded(feed_url: str, age: str = "2h") -> str:
    return f'max_watch_age = "{age}"\n' + _watch_toml(feed_url, "json://127.0.0.1:9/x")


def test_push_refuses_when_veille_never_listened_and_a_dry_run_says_so(tmp_path: Path) -> None:
    with FaultServer() as hook:
        root = _site(tmp_path, hook.url, _guarded("http://127.0.0.1:9/rss"))
        dry = cli(root, "push", "--dry-run", "--now", NOW, env=environ(**ENV))
        pushed = cli(root, "push", "--now", NOW, env=environ(**ENV))
    assert dry.returncode == 0, dry.stderr
    assert "warning: `cmbuild push` would refuse to run now: brand/watch.toml:1:" in dry.stdout
    assert pushed.returncode == 2
    assert "error: brand/watch.toml:1: max_watch_age: veille has never listened" in pushed.stderr
    assert "run `cmbuild watch` first" in pushed.stderr
    assert hook.seen == []
    assert not (root / "state" / "ledger.jsonl").exists()


def test_push_runs_after_a_recent_watch_and_refuses_once_it_is_too_old(tmp_path: Path) -> None:
    with FeedServer() as feeds, FaultServer() as hook:
        feeds.extra["/quiet"] = QUIET
        root = _site(tmp_path, hook.url, _guarded(f"{feeds.url}/quiet"))
        assert cli(root, "watch", "--now", NOW, env=environ(**ENV)).returncode == 0
        late = cli(root, "push", "--now", "2026-12-01T11:30:00Z", env=environ(**ENV))
        assert late.returncode == 2
        assert (
            "the last watch that read all its sources ran at 2026-12-01T09:00:00Z, 2.5 h ago:"
            " more than max_watch_age (2.0 h)"
        ) in late.stderr
        assert hook.seen == []
        pushed = cli(root, "push", "--now", "2026-12-01T10:30:00Z", env=environ(**ENV))
    assert pushed.returncode == 0, pushed.stderr
    assert len(_texts(hook)) == 2


def test_a_watch_whose_source_failed_does_not_count(tmp_path: Path) -> None:
    with FeedServer() as feeds, FaultServer() as hook:
        feeds.extra["/quiet"] = QUIET
        root = _site(tmp_path, hook.url, _guarded(f"{feeds.url}/quiet"))
        assert cli(root, "watch", "--now", NOW, env=environ(**ENV)).returncode == 0
        toml = (root / "brand" / "watch.toml").read_text(encoding="utf-8")
        broken = toml.replace(f"{feeds.url}/quiet", f"{feeds.url}/status/503")
        (root / "brand" / "watch.toml").write_text(broken, encoding="utf-8")
        later = "2026-12-01T10:00:00Z"
        assert cli(root, "watch", "--now", later, env=environ(**ENV)).returncode == 0
        pushed = cli(root, "push", "--now", "2026-12-01T11:10:00Z", env=environ(**ENV))
    assert pushed.returncode == 2
    assert "ran at 2026-12-01T09:00:00Z, 2.2 h ago" in pushed.stderr
    assert (
        "Sources that failed at the last watch (2026-12-01T10:00:00Z): sud-ouest: the site is"
        " failing (HTTP 503)"
    ) in pushed.stderr
    assert "fix the failing sources" in pushed.stderr
    assert hook.seen == []


def test_a_bad_max_watch_age_is_named_at_its_line(tmp_path: Path) -> None:
    root = _site(tmp_path, "http://127.0.0.1:9", _guarded("http://127.0.0.1:9/rss", "soon"))
    for command in (("push",), ("watch",)):
        result = cli(root, *command, "--now", NOW, env=environ(**ENV))
        assert result.returncode == 2
        assert "brand/watch.toml:1: max_watch_age:" in result.stderr
        assert 'write the interval like "15m", "2h" or "1d"' in result.stderr


def test_resume_post_lifts_a_veille_hold_with_a_dry_run_and_suggestions(tmp_path: Path) -> None:
    with FeedServer() as feeds, FaultServer() as hook:
        root = _site(tmp_path, hook.url, _watch_toml(f"{feeds.url}/rss", "json://127.0.0.1:9/x"))
        _sensitive_post(root, "grève")
        fete = variant("hook", "x", "2026-12-01T08:40:00Z", slug="fete", campaign=None)
        promo = variant("hook", "x", "2026-12-02T08:30:00Z", slug="promo", campaign="launch")
        write_manifest(root, [fete, promo])
        assert cli(root, "watch", "--now", NOW, env=environ(**ENV)).returncode == 1
        halt_file = root / "state" / "halt.toml"
        before = halt_file.read_bytes()

        typo = cli(root, "resume", "--post", "posts/fette.md")
        assert typo.returncode == 2
        assert "--post: no post is named 'posts/fette.md' (did you mean 'posts/fete.md'?)" in (
            typo.stderr
        )
        dry = cli(root, "resume", "--post", str(root / "posts" / "fete.md"), "--dry-run")
        assert dry.returncode == 0, dry.stderr
        assert "would resume: halted (post posts/fete.md) since 2026-12-01T09:00:00Z" in dry.stdout
        assert halt_file.read_bytes() == before
        assert cli(root, "push", "--now", NOW, env=environ(**ENV)).returncode == 0
        assert hook.seen == []

        resumed = cli(root, "resume", "--post", "fete")  # its slug
        assert resumed.returncode == 0, resumed.stderr
        assert "resumed: halted (post posts/fete.md)" in resumed.stdout
        pushed = cli(root, "push", "--now", NOW, env=environ(**ENV))
    assert pushed.returncode == 0, pushed.stderr
    assert _texts(hook) == ["fete on hook at 2026-12-01T08:40:00Z"]


def test_resume_needs_exactly_one_selector_and_names_post(tmp_path: Path) -> None:
    root = _site(tmp_path, "http://127.0.0.1:9", _watch_toml("https://e.org/rss", "json://h/x"))
    result = cli(root, "resume", "--post", "posts/promo.md", "--all")
    assert result.returncode == 2
    assert "--campaign NAME, --channel NAME, --post FILE or --all" in result.stderr


def test_plan_shows_what_veille_holds_and_why(tmp_path: Path) -> None:
    with FeedServer() as feeds:
        root = _site(tmp_path, "http://127.0.0.1:9", _watch_toml(f"{feeds.url}/rss", "json://x/y"))
        assert cli(root, "watch", "--now", NOW, env=environ(**ENV)).returncode == 1
        url = "https://www.sudouest.example/bordeaux/greve-tram-123.html"
        shown = cli(root, "plan", "--now", NOW)
        data = json.loads(cli(root, "plan", "--now", NOW, "--json").stdout)
    assert shown.returncode == 0, shown.stderr
    assert "held by veille (`cmbuild resume` lifts a hold):" in shown.stdout
    assert (
        "  campaign launch: topic grève in crisis since 2026-12-01T09:00:00Z, after"
        f" “Grève des transports à Bordeaux : les trams à l'arrêt” {url}: 1 variant(s) held:"
        " posts/promo.md"
    ) in shown.stdout
    assert data["held_by_veille"] == [
        {
            "scope": "campaign",
            "name": "launch",
            "since": "2026-12-01T09:00:00Z",
            "topic": "grève",
            "item": "Grève des transports à Bordeaux : les trams à l'arrêt",
            "url": url,
            "posts": ["posts/promo.md"],
            "variants": 1,
        }
    ]
