"""A Bluesky chat service on 127.0.0.1, for the real PDS to forward `chat.bsky.*` to.

Bluesky's chat service is not open source, so this one plays it, from the lexicons: it is the
service `did:web:localhost%3A<port>` (its DID document at /.well-known/did.json names its
`#bsky_chat` endpoint), which a dev-mode PDS resolves over http when a client's
`atproto-proxy` header names it. Every call must carry the PDS's service token: a JWT signed
with the caller's own key (checked against the caller's DID document in the PLC directory),
for this service (`aud`) and this method (`lxm`). Every request is validated against the
chat.bsky.convo lexicons (the `atproto` package's generated models, no field they do not know,
string formats checked, and messageInput's `maxLength: 10000, maxGraphemes: 1000` from the
PDS's own lexicons/chat/bsky/convo/defs), and so is every response before it is sent.

Who may write to whom follows the recipient's `chat.bsky.actor.declaration` record, read from
their PDS as the real service reads it: `all`, `none`, or `following` (the default without a
record: only accounts they follow, read from their `app.bsky.graph.follow` records). A refusal
is a 400 `InvalidRequest`, in the words Bluesky's service uses.

`faults[nsid]` scripts what the next calls of a method meet: `("status", code, headers)`
answers instead, `("drop",)` carries the call out and closes the connection unanswered.
"""

from __future__ import annotations

import itertools
import json
import threading
from dataclasses import dataclass, field
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler
from typing import Any
from urllib.parse import parse_qs, urlsplit

import httpx
from atproto import models
from atproto_identity.resolver import IdResolver
from atproto_server.auth.jwt import verify_jwt

from cmbuild.text.counting import graphemes
from tests.push.fake_http import LocalServer, drop, read_body, send_json

STRICT = {"strict_string_format": True}
_QUERIES = {
    "chat.bsky.convo.listConvos": models.ChatBskyConvoListConvos,
    "chat.bsky.convo.getMessages": models.ChatBskyConvoGetMessages,
    "chat.bsky.convo.getConvoForMembers": models.ChatBskyConvoGetConvoForMembers,
}
_PROCEDURES = {"chat.bsky.convo.sendMessage": models.ChatBskyConvoSendMessage}
_LIST_PARAMS = {"members"}  # query parameters the lexicons type as arrays
_INT_PARAMS = {"limit"}  # and as integers


class Refused(Exception):
    """An error answer; `lexicon`: the request broke the lexicon (a defect of the caller)."""

    def __init__(self, status: int, error: str, message: str, lexicon: bool = False) -> None:
        super().__init__(message)
        self.status, self.body, self.lexicon = status, {"error": error, "message": message}, lexicon


@dataclass
class Convo:
    id: str
    members: list[str]
    messages: list[dict[str, Any]] = field(default_factory=list)  # oldest first


class ChatService(LocalServer):
    """The chat service; `convos` and `calls` are what it holds and what it was asked."""

    def __init__(self, plc_url: str, pds_url: str) -> None:
        super().__init__()
        self.port = self.httpd.server_address[1]
        self.did = f"did:web:localhost%3A{self.port}"
        self.pds_url = pds_url
        self.ids = IdResolver(plc_url=plc_url, timeout=10)
        self.convos: dict[str, Convo] = {}
        self.calls: list[str] = []
        self.rejected: list[str] = []
        self.faults: dict[str, list[tuple[Any, ...]]] = {}
        self._lock = threading.Lock()
        self._ids = itertools.count(1)

    def messages_from(self, did: str) -> list[str]:
        """The text of every message `did` sent, oldest first."""
        return [
            m["text"]
            for convo in self.convos.values()
            for m in convo.messages
            if m["sender"]["did"] == did
        ]

    def write(self, sender: str, recipient: str, text: str) -> str:
        """`sender` writes to `recipient` (as the app would): the conversation's id."""
        with self._lock:
            convo = self._convo_for([sender, recipient])
            self._append(convo, sender, text)
            return convo.id

    def handle(self, handler: BaseHTTPRequestHandler) -> None:
        url = urlsplit(handler.path)
        if url.path == "/.well-known/did.json":
            send_json(handler, 200, self._did_document())
            return
        nsid = url.path.removeprefix("/xrpc/")
        self.calls.append(nsid)
        try:
            caller = self._authenticate(handler, nsid)
            pending = self.faults.get(nsid) or []
            fault = pending.pop(0) if pending else None
            if fault is not None and fault[0] == "status":
                send_json(handler, fault[1], {"error": "Injected", "message": "fault"}, fault[2])
                return
            with self._lock:
                answer = self._carry_out(nsid, caller, url.query, read_body(handler))
            if fault is not None:  # ("drop",): done, but the caller never hears of it
                drop(handler)
                return
            send_json(handler, 200, answer)
        except Refused as refused:
            if refused.lexicon or refused.status == 401:
                self.rejected.append(f"{nsid}: {refused.body['message']}")
            send_json(handler, refused.status, refused.body)

    def _did_document(self) -> dict[str, Any]:
        return {
            "@context": ["https://www.w3.org/ns/did/v1"],
            "id": self.did,
            "service": [
                {
                    "id": "#bsky_chat",
                    "type": "BskyChatService",
                    "serviceEndpoint": f"http://127.0.0.1:{self.port}",
                }
            ],
        }

    def _authenticate(self, handler: BaseHTTPRequestHandler, nsid: str) -> str:
        token = (handler.headers.get("Authorization") or "").removeprefix("Bearer ")
        if not token:
            raise Refused(401, "AuthMissing", "Authentication Required")
        try:
            payload = verify_jwt(token, self.ids.did.resolve_atproto_key, own_did=self.did)
        except Exception as error:
            raise Refused(401, "BadJwt", f"jwt verification failed: {error}") from None
        if payload.lxm != nsid:
            raise Refused(401, "BadJwtLexiconMethod", f"bad lxm {payload.lxm!r} for {nsid}")
        return str(payload.iss)

    def _carry_out(self, nsid: str, caller: str, query: str, body: bytes) -> Any:
        if nsid in _QUERIES:
            raw = parse_qs(query, keep_blank_values=True)
            params: dict[str, Any] = {k: v if k in _LIST_PARAMS else v[-1] for k, v in raw.items()}
            for key in _INT_PARAMS & params.keys():
                try:
                    params[key] = int(params[key])
                except ValueError:
                    raise Refused(400, "InvalidRequest", f"{key} is not an integer", True) from None
            model = _QUERIES[nsid]
            checked = _valid(model.Params, params, nsid)
            answer = getattr(self, nsid.rsplit(".", 1)[-1])(caller, checked)
        elif nsid in _PROCEDURES:
            model = _PROCEDURES[nsid]
            try:
                data = json.loads(body)
            except ValueError:
                raise Refused(400, "InvalidRequest", "the body is not JSON") from None
            answer = self.sendMessage(caller, _valid(model.Data, data, nsid))
        else:
            raise Refused(501, "MethodNotImplemented", f"{nsid} is not served here")
        # sendMessage's output is a chat.bsky.convo.defs#messageView, not a model of its own.
        output = getattr(model, "Response", models.ChatBskyConvoDefs.MessageView)
        return _valid(output, answer, nsid + " (answer)").model_dump(
            by_alias=True, exclude_none=True, mode="json"
        )

    def listConvos(self, caller: str, params: Any) -> dict[str, Any]:
        mine = [c for c in self.convos.values() if caller in c.members and c.messages]
        mine.sort(key=lambda c: c.messages[-1]["rev"], reverse=True)
        start = int(params.cursor or 0)
        page = mine[start : start + (params.limit or 50)]
        cursor = str(start + len(page)) if start + len(page) < len(mine) else None
        return {"convos": [self._view(c) for c in page], "cursor": cursor}

    def getMessages(self, caller: str, params: Any) -> dict[str, Any]:
        convo = self._member_of(caller, params.convo_id)
        newest = list(reversed(convo.messages))
        start = int(params.cursor or 0)
        page = newest[start : start + (params.limit or 50)]
        cursor = str(start + len(page)) if start + len(page) < len(newest) else None
        return {"messages": page, "cursor": cursor}

    def getConvoForMembers(self, caller: str, params: Any) -> dict[str, Any]:
        members = sorted({caller, *params.members})
        for other in members:
            if other != caller:
                self._may_write(caller, other)
        return {"convo": self._view(self._convo_for(members))}

    def sendMessage(self, caller: str, data: Any) -> dict[str, Any]:
        convo = self._member_of(caller, data.convo_id)
        text = data.message.text
        if len(text.encode()) > 10000 or graphemes(text) > 1000:
            raise Refused(400, "InvalidRequest", "message text is too long")
        started = {m["sender"]["did"] for m in convo.messages}
        for other in convo.members:
            if other != caller and other not in started:  # who wrote first has accepted
                self._may_write(caller, other)
        return self._append(convo, caller, text, data.message.facets)

    def _may_write(self, sender: str, recipient: str) -> None:
        setting = self._allow_incoming(recipient)
        if setting == "none":
            raise Refused(400, "InvalidRequest", "recipient has disabled incoming messages")
        if setting == "following" and sender not in self._follows(recipient):
            raise Refused(
                400,
                "InvalidRequest",
                "recipient requires incoming messages to come from someone they follow",
            )

    def _allow_incoming(self, did: str) -> str:
        answer = httpx.get(
            f"{self.pds_url}/xrpc/com.atproto.repo.getRecord",
            params={"repo": did, "collection": "chat.bsky.actor.declaration", "rkey": "self"},
            timeout=10,
        )
        if answer.status_code == 400 and "RecordNotFound" in answer.text:
            return "following"  # Bluesky's default for an account that never chose
        answer.raise_for_status()
        return str(answer.json()["value"]["allowIncoming"])

    def _follows(self, did: str) -> set[str]:
        answer = httpx.get(
            f"{self.pds_url}/xrpc/com.atproto.repo.listRecords",
            params={"repo": did, "collection": "app.bsky.graph.follow", "limit": "100"},
            timeout=10,
        )
        answer.raise_for_status()
        return {str(r["value"]["subject"]) for r in answer.json()["records"]}

    def _member_of(self, caller: str, convo_id: str) -> Convo:
        convo = self.convos.get(convo_id)
        if convo is None or caller not in convo.members:
            raise Refused(400, "InvalidRequest", "Convo not found")
        return convo

    def _convo_for(self, members: list[str]) -> Convo:
        members = sorted(set(members))
        for convo in self.convos.values():
            if convo.members == members:
                return convo
        convo = Convo(f"convo{next(self._ids)}", members)
        self.convos[convo.id] = convo
        return convo

    def _append(self, convo: Convo, sender: str, text: str, facets: Any = None) -> dict[str, Any]:
        rev = f"{next(self._ids):013d}"
        now = datetime.now(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")
        message: dict[str, Any] = {
            "$type": "chat.bsky.convo.defs#messageView",
            "id": f"msg{rev}",
            "rev": rev,
            "sender": {"did": sender},
            "text": text,
            "sentAt": now,
        }
        if facets:
            message["facets"] = [f.model_dump(by_alias=True, exclude_none=True) for f in facets]
        convo.messages.append(message)
        return message

    def _view(self, convo: Convo) -> dict[str, Any]:
        view: dict[str, Any] = {
            "id": convo.id,
            "rev": convo.messages[-1]["rev"] if convo.messages else "0",
            "members": [self._member(did) for did in convo.members],
            "muted": False,
            "unreadCount": 0,
        }
        if convo.messages:
            view["lastMessage"] = convo.messages[-1]
        return view

    def _member(self, did: str) -> dict[str, Any]:
        data = self.ids.did.resolve_atproto_data(did)
        return {"did": did, "handle": data.handle}


def _valid(model: Any, data: Any, what: str) -> Any:
    """`data` as `model`, refused (400) where the lexicon does not allow it."""
    try:
        checked = model.model_validate(data, context=STRICT)
    except Exception as error:
        raise Refused(400, "InvalidRequest", f"{what}: {error}", lexicon=True) from None
    extra = _extra(checked)
    if extra:
        raise Refused(
            400, "InvalidRequest", f"{what}: fields the lexicon has not: {extra}", lexicon=True
        )
    return checked


def _extra(model: Any, path: str = "") -> list[str]:
    """Fields of `model` (and the models within) that their lexicon does not define."""
    found = [f"{path}{key}" for key in (getattr(model, "model_extra", None) or {})]
    for name in type(model).model_fields if hasattr(type(model), "model_fields") else ():
        value = getattr(model, name)
        values = value if isinstance(value, list) else [value]
        for inner in values:
            if hasattr(type(inner), "model_fields"):
                found += _extra(inner, f"{path}{name}.")
    return found
