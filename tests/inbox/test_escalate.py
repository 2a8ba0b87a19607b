"""Complaint and crisis items alert their escalate_to once, through Apprise, to a real receiver."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from dataclasses import replace
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import ClassVar

import pytest

from cmbuild.errors import InputError
from cmbuild.inbox.escalate import escalate
from cmbuild.inbox.listing import list_inbox
from cmbuild.load.replies import load_replies
from cmbuild.notify import send
from tests.inbox.test_compose import ITEM, REPLIES, TODAY, channel


class _Receiver(BaseHTTPRequestHandler):
    received: ClassVar[list[dict[str, str]]] = []
    status = 200

    def do_POST(self) -> None:
        length = int(self.headers["Content-Length"])
        type(self).received.append(json.loads(self.rfile.read(length)))
        self.send_response(type(self).status)
        self.end_headers()

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture
def receiver() -> Iterator[tuple[str, type[_Receiver]]]:
    handler = type("Receiver", (_Receiver,), {"received": [], "status": 200})
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"json://127.0.0.1:{server.server_address[1]}/alerts", handler
    server.shutdown()


def test_a_complaint_alerts_once_and_a_target_down_is_retried(
    tmp_path: Path, receiver: tuple[str, type[_Receiver]]
) -> None:
    url, handler = receiver
    (tmp_path / "brand").mkdir()
    escalating = REPLIES.replace(
        'triggers.fr = ["remboursement"]',
        'triggers.fr = ["remboursement"]\nescalate_to = ["SUPPORT_URL", "UNSET_URL"]',
    )
    (tmp_path / "brand" / "replies.toml").write_text(escalating, encoding="utf-8")
    wording = load_replies(tmp_path)
    other = replace(ITEM, id="bluesky-cmb:2", text="Bonjour")
    rows = list_inbox(
        [ITEM, other], {}, wording, {"bluesky-cmb": channel("bluesky-cmb", "bluesky")}, TODAY
    )
    alerts = tmp_path / "state" / "inbox-alerts.jsonl"
    alerts.parent.mkdir()
    handler.status = 500
    down = escalate(rows, {"SUPPORT_URL": url}, alerts, send)
    assert down.alerted == () and down.unset == ("UNSET_URL",)
    assert down.failures and "alert URL 1 (json://): did not take the alert" in down.failures[0]
    assert "127.0.0.1" not in down.failures[0]  # a target is named by place and scheme only
    handler.status = 200
    first = escalate(rows, {"SUPPORT_URL": url}, alerts, send)
    assert first.alerted == (ITEM.id,) and first.failures == ()
    assert "remboursement" in handler.received[-1]["message"]
    assert "[complaint]" in handler.received[-1]["title"]
    count = len(handler.received)
    again = escalate(rows, {"SUPPORT_URL": url}, alerts, send)
    assert again.alerted == () and len(handler.received) == count


def test_the_alerts_file_torn_or_damaged_is_set_aside_or_named_never_a_traceback(
    tmp_path: Path, receiver: tuple[str, type[_Receiver]]
) -> None:
    url, handler = receiver
    (tmp_path / "brand").mkdir()
    escalating = REPLIES.replace(
        'triggers.fr = ["remboursement"]',
        'triggers.fr = ["remboursement"]\nescalate_to = ["SUPPORT_URL"]',
    )
    (tmp_path / "brand" / "replies.toml").write_text(escalating, encoding="utf-8")
    wording = load_replies(tmp_path)
    channels = {"bluesky-cmb": channel("bluesky-cmb", "bluesky")}
    second = replace(ITEM, id="bluesky-cmb:2")
    rows = list_inbox([ITEM, second], {}, wording, channels, TODAY)
    alerts = tmp_path / "state" / "inbox-alerts.jsonl"
    alerts.parent.mkdir()
    alerts.write_bytes(json.dumps({"item": ITEM.id}).encode() + b'\n{"item": "bluesky-c')  # torn
    done = escalate(rows, {"SUPPORT_URL": url}, alerts, send)
    assert done.alerted == (second.id,) and len(handler.received) == 1
    assert [json.loads(line)["item"] for line in alerts.read_text().splitlines()] == [
        ITEM.id,
        second.id,
    ]
    assert (tmp_path / "state" / "inbox-alerts.jsonl.torn").read_bytes() == b'{"item": "bluesky-c\n'
    alerts.write_text('{"item": "a"}\nnot json\n', encoding="utf-8")
    with pytest.raises(InputError) as caught:
        escalate(rows, {"SUPPORT_URL": url}, alerts, send)
    assert (caught.value.file, caught.value.line) == ("state/inbox-alerts.jsonl", 2)
    assert len(handler.received) == 1
