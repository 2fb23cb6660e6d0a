"""The lm-eval anchor tasks as YAML capability specs, run through pytest for bench/vs_lmeval.py.

Each task gets a project of its own in a temporary folder (pytest.ini, the spec, its data files
copied beside it) and a `pytest` process with the model as `hf:FOLDER`, an empty response cache
(`--emergent-cache=off`), no ledger, a recording of every request and a JSON report. What is
timed is read from inside the run by bench/spec_probe.py.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

# The two tasks as YAML specs: lm-eval's prompt is the `qa` framing ("Q: {question}\nA:") after
# the fixed exemplars (`shots_from`, in file order) joined by the default layout ("\n\n" after
# each shot, " " before an answer or a scored option).
SPECS = {
    "mc": """capabilities:
  - id: bench/arith-mc
    description: lm-evaluation-harness task anchor_arith_mc (shared/bench/lmeval), the same items and prompt.
    formats: [qa]
    prompt: "{{ question }}"
    data: arith_mc.jsonl
    count: LIMIT
    shots_from: arith_fewshot_mc.jsonl
    expected: "{{ choices[label] }}"
    choices: "{{ choices }}"
    check: choice
    threshold: 0
""",
    "gen": """capabilities:
  - id: bench/arith-gen
    description: lm-evaluation-harness task anchor_arith_gen (shared/bench/lmeval), the same items and prompt.
    formats: [qa]
    prompt: "{{ question }}"
    data: arith_gen.jsonl
    count: LIMIT
    shots_from: arith_fewshot_gen.jsonl
    expected: "{{ answer }}"
    check: exact
    max_new_tokens: 16
    stop: ["\\n"]
    threshold: 0
""",
}


def write_spec(folder: Path, data: Path, kind: str, limit: int) -> None:
    """A project of its own for one task: pytest.ini naming the spec, the spec, its data files."""
    folder.mkdir(parents=True)
    (folder / "pytest.ini").write_text("[pytest]\nemergent_specs = *.yaml\n")
    (folder / f"arith_{kind}.yaml").write_text(SPECS[kind].replace("LIMIT", str(limit)))
    for name in (f"arith_{kind}.jsonl", f"arith_fewshot_{kind}.jsonl"):
        shutil.copyfile(data / name, folder / name)


def check_requests(kind: str, recording: Path, prompts: list[str], docs: list[dict]) -> str:
    """'' when the recorded requests are exactly lm-eval's; else what differs."""
    sent = [json.loads(line)["request"] for line in recording.read_text().splitlines()
            if json.loads(line)["type"] == "exchange"]
    if kind == "mc":
        want = {(p, " " + c) for p, d in zip(prompts, docs) for c in d["choices"]}
        got = {(r["context"], r["continuation"]) for r in sent if r["kind"] == "loglikelihood"}
        extra = [r for r in sent if r["kind"] != "loglikelihood"]
    else:
        want = {(p, 16, ("\n",)) for p in prompts}
        got = {(r["prompt"], r["max_new_tokens"], tuple(r["stop"])) for r in sent if r["kind"] == "generate"}
        extra = []  # the expected answer's log-likelihood (the target_logprob metric) is asked besides
    problems = [f"{len(want - got)} of lm-eval's requests not sent"] if want - got else []
    problems += [f"{len(got - want)} requests lm-eval does not make"] if got - want else []
    problems += [f"{len(extra)} other requests"] if extra else []
    return "; ".join(problems)


def run_yaml(folder: Path, data: Path, limit: int, expected: dict[str, tuple[list[str], list[dict]]]) -> dict[str, dict]:
    """Each task as a YAML spec through a `pytest` process of its own, empty response cache and no
    ledger. Timed by the plan's own work (bench/spec_probe.py): framing every case and asking the
    model, the model's loading excluded; the whole process's time is kept beside it. `expected`:
    lm-eval's prompts and documents per task, which the recorded requests are checked against."""
    out = {}
    env = {**os.environ, "HF_HUB_OFFLINE": "1", "BENCH_PROBE_OUT": "",
           "PYTHONPATH": os.pathsep.join([str(ROOT), str(ROOT / "bench"), os.environ.get("PYTHONPATH", "")])}
    for kind in SPECS:
        work = Path(tempfile.mkdtemp(prefix=f"emergent-yaml-{kind}-"))
        project = work / "project"
        write_spec(project, data, kind, limit)
        env["BENCH_PROBE_OUT"] = str(work / "probe.json")
        command = [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "-p", "spec_probe",
                   f"--emergent-model=hf:{folder}", "--emergent-no-ledger", "--emergent-cache=off",
                   f"--emergent-record={work / 'requests.jsonl'}", f"--emergent-json={work / 'report.json'}"]
        started = time.perf_counter()
        done = subprocess.run(command, cwd=project, capture_output=True, text=True, env=env)
        process = time.perf_counter() - started
        if done.returncode != 0 or not (work / "probe.json").is_file():
            sys.exit(f"bench: the YAML {kind} run failed (exit {done.returncode}):\n{done.stdout[-3000:]}{done.stderr[-3000:]}")
        probe = json.loads((work / "probe.json").read_text())
        plan = next(iter(probe["plans"].values()))
        result = json.loads((work / "report.json").read_text())["results"][0]
        prompts, docs = expected[kind]
        outputs = [case.get("output") for case in result.get("cases", [])]
        out[kind] = {"seconds": plan["work_seconds"], "process": process, "plan": plan, "batches": probe["batches"],
                     "score": result["metrics"]["choice_pass_rate" if kind == "mc" else "exact_pass_rate"],
                     "prompts": check_requests(kind, work / "requests.jsonl", prompts, docs),
                     "lmeval_score": lmeval_score(outputs, docs) if kind == "gen" else None}
        shutil.rmtree(work, ignore_errors=True)
    return out


def lmeval_score(outputs: list, docs: list[dict]) -> float:
    """Generation graded as lm-eval grades it: exact match once all whitespace is removed."""
    return sum(isinstance(o, str) and "".join(o.split()) == "".join(d["answer"].split())
               for o, d in zip(outputs, docs)) / len(docs)
