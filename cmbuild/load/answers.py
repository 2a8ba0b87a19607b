"""replies/<id>.md: one answer to the community, reviewed in a pull request like a post.

The front matter says what it answers (`in_reply_to`: an inbox item id, as `cmbuild inbox` lists
it) and with what: an approved reply (`template`, its `vars`) or free words (the body, or
`text`). `private: true` asks for a direct message. Whether the item is in the inbox, the reply
exists and its placeholders are given is checked by `cmbuild.inbox.answers` against the inbox
and the wording; this module only reads the file. The reference is docs/replies.md.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import yaml
from pydantic import BaseModel, ConfigDict, StrictBool, ValidationError

from cmbuild.errors import InputError, InputErrors
from cmbuild.layout import REPLIES_DIR
from cmbuild.load.posts import read_front_matter
from cmbuild.load.validation import FRONT_MATTER_WORDS, errors_from_validation


@dataclass(frozen=True)
class Answer:
    """One replies/<id>.md file."""

    source: str  # replies/<id>.md
    in_reply_to: str
    template: str | None
    text: str | None
    vars: tuple[tuple[str, str], ...]
    private: bool | None  # None: as the approved reply says
    lines: tuple[tuple[str, int], ...] = ()

    def line_of(self, key: str) -> int | None:
        return dict(self.lines).get(key)


class _AnswerModel(BaseModel):
    model_config = ConfigDict(extra="forbid")

    in_reply_to: str
    template: str | None = None
    text: str | None = None
    vars: dict[str, str | int | float] = {}
    private: StrictBool | None = None


def answer_files(root: Path) -> list[Path]:
    """Every replies/*.md file, by name."""
    folder = root / REPLIES_DIR
    if not folder.is_dir():
        return []
    return sorted(p for p in folder.glob("*.md") if not p.name.startswith((".", "_")))


def read_answer(root: Path, path: Path) -> Answer:
    """Read one answer file; InputError(s) name the file, line and key."""
    source = path.relative_to(root).as_posix()
    text = path.read_text(encoding="utf-8")
    if not text.startswith("---\n") or "\n---" not in text[3:]:
        raise InputError(
            source,
            "no front matter",
            line=1,
            hint="start the file with ---, then `in_reply_to: <inbox item id>` and "
            "`template: <approved reply>`, then ---",
        )
    front, _, body = text[4:].partition("\n---")
    data, lines = read_front_matter(front, source, 2)
    try:
        model = _AnswerModel.model_validate(data if data is not None else {})
    except ValidationError as exc:
        raise InputErrors(
            errors_from_validation(
                exc, source, lines.get, model=_AnswerModel, words=FRONT_MATTER_WORDS
            )
        ) from None
    body = body.partition("\n")[2].strip()
    if model.text is not None and body:
        raise InputError(
            source,
            "the answer's words are given twice: in `text:` and below the front matter (both "
            "would not be sent)",
            line=lines.get("text"),
            key="text",
            hint="keep one: remove `text:`, or the words below the second ---",
        )
    written = model.text if model.text is not None else (body or None)
    if (model.template is None) == (written is None):
        raise InputError(
            source,
            "give either `template:` (an approved reply) or the answer's own words, not "
            + ("both" if written else "neither"),
            line=lines.get("template") or 1,
            key="template",
            hint="an approved reply is safer: free words are a warning that names the closest",
        )
    shown = as_written(front)
    return Answer(
        source=source,
        in_reply_to=model.in_reply_to,
        template=model.template,
        text=written,
        vars=tuple(sorted((k, shown.get(k, str(v))) for k, v in model.vars.items())),
        private=model.private,
        lines=tuple(sorted(lines.items())),
    )


def as_written(front: str) -> dict[str, str]:
    """Each `vars:` value as the file writes it (its YAML node's text, unquoted).

    A value is words to send: YAML 1.1 would read `0042` as the octal 34, `12:30` as 750 and
    `42.50` as 42.5, changing an order number without a word. The front matter was checked
    (size, syntax) by `read_front_matter` before this reads its nodes again.
    """
    root = yaml.compose(front, Loader=yaml.SafeLoader)
    if not isinstance(root, yaml.MappingNode):
        return {}
    found: dict[str, str] = {}
    for key, value in root.value:
        if key.value == "vars" and isinstance(value, yaml.MappingNode):
            for name, given in value.value:
                if isinstance(name, yaml.ScalarNode) and isinstance(given, yaml.ScalarNode):
                    found[str(name.value)] = str(given.value)
    return found
