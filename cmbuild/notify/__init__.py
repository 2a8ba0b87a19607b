"""Alerts to people, through Apprise: one URL per target (mailto://, json://, slack://, matrix://...).

`send` resolves nothing and prints nothing: the caller gives URLs with their secrets already read
from the environment, and gets back, per target that did not take the alert, a description that
names the target by its scheme and host only (the URL may carry a token).
"""

from __future__ import annotations

from collections.abc import Sequence
from urllib.parse import urlsplit


def send(urls: Sequence[str], title: str, body: str) -> list[str]:
    """Send one alert to each of `urls`; the targets that failed, described without secrets."""
    import apprise

    failures = []
    for url in urls:
        notifier = apprise.Apprise()
        if not notifier.add(url):
            failures.append(f"{shown(url)}: not an alert URL Apprise knows")
            continue
        if not notifier.notify(title=title, body=body):
            failures.append(f"{shown(url)}: did not take the alert (down or refusing)")
    return failures


def shown(url: str) -> str:
    """`scheme://host` of an alert URL: enough to tell targets apart, no credential."""
    parts = urlsplit(url)
    host = parts.hostname or ""
    return f"{parts.scheme}://{host}" + (f":{parts.port}" if parts.port else "")
