"""The repository's metadata files: the GitHub Actions workflow and CITATION.cff are valid
against their published schemas, and they say what the book says (make test on every push
and pull request; on main, the site and its PDF published to GitHub Pages with the official
actions; the citation's title is the book's).

The schemas are the copies check-jsonschema (pinned) vendors (`vendor.github-workflows`,
`vendor.citation-file-format`): no network, and no third-party file copied into this
repository. Whether those schemas themselves are right is check-jsonschema's to test.
"""

from __future__ import annotations

import subprocess
import sys

import pytest
import yaml

from netbook import paths

WORKFLOWS = sorted((paths.ROOT / ".github" / "workflows").glob("*.yml"))
BOOK = paths.ROOT / ".github" / "workflows" / "book.yml"
ON_MAIN = "github.ref == 'refs/heads/main' && github.event_name != 'pull_request'"


def _check(path, schema: str = "vendor.github-workflows") -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "check_jsonschema", "--builtin-schema", schema, str(path)],
        capture_output=True,
        text=True,
    )


@pytest.mark.parametrize("workflow", WORKFLOWS, ids=lambda p: p.name)
def test_workflow_matches_the_github_schema(workflow):
    result = _check(workflow)
    assert result.returncode == 0, result.stdout + result.stderr


def _steps(job: dict) -> dict[str, dict]:
    return {step["uses"].split("@")[0]: step for step in job["steps"] if "uses" in step}


def test_book_workflow_tests_every_push_and_publishes_main():
    workflow = yaml.safe_load(BOOK.read_text(encoding="utf-8"))
    triggers = workflow[True]  # YAML 1.1 reads the key `on` as true
    assert "push" in triggers and "pull_request" in triggers
    assert not triggers["push"] and not triggers["pull_request"], "no branch filter: every push and PR"
    assert workflow["permissions"] == {"contents": "read"}

    test, deploy = workflow["jobs"]["test"], workflow["jobs"]["deploy"]
    assert ".ci/run" in [step.get("run") for step in test["steps"]]  # .ci/run ends in make test
    assert (paths.ROOT / ".ci" / "run").read_text(encoding="utf-8").rstrip().endswith("make test")
    assert test["env"]["CI"] == "true"  # the PDF, browser and lab tests fail rather than skip
    upload = _steps(test)["actions/upload-pages-artifact"]
    assert upload["with"]["path"] == "_build/html" and upload["if"] == ON_MAIN
    assert "test -s _build/html/book.pdf" in [step.get("run") for step in test["steps"]]
    assert "permissions" not in test  # tests run with the read-only default above

    assert deploy["needs"] == "test" and deploy["if"] == ON_MAIN
    assert deploy["permissions"] == {"pages": "write", "id-token": "write"}
    assert deploy["environment"]["name"] == "github-pages"
    assert deploy["concurrency"] == {"group": "pages", "cancel-in-progress": False}
    assert set(_steps(deploy)) == {"actions/configure-pages", "actions/deploy-pages"}
    assert deploy["environment"]["url"] == "${{ steps.deployment.outputs.page_url }}"


def test_citation_file_is_valid_cff_and_titled_as_the_book():
    result = _check(paths.ROOT / "CITATION.cff", "vendor.citation-file-format")
    assert result.returncode == 0, result.stdout + result.stderr
    citation = yaml.safe_load((paths.ROOT / "CITATION.cff").read_text(encoding="utf-8"))
    config = yaml.safe_load((paths.ROOT / "_config.yml").read_text(encoding="utf-8"))
    assert citation["title"] == config["title"]
