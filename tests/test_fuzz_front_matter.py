"""Random and hostile front matter: never a traceback, only exit 0, 1 or 2, nothing written on 2.

Each example writes one post into a copy of a one-post site and builds it in-process (a traceback
fails the test: the runner does not catch exceptions). The strategies mix valid keys and values
with what breaks parsers: unclosed quotes and brackets, YAML references, tags, control
characters, out-of-range dates, numbers where text is expected, very long paths.

200 examples from a fixed seed by default (well under a minute); `FUZZ_EXAMPLES=5000` explores
that many new ones.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.helpers import cli, tree

SITES = Path(__file__).parent / "sites"
VALID = ("title: Un titre", "publish: 2026-12-01 09:00", "channels: [x-test, blog]")
KEYS = st.sampled_from(
    [
        "title", "publish", "timezone", "channels", "campaign", "tags", "link", "image",
        "images", "status", "sponsored", "lang", "slug", "text", "path", "alt", "focus",
        "x-test", "blog", "publsh", "<<", "? x", "'q'",
    ]
)  # fmt: skip
HOSTILE = st.sampled_from(
    [
        "javascript:alert(1)", "https://testbrand.fr/x", "pas une url", "'", '"', "[", "{",
        "]", "*a", "&a x", "&a [1, *a]", "---", "...", ": :", "!!python/object:os.system",
        "!!binary AAAA", "!custom x", "\\0", '"\\0"', '"\\x07"', "\t", "~", "null", "yes",
        "9999-12-31T23:59:59-12:00", "0001-01-01 00:00", "20261216", "2026-02-30 09:00",
        "2026-03-29 02:30", "2026-13-45", "media/photo.jpg", "media/" + "a" * 300 + ".jpg",
        "../../etc/passwd", "/etc/passwd", "1e309", "0x1F", "-.inf", ".nan", "@ville", "#tag",
        "|", ">", "- x", "x-test", "[x-test]", "{x-test: {text: hi}}", "{path: media/photo.jpg}",
        "[0.5, 2]", "Europe/Paris", "Mars/Olympus", "draft", "approved", "review", "[[[]]]",
    ]
)  # fmt: skip
TEXT = st.text(st.characters(blacklist_categories=("Cs", "Cc")), max_size=30)
RAW = st.text(st.characters(blacklist_categories=("Cs",)), max_size=30)  # control characters too
OFTEN = st.integers(0, 4).map(lambda n: n != 4)  # True four times in five, and at first
SCALAR = st.one_of(HOSTILE, TEXT, st.integers().map(str), st.floats().map(str))
VALUE = st.recursive(
    SCALAR,
    lambda inner: st.one_of(
        st.lists(inner, max_size=4).map(lambda items: "[" + ", ".join(items) + "]"),
        st.dictionaries(KEYS, inner, max_size=3).map(
            lambda table: "{" + ", ".join(f"{k}: {v}" for k, v in table.items()) + "}"
        ),
    ),
    max_leaves=8,
)
KEYED = st.tuples(st.sampled_from(["", "", "  ", "    ", "- "]), KEYS, VALUE).map(
    lambda parts: f"{parts[0]}{parts[1]}: {parts[2]}"
)
LINE = st.one_of(KEYED, KEYED, KEYED, RAW)


@st.composite
def posts(draw: st.DrawFn) -> str:
    lines = [line for line in VALID if draw(OFTEN)]
    for line in draw(st.lists(LINE, max_size=5)):
        lines.insert(draw(st.integers(0, len(lines))), line)
    closing = "---\n" if draw(OFTEN) else ""
    return "---\n" + "\n".join(lines) + "\n" + closing + draw(RAW) + "\n"


def test_random_front_matter_never_crashes(tmp_path: Path) -> None:
    root = tmp_path / "site"
    shutil.copytree(SITES / "basic", root)
    for post in (root / "posts").iterdir():
        post.unlink()
    target = root / "posts/fuzz.md"
    target.write_text("---\n" + "\n".join(VALID) + "\n---\nLe texte.\n", encoding="utf-8")
    assert cli("build", "--root", str(root)).code in (0, 1)

    @settings(
        max_examples=int(os.environ.get("FUZZ_EXAMPLES", "200")),
        deadline=None,
        derandomize="FUZZ_EXAMPLES" not in os.environ,
        suppress_health_check=[HealthCheck.too_slow],
    )
    @given(text=posts())
    def build_survives(text: str) -> None:
        target.write_text(text, encoding="utf-8")
        before = tree(root / "output")
        result = cli("build", "--root", str(root))
        assert "Traceback" not in result.out + result.err
        assert result.code in (0, 1, 2), result.err
        if result.code == 2:
            assert tree(root / "output") == before, result.err

    build_survives()
