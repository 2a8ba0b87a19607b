"""UTM tagging of the brand's links: the cached parsing gives what urllib gives, per channel."""

from __future__ import annotations

from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from hypothesis import given
from hypothesis import strategies as st

from cmbuild.model import Utm
from cmbuild.render.links import add_utm, is_brand_link, missing_utm

DOMAINS = ("cm-bordeaux.fr",)


def reference(url: str, utm: Utm, campaign: str | None) -> str:
    """add_utm written directly with urllib, one parse per call."""
    try:
        host = (urlsplit(url).hostname or "").lower().rstrip(".")
    except ValueError:
        return url
    if not any(host == d or host.endswith("." + d) for d in DOMAINS):
        return url
    parts = urlsplit(url)
    query = parse_qsl(parts.query, keep_blank_values=True)
    present = {key for key, _ in query}
    wanted = [("utm_source", utm.source), ("utm_medium", utm.medium)]
    if campaign:
        wanted.append(("utm_campaign", campaign))
    query.extend((key, value) for key, value in wanted if key not in present)
    return urlunsplit(parts._replace(query=urlencode(query, safe="/:")))


def test_each_channel_gets_its_own_parameters() -> None:
    url = "https://cm-bordeaux.fr/atelier"
    for _ in range(2):  # the second round is served from the caches
        assert add_utm(url, Utm("x"), "rentree", DOMAINS) == (
            "https://cm-bordeaux.fr/atelier?utm_source=x&utm_medium=social&utm_campaign=rentree"
        )
        assert add_utm(url, Utm("linkedin", "social-pro"), None, DOMAINS) == (
            "https://cm-bordeaux.fr/atelier?utm_source=linkedin&utm_medium=social-pro"
        )


def test_parameters_already_there_are_kept() -> None:
    url = "https://www.cm-bordeaux.fr/a?utm_campaign=printemps&ref=1#programme"
    assert add_utm(url, Utm("mastodon"), "rentree", DOMAINS) == (
        "https://www.cm-bordeaux.fr/a?utm_campaign=printemps&ref=1"
        "&utm_source=mastodon&utm_medium=social#programme"
    )
    assert missing_utm(add_utm(url, Utm("mastodon"), None, DOMAINS)) == []


def test_each_variant_names_itself_in_utm_content_unless_the_writer_did() -> None:
    from cmbuild.render.links import utm_content
    from cmbuild.render.variant import variant_id

    content = utm_content(variant_id("posts/2026-12-01-atelier.md", "x-cmb"))
    assert len(content) == 8 and content == variant_id("posts/2026-12-01-atelier.md", "x-cmb")[:8]
    assert content != utm_content(variant_id("posts/2026-12-01-atelier.md", "bluesky-cmb"))
    url = "https://cm-bordeaux.fr/atelier"
    assert add_utm(url, Utm("x"), "rentree", DOMAINS, content) == (
        "https://cm-bordeaux.fr/atelier?utm_source=x&utm_medium=social&utm_campaign=rentree"
        f"&utm_content={content}"
    )
    chosen = "https://cm-bordeaux.fr/atelier?utm_content=banniere"
    assert add_utm(chosen, Utm("x"), None, DOMAINS, content).count("utm_content") == 1


def test_other_and_malformed_links_are_left_alone() -> None:
    assert add_utm("https://example.org/a", Utm("x"), "c", DOMAINS) == "https://example.org/a"
    assert add_utm("http://[::1/a", Utm("x"), "c", DOMAINS) == "http://[::1/a"  # bad IPv6 host
    assert not is_brand_link("http://[::1/a", DOMAINS)
    assert is_brand_link("https://CM-Bordeaux.fr./x", DOMAINS)
    assert not is_brand_link("https://notcm-bordeaux.fr/x", DOMAINS)


_PIECE = st.text(alphabet="abé-_./?=&#%:+ ", max_size=12)


@given(
    host=st.sampled_from(["cm-bordeaux.fr", "blog.cm-bordeaux.fr", "example.org", "[::1"]),
    path=_PIECE,
    query=_PIECE,
    source=st.sampled_from(["x", "bluesky", "l&i n"]),
    campaign=st.one_of(st.none(), st.sampled_from(["rentrée", "a b", "c"])),
)
def test_same_as_urllib(
    host: str, path: str, query: str, source: str, campaign: str | None
) -> None:
    url = f"https://{host}/{path}?{query}"
    assert add_utm(url, Utm(source), campaign, DOMAINS) == reference(url, Utm(source), campaign)
