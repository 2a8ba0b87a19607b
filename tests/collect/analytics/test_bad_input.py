"""A bad export is refused whole (exit 2, nothing written), naming the file, line and column;
a utm_content that matches several posts is reported, never guessed."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Any

import pytest

from cmbuild.collect.analytics import ImportSettings, import_analytics
from tests.collect.analytics.conftest import EXPORTS
from tests.push.sites import make_site, variant

Importer = Callable[..., Any]
GA4 = (EXPORTS / "ga4-exploration.csv").read_text(encoding="utf-8")


def refused(built: Path, run: Any) -> str:
    assert run.code == 2, run.out + run.err
    assert "Traceback" not in run.err
    assert "nothing was recorded" in run.err
    assert not (built / "state" / "metrics").exists()
    return str(run.err)


@pytest.mark.parametrize("encoding", ["utf-16", "utf-16-le"])
def test_a_utf16_ga4_export_says_how_to_export_utf8(
    built: Path, run_import: Importer, tmp_path: Path, encoding: str
) -> None:
    path = tmp_path / "ga4.csv"
    path.write_bytes(GA4.encode(encoding))
    err = refused(built, run_import(path, "ga4-csv"))
    assert f"{path}: the file is in UTF-16" in err
    assert "CSV UTF-8" in err


def test_a_latin1_export_names_the_line(built: Path, run_import: Importer, tmp_path: Path) -> None:
    path = tmp_path / "ga4.csv"
    path.write_bytes(GA4.replace("hiver,25", "hiver-é,25").encode("latin-1"))
    err = refused(built, run_import(path, "ga4-csv"))
    assert f"{path}:10: the file is not in UTF-8" in err


def test_unexpected_columns_are_named_with_those_expected(
    built: Path, run_import: Importer, tmp_path: Path
) -> None:
    path = tmp_path / "utm.csv"
    path.write_text("name,visiteurs,visits\n4bc2ffe7,3,4\n", encoding="utf-8")
    err = refused(built, run_import(path, "plausible-csv", "--at", "2026-12-31"))
    assert f"{path}:1: unexpected columns visiteurs" in err
    assert "columns found: name, visiteurs, visits" in err
    assert "expected: name, then any of visitors, visits, pageviews" in err


def test_another_tools_export_is_refused(built: Path, run_import: Importer) -> None:
    err = refused(built, run_import("utm_contents.csv", "ga4-csv", "--at", "2026-12-31"))
    assert "not a GA4 export" in err and "Session manual ad content" in err


def test_a_cell_that_is_not_a_number_names_file_line_and_column(
    built: Path, run_import: Importer, tmp_path: Path
) -> None:
    path = tmp_path / "ga4.csv"
    path.write_text(GA4.replace("60,2,90.5", '60,2,"90,50 €"'), encoding="utf-8")
    err = refused(built, run_import(path, "ga4-csv"))
    assert f"{path}:10: Total revenue: '90,50 €' is not a number" in err


def test_an_empty_file_is_refused(built: Path, run_import: Importer, tmp_path: Path) -> None:
    path = tmp_path / "empty.csv"
    path.write_text("\n", encoding="utf-8")
    err = refused(built, run_import(path, "plausible-csv", "--at", "2026-12-31"))
    assert f"{path}: the file is empty" in err


def test_a_plausible_export_needs_its_period(built: Path, run_import: Importer) -> None:
    err = refused(built, run_import("utm_contents.csv", "plausible-csv"))
    assert "--at: this export does not say which period it covers" in err


def test_a_bad_at_is_a_usage_error(built: Path, run_import: Importer) -> None:
    run = run_import("utm_contents.csv", "plausible-csv", "--at", "2026-12-31T10:00")
    assert run.code == 2 and "has no time zone" in run.err
    assert not (built / "state" / "metrics").exists()


def test_an_ambiguous_utm_content_is_reported_not_guessed(tmp_path: Path) -> None:
    one = variant("x-test", "x", "2026-12-01T08:00:00Z", slug="one")
    two = variant("x-test", "x", "2026-12-02T08:00:00Z", slug="two")
    three = variant("x-test", "x", "2026-12-03T08:00:00Z", slug="three")
    one["id"] = "abcdef01" + "1" * 12
    two["id"] = "abcdef01" + "2" * 12
    root = make_site(tmp_path / "site", '[channels.x-test]\nplatform = "x"\n', [one, two, three])
    export = tmp_path / "utm.csv"
    export.write_text(
        f"name,visitors\nabcdef01,5\nabcdef011111,2\n{three['id'][:8]},4\nabc,1\n",
        encoding="utf-8",
    )
    report = import_analytics(ImportSettings(root, export, "plausible-csv", at=date(2026, 12, 31)))
    assert [(m.content, m.lines, m.candidates) for m in report.unmatched] == [
        ("abcdef01", (2,), (one["id"], two["id"])),
        ("abc", (5,), ()),  # too short to name one post
    ]
    assert {s.variant: dict(s.metrics) for s in report.snapshots} == {
        one["id"]: {"visitors": 2},
        three["id"]: {"visitors": 4},
    }
