"""The Trainer callback: a tiny model trained a few steps saves twice; each save runs the suite
(in the training process) or sends one dispatch to a local fake of the GitHub API."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from github_api import FakeGitHub

from pytest_emergent.ledger import Ledger

transformers = pytest.importorskip("transformers")

CAPABILITY = """
import pytest

@pytest.mark.requires_scale("7B")
def test_says_something(model):
    assert isinstance(model.generate("Q: 2 + 3?\\nA:", max_new_tokens=2), str)


def test_worked_only_early_in_training(model):
    # 20 cases that all pass before step 3 and all fail after: a drop no noise explains
    from pytest_emergent import record_case, record_score

    for case in range(20):
        record_case(case, model.scale.step < 3)
    record_score(threshold=0.5)
"""


class Texts:
    """A few tokenized sentences for causal language modelling."""

    def __init__(self, tokenizer, n: int = 8):
        texts = ["Q: What is the capital of France?\nA: Paris", "2 + 3 = 5. 12 + 35 = 47."] * (n // 2)
        self.items = [tokenizer(t, truncation=True, max_length=32) for t in texts]

    def __len__(self) -> int:
        return len(self.items)

    def __getitem__(self, i: int) -> dict:
        return self.items[i]


def train(tiny_dir: Path, output: Path, callback, *, max_steps: int = 4):
    from transformers import (
        AutoModelForCausalLM,
        AutoTokenizer,
        DataCollatorForLanguageModeling,
        Trainer,
        TrainingArguments,
    )

    tokenizer = AutoTokenizer.from_pretrained(tiny_dir)
    model = AutoModelForCausalLM.from_pretrained(tiny_dir)
    args = TrainingArguments(output_dir=str(output), max_steps=max_steps, save_steps=2, save_strategy="steps",
                             per_device_train_batch_size=2, learning_rate=1e-3, report_to=[], use_cpu=True,
                             logging_strategy="no", disable_tqdm=True, seed=0)
    trainer = Trainer(model=model, args=args, train_dataset=Texts(tokenizer), processing_class=tokenizer,
                      data_collator=DataCollatorForLanguageModeling(tokenizer, mlm=False), callbacks=[callback])
    trainer.train()
    return trainer


def test_each_save_runs_the_suite_on_the_saved_checkpoint_and_logs_what_changed(tmp_path: Path, tiny_dir: Path,
                                                                                monkeypatch: pytest.MonkeyPatch):
    from pytest_emergent.integrations.trainer import EmergentCallback

    (tmp_path / "suite").mkdir()
    (tmp_path / "suite" / "test_capabilities.py").write_text(CAPABILITY)
    monkeypatch.chdir(tmp_path)
    callback = EmergentCallback.running(["suite"], family="tiny", ledger=str(tmp_path / "ledger"))
    trainer = train(tiny_dir, tmp_path / "out", callback)
    assert [(o.step, o.results) for o in callback.outcomes] == [(2, 2), (4, 2)]
    assert [o.checkpoint for o in callback.outcomes] == [str(tmp_path / "out" / f"checkpoint-{s}") for s in (2, 4)]
    first, second = Ledger(tmp_path / "ledger").runs()
    assert [m["name"] for m in first["models"] + second["models"]] == ["tiny-step-2", "tiny-step-4"]
    assert {r["baseline"]["run_id"] for r in second["results"]} == {first["run_id"]}
    changes = {r["capability"].rsplit("::", 1)[1]: r["change"] for r in second["results"]}
    assert changes == {"test_says_something": "unchanged", "test_worked_only_early_in_training": "regressed"}
    assert [(o.lit_up, o.regressed) for o in callback.outcomes] == [(0, 0), (0, 1)]
    logged = [e for e in trainer.state.log_history if "emergent/results" in e]
    assert logged == [{"emergent/results": 2, "emergent/lit_up": 0, "emergent/regressed": 0, "step": 2},
                      {"emergent/results": 2, "emergent/lit_up": 0, "emergent/regressed": 1, "step": 4}]
    # the first save's counts are in the trainer state saved with the second checkpoint
    saved = json.loads((tmp_path / "out" / "checkpoint-4" / "trainer_state.json").read_text())["log_history"]
    assert {"emergent/results": 2, "emergent/lit_up": 0, "emergent/regressed": 0, "step": 2} in saved
    assert (tmp_path / "out" / "emergent" / "checkpoint-4" / "emergent.html").is_file()


def test_a_regression_stops_training_when_asked(tmp_path: Path, tiny_dir: Path, monkeypatch: pytest.MonkeyPatch):
    from pytest_emergent.integrations.trainer import EmergentCallback

    (tmp_path / "suite").mkdir()
    (tmp_path / "suite" / "test_capabilities.py").write_text(CAPABILITY)
    monkeypatch.chdir(tmp_path)
    callback = EmergentCallback.running(["suite"], family="tiny", ledger=str(tmp_path / "ledger"),
                                        stop_on_regression=True, isolated=True)
    trainer = train(tiny_dir, tmp_path / "out", callback, max_steps=8)
    assert [o.step for o in callback.outcomes] == [2, 4] and trainer.state.global_step == 4


def test_each_save_sends_one_new_checkpoint_dispatch(tmp_path: Path, tiny_dir: Path, monkeypatch: pytest.MonkeyPatch):
    from pytest_emergent.integrations.trainer import EmergentCallback

    monkeypatch.setenv("TRAIN_TOKEN", "ghp_trainer_token")
    with FakeGitHub("ghp_trainer_token") as api:
        callback = EmergentCallback.dispatching("acme/llm", checkpoint="acme/llm-run7", revision="step-{step}",
                                                family="llm", token_env="TRAIN_TOKEN", api_url=api.url)
        train(tiny_dir, tmp_path / "out", callback)
    assert [d["client_payload"] for d in api.dispatches] == [
        {"checkpoint": "acme/llm-run7", "revision": f"step-{s}", "step": str(s), "family": "llm"} for s in (2, 4)]
    assert [o.dispatched for o in callback.outcomes] == [True, True]


def test_a_dispatching_callback_without_a_token_fails_before_training(monkeypatch: pytest.MonkeyPatch):
    from pytest_emergent.integrations.dispatch import DispatchError
    from pytest_emergent.integrations.trainer import EmergentCallback

    monkeypatch.delenv("NO_TOKEN_HERE", raising=False)
    with pytest.raises(DispatchError, match="NO_TOKEN_HERE is empty or not set"):
        EmergentCallback.dispatching("acme/llm", token_env="NO_TOKEN_HERE")
