"""Complementarity: two channels should not publish the same text within the charter's window.

Similarity is the Jaccard index of the word 3-shingles of two normalised texts (`normalise`: case
and accents folded, links, hashtags, @mentions and punctuation removed, whitespace collapsed);
when either text has fewer than three words, of their sets of words.

Which pairs are compared. Comparing every pair of a build's variants would be quadratic (16,000
variants are 128 million pairs), so only two kinds of pairs are compared:

* variants of the same post (same source file), pairwise: a post is how one text usually reaches
  several channels, and a post has a handful of channels;
* variants of different posts whose normalised texts are identical: variants are bucketed by
  normalised text (a dict keyed by it: its hash is the fingerprint) and each bucket is swept in
  time order, pairing only variants within the window.

So near-identical but not identical texts in *different* posts are not reported: finding those
would need a similarity search across the whole calendar, for a rare case (a post file copied and
lightly edited). Texts with no words left once normalised (a link, hashtags) are not compared.

Cost. Normalising the texts is most of the work, so each distinct paragraph is normalised once,
and within a new paragraph each distinct whitespace-separated token: the channels of a post share
most paragraphs of its body (once their links are removed) and a calendar reuses its vocabulary.
This is exact because no step of the normalisation crosses whitespace (each works on characters or
on runs without whitespace). Shingle sets are built once per distinct text, and only for pairs whose
texts differ and whose word counts leave the threshold within reach.
"""

from __future__ import annotations

import hashlib
import math
import re
from collections import defaultdict
from collections.abc import Mapping, Sequence
from itertools import combinations

from cmbuild.check.locate import channel_line, fold
from cmbuild.model import Charter, Finding, Placed, Post, Variant

RULE = "charter.complementarity"

# Links go first, before folding: a brand link differs from channel to channel (its utm_source), and
# without it the paragraph around it is the same on every channel (see `_Texts.normalised`).
_LINK = re.compile(r"(?i:https?)://\S+")
_NOISE = re.compile(r"www\.\S+|[#＃@]\w+(?:@[\w.-]*\w)?|[^\w\s]+")


def normalise(text: str) -> str:
    """`text` as compared: without links, folded, without hashtags, mentions or punctuation."""
    if "://" in text:
        text = _LINK.sub(" ", text)
    return " ".join(_NOISE.sub(" ", fold(text)).split())


def similarity(first: str, second: str) -> float:
    """How alike two texts are, from 0 (no shingle in common) to 1 (the same once normalised)."""
    return _Texts().similarity(normalise(first), normalise(second))


def check_complementarity(
    variants: Sequence[Variant], charter: Charter, posts_by_source: Mapping[str, Post]
) -> list[Finding]:
    """One warning per pair of near-identical variants on different channels within the window.

    The finding goes to the later variant (ties broken by channel name) and names the earlier one.
    This is `within_post` for every post plus `across_posts`; the build runs the two halves apart,
    so that a post's own pairs are checked (and cached) with the post.
    """
    by_source: dict[str, list[Variant]] = defaultdict(list)
    for variant in variants:
        by_source[variant.source].append(variant)
    findings: list[Finding] = []
    for source, group in by_source.items():
        findings.extend(within_post(group, charter, posts_by_source.get(source)))
    findings.extend(across_posts(variants, fingerprints(variants), charter, posts_by_source))
    return sorted(findings, key=Finding.sort_key)


def within_post(variants: Sequence[Variant], charter: Charter, post: Post | None) -> list[Finding]:
    """Pairs of one post's variants (all from the same source file) that clash."""
    calendar = _Calendar(variants, charter)
    threshold = charter.complementarity_similarity
    pairs = []
    for first, second in combinations(range(len(variants)), 2):
        if calendar.may_clash(first, second):
            score = calendar.similarity(first, second, threshold)
            if score >= threshold:
                pairs.append((first, second, score))
    posts = {post.source: post} if post is not None else {}
    return sorted((_finding(calendar, pair, posts) for pair in pairs), key=Finding.sort_key)


def fingerprints(variants: Sequence[Variant]) -> dict[str, str]:
    """Variant id -> digest of its normalised text ("" when no word is left to compare)."""
    texts = _Texts()
    found = {}
    for variant in variants:
        text = texts.normalised(variant.text)
        found[variant.id] = (
            hashlib.blake2b(text.encode(), digest_size=12).hexdigest() if text else ""
        )
    return found


def across_posts(
    variants: Sequence[Placed],
    prints: Mapping[str, str],
    charter: Charter,
    posts_by_source: Mapping[str, Post],
) -> list[Finding]:
    """Variants of different posts whose normalised texts are identical (same `fingerprints`)."""
    if charter.complementarity_similarity > 1.0:
        return []
    calendar = _Calendar(variants, charter, texts=[prints.get(v.id, "") for v in variants])
    by_text: dict[str, list[int]] = defaultdict(list)
    for index in range(len(variants)):
        by_text[calendar.text(index)].append(index)
    pairs: list[tuple[int, int, float]] = []
    for text, indices in by_text.items():
        if text and len({variants[index].source for index in indices}) > 1:
            pairs.extend((a, b, 1.0) for a, b in calendar.other_posts_in_window(indices))
    return sorted(
        (_finding(calendar, pair, posts_by_source) for pair in pairs), key=Finding.sort_key
    )


class _Texts:
    """Normalised texts and shingle sets, each computed once per distinct piece of text."""

    def __init__(self) -> None:
        self._paragraphs: dict[str, str] = {}
        self._tokens: dict[str, str] = {}
        self._shingles: dict[str, frozenset[object]] = {}

    def normalised(self, text: str) -> str:
        """`normalise(text)`, from normalised paragraphs, themselves from normalised tokens."""
        parts = []
        for paragraph in text.split("\n"):
            if "://" in paragraph:
                paragraph = _LINK.sub(" ", paragraph)
            normalised = self._paragraphs.get(paragraph)
            if normalised is None:
                normalised = self._paragraphs[paragraph] = self._paragraph(paragraph)
            if normalised:
                parts.append(normalised)
        return " ".join(parts)

    def _paragraph(self, paragraph: str) -> str:
        words = []
        for token in paragraph.split():
            normalised = self._tokens.get(token)
            if normalised is None:
                normalised = self._tokens[token] = normalise(token)
            if normalised:
                words.append(normalised)
        return " ".join(words)

    def similarity(self, first: str, second: str, at_least: float = 0.0) -> float:
        """The similarity of two normalised texts; when under `at_least`, maybe only a bound."""
        if first == second:
            return 1.0
        first_words, second_words = first.count(" ") + 1, second.count(" ") + 1
        if first_words < 3 or second_words < 3:
            return _jaccard(frozenset(first.split()), frozenset(second.split()))
        if first_words > second_words:
            first, second, first_words = second, first, second_words
        # A text of n words has at most n - 2 shingles, and the union is at least the longer set:
        # when (n - 2) / len(longer) is already under `at_least`, the shorter set is not built.
        longer = self._shingle_set(second)
        if first_words - 2 < at_least * len(longer):
            return (first_words - 2) / len(longer)
        return _jaccard(self._shingle_set(first), longer)

    def _shingle_set(self, text: str) -> frozenset[object]:
        shingles = self._shingles.get(text)
        if shingles is None:
            words = text.split()
            shingles = self._shingles[text] = frozenset(
                zip(words, words[1:], words[2:], strict=False)
            )
        return shingles


def _jaccard(first: frozenset[object], second: frozenset[object]) -> float:
    if not first and not second:
        return 1.0
    common = len(first & second)
    return common / (len(first) + len(second) - common)


class _Calendar:
    """The variants with their times and, when first needed, their normalised texts."""

    def __init__(
        self, variants: Sequence[Placed], charter: Charter, texts: Sequence[str] | None = None
    ) -> None:
        self.variants = variants
        self.window = charter.complementarity_window_hours * 3600.0
        self.severity = charter.severity(RULE, "warning")
        self.times = [variant.timestamp for variant in variants]
        self._texts = _Texts()
        self._normalised: list[str | None] = (
            list(texts) if texts is not None else [None] * len(variants)
        )
        self._groups: dict[str, set[int]] = defaultdict(set)
        for number, group in enumerate(charter.complementarity_exempt):
            for channel in group:
                self._groups[channel].add(number)

    def text(self, index: int) -> str:
        text = self._normalised[index]
        if text is None:
            variant = self.variants[index]
            assert isinstance(variant, Variant), "texts are given for rows"
            text = self._normalised[index] = self._texts.normalised(variant.text)
        return text

    def may_clash(self, first: int, second: int) -> bool:
        """Different channels, not in one exempt group, within the window."""
        a, b = self.variants[first].channel, self.variants[second].channel
        if a == b or abs(self.times[first] - self.times[second]) > self.window:
            return False
        return not (a in self._groups and b in self._groups and self._groups[a] & self._groups[b])

    def similarity(self, first: int, second: int, at_least: float) -> float:
        a, b = self.text(first), self.text(second)
        return self._texts.similarity(a, b, at_least) if a and b else 0.0

    def other_posts_in_window(self, indices: list[int]) -> list[tuple[int, int]]:
        """Pairs among `indices` of variants of different posts that may clash."""
        ordered = sorted(indices, key=self.times.__getitem__)
        pairs = []
        for position, first in enumerate(ordered):
            for second in ordered[position + 1 :]:
                if self.times[second] - self.times[first] > self.window:
                    break
                different = self.variants[first].source != self.variants[second].source
                if different and self.may_clash(first, second):
                    pairs.append((first, second))
        return pairs


def _finding(
    calendar: _Calendar, pair: tuple[int, int, float], posts_by_source: Mapping[str, Post]
) -> Finding:
    first, second, score = pair
    variants, times = calendar.variants, calendar.times
    if (times[first], variants[first].channel) <= (times[second], variants[second].channel):
        earlier, later = first, second
    else:
        earlier, later = second, first
    before, after = variants[earlier], variants[later]
    post = posts_by_source.get(after.source)
    other = (
        before.channel if before.source == after.source else f"{before.channel} ({before.source})"
    )
    shown = math.floor(score * 100) / 100  # 0.996 is not shown as "1.00"
    return Finding(
        rule=RULE,
        severity=calendar.severity,
        message=f"same text as {other} {_gap(times[later] - times[earlier])} "
        f"(similarity {shown:.2f})",
        file=after.source,
        line=channel_line(post, after.channel) if post is not None else None,
        channel=after.channel,
        hint=f"write a different angle for {after.channel} with a `text:` override, "
        f"or move it more than {calendar.window / 3600:g} h apart",
    )


def _gap(seconds: float) -> str:
    minutes = round(seconds / 60)
    if minutes == 0:
        return "at the same time"
    hours, minutes = divmod(minutes, 60)
    if not hours:
        return f"{minutes} min earlier"
    return f"{hours} h {minutes} min earlier" if minutes else f"{hours} h earlier"
