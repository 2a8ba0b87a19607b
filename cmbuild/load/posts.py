"""Reading posts: YAML front matter (with the line of every key) and a Markdown body.

python-frontmatter splits the file; PyYAML's C loader composes the front matter once, so the same
parse gives both the values and the line of each key for error messages. pydantic validates the
values. Unknown keys are warnings (a typo must not pass silently), everything else wrong is an
error naming the file, line and key.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path, PurePosixPath
from typing import Any, Literal

import yaml
from frontmatter.default_handlers import YAMLHandler
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from cmbuild.errors import InputError, did_you_mean
from cmbuild.load.hints import colon_error, colon_in_value, misspelt_keys
from cmbuild.load.planning import RepeatModel, repeat_of
from cmbuild.load.times import TimeError, zone
from cmbuild.load.tomlfile import nearest_line
from cmbuild.load.validation import FRONT_MATTER_WORDS, errors_from_validation
from cmbuild.load.values import file_path, not_a_number, web_link
from cmbuild.load.yamlnodes import duplicate_keys, refuse_too_large
from cmbuild.model import ChannelOverride, Finding, ImageRef, Post

try:  # the C loader is ~5x faster; fall back where libyaml is missing
    from yaml import CSafeLoader as _Loader
except ImportError:  # pragma: no cover - depends on the PyYAML build
    from yaml import SafeLoader as _Loader  # type: ignore[assignment]

_HANDLER = YAMLHandler()
_SLUG = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]*$")

PublishValue = str | datetime | date


class ImageModel(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
    path: str = Field(min_length=1)
    alt: str | None = None
    focus: tuple[float, float] = (0.5, 0.5)

    _path = field_validator("path")(file_path)

    @field_validator("focus")
    @classmethod
    def _in_frame(cls, value: tuple[float, float]) -> tuple[float, float]:
        if not all(0.0 <= v <= 1.0 for v in value):
            raise ValueError("focus must be two numbers between 0 and 1, e.g. [0.5, 0.3]")
        return value


class OverrideModel(BaseModel):
    model_config = ConfigDict(extra="allow", frozen=True, coerce_numbers_to_str=True)
    text: str | None = None
    title: str | None = None
    publish: PublishValue | None = None
    link: str | None = None
    image: ImageModel | None = None
    images: list[ImageModel] | None = None
    lang: str | None = None
    description: str | None = None

    _link = field_validator("link")(web_link)
    _publish = field_validator("publish", mode="before")(not_a_number)


class FrontMatter(BaseModel):
    model_config = ConfigDict(extra="allow", frozen=True, coerce_numbers_to_str=True)
    title: str = Field(min_length=1)
    publish: PublishValue | None = None
    timezone: str | None = None
    channels: list[str] | dict[str, OverrideModel | None]
    campaign: str | None = None
    tags: list[str] = Field(default_factory=list)
    link: str | None = None
    image: ImageModel | None = None
    images: list[ImageModel] | None = None
    status: Literal["draft", "review", "approved"] = "draft"
    sponsored: bool = False
    lang: str | None = None
    slug: str | None = None
    sensitive: list[str] = Field(default_factory=list)  # veille topics, checked by `cmbuild watch`
    kind: Literal["news", "event", "evergreen"] = "news"
    series: str | None = Field(default=None, min_length=1)
    repeat: RepeatModel | None = None

    @field_validator("timezone")
    @classmethod
    def _zone(cls, value: str | None) -> str | None:
        # Checked here, on the `timezone:` line, not later on every publish time that uses it.
        if value is not None:
            try:
                zone(value)
            except TimeError as error:
                raise ValueError(f"{error}: {error.hint}") from None
        return value

    @field_validator("slug")
    @classmethod
    def _slug(cls, value: str | None) -> str | None:
        if value is not None and not _SLUG.match(value):
            raise ValueError("a slug is letters, digits, '.', '_' and '-', e.g. session-janvier")
        return value

    _link = field_validator("link")(web_link)
    _publish = field_validator("publish", mode="before")(not_a_number)


_HINTS = {
    "title": 'add `title: "..."` to the front matter',
    "channels": (
        "list the channels, e.g. `channels: [x-cmb, linkedin-cmb]` (names from channels.toml)"
    ),
    "status": "use draft, review or approved",
    "publish": "write it like 2026-12-01 09:00",
    "image": "write `image:`, then on the next lines, indented: `path: media/photo.jpg` and "
    '`alt: "what the picture shows"`',
    "kind": "news (the default), event (a launch, a meetup) or evergreen (a tip the queue places)",
    "repeat": "write `repeat:`, then indented: `every: 2 weeks` and `until: 2027-06-30`",
    "model_type": "write each setting on its own line, indented under the key, "
    "e.g. `text: ...` or `publish: ...`",
}


@dataclass(frozen=True)
class LoadedPost:
    """A post plus the warnings found while reading it (unknown keys), and its errors.

    `errors` (misspelt keys) make the post unusable; they are reported with the problems the
    rest of the post has (an unknown channel...), not instead of them.
    """

    post: Post
    warnings: tuple[Finding, ...]
    errors: tuple[InputError, ...] = ()


def read_post(root: Path, path: Path) -> LoadedPost:
    """Read and validate one post file; raise InputError (or InputErrors) when it is unreadable.

    A post read with `errors` is unusable too: the caller reports them.
    """
    source = path.relative_to(root).as_posix()
    try:
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError as error:
        raise InputError(
            source, f"not UTF-8 text ({error.reason})", hint="save the file as UTF-8"
        ) from None
    text = text.removeprefix("\ufeff")
    if not _HANDLER.detect(text):
        raise InputError(
            source,
            "no front matter",
            line=1,
            hint="start the file with a line '---', then title, publish and channels, then '---'",
        )
    try:
        front, body = _HANDLER.split(text)
    except ValueError:
        raise InputError(
            source,
            "the front matter is not closed",
            line=1,
            hint="add a line '---' after the last key (title, publish, channels...), "
            "before the text of the post",
        ) from None
    front_start = text.count("\n", 0, text.index(front)) + 1 if front.strip() else 2
    body = body.lstrip("\r\n")
    body_line = _body_line(text, body)
    data, lines = _compose(front, source, front_start)
    if not isinstance(data, dict):
        first = front_start + front[: len(front) - len(front.lstrip())].count("\n")
        raise InputError(source, "the front matter must be key: value pairs", line=first)
    # Near misses (`statut:`) are named with the post's other problems, never after them.
    misspelt = misspelt_keys(FrontMatter.model_fields, [str(k) for k in data], source, lines)
    try:
        model = FrontMatter.model_validate(data)
    except ValidationError as exc:
        errors = errors_from_validation(
            exc, source, lambda key: _nearest(lines, key), hints=_HINTS, words=FRONT_MATTER_WORDS
        )
        from cmbuild.errors import InputErrors

        raise InputErrors([*errors, *misspelt]) from None
    warnings = _unknown_keys(model, source, lines) if not misspelt else []
    post = _to_post(model, source, body, body_line, lines)
    return LoadedPost(post, tuple(warnings), tuple(misspelt))


def _compose(front: str, source: str, first_line: int) -> tuple[Any, dict[str, int]]:
    loader = _Loader(front)
    node: yaml.Node | None = None
    try:
        node = loader.get_single_node()
        if node is not None:
            refuse_too_large(node, source, first_line)
        data = loader.construct_document(node) if node is not None else None
    except yaml.YAMLError as error:
        problem_mark = getattr(error, "problem_mark", None)
        context_mark = getattr(error, "context_mark", None)
        context = str(getattr(error, "context", None) or "")
        problem = getattr(error, "problem", None) or str(error)
        # An unclosed [ ], { } or quote is noticed lines later: point at where it was opened.
        opened = context_mark is not None and ("flow" in context or "quoted" in context)
        mark = context_mark if opened else (problem_mark or context_mark)
        line = first_line + mark.line if mark is not None else first_line
        if opened:
            problem = f"{problem} ({context} opened here)"
        colon = colon_in_value(front, mark.line) if mark is not None else None
        if colon is not None:
            raise colon_error(source, line, *colon) from None
        raise InputError(
            source,
            f"invalid YAML front matter: {problem}",
            line=line,
            hint="check indentation, and quote values that contain ': ' "
            "or start with '@', '#', '[' or '{'",
        ) from None
    except (ValueError, TypeError) as error:
        # A value YAML recognises but cannot build, such as the date 2026-13-45.
        bad = _unbuildable(node)
        line = first_line + bad.start_mark.line if bad is not None else first_line
        shown = f" {bad.value!r}" if bad is not None else ""
        raise InputError(
            source,
            f"invalid value{shown} in the front matter ({error})",
            line=line,
            hint="write dates as 2026-12-01 and times as 2026-12-01 09:00, or quote the value",
        ) from None
    finally:
        loader.dispose()
    lines: dict[str, int] = {}
    if isinstance(node, yaml.MappingNode):
        repeated: list[tuple[str, int, int]] = []
        _walk(node, "", first_line, lines, depth=0, repeated=repeated)
        if repeated:
            from cmbuild.errors import InputErrors

            raise InputErrors(
                InputError(
                    source,
                    f"written twice, on lines {first} and {again}",
                    line=again,
                    key=key,
                    hint="keep only one of them: only the last one would count",
                )
                for key, first, again in repeated
            )
    return data, lines


def _unbuildable(node: yaml.Node | None) -> yaml.ScalarNode | None:
    """The first scalar of `node` that PyYAML recognises (a date...) but cannot build."""
    if isinstance(node, yaml.ScalarNode):
        try:
            yaml.SafeLoader("").construct_object(node, deep=True)
        except (ValueError, TypeError, yaml.YAMLError):
            return node
        return None
    children: list[yaml.Node] = []
    if isinstance(node, yaml.MappingNode):
        children = [value for _, value in node.value]
    elif isinstance(node, yaml.SequenceNode):
        children = list(node.value)
    for child in children:
        found = _unbuildable(child)
        if found is not None:
            return found
    return None


def _walk(
    node: yaml.MappingNode,
    prefix: str,
    first_line: int,
    lines: dict[str, int],
    depth: int,
    repeated: list[tuple[str, int, int]],
) -> None:
    for name, first, again in duplicate_keys(node):
        repeated.append((f"{prefix}{name}", first_line + first, first_line + again))
    for key_node, value_node in node.value:
        key = f"{prefix}{key_node.value}"
        lines.setdefault(key, first_line + key_node.start_mark.line)
        if depth < 3 and isinstance(value_node, yaml.MappingNode):
            _walk(value_node, key + ".", first_line, lines, depth + 1, repeated)
        elif isinstance(value_node, yaml.SequenceNode):
            for index, item in enumerate(value_node.value):
                lines.setdefault(f"{key}.{index}", first_line + item.start_mark.line)
                if isinstance(item, yaml.MappingNode) and depth < 3:
                    _walk(item, f"{key}.{index}.", first_line, lines, depth + 1, repeated)


def _body_line(text: str, body: str) -> int:
    if not body:
        return text.count("\n") + 1
    return text.count("\n", 0, len(text) - len(body)) + 1


def _nearest(lines: dict[str, int], key: str) -> int | None:
    """The line of `key` or of its closest parent; else the first line of the front matter."""
    return nearest_line(lines, key) or (min(lines.values()) if lines else None)


def _unknown_keys(model: FrontMatter, source: str, lines: dict[str, int]) -> list[Finding]:
    found = []
    known = ", ".join(sorted(FrontMatter.model_fields))
    for key in sorted(model.model_extra or {}):
        close = did_you_mean(key, FrontMatter.model_fields)
        found.append(
            Finding(
                rule="post.unknown-key",
                severity="warning",
                message=f"unknown key {key!r} is ignored{close}",
                file=source,
                line=lines.get(key),
                hint=f"known keys: {known}",
            )
        )
    if isinstance(model.channels, dict):
        known_override = ", ".join(sorted(OverrideModel.model_fields))
        for name, override in sorted(model.channels.items()):
            for key in sorted((override.model_extra or {}) if override else {}):
                path = f"channels.{name}.{key}"
                close = did_you_mean(key, OverrideModel.model_fields)
                found.append(
                    Finding(
                        rule="post.unknown-key",
                        severity="warning",
                        message=f"unknown key {path!r} is ignored{close}",
                        file=source,
                        line=lines.get(path),
                        channel=name,
                        hint=f"a channel override takes: {known_override}",
                    )
                )
    return found


def _images(
    single: ImageModel | None, many: list[ImageModel] | None, key: str, lines: dict[str, int]
) -> tuple[ImageRef, ...] | None:
    if single is not None:
        line = lines.get(f"{key}image.path") or lines.get(f"{key}image")
        return (ImageRef(single.path, single.alt, single.focus, line),)
    if many is not None:
        return tuple(
            ImageRef(
                i.path,
                i.alt,
                i.focus,
                lines.get(f"{key}images.{n}.path") or lines.get(f"{key}images.{n}"),
            )
            for n, i in enumerate(many)
        )
    return None


def _publish_text(value: PublishValue | None) -> str | None:
    if value is None or isinstance(value, str):
        return value
    return value.isoformat()


def _to_post(
    model: FrontMatter, source: str, body: str, body_line: int, lines: dict[str, int]
) -> Post:
    if isinstance(model.channels, list):
        names = tuple(model.channels)
        overrides: tuple[tuple[str, ChannelOverride], ...] = ()
    else:
        names = tuple(model.channels)
        overrides = tuple(
            (name, _override(name, o, lines)) for name, o in model.channels.items() if o is not None
        )
    channel_lines = tuple(
        (
            name,
            lines.get(f"channels.{name}")
            or lines.get(f"channels.{index}")
            or lines.get("channels", 0),
        )
        for index, name in enumerate(names)
    )
    return Post(
        source=source,
        slug=model.slug or PurePosixPath(source).stem,
        title=model.title,
        body=body,
        body_line=body_line,
        publish=_publish_text(model.publish),
        publish_line=lines.get("publish"),
        timezone=model.timezone,
        channels=names,
        channel_lines=channel_lines,
        overrides=overrides,
        campaign=model.campaign,
        tags=tuple(model.tags),
        link=model.link,
        images=_images(model.image, model.images, "", lines) or (),
        status=model.status,
        sponsored=model.sponsored,
        lang=model.lang,
        key_lines=tuple(sorted(lines.items())),
        sensitive=tuple(model.sensitive),
        kind=model.kind,
        series=model.series,
        repeat=repeat_of(model.repeat, model.publish, source, lines),
    )


def _override(name: str, model: OverrideModel, lines: dict[str, int]) -> ChannelOverride:
    fields = (("description", model.description),) if model.description is not None else ()
    return ChannelOverride(
        text=model.text,
        title=model.title,
        publish=_publish_text(model.publish),
        link=model.link,
        images=_images(model.image, model.images, f"channels.{name}.", lines),
        lang=model.lang,
        fields=fields,
    )


# The same YAML reading (located errors, references refused, keys written twice) for the other
# Markdown files with a front matter: the answers in replies/ (cmbuild.load.answers).
read_front_matter = _compose
