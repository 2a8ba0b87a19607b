"""The CI recipes `cmbuild init` writes: valid GitHub Actions workflows doing the right steps."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import yaml

from cmbuild.scaffold import scaffold


def validate(*paths: Path) -> subprocess.CompletedProcess[str]:
    """Check files against the GitHub workflow schema that check-jsonschema ships (offline)."""
    return subprocess.run(
        [sys.executable, "-m", "check_jsonschema", "--builtin-schema", "vendor.github-workflows",
         *map(str, paths)],
        capture_output=True,
        text=True,
    )  # fmt: skip


def test_init_writes_valid_workflows_and_codeowners(tmp_path: Path) -> None:
    scaffold(tmp_path / "brand")
    workflows = sorted((tmp_path / "brand/.github/workflows").glob("*.yml"))
    assert [p.name for p in workflows] == ["publish.yml", "review.yml"]
    result = validate(*workflows)
    assert result.returncode == 0, result.stdout + result.stderr
    assert (tmp_path / "brand/.github/CODEOWNERS").read_text().count("@") >= 3


def test_review_workflow_builds_strictly_comments_the_diff_and_keeps_the_preview(
    tmp_path: Path,
) -> None:
    scaffold(tmp_path / "brand")
    flow = yaml.safe_load((tmp_path / "brand/.github/workflows/review.yml").read_text())
    assert "pull_request" in flow[True]  # YAML 1.1 reads the key `on` as true
    steps = flow["jobs"]["review"]["steps"]
    runs = " ".join(step.get("run", "") for step in steps)
    assert "cmbuild build --strict" in runs
    assert "cmbuild diff" in runs and "gh pr comment" in runs
    assert any(step.get("uses", "").startswith("actions/upload-artifact") for step in steps)


def test_publish_workflow_pushes_one_at_a_time_and_commits_the_ledger(tmp_path: Path) -> None:
    scaffold(tmp_path / "brand")
    flow = yaml.safe_load((tmp_path / "brand/.github/workflows/publish.yml").read_text())
    assert flow["concurrency"] == {"group": "publish", "cancel-in-progress": False}
    assert "schedule" in flow[True] and "push" in flow[True]
    runs = " ".join(step.get("run", "") for step in flow["jobs"]["publish"]["steps"])
    assert "cmbuild push" in runs
    assert "git add state/" in runs and "git push" in runs


def test_the_check_catches_a_broken_workflow(tmp_path: Path) -> None:
    broken = tmp_path / "broken.yml"
    broken.write_text("name: x\non: pull_request\njobs:\n  a:\n    steps: []\n")
    assert validate(broken).returncode != 0  # a job without runs-on
