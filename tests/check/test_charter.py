"""The charter's per-variant rules (docs/charter.md), one rule at a time."""

from __future__ import annotations

import pytest

from cmbuild.check.charter import check_variant
from cmbuild.model import BannedExpression, ChannelOverride, Charter, Finding, Post, RequiredText
from tests.check import factories as make

GRATUIT = BannedExpression("gratuit", suggest="offert")
HESITEZ = BannedExpression("n'hésitez pas", suggest="écrivez-nous", reason="formule creuse")


def check(
    text: str,
    charter: Charter,
    *,
    on: str = "facebook-cmb",
    post: Post | None = None,
    channel_lang: str | None = "fr",
    **variant: object,
) -> list[Finding]:
    built = make.variant(text, on=on, **variant)  # type: ignore[arg-type]
    return check_variant(built, post or make.post(text), make.channel(on, channel_lang), charter)


def of_rule(findings: list[Finding], rule: str) -> list[Finding]:
    return [finding for finding in findings if finding.rule == rule]


# charter.banned-wording


@pytest.mark.parametrize(
    "written",
    ["gratuit", "Gratuit", "GRATUIT", "gratuît", "gratüit", "GRATUÏT", "ｇｒａｔｕｉｔ"],
)
def test_banned_wording_ignores_case_and_accents(written: str) -> None:
    [found] = check(f"Atelier {written} jeudi.", make.charter(GRATUIT))
    assert found.rule == "charter.banned-wording"
    assert found.severity == "error"
    assert found.message == f'banned wording "{written}"'
    assert found.hint == f'write "offert" instead of "{written}"'


@pytest.mark.parametrize("text", ["Atelier gratuitement ouvert.", "Entrée gratuite.", "ingratuit"])
def test_banned_wording_matches_whole_words_only(text: str) -> None:
    assert check(text, make.charter(GRATUIT)) == []


@pytest.mark.parametrize(
    "text",
    [
        "n'hésitez pas à nous écrire",
        "N’hésitez pas à nous écrire",
        "N‘HÉSITEZ PAS à nous écrire",
        "Nʼhesitez pas à nous écrire",
    ],
)
def test_banned_wording_treats_apostrophes_alike(text: str) -> None:
    [found] = check(text, make.charter(HESITEZ))
    assert found.message == f'banned wording "{text[:13]}" (formule creuse)'
    assert found.hint == f'write "écrivez-nous" instead of "{text[:13]}"'


@pytest.mark.parametrize("space", ["\u00a0", "\u202f", "  ", "\n", "\t"])
def test_banned_expression_matches_across_any_whitespace(space: str) -> None:
    [found] = check(f"Alors, n'hésitez{space}pas !", make.charter(HESITEZ))
    assert found.message == f'banned wording "n\'hésitez{space}pas" (formule creuse)'


def test_banned_wording_is_reported_once_per_expression_with_a_count() -> None:
    found = check("Gratuit ! Oui, gratuit. N'hésitez pas.", make.charter(HESITEZ, GRATUIT))
    assert [f.message for f in found] == [
        'banned wording "N\'hésitez pas" (formule creuse)',
        'banned wording "Gratuit" (2 times)',
    ]


def test_banned_wording_points_at_the_line_of_the_body() -> None:
    post = make.post("Bonjour.\n\nUn atelier gratuit jeudi.\n", body_line=12)
    [found] = check("Bonjour.\n\nUn atelier gratuit jeudi.", make.charter(GRATUIT), post=post)
    assert (found.file, found.line, found.channel) == (make.SOURCE, 14, "facebook-cmb")


def test_banned_wording_in_links_and_html_tags_is_not_the_writer_s() -> None:
    charter = make.charter(GRATUIT)
    assert check("Voir https://example.org/atelier-gratuit/gratuit", charter) == []
    html = '<p class="gratuit"><a href="https://example.org/gratuit">Programme</a></p>'
    assert check(html, charter, html=True) == []
    [found] = check("<p>Atelier <strong>gratuit</strong></p>", charter, html=True)
    assert found.message == 'banned wording "gratuit"'


def test_banned_wording_in_a_field_names_the_field() -> None:
    post = make.post(lines={"channels.pinterest-cmb.description": 9})
    [found] = check(
        "Atelier jeudi.",
        make.charter(GRATUIT),
        on="pinterest-cmb",
        post=post,
        fields=(("description", "Un atelier gratuit."),),
    )
    assert found.message == 'banned wording "gratuit" in the description'
    assert found.line == 9


def test_banned_expression_severity_wins_over_the_charter_s() -> None:
    quiet = BannedExpression("gratuit", severity="info")
    charter = make.charter(quiet, HESITEZ, severities=(("charter.banned-wording", "warning"),))
    found = check("Gratuit, n'hésitez pas.", charter)
    assert [(f.message.split('"')[1], f.severity) for f in found] == [
        ("Gratuit", "info"),
        ("n'hésitez pas", "warning"),
    ]


# charter.required-text

CMB_ON_X = RequiredText("#CMBordeaux", platforms=("x",))


def test_required_hashtag_missing_is_reported() -> None:
    [found] = check("Session de janvier.", make.charter(required=(CMB_ON_X,)), on="x-cmb")
    assert found.rule == "charter.required-text"
    assert found.severity == "warning"
    assert found.message == 'missing "#CMBordeaux", which the charter requires on x-cmb'
    assert found.hint is not None and "#CMBordeaux" in found.hint


@pytest.mark.parametrize("text", ["Session #CMBordeaux", "Session #cmbordeaux", "#CMBORDEAUX !"])
def test_required_hashtag_matches_in_any_case(text: str) -> None:
    assert check(text, make.charter(required=(CMB_ON_X,)), on="x-cmb") == []


def test_required_text_applies_only_where_its_filters_say() -> None:
    charter = make.charter(
        required=(
            CMB_ON_X,
            RequiredText("#Janvier", channels=("linkedin-cmb",)),
            RequiredText("#Formation", campaigns=("autre-campagne",)),
        )
    )
    assert check("Session de janvier.", charter, on="facebook-cmb") == []
    [found] = check("Session de janvier.", charter, on="linkedin-cmb")
    assert found.message.startswith('missing "#Janvier"')


def test_required_wording_ignores_case_and_accents() -> None:
    charter = make.charter(required=(RequiredText("CM Bordeaux Métropole"),))
    assert check("Avec cm bordeaux METROPOLE.", charter) == []
    assert len(check("Avec CM Bordeaux.", charter)) == 1


# charter.hashtag-cap


def test_more_hashtags_than_the_cap_is_an_error() -> None:
    [found] = check("Janvier #Un #Deux #Trois #Quatre", make.charter(hashtag_max=3))
    assert found.rule == "charter.hashtag-cap"
    assert found.severity == "error"
    assert found.message == "4 hashtags (#Un #Deux #Trois #Quatre); the charter allows 3"


def test_hashtags_up_to_the_cap_are_fine() -> None:
    assert check("Janvier #Un #Deux #Trois", make.charter(hashtag_max=3)) == []
    assert check("Janvier #Un #Deux #Trois #Quatre", make.charter()) == []


# charter.emoji-cap


def test_more_emoji_than_the_cap_is_a_warning() -> None:
    [found] = check("Janvier 🎉🚀 👩‍👩‍👧‍👦 🇫🇷", make.charter(emoji_max=3))
    assert found.rule == "charter.emoji-cap"
    assert found.severity == "warning"
    assert found.message == "4 emoji; the charter allows 3"


def test_emoji_up_to_the_cap_are_fine() -> None:
    # A ZWJ family and a flag are one emoji each.
    assert check("Janvier 🎉 👩‍👩‍👧‍👦 🇫🇷", make.charter(emoji_max=3)) == []


def test_severity_from_the_charter_overrides_the_default() -> None:
    charter = make.charter(emoji_max=0, severities=(("charter.emoji-cap", "error"),))
    [found] = check("Janvier 🎉", charter)
    assert found.severity == "error"


# charter.disclosure

DISCLOSURES = ("#partenariat", "Publicité")


def test_sponsored_post_without_disclosure_is_an_error() -> None:
    post = make.post(sponsored=True, lines={"sponsored": 6})
    [found] = check(
        "Merci à notre partenaire.",
        make.charter(disclosures=DISCLOSURES),
        post=post,
        sponsored=True,
    )
    assert found.rule == "charter.disclosure"
    assert found.severity == "error"
    assert found.message == (
        'sponsored post without a disclosure: no "#partenariat" or "Publicité" in the text'
    )
    assert found.line == 6


@pytest.mark.parametrize("text", ["Merci ! #Partenariat", "PUBLICITE : merci !", "publicité"])
def test_sponsored_post_with_a_disclosure_is_fine(text: str) -> None:
    assert check(text, make.charter(disclosures=DISCLOSURES), sponsored=True) == []


def test_disclosure_is_only_for_sponsored_posts() -> None:
    assert check("Merci à notre partenaire.", make.charter(disclosures=DISCLOSURES)) == []


# charter.alt-text


@pytest.mark.parametrize("alt", [None, "", "   "])
def test_image_without_alt_text_is_an_error(alt: str | None) -> None:
    post = make.post(images=(make.image(alt=alt, line=7),))
    [found] = check("Janvier.", make.charter(), post=post, media=(make.media(alt=alt),))
    assert found.rule == "charter.alt-text"
    assert found.message == 'image "media/salle.jpg" has no alt text'
    assert found.line == 7


def test_image_with_alt_text_or_no_requirement_is_fine() -> None:
    described = (make.media(alt="Six stagiaires autour d'une table."),)
    assert check("Janvier.", make.charter(), media=described) == []
    bare = (make.media(alt=None),)
    assert check("Janvier.", make.charter(alt_required=False), media=bare) == []


def test_processed_image_is_traced_back_to_the_front_matter_by_position() -> None:
    post = make.post(images=(make.image("media/a.jpg", line=7), make.image("media/b.jpg", line=9)))
    shown = (make.media("out/a-1080.jpg", alt="A"), make.media("out/b-1080.jpg", alt=None))
    [found] = check("Janvier.", make.charter(), post=post, media=shown)
    assert (found.message, found.line) == ('image "media/b.jpg" has no alt text', 9)


# charter.utm

TAGGED = "utm_source=facebook&utm_medium=social&utm_campaign=session-janvier"


def test_brand_link_without_utm_is_an_error() -> None:
    [found] = check("Programme : https://cm-bordeaux.fr/janvier", make.charter())
    assert found.rule == "charter.utm"
    assert found.severity == "error"
    assert found.message == (
        'link "https://cm-bordeaux.fr/janvier" to the brand\'s site lacks '
        "utm_source and utm_medium and utm_campaign"
    )
    assert found.hint == f"add {TAGGED} to the link"


def test_link_to_a_subdomain_of_a_brand_domain_needs_utm_too() -> None:
    link = "https://www.cm-bordeaux.fr/janvier?utm_source=facebook"
    [found] = check(f"Programme : {link}", make.charter())
    assert found.message == f'link "{link}" to the brand\'s site lacks utm_medium and utm_campaign'
    assert found.hint == "add utm_medium=social&utm_campaign=session-janvier to the link"


@pytest.mark.parametrize(
    "link",
    [
        f"https://cm-bordeaux.fr/janvier?{TAGGED}",
        f"https://blog.cm-bordeaux.fr/janvier?{TAGGED}",
        "https://example.org/janvier",
        "https://notcm-bordeaux.fr/janvier",
    ],
)
def test_tagged_brand_links_and_foreign_links_are_fine(link: str) -> None:
    assert check(f"Programme : {link}", make.charter()) == []


def test_main_link_is_checked_and_points_at_its_key() -> None:
    post = make.post(link="https://cm-bordeaux.fr/janvier", lines={"link": 4})
    [found] = check("Janvier.", make.charter(), post=post, link="https://cm-bordeaux.fr/janvier")
    assert found.line == 4


def test_link_without_campaign_asks_for_one() -> None:
    [found] = check(
        "https://cm-bordeaux.fr/x?utm_source=f&utm_medium=s", make.charter(), campaign=None
    )
    assert found.hint == "set campaign: in the front matter (cmbuild adds utm_campaign from it)"


# charter.language


def test_text_in_another_language_than_the_channel_s_is_a_warning() -> None:
    [found] = check("January session.", make.charter(), lang="en")
    assert found.rule == "charter.language"
    assert found.severity == "warning"
    assert found.message == 'text in "en" on facebook-cmb, which publishes in "fr"'


@pytest.mark.parametrize(
    ("lang", "channel_lang"),
    [("fr", "fr"), ("fr-FR", "fr"), ("FR", "fr"), (None, "fr"), ("en", None)],
)
def test_same_or_unknown_language_is_fine(lang: str | None, channel_lang: str | None) -> None:
    assert check("Session.", make.charter(), lang=lang, channel_lang=channel_lang) == []


def test_regional_variants_differ() -> None:
    assert of_rule(
        check("Session.", make.charter(), lang="fr-CA", channel_lang="fr-FR"), "charter.language"
    )


# all rules


def test_every_finding_names_file_line_channel_and_hint() -> None:
    charter = make.charter(
        GRATUIT,
        required=(CMB_ON_X,),
        hashtag_max=0,
        emoji_max=0,
        disclosures=DISCLOSURES,
    )
    post = make.post(
        "Atelier gratuit.\n",
        channels=("x-cmb",),
        overrides={"x-cmb": ChannelOverride(text="Atelier gratuit #Janvier 🎉\n")},
        lines={"channels.x-cmb": 6, "channels.x-cmb.text": 7},
        images=(make.image(),),
        sponsored=True,
    )
    found = check(
        "Atelier gratuit #Janvier 🎉 https://cm-bordeaux.fr/a",
        charter,
        on="x-cmb",
        post=post,
        media=(make.media(),),
        sponsored=True,
        lang="en",
    )
    assert sorted({f.rule for f in found}) == [
        "charter.alt-text",
        "charter.banned-wording",
        "charter.disclosure",
        "charter.emoji-cap",
        "charter.hashtag-cap",
        "charter.language",
        "charter.required-text",
        "charter.utm",
    ]
    for finding in found:
        assert finding.file == make.SOURCE
        assert finding.channel == "x-cmb"
        assert finding.line is not None
        assert finding.hint
    assert of_rule(found, "charter.banned-wording")[0].line == 8  # the override's first line
