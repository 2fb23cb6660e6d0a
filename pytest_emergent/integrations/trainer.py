"""A `transformers` Trainer callback: on every checkpoint save, test the checkpoint.

Two ways, chosen when the callback is made:

- `EmergentCallback.dispatching(repo=...)` sends the `new-checkpoint` repository_dispatch, so
  the workflow in `ci/` tests the checkpoint on GitHub's runners (the checkpoint must be
  reachable from there: a hub id, or a path on a self-hosted runner);
- `EmergentCallback.running(tests=...)` runs a suite on the saved checkpoint right here, in the
  training process (small models; `isolated=True` runs it in a subprocess instead), records the
  run in the ledger, and logs how many capabilities lit up and regressed — into the Python log
  and into the trainer's `log_history` (hence `trainer_state.json`).

Only the main process acts (`state.is_world_process_zero`). A failed dispatch or suite is
logged and training goes on, unless `stop_on_regression` asks to stop when something regressed.
"""

from __future__ import annotations

import logging
import os
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from transformers import TrainerCallback
from transformers.trainer_utils import PREFIX_CHECKPOINT_DIR

from .dispatch import DEFAULT_API, DEFAULT_TOKEN_ENV, CheckpointEvent, DispatchError, send_dispatch, token_from
from .suite import MODELS_FILE, CheckpointModel, SuiteError, SuiteOptions, read_outcome, write_models_file

logger = logging.getLogger("pytest_emergent.trainer")


@dataclass(frozen=True)
class SaveOutcome:
    """What the callback did for one save."""

    step: int
    checkpoint: str
    dispatched: bool = False
    exit_code: int | None = None
    run_id: str | None = None
    results: int = 0
    lit_up: int = 0
    regressed: int = 0
    error: str | None = None


@dataclass(frozen=True)
class _Dispatch:
    repo: str
    checkpoint: str
    revision: str
    family: str
    token_env: str
    api_url: str


@dataclass(frozen=True)
class _Suite:
    tests: tuple[str, ...]
    family: str
    ledger: str | None
    reports: str | None
    params: str
    baseline: str | None
    pytest_args: tuple[str, ...]
    isolated: bool
    stop_on_regression: bool


def _fields(args: Any, state: Any) -> dict[str, Any]:
    output_dir = str(args.output_dir)
    return {"step": state.global_step, "output_dir": output_dir,
            "checkpoint_dir": os.path.join(output_dir, f"{PREFIX_CHECKPOINT_DIR}-{state.global_step}"),
            "hub_model_id": getattr(args, "hub_model_id", None) or ""}


class EmergentCallback(TrainerCallback):
    """Tests each saved checkpoint; `outcomes` lists what happened at each save."""

    def __init__(self, *, dispatch: _Dispatch | None = None, suite: _Suite | None = None):
        if (dispatch is None) == (suite is None):
            raise ValueError("EmergentCallback: use EmergentCallback.dispatching(...) or EmergentCallback.running(...)")
        self._dispatch, self._suite = dispatch, suite
        self.outcomes: list[SaveOutcome] = []

    @classmethod
    def dispatching(cls, repo: str, *, checkpoint: str = "{checkpoint_dir}", revision: str = "", family: str = "",
                    token_env: str = DEFAULT_TOKEN_ENV, api_url: str | None = None) -> EmergentCallback:
        """Send `new-checkpoint` to `repo` on each save. `checkpoint` and `revision` are templates
        with `{step}`, `{checkpoint_dir}`, `{output_dir}` and `{hub_model_id}`."""
        token_from(token_env)  # a missing token is found now, not at the first save hours later
        return cls(dispatch=_Dispatch(repo, checkpoint, revision, family, token_env,
                                      api_url or os.environ.get("GITHUB_API_URL") or DEFAULT_API))

    @classmethod
    def running(cls, tests: list[str] | tuple[str, ...], *, family: str = "", ledger: str | None = ".emergent",
                reports: str | None = None, params: str = "", baseline: str | None = None,
                pytest_args: list[str] | tuple[str, ...] = (), isolated: bool = False,
                stop_on_regression: bool = False) -> EmergentCallback:
        """Run `tests` on each saved checkpoint (`reports` default: OUTPUT_DIR/emergent/checkpoint-STEP;
        `ledger=None` keeps no record)."""
        if not tests:
            raise ValueError("EmergentCallback.running: give the test paths of the suite to run")
        return cls(suite=_Suite(tuple(tests), family, ledger, reports, params, baseline, tuple(pytest_args),
                                isolated, stop_on_regression))

    def on_save(self, args: Any, state: Any, control: Any, **kwargs: Any) -> Any:
        if not state.is_world_process_zero:
            return control
        fields = _fields(args, state)
        if self._dispatch is not None:
            outcome = self._send(fields)
        else:
            outcome = self._run(fields)
            state.log_history.append({"emergent/results": outcome.results, "emergent/lit_up": outcome.lit_up,
                                      "emergent/regressed": outcome.regressed, "step": state.global_step})
            if outcome.regressed and self._suite is not None and self._suite.stop_on_regression:
                logger.warning("pytest-emergent: %d regressed at step %d: stopping training", outcome.regressed,
                               outcome.step)
                control.should_training_stop = True
        self.outcomes.append(outcome)
        return control

    def _send(self, fields: dict[str, Any]) -> SaveOutcome:
        config = self._dispatch
        assert config is not None
        event = CheckpointEvent(config.checkpoint.format(**fields), config.revision.format(**fields),
                                str(fields["step"]), config.family)
        try:
            send_dispatch(config.repo, event, token_from(config.token_env), api_url=config.api_url)
        except DispatchError as exc:
            logger.error("pytest-emergent: step %d: %s", fields["step"], exc)
            return SaveOutcome(fields["step"], event.checkpoint, error=str(exc))
        logger.info("pytest-emergent: step %d: sent new-checkpoint for %s to %s", fields["step"], event.checkpoint,
                    config.repo)
        return SaveOutcome(fields["step"], event.checkpoint, dispatched=True)

    def _run(self, fields: dict[str, Any]) -> SaveOutcome:
        config = self._suite
        assert config is not None
        step, checkpoint = fields["step"], fields["checkpoint_dir"]
        family = config.family or Path(fields["output_dir"]).name
        reports = Path(config.reports.format(**fields) if config.reports else
                       os.path.join(fields["output_dir"], "emergent", f"{PREFIX_CHECKPOINT_DIR}-{step}"))
        try:
            name = write_models_file(reports / MODELS_FILE, CheckpointModel(
                checkpoint, step=str(step), family=family, name=f"{family}-step-{step}", params=config.params))
        except SuiteError as exc:
            logger.error("pytest-emergent: step %d: %s", step, exc)
            return SaveOutcome(step, checkpoint, error=str(exc))
        options = SuiteOptions(tests=config.tests, reports=reports, models_file=reports / MODELS_FILE, models=(name,),
                               ledger=Path(config.ledger) if config.ledger else None, baseline=config.baseline,
                               extra=config.pytest_args)
        options.prepare()
        code = self._pytest(options.argv(), config.isolated)
        outcome = read_outcome(code, options)
        logger.info("pytest-emergent: step %d: %d results, %d lit up, %d regressed (pytest exit %d, run %s)",
                    step, outcome.results, outcome.lit_up, outcome.regressed, code, outcome.run_id)
        return SaveOutcome(step, checkpoint, exit_code=code, run_id=outcome.run_id, results=outcome.results,
                           lit_up=outcome.lit_up, regressed=outcome.regressed)

    @staticmethod
    def _pytest(argv: list[str], isolated: bool) -> int:
        if isolated:
            return subprocess.run([sys.executable, "-m", "pytest", *argv]).returncode
        import pytest

        return int(pytest.main(argv))
