"""Acceptance: the sample content repository (posts/, brand/, media/ and channels.toml at the
repository's root, 13 channels) built by the real build and pushed with `cmbuild push` to every
local peer the per-platform tests use.

Each channel's options are pointed at its peer; nothing else of the sample changes. The push is
run as CI would run it, at a few times inside the sample's calendar, and after each run what
`cmbuild plan` said was due is exactly what the ledger records as published and what the peers
hold. Then: a second run publishes nothing, a halted campaign publishes nothing (and the push says
why), and `cmbuild retract` deletes a campaign wherever the platform allows it.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import tomllib
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from cmbuild.build import build
from tests.platforms.blog.wordpress_peer import WordPress
from tests.platforms.bluesky.peer import BlueskyPeer
from tests.platforms.linkedin import fake as linkedin_fake
from tests.platforms.linkedin.fake import FakeLinkedIn
from tests.platforms.pinterest import fake as pinterest_fake
from tests.platforms.pinterest.fake import FakePinterest
from tests.platforms.x.test_publisher import TOKEN as X_TOKEN
from tests.platforms.x.test_publisher import FakeX
from tests.push import graph_fake
from tests.push.fixtures import MASTODON_TOKEN, cli, statuses
from tests.push.graph_fake import FakeGraph
from tests.push.s3peer import KEY_ID, SECRET, S3Peer
from tests.push.servers import SmtpServer, environ
from tests.push.sites import ledger_lines

pytestmark = pytest.mark.filterwarnings("ignore:Requiring AUTH while not requiring TLS")

REPO = Path(__file__).parent.parent.parent
SAMPLE = ("posts", "brand", "media", "channels.toml")
SMTP_LOGIN = ("lettre", "pw-sample-41c8")

# The calendar walk: each time has due variants on channels the earlier ones did not reach, so
# that all 13 channels publish (times in UTC; see `cmbuild plan` on the sample).
FIRST = "2026-12-01T12:00:00Z"  # the session's announcement on eight channels
EVENING = "2026-12-01T18:00:00Z"  # the director's LinkedIn, Instagram
NEXT_MORNING = "2026-12-02T08:00:00Z"  # the English blog, the newsletter
HALTED_AT = "2026-12-03T09:00:00Z"  # the meetup's partner post (halted), LinkedIn in English
PINS_AT = "2026-12-04T19:30:00Z"  # Pinterest, the blog's next article
HALTED = "meetup-decembre"
RETRACTED = "session-janvier"
# Platforms with no deletion: Instagram's API has none, an e-mail cannot be recalled.
UNDELETABLE = {"instagram-cmb", "newsletter"}
SITE_EN = "site-en"  # blog-en publishes to a static site folder in the repository


@dataclass
class Peers:
    """Every peer the sample's channels publish to, and the account each one holds."""

    x: FakeX
    pds: BlueskyPeer
    did: str
    bluesky_login: tuple[str, str]  # handle, app password
    mastodon: Any
    graph: FakeGraph
    linkedin: FakeLinkedIn
    pinterest: FakePinterest
    wordpress: WordPress
    smtp: SmtpServer

    def holdings(self, root: Path) -> dict[str, set[str]]:
        """The remote ids each peer holds now, by the channels it serves (`root`: the sample)."""
        wp_posts = self.wordpress.api("GET", "/wp/v2/posts", status="any", context="edit")
        return {
            "x-cmb": set(self.x.posts),
            "bluesky-cmb": {p["uri"] for p in self.pds.posts(self.did)},
            "mastodon-cmb": {str(s["id"]) for s in statuses(self.mastodon)},
            "threads-cmb": set(self.graph.of_kind("threads_media")),
            "instagram-cmb": set(self.graph.of_kind("ig_media")),
            "facebook-cmb": set(self.graph.of_kind("post")),
            "linkedin-*": set(self.linkedin.posts),
            "pinterest-cmb": set(self.pinterest.pins),
            "blog": {str(p["id"]) for p in wp_posts},
            "blog-en": {p.name for p in (root / SITE_EN).glob("*.html")},
            "newsletter": {str(m["Message-ID"]) for m in self.smtp.messages()},
        }


@pytest.fixture
def peers(tmp_path: Path, pds: BlueskyPeer, mastodon: Any, wordpress: WordPress) -> Iterator[Peers]:
    for route, status in (("/wp/v2/posts", "any"), ("/wp/v2/media", "inherit")):
        for item in wordpress.api("GET", route, status=status):
            wordpress.api("DELETE", f"{route}/{item['id']}", force="true")
    handle = f"sample{os.getpid()}"
    did, app_password = pds.create_account(handle)
    with (
        FakeX() as x,
        FakeGraph() as graph,
        FakeLinkedIn(authors=linkedin_authors()) as linkedin,
        FakePinterest() as pinterest,
        SmtpServer(tmp_path / "mail", *SMTP_LOGIN) as smtp,
    ):
        graph.busy_looks = 0  # containers are ready at once: waiting is test_threads' subject
        yield Peers(
            x,
            pds,
            did,
            (f"{handle}.test", app_password),
            mastodon,
            graph,
            linkedin,
            pinterest,
            wordpress,
            smtp,
        )


def linkedin_authors() -> tuple[str, ...]:
    """The sample's LinkedIn authors (a page, its director's profile): one token posts as both."""
    channels = tomllib.loads((REPO / "channels.toml").read_text(encoding="utf-8"))["channels"]
    authors = {c["options"]["author"] for c in channels.values() if c["platform"] == "linkedin"}
    assert linkedin_fake.AUTHOR in authors
    return tuple(sorted(authors))


def toml_value(value: object) -> str:
    """A string or an integer as TOML writes it (a JSON string is a valid TOML basic string)."""
    return str(value) if isinstance(value, int) else json.dumps(value, ensure_ascii=False)


def inline_table(values: dict[str, object]) -> str:
    return "{ " + ", ".join(f"{k} = {toml_value(v)}" for k, v in values.items()) + " }"


def rewrite_channels(
    path: Path, options: dict[str, dict[str, object]], credentials: dict[str, dict[str, str]]
) -> None:
    """Give channels new options (added to their own) or credentials, by editing the text: the
    sample's comments and layout stay, and the result is checked by reading it back."""
    original = tomllib.loads(path.read_text(encoding="utf-8"))
    expected = json.loads(json.dumps(original))
    for name, extra in options.items():
        expected["channels"][name]["options"] = {
            **original["channels"][name].get("options", {}),
            **extra,
        }
    for name, names in credentials.items():
        expected["channels"][name]["credentials"] = names
    lines: list[str] = []
    section = ""
    for line in path.read_text(encoding="utf-8").splitlines():
        header = re.fullmatch(r"\[channels\.([\w-]+)\]", line.strip())
        if line.startswith("["):
            section = header.group(1) if header else ""
        key = line.split("=", 1)[0].strip()
        if key in ("options", "credentials") and section in {**options, **credentials}:
            continue  # written again below the header
        lines.append(line)
        if header and section in {**options, **credentials}:
            for table in ("options", "credentials"):
                if table in expected["channels"][section]:
                    lines.append(f"{table} = {inline_table(expected['channels'][section][table])}")
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    assert tomllib.loads(path.read_text(encoding="utf-8")) == expected


def sample_repository(root: Path, peers: Peers, s3: S3Peer) -> Path:
    """A copy of the sample, its channels pointed at the peers, built."""
    for name in SAMPLE:
        source = REPO / name
        if source.is_dir():
            shutil.copytree(source, root / name)
        else:
            root.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, root / name)
    media = {
        "media_bucket": s3.bucket,
        "media_endpoint": s3.endpoint,
        "media_public_url": s3.public_url,
    }
    linkedin: dict[str, object] = {"api_base": peers.linkedin.url}
    options: dict[str, dict[str, object]] = {
        "x-cmb": {"api_base": peers.x.url},
        "bluesky-cmb": {"service": peers.pds.url},
        "mastodon-cmb": {"instance": peers.mastodon.base_url},
        "threads-cmb": {"api_base": peers.graph.url, **media},
        "linkedin-cmb": linkedin,
        "linkedin-direction": linkedin,
        "linkedin-en": linkedin,
        "facebook-cmb": {"api_base": peers.graph.url},
        "instagram-cmb": {"api_base": peers.graph.url, **media},
        "pinterest-cmb": {"api_base": peers.pinterest.url},
        "blog": {"site": peers.wordpress.url},
        "blog-en": {"site_dir": SITE_EN, "base_url": "https://cm-bordeaux.fr/en/"},
        "newsletter": {
            "smtp_host": "127.0.0.1",
            "smtp_port": peers.smtp.port,
            "smtp_security": "none",
            "from": "CM Bordeaux <lettre@cm-bordeaux.fr>",
            "to": "abonnes@listes.cm-bordeaux.fr",
        },
    }
    credentials: dict[str, dict[str, object]] = {}  # the sample's own credential names serve
    rewrite_channels(root / "channels.toml", options, credentials)
    assert set(options) == set(tomllib.loads((root / "channels.toml").read_text())["channels"])
    build(root, jobs=1)
    return root


def manifest(root: Path) -> dict[str, dict[str, Any]]:
    document = json.loads((root / "output" / "manifest.json").read_text(encoding="utf-8"))
    return {v["id"]: v for v in document["variants"]}


def planned(root: Path, now: str) -> dict[str, list[str]]:
    """What `cmbuild plan` says at `now`: variant ids by outcome (due, missed, halted...)."""
    result = cli(root, "plan", "--now", now, "--json")
    assert result.returncode == 0, result.stderr
    found: dict[str, list[str]] = {}
    for row in json.loads(result.stdout)["variants"]:
        found.setdefault(row["outcome"], []).append(row["variant"])
    return found


def published(root: Path) -> list[str]:
    """The variants the ledger records as published, one entry per `published` line."""
    return [line["variant"] for line in ledger_lines(root) if line["kind"] == "published"]


def live(root: Path, channels: dict[str, str]) -> dict[str, set[str]]:
    """The remote ids the ledger says are online, grouped as `Peers.holdings` groups them."""
    online: dict[str, tuple[str, str]] = {}
    for line in ledger_lines(root):
        if line["kind"] in ("published", "reconciled"):
            online[line["variant"]] = (line["channel"], line["remote_id"])
        elif line["kind"] == "retracted":
            online.pop(line["variant"], None)
    grouped: dict[str, set[str]] = {name: set() for name in set(channels.values())}
    for channel, remote_id in online.values():
        grouped[channels[channel]].add(remote_id)
    return grouped


@dataclass
class Walk:
    """The sample repository and the way to push it, as CI does, at a given time."""

    root: Path
    peers: Peers
    env: dict[str, str]

    @property
    def groups(self) -> dict[str, str]:
        channels = tomllib.loads((self.root / "channels.toml").read_text())["channels"]
        return {c: "linkedin-*" if c.startswith("linkedin") else c for c in channels}

    def push(self, now: str) -> tuple[list[str], str]:
        """Push at `now`; what it published, and its report. Checks it against `plan` first."""
        plan = planned(self.root, now)
        before = published(self.root)
        result = cli(self.root, "push", "--now", now, env=self.env)
        # 1 only when something was missed (stale variants before the walk's first time).
        assert result.returncode == (1 if plan.get("missed") else 0), result.stdout + result.stderr
        new = published(self.root)[len(before) :]
        assert sorted(new) == sorted(plan.get("due", [])), result.stdout
        assert len(set(published(self.root))) == len(published(self.root))  # each one once
        assert self.peers.holdings(self.root) == live(self.root, self.groups), result.stdout
        assert self.peers_refused() == []
        return new, result.stdout

    def peers_refused(self) -> list[str]:
        """Every request a fake refused: a pass means every request was one its platform takes."""
        peers = self.peers
        fakes = (peers.x, peers.graph, peers.linkedin, peers.pinterest)
        return [reason for fake in fakes for reason in fake.rejected]


def credentials(peers: Peers) -> dict[str, str]:
    """The environment a push needs: each channel's variables, set to what its peer accepts."""
    return environ(
        CMB_X_TOKEN=X_TOKEN,
        CMB_BLUESKY_HANDLE=peers.bluesky_login[0],
        CMB_BLUESKY_APP_PASSWORD=peers.bluesky_login[1],
        CMB_MASTODON_TOKEN=MASTODON_TOKEN,
        CMB_THREADS_TOKEN=graph_fake.THREADS_TOKEN,
        CMB_MEDIA_KEY_ID=KEY_ID,
        CMB_MEDIA_SECRET=SECRET,
        CMB_LINKEDIN_TOKEN=linkedin_fake.TOKEN,
        CMB_LINKEDIN_DIRECTION_TOKEN=linkedin_fake.TOKEN,
        CMB_FACEBOOK_PAGE_TOKEN=graph_fake.PAGE_TOKEN,
        CMB_INSTAGRAM_TOKEN=graph_fake.IG_TOKEN,
        CMB_PINTEREST_TOKEN=pinterest_fake.TOKEN,
        CMB_WP_USER=peers.wordpress.user,
        CMB_WP_APP_PASSWORD=peers.wordpress.app_password,
        CMB_SMTP_USER=SMTP_LOGIN[0],
        CMB_SMTP_PASSWORD=SMTP_LOGIN[1],
    )


def test_the_sample_publishes_what_is_due_once_halts_and_retracts(
    tmp_path: Path, peers: Peers, s3: S3Peer
) -> None:
    root = sample_repository(tmp_path / "sample", peers, s3)
    variants = manifest(root)
    walk = Walk(root, peers, credentials(peers))

    first, _ = walk.push(FIRST)
    assert len(first) == 8
    (x_variant,) = [v for v in first if variants[v]["channel"] == "x-cmb"]
    assert [p["text"] for p in peers.x.posts.values()] == [variants[x_variant]["text"]]
    walk.push(EVENING)
    walk.push(NEXT_MORNING)
    again, report = walk.push(NEXT_MORNING)
    assert again == []
    assert planned(root, NEXT_MORNING).get("due") is None

    halt = cli(root, "halt", "--campaign", HALTED, "--reason", "salle indisponible")
    assert halt.returncode == 0, halt.stderr
    held = [
        v["id"]
        for v in variants.values()
        if v["campaign"] == HALTED and "2026-12-03T03:00:00Z" <= v["scheduled"] <= HALTED_AT
    ]
    assert len(held) == 4  # the partner post, on LinkedIn, X, Bluesky and Mastodon
    halted, report = walk.push(HALTED_AT)
    assert [variants[v]["channel"] for v in halted] == ["linkedin-en"]
    for variant in held:
        (row,) = [line for line in report.splitlines() if variant in line]
        assert f"halted (campaign {HALTED})" in row and "salle indisponible" in row, row
    walk.push(PINS_AT)

    everywhere = {variants[v]["channel"] for v in published(root)}
    assert everywhere == set(walk.groups)  # all 13 channels published something

    retract = cli(root, "retract", "--campaign", RETRACTED, env=walk.env)
    assert retract.returncode == 1, retract.stdout + retract.stderr  # what cannot be deleted
    sent = {v for v in published(root) if variants[v]["campaign"] == RETRACTED}
    retracted = {line["variant"] for line in ledger_lines(root) if line["kind"] == "retracted"}
    assert retracted == {v for v in sent if variants[v]["channel"] not in UNDELETABLE}
    for variant in sent - retracted:
        (row,) = [line for line in retract.stdout.splitlines() if variant in line]
        assert "fail" in row, row
    assert peers.holdings(root) == live(root, walk.groups)
    assert walk.peers_refused() == []
