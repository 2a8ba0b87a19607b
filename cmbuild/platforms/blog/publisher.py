"""The blog as a static site folder: each article an HTML file, plus an Atom feed.

Options: `site_dir` (required: the site's folder, relative to the content repository), `base_url`
(the site's public URL, for the feed and the ledger's URLs), `feed` (default `feed.xml`) and
`feed_title` (default: the channel's handle or name). The folder is what a static host serves
(GitHub Pages, Netlify, a web server's root): commit or sync it after a push.

Each article is written to `<site_dir>/<slug>.html` with a `<meta name="cmbuild-key">` marker
holding its idempotency key, which is how `find` recognises it after a crash. Its images are copied
beside it at the paths the page uses. Pages and feed are written atomically.
"""

from __future__ import annotations

import html
import re
from collections.abc import Sequence
from datetime import UTC
from pathlib import Path

from cmbuild.files import write_atomic
from cmbuild.manifest.reader import VariantEntry
from cmbuild.platforms.blog.atom import FeedEntry, read_entries, write_feed
from cmbuild.platforms.shared.publisher import Lookup, MediaFile, Publisher, PublishError, Receipt

_MARKER = re.compile(r'<meta name="cmbuild-key" content="([^"]+)">')
_DESCRIPTION = re.compile(r'<meta name="description" content="([^"]*)">')


class BlogPublisher(Publisher):
    """Articles written into a static site folder."""

    name = "blog"
    required_options = (("site_dir", "the static site's folder"),)
    can_find = True
    can_delete = True

    def publish(self, entry: VariantEntry, media: Sequence[MediaFile]) -> Receipt:
        site = self._site()
        page = site / f"{entry.slug}.html"
        existing = _marker(page)
        if existing is not None and not existing.startswith(entry.id):
            raise PublishError(f"{page} already holds another article (key {existing})")
        for item in media:
            target = site / item.path
            if not (target.exists() and target.read_bytes() == item.data):
                write_atomic(target, item.data)
        write_atomic(page, _with_marker(entry.text, entry.idempotency_key).encode("utf-8"))
        url = self._url(page.name)
        published = entry.scheduled.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
        summary = _DESCRIPTION.search(entry.text)
        self._update_feed(
            add=FeedEntry(
                id=f"urn:cmbuild:{entry.id}",
                title=entry.title,
                link=url,
                published=published,
                summary=html.unescape(summary.group(1)) if summary else "",
            ),
            remove=None,
        )
        return Receipt(page.name, url)

    def find(self, lookup: Lookup) -> Receipt | None:
        for page in sorted(self._site().glob("*.html")):
            if _marker(page) == lookup.key:
                return Receipt(page.name, self._url(page.name))
        return None

    def delete(self, remote_id: str) -> None:
        site = self._site()
        page = site / remote_id
        if page.parent != site or page.suffix != ".html":
            raise PublishError(f"{remote_id} is not an article of {site}")
        key = _marker(page)
        page.unlink(missing_ok=True)
        if key is not None:
            self._update_feed(add=None, remove=f"urn:cmbuild:{key.split('-')[0]}")

    def _site(self) -> Path:
        folder = self.required_option("site_dir", "the static site's folder")
        site = (self.context.root / folder).resolve()
        site.mkdir(parents=True, exist_ok=True)
        return site

    def _url(self, name: str) -> str:
        base = self.option("base_url")
        return f"{base.rstrip('/')}/{name}" if base else (self._site() / name).as_uri()

    def _update_feed(self, add: FeedEntry | None, remove: str | None) -> None:
        path = self._site() / (self.option("feed") or "feed.xml")
        gone = {add.id if add else "", remove or ""}
        entries = [e for e in read_entries(path) if e.id not in gone]
        if add is not None:
            entries.append(add)
        title = self.option("feed_title") or self.channel.handle or self.channel.name
        write_feed(
            path,
            title=title,
            feed_id=f"urn:cmbuild:feed:{self.channel.name}",
            link=self._url(""),
            entries=entries,
        )


def _marker(page: Path) -> str | None:
    try:
        found = _MARKER.search(page.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return None
    return found.group(1) if found else None


def _with_marker(page: str, key: str) -> str:
    meta = f'<meta name="cmbuild-key" content="{key}">'
    head = re.search(r"<head[^>]*>", page, re.IGNORECASE)
    if head is None:
        return meta + "\n" + page
    return page[: head.end()] + "\n  " + meta + page[head.end() :]
