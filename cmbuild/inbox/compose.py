"""An answer to one inbox item, from an approved reply or free text, checked before it is sent.

`compose` fills the approved reply's placeholders (`{first_name}`, `{handle}` and `{name}` come
from the item; the rest from `vars`), refuses an expired reply or a placeholder left unfilled,
and checks the text on the channel like a post (charter, length as the platform counts it). A
private reply goes in a direct message where the platform has them; elsewhere the intent's
approved public reply is sent instead, and a finding says so. Free text is allowed, with a
warning naming the closest approved reply when none covers it.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from typing import Protocol

from cmbuild import platforms
from cmbuild.check.locate import fold
from cmbuild.check.replies import check_text, public_fallback
from cmbuild.layout import REPLIES_FILE
from cmbuild.load.replies import Approved, Wording, placeholders
from cmbuild.model import Channel, Charter, Finding, Severity

COVERED = 0.9  # how close free text must be to an approved reply (difflib ratio) to be its words
_SPACES = re.compile(r"\s+")


class Answerable(Protocol):
    """What compose reads of an inbox item (cmbuild.stores.inbox.InboxItem)."""

    @property
    def id(self) -> str: ...
    @property
    def author_handle(self) -> str: ...
    @property
    def author_name(self) -> str: ...


@dataclass(frozen=True)
class Composed:
    """The answer as it would be sent, and what was found on the way (errors stop the send)."""

    text: str
    private: bool
    approved: Approved | None
    findings: tuple[Finding, ...]

    @property
    def sendable(self) -> bool:
        return not any(finding.severity == "error" for finding in self.findings)

    @property
    def language(self) -> str | None:
        """The approved reply's language; None for free words (the item's is used)."""
        return self.approved.language if self.approved is not None else None


@dataclass(frozen=True)
class _Where:
    file: str
    line: int | None
    channel: str

    def finding(self, rule: str, severity: Severity, message: str, hint: str) -> Finding:
        return Finding(rule, severity, message, self.file, self.line, self.channel, hint)


ITEM_PLACEHOLDERS = ("first_name", "name", "handle")


def item_values(item: Answerable) -> dict[str, str]:
    """The placeholders the item fills: `first_name`, `name`, `handle`, where it has them.

    An item without an author's name or handle leaves those to be given (`--var`, `vars:`):
    "Bonjour ," is never sent."""
    name = item.author_name.strip() or item.author_handle.strip()
    values = {
        "first_name": name.split()[0] if name.split() else "",
        "name": name,
        "handle": item.author_handle.strip(),
    }
    return {key: value for key, value in values.items() if value}


def compose(
    item: Answerable,
    template: str | None,
    text: str | None,
    values: Mapping[str, str],
    wording: Wording,
    channel: Channel,
    *,
    charter: Charter,
    today: date,
    private: bool | None = None,
    where: tuple[str, int | None] = (REPLIES_FILE, None),
) -> Composed:
    """Answer `item` on `channel` with approved reply `template` or free `text`.

    `private` asks for (True) or refuses (False) a direct message; None follows the approved
    reply. `where` is the file and line findings point at (a replies/<id>.md file, say).
    """
    at = _Where(where[0], where[1], channel.name)
    if template is not None:
        return _from_template(item, template, values, wording, channel, charter, today, private, at)
    return _free_text(item, text or "", values, wording, channel, charter, private, at)


def _from_template(
    item: Answerable,
    template: str,
    values: Mapping[str, str],
    wording: Wording,
    channel: Channel,
    charter: Charter,
    today: date,
    private: bool | None,
    at: _Where,
) -> Composed:
    reply = wording.reply(template)
    if reply is None:
        names = [r.name for r in wording.replies]
        close = difflib.get_close_matches(template, names, n=1, cutoff=0.5)
        hint = f"did you mean {close[0]!r}?" if close else _known(names)
        error = at.finding(
            "reply.unknown-template",
            "error",
            f"no approved reply named {template!r} in {wording.source}",
            hint,
        )
        return Composed("", bool(private), None, (error,))
    findings: list[Finding] = []
    if reply.channel is not None and reply.channel != channel.name:
        findings.append(
            at.finding(
                "reply.other-channel",
                "error",
                f"approved reply {reply.name!r} is written for {reply.channel}, not {channel.name}",
                "choose a reply written for this channel or for every channel",
            )
        )
    wanted = reply.private if private is None else private
    reply, wanted = _where_private_goes(reply, wanted, wording, channel, at, findings)
    if reply.expired(today):
        findings.append(
            at.finding(
                "reply.expired",
                "error",
                f"approved reply {reply.name!r} expired on {reply.valid_until}",
                "choose another reply, or have this one approved again (valid_until)",
            )
        )
    filled = _fill(reply.text, {**item_values(item), **values}, reply.name, at, findings)
    _unused(values, reply.placeholders, f"approved reply {reply.name!r}", at, findings)
    filled = addressed(item, filled, channel, wanted)
    findings.extend(check_text(filled, channel, charter, (at.file, at.line), wanted))
    return Composed(filled, wanted, reply, tuple(findings))


def _where_private_goes(
    reply: Approved,
    wanted: bool,
    wording: Wording,
    channel: Channel,
    at: _Where,
    findings: list[Finding],
) -> tuple[Approved, bool]:
    """The reply to send and whether privately: a public fallback where there is no DM."""
    platform = platforms.get(channel.platform)
    if not wanted or platform.direct_messages:
        return reply, wanted
    fallback = public_fallback(wording, reply, channel.name) if reply.private else reply
    if fallback is None:
        findings.append(
            at.finding(
                "reply.no-direct-message",
                "error",
                f"{platform.label} has no direct messages for {channel.name}, and intent "
                f"{reply.intent!r} has no approved public reply in {reply.language!r}",
                f"add a public reply for {reply.intent!r} to {wording.source}, or answer "
                "another way",
            )
        )
        return reply, False
    findings.append(
        at.finding(
            "reply.public-fallback",
            "warning",
            f"{platform.label} has no direct messages for {channel.name}: "
            + (
                f"the approved public reply {fallback.name!r} is sent instead of {reply.name!r}"
                if fallback.name != reply.name
                else f"the approved reply {reply.name!r} is sent in public"
            ),
            "nothing to do if that reply is right here; otherwise answer another way",
        )
    )
    return fallback, False


def _fill(
    text: str, values: Mapping[str, str], name: str, at: _Where, findings: list[Finding]
) -> str:
    missing = [key for key in placeholders(text) if key not in values]
    for key in missing:
        why = "the item names no author" if key in ITEM_PLACEHOLDERS else "it is never given"
        findings.append(
            at.finding(
                "reply.placeholder-missing",
                "error",
                f"approved reply {name!r} uses {{{key}}}, and {why}",
                f"give it: `vars: {{{key}: ...}}` in the reply file, or --var {key}=...",
            )
        )
    filled = {key: values.get(key, "{" + key + "}") for key in placeholders(text)}
    return text.format_map(filled)


def _free_text(
    item: Answerable,
    text: str,
    values: Mapping[str, str],
    wording: Wording,
    channel: Channel,
    charter: Charter,
    private: bool | None,
    at: _Where,
) -> Composed:
    findings: list[Finding] = []
    if not text.strip():
        findings.append(
            at.finding(
                "reply.empty",
                "error",
                "the answer has no text",
                "give `template:` (an approved reply) or `text:`",
            )
        )
        return Composed("", bool(private), None, tuple(findings))
    wanted = bool(private)
    if wanted and not platforms.get(channel.platform).direct_messages:
        findings.append(
            at.finding(
                "reply.no-direct-message",
                "error",
                f"{platforms.get(channel.platform).label} has no direct messages for "
                f"{channel.name}",
                "answer in public (private: false), or from an approved reply with a public one",
            )
        )
    _unused(values, (), "free words (sent as written)", at, findings)
    covering, ratio = closest(text, {**item_values(item), **values}, wording)
    if covering is None or ratio < COVERED:
        shown = f"; the closest is {covering.name!r} ({covering.text!r})" if covering else ""
        findings.append(
            at.finding(
                "reply.not-approved",
                "warning",
                f"this text is not one of the approved replies{shown}",
                "use `template:` with an approved reply, or have this wording approved",
            )
        )
    text = addressed(item, text, channel, wanted)
    findings.extend(check_text(text, channel, charter, (at.file, at.line), wanted))
    return Composed(text, wanted, covering if ratio >= COVERED else None, tuple(findings))


def _unused(
    values: Mapping[str, str],
    used: tuple[str, ...],
    what: str,
    at: _Where,
    findings: list[Finding],
) -> None:
    """A value given for the answer that it does not contain is said, never dropped silently."""
    unused = [f"{key}={value}" for key, value in values.items() if key not in used]
    if unused:
        findings.append(
            at.finding(
                "reply.var-unused",
                "warning",
                f"{what} does not use {', '.join(unused)}: not in the answer",
                "check the name of the value, or choose the approved reply that says it",
            )
        )


def addressed(item: Answerable, text: str, channel: Channel, private: bool) -> str:
    """`text` as the channel's reply sender sends it to the item's author (a mention added
    where the platform needs one to reach them: `ReplySender.address`)."""
    sender = platforms.reply_sender_class(channel)
    return sender.address(item.author_handle, text, private) if sender is not None else text


def closest(
    text: str, values: Mapping[str, str], wording: Wording
) -> tuple[Approved | None, float]:
    """The approved reply nearest to free `text` (its placeholders filled), and how near (0-1)."""
    wanted = _normal(text)
    best: tuple[Approved | None, float] = (None, 0.0)
    for reply in wording.replies:
        filled = {key: values.get(key, "") for key in reply.placeholders}
        ratio = difflib.SequenceMatcher(
            None, wanted, _normal(reply.text.format_map(filled))
        ).ratio()
        if ratio > best[1]:
            best = (reply, ratio)
    return best


def _normal(text: str) -> str:
    return _SPACES.sub(" ", fold(text)).strip()


def _known(names: list[str]) -> str:
    return f"approved replies: {', '.join(sorted(names))}" if names else "add it to the file"
