"""The schedule diff and its Markdown, on hand-made variants."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta
from zoneinfo import ZoneInfo

from cmbuild.build.summary import Summary
from cmbuild.model import Finding, Media, Variant
from cmbuild.review.compare import Review, Side
from cmbuild.review.diff import ScheduleDiff, WordRun, schedule_diff, word_diff
from cmbuild.review.markdown import escape, render, words
from tests.check.factories import NOON, variant

PHOTO = Media("media/photo.jpg", "a" * 64, 1000, "Une salle.", 64, 48)


def _summary(*findings: Finding) -> Summary:
    return Summary(0, 0, 0, (), (), findings)


def _diff(base: list[Variant], head: list[Variant]) -> ScheduleDiff:
    return schedule_diff(base, head, _summary(), _summary())


def _markdown(diff: ScheduleDiff) -> str:
    return render(
        Review(
            Side("main", "1" * 40, (), _summary()), Side("working tree", None, (), _summary()), diff
        )
    )


def test_word_diff_keeps_deletes_and_inserts_words() -> None:
    assert word_diff("adaptez le ton et la longueur", "adaptez le style et la longueur") == (
        WordRun("equal", ("adaptez", "le")),
        WordRun("delete", ("ton",)),
        WordRun("insert", ("style",)),
        WordRun("equal", ("et", "la", "longueur")),
    )


def test_spacing_only_is_a_text_change_without_word_runs() -> None:
    diff = _diff([variant("Un message.\nUn lien.")], [variant("Un message.\n\nUn lien.")])
    (change,) = diff.changes
    assert change.text_changed and change.words == ()
    assert "- **text** on facebook-cmb: spacing or line breaks only" in _markdown(diff)


def test_unchanged_variants_are_not_listed() -> None:
    diff = _diff([variant("Bonjour")], [variant("Bonjour")])
    assert diff.channels == ()
    assert "No change to the schedule." in _markdown(diff)


def test_same_instant_in_another_zone_is_not_a_move() -> None:
    moved = variant("Bonjour", scheduled=NOON.astimezone(ZoneInfo("America/New_York")))
    assert _diff([variant("Bonjour")], [replace(moved, timezone="America/New_York")]).channels == ()


def test_move_across_zones_names_both_zones() -> None:
    later = (NOON + timedelta(days=1)).astimezone(ZoneInfo("America/New_York"))
    head = replace(variant("Bonjour", scheduled=later), timezone="America/New_York")
    diff = _diff([variant("Bonjour")], [head])
    assert diff.counts()["rescheduled"] == 1
    assert (
        "- **rescheduled** on facebook-cmb: Tue 2026-12-01 12:00 (Europe/Paris) → "
        "Wed 2026-12-02 06:00 (America/New_York)"
    ) in _markdown(diff)


def test_drafts_are_left_out_so_a_draft_put_in_review_is_added() -> None:
    draft = replace(variant("Bonjour"), status="draft")
    assert _diff([draft], [draft]).channels == ()
    diff = _diff([draft], [replace(draft, status="review")])
    assert [c.kind for c in diff.changes] == ["added"]


def test_new_image_content_under_the_same_name_shows_the_digests() -> None:
    base = variant("Bonjour", media=(PHOTO,))
    head = variant("Bonjour", media=(replace(PHOTO, sha256="b" * 64),))
    diff = _diff([base], [head])
    assert diff.counts()["image_changed"] == 1
    assert (
        "- **image** on facebook-cmb: `media/photo.jpg` 64×48, "
        "content changed (sha256 aaaaaaaa → bbbbbbbb)" in _markdown(diff)
    )


def test_findings_are_matched_without_their_line() -> None:
    old = Finding("charter.banned-wording", "error", 'banned wording "gratuit"', "posts/a.md", 12)
    moved = replace(old, line=14)
    other = replace(old, channel="x-test")
    diff = schedule_diff([], [], _summary(old), _summary(moved, other))
    assert diff.new_findings == (other,)
    assert diff.resolved_findings == ()


def test_escape_shows_text_literally_and_pings_nobody() -> None:
    assert escape("*Salut* @laville et #42 ou #TestBrand") == (
        r"\*Salut\* @&#8203;laville et #&#8203;42 ou #TestBrand"
    )
    assert escape("<p>[lien](x) &amp; _a_ utm_source</p>\n~~") == (
        r"\<p>\[lien\](x) \&amp; \_a\_ utm_source\</p> \~\~"
    )


def test_long_unchanged_stretches_are_cut() -> None:
    old = " ".join(f"m{i}" for i in range(30))
    runs = word_diff(old, old.replace("m15", "M15"))
    assert words(runs) == "… m10 m11 m12 m13 m14 ~~m15~~ **M15** m16 m17 m18 m19 m20 …"


def test_approving_a_post_is_a_change_that_says_when_it_goes_out() -> None:
    # The edit that makes a post go live: nothing else changes.
    review = [
        replace(variant("Bonjour", on=name), status="review") for name in ("x-cmb", "mastodon-cmb")
    ]
    approved = [replace(v, status="approved") for v in review]
    diff = _diff(review, approved)
    assert diff.counts()["status_changed"] == 1
    (post,) = diff.posts
    assert post.status == ("review", "approved")
    text = _markdown(diff)
    assert "No change to the schedule." not in text
    assert (
        "- **now approved** (was review): goes out Tue 2026-12-01 12:00 (Europe/Paris)"
        " on 2 channels"
    ) in text
    back = _markdown(_diff(approved[:1], review[:1]))
    assert "- **now review** (was approved): will not go out until approved again" in back


def test_changes_are_grouped_by_post_and_shared_ones_listed_once() -> None:
    base = [variant("Un vieux texte", on=name) for name in ("x-cmb", "mastodon-cmb")]
    head = [replace(v, text="Un nouveau texte") for v in base]
    text = _markdown(_diff(base, head))
    assert text.count("### `posts/") == 1
    assert "- **text** on mastodon-cmb, x-cmb: Un ~~vieux~~ **nouveau** texte" in text
