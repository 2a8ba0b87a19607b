"""Complementarity: the same text on two channels within the charter's window."""

from __future__ import annotations

import random

from hypothesis import given
from hypothesis import strategies as st

from cmbuild.check.complementarity import _Texts, check_complementarity, normalise, similarity
from cmbuild.model import Variant
from tests.check import factories as make
from tests.check.synthetic import EXEMPT, synthetic_calendar

BODY = (
    "La session de janvier commence le 12 janvier : huit semaines pour apprendre le métier de "
    "community manager, avec le programme complet et des ateliers chaque jeudi."
)
OTHER = (
    "Retour en images sur l'atelier de jeudi dernier aux Chartrons : merci aux stagiaires pour "
    "leurs questions et à bientôt pour la prochaine session."
)
POST = make.post(
    BODY,
    channels=("facebook-cmb", "linkedin-cmb", "x-cmb", "bluesky-cmb"),
    lines={"channels.facebook-cmb": 6, "channels.linkedin-cmb": 7, "channels.x-cmb": 8},
)
POSTS = {make.SOURCE: POST}


def on(channel: str, text: str = BODY, after: float = 0, source: str = make.SOURCE) -> Variant:
    return make.variant(text, on=channel, source=source, scheduled=make.NOON + make.hours(after))


def test_same_post_on_two_channels_at_the_same_time() -> None:
    found = check_complementarity([on("linkedin-cmb"), on("facebook-cmb")], make.charter(), POSTS)
    [finding] = found
    assert finding.rule == "charter.complementarity"
    assert finding.severity == "warning"
    assert finding.channel == "linkedin-cmb"  # a tie goes to the later name
    assert finding.message == "same text as facebook-cmb at the same time (similarity 1.00)"
    assert finding.hint == (
        "write a different angle for linkedin-cmb with a `text:` override, "
        "or move it more than 24 h apart"
    )
    assert (finding.file, finding.line) == (make.SOURCE, 7)


def test_finding_goes_to_the_later_variant_with_the_gap() -> None:
    variants = [on("facebook-cmb", after=2.5), on("linkedin-cmb")]
    [finding] = check_complementarity(variants, make.charter(), POSTS)
    assert finding.channel == "facebook-cmb"
    assert finding.message == "same text as linkedin-cmb 2 h 30 min earlier (similarity 1.00)"
    assert finding.line == 6


def test_links_hashtags_mentions_and_punctuation_do_not_make_texts_different() -> None:
    facebook = on("facebook-cmb", BODY + "\nhttps://cm-bordeaux.fr/j?utm_source=facebook #CMB")
    linkedin = on("linkedin-cmb", BODY.upper() + " https://cm-bordeaux.fr/j?utm_source=li @cmb !!")
    assert len(check_complementarity([facebook, linkedin], make.charter(), POSTS)) == 1


def test_near_identical_texts_are_reported_with_their_similarity() -> None:
    # 27 words, 25 shingles; the last word changed: 24 shared of 26 in all.
    edited = BODY.replace("chaque jeudi", "chaque vendredi")
    [finding] = check_complementarity(
        [on("facebook-cmb"), on("linkedin-cmb", edited, after=1)], make.charter(), POSTS
    )
    assert finding.message == "same text as facebook-cmb 1 h earlier (similarity 0.92)"


def test_outside_the_window_is_fine() -> None:
    variants = [on("facebook-cmb"), on("linkedin-cmb", after=25)]
    assert check_complementarity(variants, make.charter(window_hours=24), POSTS) == []
    assert len(check_complementarity(variants, make.charter(window_hours=25), POSTS)) == 1


def test_channels_of_an_exempt_group_may_share_text() -> None:
    variants = [on("x-cmb"), on("bluesky-cmb"), on("linkedin-cmb", after=30)]
    charter = make.charter(exempt=(("x-cmb", "bluesky-cmb", "mastodon-cmb"),))
    assert check_complementarity(variants, charter, POSTS) == []


def test_different_texts_are_fine() -> None:
    variants = [on("facebook-cmb"), on("linkedin-cmb", OTHER)]
    assert check_complementarity(variants, make.charter(), POSTS) == []


def test_same_text_in_another_post_is_reported() -> None:
    variants = [on("facebook-cmb", after=1), on("linkedin-cmb", source="posts/copie.md")]
    [finding] = check_complementarity(variants, make.charter(), POSTS)
    assert finding.channel == "facebook-cmb"
    assert finding.message == (
        "same text as linkedin-cmb (posts/copie.md) 1 h earlier (similarity 1.00)"
    )


def test_other_posts_on_the_same_channel_or_with_other_text_are_fine() -> None:
    variants = [
        on("facebook-cmb"),
        on("facebook-cmb", source="posts/copie.md", after=1),
        on("linkedin-cmb", OTHER, source="posts/autre.md"),
    ]
    assert check_complementarity(variants, make.charter(), POSTS) == []


def test_texts_without_words_are_not_compared() -> None:
    variants = [on("facebook-cmb", "https://cm-bordeaux.fr 🎉"), on("linkedin-cmb", "#CMB !")]
    assert check_complementarity(variants, make.charter(), POSTS) == []


def test_severity_and_threshold_come_from_the_charter() -> None:
    edited = BODY.replace("chaque jeudi", "chaque vendredi")
    variants = [on("facebook-cmb"), on("linkedin-cmb", edited)]
    charter = make.charter(similarity=0.95, severities=(("charter.complementarity", "error"),))
    assert check_complementarity(variants, charter, POSTS) == []
    [finding] = check_complementarity([on("facebook-cmb"), on("linkedin-cmb")], charter, POSTS)
    assert finding.severity == "error"


def test_order_is_deterministic() -> None:
    variants = synthetic_calendar(600)
    expected = check_complementarity(variants, make.charter(exempt=EXEMPT), {})
    random.Random(1).shuffle(variants)
    assert check_complementarity(variants, make.charter(exempt=EXEMPT), {}) == expected
    assert expected


def test_short_texts_compare_by_word_sets() -> None:
    assert similarity("Bonne année !", "Année, bonne.") == 1.0
    assert similarity("Bonne année", "Bonne soirée à tous") == 0.2


def test_normalise() -> None:
    text = "N’hésitez PAS : l'Équipe https://cm-bordeaux.fr/x?a=1 #CMB @cmb@mastodon.social 🎉"
    assert normalise(text) == "n hesitez pas l equipe"


@given(st.text(), st.text())
def test_similarity_is_symmetric(first: str, second: str) -> None:
    assert similarity(first, second) == similarity(second, first)


@given(st.text())
def test_similarity_of_a_text_with_itself_is_one(text: str) -> None:
    assert similarity(text, text) == 1.0


@given(st.lists(st.sampled_from(["janvier", "Jänvier", "#cmb", "http://a.fr/x", ",", "é", "\n"])))
def test_normalising_by_paragraph_is_normalising_the_whole(parts: list[str]) -> None:
    text = " ".join(parts)
    assert _Texts().normalised(text) == normalise(text)


@given(st.text())
def test_normalising_any_text_by_paragraph_is_normalising_the_whole(text: str) -> None:
    assert _Texts().normalised(text) == normalise(text)
