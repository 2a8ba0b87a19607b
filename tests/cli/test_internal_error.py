"""A defect of cmbuild itself: one line, a request to report it, exit 70; a closed pipe: 141."""

from __future__ import annotations

from pathlib import Path
from typing import NoReturn

import pytest

import cmbuild.build.run
from cmbuild.cli.options import EXIT_INTERNAL, EXIT_PIPE
from tests.helpers import cli


def _crash(message: str, kind: type[Exception] = RuntimeError) -> object:
    def stage(*args: object, **kwargs: object) -> NoReturn:
        raise kind(message)

    return stage


def test_an_internal_error_is_one_line_a_hint_and_its_own_exit_code(
    basic: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("CMBUILD_DEBUG", raising=False)
    monkeypatch.setattr(cmbuild.build.run, "image_facts", _crash("token=s3cr3t-value"))
    result = cli("build", "--root", str(basic))
    assert result.code == EXIT_INTERNAL == 70
    lines = result.err.splitlines()
    assert len(lines) == 2, result.err
    assert lines[0].startswith("internal error: RuntimeError in cmbuild/build/run.py:")
    assert lines[1].startswith("hint: this is a defect in cmbuild, not in your content")
    assert "please report it" in lines[1]
    # The exception's text may quote a credential or a post: it is not shown.
    assert "s3cr3t" not in result.err + result.out
    assert "Traceback" not in result.err + result.out
    assert not (basic / "output/manifest.json").exists()


def test_the_debug_variable_shows_the_error_itself(
    basic: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("CMBUILD_DEBUG", "1")
    monkeypatch.setattr(cmbuild.build.run, "image_facts", _crash("the details"))
    with pytest.raises(RuntimeError, match="the details"):
        cli("build", "--root", str(basic))


def test_a_closed_pipe_ends_quietly_with_141(basic: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("CMBUILD_DEBUG", raising=False)
    monkeypatch.setattr(cmbuild.build.run, "image_facts", _crash("", BrokenPipeError))
    result = cli("build", "--root", str(basic))
    assert result.code == EXIT_PIPE == 141
    assert result.err == ""


def test_usage_errors_and_findings_keep_their_codes(basic: Path) -> None:
    assert cli("build", "--root", str(basic), "--no-such-option").code == 2
    assert cli("build", "--root", str(basic)).code == 1  # the site's own findings
