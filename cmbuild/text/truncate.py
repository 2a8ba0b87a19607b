"""Shorten a text to fit a limit as a person would: at a word boundary, with an ellipsis."""

from __future__ import annotations

from collections.abc import Callable

from cmbuild.text.counting import grapheme_ends

# A cut at the last word boundary is preferred when it gives up at most this share of the limit.
WORD_BOUNDARY_SLACK = 0.15


def truncate_to_fit(
    text: str, limit: int, length_fn: Callable[[str], int], ellipsis: str = "…"
) -> str:
    """The longest start of `text` that fits `limit` as measured by `length_fn`, plus `ellipsis`.

    - The result always fits: ``length_fn(result) <= limit``.
    - A grapheme cluster (an emoji, a letter and its accent) is never split.
    - The ellipsis is appended only when something was cut, after trailing spaces are removed; it is
      left out when it does not fit on its own.
    - The cut falls on a word boundary when that gives up little (at most 15% of `limit`).

    `length_fn` is called O(log n) times (a binary search over cluster boundaries); it need not be
    monotonic (a link counts 23 on X however long it is), the result is checked either way.
    """
    if length_fn(text) <= limit:
        return text
    if length_fn("") > limit:
        raise ValueError(f"no text fits a limit of {limit}")
    if length_fn(ellipsis) > limit:
        ellipsis = ""
    ends = [0, *grapheme_ends(text)]  # ends[k]: where the first k clusters end

    def shortened(kept: int) -> str:
        while kept > 0 and text[ends[kept - 1] : ends[kept]].isspace():
            kept -= 1
        return text[: ends[kept]] + ellipsis

    def fits(kept: int) -> bool:
        return length_fn(shortened(kept)) <= limit

    low = _most_that_fit(fits, limit, len(ends) - 1)
    best = shortened(low)
    boundary = _last_word_boundary(text, ends, low)
    if boundary is not None and boundary < low:
        at_word = shortened(boundary)
        at_word_length = length_fn(at_word)
        if limit >= at_word_length >= length_fn(best) - WORD_BOUNDARY_SLACK * limit:
            return at_word
    return best


def _most_that_fit(fits: Callable[[int], bool], limit: int, clusters: int) -> int:
    """The most clusters (fewer than `clusters`) that `fits`; keeping none always fits."""
    # Invariant: keeping `low` clusters fits; keeping `high` does not (keeping all is not a cut).
    low, high = 0, clusters
    # Most texts count about one unit per cluster, so the answer is usually near `limit`
    # clusters: gallop from there to bracket it, measuring short prefixes rather than halving
    # a long text.
    guess = min(limit, high - 1)
    if guess > 0:
        step = max(1, limit // 16)
        if fits(guess):
            low = guess
            while low + step < high and fits(low + step):
                low, step = low + step, step * 2
            high = min(high, low + step)
        else:
            high = guess
            while high - step > low and not fits(high - step):
                high, step = high - step, step * 2
            low = max(low, high - step)
    while high - low > 1:
        middle = (low + high) // 2
        if fits(middle):
            low = middle
        else:
            high = middle
    return low


def _last_word_boundary(text: str, ends: list[int], kept: int) -> int | None:
    """The largest k <= `kept` such that cutting after k clusters falls between two words."""
    if kept == 0 or kept == len(ends) - 1:
        return kept
    for k in range(kept, 0, -1):
        before = text[ends[k - 1] : ends[k]]
        after = text[ends[k] : ends[k + 1]]
        if before.isspace() or after.isspace():
            return k
    return None
