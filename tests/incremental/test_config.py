"""The configuration kept between builds: used while its files are unchanged, never trusted."""

from __future__ import annotations

import os
import pickle
import shutil
from pathlib import Path

import pytest

import cmbuild.load.site
from cmbuild.build import build
from cmbuild.incremental.config import FILE, read_cached, save
from cmbuild.load.site import load_config
from tests.helpers import edit

SITES = Path(__file__).parents[1] / "sites"
POST = "posts/2026-12-05-conseil.md"


@pytest.fixture
def site(tmp_path: Path) -> Path:
    root = tmp_path / "site"
    shutil.copytree(SITES / "basic", root)
    return root


def _no_loading(root: Path) -> tuple[object, object]:
    raise AssertionError("the configuration was loaded again")


def test_a_rebuild_with_the_same_configuration_does_not_load_it_again(
    site: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    build(site, preview=False)
    assert (site / "output/.cmbuild" / FILE).is_file()
    edit(site / POST, "adaptez le ton", "adaptez le ton, le format")
    monkeypatch.setattr(cmbuild.load.site, "load_config", _no_loading)
    assert build(site, preview=False).rendered == 1


def test_a_changed_configuration_is_loaded_again(
    site: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    build(site, preview=False)
    edit(site / "brand/charter.toml", "[brand]", "[brand]\n# a comment changes the digest")
    monkeypatch.setattr(cmbuild.load.site, "load_config", _no_loading)
    with pytest.raises(AssertionError, match="loaded again"):
        build(site, preview=False)


def test_check_keeps_nothing(site: Path) -> None:
    build(site, write=False)
    assert not (site / "output/.cmbuild" / FILE).exists()


def test_what_is_read_back_equals_what_was_loaded(site: Path, tmp_path: Path) -> None:
    config = load_config(site)
    save(tmp_path, "digest-1", config)
    assert read_cached(tmp_path, "digest-1") == config
    assert read_cached(tmp_path, "digest-2") is None  # another digest: load again


class _Planted:
    def __reduce__(self) -> tuple[object, tuple[str]]:
        return (os.system, ("touch planted",))


def test_a_planted_file_cannot_run_code(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / FILE).write_bytes(pickle.dumps((1, "digest", (), _Planted())))
    assert read_cached(tmp_path, "digest") is None
    assert not (tmp_path / "planted").exists()


@pytest.mark.parametrize("data", [b"", b"not a pickle", pickle.dumps({"format": 1})])
def test_a_damaged_file_means_loading_again(tmp_path: Path, data: bytes) -> None:
    (tmp_path / FILE).write_bytes(data)
    assert read_cached(tmp_path, "digest") is None
