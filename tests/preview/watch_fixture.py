"""A content repository after real `cmbuild watch` runs: tests/sites/basic listening to local feeds.

The feeds come from tests/watch/feeds.py's server on 127.0.0.1: one feed with a crisis item
(the "conseils" campaign is halted by it, auto_halt), three more crisis items the next day (a
spike), and a source that answers 503 (its error is kept). Items whose titles are hostile HTML are
recorded through the mentions store's own writer, as an X or Bluesky search would record them.
"""

from __future__ import annotations

import shutil
from datetime import datetime
from pathlib import Path

from cmbuild.load.watch import load_watch
from cmbuild.stores.watch import Mention, Store
from cmbuild.watch.run import WatchSettings, watch
from tests.watch.feeds import RSS, FeedServer

SITES = Path(__file__).resolve().parents[1] / "sites"
FIRST = "2026-11-29T09:00:00+00:00"
SECOND = "2026-11-30T09:00:00+00:00"
HOSTILE = '<script>alert("t")</script> Grève & <b>annulé</b>'

WATCH_TOML = """
[[sources]]
kind = "feed"
name = "sud-ouest"
url = "{feeds}/news"
interval = "15m"

[[sources]]
kind = "feed"
name = "forum"
url = "{feeds}/status/503"

[[topics]]
name = "grève"
terms = ["grève", "mouvement social"]
severity = "crisis"
halt = ["conseils"]
auto_halt = true

[[topics]]
name = "noël"
terms = ["marché de noël"]
severity = "info"
"""

MORE = """<?xml version="1.0" encoding="UTF-8"?>
<rss version="2.0"><channel><title>Sud Ouest</title><link>https://www.sudouest.example/</link>
<description>Actualités</description>
{items}
</channel></rss>"""

ITEM = """<item><title>Grève : jour {n}</title>
<link>https://www.sudouest.example/greve-{n}.html</link></item>"""


def watched_site(base: Path) -> Path:
    """tests/sites/basic under `base`, after two watches and the hostile items."""
    root = base / "basic"
    shutil.copytree(SITES / "basic", root)
    with FeedServer() as feeds:
        (root / "brand" / "watch.toml").write_text(
            WATCH_TOML.format(feeds=feeds.url), encoding="utf-8"
        )
        config = load_watch(root, ["conseils", "hiver", "ateliers"])
        assert config is not None
        feeds.extra["/news"] = RSS
        watch(WatchSettings(root, datetime.fromisoformat(FIRST), {}), config)
        items = "\n".join(ITEM.format(n=n) for n in range(3))
        feeds.extra["/news"] = MORE.format(items=items)
        watch(WatchSettings(root, datetime.fromisoformat(SECOND), {}), config)
    Store.at(root).add_mentions(
        [
            Mention(
                "2026-11-30T08:00:00Z",
                "x-search",
                "x:1",
                "javascript:alert(1)",
                HOSTILE,
                "noël",
                "info",
                ("marché de noël",),
            )
        ]
    )
    return root
