"""The action's steps on the demo: the shipped examples and specs on both built-in real models,
with the ledger on a branch of a local bare repository. One cold run fills the response cache;
the runs after it are answered from the cache."""

from __future__ import annotations

import json
import shutil
import subprocess
from collections import Counter
from pathlib import Path

import pytest
from actions_sim import Runner, StepRun, step

ROOT = Path(__file__).parents[2]
ACTION = ROOT / "ci" / "action" / "action.yml"
DEMO = {"name": "smollm2-135m\ngemma3-270m\n", "tests": "examples\ncapability_specs\n"}


class Demo:
    def __init__(self, base: Path):
        self.workspace = base / "repo"
        for folder in ("examples", "capability_specs"):
            shutil.copytree(ROOT / folder, self.workspace / folder)
        self.github = base / "github"
        subprocess.run(["git", "init", "-q", "--bare", str(self.github / "acme" / "llm.git")], check=True)

    def run(self, **inputs: str) -> tuple[list[StepRun], dict]:
        runs = Runner(self.workspace, server_url=self.github.as_uri()).run_action(ACTION, {**DEMO, **inputs})
        path = self.workspace / "reports" / "emergent.json"
        return runs, json.loads(path.read_text()) if path.is_file() else {}

    def branch(self) -> list[str]:
        out = subprocess.run(["git", "--git-dir", str(self.github / "acme" / "llm.git"), "ls-tree", "--name-only",
                              "emergent-ledger"], capture_output=True, text=True)
        return out.stdout.split()


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Demo:
    return Demo(tmp_path_factory.mktemp("demo"))


@pytest.fixture(scope="module")
def first(demo: Demo) -> tuple[list[StepRun], dict]:
    """The demo without its instruct framings: `-k` and `not instruct` on two lines of pytest-args."""
    return demo.run(**{"pytest-args": "-k\nnot instruct\n"})


def test_not_instruct_passed_through_the_multiline_input_deselects_every_instruct_framing(first):
    runs, report = first
    tests = step(runs, "Run the capability suite")
    assert tests.outputs["exit-code"] in ("0", "1"), tests.stdout[-4000:]  # 1: a capability failed, as in make demo
    assert tests.stdout.splitlines()[0].endswith(" -k 'not instruct'")  # two arguments, as the lines gave them
    capabilities = {r["capability"] for r in report["results"]}
    assert {r["model"] for r in report["results"]} == {"smollm2-135m", "gemma3-270m"}
    assert not [c for c in capabilities if "instruct" in c]
    assert any(c.startswith("examples/") for c in capabilities) and any(c.endswith("[qa]") for c in capabilities)
    assert int(tests.outputs["results"]) == len(report["results"]) > 20
    assert step(runs, "Push the ledger").returncode == 0
    assert step(runs, "Fail when the suite failed").returncode == int(tests.outputs["exit-code"])
    statuses = Counter((r["model"], r["status"]) for r in report["results"])
    print(f"\ndemo through the action, -k 'not instruct': {len(report['results'])} results, exit "
          f"{tests.outputs['exit-code']}, {dict(sorted(statuses.items()))}")  # seen with -s


def test_a_narrower_run_lists_what_it_dropped_and_fails_when_asked(demo: Demo, first):
    _, before = first
    runs, report = demo.run(**{"pytest-args": "-k\nnot instruct and not t5\n", "fail-on-missing": "true"})
    tests = step(runs, "Run the capability suite")
    dropped = {r["capability"] for r in before["results"]} - {r["capability"] for r in report["results"]}
    assert dropped and all("t5" in c for c in dropped)  # the t5 framings, spec and Python
    # per model: each dropped capability is missing for both models
    assert int(tests.outputs["missing"]) == 2 * len(dropped)
    assert tests.outputs["exit-code"] == "1"
    assert all(f"| `{c}` |" in tests.summary for c in dropped)
    assert step(runs, "Fail when the suite failed").returncode == 1
    assert f"{report['run_id']}.json" in demo.branch()  # a failing run is kept all the same


def test_a_run_that_collects_nothing_fails_and_records_nothing(demo: Demo, first):
    recorded = demo.branch()
    runs, report = demo.run(**{"pytest-args": "-k\nno_such_capability\n"})
    tests = step(runs, "Run the capability suite")
    assert report == {} and tests.outputs["exit-code"] == "5" and tests.outputs["results"] == "0"
    assert "### pytest-emergent: no capability ran" in tests.summary
    assert step(runs, "Fail when the suite failed").returncode == 5
    assert demo.branch() == recorded
