"""The first stages of a build: the configuration, what the last build left, and the posts.

A post whose bytes and configuration are those the index knows is not read again: its index entry
stands for it until a later stage needs more.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from cmbuild import __version__
from cmbuild.build.result import Progress
from cmbuild.build.workers import ParseResult, Pool, parse_chunk, parse_posts
from cmbuild.errors import ErrorCollector, InputError, InputErrors
from cmbuild.incremental import STATE_DIR
from cmbuild.incremental.config import Config, read_cached
from cmbuild.incremental.index import INDEX_FILE, Index, PostEntry, read_index
from cmbuild.incremental.inputs import Stat, config_digest, digest, stat_of
from cmbuild.incremental.memo import LoadedConfig, Memo
from cmbuild.incremental.shards import Shards
from cmbuild.model import Channel, Charter, Finding, Post
from cmbuild.render.templates import compile_templates, make_environment

if TYPE_CHECKING:
    import jinja2


@dataclass(frozen=True)
class Configuration:
    """The channels, charter and compiled templates of this build."""

    loaded: LoadedConfig
    to_save: Config | None  # read from the files this time: to keep for the next build

    @property
    def digest(self) -> str:
        return self.loaded.digest

    @property
    def channels(self) -> tuple[Channel, ...]:
        return self.loaded.channels

    @property
    def charter(self) -> Charter:
        return self.loaded.charter

    @property
    def env(self) -> jinja2.Environment:
        return self.loaded.env

    def by_name(self) -> dict[str, Channel]:
        return {c.name: c for c in self.channels}


def replies_found(root: Path, config: Configuration) -> list[Finding]:
    """The findings on brand/replies.toml's approved replies (InputErrors when it is invalid).

    Read on every build that is not a no-op: the file is small, and its replies are checked on
    rows of their own, not on the posts' variants, so it is scanned but not digested.
    """
    from cmbuild.check.replies import check_wording
    from cmbuild.load.replies import load_replies

    wording = load_replies(root, [channel.name for channel in config.channels])
    return check_wording(wording, config.channels, config.charter)


def load_configuration(
    root: Path, out: Path, kept: LoadedConfig | None, *, trust_state: bool
) -> Configuration:
    """The configuration: as `kept` in memory or in the build state when its files are the same."""
    config_hash = config_digest(root, __version__)
    if kept is not None and kept.digest == config_hash:
        return Configuration(kept, None)  # same files: same configuration
    cached = read_cached(out / STATE_DIR, config_hash) if trust_state else None
    loaded = None
    if cached is None:
        from cmbuild.load.site import load_config

        loaded = cached = load_config(root)
    channels, charter = cached
    env = make_environment(root)
    template_errors = compile_templates(env, {c.template for c in channels})
    if template_errors:
        raise InputErrors(template_errors)
    return Configuration(LoadedConfig(config_hash, channels, charter, env), loaded)


@dataclass(frozen=True)
class Previous:
    """What the last build left: its index, and whether the memo's rows are that index's."""

    index: Index
    warm: bool  # the index is the one kept in memory, with the rows it was made with
    config_hash: str  # that build's configuration digest ("" for none)


def previous_state(out: Path, memo: Memo, *, trust_state: bool) -> Previous:
    """The last build's index; an empty one when not trusted or when part of the state is gone.

    `memo` is cleared when it no longer matches the index on disk.
    """
    warm = trust_state and _memo_valid(out, memo)
    if warm:
        assert memo.index is not None
        index = memo.index
    else:
        memo.clear()
        index = read_index(out) if trust_state else Index()
    if not Shards(out).complete(index.posts):
        index = Index()  # part of the build state was deleted: trust none of it
        warm = False
        memo.clear()
    return Previous(index, warm, index.config_hash)


def _memo_valid(out: Path, memo: Memo) -> bool:
    """Whether the index kept in memory is still the one on disk."""
    index_file = out / STATE_DIR / INDEX_FILE
    return memo.index is not None and memo.stat is not None and stat_of(index_file) == memo.stat


@dataclass(frozen=True)
class Posts:
    """Every post of the build: those read again, and the index entries of the unchanged ones."""

    sources: list[str]  # every post, sorted
    stats: dict[str, Stat]  # source -> (mtime_ns, size)
    shas: dict[str, str]  # source -> digest of its bytes
    parsed: dict[str, Post]  # the posts read again
    warnings: dict[str, tuple[Finding, ...]]  # of the posts read again
    cached: dict[str, PostEntry]  # the unchanged posts' index entries
    names: frozenset[str]  # the channels' names

    def warnings_of(self, source: str) -> list[Finding] | tuple[Finding, ...]:
        if source in self.parsed:
            return self.warnings[source]
        return [Finding.from_dict(d) for d in self.cached[source].warnings]


def read_posts(
    root: Path,
    inputs: Mapping[str, Stat],
    previous: Previous,
    config: Configuration,
    pool: Pool,
    progress: Progress,
) -> Posts:
    """Read the posts whose bytes or configuration changed; raise InputErrors for bad ones."""
    index = previous.index
    same_config = previous.config_hash == config.digest
    sources = sorted(p for p in inputs if p.startswith("posts/"))
    shas: dict[str, str] = {}
    cached: dict[str, PostEntry] = {}
    to_parse: list[Path] = []
    for source in sources:
        known = index.files.get(source)
        if known is not None and known[0] == inputs[source]:
            shas[source] = known[1]
        else:
            shas[source] = digest((root / source).read_bytes())
        entry = index.posts.get(source)
        if same_config and entry is not None and entry.sha == shas[source]:
            cached[source] = entry
        else:
            to_parse.append(root / source)
    names = frozenset(c.name for c in config.channels)
    progress("read", 0, len(to_parse))
    results: list[ParseResult] = pool.map_chunks(
        to_parse, lambda paths: parse_posts(root, paths, names), parse_chunk, names
    )
    errors = ErrorCollector()
    parsed: dict[str, Post] = {}
    warnings: dict[str, tuple[Finding, ...]] = {}
    for result in results:
        errors.extend(result.errors)
        if result.post is not None:
            parsed[result.source] = result.post
            warnings[result.source] = result.warnings
    errors.extend(_duplicate_slugs(parsed, cached))
    errors.raise_if_any()
    stats = {source: inputs[source] for source in sources}
    return Posts(sources, stats, shas, parsed, warnings, cached, names)


def _duplicate_slugs(parsed: dict[str, Post], cached: dict[str, PostEntry]) -> list[InputError]:
    owners: dict[str, str] = {}
    for source, entry in cached.items():
        if entry.rows:
            owners.setdefault(entry.rows[0].slug, source)
    problems = []
    for source, post in sorted(parsed.items()):
        owner = owners.get(post.slug)
        if owner is not None and owner != source:
            problems.append(
                InputError(
                    source,
                    f"slug {post.slug!r} is already used by {owner}",
                    line=post.line_of("slug") or 1,
                    key="slug",
                    hint="rename the file or set a unique `slug:`",
                )
            )
        else:
            owners[post.slug] = source
    return problems


class LazyPosts(Mapping[str, Post]):
    """Posts by source, read on demand (cross-post checks need a few cached posts' key lines)."""

    def __init__(self, root: Path, posts: Posts) -> None:
        self._root = root
        self._posts = dict(posts.parsed)
        self._sources = posts.sources
        self._names = posts.names

    def __getitem__(self, source: str) -> Post:
        post = self._posts.get(source)
        if post is None:
            (result,) = parse_posts(self._root, [self._root / source], self._names)
            if result.post is None:
                raise KeyError(source)
            post = self._posts[source] = result.post
        return post

    def __iter__(self) -> Iterator[str]:
        return iter(self._sources)

    def __len__(self) -> int:
        return len(self._sources)
