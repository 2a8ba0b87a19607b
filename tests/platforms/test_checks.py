"""The checks every platform shares (cmbuild.platforms.checks)."""

from __future__ import annotations

import cmbuild.platforms as registry
from cmbuild.platforms.checks import SHORTEN_HINT, check_length, measure
from cmbuild.platforms.spec import Problem


def rules(problems: list[Problem]) -> list[str]:
    return [problem.rule for problem in problems]


def test_a_text_that_fits_has_no_problem() -> None:
    x = registry.get("x")
    assert x.check("Bonjour Bordeaux !", {}, [None]) == []


def test_length_over_the_limit() -> None:
    x = registry.get("x")
    problems = check_length(x.count("a" * 289 + " https://cm-bordeaux.fr"))
    assert problems == [
        Problem("platform.length", "error", "313/280 weighted characters: 33 over", SHORTEN_HINT)
    ]


def test_hashtags_over_the_platform_cap() -> None:
    instagram = registry.get("instagram")
    text = "Atelier #un #deux #trois #quatre #cinq #six"
    problems = instagram.check(text, {}, [None])
    assert rules(problems) == ["platform.hashtags"]
    assert problems[0].message.startswith("6 hashtags (#un #deux")
    assert problems[0].message.endswith("Instagram allows 5")
    assert instagram.check("#un #deux #trois #quatre #cinq", {}, [None]) == []


def test_no_hashtag_cap_where_the_platform_has_none() -> None:
    x = registry.get("x")
    assert x.check(" ".join(f"#t{n}" for n in range(20)), {}, []) == []


def test_too_many_images_and_missing_images() -> None:
    x = registry.get("x")
    assert rules(x.check("ok", {}, [None] * 5)) == ["platform.images"]
    instagram = registry.get("instagram")
    problems = instagram.check("ok", {}, [])
    assert rules(problems) == ["platform.image-required"]
    assert problems[0].severity == "error"


def test_alt_text_over_the_limit() -> None:
    x = registry.get("x")
    problems = x.check("ok", {}, ["court", "a" * 1001, None])
    assert rules(problems) == ["platform.alt-text"]
    assert problems[0].message == "image 2: alt text is 1001/1000 characters: 1 over"


def test_fields_over_their_limit_missing_or_with_forbidden_characters() -> None:
    pinterest = registry.get("pinterest")
    problems = pinterest.check("Une épingle", {"title": "t" * 101}, [None])
    assert rules(problems) == ["platform.field"]
    assert problems[0].message == "`title`: 101/100 utf-16 units: 1 over"
    youtube = registry.get("youtube")
    assert rules(youtube.check("Description", {}, [])) == ["platform.field"]
    assert rules(youtube.check("Description", {"title": "  "}, [])) == ["platform.field"]
    problems = youtube.check("Description", {"title": "Atelier <CM>"}, [])
    assert rules(problems) == ["platform.forbidden-chars"]
    assert problems[0].message == "`title` contains `<` `>`, which YouTube rejects"


def test_measure_in_each_unit() -> None:
    text = "Été 👨‍👩‍👧"
    assert measure(text, "characters") == 9
    assert measure(text, "graphemes") == 5
    assert measure(text, "utf-16 units") == 12
    assert measure(text, "utf-8 bytes") == 24
    assert measure(text, "weighted characters") == 6
