"""brand/replies.toml: intents, triggers and approved replies, every mistake named file:line:key."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from cmbuild.errors import InputError, InputErrors
from cmbuild.load.replies import Wording, load_replies, placeholders

GOOD = """\
[intents.complaint]
triggers.fr = ["remboursement", "pas reçu"]
escalate_to = ["SUPPORT_ALERT_URL"]

[intents.question]
triggers.en = ["how"]

[[reply]]
name = "complaint-dm"
intent = "complaint"
language = "fr"
private = true
text = "Bonjour {first_name}, votre commande {order} ? {{merci}}"
approved_by = "Claire Martin"
valid_until = 2027-06-30
"""


def load(tmp_path: Path, text: str) -> Wording:
    (tmp_path / "brand").mkdir(exist_ok=True)
    (tmp_path / "brand" / "replies.toml").write_text(text, encoding="utf-8")
    return load_replies(tmp_path, ["x-cmb", "bluesky-cmb"])


def errors(tmp_path: Path, text: str) -> list[InputError]:
    with pytest.raises((InputError, InputErrors)) as caught:
        load(tmp_path, text)
    found = caught.value
    return [found] if isinstance(found, InputError) else list(found)


def test_intents_and_replies_are_read_in_file_order(tmp_path: Path) -> None:
    wording = load(tmp_path, GOOD)
    assert [i.name for i in wording.intents] == ["complaint", "question"]
    complaint = wording.intents[0]
    assert complaint.triggers == {"fr": ("remboursement", "pas reçu")}
    assert complaint.escalate_to == ("SUPPORT_ALERT_URL",) and complaint.line == 1
    (reply,) = complaint.replies
    assert reply == wording.reply("complaint-dm")
    assert (reply.language, reply.channel, reply.private, reply.line) == ("fr", None, True, 8)
    assert reply.placeholders == ("first_name", "order")
    assert reply.valid_until == date(2027, 6, 30) and reply.expired(date(2027, 7, 1))
    assert not reply.expired(date(2027, 6, 30))


def test_an_intent_s_label_is_kept(tmp_path: Path) -> None:
    labelled = GOOD.replace("[intents.complaint]\n", '[intents.complaint]\nlabel = "Réclamation"\n')
    wording = load(tmp_path, labelled)
    assert [i.label for i in wording.intents] == ["Réclamation", None]


def test_no_file_means_no_wording(tmp_path: Path) -> None:
    assert load_replies(tmp_path).intents == ()


def test_unknown_intent_is_named_with_a_suggestion(tmp_path: Path) -> None:
    (error,) = errors(tmp_path, GOOD.replace('intent = "complaint"', 'intent = "complaitn"'))
    assert (error.file, error.line, error.key) == ("brand/replies.toml", 10, "reply.0.intent")
    assert "did you mean 'complaint'?" in error.message


@pytest.mark.parametrize("term", ['""', '"  "', '"?!"'])
def test_a_trigger_without_a_word(tmp_path: Path, term: str) -> None:
    (error,) = errors(tmp_path, GOOD.replace('["how"]', f'["how", {term}]'))
    assert (error.line, error.key) == (6, "intents.question.triggers.en")
    assert "trigger 2" in error.message and "no word" in error.message


@pytest.mark.parametrize(
    ("text", "said"),
    [
        ("Bonjour {first name}", "not a plain name"),
        ("Bonjour {first_name", "expected '}'"),
        ("Bonjour first_name}", "Single '}'"),
        ("Bonjour {0}", "not a plain name"),
        ("Bonjour {name:>10}", "not a plain name"),
    ],
)
def test_a_malformed_placeholder(tmp_path: Path, text: str, said: str) -> None:
    (error,) = errors(tmp_path, GOOD.replace(GOOD.split('text = "')[1].split('"')[0], text))
    assert (error.line, error.key) == (13, "reply.0.text") and said in error.message


def test_unknown_channel_language_and_empty_approval(tmp_path: Path) -> None:
    bad = GOOD.replace('language = "fr"', 'language = "french"\nchannel = "x-cbm"').replace(
        '"Claire Martin"', '""'
    )
    found = errors(tmp_path, bad)
    assert [(e.line, e.key) for e in found] == [
        (11, "reply.0.language"),
        (12, "reply.0.channel"),
        (15, "reply.0.approved_by"),
    ]
    assert "did you mean 'x-cmb'?" in found[1].message


def test_unknown_key_duplicate_name_and_secret_in_escalate_to(tmp_path: Path) -> None:
    bad = GOOD.replace("private = true", "privat = true")
    (error,) = errors(tmp_path, bad)
    assert (error.line, error.key) == (12, "reply.0.privat") and "private" in (error.hint or "")
    bad = GOOD.replace('"SUPPORT_ALERT_URL"', '"mailto://me:pw@example.org"')
    (error,) = errors(tmp_path, bad)
    assert error.key == "intents.complaint.escalate_to"
    assert "pw" not in str(error)  # a URL written there carries a secret: never shown
    (duplicate,) = errors(tmp_path, GOOD + GOOD[GOOD.index("[[reply]]") :])
    assert (duplicate.line, duplicate.key) == (17, "reply.1.name")


def test_an_unknown_trigger_language(tmp_path: Path) -> None:
    (error,) = errors(tmp_path, GOOD.replace("triggers.en", "triggers.zz"))
    assert error.key == "intents.question.triggers.zz" and "zz" in error.message


def test_placeholders_in_order_of_first_use() -> None:
    assert placeholders("{b} {a} {b} {{c}}") == ("b", "a")


def test_the_sample_follows_the_schema_and_loads() -> None:
    import json
    import tomllib

    import jsonschema

    root = Path(__file__).resolve().parents[2]
    schema = json.loads((root / "docs" / "replies.schema.json").read_text(encoding="utf-8"))
    for folder in (root, root / "cmbuild" / "scaffold"):
        data = tomllib.loads((folder / "brand" / "replies.toml").read_text(encoding="utf-8"))
        for reply in data["reply"]:
            if "valid_until" in reply:
                reply["valid_until"] = reply["valid_until"].isoformat()
        jsonschema.validate(data, schema)
        assert load_replies(folder).replies
