"""The preview site: ``output/index.html`` and ``output/preview/``, for reviewing a build offline.

An editorial calendar (month and week views) in the brand's zone, a page per post with its
variants side by side as each platform shows them, and every finding where it applies. The site
is static and self-contained: no request leaves the page, and it works from ``file://``.
See docs/preview.md.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from cmbuild.preview.halts import halts_shown

if TYPE_CHECKING:
    from cmbuild.build.summary import Summary
    from cmbuild.model import Channel, Charter, Variant
    from cmbuild.preview.loop import Views
    from cmbuild.preview.shown import Shown
    from cmbuild.preview.site import PageCache
    from cmbuild.stores.halts import Halt

__all__ = ["halts_shown", "render_preview", "render_preview_kept"]


def render_preview(
    variants: Sequence[Variant],
    summary: Summary,
    channels: Sequence[Channel],
    charter: Charter,
    *,
    halts: Sequence[Halt] = (),
    root: Path | None = None,
    views: Views | None = None,
) -> dict[str, bytes]:
    """Every file of the preview site, by output-relative path (``index.html``, ``preview/...``).

    `variants` are all the build's variants, drafts included (they are shown, marked). `halts` are
    the halts in force (`halts_shown(root / HALT_FILE)`). `root` is the content repository, where
    the source images are read (`Media.path` is relative to it); without it, or for an image that
    cannot be read, a card shows a placeholder with the alt text. With `views`
    (`cmbuild.preview.loop.read_views`), the watch and slots pages too, linked from every page.

    Deterministic: the same inputs give the same bytes. Nothing is written.
    """
    from cmbuild.preview.site import render_site

    files = render_site(variants, summary, channels, charter, tuple(halts), root, views=views)
    return {path: data for path, data in files.items() if data is not None}


def render_preview_kept(
    rows: Sequence[Shown],
    summary: Summary,
    channels: Sequence[Channel],
    charter: Charter,
    *,
    cache: PageCache,
    halts: Sequence[Halt] = (),
    root: Path | None = None,
    views: Views | None = None,
) -> dict[str, bytes | None]:
    """`render_preview` for a rebuild: post pages whose key is unchanged map to None (keep them).

    `rows` need only what the calendar shows (`Shown`); `cache.load` gives the full variants of
    the posts whose pages are rendered again. `cache.keys` receives every page's key.
    """
    from cmbuild.preview.site import render_site

    return render_site(rows, summary, channels, charter, tuple(halts), root, cache, views)
