"""The sample's report in headless Chromium, from file://: charts visible, nothing fetched.

Uses the preview's browser fixture (Debian's chromium and chromium-driver; skipped without them
unless CI is set). The screenshot is saved under tests/artifacts/.
"""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import TYPE_CHECKING

from tests.helpers import cli
from tests.preview.test_browser import _assert_all_local, _open, _screenshot, browser  # noqa: F401

if TYPE_CHECKING:
    from selenium.webdriver.chrome.webdriver import WebDriver

REPO = Path(__file__).resolve().parents[2]


def test_the_sample_report_in_a_browser(browser: WebDriver, tmp_path: Path) -> None:  # noqa: F811
    from selenium.webdriver.common.by import By

    root = tmp_path / "sample"
    shutil.copytree(REPO, root, ignore=shutil.ignore_patterns(".venv", "output", "tests", ".git*"))
    assert cli("build", "--root", str(root), "-q", "-j", "1").code in (0, 1)
    assert cli("report", "--root", str(root), "--period", "2026-12").code in (0, 1)
    page = root / "output" / "report" / "2026-12" / "index.html"
    _open(browser, page)
    charts = browser.find_elements(By.CSS_SELECTOR, ".chart svg")
    assert len(charts) == 2
    for chart in charts:
        assert chart.is_displayed()
        assert chart.size["width"] > 300 and chart.size["height"] > 100
        assert len(chart.find_elements(By.CSS_SELECTOR, "path")) > 10
    statuses = {e.text for e in browser.find_elements(By.CSS_SELECTOR, "span.status")}
    assert statuses <= {"met", "below target", "alert", "not measured"} and "met" in statuses
    link = browser.find_element(By.XPATH, "//h2[@id='top']/following-sibling::table[1]//a")
    assert "/preview/posts/" in str(link.get_attribute("href"))
    assert _screenshot(browser, "report-2026-12").stat().st_size > 10_000
    _assert_all_local(browser, "/report/2026-12/index.html")
    link.click()  # the top post's preview page opens: the link is not broken
    assert "/preview/posts/" in browser.current_url
    assert browser.find_elements(By.CSS_SELECTOR, "article, main")
