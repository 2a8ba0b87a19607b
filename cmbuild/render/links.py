"""UTM tagging of the brand's own links, per channel and campaign."""

from __future__ import annotations

from collections.abc import Callable
from functools import lru_cache
from urllib.parse import SplitResult, parse_qsl, urlencode, urlsplit, urlunsplit

from cmbuild.model import Utm

UTM_KEYS = ("utm_source", "utm_medium", "utm_campaign")


def is_brand_link(url: str, domains: tuple[str, ...]) -> bool:
    """True when `url` points to one of the brand's domains (or a subdomain of one)."""
    host = _host(url)
    return host is not None and any(host == d or host.endswith("." + d) for d in domains)


# A post's link is tagged once per channel, and every channel of a campaign adds the same
# parameters: both caches turn most of the URL parsing of a build into look-ups.
@lru_cache(maxsize=4096)
def _split(url: str) -> SplitResult | None:
    try:
        parts = urlsplit(url)
        parts.hostname  # noqa: B018 - raises ValueError for a malformed host
    except ValueError:
        return None
    return parts


def _host(url: str) -> str | None:
    parts = _split(url)
    return None if parts is None else (parts.hostname or "").lower().rstrip(".")


def add_utm(
    url: str, utm: Utm, campaign: str | None, domains: tuple[str, ...], content: str | None = None
) -> str:
    """`url` with the channel's UTM parameters, when it is a brand link; other links unchanged.

    `content` (`utm_content`) names the variant: web analytics attribute each visit to the very
    post and channel that sent it. Parameters already present are kept (a writer may set a
    specific utm_content or campaign).
    """
    if not is_brand_link(url, domains):
        return url
    parts = _split(url)
    assert parts is not None  # a brand link has a host
    tagged = _tagged_query(parts.query, utm, campaign, content)
    return urlunsplit(parts._replace(query=tagged))


@lru_cache(maxsize=1024)
def _tagged_query(query: str, utm: Utm, campaign: str | None, content: str | None) -> str:
    """`query` with the UTM parameters it lacks, encoded again as a whole."""
    pairs = parse_qsl(query, keep_blank_values=True)
    present = {key for key, _ in pairs}
    wanted = [("utm_source", utm.source), ("utm_medium", utm.medium)]
    if campaign:
        wanted.append(("utm_campaign", campaign))
    if content:
        wanted.append(("utm_content", content))
    pairs.extend((key, value) for key, value in wanted if key not in present)
    return urlencode(pairs, safe="/:")


UTM_CONTENT_LENGTH = 8  # characters of the variant id: unique enough within a brand, short


def utm_content(variant_id: str) -> str:
    """The `utm_content` of a variant's links: the start of its id (the id is hexadecimal)."""
    return variant_id[:UTM_CONTENT_LENGTH]


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
