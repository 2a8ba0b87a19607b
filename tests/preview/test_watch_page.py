"""preview/watch.html after real watches: topics, spikes, items, sources, holds; escaped, stable."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from cmbuild.build import build
from cmbuild.stores.watch import Mention, Store
from tests.helpers import tree
from tests.preview.dom import Node, parse
from tests.preview.watch_fixture import HOSTILE, SITES, watched_site

NOW = "2026-12-01T00:00:00+00:00"


@pytest.fixture(scope="module")
def watched(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return watched_site(tmp_path_factory.mktemp("watched"))


def _page(root: Path, out: Path) -> Node:
    build(root, out, jobs=1)
    return parse((out / "preview" / "watch.html").read_text(encoding="utf-8"))


def _rows(page: Node, table: str) -> list[list[str]]:
    body = page.find("table", cls=table).find("tbody")
    return [[cell.text().strip() for cell in tr.find_all("td")] for tr in body.find_all("tr")]


def test_the_page_shows_topics_spikes_items_sources_and_holds(
    watched: Path, tmp_path: Path
) -> None:
    page = _page(watched, tmp_path / "out")
    lead = page.find("p", cls="lead").text()
    assert "2026-11-30 09:00 UTC" in lead and "6 mentions" in lead
    assert _rows(page, "watch-topics") == [
        ["grève", "crisis", "3", "4"],
        ["noël", "info", "1", "2"],
    ]
    assert page.find("figure", cls="chart").find("svg")  # mentions per day, drawn
    (spike,) = page.find("ul", cls="watch-spikes").find_all("li")
    assert spike.text().startswith("grève: 3 mentions in the 24 h to the last watch")
    items = _rows(page, "watch-items")
    assert items[0] == [
        "2026-11-30 09:00",
        "Grève : jour 0",
        "grève",
        "crisis",
        "grève",
        "sud-ouest",
    ]
    assert items[-1][:4] == ["2026-11-29 09:00", "Marché de Noël ouvert", "noël", "info"]
    links = {a.text(): a.attrs["href"] for a in page.find("table", cls="watch-items").find_all("a")}
    assert links["Grève : jour 0"] == "https://www.sudouest.example/greve-0.html"
    sources = _rows(page, "watch-sources")
    assert sources[0] == [
        "sud-ouest", "feed", "every 15 min", "2026-11-30 09:00 UTC", "2026-11-30 09:00 UTC", "none"
    ]  # fmt: skip
    assert sources[1][:5] == ["forum", "feed", "every 1 h", "2026-11-30 09:00 UTC", "never"]
    assert "503" in sources[1][5]
    (held,) = [c for c in page.find("ul", cls="watch-held").children if isinstance(c, Node)]
    # The second watch's crisis replaced the first's halt: the latest item is the reason.
    assert held.text().strip().startswith("campaign conseils since 2026-11-30T09:00:00Z:")
    assert "topic grève" in held.text()
    link = held.find("a")
    assert link.text() == "Grève : jour 0"
    assert link.attrs["href"] == "https://www.sudouest.example/greve-0.html"
    assert "Conseil : écrire pour chaque réseau" in held.find("ul").text()


def test_hostile_titles_are_text_and_a_script_url_is_no_link(watched: Path, tmp_path: Path) -> None:
    build(watched, tmp_path / "out", jobs=1)
    text = (tmp_path / "out" / "preview" / "watch.html").read_text(encoding="utf-8")
    assert '<script>alert("t")' not in text and "<b>annulé</b>" not in text
    assert "&lt;script&gt;alert(&#34;t&#34;)&lt;/script&gt; Grève &amp; &lt;b&gt;" in text
    assert "javascript:" not in text
    cells = _rows(parse(text), "watch-items")
    assert [HOSTILE, "noël"] in [row[1:3] for row in cells]


def test_every_page_links_to_the_watch_and_slots_pages(watched: Path, tmp_path: Path) -> None:
    build(watched, tmp_path / "out", jobs=1)
    for relative, root in (("index.html", ""), ("preview/findings.html", "../")):
        nav = parse((tmp_path / "out" / relative).read_text(encoding="utf-8")).find("nav")
        hrefs = [a.attrs["href"] for a in nav.find_all("a")]
        assert f"{root}preview/watch.html" in hrefs and f"{root}preview/slots.html" in hrefs
    post = next((tmp_path / "out" / "preview" / "posts").glob("*.html"))
    assert 'href="../../preview/watch.html"' in post.read_text(encoding="utf-8")


def test_the_same_state_gives_the_same_bytes(watched: Path, tmp_path: Path) -> None:
    build(watched, tmp_path / "one", jobs=1, now=_now())
    copy = tmp_path / "elsewhere" / "basic"
    shutil.copytree(watched, copy, ignore=shutil.ignore_patterns("output"))
    build(copy, tmp_path / "two", jobs=1, now=_now())
    one, two = tree(tmp_path / "one"), tree(tmp_path / "two")
    for page in ("preview/watch.html", "preview/slots.html", "index.html"):
        assert one[page] == two[page], page


def test_a_torn_last_mention_is_named_and_left_for_watch(watched: Path, tmp_path: Path) -> None:
    root = tmp_path / "basic"
    shutil.copytree(watched, root, ignore=shutil.ignore_patterns("output"))
    mentions = root / "state" / "watch" / "mentions.jsonl"
    lines = mentions.read_bytes().count(b"\n")
    with mentions.open("ab") as handle:
        handle.write(b'{"at": "2026-11-30T09:30:00Z", "source": "sud-ou')
    before = mentions.read_bytes()
    page = _page(root, tmp_path / "out")
    (notice,) = page.find_all("p", cls="watch-notice")
    assert notice.text().startswith(
        f"state/watch/mentions.jsonl:{lines + 1}: the last line was cut"
    )
    assert "left for `cmbuild watch` to set aside" in notice.text()
    assert "6 mentions" in page.find("p", cls="lead").text()  # the rest is read
    assert mentions.read_bytes() == before and not mentions.with_suffix(".jsonl.torn").exists()

    Store.at(root).mentions([])  # as the next `cmbuild watch` reads it: the line is set aside
    page = _page(root, tmp_path / "out")
    (notice,) = page.find_all("p", cls="watch-notice")
    assert notice.text().startswith("state/watch/mentions.jsonl.torn: lines cut short")


def test_a_watch_after_a_build_makes_the_next_build_draw_the_page_again(
    watched: Path, tmp_path: Path
) -> None:
    root = tmp_path / "basic"
    shutil.copytree(watched, root, ignore=shutil.ignore_patterns("output"))
    out = tmp_path / "out"
    build(root, out, jobs=1)
    assert build(root, out, jobs=1).noop
    heard = Mention("2026-11-30T10:00:00Z", "sud-ouest", "u:new", None, "Grève encore", "grève",
                    "crisis", ("grève",))  # fmt: skip
    Store.at(root).add_mentions([heard])
    assert not build(root, out, jobs=1).noop
    text = (out / "preview" / "watch.html").read_text(encoding="utf-8")
    assert "Grève encore" in text and "7 mentions" in text


def test_empty_states_say_what_to_do(tmp_path: Path) -> None:
    root = tmp_path / "basic"
    shutil.copytree(SITES / "basic", root)
    text = _page(root, tmp_path / "out").find("main").text()
    assert "To start, write brand/watch.toml" in text and "No post is held by veille." in text
    (root / "brand" / "watch.toml").write_text(
        '[[topics]]\nname = "grève"\nterms = ["grève"]\n', encoding="utf-8"
    )
    text = _page(root, tmp_path / "out").find("main").text()
    assert "have never been read: run cmbuild watch" in text
    (root / "brand" / "watch.toml").write_text('[[topics]]\nname = "grève"\n', encoding="utf-8")
    text = _page(root, tmp_path / "out").find("main").text()
    assert "brand/watch.toml cannot be read" in text and "terms" in text


def _now():  # type: ignore[no-untyped-def]
    from datetime import datetime

    return datetime.fromisoformat(NOW)


def test_a_line_that_is_no_mention_is_named_and_the_page_still_builds(
    watched: Path, tmp_path: Path
) -> None:
    root = tmp_path / "basic"
    shutil.copytree(watched, root, ignore=shutil.ignore_patterns("output"))
    with (root / "state" / "watch" / "mentions.jsonl").open("a", encoding="utf-8") as handle:
        handle.write('{"at": "2026-11-30T09:30:00Z", "who": "someone"}\n')
    page = _page(root, tmp_path / "out")
    (notice,) = page.find_all("p", cls="watch-notice")
    assert notice.text() == (
        "state/watch/mentions.jsonl: a line that is not a mention, left as it is and skipped"
    )
    assert _rows(page, "watch-sources")[0][0] == "sud-ouest"  # the rest of the page is there


def test_a_damaged_sources_file_is_named_on_the_page_and_the_build_goes_on(
    watched: Path, tmp_path: Path
) -> None:
    root = tmp_path / "basic"
    shutil.copytree(watched, root, ignore=shutil.ignore_patterns("output"))
    sources = root / "state" / "watch" / "sources.json"
    before = sources.read_text(encoding="utf-8")
    assert '"watched_at": "' in before
    sources.write_text(before.replace('"watched_at": "', '"watched_at": "x'), encoding="utf-8")
    damaged = sources.read_bytes()
    problem = _page(root, tmp_path / "out").find("p", cls="watch-problem").text()
    assert problem.startswith("state/watch/sources.json cannot be read"), problem
    assert "state/watch/sources.json: watched_at: 'x" in problem and "is not a time" in problem
    assert "2026-12-01T09:00:00Z" in problem  # what to write instead
    assert sources.read_bytes() == damaged  # left as it is
