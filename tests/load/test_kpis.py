"""brand/kpis.toml: targets read with their lines; every mistake named with file, line and key."""

from __future__ import annotations

from pathlib import Path

import pytest

from cmbuild.errors import InputError, InputErrors
from cmbuild.load.kpis import Kpi, load_kpis

CHANNELS = ["bluesky-cmb", "linkedin-cmb"]
CAMPAIGNS = ["meetup-decembre", "session-janvier"]


def load(tmp_path: Path, text: str) -> tuple[Kpi, ...]:
    (tmp_path / "brand").mkdir(exist_ok=True)
    (tmp_path / "brand" / "kpis.toml").write_text(text, encoding="utf-8")
    return load_kpis(tmp_path, CHANNELS, CAMPAIGNS)


def errors(tmp_path: Path, text: str) -> list[InputError]:
    with pytest.raises((InputError, InputErrors)) as caught:
        load(tmp_path, text)
    found = caught.value
    return [found] if isinstance(found, InputError) else list(found)


def test_targets_are_read_per_channel_campaign_and_brand(tmp_path: Path) -> None:
    kpis = load(
        tmp_path,
        '[[kpi]]\nmetric = "impressions"\ntarget = 1000\nwarn_below = 500\n\n'
        '[[kpi]]\nmetric = "engagement_rate"\nchannel = "bluesky-cmb"\nperiod = "week"\n'
        "target = 2.5\n\n"
        '[[kpi]]\nname = "Sign-ups"\nmetric = "conversions"\ncampaign = "session-janvier"\n'
        'period = "campaign"\ntarget = 40\nwarn_below = 15\n',
    )
    assert [(k.metric, k.scope, k.period, k.target, k.warn_below) for k in kpis] == [
        ("impressions", "whole brand", "month", 1000.0, 500.0),
        ("engagement_rate", "channel bluesky-cmb", "week", 2.5, None),
        ("conversions", "campaign session-janvier", "campaign", 40.0, 15.0),
    ]
    assert [k.line for k in kpis] == [1, 6, 12] and kpis[2].title == "Sign-ups"


def test_no_file_means_no_target(tmp_path: Path) -> None:
    assert load_kpis(tmp_path, CHANNELS, CAMPAIGNS) == ()


def test_invalid_toml_names_the_line(tmp_path: Path) -> None:
    (error,) = errors(tmp_path, '[[kpi]]\nmetric = "clicks\ntarget = 3\n')
    assert error.file == "brand/kpis.toml" and error.line == 2
    assert "invalid TOML" in error.message and error.hint


def test_an_unknown_metric_gets_a_suggestion(tmp_path: Path) -> None:
    (error,) = errors(tmp_path, '[[kpi]]\nmetric = "impresions"\ntarget = 3\n')
    assert (error.file, error.line, error.key) == ("brand/kpis.toml", 2, "kpi.0.metric")
    assert "did you mean 'impressions'?" in error.message
    assert "click_through_rate" in (error.hint or "")


def test_an_unknown_channel_or_campaign_is_named_with_a_suggestion(tmp_path: Path) -> None:
    found = errors(
        tmp_path,
        '[[kpi]]\nmetric = "clicks"\nchannel = "bluesky"\ntarget = 3\n\n'
        '[[kpi]]\nmetric = "clicks"\ncampaign = "meetup-decmbre"\ntarget = 3\n',
    )
    assert [(e.line, e.key) for e in found] == [(3, "kpi.0.channel"), (8, "kpi.1.campaign")]
    assert "did you mean 'bluesky-cmb'?" in found[0].message
    assert "did you mean 'meetup-decembre'?" in found[1].message


@pytest.mark.parametrize("value", ['"1000"', '"4 %"', "true"])
def test_a_target_that_is_not_a_number(tmp_path: Path, value: str) -> None:
    (error,) = errors(tmp_path, f'[[kpi]]\nmetric = "clicks"\ntarget = {value}\n')
    assert (error.line, error.key) == (3, "kpi.0.target")
    assert "number" in error.message and "without quotes" in (error.hint or "")


def test_a_period_that_does_not_parse(tmp_path: Path) -> None:
    (error,) = errors(tmp_path, '[[kpi]]\nmetric = "clicks"\nperiod = "mnth"\ntarget = 3\n')
    assert (error.line, error.key) == (3, "kpi.0.period")
    assert "did you mean 'month'?" in error.message


def test_a_campaign_period_needs_its_campaign(tmp_path: Path) -> None:
    (error,) = errors(tmp_path, '[[kpi]]\nmetric = "clicks"\nperiod = "campaign"\ntarget = 3\n')
    assert error.key == "kpi.0.period" and "campaign" in (error.hint or "")


def test_an_unknown_key_and_a_missing_target(tmp_path: Path) -> None:
    found = errors(
        tmp_path,
        '[[kpi]]\nmetric = "clicks"\ntarget = 3\nwarn_bellow = 1\n\n[[kpi]]\nmetric = "visits"\n',
    )
    assert {(e.line, e.key, e.message) for e in found} == {
        (4, "kpi.0.warn_bellow", "unknown key"),
        (6, "kpi.1.target", "missing"),
    }
    assert "warn_below" in (next(e for e in found if e.line == 4).hint or "")


def test_warn_below_above_the_target(tmp_path: Path) -> None:
    (error,) = errors(tmp_path, '[[kpi]]\nmetric = "clicks"\ntarget = 3\nwarn_below = 5\n')
    assert (error.line, error.key) == (4, "kpi.0.warn_below")


def test_a_response_time_target_is_a_most(tmp_path: Path) -> None:
    (kpi,) = load(tmp_path, '[[kpi]]\nmetric = "response_hours"\ntarget = 2\nwarn_above = 6\n')
    assert (kpi.target, kpi.warn_above, kpi.warn_below) == (2.0, 6.0, None)
    found = errors(
        tmp_path,
        '[[kpi]]\nmetric = "response_hours"\ntarget = 2\nwarn_below = 1\n\n'
        '[[kpi]]\nmetric = "clicks"\ntarget = 2\nwarn_above = 1\n\n'
        '[[kpi]]\nmetric = "response_hours"\ntarget = 2\nwarn_above = 1\n',
    )
    assert [(e.line, e.key) for e in found] == [
        (4, "kpi.0.warn_below"),
        (9, "kpi.1.warn_above"),
        (14, "kpi.2.warn_above"),
    ]
    assert "warn_above" in (found[0].hint or "")
