"""A channel's `options` hold settings, never secrets.

channels.toml is committed, and its options are copied into the build's cache and preview
(`output/`): a token written there instead of in an environment variable named under
`credentials` would leak. Such an option is refused when channels.toml is read, by its key
(`token`, `secret`, `password`...) or by its value (a string shaped like an access token).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping

from cmbuild.errors import InputError

_SECRET_KEY = re.compile(
    r"(^|_)(token|secret|password|passwd|passphrase|apikey|api_key|app_password|access_key|"
    r"private_key|consumer_key|credentials?|bearer)(_|$)|(^|_)key$",
    re.IGNORECASE,
)
# Prefixes of well-known token formats (Meta, GitHub, Slack, OpenAI-style, Pinterest, AWS,
# Google, JSON Web Tokens) and the schemes of an Authorization header.
_TOKEN_SHAPE = re.compile(
    r"^(EAA[A-Za-z0-9]{16,}|gh[pousr]_[A-Za-z0-9]{16,}|github_pat_\w{16,}|xox[abprs]-[\w-]{10,}"
    r"|sk[-_](live[-_])?[\w-]{12,}|pina_[\w-]{12,}|AKIA[A-Z0-9]{16}|ya29\.[\w-]{12,}"
    r"|eyJ[\w-]{8,}\.[\w-]{8,}\..*|(Bearer|Basic|OAuth) \S{8,})$"
)
_OPAQUE = re.compile(r"^[A-Za-z0-9_\-+/=.~%]{24,}$")
_HEX = re.compile(r"^[0-9a-fA-F]{32,}$")


def looks_like_secret(key: str, value: object) -> bool:
    """Whether an option `key = value` is a credential written in the open."""
    if _SECRET_KEY.search(key):
        return True
    if not isinstance(value, str):
        return False
    if _TOKEN_SHAPE.match(value) or _HEX.match(value):
        return True
    # An opaque string: long, no spaces, letters of both cases and digits, not an address.
    return (
        bool(_OPAQUE.match(value))
        and "://" not in value
        and any(c.islower() for c in value)
        and any(c.isupper() for c in value)
        and any(c.isdigit() for c in value)
    )


def secret_options(
    file: str, channel: str, options: Mapping[str, object], line_of: Callable[[str], int | None]
) -> list[InputError]:
    """An error for each option of `channel` that holds (or is named like) a credential.

    The message never repeats the value.
    """
    errors: list[InputError] = []
    for key in sorted(options):
        if not looks_like_secret(key, options[key]):
            continue
        path = f"channels.{channel}.options.{key}"
        variable = re.sub(r"[^A-Z0-9]+", "_", f"{channel}_{key}".upper())
        errors.append(
            InputError(
                file,
                "looks like a credential: a secret must not be written in channels.toml "
                "(it is committed, and options are copied into output/)",
                line=line_of(path),
                key=path,
                hint=f"put the value in an environment variable and name it under credentials: "
                f'credentials = {{ {key} = "{variable}" }}; then renew the secret, it was exposed',
            )
        )
    return errors
