"""Nothing of the writer's words leaves a variant silently: cuts, dropped hashtags, no room."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from cmbuild.render.omissions import quote
from tests.conftest import REPO
from tests.helpers import cli

CALL_TO_ACTION = "Inscrivez-vous avant vendredi midi sur notre site."
LONG_BODY = (
    "Le prochain meetup des community managers de Bordeaux a lieu jeudi soir au quai des "
    "Chartrons. Trois intervenantes raconteront comment elles préparent un calendrier éditorial, "
    "comment elles répondent aux commentaires difficiles et comment elles mesurent ce qui marche "
    "vraiment. On finira autour d’un verre pour parler de vos projets. " + CALL_TO_ACTION
)


@pytest.fixture
def sample(tmp_path: Path) -> Path:
    """The sample repository's brand and channels, with no post yet."""
    root = tmp_path / "site"
    for name in ("brand", "media"):
        shutil.copytree(REPO / name, root / name)
    shutil.copy(REPO / "channels.toml", root / "channels.toml")
    (root / "posts").mkdir()
    return root


def write_post(root: Path, front: str, body: str = LONG_BODY) -> None:
    text = f"---\ntitle: Meetup de décembre\npublish: 2026-12-15 09:00\n{front}---\n{body}\n"
    (root / "posts/2026-12-15-meetup.md").write_text(text, encoding="utf-8")


def findings(root: Path) -> tuple[int, list[dict[str, object]], str]:
    result = cli("check", "--root", str(root), "--json")
    assert "Traceback" not in result.out + result.err
    return result.code, json.loads(result.out)["findings"] if result.out else [], result.err


def test_a_cut_body_is_a_warning_that_quotes_the_words_lost(sample: Path) -> None:
    write_post(sample, "status: approved\nchannels: [x-cmb]\n")
    code, found, _ = findings(sample)
    cuts = [f for f in found if f["rule"] == "text.cut"]
    assert len(cuts) == 1, found
    cut = cuts[0]
    assert cut["severity"] == "warning"
    assert cut["channel"] == "x-cmb"
    assert cut["line"] == 7  # the body's first line
    assert CALL_TO_ACTION in str(cut["message"])
    assert code == 0  # a warning alone does not fail the build


def test_a_text_without_spaces_is_cut_between_characters_not_refused(sample: Path) -> None:
    write_post(sample, "status: approved\nchannels: [x-cmb]\n", body="日本語のテキストです。" * 40)
    code, found, _ = findings(sample)
    assert [f["rule"] for f in found if f["rule"].startswith("text.")] == ["text.cut"]
    assert code == 0


def test_the_writers_own_text_is_never_cut_and_is_an_error_when_too_long(sample: Path) -> None:
    override = LONG_BODY.replace("\n", " ")
    front = f'status: approved\nchannels:\n  x-cmb:\n    text: "{override}"\n'
    write_post(sample, front, body="Court.")
    code, found, _ = findings(sample)
    assert code == 1
    assert not [f for f in found if f["rule"] == "text.cut"]
    (length,) = [f for f in found if f["rule"] == "platform.length"]
    assert length["severity"] == "error"
    assert length["line"] == 7  # the `text:` line
    shown, _, over = str(length["message"]).partition(": ")
    assert int(shown.split("/")[0]) > 280 and over.endswith("over")
    built = cli("build", "--root", str(sample))
    assert built.code == 1
    assert CALL_TO_ACTION in (sample / "output/x-cmb/2026-12-15-meetup.txt").read_text("utf-8")


def test_hashtags_over_a_cap_are_named(sample: Path) -> None:
    tags = "[Meetup, Bordeaux, Veille, Modération, Calendrier, Statistiques, Communauté]"
    write_post(sample, f"tags: {tags}\nstatus: approved\nchannels: [x-cmb]\n", body="Jeudi !")
    code, found, _ = findings(sample)
    (dropped,) = [f for f in found if f["rule"] == "text.hashtags-dropped"]
    assert dropped["line"] == 4  # the `tags:` line
    assert dropped["channel"] == "x-cmb"
    message = str(dropped["message"])
    assert message.startswith("5 hashtags left out on X (at most 2 here):")
    assert message.endswith("#Veille #Modération #Calendrier #Statistiques #Communauté")
    assert code == 0


# X's sample template leaves 280 - 2 - len("#A #B #CMBordeaux") for a text with no link.
@pytest.mark.parametrize(("long", "room"), [(150, -18), (132, 0), (131, 1)])
def test_tags_that_leave_no_room_are_an_error_on_the_tags_line(
    sample: Path, long: int, room: int
) -> None:
    tags = f"[{'a' * long}, {'b' * 131}]"
    write_post(sample, f"tags: {tags}\nstatus: approved\nchannels: [x-cmb]\n")
    code, found, err = findings(sample)
    assert code == 1, err
    assert "ValueError" not in err
    (no_room,) = [f for f in found if f["rule"] == "text.no-room"]
    assert no_room["severity"] == "error"
    assert no_room["line"] == 4
    message = str(no_room["message"])
    assert message.startswith("no room is left for the text on X: the hashtags")
    if room < 0:
        assert message.endswith(f"alone are {-room} weighted characters over the limit")
    else:
        assert message.endswith(f"leave {room} weighted characters, not enough for a word")
    assert not [f for f in found if f["rule"] == "text.cut"]


def test_every_starter_template_reports_what_it_cuts(tmp_path: Path) -> None:
    """A body longer than every platform's limit, on a channel per starter template: each variant
    either keeps the last sentence or has a `text.cut` finding that quotes its end."""
    root = tmp_path / "starter"
    assert cli("init", str(root)).code == 0
    extra = {
        "mastodon": 'options = { instance = "https://mastodon.example" }',
        "pinterest": 'options = { board = "123" }',
    }
    starters = sorted(p.parent.name for p in (REPO / "cmbuild/platforms").glob("*/starter*.j2"))
    channels = ["x-main", "linkedin-main", "blog"]
    with (root / "channels.toml").open("a", encoding="utf-8") as toml:
        for name in starters:
            if name not in ("x", "linkedin", "blog"):
                toml.write(f'\n[channels.{name}-t]\nplatform = "{name}"\n{extra.get(name, "")}\n')
                channels.append(f"{name}-t")
    last = "Et voici la phrase qui termine le texte, avec son appel à l’action."
    body = " ".join(["Une phrase ordinaire qui prend de la place dans le texte."] * 100 + [last])
    image = 'image:\n  path: media/welcome.jpg\n  alt: "Des collines vertes."\n'
    post = f"---\ntitle: Long\npublish: 2027-01-15 09:00\n{image}status: approved\n"
    post += f"channels: [{', '.join(channels)}]\n---\n{body}\n"
    (root / "posts/hello.md").write_text(post, encoding="utf-8")
    result = cli("build", "--root", str(root), "--json")
    assert result.code in (0, 1), result.err
    summary = json.loads(result.out)
    manifest = json.loads((root / "output/manifest.json").read_text(encoding="utf-8"))
    variants = {v["channel"]: v for v in manifest["variants"]}
    assert {v["platform"] for v in variants.values()} == set(starters)
    for channel, variant in variants.items():
        text = (root / "output" / variant["output"]).read_text(encoding="utf-8")
        if last in text:
            continue
        cut = [
            f
            for f in summary["findings"]
            if f["rule"] == "text.cut"
            and f["channel"] == channel
            and f["message"].endswith("avec son appel à l’action. »")
        ]
        assert cut, f"{channel}: the end of the text was cut without a finding"


def test_long_quotes_keep_their_start_and_end_and_count_the_words_between() -> None:
    words = " ".join(f"mot{i}" for i in range(100))
    shown = quote(words)
    assert shown.startswith("« mot0 mot1 ") and shown.endswith(" mot98 mot99 »")
    head, _, rest = shown.partition(" […")
    hidden = int(rest.split()[0])
    tail = rest.split("…] ")[1].removesuffix(" »")
    assert len(head.split()) - 1 + hidden + len(tail.split()) == 100
    assert quote("deux   mots\n") == "« deux mots »"


def test_the_readme_length_error_is_what_check_prints(sample: Path) -> None:
    """The README's example post, with its X `text:` made 16 over, gives the README's finding."""
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    post = readme.split("```markdown\n", 1)[1].split("```", 1)[0]
    post = "\n".join(line.removeprefix("   ") for line in post.splitlines()) + "\n"
    expected = next(line.strip() for line in readme.splitlines() if "(platform.length)" in line)
    hint = readme.split(expected, 1)[1].splitlines()[1].strip()
    name = expected.split(":", 1)[0]
    path = sample / name
    path.write_text(post, encoding="utf-8")
    original = next(line for line in post.splitlines() if line.strip().startswith("text:"))
    built = cli("build", "--root", str(sample), "--json")
    manifest = json.loads((sample / "output/manifest.json").read_text(encoding="utf-8"))
    (x,) = [v for v in manifest["variants"] if v["channel"] == "x-cmb"]
    padding = 296 - x["length"] - 1
    assert built.code == 0 and padding > 0
    longer = original.replace(' ✍️"', " " + "a" * padding + ' ✍️"')
    path.write_text(post.replace(original, longer), encoding="utf-8")
    result = cli("check", "--root", str(sample))
    assert result.code == 1
    lines = [line.strip() for line in result.out.splitlines()]
    assert expected in lines, result.out
    assert lines[lines.index(expected) + 1] == hint
