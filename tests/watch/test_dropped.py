"""The inbox source and its receiver: Apprise (the real library) notifies `cmbuild
watch-receive` through a `json://` URL, the receiver writes one file per notification, the inbox
hears each once; bad files are named and set aside."""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import subprocess
import sys
import threading
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import apprise
import pytest

from cmbuild.watch.dropped import listen
from cmbuild.watch.receiver import Receiver, ReceiverSettings
from cmbuild.watch.sources import InboxSource, ListenContext, ListenError
from tests.push.fake_http import call

NOW = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)
REPOSITORY = Path(__file__).resolve().parents[2]


def source() -> InboxSource:
    return InboxSource(name="changes", kind="inbox", folder="state/watch/inbox")


def context(root: Path, max_bytes: int = 100_000) -> ListenContext:
    return ListenContext(env={}, timeout=5.0, max_bytes=max_bytes, now=NOW, root=root)


@contextlib.contextmanager
def serving(settings: ReceiverSettings) -> Iterator[Receiver]:
    """The receiver, serving in a thread until the block ends."""
    server = Receiver(settings)
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05})
    thread.start()
    try:
        yield server
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)


@pytest.fixture
def receiver(tmp_path: Path) -> Iterator[Receiver]:
    with serving(ReceiverSettings(tmp_path / "state/watch/inbox", token="s3cret-token")) as server:
        yield server


def notify(url: str, title: str, body: str) -> bool:
    sender = apprise.Apprise()
    assert sender.add(url)
    return bool(sender.notify(title=title, body=body))


def test_an_apprise_notification_becomes_one_item_heard_once(
    tmp_path: Path, receiver: Receiver
) -> None:
    address = receiver.url.removeprefix("http://")
    url = f"json://{address}/?+X-Cmbuild-Token=s3cret-token"
    assert notify(url, "Page changed: cm-bordeaux.fr/tarifs", "Grève : ateliers annulés")
    (stored,) = (tmp_path / "state/watch/inbox").glob("*.json")
    assert json.loads(stored.read_text())["version"] == "1.0"

    heard = listen(source(), {}, context(tmp_path))
    (item,) = heard.items
    assert (item.title, item.text) == (
        "Page changed: cm-bordeaux.fr/tarifs",
        "Grève : ateliers annulés",
    )
    assert item.uri.startswith("inbox:") and item.url is None
    digest = hashlib.sha256(stored.read_bytes()).hexdigest()
    assert heard.cursor == {"consumed": f"{stored.name}\t{digest}"}

    again = listen(source(), heard.cursor, context(tmp_path))
    assert again.items == () and again.cursor == {}
    assert (tmp_path / "state/watch/inbox/done" / stored.name).is_file()
    assert not stored.exists()


def test_the_receiver_refuses_a_wrong_token_a_bad_body_and_an_oversized_one(
    tmp_path: Path, receiver: Receiver
) -> None:
    import urllib.request

    address = receiver.url.removeprefix("http://")
    assert not notify(f"json://{address}/?+X-Cmbuild-Token=wrong", "t", "b")
    headers = {"Content-Type": "application/json", "X-Cmbuild-Token": "s3cret-token"}

    def post(body: bytes) -> tuple[int, bytes]:
        return call(urllib.request.Request(receiver.url, data=body, headers=headers))

    assert post(b"not json")[0] == 400
    status, answer = post(b'{"text": "no title"}')
    assert status == 400 and b"title" in answer
    assert post(b'{"title": "x", "padding": "' + b"y" * 1_000_000 + b'"}')[0] == 413
    assert list((tmp_path / "state/watch/inbox").glob("*.json")) == []
    with pytest.raises(ValueError, match="give a token"):
        Receiver(ReceiverSettings(tmp_path / "other", host="0.0.0.0"))


def test_simple_items_and_a_bad_file_named_and_set_aside(tmp_path: Path) -> None:
    inbox = tmp_path / "state/watch/inbox"
    inbox.mkdir(parents=True)
    (inbox / "a.json").write_text(
        json.dumps(
            {
                "title": "Article : la grève continue",
                "url": "https://news.example/greve",
                "published": "2026-12-01T10:00:00+02:00",
            }
        )
    )
    (inbox / "b.json").write_text('{"title": "cut')
    (inbox / "c.json").write_bytes(b"\xef\xbb\xbf" + json.dumps({"title": "BOM ok"}).encode())
    with pytest.raises(ListenError, match=r"b\.json: not JSON") as named:
        listen(source(), {}, context(tmp_path))
    assert "set aside" in str(named.value)
    assert (inbox / "bad/b.json").is_file()
    heard = listen(source(), {}, context(tmp_path))
    first, second = heard.items
    assert (first.uri, first.url) == ("https://news.example/greve", "https://news.example/greve")
    assert first.published == datetime(2026, 12, 1, 8, 0, tzinfo=UTC)
    assert second.title == "BOM ok" and second.uri.startswith("inbox:")


def test_a_name_reused_by_the_watcher_never_overwrites_a_file_set_aside(tmp_path: Path) -> None:
    # A script may write every drop as `latest.json`: each one set aside (bad/ or done/) is kept.
    inbox = tmp_path / "state/watch/inbox"
    inbox.mkdir(parents=True)
    for broken in ('{"title": "first', '{"title": "second'):
        (inbox / "latest.json").write_text(broken)
        with pytest.raises(ListenError, match=r"latest\.json: not JSON"):
            listen(source(), {}, context(tmp_path))
    kept = sorted(p.read_text() for p in (inbox / "bad").iterdir())
    assert kept == ['{"title": "first', '{"title": "second']
    # Rewritten under the same name after a listen read it, it is a new item: heard, not moved.
    cursor: dict[str, str] = {}
    heard = []
    for title in ("one", "two", "three", "two"):
        (inbox / "latest.json").write_text(json.dumps({"title": title}))
        listened = listen(source(), cursor, context(tmp_path))
        heard += [item.title for item in listened.items]
        cursor = dict(listened.cursor)
        if title == "three":  # read, then set aside by the next listen, before the next drop
            assert listen(source(), cursor, context(tmp_path)).items == ()
            cursor = {}
    listen(source(), cursor, context(tmp_path))
    assert heard == ["one", "two", "three", "two"]
    done = sorted(json.loads(p.read_text())["title"] for p in (inbox / "done").iterdir())
    assert done == ["three", "two"]


def test_an_oversized_file_and_a_missing_folder_are_named(tmp_path: Path) -> None:
    with pytest.raises(ListenError, match="does not exist"):
        listen(source(), {}, context(tmp_path))
    inbox = tmp_path / "state/watch/inbox"
    inbox.mkdir(parents=True)
    (inbox / "big.json").write_text(json.dumps({"title": "x", "text": "y" * 200}))
    with pytest.raises(ListenError, match=r"big\.json: over 100 bytes"):
        listen(source(), {}, context(tmp_path, max_bytes=100))


def test_the_watch_receive_command_receives_until_stopped(tmp_path: Path) -> None:
    env = {**os.environ, "PYTHONPATH": str(REPOSITORY), "CMB_INBOX_TOKEN": "tok-123"}
    command = [sys.executable, "-m", "cmbuild", "watch-receive", "-C", str(tmp_path)]
    command += ["--port", "0", "--folder", "inbox", "--token-env", "CMB_INBOX_TOKEN"]
    process = subprocess.Popen(command, env=env, stdout=subprocess.PIPE, text=True)
    try:
        assert process.stdout is not None
        first = process.stdout.readline()  # printed once it listens
        assert first.startswith("receiving on json://127.0.0.1:"), first
        address = first.split("json://", 1)[1].split("/", 1)[0]
        assert notify(f"json://{address}/?+X-Cmbuild-Token=tok-123", "Titre", "Corps")
        assert len(list((tmp_path / "inbox").glob("*.json"))) == 1
    finally:
        process.terminate()
        process.wait(timeout=10)
    assert "tok-123" not in first


def test_cmbuild_watch_hears_each_dropped_file_once(tmp_path: Path) -> None:
    from tests.push.fixtures import cli
    from tests.push.servers import environ
    from tests.push.sites import make_site

    root = make_site(tmp_path / "site", '[defaults]\ntimezone = "UTC"\n', [])
    (root / "brand" / "watch.toml").write_text(
        '[[sources]]\nkind = "inbox"\nname = "pages"\nfolder = "state/watch/inbox"\n'
        'interval = "1m"\n\n[[topics]]\nname = "grève"\nterms = ["grève"]\nseverity = "info"\n',
        encoding="utf-8",
    )
    inbox = root / "state/watch/inbox"
    inbox.mkdir(parents=True)
    note = {"version": "1.0", "title": "Page changed", "message": "Les grèves continuent"}
    (inbox / "1.json").write_text(json.dumps(note), encoding="utf-8")
    first = cli(root, "watch", "--now", "2026-12-01T09:00:00Z", env=environ())
    assert first.returncode == 0, first.stdout + first.stderr
    mentions = (root / "state/watch/mentions.jsonl").read_text(encoding="utf-8").splitlines()
    assert len(mentions) == 1 and "Page changed" in mentions[0]
    again = cli(root, "watch", "--now", "2026-12-01T09:05:00Z", env=environ())
    assert again.returncode == 0, again.stdout + again.stderr
    assert (inbox / "done/1.json").is_file() and not (inbox / "1.json").exists()
    assert len((root / "state/watch/mentions.jsonl").read_text().splitlines()) == 1


def test_a_dry_run_watch_moves_no_dropped_file(tmp_path: Path) -> None:
    from tests.push.fixtures import cli
    from tests.push.servers import environ
    from tests.push.sites import make_site

    root = make_site(tmp_path / "site", '[defaults]\ntimezone = "UTC"\n', [])
    (root / "brand" / "watch.toml").write_text(
        '[[sources]]\nkind = "inbox"\nname = "pages"\nfolder = "state/watch/inbox"\n'
        'interval = "1m"\n\n[[topics]]\nname = "grève"\nterms = ["grève"]\nseverity = "info"\n',
        encoding="utf-8",
    )
    inbox = root / "state/watch/inbox"
    inbox.mkdir(parents=True)
    (inbox / "1.json").write_text(json.dumps({"title": "La grève"}), encoding="utf-8")
    first = cli(root, "watch", "--now", "2026-12-01T09:00:00Z", env=environ())
    assert first.returncode == 0, first.stdout + first.stderr
    (inbox / "2.json").write_text('{"title": "cut', encoding="utf-8")
    dry = cli(root, "watch", "--dry-run", "--now", "2026-12-01T09:05:00Z", env=environ())
    assert "dry run: left in place" in dry.stderr, dry.stdout + dry.stderr
    assert sorted(p.name for p in inbox.iterdir()) == ["1.json", "2.json"]
