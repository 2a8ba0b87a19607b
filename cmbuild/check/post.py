"""The check stage for one post: each variant against the charter, and the post's variants against
each other (complementarity between its own channels)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import replace

from cmbuild.check.charter import check_variant
from cmbuild.check.complementarity import within_post
from cmbuild.model import Channel, Charter, Finding, Post, Variant


def check_post(
    variants: Iterable[Variant], post: Post, channels: Mapping[str, Channel], charter: Charter
) -> tuple[Variant, ...]:
    """`variants` (all of `post`'s, as rendered) with the charter's findings added."""
    variants = tuple(variants)
    clashes: dict[str, list[Finding]] = {}
    for finding in within_post(variants, charter, post):
        clashes.setdefault(finding.channel or "", []).append(finding)
    checked = []
    for variant in variants:
        found = [*check_variant(variant, post, channels[variant.channel], charter)]
        found += clashes.get(variant.channel, ())
        if found:
            merged = {*variant.findings, *found}
            variant = replace(variant, findings=tuple(sorted(merged, key=Finding.sort_key)))
        checked.append(variant)
    return tuple(checked)
