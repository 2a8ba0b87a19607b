"""brand/replies.toml: the brand's approved wording ("éléments de langage") for answering people.

One `[intents.NAME]` table per intent (question, complaint, praise, objection, crisis, or the
brand's own) with its trigger terms per language and who to alert (`escalate_to`), then one
`[[reply]]` table per approved reply: the intent it answers, its language, optionally the one
channel it is written for, its text with `{placeholders}`, who approved it and until when, and
whether it is sent in a direct message (`private = true`). The reference is docs/replies.md; the
schema docs/replies.schema.json. Intents are tried in the order of the file, so the first one
whose triggers match an item is its intent: put `crisis` before `question`.
"""

from __future__ import annotations

import re
import string
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from pydantic import BaseModel, ConfigDict, ValidationError

from cmbuild.errors import ErrorCollector, InputError, did_you_mean
from cmbuild.layout import REPLIES_FILE
from cmbuild.load.tomlfile import nearest_line, read_toml
from cmbuild.load.validation import errors_from_validation
from cmbuild.text.terms import stemmer_for, tokens

STANDARD_INTENTS = ("question", "complaint", "praise", "objection", "crisis")
_PLACEHOLDER = re.compile(r"[a-z_][a-z0-9_]*")
_LANGUAGE = re.compile(r"[a-z]{2,3}")
_ENV_NAME = re.compile(r"[A-Z_][A-Z0-9_]*")


@dataclass(frozen=True)
class Approved:
    """One approved reply: wording the brand agreed to answer with."""

    name: str
    language: str  # "fr", "en"
    channel: str | None  # written for this channel only; None: any channel
    text: str
    placeholders: tuple[str, ...]  # the `{names}` in the text, in order of first use
    approved_by: str
    valid_until: date | None  # last day it may be sent; None: no end
    private: bool  # sent in a direct message where the platform has them
    intent: str = ""
    line: int | None = None  # of its [[reply]] header, for findings

    def expired(self, today: date) -> bool:
        return self.valid_until is not None and today > self.valid_until


@dataclass(frozen=True)
class Intent:
    """What a message is about, recognised by its trigger terms, and how the brand answers it."""

    name: str
    triggers: Mapping[str, tuple[str, ...]]  # language -> terms, as written
    replies: tuple[Approved, ...]
    escalate_to: tuple[str, ...]  # environment variables holding the alert URLs (Apprise)
    line: int | None = None
    label: str | None = None  # the intent's name as the team says it ("Réclamation")


@dataclass(frozen=True, eq=False)
class Wording:
    """Every intent of brand/replies.toml, in the order of the file.

    Compared and hashed by identity: the classifier keeps its index of one loaded wording.
    """

    intents: tuple[Intent, ...] = ()
    source: str = REPLIES_FILE
    _by_name: Mapping[str, Approved] = field(default_factory=dict, compare=False, repr=False)

    def __post_init__(self) -> None:
        names = {reply.name: reply for intent in self.intents for reply in intent.replies}
        object.__setattr__(self, "_by_name", names)

    @property
    def replies(self) -> tuple[Approved, ...]:
        return tuple(reply for intent in self.intents for reply in intent.replies)

    def reply(self, name: str) -> Approved | None:
        return self._by_name.get(name)

    def intent(self, name: str) -> Intent | None:
        for intent in self.intents:
            if intent.name == name:
                return intent
        return None


class _IntentModel(BaseModel):
    model_config = ConfigDict(extra="forbid")

    label: str | None = None
    triggers: dict[str, list[str]] = {}
    escalate_to: list[str] = []


class _ReplyModel(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: str
    intent: str
    language: str
    channel: str | None = None
    text: str
    approved_by: str
    valid_until: date | None = None
    private: bool = False


class _RepliesFile(BaseModel):
    model_config = ConfigDict(extra="forbid")

    intents: dict[str, _IntentModel] = {}
    reply: list[_ReplyModel] = []


_HINTS = {
    "valid_until": "write a date without quotes, like `valid_until = 2027-06-30`",
    "private": "write true or false without quotes",
    "triggers": 'write one list per language, like `triggers.fr = ["remboursement", "déçu"]`',
}

LineOf = Callable[[str], int | None]


def placeholders(text: str) -> tuple[str, ...]:
    """The `{names}` of a reply's text in order of first use; ValueError names a malformed one.

    `{{` and `}}` write a brace. Only plain names are placeholders: no positions, formats or
    attributes, since a reply is filled from named values only.
    """
    try:
        parsed = list(string.Formatter().parse(text))
    except ValueError as error:
        raise ValueError(
            f"{error}: a placeholder is written {{name}}, a brace alone {{{{ or }}}}"
        ) from None
    found: list[str] = []
    for _, name, spec, conversion in parsed:
        if name is None:
            continue
        if not _PLACEHOLDER.fullmatch(name) or spec or conversion:
            shown = (
                "{"
                + name
                + (f"!{conversion}" if conversion else "")
                + (f":{spec}" if spec else "")
                + "}"
            )
            raise ValueError(
                f"placeholder {shown} is not a plain name: write it in lower case letters, digits "
                "and _ like {first_name}"
            )
        if name not in found:
            found.append(name)
    return tuple(found)


def load_replies(root: Path, channels: Iterable[str] | None = None) -> Wording:
    """Read brand/replies.toml (an empty Wording when it does not exist).

    With `channels` (the names in channels.toml), a reply's `channel` must be one of them. Every
    problem is an InputError naming the file, line and key; all of them are raised together.
    """
    if not (root / REPLIES_FILE).exists():
        return Wording()
    data, lines = read_toml(root / REPLIES_FILE, REPLIES_FILE)

    def line_of(key: str) -> int | None:
        return nearest_line(lines, key)

    try:
        parsed = _RepliesFile.model_validate(data)
    except ValidationError as exc:
        errors = ErrorCollector()
        errors.extend(
            errors_from_validation(exc, REPLIES_FILE, line_of, hints=_HINTS, model=_RepliesFile)
        )
        errors.raise_if_any()
        raise AssertionError("unreachable") from exc
    errors = ErrorCollector()
    known_channels = None if channels is None else sorted(channels)
    replies: dict[str, list[Approved]] = {name: [] for name in parsed.intents}
    for name, model in parsed.intents.items():
        errors.extend(_intent_problems(name, model, line_of))
    seen: dict[str, int] = {}
    for index, reply in enumerate(parsed.reply):
        where = f"reply.{index}"
        found = _reply_problems(reply, where, list(parsed.intents), known_channels, line_of)
        if reply.name in seen:
            found.append(
                _error(
                    line_of,
                    f"{where}.name",
                    f"a second reply is named {reply.name!r}",
                    f"reply.{seen[reply.name]} has that name: give each reply its own",
                )
            )
        seen.setdefault(reply.name, index)
        errors.extend(found)
        if not found:
            replies[reply.intent].append(_approved(reply, line_of(where)))
    errors.raise_if_any()
    return Wording(tuple(_intent(n, m, replies[n], line_of) for n, m in parsed.intents.items()))


def _intent(name: str, model: _IntentModel, replies: list[Approved], line_of: LineOf) -> Intent:
    return Intent(
        name=name,
        triggers={lang: tuple(terms) for lang, terms in model.triggers.items()},
        replies=tuple(replies),
        escalate_to=tuple(model.escalate_to),
        line=line_of(f"intents.{name}"),
        label=(model.label or "").strip() or None,
    )


def _error(line_of: LineOf, key: str, message: str, hint: str) -> InputError:
    return InputError(REPLIES_FILE, message, line=line_of(key), key=key, hint=hint)


def _intent_problems(name: str, model: _IntentModel, line_of: LineOf) -> list[InputError]:
    where = f"intents.{name}"
    found: list[InputError] = []
    for language, terms in model.triggers.items():
        key = f"{where}.triggers.{language}"
        try:
            stemmer_for(language)
        except ValueError as error:
            found.append(_error(line_of, key, str(error), "triggers are matched by word forms"))
        for position, term in enumerate(terms):
            if not tokens(term):
                found.append(
                    _error(
                        line_of,
                        key,
                        f"trigger {position + 1} ({term!r}) has no word in it",
                        'write a word or phrase people use, like "remboursement", or remove it',
                    )
                )
    for position, variable in enumerate(model.escalate_to):
        if not _ENV_NAME.fullmatch(variable):
            found.append(
                _error(
                    line_of,
                    f"{where}.escalate_to",
                    f"escalate_to entry {position + 1} is not the name of an environment variable",
                    "name the environment variable holding who to alert (an Apprise URL such as "
                    "mailto:// or a Slack webhook), like SUPPORT_ALERT_URL: the URL itself "
                    "carries a secret and stays out of the repository",
                )
            )
    return found


def _reply_problems(
    reply: _ReplyModel,
    where: str,
    intents: list[str],
    channels: list[str] | None,
    line_of: LineOf,
) -> list[InputError]:
    found: list[InputError] = []
    if reply.intent not in intents:
        found.append(
            _error(
                line_of,
                f"{where}.intent",
                f"no intent named {reply.intent!r}{did_you_mean(reply.intent, intents)}",
                f"use the name of an [intents.NAME] table ({', '.join(intents) or 'none yet'}), "
                "or add that table",
            )
        )
    if not _LANGUAGE.fullmatch(reply.language):
        found.append(
            _error(
                line_of,
                f"{where}.language",
                f"{reply.language!r} is not a language code",
                'like "fr" or "en"',
            )
        )
    if channels is not None and reply.channel is not None and reply.channel not in channels:
        found.append(
            _error(
                line_of,
                f"{where}.channel",
                f"no channel named {reply.channel!r} in channels.toml"
                f"{did_you_mean(reply.channel, channels)}",
                "use the name of a [channels.NAME] table, or leave `channel` out for every channel",
            )
        )
    if not reply.text.strip():
        found.append(_error(line_of, f"{where}.text", "the text is empty", "write the reply"))
    if not reply.approved_by.strip():
        found.append(
            _error(
                line_of,
                f"{where}.approved_by",
                "approved_by is empty",
                'name who approved this wording, like "Claire Martin, direction"',
            )
        )
    try:
        placeholders(reply.text)
    except ValueError as error:
        found.append(_error(line_of, f"{where}.text", str(error), "fix the braces in the text"))
    return found


def _approved(reply: _ReplyModel, line: int | None) -> Approved:
    return Approved(
        name=reply.name,
        language=reply.language,
        channel=reply.channel,
        text=reply.text,
        placeholders=placeholders(reply.text),
        approved_by=reply.approved_by,
        valid_until=reply.valid_until,
        private=reply.private,
        intent=reply.intent,
        line=line,
    )
