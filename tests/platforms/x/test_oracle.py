"""X's weighted length agrees with official twitter-text 3.1.0 (JavaScript), run as an oracle."""

from __future__ import annotations

import unicodedata

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from cmbuild.text.counting import x_weighted_length
from tests.platforms.conftest import ORACLE, WeightedLength, require_oracle

LONG_PATH = "https://cm-bordeaux.fr/" + "a" * 4090  # over twitter-text's 4096: not a link

CORPUS = [
    "",
    "Bonjour",
    "Rendez-vous samedi à Bordeaux pour l’atelier « écrire pour les réseaux » : places limitées…",
    "Plus d’infos sur cm-bordeaux.fr/atelier et https://cm-bordeaux.fr/agenda?utm_source=x #CM",
    "http://example.com https://example.com/path_(wiki) HTTPS://EXAMPLE.COM/A?b=c&d=e#frag",
    "file.py, notes.txt, index.html, www.example.org, e.g. 10.5 M.Dupont fin.",
    "t.co/abc https://t.co/abcdefgh https://t.co/abcdefgh/more?x=1 https://t.co/" + "a" * 41,
    "contact@cm-bordeaux.fr @cmbordeaux @user@mastodon.social #CM2026 $CASH",
    "bücher.de http://bücher.de http://日本語.jp 日本語.jp example.com日本語",
    LONG_PATH,
    LONG_PATH[:4000],
    "😀 👍🏽 👨‍👩‍👧‍👦 🧑‍💻 ❤️‍🔥 🏳️‍🌈 🇫🇷🇩🇪 🏴󠁧󠁢󠁳󠁣󠁴󠁿 1️⃣ #️⃣ *⃣ 🫠",
    "© ©️ ® ®️ ™ ™️ ❤ ❤️ ☺ ☺️ ♟ ♟️ ‼ \ufe0f a\ufe0f \u200d \u20e3 1\u20e3",
    "日本語のテキスト、中文文本，한국어 텍스트",
    "Ελληνικά Кириллица עברית العربية हिन्दी ไทย",
    "café cafe\u0301 Cafe\u0301 e\u0301\u0302 \u0301 ñ n\u0303",
    unicodedata.normalize("NFD", "Élève à l’école, où ça ?"),
    "line one\nline two\r\nline three\rend\t\u00a0\u202f\u2009\u2028",
    "– — ‘ ’ “ ” • … ′ ″ ‹ › € £ ¥ ½ →",
    "x" * 280,
    "é" * 281,
    "😀" * 141,
    # JavaScript matches links on UTF-16 code units: half an emoji can precede a domain.
    "#🇫.file.py, x🇫.file.py 😀.fr 😀example.com/😀",
    # Python's case-insensitive matching folds these to ASCII letters, JavaScript's does not.
    "example.ſe example.\u212aR httpſ://example.com/x example.İo http://exampleı.com/ſ",
    "ÉXAMPLE.FR example.РФ http://example.рф/путь",
]

PIECES = [
    *CORPUS[1:9],
    "https://cm-bordeaux.fr/agenda?utm_source=x&utm_medium=social",
    "cm-bordeaux.fr/atelier",
    "example.com",
    "a.b",
    ".fr",
    "http://",
    "https://",
    "/path",
    "?q=1",
    "xn--bcher-kva.de",
    "😀",
    "👍🏽",
    "🏽",
    "👨‍👩‍👧‍👦",
    "👨",
    "\u200d",
    "\ufe0f",
    "\ufe0e",
    "\u20e3",
    "🇫",
    "🇷",
    "🏴",
    "\U000e0067",
    "\U000e007f",
    "1",
    "#",
    "*",
    "©",
    "®",
    "™",
    "❤",
    "☺",
    "é",
    "e\u0301",
    "日本",
    "한",
    "\u1100\u1161",
    " ",
    "\n",
    "\r\n",
    "\u00a0",
    "\u202f",
    ".",
    ",",
    "(",
    ")",
    "@",
    "-",
    "_",
    ":",
    "/",
]


@pytest.mark.parametrize("text", CORPUS)
def test_matches_twitter_text_on_the_corpus(
    official_weighted_length: WeightedLength, text: str
) -> None:
    assert x_weighted_length(text) == official_weighted_length(text)


@settings(max_examples=600, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.sampled_from(PIECES), max_size=30).map("".join))
def test_matches_twitter_text_on_mixed_pieces(
    official_weighted_length: WeightedLength, text: str
) -> None:
    assert x_weighted_length(text) == official_weighted_length(text)


_ANY = st.characters(exclude_categories=["Cs"])  # any character but a lone surrogate


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.one_of(st.sampled_from(PIECES), _ANY), max_size=40).map("".join))
def test_matches_twitter_text_on_any_characters(
    official_weighted_length: WeightedLength, text: str
) -> None:
    assert x_weighted_length(text) == official_weighted_length(text)


def test_committed_twemoji_pattern_is_generated_from_the_installed_parser() -> None:
    require_oracle()
    import importlib.util
    from pathlib import Path

    spec = importlib.util.spec_from_file_location("build", ORACLE / "build_twemoji_pattern.py")
    assert spec is not None and spec.loader is not None
    build = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(build)
    committed = Path(__file__).resolve().parents[3] / "cmbuild" / "text" / "_twemoji.py"
    expected = build.render(*build.javascript_source())
    assert committed.read_text(encoding="utf-8") == expected, (
        "cmbuild/text/_twemoji.py is stale: regenerate it (see tests/oracle/README.md)"
    )
