"""The platform registry: built-ins and plug-ins through entry points, duplicates refused."""

from __future__ import annotations

import subprocess
import sys
import tomllib
from collections.abc import Iterator
from importlib.metadata import EntryPoint

import pytest

import cmbuild.platforms as registry
from cmbuild.platforms.base import Platform
from tests.conftest import REPO

BUILTIN = [
    "x",
    "mastodon",
    "bluesky",
    "threads",
    "linkedin",
    "facebook",
    "instagram",
    "pinterest",
    "youtube",
    "tumblr",
    "blog",
    "newsletter",
]


class Plugin(Platform):
    name = "plugin"
    label = "Plug-in"

    def length(self, text: str) -> int:
        return len(text)


class NotAPlatform:
    name = "odd"


@pytest.fixture
def plugins(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[EntryPoint]]:
    """Entry points the registry sees: cmbuild's, and those appended as if other packages had."""
    found: list[EntryPoint] = list(registry._entry_points())
    monkeypatch.setattr(registry, "_entry_points", lambda: found)
    registry._registered.cache_clear()
    registry._instance.cache_clear()
    yield found
    registry._registered.cache_clear()
    registry._instance.cache_clear()


def entry_point(name: str, target: str) -> EntryPoint:
    return EntryPoint(name=name, value=target, group=registry.ENTRY_POINT_GROUP)


def test_builtin_names() -> None:
    assert sorted(BUILTIN) == registry.names()


def test_the_builtins_are_the_entry_points_pyproject_declares() -> None:
    # A stale installation (pyproject.toml changed since `pip install -e .`) would fail here, with
    # the fix: `make .venv/bin/.installed`.
    declared = tomllib.loads((REPO / "pyproject.toml").read_text(encoding="utf-8"))
    table = declared["project"]["entry-points"][registry.ENTRY_POINT_GROUP]
    installed = {
        e.name: e.value for e in registry._entry_points() if e.value.startswith("cmbuild.")
    }
    assert installed == table
    assert sorted(table) == sorted(BUILTIN)


@pytest.mark.parametrize("name", BUILTIN)
def test_each_builtin_is_a_platform_of_that_name(name: str) -> None:
    platform = registry.get(name)
    assert isinstance(platform, Platform)
    assert platform.name == name
    assert platform.label
    assert platform.__class__.__module__ == f"cmbuild.platforms.{name}"
    assert platform.__class__.__module__ and (platform.__class__.__doc__ or "").strip()
    assert platform.count("Bonjour").length == 7


def test_unknown_name_lists_the_known_ones() -> None:
    with pytest.raises(KeyError, match="unknown platform 'myspace'; known platforms: blog, "):
        registry.get("myspace")


def test_a_plugin_is_registered_like_a_builtin(plugins: list[EntryPoint]) -> None:
    plugins.append(entry_point("plugin", f"{__name__}:Plugin"))
    assert "plugin" in registry.names()
    assert isinstance(registry.get("plugin"), Plugin)


def test_a_plugin_may_not_take_a_builtin_name(plugins: list[EntryPoint]) -> None:
    plugins.append(entry_point("x", f"{__name__}:Plugin"))
    with pytest.raises(registry.PlatformRegistryError, match=r"'x' .* already registered"):
        registry.names()
    with pytest.raises(registry.PlatformRegistryError, match=r"'x' .* already registered"):
        registry.get("x")


def test_two_plugins_may_not_share_a_name(plugins: list[EntryPoint]) -> None:
    plugins.append(entry_point("plugin", f"{__name__}:Plugin"))
    plugins.append(entry_point("plugin", "elsewhere:Other"))
    with pytest.raises(registry.PlatformRegistryError, match="already registered"):
        registry.get("plugin")


def test_a_plugin_must_be_a_platform_named_as_registered(plugins: list[EntryPoint]) -> None:
    plugins.append(entry_point("odd", f"{__name__}:NotAPlatform"))
    plugins.append(entry_point("renamed", f"{__name__}:Plugin"))
    with pytest.raises(registry.PlatformRegistryError, match="not a Platform"):
        registry.get("odd")
    with pytest.raises(registry.PlatformRegistryError, match="class named 'plugin'"):
        registry.get("renamed")


def test_asking_for_every_platform_imports_no_publisher_and_no_client_library() -> None:
    # A build asks for platforms; only `cmbuild push` may pay for publishers and their clients,
    # and only loading channels.toml for the options models (pydantic).
    script = (
        "import sys\n"
        "from cmbuild import platforms\n"
        "for name in platforms.names():\n"
        "    platforms.get(name).count('Bonjour')\n"
        "print('\\n'.join(sorted(sys.modules)))\n"
    )
    found = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, check=True, timeout=60
    ).stdout.split()
    heavy = {"mastodon", "atproto_client", "httpx", "boto3", "pydantic", "urllib.request"}
    assert [m for m in found if m.split(".")[0] in heavy or m in heavy] == []
    assert [m for m in found if m.startswith("cmbuild.platforms.shared")] == []
    assert [m for m in found if m.endswith((".publisher", ".options"))] == []
    assert "cmbuild.platforms.x" in found and "cmbuild.platforms.blog" in found
