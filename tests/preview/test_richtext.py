"""Text as platforms show it: entities, folds, and HTML variants reduced to harmless markup."""

from __future__ import annotations

from cmbuild import platforms
from cmbuild.platforms.spec import Fold
from cmbuild.preview.richtext import Segment, clean_html, fold, segments


def _kinds(text: str, platform: str | None = "mastodon") -> list[tuple[str, str]]:
    shown = platforms.get(platform) if platform else None
    return [(s.kind, s.text) for s in segments(text, shown) if s.kind != "text"]


def test_links_hashtags_and_mentions() -> None:
    text = "Avec @laville et @ville@social.example : https://testbrand.fr/a#b #CM #Bordeaux2026"
    assert _kinds(text) == [
        ("mention", "@laville"),
        ("mention", "@ville@social.example"),
        ("link", "https://testbrand.fr/a#b"),  # the #b of the link is no hashtag
        ("hashtag", "#CM"),
        ("hashtag", "#Bordeaux2026"),
    ]
    assert "".join(s.text for s in segments(text, platforms.get("x"))) == text


def test_an_address_is_no_mention_and_a_number_no_hashtag() -> None:
    assert _kinds("Écrivez à contact@testbrand.fr, ticket #2026") == []


def test_x_links_bare_domains() -> None:
    assert _kinds("Voir testbrand.fr/hiver", "x") == [("link", "testbrand.fr/hiver")]
    assert (
        segments("Voir testbrand.fr/hiver", platforms.get("x"))[1].href
        == "https://testbrand.fr/hiver"
    )
    assert _kinds("Voir testbrand.fr/hiver", "bluesky") == []


def test_linkedin_mentions_show_the_name() -> None:
    text = r"Merci à @[La Ville \(Bordeaux\)](urn:li:organization:42) !"
    assert _kinds(text, "linkedin") == [("mention", "La Ville (Bordeaux)")]


def test_fold_points_are_platform_traits() -> None:
    folds = {name: platforms.get(name).fold for name in platforms.names()}
    assert {name for name, rule in folds.items() if rule is not None} == {
        "linkedin",
        "instagram",
        "facebook",
    }
    assert folds["linkedin"] == Fold(chars=210, lines=3)
    assert folds["instagram"] == Fold(chars=125, lines=2)
    assert folds["facebook"] == Fold(chars=480, lines=5)


def test_a_platform_no_longer_installed_shows_only_plain_entities() -> None:
    text = r"Voir testbrand.fr/hiver et @[La Ville](urn:li:organization:42) @laville"
    assert _kinds(text, None) == [("mention", "@laville")]


def test_a_short_text_does_not_fold() -> None:
    parts = segments("Court. #CM", platforms.get("instagram"))
    assert fold(parts, platforms.get("instagram").fold) == (parts, [])
    assert fold(parts, None) == (parts, [])


def test_a_long_text_folds_on_a_word_boundary_and_loses_nothing() -> None:
    text = "mot " * 100
    head, tail = fold(segments(text, platforms.get("linkedin")), Fold(chars=210))
    shown = "".join(s.text for s in head)
    assert len(shown) <= 210 and shown.endswith("mot")
    assert shown + "".join(s.text for s in tail) == text


def test_a_text_folds_after_its_last_shown_line() -> None:
    head, tail = fold(
        segments("un\ndeux\ntrois\nquatre", platforms.get("instagram")), Fold(chars=125, lines=2)
    )
    assert "".join(s.text for s in head) == "un\ndeux"
    assert "".join(s.text for s in tail) == "\ntrois\nquatre"


def test_an_entity_is_never_cut_by_the_fold() -> None:
    text = "a " * 60 + "https://testbrand.fr/un-lien-long"
    head, tail = fold(segments(text, platforms.get("instagram")), Fold(chars=125))
    assert all(s.kind == "text" for s in head)
    assert (
        Segment("link", "https://testbrand.fr/un-lien-long", "https://testbrand.fr/un-lien-long")
        in tail
    )


def test_html_keeps_text_and_links_and_drops_everything_that_loads() -> None:
    html = """<!doctype html><html><head><title>T</title>
    <link rel="stylesheet" href="https://cdn.example/x.css">
    <style>body{background:url(https://x.example/a.png)}</style></head>
    <body><header><a href="/">Site</a></header><main><h1 class="t" onclick="x()">Titre</h1>
    <p style="color:red">Un <strong>texte</strong> et
    <a href="https://testbrand.fr/" onmouseover="y()">un lien</a>
    <a href="javascript:alert(1)">piège</a></p>
    <figure><img src="https://x.example/b.png" alt="photo"></figure>
    <script>fetch("https://x.example/")</script><iframe src="https://x.example/"></iframe>
    <div style="display: none">caché</div><ul><li>un</li></ul></main></body></html>"""
    cleaned = clean_html(html)
    assert 'class="rt-heading rt-h1">Titre</p>' in cleaned
    assert "<strong>texte</strong>" in cleaned
    assert '<a href="https://testbrand.fr/" rel="noopener noreferrer">un lien</a>' in cleaned
    assert "piège" in cleaned and "javascript" not in cleaned
    for gone in ("<img", "<script", "<iframe", "<style", "<link", "url(", "style=", "onclick"):
        assert gone not in cleaned
    assert "onmouseover" not in cleaned and "caché" not in cleaned and ">Site<" not in cleaned
    assert "<li>un</li>" in cleaned


def test_html_text_is_escaped() -> None:
    assert clean_html("<p>a &lt;script&gt; b &amp; c</p>") == "<p>a &lt;script&gt; b &amp; c</p>"
