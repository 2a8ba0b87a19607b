"""Credentials come only from the environment variables that channels.toml names.

Their values are handed to the publisher of their channel and to nothing else. Every value read is
also given to the `Redactor`, which the push passes every message through before it is printed or
written to the ledger: a server that echoes a token in an error body cannot leak it through us.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from urllib.parse import quote, quote_plus

from cmbuild.model import Channel
from cmbuild.platforms.shared.publisher import PublishError

REDACTED = "[secret]"


class Redactor:
    """Replaces every secret value read so far (and its usual encodings) in a text."""

    def __init__(self) -> None:
        self._forms: set[str] = set()

    def add(self, value: str) -> None:
        if not value:
            return
        self._forms.update(
            {value, quote(value, safe=""), quote_plus(value), json.dumps(value)[1:-1]}
        )

    def __call__(self, text: str) -> str:
        # Longest first, so that a secret containing another one is replaced whole.
        for form in sorted(self._forms, key=len, reverse=True):
            text = text.replace(form, REDACTED)
        return text


def read_credentials(
    channel: Channel,
    required: tuple[str, ...],
    environ: Mapping[str, str],
    redactor: Redactor,
) -> dict[str, str]:
    """purpose -> value for every credential of `channel` that is set.

    Raises a `config` PublishError naming the key or the variable (never a value) when a
    required one is not configured or not set.
    """
    names = dict(channel.credentials)
    values: dict[str, str] = {}
    for purpose, variable in sorted(names.items()):
        value = environ.get(variable)
        if value:
            redactor.add(value)
            values[purpose] = value
    for purpose in required:
        key = f"channels.{channel.name}.credentials.{purpose}"
        if purpose not in names:
            raise PublishError(
                f"{key} is not set: name the environment variable that holds it, "
                f'e.g. {purpose} = "{_suggest(channel, purpose)}"',
                "config",
            )
        if purpose not in values:
            raise PublishError(
                f"environment variable {names[purpose]} ({key}) is not set or empty", "config"
            )
    return values


def _suggest(channel: Channel, purpose: str) -> str:
    stem = "".join(c if c.isalnum() else "_" for c in f"{channel.name}_{purpose}")
    return stem.upper()
