"""The CI templates: valid against GitHub's schemas (offline, vendored in check-jsonschema),
and their scripts and pytest command line run here as they would on a runner."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).parents[2]
WORKFLOW = ROOT / "ci" / "workflows" / "emergent.yml"
ACTION = ROOT / "ci" / "action" / "action.yml"
DESCRIBE = ROOT / "ci" / "action" / "describe_checkpoint.py"


def check_jsonschema(schema: str, path: Path) -> subprocess.CompletedProcess:
    pytest.importorskip("check_jsonschema", reason="check-jsonschema is a test dependency (pip install check-jsonschema)")
    return subprocess.run([sys.executable, "-m", "check_jsonschema", "--builtin-schema", schema, str(path)],
                          capture_output=True, text=True, timeout=120)


@pytest.mark.parametrize(("schema", "path"), [("vendor.github-workflows", WORKFLOW), ("vendor.github-actions", ACTION)])
def test_the_template_passes_the_vendored_github_schema(schema: str, path: Path):
    out = check_jsonschema(schema, path)
    assert out.returncode == 0, out.stdout + out.stderr


def workflow() -> dict:
    data = yaml.safe_load(WORKFLOW.read_text())
    data["on"] = data.pop(True, data.get("on"))  # YAML 1.1 reads the key `on` as true
    return data


def step(steps: list[dict], name: str) -> dict:
    return next(s for s in steps if s.get("name", "").startswith(name))


def test_the_workflow_runs_by_hand_with_checkpoint_revision_and_step_and_on_new_checkpoint_events():
    triggers = workflow()["on"]
    assert {"checkpoint", "revision", "step"} <= set(triggers["workflow_dispatch"]["inputs"])
    assert triggers["workflow_dispatch"]["inputs"]["checkpoint"]["required"] is True
    assert triggers["repository_dispatch"] == {"types": ["new-checkpoint"]}


@pytest.mark.parametrize("path", [WORKFLOW, ACTION])
def test_models_and_responses_are_cached_and_the_ledger_restored_saved_and_uploaded(path: Path):
    data = yaml.safe_load(path.read_text())
    steps = data["jobs"]["capabilities"]["steps"] if "jobs" in data else data["runs"]["steps"]
    uses = [s.get("uses", "") for s in steps]
    cache = step(steps, "Cache model weights")["with"]["path"].split()
    assert cache == ["~/.cache/huggingface", "~/.cache/pytest-emergent"]
    assert uses.index("actions/cache/restore@v4") < uses.index("actions/cache/save@v4")
    assert "actions/upload-artifact@v4" in uses
    upload = next(s for s in steps if s.get("uses") == "actions/upload-artifact@v4")["with"]
    assert ".emergent/" in upload["path"] and upload["include-hidden-files"] is True  # v4 skips dot-folders
    run = step(steps, "Run the capability suite")["run"]
    # the = form: pytest would take a separate value for a test path when choosing its rootdir
    for option in ("--emergent-ledger=.emergent", "--emergent-json=reports/emergent.json",
                   "--emergent-md=reports/emergent.md", "--emergent-html=reports/emergent.html"):
        assert option in run


def test_no_input_is_pasted_into_a_script():
    for path in (WORKFLOW, ACTION):
        data = yaml.safe_load(path.read_text())
        steps = data["jobs"]["capabilities"]["steps"] if "jobs" in data else data["runs"]["steps"]
        for s in steps:
            assert "${{" not in s.get("run", ""), f"{path.name}: step {s.get('name')} expands an expression in its script"


def run_script(script: str, cwd: Path, env: dict[str, str]) -> subprocess.CompletedProcess:
    path = os.pathsep.join([str(Path(sys.executable).parent), os.environ.get("PATH", "")])
    return subprocess.run(["bash", "-e", "-c", script], cwd=cwd, capture_output=True, text=True, timeout=600,
                          env={**os.environ, "PATH": path, **env})


CHECKPOINT_ENV = {"CHECKPOINT": "my-org/my-model", "REVISION": "step-2000", "STEP": "2000", "FAMILY": ""}


def test_the_workflow_and_the_action_describe_a_checkpoint_the_same_way(tmp_path: Path):
    steps = workflow()["jobs"]["capabilities"]["steps"]
    script = step(steps, "Describe the checkpoint")["run"]
    (tmp_path / "wf").mkdir()
    (tmp_path / "ac").mkdir()
    for folder, command in ((tmp_path / "wf", script),
                            (tmp_path / "ac", f'python "{DESCRIBE}" emergent-ci-models.yaml')):
        out = run_script(command, folder, {**CHECKPOINT_ENV, "GITHUB_ENV": str(folder / "github.env")})
        assert out.returncode == 0, out.stderr
    models = [json.loads((tmp_path / f / "emergent-ci-models.yaml").read_text()) for f in ("wf", "ac")]
    assert models[0] == models[1] == [{"name": "my-model@step-2000", "backend": "hf", "path": "my-org/my-model",
                                       "family": "my-model", "revision": "step-2000", "step": 2000.0}]
    assert (tmp_path / "wf" / "github.env").read_text() == "EMERGENT_MODEL_NAME=my-model@step-2000\n"


def test_a_dispatch_without_checkpoint_stops_with_a_clear_message(tmp_path: Path):
    out = run_script(f'python "{DESCRIBE}"', tmp_path, {"CHECKPOINT": "", "GITHUB_ENV": str(tmp_path / "env")})
    assert out.returncode == 1 and "no checkpoint given" in out.stderr


CAPABILITY = """
import pytest

@pytest.mark.requires_scale("7B")
def test_says_something(model):
    assert isinstance(model.generate("Q: 2 + 3?\\nA:", max_new_tokens=2), str)
"""


def test_the_workflow_pytest_command_runs_here_on_a_tiny_checkpoint(tmp_path: Path, tiny_dir: Path):
    steps = workflow()["jobs"]["capabilities"]["steps"]
    (tmp_path / "tests").mkdir()
    (tmp_path / "tests" / "test_capability.py").write_text(CAPABILITY)
    summary = tmp_path / "summary.md"
    env = {"CHECKPOINT": str(tiny_dir), "REVISION": "", "STEP": "1000", "FAMILY": "tiny", "TESTS": "tests",
           "GITHUB_ENV": str(tmp_path / "github.env"), "GITHUB_STEP_SUMMARY": str(summary), "GITHUB_ACTIONS": "true"}
    out = run_script(step(steps, "Describe the checkpoint")["run"], tmp_path, env)
    assert out.returncode == 0, out.stderr
    env["EMERGENT_MODEL_NAME"] = (tmp_path / "github.env").read_text().strip().partition("=")[2]
    out = run_script(step(steps, "Run the capability suite")["run"], tmp_path, env)
    assert out.returncode in (0, 1), out.stdout[-3000:] + out.stderr[-3000:]
    report = json.loads((tmp_path / "reports" / "emergent.json").read_text())
    assert report["run_id"] and [r["change"] for r in report["results"]] == ["new"]
    assert [p.name for p in (tmp_path / ".emergent").iterdir()] == [f"{report['run_id']}.json"]
    assert (tmp_path / "reports" / "emergent.html").read_text().startswith("<!DOCTYPE html>")
    assert (tmp_path / "reports" / "junit.xml").is_file()
    assert "pytest-emergent" in summary.read_text()
    junit = (tmp_path / "reports" / "junit.xml").read_text()
    assert 'name="emergent_status" value="early-pass"' in junit
    assert 'name="emergent_change" value="new"' in junit and 'name="emergent_model_step" value="1000"' in junit


def test_the_copy_paste_example_in_the_ci_readme_is_a_valid_workflow(tmp_path: Path):
    text = (ROOT / "ci" / "README.md").read_text()
    example = text.split("```yaml\n", 1)[1].split("```", 1)[0]
    path = tmp_path / "emergent.yml"
    path.write_text(example)
    out = check_jsonschema("vendor.github-workflows", path)
    assert out.returncode == 0, out.stdout + out.stderr
    assert "uses: OWNER/pytest-emergent/ci/action@v1" in example
