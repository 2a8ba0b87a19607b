"""The CI recipes `cmbuild init` writes: valid GitHub Actions workflows doing the right steps."""

from __future__ import annotations

import re
import subprocess
import sys
import tomllib
from pathlib import Path
from typing import Any

import yaml

from cmbuild import __version__
from cmbuild.scaffold import DEFAULT_REPOSITORY, requirement, scaffold
from tests.helpers import cli


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


def test_publish_workflow_runs_push_and_collect_one_at_a_time_and_commits_state(
    tmp_path: Path,
) -> None:
    scaffold(tmp_path / "brand")
    flow = yaml.safe_load((tmp_path / "brand/.github/workflows/publish.yml").read_text())
    assert flow["concurrency"] == {"group": "publish", "cancel-in-progress": False}
    assert "schedule" in flow[True] and "push" in flow[True]
    runs = " ".join(step.get("run", "") for step in flow["jobs"]["publish"]["steps"])
    assert "cmbuild run" in runs  # push, then collect into state/metrics/
    assert "git add state/" in runs and "git push" in runs


def test_the_check_catches_a_broken_workflow(tmp_path: Path) -> None:
    broken = tmp_path / "broken.yml"
    broken.write_text("name: x\non: pull_request\njobs:\n  a:\n    steps: []\n")
    assert validate(broken).returncode != 0  # a job without runs-on


def test_publish_workflow_passes_every_credential_channels_toml_names(tmp_path: Path) -> None:
    scaffold(tmp_path / "brand")
    channels = tomllib.loads((tmp_path / "brand/channels.toml").read_text())
    names = {
        name
        for channel in channels["channels"].values()
        for name in channel.get("credentials", {}).values()
    }
    flow = yaml.safe_load((tmp_path / "brand/.github/workflows/publish.yml").read_text())
    (push,) = [s for s in flow["jobs"]["publish"]["steps"] if s.get("run") == "cmbuild run"]
    assert names and names <= set(push["env"])
    assert all(push["env"][name] == f"${{{{ secrets.{name} }}}}" for name in names)
    # The commented-out examples too, so that uncommenting one is enough.
    text = (tmp_path / "brand/channels.toml").read_text()
    examples = set(re.findall(r'credentials = \{ token = "([A-Z0-9_]+)" \}', text))
    workflow = (tmp_path / "brand/.github/workflows/publish.yml").read_text()
    assert examples > names
    assert all(f"{name}: ${{{{ secrets.{name} }}}}" in workflow for name in examples)


def test_codeowners_catch_all_comes_first_so_specific_owners_win(tmp_path: Path) -> None:
    scaffold(tmp_path / "brand")
    rules = [
        line.split()[0]
        for line in (tmp_path / "brand/.github/CODEOWNERS").read_text().splitlines()
        if line.strip() and not line.startswith("#")
    ]
    # On GitHub the last matching pattern wins: `*` after `/brand/` would override it.
    assert rules[0] == "*" and "*" not in rules[1:] and "/brand/" in rules


def test_ledger_commit_is_rebased_on_main_and_retried(tmp_path: Path) -> None:
    scaffold(tmp_path / "brand")
    flow = yaml.safe_load((tmp_path / "brand/.github/workflows/publish.yml").read_text())
    steps = flow["jobs"]["publish"]["steps"]
    (commit,) = [s for s in steps if s.get("name") == "Commit the ledger and the metrics"]
    script = commit["run"]
    assert "git pull --rebase" in script
    assert script.index("git pull --rebase") < script.index("git push")
    assert "for attempt in" in script


def _installs(flow: dict[str, Any]) -> list[str]:
    return [
        step["run"]
        for job in flow["jobs"].values()
        for step in job.get("steps", [])
        if "pip install" in step.get("run", "")
    ]


def test_workflows_install_cmbuild_from_its_repository_at_a_pinned_revision(
    tmp_path: Path,
) -> None:
    scaffold(tmp_path / "brand", install=requirement("https://github.com/acme/cmbuild", "1a2b3c4"))
    for name in ("publish.yml", "review.yml"):
        flow = yaml.safe_load((tmp_path / "brand/.github/workflows" / name).read_text())
        assert _installs(flow) == [
            'pip install "cmbuild @ git+https://github.com/acme/cmbuild@1a2b3c4"'
        ]


def test_init_pins_this_version_by_default_and_refuses_a_bad_revision(tmp_path: Path) -> None:
    result = cli("init", str(tmp_path / "a"))
    assert result.code == 0, result.err
    review = (tmp_path / "a/.github/workflows/review.yml").read_text()
    assert f"git+{DEFAULT_REPOSITORY}@v{__version__}" in review
    assert "@CMBUILD_REQUIREMENT@" not in review
    # The writer is told where the workflows will install cmbuild from, and how to change it.
    assert f"install {DEFAULT_REPOSITORY}@v{__version__}" in result.out
    assert "--cmbuild-repository" in result.out
    bad = cli("init", str(tmp_path / "b"), "--cmbuild-revision", "main; rm -rf /")
    assert bad.code == 2 and "revision" in bad.err
    assert not (tmp_path / "b").exists()


def test_workflows_cache_the_build_state(tmp_path: Path) -> None:
    scaffold(tmp_path / "brand")
    for name, job in (("publish.yml", "publish"), ("review.yml", "review")):
        flow = yaml.safe_load((tmp_path / "brand/.github/workflows" / name).read_text())
        steps = flow["jobs"][job]["steps"]
        (cache,) = [s for s in steps if s.get("uses", "").startswith("actions/cache@")]
        assert cache["with"]["path"] == "output/.cmbuild"
        build = next(i for i, s in enumerate(steps) if "cmbuild build" in s.get("run", ""))
        assert steps.index(cache) < build


def test_publish_workflow_publishes_the_calendar_on_pages(tmp_path: Path) -> None:
    scaffold(tmp_path / "brand")
    flow = yaml.safe_load((tmp_path / "brand/.github/workflows/publish.yml").read_text())
    steps = flow["jobs"]["publish"]["steps"]
    assert any("cp output/calendar.ics public/calendar.ics" in s.get("run", "") for s in steps)
    assert any(s.get("uses", "").startswith("actions/upload-pages-artifact") for s in steps)
    calendar = flow["jobs"]["calendar"]
    assert calendar["permissions"] == {"pages": "write", "id-token": "write"}
    assert calendar["steps"][0]["uses"].startswith("actions/deploy-pages")
