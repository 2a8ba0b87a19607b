"""replies/<id>.md: read, then checked against the inbox and the approved wording."""

from __future__ import annotations

from pathlib import Path

import pytest

from cmbuild.errors import InputError, InputErrors
from cmbuild.inbox.answers import compose_answer
from cmbuild.load.answers import answer_files, read_answer
from cmbuild.load.replies import load_replies
from tests.inbox.test_compose import CHARTER, ITEM, REPLIES, TODAY, channel


def write(root: Path, text: str) -> Path:
    (root / "replies").mkdir(exist_ok=True)
    path = root / "replies" / "marie.md"
    path.write_text(text, encoding="utf-8")
    return path


def test_an_answer_from_a_template_is_composed_and_located(tmp_path: Path) -> None:
    (tmp_path / "brand").mkdir()
    (tmp_path / "brand" / "replies.toml").write_text(REPLIES, encoding="utf-8")
    path = write(
        tmp_path,
        f"---\nin_reply_to: {ITEM.id}\ntemplate: plainte-dm\nvars:\n  order: A-42\n---\n",
    )
    assert answer_files(tmp_path) == [path]
    answer = read_answer(tmp_path, path)
    assert (answer.template, answer.vars, answer.line_of("template")) == (
        "plainte-dm",
        (("order", "A-42"),),
        3,
    )
    wording = load_replies(tmp_path)
    channels = {"bluesky-cmb": channel("bluesky-cmb", "linkedin")}  # no direct messages
    done = compose_answer(answer, {ITEM.id: ITEM}, wording, channels, charter=CHARTER, today=TODAY)
    assert done.approved is not None and done.approved.name == "plainte-public"
    fallback, unused = done.findings  # the public reply does not say the order number
    assert (unused.rule, unused.line) == ("reply.var-unused", 3)
    assert (fallback.rule, fallback.file, fallback.line) == (
        "reply.public-fallback",
        "replies/marie.md",
        3,
    )
    elsewhere = compose_answer(answer, {}, wording, channels, charter=CHARTER, today=TODAY)
    (error,) = elsewhere.findings
    assert (error.rule, error.severity, error.line) == ("reply.not-in-inbox", "error", 2)


def test_free_words_in_the_body(tmp_path: Path) -> None:
    path = write(tmp_path, f"---\nin_reply_to: {ITEM.id}\n---\nMerci Marie !\n")
    assert read_answer(tmp_path, path).text == "Merci Marie !"


@pytest.mark.parametrize(
    ("text", "key", "line"),
    [
        ("---\nin_reply_to: a\n---\n", "template", 1),
        ("---\nin_reply_to: a\ntemplate: t\n---\nand words\n", "template", 3),
        ("---\nin_reply_to: a\ntemplat: t\n---\n", "templat", 3),
        ("---\ntemplate: t\n---\n", "in_reply_to", None),
        ("---\nin_reply_to: a\ntemplate: t\nprivate: maybe\n---\n", "private", 4),
        ("no front matter\n", None, 1),
    ],
)
def test_bad_answer_files(tmp_path: Path, text: str, key: str | None, line: int | None) -> None:
    with pytest.raises((InputError, InputErrors)) as caught:
        read_answer(tmp_path, write(tmp_path, text))
    found = caught.value
    error = found if isinstance(found, InputError) else next(iter(found))
    assert (error.file, error.key, error.line) == ("replies/marie.md", key, line)


@pytest.mark.parametrize(
    ("written", "sent"),
    [("0042", "0042"), ("12:30", "12:30"), ("42.50", "42.50"), ("4_2", "4_2"), ('"A-42"', "A-42")],
)
def test_a_var_is_sent_as_written_never_as_yaml_reads_a_number(
    tmp_path: Path, written: str, sent: str
) -> None:
    # YAML 1.1 reads 0042 as the octal 34 and 12:30 as 750 minutes: an order number changed
    # without a word. The value the community manager wrote is the one sent.
    front = f"---\nin_reply_to: a\ntemplate: t\nvars:\n  order: {written}\n---\n"
    assert read_answer(tmp_path, write(tmp_path, front)).vars == (("order", sent),)


def test_text_and_a_body_together_are_refused_not_one_dropped(tmp_path: Path) -> None:
    path = write(tmp_path, "---\nin_reply_to: a\ntext: Merci !\n---\nMerci Marie, à bientôt !\n")
    with pytest.raises(InputError) as caught:
        read_answer(tmp_path, path)
    assert (caught.value.key, caught.value.line) == ("text", 3)
    assert "both" in str(caught.value)
