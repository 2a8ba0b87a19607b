"""Input errors: bad content the writer must fix, reported as `file:line: key: message (hint)`.

The load and render stages collect every `InputError` they meet (one bad post does not hide
the next) and raise them together as an `InputErrors`; the CLI prints them and exits 2. Nothing is
written when
the inputs are bad.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, replace


# Not frozen: Python's exception machinery sets `__traceback__` on an exception in flight (a
# generator-based context manager it passes through does so in Python code), which a frozen
# dataclass refuses, turning the user's error into a defect of cmbuild. Hashable all the same.
@dataclass(unsafe_hash=True)
class InputError(Exception):
    """One problem with an input file, precise enough to fix without reading code."""

    file: str
    message: str
    line: int | None = None
    key: str | None = None
    hint: str | None = None
    channel: str | None = None  # the channel it was found for, when it is about one

    def __str__(self) -> str:
        return self.shown(() if self.channel is None else (self.channel,))

    def shown(self, channels: Sequence[str]) -> str:
        """The error as printed, naming `channels` (the same problem found on each of them)."""
        where = f"{self.file}:{self.line}" if self.line else self.file
        what = f"{self.key}: {self.message}" if self.key else self.message
        if channels:
            what += f" [{', '.join(channels)}]"
        return f"{where}: {what}" + (f" ({self.hint})" if self.hint else "")

    def to_dict(self) -> dict[str, object]:
        return {
            "file": self.file,
            "line": self.line,
            "key": self.key,
            "message": self.message,
            "hint": self.hint,
            "channel": self.channel,
        }


class InputErrors(Exception):
    """Every input error of a build, in file and line order."""

    def __init__(self, errors: Iterable[InputError]) -> None:
        self.errors = sorted(errors, key=lambda e: (e.file, e.line or 0, e.key or "", e.message))
        super().__init__("\n".join(str(e) for e in self.errors))

    def __iter__(self) -> Iterator[InputError]:
        return iter(self.errors)

    def __len__(self) -> int:
        return len(self.errors)

    def grouped(self) -> list[tuple[InputError, tuple[str, ...]]]:
        """Each distinct problem once, with the channels it was found on (in name order).

        The same bad date or zone is met once per channel the post goes to: a writer fixes it
        once, so it is shown once.
        """
        groups: dict[InputError, set[str]] = {}
        for error in self.errors:
            channels = groups.setdefault(replace(error, channel=None), set())
            if error.channel is not None:
                channels.add(error.channel)
        return [(error, tuple(sorted(channels))) for error, channels in groups.items()]


class ErrorCollector:
    """Gathers input errors while a stage goes on, then raises them all at once."""

    def __init__(self) -> None:
        self.errors: list[InputError] = []

    def add(self, error: InputError) -> None:
        self.errors.append(error)

    def extend(self, errors: Iterable[InputError]) -> None:
        self.errors.extend(errors)

    def raise_if_any(self) -> None:
        if self.errors:
            raise InputErrors(self.errors)


def did_you_mean(word: str, choices: Iterable[str]) -> str:
    """` (did you mean 'x'?)` for the closest of `choices` to a misspelt `word`, else ""."""
    close = difflib.get_close_matches(word, list(choices), n=1, cutoff=0.6)
    return f" (did you mean '{close[0]}'?)" if close else ""
