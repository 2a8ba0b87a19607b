"""UTM tagging of the brand's own links, per channel and campaign."""

from __future__ import annotations

from collections.abc import Callable
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from cmbuild.model import Utm

UTM_KEYS = ("utm_source", "utm_medium", "utm_campaign")


def is_brand_link(url: str, domains: tuple[str, ...]) -> bool:
    """True when `url` points to one of the brand's domains (or a subdomain of one)."""
    try:
        host = (urlsplit(url).hostname or "").lower().rstrip(".")
    except ValueError:
        return False
    return any(host == d or host.endswith("." + d) for d in domains)


def add_utm(url: str, utm: Utm, campaign: str | None, domains: tuple[str, ...]) -> str:
    """`url` with the channel's UTM parameters, when it is a brand link; other links unchanged.

    Parameters already present are kept (a writer may set a specific utm_content or campaign).
    """
    if not is_brand_link(url, domains):
        return url
    parts = urlsplit(url)
    query = parse_qsl(parts.query, keep_blank_values=True)
    present = {key for key, _ in query}
    wanted = [("utm_source", utm.source), ("utm_medium", utm.medium)]
    if campaign:
        wanted.append(("utm_campaign", campaign))
    query.extend((key, value) for key, value in wanted if key not in present)
    return urlunsplit(parts._replace(query=urlencode(query, safe="/:")))


def missing_utm(url: str) -> list[str]:
    """The UTM parameters `url` lacks (blank values count as missing)."""
    try:
        query = dict(parse_qsl(urlsplit(url).query, keep_blank_values=True))
    except ValueError:
        return list(UTM_KEYS)
    return [key for key in UTM_KEYS if not query.get(key, "").strip()]


def rewrite_bare_links(text: str, rewrite: Callable[[str], str]) -> str:
    """`text` with every http(s) link written as plain text (not Markdown) passed to `rewrite`.

    Markdown links are rewritten by the renderer; a link typed as is (`https://...`) is only text
    to Markdown, yet the brand's links must carry UTM wherever they appear.
    """
    if "://" not in text:
        return text
    from cmbuild.text.entities import url_spans

    pieces = []
    last = 0
    for start, end in url_spans(text):
        pieces.append(text[last:start])
        pieces.append(rewrite(text[start:end]))
        last = end
    pieces.append(text[last:])
    return "".join(pieces)
