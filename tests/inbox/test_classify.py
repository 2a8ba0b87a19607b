"""Classification: the first intent of the file whose triggers are in the text, in any form."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from cmbuild.inbox.classify import Classifier, classify
from cmbuild.load.replies import Intent, Wording


def intent(name: str, **triggers: tuple[str, ...]) -> Intent:
    return Intent(name=name, triggers=triggers, replies=(), escalate_to=())


WORDING = Wording(
    (
        intent("crisis", fr=("scandale", "avocat"), en=("lawyer",)),
        intent("complaint", fr=("remboursement", "pas reçu", "annulé"), en=("refund",)),
        intent("question", fr=("comment", "combien"), en=("how",)),
        intent("praise", fr=("merci",), en=("thanks",)),
    )
)


def name(text: str, language: str | None) -> str | None:
    found = classify(text, language, WORDING)
    return found.name if found else None


def test_case_accents_and_french_forms() -> None:
    assert name("Colis PAS RECU, je veux un REMBOURSEMENT", "fr") == "complaint"
    assert name("Ma séance a été annulée !", "fr") == "complaint"
    assert name("Des séances annulées", "fr-FR") == "complaint"
    assert name("Combien ça coûte ?", "fr") == "question"
    assert name("Rien à voir", "fr") is None


def test_the_first_intent_of_the_file_wins() -> None:
    assert name("Merci, mais je veux un remboursement", "fr") == "complaint"
    assert name("C'est un scandale, remboursement !", "fr") == "crisis"


def test_language_chooses_the_triggers_and_none_tries_all() -> None:
    assert name("thanks", "fr") is None  # a French item is read with French triggers only
    assert name("thanks", None) == "praise"
    assert name("thanks", "de") == "praise"  # no German triggers: every language's
    assert Classifier(WORDING).matches("merci, remboursement", "fr") == {
        "complaint": ("remboursement",),
        "praise": ("merci",),
    }


def test_no_intent_classifies_nothing() -> None:
    assert classify("remboursement", "fr", Wording()) is None


_FILLER = st.lists(st.sampled_from(["le", "cours", "était", "hier", "et", "nous", "soir"]))
_TRIGGERS = [(t, i.name) for i in WORDING.intents for t in i.triggers["fr"]]


@given(before=_FILLER, after=_FILLER, trigger=st.sampled_from(_TRIGGERS), upper=st.booleans())
def test_a_trigger_anywhere_in_any_case_is_found(
    before: list[str], after: list[str], trigger: tuple[str, str], upper: bool
) -> None:
    term, wanted = trigger
    text = " ".join([*before, term.upper() if upper else term, *after])
    assert name(text, "fr") == wanted


@given(st.text(max_size=200), st.sampled_from(["fr", "en", None]))
def test_classification_is_total_and_deterministic(text: str, language: str | None) -> None:
    first = classify(text, language, WORDING)
    assert first is classify(text, language, WORDING)
    assert first is None or first in WORDING.intents
    if first is not None:  # the intent found is the earliest of those that match
        matched = Classifier(WORDING).matches(text, language)
        assert first.name == next(i.name for i in WORDING.intents if i.name in matched)


@given(st.text(alphabet="xyzqw ", max_size=80))
def test_text_without_any_trigger_has_no_intent(text: str) -> None:
    assert classify(text, "fr", WORDING) is None
