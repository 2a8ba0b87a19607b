"""The approved replies of brand/replies.toml, checked like posts on every channel they may go to.

A reply is checked by the charter (banned wording, required texts, hashtag and emoji caps) and
by the platform (its length as the platform counts it, its hashtag cap) on each channel it can
be used on: its own `channel`, else every channel that writes in its language (or names none).
A private reply goes only where the platform has direct messages; elsewhere the intent's public
reply answers, so it must exist. Placeholders are counted as written (`{first_name}`: 12).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import replace
from datetime import date

from cmbuild import platforms
from cmbuild.check.charter import DEFAULT_SEVERITY, banned_in
from cmbuild.check.locate import fold, search_folded
from cmbuild.layout import REPLIES_FILE
from cmbuild.load.replies import Approved, Wording
from cmbuild.model import Channel, Charter, Finding, Severity
from cmbuild.platforms.checks import check_hashtags, check_length
from cmbuild.text.entities import emoji_count, hashtags


def check_text(
    text: str,
    channel: Channel,
    charter: Charter,
    where: tuple[str, int | None],
    private: bool = False,
) -> list[Finding]:
    """The charter's and the platform's findings on one reply `text` for `channel`.

    A `private` answer (a direct message) is not asked for the charter's required texts: they
    are there for the public (a hashtag, a disclosure of the brand's posts).
    """
    file, line = where

    def finding(rule: str, severity: Severity, message: str, hint: str | None) -> Finding:
        return Finding(rule, severity, message, file, line, channel.name, hint)

    found = [
        finding(rule, charter.severity(rule, DEFAULT_SEVERITY[rule]), message, hint)
        for rule, message, hint in _charter_problems(text, channel, charter, private)
    ]
    platform = platforms.get(channel.platform)
    # The text's rules only: an answer carries no image and none of a post's extra fields.
    problems = [
        *check_length(platform.count(text)),
        *check_hashtags(platform.label, platform.hashtag_limit, text),
    ]
    for problem in problems:
        hint = problem.hint
        if problem.rule == "platform.length":  # a post's hint names its `text:` override
            hint = (
                f"shorten it, or approve a shorter [[reply]] with channel = "
                f'"{channel.name}" in {REPLIES_FILE}'
            )
        found.append(finding(problem.rule, problem.severity, problem.message, hint))
    return found


def _charter_problems(
    text: str, channel: Channel, charter: Charter, private: bool
) -> Iterator[tuple[str, str, str]]:
    for expression, written in banned_in(charter, text):
        reason = f" ({expression.reason})" if expression.reason else ""
        hint = (
            f'write "{expression.suggest}" instead of "{written}"'
            if expression.suggest
            else f'rephrase without "{written}"'
        )
        yield "charter.banned-wording", f'banned wording "{written}"{reason}', hint
    tags = ["#" + tag.lstrip("#＃") for tag in hashtags(text)]
    for required in () if private else charter.required:
        # A reply belongs to no campaign: texts required of a campaign's posts do not apply.
        if required.campaigns or not _applies(required.platforms, channel.platform):
            continue
        if not _applies(required.channels, channel.name) or _contains(text, tags, required.text):
            continue
        yield (
            "charter.required-text",
            f'missing "{required.text}", which the charter requires on {channel.name}',
            f'add "{required.text}" to the reply',
        )
    if charter.hashtag_max is not None and len(tags) > charter.hashtag_max:
        yield (
            "charter.hashtag-cap",
            f"{len(tags)} hashtags; the charter allows {charter.hashtag_max}",
            f"remove {len(tags) - charter.hashtag_max}",
        )
    emoji = emoji_count(text)
    if charter.emoji_max is not None and emoji > charter.emoji_max:
        yield (
            "charter.emoji-cap",
            f"{emoji} emoji; the charter allows {charter.emoji_max}",
            f"remove {emoji - charter.emoji_max} emoji",
        )


def _applies(names: tuple[str, ...], value: str) -> bool:
    return not names or value in names


def _contains(text: str, tags: list[str], wanted: str) -> bool:
    if wanted.startswith(("#", "＃")):
        tag = wanted.lstrip("#＃").casefold()
        return any(found[1:].casefold() == tag for found in tags)
    return search_folded(fold(text), wanted) is not None


def usable_on(reply: Approved, channels: Iterable[Channel]) -> list[Channel]:
    """The channels `reply` may answer on: its own, else those writing in its language."""
    if reply.channel is not None:
        return [c for c in channels if c.name == reply.channel]
    return [c for c in channels if c.lang is None or same_language(c.lang, reply.language)]


def same_language(code: str, language: str) -> bool:
    """Whether a channel's or an item's language code ("fr-FR") is `language` ("fr")."""
    return code.replace("_", "-").split("-")[0].lower() == language.lower()


def check_wording(
    wording: Wording, channels: Iterable[Channel], charter: Charter, today: date | None = None
) -> list[Finding]:
    """Every finding on the approved replies, on every channel each may be sent on.

    With `today`, a reply past its `valid_until` is a warning too (the build, whose output
    depends on its inputs only, does not ask; sending refuses an expired reply).
    """
    channels = list(channels)
    found: list[Finding] = list(_untriggered(wording))
    for reply in wording.replies:
        where = (wording.source, reply.line)
        if today is not None and reply.expired(today):
            found.append(
                Finding(
                    "replies.expired",
                    "warning",
                    f"approved reply {reply.name!r} expired on {reply.valid_until}: "
                    "it can no longer be sent",
                    wording.source,
                    reply.line,
                    hint="have it approved again and move valid_until, or remove it",
                )
            )
        for channel in usable_on(reply, channels):
            if reply.private and not platforms.get(channel.platform).direct_messages:
                found.extend(_fallback_missing(wording, reply, channel))
                continue
            found.extend(
                replace(problem, message=f"reply {reply.name!r}: {problem.message}")
                for problem in check_text(reply.text, channel, charter, where, reply.private)
            )
    return sorted(set(found), key=Finding.sort_key)


def _untriggered(wording: Wording) -> Iterator[Finding]:
    """An intent no item can ever be classified as: no trigger, or a language's list empty."""
    for intent in wording.intents:
        empty = sorted(lang for lang, terms in intent.triggers.items() if not terms)
        if not any(intent.triggers.values()):
            message = (
                f"intent {intent.name!r} has no trigger terms: no item is ever classified as it"
            )
            hint = f'add terms, like `triggers.fr = ["..."]` under [intents.{intent.name}]'
        elif empty:
            keys = ", ".join(f"intents.{intent.name}.triggers.{lang}" for lang in empty)
            message = f"{keys}: empty list, so no item in that language is classified by it"
            hint = "add the terms people use in that language, or remove the empty list"
        else:
            continue
        yield Finding(
            "replies.no-triggers", "warning", message, wording.source, intent.line, None, hint
        )


def _fallback_missing(wording: Wording, reply: Approved, channel: Channel) -> list[Finding]:
    if public_fallback(wording, reply, channel.name) is not None:
        return []
    return [
        Finding(
            "replies.no-public-fallback",
            "warning",
            f"private reply {reply.name!r} cannot go in a direct message on {channel.name} "
            f"({platforms.get(channel.platform).label} has none here), and intent "
            f"{reply.intent!r} has no public reply in {reply.language!r} to send instead",
            REPLIES_FILE,
            reply.line,
            channel.name,
            'add a [[reply]] with private = false (a "write to us at..." reply) for this intent '
            "and language",
        )
    ]


def public_fallback(wording: Wording, reply: Approved, channel: str) -> Approved | None:
    """The public reply of the same intent and language: the channel's own first."""
    intent = wording.intent(reply.intent)
    candidates = [
        other
        for other in (intent.replies if intent else ())
        if not other.private
        and other.language == reply.language
        and other.channel in (None, channel)
    ]
    candidates.sort(key=lambda other: other.channel is None)
    return candidates[0] if candidates else None
