"""`emergent import`: real lm-eval sweeps, folders and manifests, relative thresholds, refusals."""

from __future__ import annotations

import json
import os
import re
from pathlib import Path

import pytest

from pytest_emergent.cli import main
from pytest_emergent.ledger import Ledger

# shared/ lies beside the repository (in CI too); EMERGENT_LM_EVAL_RESULTS points elsewhere.
DATA = Path(os.environ.get("EMERGENT_LM_EVAL_RESULTS",
                           Path(__file__).resolve().parents[2] / "shared" / "data" / "lm-eval-results"))
needs_data = pytest.mark.skipif(not DATA.is_dir(), reason=f"{DATA} (real lm-eval results) is not on this machine")


@needs_data
def test_importing_real_lm_eval_sweeps_gives_a_history_table_and_a_plot_per_task(tmp_path: Path, capsys,
                                                                                 monkeypatch):
    files = sorted(str(p) for p in DATA.glob("*/*.json"))
    ledger = str(tmp_path / "ledger")
    assert main(["import", *files, "--ledger", ledger]) == 0
    assert len(Ledger(ledger).runs()) == len(files) == 13
    capsys.readouterr()
    monkeypatch.setenv("COLUMNS", "200")
    assert main(["history", "lm-eval/piqa/*", "--ledger", ledger]) == 0
    lines = capsys.readouterr().out.splitlines()
    # one table per family, each in checkpoint order with the families' exact sizes
    bloom, opt = lines.index("family bloom: 5 checkpoints"), lines.index("family opt: 8 checkpoints")
    assert lines[bloom + 1].split()[1:] == ["bloom-560m", "bloom-1b1", "bloom-1b7", "bloom-3b", "bloom-7b1"]
    assert lines[bloom + 2].split() == ["559M", "1.07B", "1.72B", "3B", "7.07B"]
    assert lines[bloom + 4].split()[:3] == ["lm-eval/piqa/0-shot", "0.637", "0.672"]
    assert lines[opt + 1].split()[1:] == ["opt-125m", "opt-350m", "opt-1.3b", "opt-2.7b", "opt-6.7b", "opt-13b",
                                          "opt-30b", "opt-66b"]
    assert lines[opt + 2].split() == ["125M", "331M", "1.32B", "2.65B", "6.66B", "12.9B", "30B", "65.7B"]
    assert lines[opt + 4].split()[:3] == ["lm-eval/piqa/0-shot", "0.63", "0.644"]
    html_path = tmp_path / "report.html"
    assert main(["report", "--html", str(html_path), "--ledger", ledger]) == 0
    plots = re.findall(r"<figure><figcaption>(.*?)</figcaption>(.*?)</figure>", html_path.read_text())
    assert len(plots) == 66 and plots[-1][0] == "lm-eval/wsc/0-shot"
    for _, svg in plots:
        assert re.findall(r'data-family="([^"]+)"', svg) == ["bloom", "opt"]


@needs_data
def test_one_command_imports_every_file_of_a_folder_with_a_manifest_and_drops_nothing(tmp_path: Path, capsys):
    manifest = tmp_path / "sizes.csv"
    manifest.write_text(f"file,family,params\n{DATA}/opt/*.json,meta-opt,\n{DATA}/opt/opt-125m.json,,125.2M\n")
    ledger = str(tmp_path / "ledger")
    assert main(["import", str(DATA), "--manifest", str(manifest), "--tau", "0.25", "--ledger", ledger]) == 0
    out = capsys.readouterr().out
    assert "kept as skip" not in out and out.count("66 capabilities (1 aggregate)") == 13
    runs = Ledger(ledger).runs()
    models = {r["models"][0]["name"]: r["models"][0] for r in runs}
    assert len(runs) == 13 and models["opt-125m"]["scale"]["params"] == 125.2e6  # the manifest wins
    assert models["opt-66b"]["family"] == "meta-opt" and models["bloom-3b"]["family"] == "bloom"
    assert models["opt-66b"]["scale"]["params"] == 65_719_701_504  # the manifest left it to the known sizes
    for run in runs:
        tasks = {r["capability"] for r in run["results"]}
        assert len(tasks) == 66 and all(t.endswith("/0-shot") for t in tasks)
        assert all(r["status"] != "skip" and r["tau"] == 0.25 for r in run["results"])
    capsys.readouterr()
    assert main(["forecast", "--json", "--ledger", ledger]) == 0
    data = json.loads(capsys.readouterr().out)
    assert len(data["series"]) == 2 * 66 and {s["family"] for s in data["series"]} == {"bloom", "meta-opt"}


def test_a_manifest_alone_imports_the_files_it_lists(tmp_path: Path, capsys):
    for size in ("1b", "2b"):
        (tmp_path / f"m-{size}.json").write_text(json.dumps({
            "results": {"t": {"acc": 0.3 if size == "1b" else 0.6, "acc_stderr": 0.02}}, "config": {"num_fewshot": 0}}))
    manifest = tmp_path / "sizes.yaml"
    manifest.write_text("- file: m-*.json\n  family: mine\n- file: m-2b.json\n  params: 2.2B\n  tokens: 2T\n")
    assert main(["import", "--manifest", str(manifest), "--threshold", "0.5", "--ledger", str(tmp_path / "l")]) == 0
    runs = {r["models"][0]["name"]: r for r in Ledger(tmp_path / "l").runs()}
    assert runs["m-2b"]["models"][0]["scale"]["params"] == 2.2e9 and runs["m-2b"]["models"][0]["scale"]["tokens"] == 2e12
    assert runs["m-2b"]["results"][0]["change"] == "lit-up" and runs["m-1b"]["models"][0]["family"] == "mine"


@pytest.mark.parametrize(("text", "message"), [
    ("- file: nowhere-*.json\n", "entry 1 (file: nowhere-*.json): no file matches it"),
    ("- file: m.json\n  parms: 1B\n", "unknown field parms"),
    ("- file: m.json\n  params: 1.5X\n", "params: cannot read '1.5X'"),
])
def test_a_bad_manifest_is_an_error_naming_the_entry_and_writes_nothing(tmp_path: Path, capsys, text, message):
    (tmp_path / "m.json").write_text(json.dumps({"results": {"t": {"acc": 0.3}}, "config": {}}))
    (tmp_path / "sizes.yaml").write_text(text)
    assert main(["import", "--manifest", str(tmp_path / "sizes.yaml"), "--ledger", str(tmp_path / "l")]) == 2
    assert message in capsys.readouterr().err and not (tmp_path / "l").exists()


def test_refused_scores_are_counted_on_the_import_line(tmp_path: Path, capsys):
    path = tmp_path / "m-1b.json"
    path.write_text(json.dumps({"results": {"t": {"bleu": 27.2}, "u": {"acc": 0.7}}, "config": {"num_fewshot": 0}}))
    assert main(["import", str(path), "--threshold", "0.5", "--ledger", str(tmp_path / "l")]) == 0
    out = capsys.readouterr().out
    assert "2 capabilities; 1 kept as skip (e.g. lm-eval/t/0-shot: score 27.2 is not in [0, 1]" in out


def test_threshold_and_tau_exclude_each_other(tmp_path: Path, capsys):
    with pytest.raises(SystemExit):
        main(["import", "x.json", "--threshold", "0.5", "--tau", "0.2", "--ledger", str(tmp_path)])
    assert "not allowed with argument" in capsys.readouterr().err
    assert main(["import", "x.json", "--tau", "2", "--ledger", str(tmp_path)]) == 2
    assert "tau is a share of the way from chance to a perfect score" in capsys.readouterr().err


@needs_data
def test_imported_runs_with_a_threshold_get_changes_by_size(tmp_path: Path, capsys):
    ledger = str(tmp_path / "ledger")
    files = [str(DATA / "opt" / f"opt-{size}.json") for size in ("66b", "125m", "6.7b")]  # any order
    assert main(["import", *files, "--threshold", "0.5", "--ledger", ledger]) == 0
    by_model = {r["models"][0]["name"]: r for r in Ledger(ledger).runs()}
    wsc = {name: next(x for x in run["results"] if x["capability"] == "lm-eval/wsc/0-shot") for name, run in by_model.items()}
    # WSC has 104 questions: 0.42 ± 0.05 → 0.55 ± 0.05 crosses 0.5 but is no significant rise.
    assert (wsc["opt-66b"]["status"], wsc["opt-66b"]["change"]) == ("pass", "within-noise")
    assert wsc["opt-66b"]["baseline"]["model"] == "opt-6.7b"
    assert "not a significant rise" in wsc["opt-66b"]["change_note"] and "z = 1.81" in wsc["opt-66b"]["change_note"]
    arc = next(x for x in by_model["opt-6.7b"]["results"] if x["capability"] == "lm-eval/arc_easy/0-shot")
    assert (arc["change"], arc["baseline"]["model"], arc["significance"]["test"]) == ("lit-up", "opt-125m", "z-stderr")


def test_a_bad_import_file_writes_nothing_and_names_the_file(tmp_path: Path, capsys):
    good, bad = tmp_path / "good.json", tmp_path / "bad.json"
    good.write_text(json.dumps({"results": {"t": {"acc": 0.5}}, "config": {"model_args": "pretrained=x/m-1b"}}))
    bad.write_text("[]")
    assert main(["import", str(good), str(bad), "--ledger", str(tmp_path / "l")]) == 2
    assert f"{bad}: neither an lm-evaluation-harness results file" in capsys.readouterr().err
    assert not (tmp_path / "l").exists()


def test_import_options_that_describe_one_model_need_one_file(tmp_path: Path, capsys):
    assert main(["import", "a.json", "b.json", "--params", "1B", "--ledger", str(tmp_path)]) == 2
    assert "import such files one at a time" in capsys.readouterr().err
    good = tmp_path / "good.json"
    good.write_text(json.dumps({"results": {"t": {"acc": 0.5}}, "config": {}}))
    assert main(["import", str(good), "--params", "1.5X", "--ledger", str(tmp_path)]) == 2
    assert "--params: cannot read '1.5X'" in capsys.readouterr().err



@needs_data
def test_importing_the_same_file_twice_keeps_one_run(tmp_path: Path, capsys):
    ledger = str(tmp_path / "ledger")
    file = str(DATA / "opt" / "opt-125m.json")
    assert main(["import", file, "--threshold", "0.5", "--ledger", ledger]) == 0
    assert main(["import", file, "--threshold", "0.5", "--ledger", ledger]) == 0
    assert "already in the ledger as run" in capsys.readouterr().out
    assert len(Ledger(ledger).runs()) == 1
    assert main(["import", file, "--threshold", "0.4", "--ledger", ledger]) == 0  # other statuses: a new run
    assert len(Ledger(ledger).runs()) == 2


def test_chance_range_and_average_options_reach_the_imported_results(tmp_path: Path, capsys):
    path = tmp_path / "m-1b.json"
    path.write_text(json.dumps({"results": {"yn_a": {"acc": 0.7}, "yn_b": {"acc": 0.5}, "t": {"bleu": 40.0}},
                                "config": {"num_fewshot": 0}}))
    ledger = str(tmp_path / "l")
    assert main(["import", str(path), "--tau", "0.5", "--chance", "0", "--chance", "yn*=0.5", "--average", "yn=yn_*",
                 "--ledger", ledger]) == 0
    by_cap = {r["capability"]: r for r in Ledger(ledger).runs()[0]["results"]}
    assert (by_cap["lm-eval/yn_a/0-shot"]["threshold"], by_cap["lm-eval/yn_a/0-shot"]["status"]) == (0.75, "fail")
    assert by_cap["lm-eval/yn/0-shot"]["score"] == pytest.approx(0.6) and by_cap["lm-eval/yn/0-shot"]["chance"] == 0.5
    assert by_cap["lm-eval/t/0-shot"]["reason"].startswith("score 40 is not in [0, 1]")
    capsys.readouterr()
    assert main(["import", str(path), "--metric", "bleu", "--metric-range", "0:100", "--threshold", "0.3",
                 "--baseline", "none", "--ledger", str(tmp_path / "l2")]) == 0
    (bleu,) = [r for r in Ledger(tmp_path / "l2").runs()[0]["results"] if r["capability"] == "lm-eval/t/0-shot"]
    assert (bleu["score"], bleu["status"]) == (pytest.approx(0.4), "pass")
    assert main(["import", str(path), "--chance", "half", "--ledger", ledger]) == 2
    assert "--chance half: expected a level (0.25) or TASK_GLOB=LEVEL" in capsys.readouterr().err
