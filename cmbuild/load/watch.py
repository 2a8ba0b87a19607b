"""brand/watch.toml: where veille listens, what it listens for, and whom it alerts.

`[[sources]]` (cmbuild.watch.sources models each kind), `[[topics]]` (terms, exclusions, a
severity, the campaigns a crisis stops), `auto_halt` (a topic may override it), `spike_k`,
`max_watch_age` (push refuses to run on an older listener: cmbuild.watch.freshness) and
`[alerts]` (Apprise URLs, whose secrets are written `{ENV_NAME}` and read from the environment
only). The reference is docs/watch.md; docs/watch.schema.json gives editors completion.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, TypeAdapter, ValidationError

from cmbuild.errors import ErrorCollector, InputError, did_you_mean
from cmbuild.layout import WATCH_FILE as WATCH_FILE  # still importable from here
from cmbuild.load.tomlfile import nearest_line, read_toml
from cmbuild.load.validation import describe
from cmbuild.text.terms import Phrases
from cmbuild.watch.sources import KINDS, Interval, Source

Severity = Literal["info", "watch", "crisis"]
_ENV_REFERENCE = re.compile(r"\{([A-Z_][A-Z0-9_]*)\}")
# A password or token written into a URL: `scheme://user:secret@`, or `?token=...`.
_INLINE_SECRET = re.compile(r"://[^/@\s]*:[^/@{}\s]+@|[?&](?:token|key|pass\w*|secret)=[^{&]")


class _TopicModel(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    name: str = Field(min_length=1)
    terms: list[str] = Field(min_length=1)
    exclude: list[str] = Field(default_factory=list)
    severity: Severity = "watch"
    halt: list[str] = Field(default_factory=list)
    auto_halt: bool | None = None


class _AlertsModel(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    urls: list[str] = Field(default_factory=list)


class _WatchFile(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    auto_halt: bool = False
    max_watch_age: Interval | None = None  # read by push: cmbuild.watch.freshness
    spike_k: float = Field(default=3.0, gt=0)
    languages: list[str] = Field(default_factory=lambda: ["fr", "en"])
    sources: list[dict[str, Any]] = Field(default_factory=list)
    topics: list[_TopicModel] = Field(default_factory=list)
    alerts: _AlertsModel = _AlertsModel()


@dataclass(frozen=True)
class Topic:
    """What veille listens for: terms, what rules a match out, and what a crisis stops."""

    name: str
    terms: tuple[str, ...]
    exclude: tuple[str, ...]
    severity: Severity
    halt: tuple[str, ...]  # campaigns a crisis on this topic stops
    auto_halt: bool  # the file's auto_halt unless the topic says otherwise


@dataclass(frozen=True)
class Watch:
    """brand/watch.toml, validated."""

    sources: tuple[Source, ...]
    topics: tuple[Topic, ...]
    alert_urls: tuple[str, ...]  # with `{ENV}` references still unresolved
    spike_k: float
    languages: tuple[str, ...]
    sensitive: Mapping[str, tuple[str, ...]] = field(default_factory=dict)  # topic → post sources


_SOURCES: TypeAdapter[Source] = TypeAdapter(Source)


# A post's `sensitive:` topics: (its source, the line of the key, the topics).
SensitivePost = tuple[str, int | None, tuple[str, ...]]


def load_watch(
    root: Path, campaigns: Iterable[str], posts: Iterable[SensitivePost] = ()
) -> Watch | None:
    """Read brand/watch.toml (None when it does not exist); InputErrors name line and key.

    `posts` are the posts' `sensitive:` lists, checked against the topics here.
    """
    if not (root / WATCH_FILE).exists():
        return None
    data, lines = read_toml(root / WATCH_FILE, WATCH_FILE)
    errors = ErrorCollector()

    def add(key: str, message: str, hint: str | None = None) -> None:
        errors.add(
            InputError(WATCH_FILE, message, line=nearest_line(lines, key), key=key, hint=hint)
        )

    try:
        parsed = _WatchFile.model_validate(data)
    except ValidationError as exc:
        for error in exc.errors():
            add(_key(error["loc"]), describe(error))
        errors.raise_if_any()
        raise AssertionError("unreachable") from exc
    sources = _sources(parsed.sources, add)
    topics = _topics(parsed, sorted(campaigns), add)
    for index, url in enumerate(parsed.alerts.urls):
        if _INLINE_SECRET.search(url):
            add(
                f"alerts.urls.{index}",
                "this alert URL has a secret written in it",
                "write the secret as {ENV_NAME} and set that environment variable in CI",
            )
    try:
        Phrases({}, parsed.languages)
    except ValueError as exc:
        add("languages", str(exc))
    sensitive = _sensitive(posts, [t.name for t in topics], errors)
    errors.raise_if_any()
    return Watch(
        sources=sources,
        topics=topics,
        alert_urls=tuple(parsed.alerts.urls),
        spike_k=parsed.spike_k,
        languages=tuple(parsed.languages),
        sensitive=sensitive,
    )


def _sensitive(
    posts: Iterable[SensitivePost], topics: list[str], errors: ErrorCollector
) -> dict[str, tuple[str, ...]]:
    held: dict[str, list[str]] = {}
    for source, line, names in posts:
        for name in names:
            if name not in topics:
                errors.add(
                    InputError(
                        source,
                        f"sensitive: no topic named {name!r} in {WATCH_FILE}"
                        f"{did_you_mean(name, topics)}",
                        line=line,
                        key="sensitive",
                        hint="use the `name` of a [[topics]] table",
                    )
                )
            else:
                held.setdefault(name, []).append(source)
    return {name: tuple(sorted(sources)) for name, sources in held.items()}


def _key(loc: Iterable[int | str]) -> str:
    # A source's errors come with its kind in the path (sources.0.feed.url): leave it out.
    return ".".join(str(part) for part in loc if part not in KINDS)


def _sources(raw: list[dict[str, Any]], add: Any) -> tuple[Source, ...]:
    sources: list[Source] = []
    names: set[str] = set()
    for index, table in enumerate(raw):
        where = f"sources.{index}"
        try:
            source = _SOURCES.validate_python(table)
        except ValidationError as exc:
            for error in exc.errors():
                loc = error["loc"]
                hint = None
                if error["type"] in ("union_tag_invalid", "union_tag_not_found"):
                    loc, hint = ("kind",), f"kind is one of {', '.join(KINDS)}"
                add(_key((where, *loc)), describe(error), hint)
            continue
        if source.name in names:
            add(f"{where}.name", f"two sources are named {source.name!r}", "give each its own name")
        names.add(source.name)
        sources.append(source)
    return tuple(sources)


def _topics(parsed: _WatchFile, campaigns: list[str], add: Any) -> tuple[Topic, ...]:
    topics: list[Topic] = []
    for index, model in enumerate(parsed.topics):
        where = f"topics.{index}"
        for listed in ("terms", "exclude"):
            for number, term in enumerate(getattr(model, listed)):
                try:
                    Phrases({model.name: [term]}, parsed.languages)
                except ValueError as exc:
                    add(f"{where}.{listed}.{number}", str(exc))
        for number, campaign in enumerate(model.halt):
            if campaign not in campaigns:
                add(
                    f"{where}.halt.{number}",
                    f"no post has the campaign {campaign!r}{did_you_mean(campaign, campaigns)}",
                    "use the `campaign:` written in the posts' front matter",
                )
        auto = parsed.auto_halt if model.auto_halt is None else model.auto_halt
        topics.append(
            Topic(
                model.name,
                tuple(model.terms),
                tuple(model.exclude),
                model.severity,
                tuple(model.halt),
                auto,
            )
        )
    return tuple(topics)


def resolve_url(url: str, env: Mapping[str, str]) -> str:
    """`url` with each `{ENV_NAME}` replaced from `env`; KeyError naming a variable not set."""
    return _ENV_REFERENCE.sub(lambda match: env[match.group(1)], url)
