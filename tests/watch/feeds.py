"""A local web server on 127.0.0.1 answering with the feed shapes found in the wild.

Each route is one shape: RSS 2.0, Atom, a Google Alerts Atom feed (HTML in titles, links through
google.com/url), a BOM, gzip, a redirect, ETag/Last-Modified with 304, malformed XML, 50 MB, a
hang, and 401/429/503.
"""

from __future__ import annotations

import gzip
import time
from http.server import BaseHTTPRequestHandler

from tests.push.fake_http import LocalServer, send

RSS = """<?xml version="1.0" encoding="UTF-8"?>
<rss version="2.0"><channel><title>Sud Ouest</title><link>https://www.sudouest.example/</link>
<description>Actualités</description>
<item><title>Grève des transports à Bordeaux : les trams à l'arrêt</title>
<link>https://www.sudouest.example/bordeaux/greve-tram-123.html</link>
<guid isPermaLink="true">https://www.sudouest.example/bordeaux/greve-tram-123.html</guid>
<description>Le mouvement social se durcit.</description>
<pubDate>Tue, 01 Dec 2026 07:30:00 +0100</pubDate></item>
<item><title>Marché de Noël ouvert</title><link>https://www.sudouest.example/noel.html</link>
<pubDate>Tue, 01 Dec 2026 06:00:00 +0100</pubDate></item>
</channel></rss>"""

ATOM = """<?xml version="1.0" encoding="utf-8"?>
<feed xmlns="http://www.w3.org/2005/Atom"><title>Blog</title><id>urn:uuid:blog</id>
<updated>2026-12-01T08:00:00Z</updated>
<entry><title>Concert annulé ce soir</title><id>urn:uuid:e1</id>
<link href="https://blog.example/concert-annule"/><updated>2026-12-01T08:00:00Z</updated>
<author><name>Léa</name></author><summary>La salle est fermée.</summary></entry>
</feed>"""

GOOGLE_ALERTS = """<?xml version="1.0" encoding="utf-8"?>
<feed xmlns="http://www.w3.org/2005/Atom" xmlns:idx="urn:atom-extension:indexing">
<id>tag:google.com,2005:reader/user/0123/state/com.google/alerts/456</id>
<title>Alerte Google - cm bordeaux</title><updated>2026-12-01T08:10:00Z</updated>
<entry><id>tag:google.com,2013:googlealerts/feed:789</id>
<title type="html">Les élèves de &lt;b&gt;CM Bordeaux&lt;/b&gt; &amp;amp; la grève</title>
<link href="https://www.google.com/url?rct=j&amp;sa=t&amp;url=https://news.example/cm&amp;ct=ga"/>
<published>2026-12-01T08:10:00Z</published><updated>2026-12-01T08:10:00Z</updated>
<content type="html">Les &lt;b&gt;élèves&lt;/b&gt; manifestent</content>
<author><name/></author></entry>
</feed>"""

HTML_TITLES = RSS.replace(
    "<title>Marché de Noël ouvert</title>",
    "<title>&lt;em&gt;Exclusif&lt;/em&gt; : rappel produit &amp;amp; lait</title>",
)
MALFORMED = "<rss><channel><title>oops</title><item><title>cut"
ETAG = '"v1"'
LAST_MODIFIED = "Tue, 01 Dec 2026 07:00:00 GMT"


class FeedServer(LocalServer):
    """Serves the shapes above by path; `requests` records (path, conditional headers)."""

    def __init__(self) -> None:
        super().__init__()
        self.requests: list[tuple[str, str | None, str | None]] = []
        self.extra: dict[str, str] = {}  # path → an RSS document a test adds

    def handle(self, handler: BaseHTTPRequestHandler) -> None:
        path = handler.path.partition("?")[0]  # a feed's query (a token) does not change it
        etag, since = handler.headers.get("If-None-Match"), handler.headers.get("If-Modified-Since")
        self.requests.append((path, etag, since))
        xml = {"Content-Type": "application/xml; charset=utf-8"}
        if path in self.extra:
            send(handler, 200, self.extra[path].encode(), xml)
        elif path == "/rss":
            send(handler, 200, RSS.encode(), xml)
        elif path == "/atom":
            send(handler, 200, ATOM.encode(), {"Content-Type": "application/atom+xml"})
        elif path == "/alerts":
            send(handler, 200, GOOGLE_ALERTS.encode(), xml)
        elif path == "/html-titles":
            send(handler, 200, HTML_TITLES.encode(), xml)
        elif path == "/bom":
            send(handler, 200, b"\xef\xbb\xbf" + RSS.encode(), xml)
        elif path == "/gzip":
            send(handler, 200, gzip.compress(RSS.encode()), {**xml, "Content-Encoding": "gzip"})
        elif path == "/moved":
            send(handler, 301, b"", {"Location": "/rss"})
        elif path == "/loop":
            send(handler, 302, b"", {"Location": "/loop"})
        elif path == "/to-file":
            send(handler, 302, b"", {"Location": "file:///etc/passwd"})
        elif path == "/conditional":
            if etag == ETAG or since == LAST_MODIFIED:
                send(handler, 304, b"", {"ETag": ETAG})
            else:
                send(
                    handler,
                    200,
                    RSS.encode(),
                    {**xml, "ETag": ETAG, "Last-Modified": LAST_MODIFIED},
                )
        elif path == "/malformed":
            send(handler, 200, MALFORMED.encode(), xml)
        elif path == "/huge":
            self._huge(handler)
        elif path == "/hang":
            time.sleep(3)
        elif path.startswith("/status/"):
            code = int(path.rsplit("/", 1)[1])
            send(handler, code, b"no", {"Retry-After": "120"})
        else:
            send(handler, 404, b"not found", {})

    def _huge(self, handler: BaseHTTPRequestHandler) -> None:
        # 50 MB, sent in chunks without a Content-Length: only reading stops it.
        handler.send_response(200)
        handler.send_header("Content-Type", "application/xml")
        handler.end_headers()
        chunk = b"<!-- " + b"x" * 1_000_000 + b" -->"
        try:
            handler.wfile.write(b"<rss><channel>")
            for _ in range(50):
                handler.wfile.write(chunk)
        except (BrokenPipeError, ConnectionResetError):
            pass
