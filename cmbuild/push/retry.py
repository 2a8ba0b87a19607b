"""Retrying a platform call: bounded attempts, exponential backoff, the server's Retry-After.

Only failures that are safe to retry are retried: `transient` ones (nothing was done), and
`ambiguous` ones (the request may have been carried out) when the platform can be asked whether
the post is there, or drops a repeated idempotency key. Credentials refused, bad configuration
and refused posts are never retried.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TypeVar

from cmbuild.platforms.shared.publisher import PublishError

T = TypeVar("T")


@dataclass(frozen=True)
class RetryPolicy:
    """How hard to try. `sleep` is injectable so that tests do not wait."""

    attempts: int = 4
    first_wait: float = 2.0  # then doubled at each attempt
    max_wait: float = 60.0  # a longer Retry-After gives up (the next scheduled push will retry)
    sleep: Callable[[float], None] = field(default=time.sleep)

    def wait(self, attempt: int, error: PublishError) -> float | None:
        """Seconds to wait before the next attempt, or None to give up now."""
        if error.retry_after is not None:
            return max(error.retry_after, 0.0) if error.retry_after <= self.max_wait else None
        return min(self.first_wait * 2.0 ** (attempt - 1), self.max_wait)


def with_retry(
    policy: RetryPolicy,
    action: Callable[[], T],
    *,
    check: Callable[[], T | None] | None = None,
    resend_is_safe: bool = False,
) -> T:
    """`action()`, retried per `policy`; after an ambiguous failure, `check()` first.

    `check` returns the result of the earlier attempt if it did take effect (the post is on the
    platform), else None. Without `check` and without `resend_is_safe`, an ambiguous failure is
    raised at once: sending again could publish twice.
    """
    attempt = 1
    while True:
        try:
            return action()
        except PublishError as error:
            if error.kind not in ("transient", "ambiguous"):
                raise
            if error.kind == "ambiguous":
                if check is not None:
                    found = _check(check, error)
                    if found is not None:
                        return found
                elif not resend_is_safe:
                    raise
            if attempt >= policy.attempts:
                raise PublishError(
                    f"gave up after {attempt} attempts: {error.message}",
                    error.kind,
                    status=error.status,
                ) from None
            wait = policy.wait(attempt, error)
            if wait is None:
                raise PublishError(
                    f"{error.message}; the server asks to wait {error.retry_after:.0f} s, "
                    "longer than a push waits: the next push will try again",
                    "transient",
                    status=error.status,
                ) from None
            policy.sleep(wait)
            attempt += 1


def _check(check: Callable[[], T | None], error: PublishError) -> T | None:
    try:
        return check()
    except PublishError:
        raise error from None
