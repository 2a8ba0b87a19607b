"""Which post and campaign each variant id stands for: from posts/, then from the ledger.

A variant id is a hash of its post file and channel (cmbuild.render.variant.variant_id), so the
posts give every id back without a build. The ledger names the post and campaign of variants whose
post file has since been removed. A post file that cannot be read is named, not skipped silently.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from pathlib import Path

from cmbuild.errors import InputError, InputErrors
from cmbuild.layout import LEDGER_FILE, post_files
from cmbuild.load.posts import read_post
from cmbuild.render.variant import variant_id
from cmbuild.stores.ledger import read_ledger

PREVIEW_POSTS = "preview/posts"  # in the output folder, as cmbuild.preview writes them


@dataclass(frozen=True)
class PostInfo:
    source: str  # posts/....md
    title: str
    slug: str
    campaign: str | None


@dataclass(frozen=True)
class Catalogue:
    variants: dict[str, PostInfo]
    campaigns: tuple[str, ...]
    problems: tuple[InputError, ...]

    def preview_page(self, variant: str, output: Path) -> str | None:
        """The output-relative path of the variant's preview page, when the preview has one."""
        info = self.variants.get(variant)
        if info is None:
            return None
        hashed = f"{info.slug}-{hashlib.sha256(info.source.encode()).hexdigest()[:10]}"
        for name in (hashed, info.slug):
            if (output / PREVIEW_POSTS / f"{name}.html").is_file():
                return f"{PREVIEW_POSTS}/{name}.html"
        return None


def load_catalogue(root: Path, channels: list[str]) -> Catalogue:
    variants: dict[str, PostInfo] = {}
    problems: list[InputError] = []
    try:
        ledger = read_ledger(root / LEDGER_FILE, LEDGER_FILE).lines
    except InputErrors as errors:
        problems.extend(errors)
        ledger = ()
    for line in ledger:
        if line.post:
            variants[line.variant] = PostInfo(line.post, line.post, "", line.campaign)
    for path in post_files(root):
        try:
            post = read_post(root, path).post
        except InputError as error:
            problems.append(error)
            continue
        except InputErrors as errors:
            problems.extend(errors)
            continue
        info = PostInfo(post.source, post.title, post.slug, post.campaign)
        for channel in {*post.channels, *channels}:
            variants[variant_id(post.source, channel)] = info
    campaigns = sorted({i.campaign for i in variants.values() if i.campaign})
    return Catalogue(variants, tuple(campaigns), tuple(problems))
