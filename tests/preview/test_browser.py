"""The preview in a real browser, from file://: calendar, cards, images, findings, keyboard, and no
request leaving the page.

Headless Chromium driven by Selenium, with Debian's chromium and chromium-driver. Without them the
test is skipped, unless CI is set: then it fails, so that CI never passes by skipping it.
A screenshot of each page visited is saved under tests/artifacts/.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest

from tests.preview.conftest import Preview

if TYPE_CHECKING:
    from selenium.webdriver.chrome.webdriver import WebDriver
    from selenium.webdriver.remote.webelement import WebElement

CHROMIUM = Path("/usr/bin/chromium")
CHROMEDRIVER = Path("/usr/bin/chromedriver")
ARTIFACTS = Path(__file__).resolve().parents[1] / "artifacts"
FLAGS = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    # Belt and braces: even a request the page should not make could not reach a host.
    "--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE localhost",
    "--window-size=1400,1000",
)


def _unavailable() -> str | None:
    missing = [str(p) for p in (CHROMIUM, CHROMEDRIVER) if not p.exists()]
    if missing:
        return f"{' and '.join(missing)} not installed (apt-get install chromium chromium-driver)"
    try:
        import selenium  # noqa: F401
    except ImportError:
        return "selenium is not installed"
    return None


@pytest.fixture(scope="module")
def browser(tmp_path_factory: pytest.TempPathFactory) -> Iterator[WebDriver]:
    reason = _unavailable()
    if reason:
        if os.environ.get("CI"):
            pytest.fail(f"browser test cannot run in CI: {reason}")
        pytest.skip(reason)
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = str(CHROMIUM)
    for flag in FLAGS:
        options.add_argument(flag)
    options.add_argument(f"--user-data-dir={tmp_path_factory.mktemp('chromium-profile')}")
    options.set_capability("goog:loggingPrefs", {"performance": "ALL", "browser": "ALL"})
    driver = webdriver.Chrome(options=options, service=Service(str(CHROMEDRIVER)))
    try:
        driver.get("about:blank")  # leave the browser's own start page (chrome:// requests)
        yield driver
    finally:
        driver.quit()


def _open(driver: WebDriver, path: Path) -> None:
    """Open a page, the network log emptied first so that it holds this page's requests only."""
    _requests(driver)
    driver.get(path.as_uri())


def _requests(driver: WebDriver) -> list[str]:
    """The URLs of every request the pages made since the last call (CDP Network events)."""
    from selenium.webdriver.remote.command import Command

    urls = []
    for record in driver.execute(Command.GET_LOG, {"type": "performance"})["value"]:
        message: dict[str, Any] = json.loads(record["message"])["message"]
        if message["method"] == "Network.requestWillBeSent":
            urls.append(message["params"]["request"]["url"])
    return urls


def _assert_all_local(driver: WebDriver, *expected: str) -> None:
    """Every request since the page was opened was for a file://, and the `expected` were made."""
    urls = _requests(driver)
    # data: URLs are inside the page (the heatmaps' cells are an inline PNG): nothing leaves it.
    remote = [url for url in urls if not url.startswith(("file://", "data:"))]
    assert not remote, f"requests left the page: {remote}"
    for suffix in expected:
        assert any(url.endswith(suffix) for url in urls), f"no request for {suffix}: {urls}"


def _screenshot(driver: WebDriver, name: str) -> Path:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    height = int(driver.execute_script("return document.documentElement.scrollHeight"))
    driver.set_window_size(1400, min(height + 120, 6000))
    driver.execute_script("window.scrollTo(0, 0)")
    target = ARTIFACTS / f"preview-{name}.png"
    assert driver.save_screenshot(str(target))
    driver.set_window_size(1400, 1000)
    return target


def _visible_ids(elements: list[WebElement]) -> set[str]:
    return {str(e.get_attribute("data-variant")) for e in elements if e.is_displayed()}


def test_calendar(browser: WebDriver, preview: Preview) -> None:
    from selenium.webdriver.common.by import By

    _open(browser, preview.out / "index.html")
    non_drafts = {v.id for v in preview.variants if v.status != "draft"}
    month = browser.find_element(By.ID, "view-month")
    assert month.is_displayed()
    assert not browser.find_element(By.ID, "view-week").is_displayed()
    assert _visible_ids(month.find_elements(By.CSS_SELECTOR, "li.entry")) >= non_drafts
    _screenshot(browser, "calendar-month")

    browser.find_element(By.CSS_SELECTOR, "button[data-view='week']").click()
    week = browser.find_element(By.ID, "view-week")
    assert week.is_displayed() and not month.is_displayed()
    assert _visible_ids(week.find_elements(By.CSS_SELECTOR, "li.entry")) >= non_drafts
    draft = next(v for v in preview.variants if v.status == "draft")
    marked = week.find_element(By.CSS_SELECTOR, f"li.entry[data-variant='{draft.id}']")
    assert "Draft" in marked.text
    _screenshot(browser, "calendar-week")
    _assert_all_local(browser, "/index.html", "/preview/style.css")


def test_cards(browser: WebDriver, preview: Preview) -> None:
    from selenium.webdriver.common.by import By

    variant = preview.variant("posts/2026-12-12-problemes.md#linkedin-test")
    _open(browser, preview.out / f"preview/posts/{variant.slug}.html")
    card = browser.find_element(By.ID, f"v-{variant.id}")
    text = card.find_element(By.CSS_SELECTOR, "p.text")
    assert text.text.startswith(variant.text[:60])
    rest = card.find_element(By.CSS_SELECTOR, ".fold-rest")
    assert not rest.is_displayed()  # folded, as LinkedIn folds it
    card.find_element(By.CSS_SELECTOR, "button.see-more").click()
    assert rest.is_displayed()

    image = card.find_element(By.TAG_NAME, "img")
    browser.execute_script("arguments[0].scrollIntoView()", image)
    loaded = browser.execute_script(
        "return arguments[0].complete && arguments[0].naturalWidth", image
    )
    assert loaded and int(loaded) > 0

    finding = card.find_element(By.CSS_SELECTOR, "li.finding")
    assert finding.is_displayed()
    assert variant.findings[0].message in card.text
    _screenshot(browser, "post")
    _assert_all_local(browser, f"/{variant.slug}.html", "/preview/style.css", "-problemes-1.jpg")


def test_alt_text_on_demand(browser: WebDriver, preview: Preview) -> None:
    from selenium.webdriver.common.by import By

    variant = preview.variant("posts/2026-12-01-lancement.md#x-test")
    _open(browser, preview.out / f"preview/posts/{variant.slug}.html")
    card = browser.find_element(By.ID, f"v-{variant.id}")
    assert card.find_element(By.TAG_NAME, "img").get_attribute("alt") == variant.media[0].alt
    alt = card.find_element(By.CSS_SELECTOR, "details.alt p")
    assert not alt.is_displayed()
    card.find_element(By.CSS_SELECTOR, "details.alt summary").click()
    assert alt.is_displayed() and alt.text == variant.media[0].alt


def test_tab_reaches_the_cards(browser: WebDriver, preview: Preview) -> None:
    from selenium.webdriver.common.by import By
    from selenium.webdriver.common.keys import Keys

    variant = preview.variant("posts/2026-12-01-lancement.md#x-test")
    _open(browser, preview.out / f"preview/posts/{variant.slug}.html")
    body = browser.find_element(By.TAG_NAME, "body")
    body.send_keys(Keys.TAB)
    focused: list[str] = []
    for _ in range(40):
        active = browser.switch_to.active_element
        focused.append(f"{active.tag_name}.{active.get_attribute('class')}")
        if active.tag_name == "article" and "card" in str(active.get_attribute("class")):
            outline = browser.execute_script(
                "return getComputedStyle(arguments[0]).outlineStyle", active
            )
            assert outline != "none"  # focus is visible
            return
        active.send_keys(Keys.TAB)
    pytest.fail(f"Tab never reached a card; focus went through {focused}")


def test_findings_index(browser: WebDriver, preview: Preview) -> None:
    from selenium.webdriver.common.by import By

    _open(browser, preview.out / "preview/findings.html")
    rows = browser.find_elements(By.CSS_SELECTOR, "tbody tr")
    assert len(rows) == len(preview.summary.findings)
    rows[0].find_element(By.TAG_NAME, "a").click()
    assert "/preview/posts/" in browser.current_url and "#v-" in browser.current_url
    _assert_all_local(browser, "/findings.html", "/preview/style.css")


def test_the_request_log_sees_remote_requests(browser: WebDriver, tmp_path: Path) -> None:
    """The check above can fail: a page loading a remote image is caught (and goes nowhere)."""
    page = tmp_path / "remote.html"
    page.write_text('<!doctype html><img src="https://example.org/pixel.png" alt="">')
    _open(browser, page)
    with pytest.raises(AssertionError, match="requests left the page"):
        _assert_all_local(browser)


def test_narrow_screen_has_one_column(browser: WebDriver, preview: Preview) -> None:
    from selenium.webdriver.common.by import By

    browser.set_window_size(390, 900)
    try:
        variant = preview.variant("posts/2026-12-12-problemes.md#x-test")
        _open(browser, preview.out / f"preview/posts/{variant.slug}.html")
        lefts = {c.location["x"] for c in browser.find_elements(By.CSS_SELECTOR, "article.card")}
        assert len(lefts) == 1
        width = browser.execute_script("return document.documentElement.scrollWidth")
        assert int(width) <= 390  # nothing sticks out sideways
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        browser.save_screenshot(str(ARTIFACTS / "preview-narrow.png"))
    finally:
        browser.set_window_size(1400, 1000)


def test_watch_and_slots_pages(browser: WebDriver, tmp_path: Path) -> None:
    from selenium.webdriver.common.by import By

    from cmbuild.build import build
    from tests.preview.watch_fixture import watched_site

    root = watched_site(tmp_path)
    build(root, tmp_path / "out", jobs=1, now=datetime.fromisoformat("2026-12-01T00:00:00Z"))
    _open(browser, tmp_path / "out" / "preview" / "watch.html")
    chart = browser.find_element(By.CSS_SELECTOR, "figure.chart svg")
    assert chart.is_displayed() and chart.size["width"] > 300
    failing = browser.find_element(By.CSS_SELECTOR, "table.watch-sources tr.source-failing")
    assert failing.text.startswith("forum") and "503" in failing.text
    held = browser.find_element(By.CSS_SELECTOR, "ul.watch-held")
    assert "Conseil : écrire pour chaque réseau" in held.text
    assert browser.execute_script("return document.querySelectorAll('script').length") == 1
    _screenshot(browser, "watch")
    _assert_all_local(browser, "/watch.html", "/preview/style.css")

    browser.find_element(By.LINK_TEXT, "Slots").click()
    assert browser.current_url.endswith("/preview/slots.html")
    heatmaps = browser.find_elements(By.CSS_SELECTOR, "section.slots-channel figure.chart svg")
    assert len(heatmaps) == 6 and all(h.is_displayed() for h in heatmaps)  # one per channel
    _screenshot(browser, "slots")
    _assert_all_local(browser, "/slots.html", "/preview/style.css")

    browser.set_window_size(390, 900)
    try:
        _open(browser, tmp_path / "out" / "preview" / "watch.html")
        width = browser.execute_script("return document.documentElement.scrollWidth")
        assert int(width) <= 390  # the chart shrinks, the tables scroll in their own box
    finally:
        browser.set_window_size(1400, 1000)
