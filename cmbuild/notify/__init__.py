"""Alerts to people, through Apprise: one URL per target (mailto://, json://, slack://, matrix://...).

`send` resolves nothing and prints nothing: the caller gives URLs with their secrets already read
from the environment, and gets back, per target that did not take the alert, a description that
names the target by its place in the list and its scheme only: many Apprise URLs carry their
token where a host would be (`tgram://BOT_TOKEN/CHAT`, `slack://TOKEN_A/...`, `pover://USER@TOKEN`).
"""

from __future__ import annotations

from collections.abc import Sequence


def send(urls: Sequence[str], title: str, body: str) -> list[str]:
    """Send one alert to each of `urls`; the targets that failed, described without secrets."""
    import apprise

    failures = []
    for number, url in enumerate(urls, start=1):
        notifier = apprise.Apprise()
        if not notifier.add(url):
            failures.append(f"{shown(url, number)}: not an alert URL Apprise knows")
            continue
        if not notifier.notify(title=title, body=body):
            failures.append(f"{shown(url, number)}: did not take the alert (down or refusing)")
    return failures


def shown(url: str, number: int) -> str:
    """`alert URL N (scheme://)`: enough to tell targets apart, no credential."""
    scheme = url.split("://", 1)[0] if "://" in url else "?"
    return f"alert URL {number} ({scheme}://)"
