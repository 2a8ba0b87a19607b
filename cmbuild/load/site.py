"""Loading a whole content repository: channels, charter and posts, checked against each other.

Every input error of the repository is collected (not just the first) and raised together as
`InputErrors`, so a writer fixes them in one pass. Nothing is written by this stage.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, replace
from pathlib import Path, PurePosixPath

from cmbuild.errors import ErrorCollector, InputError, InputErrors, did_you_mean
from cmbuild.layout import post_files, resolve_image
from cmbuild.load.posts import read_post
from cmbuild.model import Channel, Charter, Finding, ImageRef, Post


@dataclass(frozen=True)
class Site:
    root: Path
    channels: tuple[Channel, ...]
    charter: Charter
    posts: tuple[Post, ...]
    warnings: tuple[Finding, ...]

    def channel(self, name: str) -> Channel:
        for channel in self.channels:
            if channel.name == name:
                return channel
        raise KeyError(name)


def load_config(root: Path) -> tuple[tuple[Channel, ...], Charter]:
    # Imported here: posts are checked (check_post) in processes that never load the configuration.
    from cmbuild.load.charter import load_charter
    from cmbuild.load.config import default_timezone, load_channels

    errors = ErrorCollector()
    channels: tuple[Channel, ...] | None = None
    try:
        channels = load_channels(root)
    except InputError as error:
        errors.add(error)
    except InputErrors as many:
        errors.extend(many)
    charter = Charter()
    try:
        # Unreadable channels: the charter's channel names cannot be checked, and every one of them
        # would be reported unknown, hiding the real cause.
        names = None if channels is None else {c.name for c in channels}
        charter = load_charter(root, names)
    except InputError as error:
        errors.add(error)
    except InputErrors as many:
        errors.extend(many)
    errors.raise_if_any()
    assert channels is not None, "channels.toml errors were raised"
    return channels, replace(charter, timezone=default_timezone(root))


def load_posts(
    root: Path, paths: Iterable[Path], channels: tuple[Channel, ...]
) -> tuple[list[Post], list[Finding]]:
    """Read and cross-check posts; raise InputErrors listing every problem."""
    errors = ErrorCollector()
    names = {c.name for c in channels}
    posts: list[Post] = []
    warnings: list[Finding] = []
    for path in paths:
        try:
            loaded = read_post(root, path)
        except InputError as error:
            errors.add(error)
            continue
        except InputErrors as many:
            errors.extend(many)
            continue
        problems = [*loaded.errors, *check_post(root, loaded.post, names)]
        if problems:
            errors.extend(problems)
            continue
        posts.append(loaded.post)
        warnings.extend(loaded.warnings)
    errors.extend(_duplicate_slugs(posts))
    errors.raise_if_any()
    return posts, warnings


def load_site(root: Path) -> Site:
    channels, charter = load_config(root)
    posts, warnings = load_posts(root, post_files(root), channels)
    return Site(root, channels, charter, tuple(posts), tuple(warnings))


def check_post(root: Path, post: Post, channel_names: set[str]) -> list[InputError]:
    problems: list[InputError] = []
    if not post.channels:
        problems.append(
            InputError(
                post.source,
                "the post has no channels",
                line=post.line_of("channels"),
                key="channels",
                hint="list at least one channel from channels.toml, e.g. channels: [x-cmb]",
            )
        )
    for name, line in post.channel_lines:
        if name not in channel_names:
            problems.append(
                InputError(
                    post.source,
                    f"unknown channel {name!r}{did_you_mean(name, channel_names)}",
                    line=line or post.line_of("channels"),
                    key=f"channels.{name}",
                    hint=f"channels in channels.toml: {', '.join(sorted(channel_names)) or 'none'}",
                )
            )
    images = list(post.images)
    for _, override in post.overrides:
        images.extend(override.images or ())
    for image in images:
        problem = _check_image(root, post, image)
        if problem:
            problems.append(problem)
    return problems


def _check_image(root: Path, post: Post, image: ImageRef) -> InputError | None:
    key = "image"
    resolved = resolve_image(post.source, image.path)
    inside = not (resolved.startswith("../") or PurePosixPath(image.path).is_absolute())
    if inside:
        real_root = root.resolve()
        real = (root / resolved).resolve()
        inside = real == real_root or real_root in real.parents
    if not inside:
        return InputError(
            post.source,
            f"image path {image.path!r} points outside the repository",
            line=image.line,
            key=key,
            hint="put the image in the repository (e.g. media/) "
            "and use a path relative to its root",
        )
    if not (root / resolved).is_file():
        return InputError(
            post.source,
            f"image {image.path!r} not found",
            line=image.line,
            key=key,
            hint="check the spelling; paths are relative to the repository root, "
            "or to the post with ./",
        )
    return None


def _duplicate_slugs(posts: list[Post]) -> list[InputError]:
    seen: dict[str, str] = {}
    problems = []
    for post in posts:
        if post.slug in seen:
            problems.append(
                InputError(
                    post.source,
                    f"slug {post.slug!r} is already used by {seen[post.slug]}",
                    line=post.line_of("slug") or 1,
                    key="slug",
                    hint="rename the file or set a unique `slug:`",
                )
            )
        else:
            seen[post.slug] = post.source
    return problems
