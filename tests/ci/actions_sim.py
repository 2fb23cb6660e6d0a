"""Run the `run:` steps of a workflow or a composite action here, as a GitHub runner would.

Enough of GitHub's expression language for our files (`||`, `&&`, `==`, `!=`, `!`, literals,
contexts, `always()`, `success()`, `failure()`) renders every `${{ }}` in step `env` and
`if`, with GitHub's variables (GITHUB_OUTPUT, GITHUB_ENV, GITHUB_STEP_SUMMARY, GITHUB_ACTION_PATH,
GITHUB_REPOSITORY, GITHUB_SERVER_URL…) and `bash --noprofile --norc -eo pipefail` as the
shell. `uses:` steps (setup-python, caches, artifacts) are not run; steps whose name starts
with one of `skip` (pip installs) neither. So a test runs what the YAML says, not a copy.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

ROOT = Path(__file__).parents[2]
_TOKEN = re.compile(r"\s*(?:('(?:[^']|'')*')|(\|\||&&|==|!=|!|\(|\)|,)|(-?\d+(?:\.\d+)?)|"
                    r"([A-Za-z_][\w-]*(?:\.[\w*-]+)*))")
_STATUS_FUNCTIONS = ("always()", "success()", "failure()", "cancelled()")


def _tokens(text: str) -> list[tuple[str, str]]:
    out, pos = [], 0
    while pos < len(text.rstrip()):
        match = _TOKEN.match(text, pos)
        if not match:
            raise ValueError(f"cannot read expression {text!r} at {pos}")
        string, op, number, name = match.groups()
        out.append(("str", string[1:-1].replace("''", "'")) if string is not None else ("op", op) if op else
                   ("num", number) if number else ("name", name))
        pos = match.end()
    return out


def truthy(value: Any) -> bool:
    return value not in (None, False, 0, "")


class Expression:
    """A recursive-descent evaluator over a context of nested dicts."""

    def __init__(self, text: str, context: dict[str, Any], failed: bool):
        self.tokens, self.pos, self.context, self.failed = _tokens(text), 0, context, failed

    def value(self) -> Any:
        result = self._or()
        if self.pos != len(self.tokens):
            raise ValueError(f"unexpected {self.tokens[self.pos]}")
        return result

    def _peek(self, op: str) -> bool:
        if self.pos < len(self.tokens) and self.tokens[self.pos] == ("op", op):
            self.pos += 1
            return True
        return False

    def _or(self) -> Any:
        left = self._and()
        while self._peek("||"):
            right = self._and()
            left = left if truthy(left) else right
        return left

    def _and(self) -> Any:
        left = self._compare()
        while self._peek("&&"):
            right = self._compare()
            left = right if truthy(left) else left
        return left

    def _compare(self) -> Any:
        left = self._unary()
        for op in ("==", "!="):
            if self._peek(op):
                right = self._unary()
                same = str(left).lower() == str(right).lower() if isinstance(left, str) and isinstance(right, str) \
                    else left == right
                return same if op == "==" else not same
        return left

    def _unary(self) -> Any:
        if self._peek("!"):
            return not truthy(self._unary())
        if self._peek("("):
            inner = self._or()
            assert self._peek(")"), "missing )"
            return inner
        kind, text = self.tokens[self.pos]
        self.pos += 1
        if kind == "str":
            return text
        if kind == "num":
            return float(text)
        if text in ("true", "false", "null"):
            return {"true": True, "false": False, "null": None}[text]
        if self._peek("("):
            assert self._peek(")"), f"{text}() takes no arguments here"
            return {"always": True, "success": not self.failed, "failure": self.failed, "cancelled": False}[text]
        value: Any = self.context
        for part in text.split("."):
            value = value.get(part) if isinstance(value, dict) else None
        return value


def evaluate(text: str, context: dict[str, Any], failed: bool = False) -> Any:
    return Expression(text, context, failed).value()


def render(text: Any, context: dict[str, Any]) -> str:
    def one(match: re.Match) -> str:
        value = evaluate(match.group(1), context)
        return "" if value is None else ("true" if value is True else "false" if value is False else str(value))

    return re.sub(r"\$\{\{(.*?)\}\}", one, str(text))


def condition(text: Any, context: dict[str, Any], failed: bool) -> bool:
    if text is None:
        return not failed
    expr = str(text).strip()
    if expr.startswith("${{") and expr.endswith("}}"):
        expr = expr[3:-2]
    if not any(f in expr.replace(" ", "") for f in _STATUS_FUNCTIONS):
        expr = f"success() && ({expr})"
    return truthy(evaluate(expr, context, failed))


def _read_pairs(path: Path) -> dict[str, str]:
    """name=value lines and name<<DELIMITER blocks, as GitHub reads GITHUB_OUTPUT and GITHUB_ENV."""
    out: dict[str, str] = {}
    lines = path.read_text().splitlines() if path.exists() else []
    i = 0
    while i < len(lines):
        line = lines[i]
        if "<<" in line and ("=" not in line or line.index("<<") < line.index("=")):
            name, delimiter = line.split("<<", 1)
            end = lines.index(delimiter, i + 1)
            out[name] = "\n".join(lines[i + 1:end])
            i = end + 1
            continue
        if "=" in line:
            name, value = line.split("=", 1)
            out[name] = value
        i += 1
    return out


@dataclass
class StepRun:
    name: str
    id: str | None
    returncode: int | None  # None: not run
    stdout: str = ""
    stderr: str = ""
    outputs: dict[str, str] = field(default_factory=dict)
    summary: str = ""


@dataclass
class Runner:
    """One job on one simulated runner: a workspace folder and the `github` context."""

    workspace: Path
    repository: str = "acme/llm"
    server_url: str = "https://github.com"
    token: str = "ghs_not_a_real_token"
    event_name: str = "workflow_dispatch"
    event: dict[str, Any] = field(default_factory=dict)
    skip: tuple[str, ...] = ("Install",)
    extra_env: dict[str, str] = field(default_factory=dict)

    def _github(self) -> dict[str, Any]:
        return {"repository": self.repository, "server_url": self.server_url, "token": self.token,
                "run_id": "4242", "run_attempt": "1", "event_name": self.event_name, "event": self.event,
                "workspace": str(self.workspace)}

    def _base_env(self, scratch: Path) -> dict[str, str]:
        path = os.pathsep.join([str(Path(sys.executable).parent), os.environ.get("PATH", "")])
        return {**os.environ, "PATH": path, "PYTHONPATH": str(ROOT), "CI": "true", "GITHUB_ACTIONS": "true",
                "GITHUB_WORKSPACE": str(self.workspace), "GITHUB_REPOSITORY": self.repository,
                "GITHUB_SERVER_URL": self.server_url, "GITHUB_RUN_ID": "4242", "GITHUB_RUN_ATTEMPT": "1",
                "GITHUB_EVENT_NAME": self.event_name, "RUNNER_OS": "Linux", "RUNNER_TEMP": str(scratch),
                "GITHUB_ENV": str(scratch / "github.env"), **self.extra_env}

    def run_workflow(self, path: Path, inputs: dict[str, str] | None = None, job: str = "capabilities") -> list[StepRun]:
        data = yaml.safe_load(path.read_text())
        triggers = data.get("on", data.get(True))
        declared = (triggers.get("workflow_dispatch") or {}).get("inputs", {}) if self.event_name == "workflow_dispatch" else {}
        given = {k: str(v.get("default", "")) for k, v in declared.items()} | (inputs or {})
        context: dict[str, Any] = {"github": self._github(), "inputs": given if declared else {}, "runner": {"os": "Linux"}}
        context["env"] = {k: render(v, context) for k, v in (data.get("env") or {}).items()}
        return self._steps(data["jobs"][job]["steps"], context, None)

    def run_action(self, path: Path, inputs: dict[str, str]) -> list[StepRun]:
        data = yaml.safe_load(path.read_text())
        context: dict[str, Any] = {"github": self._github(), "runner": {"os": "Linux"}, "env": {}}
        unknown = set(inputs) - set(data["inputs"])
        assert not unknown, f"{path.name} has no inputs {sorted(unknown)}"
        context["inputs"] = {k: render(v.get("default", ""), context) for k, v in data["inputs"].items()} | inputs
        return self._steps(data["runs"]["steps"], context, path.parent)

    def _steps(self, steps: list[dict], context: dict[str, Any], action_path: Path | None) -> list[StepRun]:
        scratch = self.workspace.parent / f".runner-{self.workspace.name}"
        scratch.mkdir(exist_ok=True)
        env = self._base_env(scratch)
        if action_path is not None:
            env["GITHUB_ACTION_PATH"] = str(action_path)
        context["steps"] = {}
        failed, done = False, []
        for i, step in enumerate(steps):
            name = step.get("name") or step.get("uses") or f"step {i}"
            run = StepRun(name, step.get("id"), None)
            done.append(run)
            if "run" not in step or name.startswith(self.skip) or not condition(step.get("if"), context, failed):
                continue
            files = {k: scratch / f"{k.lower()}.{i}" for k in ("GITHUB_OUTPUT", "GITHUB_STEP_SUMMARY")}
            step_env = {k: render(v, context) for k, v in (step.get("env") or {}).items()}
            script = scratch / f"step-{i}.sh"
            script.write_text(step["run"])
            out = subprocess.run(["bash", "--noprofile", "--norc", "-eo", "pipefail", str(script)], cwd=self.workspace,
                                 capture_output=True, text=True, timeout=3600,
                                 env={**env, **context["env"], **_read_pairs(scratch / "github.env"), **step_env,
                                      **{k: str(v) for k, v in files.items()}})
            run.returncode, run.stdout, run.stderr = out.returncode, out.stdout, out.stderr
            run.outputs = _read_pairs(files["GITHUB_OUTPUT"])
            run.summary = files["GITHUB_STEP_SUMMARY"].read_text() if files["GITHUB_STEP_SUMMARY"].exists() else ""
            failed = failed or out.returncode != 0
            if run.id:
                context["steps"][run.id] = {"outputs": run.outputs,
                                            "outcome": "success" if out.returncode == 0 else "failure"}
        return done


def step(runs: list[StepRun], name: str) -> StepRun:
    return next(r for r in runs if r.name.startswith(name))
