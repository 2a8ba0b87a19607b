"""UTM tagging of the brand's own links, per channel and campaign."""

from __future__ import annotations

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
