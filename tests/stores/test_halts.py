"""state/halt.toml: one reader for push and the preview; what push refuses halts everything."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from cmbuild.errors import InputError, InputErrors
from cmbuild.preview.halts import halts_for, halts_shown
from cmbuild.stores.halts import Halt, Veille, add_halt, lift, read_halts, write_halts


def _write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "halt.toml"
    path.write_text(text, encoding="utf-8")
    return path


def test_no_file_no_halt(tmp_path: Path) -> None:
    assert read_halts(tmp_path / "missing.toml", "state/halt.toml") == ()
    assert halts_shown(tmp_path / "missing.toml") == ()


def test_push_and_the_preview_read_what_cmbuild_halt_writes(tmp_path: Path) -> None:
    path = tmp_path / "state" / "halt.toml"
    add_halt(path, "state/halt.toml", Halt("channel", "x-test", "compte suspendu", "2026-12-01"))
    add_halt(path, "state/halt.toml", Halt("all", None, "crise", "2026-12-02T09:00:00Z"))
    expected = (
        Halt("channel", "x-test", "compte suspendu", "2026-12-01"),
        Halt("all", None, "crise", "2026-12-02T09:00:00Z"),
    )
    assert read_halts(path, "state/halt.toml") == expected
    assert halts_shown(path) == expected
    assert expected[0].describe() == "halted (channel x-test) since 2026-12-01: compte suspendu"
    assert lift(path, "state/halt.toml", "all", None) == expected
    assert halts_shown(path) == ()


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        ("[[halt]\nreason = ", "state/halt.toml:1"),  # not TOML
        ("halt = 3", "halt"),
        ('[[halt]]\nreason = "sans cible"', "scope"),
        ("halt = [3]", "halt.0"),
        # The short spelling the preview used to accept, which push has always refused.
        ('[[halt]]\ncampaign = "hiver"\nreason = "prix"', "campaign"),
        ('[[halt]]\nscope = "campaign"\nname = "h"\nreason = "r"\nsince = "s"\nx = 1', "x"),
    ],
)
def test_what_push_refuses_the_preview_shows_as_a_halt_of_everything(
    tmp_path: Path, text: str, problem: str
) -> None:
    path = _write(tmp_path, text)
    with pytest.raises((InputError, InputErrors)):
        read_halts(path, "state/halt.toml")
    (halt,) = halts_shown(path)
    assert halt.scope == "all" and halt.since is None
    assert halt.reason.startswith("push refuses the halt file and stops: state/halt.toml")
    assert problem in halt.reason


@dataclass(frozen=True)
class _Variant:
    channel: str
    campaign: str | None


def test_matching() -> None:
    variant = _Variant("x-test", "hiver")
    assert halts_for(variant, (Halt("campaign", "hiver", "r", "s"),))
    assert halts_for(variant, (Halt("channel", "x-test", "r", "s"),))
    assert halts_for(variant, (Halt("all", None, "r", "s"),))
    others = (Halt("channel", "bluesky-test", "r", "s"), Halt("campaign", "x", "r", "s"))
    assert not halts_for(variant, others)
    assert not halts_for(_Variant("x-test", None), (Halt("campaign", "hiver", "r", "s"),))


_TEXT = st.text(st.characters(blacklist_categories=("Cs",)), min_size=1, max_size=40)


@given(topic=_TEXT, item=st.text(max_size=60), url=st.none() | _TEXT, reason=_TEXT)
@settings(max_examples=60, suppress_health_check=[HealthCheck.function_scoped_fixture])
def test_a_veille_halt_keeps_its_topic_and_item_through_the_file(
    tmp_path: Path, topic: str, item: str, url: str | None, reason: str
) -> None:
    path = tmp_path / "halt.toml"
    halt = Halt("post", "posts/fete.md", reason, "2026-12-01T09:00:00Z", Veille(topic, item, url))
    write_halts(path, (halt,))
    assert read_halts(path, "state/halt.toml") == (halt,)
