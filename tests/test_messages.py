"""Messages a writer understands: the real cause once, on the right line, in plain words."""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path

import pytest

from tests.helpers import cli, edit

POST = "posts/2026-12-01-lancement.md"


def bad_input(root: Path) -> list[str]:
    """The error lines of a build that must stop on bad input (exit 2, no traceback)."""
    result = cli("build", "--root", str(root))
    assert "Traceback" not in result.err + result.out
    assert result.code == 2, result.err + result.out
    return [line for line in result.err.splitlines() if line.startswith("error: ")]


def test_a_channels_error_is_not_preceded_by_false_charter_errors(basic: Path) -> None:
    edit(basic / "channels.toml", 'platform = "bluesky"', 'platform = "bluesyk"')
    errors = bad_input(basic)
    assert errors == [
        "error: channels.toml:17: channels.bluesky-test.platform: unknown platform 'bluesyk' "
        "(did you mean 'bluesky'?); known platforms: blog, bluesky, facebook, instagram, "
        "linkedin, mastodon, newsletter, pinterest, threads, tumblr, x, youtube"
    ]


def test_an_unknown_channel_in_the_charter_gets_a_suggestion(basic: Path) -> None:
    edit(basic / "brand/charter.toml", '"bluesky-test", "mastodon-test"', '"bluesky-tset"')
    assert bad_input(basic) == [
        "error: brand/charter.toml:26: complementarity.exempt.0: unknown channel 'bluesky-tset' "
        "(did you mean 'bluesky-test'?) (channels in channels.toml: blog, bluesky-test, "
        "instagram-test, linkedin-test, mastodon-test, x-test)"
    ]


def test_a_bad_post_zone_is_reported_once_on_its_own_line(basic: Path) -> None:
    edit(basic / POST, "campaign: hiver", "campaign: hiver\ntimezone: Europe/Pari")
    assert bad_input(basic) == [
        f"error: {POST}:5: timezone: unknown time zone 'Europe/Pari' (did you mean "
        "'Europe/Paris'?): use a time zone name such as Europe/Paris or America/New_York"
    ]


def test_a_number_as_zone_is_reported_on_the_timezone_line(basic: Path) -> None:
    edit(basic / POST, "campaign: hiver", "campaign: hiver\ntimezone: 1")
    (error,) = bad_input(basic)
    assert error.startswith(f"error: {POST}:5: timezone: unknown time zone '1'")


def test_an_override_that_is_not_settings_is_one_plain_error(basic: Path) -> None:
    edit(
        basic / POST,
        "  x-test:\n    text:",
        "  x-test: hello\n    # was:",
    )
    (error,) = bad_input(basic)
    assert error.startswith(
        f"error: {POST}:12: channels.x-test: expected `key: value` lines indented under it, "
        "got 'hello'"
    )
    assert "expected a list" not in error and "table" not in error


def test_the_same_problem_on_several_channels_is_one_line(basic: Path) -> None:
    edit(basic / POST, "publish: 2026-12-01 09:00", "publish: 15/12/2026")
    assert bad_input(basic) == [
        f"error: {POST}:3: publish: '15/12/2026' is not a date and time [bluesky-test, x-test] "
        "(write the year first: 2026-12-15)"
    ]


def test_an_ambiguous_day_month_date_offers_both_readings(basic: Path) -> None:
    edit(basic / POST, "publish: 2026-12-01 09:00", "publish: 05/12/2026 9h30")
    (error,) = bad_input(basic)
    assert "write the year first: 2026-12-05 09:30 (day 5, month 12) or 2026-05-12 09:30" in error


def test_a_colon_in_a_title_says_to_quote_it(basic: Path) -> None:
    edit(
        basic / POST,
        'title: "Lancement de la session d’hiver"',
        "title: Marché de Noël : on y sera !",
    )
    assert bad_input(basic) == [
        f"error: {POST}:2: title: the value of `title` contains a colon followed by a space, "
        "which the front matter reads as the start of another setting (put the whole value in "
        'quotes: title: "Marché de Noël : on y sera !")'
    ]


def test_an_image_written_as_a_path_says_what_shape_is_expected(basic: Path) -> None:
    edit(
        basic / POST,
        'image:\n  path: media/photo.jpg\n  alt: "Une salle de formation lumineuse."\n',
        "image: media/photo.jpg\n",
    )
    (error,) = bad_input(basic)
    assert error.startswith(
        f"error: {POST}:7: image: expected `key: value` lines indented under it, "
        "got 'media/photo.jpg' (write `image:`, then on the next lines, indented: "
        "`path: media/photo.jpg`"
    )
    assert "table" not in error


def test_a_misspelt_status_gets_a_suggestion(basic: Path) -> None:
    edit(basic / POST, "status: approved", "status: aproved")
    (error,) = bad_input(basic)
    assert "got 'aproved' (did you mean 'approved'?)" in error


def test_a_misspelt_channel_gets_a_suggestion(basic: Path) -> None:
    edit(basic / POST, "  bluesky-test:\n", "  bluesky-tset:\n")
    (error,) = bad_input(basic)
    assert "unknown channel 'bluesky-tset' (did you mean 'bluesky-test'?)" in error


def test_a_misspelt_publish_key_is_the_error_shown(basic: Path) -> None:
    edit(basic / POST, "publish: 2026-12-01 09:00", "publsh: 2026-12-01 09:00")
    assert bad_input(basic) == [
        f"error: {POST}:3: publsh: unknown key 'publsh' (did you mean 'publish'?) "
        "(fix the spelling: this setting is not read as it is)"
    ]


def test_an_unknown_key_warning_suggests_the_known_one(basic: Path) -> None:
    edit(basic / POST, "status: approved", "status: approved\nstatut: review")
    result = cli("build", "--root", str(basic))
    assert result.code in (0, 1)
    assert "unknown key 'statut' is ignored (did you mean 'status'?)" in result.out


def test_a_missing_publish_time_is_one_line_naming_its_channels(basic: Path) -> None:
    edit(basic / POST, "publish: 2026-12-01 09:00\n", "")
    assert bad_input(basic) == [
        f"error: {POST}:2: publish: no publish time [bluesky-test, x-test] (add `publish: "
        "2026-12-01 09:00` to the post or to the channel's override)"
    ]


def test_findings_on_several_channels_are_one_line_and_errors_come_first(basic: Path) -> None:
    result = cli("build", "--root", str(basic))
    assert result.code == 1
    lines = [line for line in result.out.splitlines() if line.startswith("posts/")]
    alt = [line for line in lines if "(charter.alt-text)" in line]
    assert alt == [
        "posts/2026-12-12-problemes.md:8: [bluesky-test, instagram-test, linkedin-test, x-test] "
        'error: image "./../media/photo.jpg" has no alt text (charter.alt-text)'
    ]
    severities = [line.split("] ", 1)[1].split(":", 1)[0] for line in lines]
    assert severities == sorted(severities, key=["error", "warning"].index)
    assert "warning" in severities


def test_grouping_names_every_channel_and_sorts_by_severity() -> None:
    from cmbuild.build.summary import grouped_findings
    from cmbuild.model import Finding

    found = [
        Finding("r", "warning", "w", "posts/a.md", 2, "x"),
        Finding("r", "error", "same", "posts/b.md", 3, "y"),
        Finding("r", "error", "same", "posts/b.md", 3, "x"),
    ]
    assert [(f.severity, f.message, channels) for f, channels in grouped_findings(found)] == [
        ("error", "same", ("x", "y")),
        ("warning", "w", ("x",)),
    ]


def past_warnings(root: Path, now: str) -> list[str]:
    result = cli("build", "--root", str(root), "--now", now)
    assert result.code == 1, result.out + result.err  # the basic site has charter errors
    return [line for line in result.out.splitlines() if "(schedule.past)" in line]


def test_a_publish_time_already_past_is_a_warning(basic: Path) -> None:
    assert past_warnings(basic, "2026-12-01T08:00:00+01:00") == []
    assert past_warnings(basic, "2026-12-02T12:00:00+01:00") == [
        f"{POST}:3: [bluesky-test, x-test] warning: publish time 2026-12-01 09:00 (Europe/Paris) "
        "is already past (it is 2026-12-02 12:00 there now): it will not go out at that time "
        "(schedule.past)",
        f"{POST}:17: [linkedin-test] warning: publish time 2026-12-02 08:30 (Europe/Paris) "
        "is already past (it is 2026-12-02 12:00 there now): it will not go out at that time "
        "(schedule.past)",
    ]


def test_a_published_variant_is_not_warned_about(basic: Path) -> None:
    from cmbuild.stores.ledger import LedgerLine

    assert cli("build", "--root", str(basic)).code == 1
    manifest = json.loads((basic / "output/manifest.json").read_text(encoding="utf-8"))
    x = next(v for v in manifest["variants"] if v["channel"] == "x-test" and v["source"] == POST)
    line = LedgerLine(
        kind="published",
        variant=x["id"],
        channel="x-test",
        platform="x",
        content_hash="h",
        idempotency_key="k",
        at="2026-12-01T08:00:01Z",  # type: ignore[arg-type]
    )
    (basic / "state").mkdir(exist_ok=True)
    (basic / "state/ledger.jsonl").write_bytes(line.to_json())
    (warning, *_) = past_warnings(basic, "2026-12-02T12:00:00+01:00")
    assert warning.startswith(f"{POST}:3: [bluesky-test] warning: publish time 2026-12-01 09:00")


def test_the_clock_can_come_from_the_environment(
    basic: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("CMBUILD_NOW", "2026-12-02T12:00:00+01:00")
    result = cli("build", "--root", str(basic), "--json")
    rules = [f["rule"] for f in json.loads(result.out)["findings"]]
    assert rules.count("schedule.past") == 3


def campaign_warnings(root: Path) -> list[str]:
    result = cli("build", "--root", str(root))
    return [line for line in result.out.splitlines() if "(post.campaign)" in line]


def test_a_misspelt_campaign_gets_a_suggestion_until_it_is_fixed(basic: Path) -> None:
    edit(basic / "posts/2026-12-05-conseil.md", "campaign: conseils", "campaign: hiver")
    assert campaign_warnings(basic) == []
    edit(basic / POST, "campaign: hiver", "campaign: hivers")
    assert campaign_warnings(basic) == [
        f"{POST}:4: [bluesky-test, instagram-test, linkedin-test, x-test] warning: campaign "
        "'hivers' is used by no other post (did you mean 'hiver'?) (post.campaign)"
    ]
    edit(basic / POST, "campaign: hivers", "campaign: hiver")
    assert campaign_warnings(basic) == []


def test_another_year_of_a_campaign_is_not_a_typo(basic: Path) -> None:
    for name in ("posts/2026-12-05-conseil.md", "posts/2026-12-08-english.md"):
        text = (basic / name).read_text(encoding="utf-8")
        text = text.replace("campaign: conseils", "campaign: noel-2025")
        (basic / name).write_text(text.replace("campaign: hiver", "campaign: noel-2025"), "utf-8")
    edit(basic / POST, "campaign: hiver", "campaign: noel-2026")
    assert campaign_warnings(basic) == []


def test_the_preview_server_error_page_groups_channels_too() -> None:
    from cmbuild.errors import InputError
    from cmbuild.serve.server import error_page

    errors = [
        InputError(POST, "no publish time", line=2, key="publish", channel=name)
        for name in ("x-test", "bluesky-test")
    ]
    page = error_page(errors, 1).decode()
    assert page.count("no publish time") == 1
    assert "no publish time [bluesky-test, x-test]" in page
    assert "1 error" in page


def test_a_misspelt_key_does_not_hide_the_post_s_other_problems(basic: Path) -> None:
    edit(basic / POST, "status: approved", "statut: approved\nstatus: draft")
    edit(basic / POST, "publish: 2026-12-01 09:00", "publsh: 2026-12-01 09:00")
    edit(basic / POST, "  bluesky-test:\n", "  bluesky-tset:\n")
    errors = bad_input(basic)
    assert [e.split(": ", 3)[2] for e in errors] == ["publsh", "channels.bluesky-tset"]


def test_a_misspelt_key_is_named_with_a_bad_value_not_after_it(basic: Path) -> None:
    edit(basic / POST, "status: approved", "statut: approved")
    edit(basic / POST, "link: https://testbrand.fr/hiver", "link: pas une url")
    errors = bad_input(basic)
    assert [e.split(": ", 3)[2] for e in errors] == ["link", "statut"]
    assert "did you mean 'status'" in errors[1]


def test_an_input_error_passing_through_a_context_manager_stays_the_users_error() -> None:
    """A generator-based context manager sets `__traceback__` on what passes through it: the
    error must stay the named input error, not become a defect of cmbuild (exit 70)."""
    from contextlib import contextmanager

    from cmbuild.errors import InputError

    @contextmanager
    def paused() -> Iterator[None]:
        try:
            yield
        finally:
            pass

    wrong = InputError("state/watch/sources.json", "not JSON", key="sources")
    with pytest.raises(InputError) as raised, paused():
        raise wrong
    assert raised.value is wrong and hash(wrong) == hash(replace(wrong))
