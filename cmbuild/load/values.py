"""Front-matter values that must be refused whole rather than passed on: each check raises
ValueError with a message a writer understands (pydantic names the file, line and key).

- `link:` goes out as the link of every variant and as `href` on the blog: only a web address
  (http or https, with a host) is accepted, never `javascript:` or `data:` nor free text.
- An image path is a file name: no control characters, no name longer than the file system takes.
- `publish:` written as a bare number (`20261216`) is not a time: YAML reads it as an integer.
"""

from __future__ import annotations

from urllib.parse import urlsplit

_WEB = ("http", "https")
# Linux and macOS take names up to 255 bytes; Windows paths stop at 260 characters.
_MAX_NAME_BYTES = 255
_MAX_PATH = 1024


def web_link(value: str | None) -> str | None:
    """`value` when it is an http(s) address with a host; else ValueError."""
    if value is None:
        return None
    text = value.strip()
    try:
        parts = urlsplit(text)
    except ValueError:
        parts = None
    if (
        parts is None
        or parts.scheme.lower() not in _WEB
        or not parts.hostname
        or any(c.isspace() or ord(c) < 32 or ord(c) == 127 for c in text)
    ):
        raise ValueError(
            f"{value!r} is not a web address: a link must start with https:// "
            "(e.g. https://example.org/page)"
        )
    return text


def file_path(value: str) -> str:
    """`value` when it can name a file; else ValueError."""
    bad = next((c for c in value if ord(c) < 32 or ord(c) == 127), None)
    if bad is not None:
        raise ValueError(
            f"the path {value!r} contains an invisible control character "
            f"(U+{ord(bad):04X}): type it again"
        )
    too_long = next(
        (part for part in value.split("/") if len(part.encode("utf-8")) > _MAX_NAME_BYTES), None
    )
    if too_long is not None or len(value) > _MAX_PATH:
        raise ValueError(
            f"the path {value[:40]!r}... is too long for a file name "
            f"(at most {_MAX_NAME_BYTES} bytes per name): rename the file"
        )
    return value


def not_a_number(value: object) -> object:
    """Refuse a publish value YAML read as a number (`20261216`, `2026`)."""
    if isinstance(value, bool | int | float):
        raise ValueError(
            f"{value!r} is a number, not a date and time (dashes between year, month and day)"
        )
    return value
