"""What a subscriber wrote, from an e-mail answer: the quoted message cut off, and said; the
newsletter's IMAP options checked when channels.toml loads."""

from __future__ import annotations

from email.message import EmailMessage
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from cmbuild.platforms.newsletter.inbox import CUT, cut_quoted, reply_text
from tests.platforms.test_options import load

# Lines a person writes: no quote marker, no attribution.
_LINE = st.text(
    st.characters(codec="utf-8", exclude_categories=("Cs", "Cc", "Zl", "Zp")), max_size=40
).filter(lambda line: not line.lstrip().startswith(">") and cut_quoted(line) == line.strip())


# Drawing the lines runs cut_quoted in the filter: on a loaded machine that is slow, which says
# nothing about the code under test (no outcome here may depend on timing).
@settings(deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(_LINE, min_size=1, max_size=8), st.lists(_LINE, max_size=5))
def test_what_is_above_the_quote_is_kept_and_the_cut_is_said(
    written: list[str], quoted: list[str]
) -> None:
    own = "\n".join(written)
    text = own + "\nOn Sat, 20 Dec 2025, CM Bordeaux <lettre@example.org> wrote:\n"
    text += "".join(f"> {line}\n" for line in quoted)
    cut = cut_quoted(text)
    if own.strip():
        assert cut == f"{own.strip()}\n{CUT}"
    else:
        assert cut == ""
    assert cut_quoted(own) == own.strip()  # nothing quoted: nothing cut, nothing said


def test_clients_attributions_and_quote_markers_are_cut() -> None:
    french = (
        "Merci !\n\nLe sam. 20 déc. 2025 à 09:00, CM Bordeaux\n<lettre@example.org> a écrit :\n> x"
    )
    assert cut_quoted(french) == f"Merci !\n{CUT}"
    outlook = "Oui.\n-----Original Message-----\nFrom: CM <lettre@example.org>\nSent: ..."
    assert cut_quoted(outlook) == f"Oui.\n{CUT}"
    inline = "> Vous venez ?\nOui, à 10 h.\n"
    assert cut_quoted(inline) == f"Oui, à 10 h.\n{CUT}"


def test_an_html_only_answer_is_read_as_text() -> None:
    message = EmailMessage()
    message.set_content("<p>Bonjour,</p><p>Quand ?</p><blockquote>&gt; x</blockquote>", "html")
    assert reply_text(message).startswith("Bonjour,\n\nQuand ?")


def test_an_unknown_imap_security_is_named_with_its_line(tmp_path: Path) -> None:
    errors = load(
        tmp_path,
        '[channels.news]\nplatform = "newsletter"\n'
        'options = { imap_host = "imap.example.org", imap_security = "tls" }\n',
    )
    assert len(errors) == 1 and "channels.toml:3" in errors[0]
    assert "imap_security" in errors[0] and "ssl" in errors[0], errors
