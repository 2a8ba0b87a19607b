"""Incremental builds give exactly what a build from scratch gives, whatever was edited.

A rebuild reuses most of the last build: rows from the index, manifest entries and calendar events
copied from the previous files, rendered variants from the shards. Each test edits a copy of the
basic site, rebuilds it in place, and compares every output byte for byte with a build of the same
inputs into an empty folder.
"""

from __future__ import annotations

import io
import shutil
from collections.abc import Callable
from pathlib import Path

import orjson
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from PIL import Image

from cmbuild.build import build
from cmbuild.manifest.writer import assemble
from tests.helpers import edit, tree

SITES = Path(__file__).parents[1] / "sites"
LAUNCH = "posts/2026-12-01-lancement.md"
TIP = "posts/2026-12-05-conseil.md"
DRAFT = "posts/2026-12-10-brouillon.md"


def _swap(path: Path, old: str, new: str) -> None:
    """Replace `old` by `new` in `path`, if an earlier edit left both there (sequences repeat)."""
    if path.exists() and old in path.read_text(encoding="utf-8"):
        edit(path, old, new)


def _text(root: Path) -> None:
    _swap(root / TIP, "adaptez le ton", "adaptez le ton, le format")


def _time(root: Path) -> None:
    _swap(root / LAUNCH, "publish: 2026-12-01 09:00", "publish: 2026-12-01 10:15")


def _twin(root: Path) -> None:
    """A copy of the launch post an hour later (a slug of its own)."""
    text = (root / LAUNCH).read_text(encoding="utf-8")
    twin = text.replace("publish: 2026-12-01 09:00", "publish: 2026-12-01 10:00")
    (root / "posts/2026-12-01-jumeau.md").write_text(twin, encoding="utf-8")


def _untwin(root: Path) -> None:
    (root / "posts/2026-12-01-jumeau.md").unlink(missing_ok=True)


def _add(root: Path) -> None:
    (root / "posts/2026-12-20-nouveau.md").write_text(
        '---\ntitle: "Nouveau"\npublish: 2026-12-20\nstatus: approved\n'
        "channels: [x-test, linkedin-test]\n---\nUn nouveau billet, écrit à l’instant.\n",
        encoding="utf-8",
    )


def _remove(root: Path) -> None:
    (root / TIP).unlink(missing_ok=True)


def _image(root: Path) -> None:
    buffer = io.BytesIO()
    Image.new("RGB", (1600, 1000), (40, 90, 160)).save(buffer, "JPEG", quality=90)
    (root / "media/photo.jpg").write_bytes(buffer.getvalue())


def _charter(root: Path) -> None:
    with (root / "brand/charter.toml").open("a", encoding="utf-8") as handle:
        handle.write('\n[[wording.banned]]\nexpression = "session"\nsuggest = "promotion"\n')


def _approve(root: Path) -> None:
    _swap(root / DRAFT, "status: draft", "status: approved")


def _tamper(root: Path) -> None:
    """Outputs changed behind the build's back, along with a post."""
    out = root / "output"
    if (out / "calendar.ics").exists():
        with (out / "calendar.ics").open("ab") as handle:
            handle.write(b"X")
    (out / "manifest.json").unlink(missing_ok=True)
    for text in sorted(out.glob("x-test/*.txt"))[:1]:
        text.unlink()
    text = (root / LAUNCH).read_text(encoding="utf-8")
    (root / LAUNCH).write_text(text.replace("huit ", "huit belles ", 1), encoding="utf-8")


EDITS: dict[str, Callable[[Path], None]] = {
    "text": _text,
    "time": _time,
    "twin": _twin,
    "untwin": _untwin,
    "add": _add,
    "remove": _remove,
    "image": _image,
    "charter": _charter,
    "approve": _approve,
    "tamper": _tamper,
}


def _from_scratch(root: Path, elsewhere: Path, *, preview: bool) -> dict[str, bytes]:
    if elsewhere.exists():
        shutil.rmtree(elsewhere)
    shutil.copytree(root, elsewhere, ignore=shutil.ignore_patterns("output"))
    build(elsewhere, preview=preview)
    return tree(elsewhere / "output")


def _check(root: Path, elsewhere: Path, *, preview: bool) -> None:
    result = build(root, preview=preview)
    expected = _from_scratch(root, elsewhere, preview=preview)
    produced = tree(root / "output")
    assert sorted(produced) == sorted(expected)
    for relative, data in expected.items():
        assert produced[relative] == data, f"{relative} differs from a build from scratch"
    if result.variants is not None:  # None: nothing had changed (the no-op path)
        scratch = build(elsewhere, elsewhere / "again", preview=False)
        assert result.variants == scratch.variants


@pytest.mark.parametrize("name", sorted(EDITS))
def test_one_edit_then_rebuild_equals_a_build_from_scratch(name: str, tmp_path: Path) -> None:
    root = tmp_path / "site"
    shutil.copytree(SITES / "basic", root)
    build(root)
    EDITS[name](root)
    _check(root, tmp_path / "scratch", preview=True)


def _pair_site(root: Path) -> None:
    """Two channels that must not carry the same text within a day, with bare templates."""
    (root / "posts").mkdir(parents=True)
    (root / "brand/templates").mkdir(parents=True)
    (root / "channels.toml").write_text(
        '[defaults]\ntimezone = "Europe/Paris"\nlang = "fr"\n\n'
        '[channels.masto]\nplatform = "mastodon"\n\n[channels.threads]\nplatform = "threads"\n',
        encoding="utf-8",
    )
    (root / "brand/charter.toml").write_text(
        '[brand]\nname = "Paire"\nlang = "fr"\n\n[complementarity]\nwindow_hours = 24\n',
        encoding="utf-8",
    )
    for platform in ("mastodon", "threads"):
        (root / f"brand/templates/{platform}.j2").write_text("{{ body }}\n", encoding="utf-8")
    (root / "posts/a.md").write_text(
        '---\ntitle: "A"\npublish: 2026-12-01 10:00\nstatus: approved\nchannels: [masto]\n---\n'
        "Un texte que deux posts partagent, mot pour mot.\n",
        encoding="utf-8",
    )


def test_cross_post_findings_come_and_go_on_the_unchanged_post(tmp_path: Path) -> None:
    root = tmp_path / "site"
    _pair_site(root)
    build(root, preview=False)
    twin = root / "posts/b.md"
    twin.write_text(
        '---\ntitle: "B"\npublish: 2026-12-01 09:00\nstatus: approved\nchannels: [threads]\n---\n'
        "Un texte que deux posts partagent, mot pour mot.\n",
        encoding="utf-8",
    )
    twinned = build(root, preview=False)
    assert twinned.rendered == 1  # only the new post; the finding lands on the unchanged one
    found = [f for f in twinned.summary.findings if f.rule == "charter.complementarity"]
    assert [(f.file, f.channel) for f in found] == [("posts/a.md", "masto")]
    _check(root, tmp_path / "scratch", preview=False)
    twin.unlink()
    again = build(root, preview=False)
    assert not [f for f in again.summary.findings if f.rule == "charter.complementarity"]
    _check(root, tmp_path / "scratch", preview=False)


@settings(
    max_examples=6,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(steps=st.lists(st.sampled_from(sorted(EDITS)), min_size=2, max_size=3))
def test_any_sequence_of_edits_equals_a_build_from_scratch(
    steps: list[str], tmp_path_factory: pytest.TempPathFactory
) -> None:
    base = tmp_path_factory.mktemp("sequence")
    root = base / "site"
    shutil.copytree(SITES / "basic", root)
    build(root, preview=False)
    for step in steps:
        EDITS[step](root)
        _check(root, base / "scratch", preview=False)


def test_a_lost_shard_is_rebuilt_not_trusted(tmp_path: Path) -> None:
    """Without its shards the build state is incomplete: the build renders what it must."""
    root = tmp_path / "site"
    shutil.copytree(SITES / "basic", root)
    build(root, preview=False)
    shutil.rmtree(root / "output/.cmbuild/shards")
    _twin(root)  # the unchanged launch post must be looked at again
    _check(root, tmp_path / "scratch", preview=False)


@given(
    entries=st.lists(
        st.dictionaries(
            st.sampled_from(["id", "text", "media", "findings", "n"]),
            st.recursive(
                st.none() | st.integers(-(2**53), 2**53) | st.text(),
                lambda inner: (
                    st.lists(inner, max_size=3)
                    | st.dictionaries(st.text(max_size=5), inner, max_size=3)
                ),
                max_leaves=6,
            ),
        ),
        max_size=4,
    )
)
def test_assembled_manifest_is_what_orjson_gives_for_the_whole_document(
    entries: list[dict[str, object]],
) -> None:
    indent = orjson.OPT_INDENT_2
    fragments = [
        b"    " + orjson.dumps(e, option=indent).replace(b"\n", b"\n    ") for e in entries
    ]
    data, spans = assemble(fragments, "sha256:0")
    document = orjson.loads(data)
    assert document["variants"] == entries
    assert data == orjson.dumps(document, option=indent | orjson.OPT_APPEND_NEWLINE)
    assert [data[o : o + n] for o, n in spans] == fragments


def test_a_rebuild_renders_only_the_edited_posts_preview_page(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import cmbuild.preview.site as site
    from cmbuild.preview.pages import PostPage

    root = tmp_path / "site"
    shutil.copytree(SITES / "basic", root)
    build(root)
    rendered: list[str] = []
    real = site._with_cards

    def spy(page: PostPage, *args: object, **kwargs: object) -> PostPage:
        rendered.append(page.source)
        return real(page, *args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(site, "_with_cards", spy)
    _text(root)
    build(root)
    assert rendered == [TIP]
    rendered.clear()
    _time(root)  # the launch moves: its page, and those that list it as a neighbour
    build(root)
    assert LAUNCH in rendered and TIP not in rendered
    _check(root, tmp_path / "scratch", preview=True)


def test_a_long_running_process_keeping_the_state_in_memory_builds_the_same(
    tmp_path: Path,
) -> None:
    """`cmbuild serve` passes one Memo to every rebuild: its outputs must not differ either."""
    from cmbuild.incremental.memo import Memo

    root = tmp_path / "site"
    shutil.copytree(SITES / "basic", root)
    memo = Memo()
    build(root, memo=memo)
    for step in ("text", "twin", "tamper", "time", "untwin", "image", "remove", "charter"):
        EDITS[step](root)
        build(root, memo=memo)
        expected = _from_scratch(root, tmp_path / "scratch", preview=True)
        produced = tree(root / "output")
        assert sorted(produced) == sorted(expected), step
        for relative, data in expected.items():
            assert produced[relative] == data, f"after {step}: {relative} differs"
