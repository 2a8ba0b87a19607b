"""The platform registry: every platform cmbuild knows, by name.

Built-in platforms are registered below, by module, and imported only when first asked for. Other
packages add platforms through the ``cmbuild.platforms`` entry-point group, each entry point
naming a `Platform` subclass::

    [project.entry-points."cmbuild.platforms"]
    mastodon-glitch = "cmbuild_glitch:GlitchMastodon"

A plug-in whose name is already taken (by a built-in or another plug-in) is an error.
"""

from __future__ import annotations

from collections.abc import Iterable
from functools import cache
from importlib import import_module
from typing import TYPE_CHECKING

from cmbuild.platforms.base import Platform

if TYPE_CHECKING:
    from importlib.metadata import EntryPoint

ENTRY_POINT_GROUP = "cmbuild.platforms"

BUILTIN: dict[str, str] = {
    "x": "cmbuild.platforms.x:X",
    "mastodon": "cmbuild.platforms.mastodon:Mastodon",
    "bluesky": "cmbuild.platforms.bluesky:Bluesky",
    "threads": "cmbuild.platforms.threads:Threads",
    "linkedin": "cmbuild.platforms.linkedin:LinkedIn",
    "facebook": "cmbuild.platforms.facebook:Facebook",
    "instagram": "cmbuild.platforms.instagram:Instagram",
    "pinterest": "cmbuild.platforms.pinterest:Pinterest",
    "youtube": "cmbuild.platforms.youtube:YouTube",
    "tumblr": "cmbuild.platforms.tumblr:Tumblr",
    "blog": "cmbuild.platforms.blog:Blog",
    "newsletter": "cmbuild.platforms.newsletter:Newsletter",
}


class PlatformRegistryError(RuntimeError):
    """A plug-in platform that cannot be registered (its name is taken, or it is not a Platform)."""


def names() -> list[str]:
    """The names of every known platform, built-in and plug-in, sorted."""
    return sorted({**BUILTIN, **_plugins()})


def get(name: str) -> Platform:
    """The platform called `name`; KeyError, listing the known names, if there is none."""
    return _instance(name)


@cache
def _instance(name: str) -> Platform:
    plugins = _plugins()  # first, so that a plug-in taking a built-in's name is always reported
    target = BUILTIN.get(name)
    if target is not None:
        module, _, attribute = target.partition(":")
        platform_class = getattr(import_module(module), attribute)
    else:
        plugin = plugins.get(name)
        if plugin is None:
            raise KeyError(f"unknown platform {name!r}; known platforms: {', '.join(names())}")
        target = plugin.value
        platform_class = plugin.load()
    if not (isinstance(platform_class, type) and issubclass(platform_class, Platform)):
        raise PlatformRegistryError(f"platform {name!r} ({target}) is not a Platform subclass")
    if platform_class.name != name:
        raise PlatformRegistryError(
            f"platform {name!r} is registered for a class named {platform_class.name!r}"
        )
    return platform_class()


def _entry_points() -> Iterable[EntryPoint]:
    # Imported here: importlib.metadata takes longer to import than all the built-ins together.
    from importlib.metadata import entry_points

    return entry_points(group=ENTRY_POINT_GROUP)


@cache
def _plugins() -> dict[str, EntryPoint]:
    found: dict[str, EntryPoint] = {}
    for entry_point in _entry_points():
        taken = BUILTIN.get(entry_point.name) or (
            found[entry_point.name].value if entry_point.name in found else None
        )
        if taken is not None and taken != entry_point.value:
            raise PlatformRegistryError(
                f"platform {entry_point.name!r} from {entry_point.value} is already registered"
                f" by {taken}"
            )
        found[entry_point.name] = entry_point
    return found
