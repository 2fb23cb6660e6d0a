"""The `emergent` command: the ledger without a test session (history, diff, report, forecast, import, models);
the commands for CI and training jobs (ledger pull/push/publish, dispatch, ci run) are in `cli_ci.py`.

`emergent diff` exits 1 when something regressed, so a CI job can gate on it; every other
failure (an unknown run, a bad file) exits 2 with one line that names what is wrong.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import sys
import warnings
from dataclasses import replace
from pathlib import Path
from typing import Any

from . import cli_ci
from .config import BUILTINS, ModelConfig, ModelConfigError, check_available, load_models_file
from .config.paths import hub_cache, in_hub_cache, looks_like_hub_id
from .forecast import METHODS
from .forecast.export import forecast_json
from .forecast.ledger import SCALE_CHOICES, forecast_runs
from .forecast.summary import format_summary
from .forecast.table import format_forecast, format_reasons
from .ledger import (
    DEFAULT_ALPHA,
    DEFAULT_FOLDER,
    CaseLoader,
    ImportFormatError,
    ImportOptions,
    Ledger,
    LedgerError,
    assign_changes,
    checkpoints_of,
    diff,
    format_diff,
    format_history,
    history,
    import_file,
    read_record,
)
from .ledger.history import matches
from .ledger.imports.manifest import read_manifest
from .ledger.imports.options import expand_paths, parse_averages, parse_chances, parse_metric_range
from .ledger.show import show_result
from .ledger.validate import check_header
from .outcomes import Status
from .report.forecast_once import OnceForecast
from .report.html import write_html
from .report.markdown import render_markdown, with_focus, write_markdown
from .scale import ScaleError, ScaleRequirement, format_number, parse_scale
from .significance import CORRECTIONS
from .textfit import terminal_width


class UsageProblem(Exception):
    """A bad command line; printed as one line, exit status 2."""


def resolve_run(ledger: Ledger, ref: str) -> dict[str, Any]:
    """A run by id or id prefix, `latest`, `latest~N` (N runs before the latest), or a JSON file path."""
    if ref == "latest" or ref.startswith("latest~"):
        back = ref.partition("~")[2] or "0"
        runs = ledger.runs()
        if not back.isdigit() or int(back) >= len(runs):
            raise LedgerError(f"ledger {ledger.folder}: {ref!r} does not name a run ({len(runs)} runs recorded)")
        return runs[-1 - int(back)]
    path = Path(ref)
    if ref.endswith(".json") and path.is_file():
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError, RecursionError) as exc:
            raise LedgerError(f"{path}: cannot read it as JSON ({exc})") from None
        problem = check_header(data)
        if problem:
            raise LedgerError(f"{path}: not a run record: {problem}")
        record = read_record(data, path)  # a JSON report's inline cases are cleaned there too
        record.setdefault("run_id", path.stem)
        return record
    return ledger.get(ref)


def _history(args: argparse.Namespace) -> int:
    runs = Ledger(args.ledger).runs()
    if not runs:
        raise LedgerError(f"ledger {args.ledger}: no runs recorded (run pytest with --emergent-ledger, or emergent import)")
    table = history(runs, args.capability, args.family, args.last)
    print(format_history(table, None if args.wide else terminal_width()))
    return 0


def _runs(args: argparse.Namespace) -> int:
    for run in Ledger(args.ledger).runs():
        models = ", ".join(m.get("name", "?") for m in run.get("models", []))
        changes = [r.get("change") for r in run.get("results", [])]
        print(f"{run['run_id']}  {run.get('started') or '':25}  {len(changes):4} results  "
              f"{changes.count('regressed')} regressed  {changes.count('lit-up')} lit up  {models}")
    return 0


def _diff(args: argparse.Namespace) -> int:
    ledger = Ledger(args.ledger)
    result = diff(resolve_run(ledger, args.a), resolve_run(ledger, args.b), alpha=args.alpha,
                  correction=args.correction, cases=CaseLoader(args.ledger), with_cases=args.cases)
    print(format_diff(result, verbose=args.verbose, cases=args.cases))
    return 1 if result.has_regressions else 0


def _show(args: argparse.Namespace) -> int:
    """The cases of a capability's results: in `--run`, else in the latest run that has it."""
    ledger = Ledger(args.ledger)
    runs = [resolve_run(ledger, args.run)] if args.run else list(reversed(ledger.runs()))
    wanted = [(run, result) for run in runs for result in run.get("results", [])
              if matches(result["capability"], args.capability) and args.model in (None, result["model"])]
    if not wanted:
        where = f"run {runs[0].get('run_id')}" if args.run else f"ledger {args.ledger}"
        on = f" on model {args.model!r}" if args.model else ""
        raise LedgerError(f"{where}: no result of capability {args.capability!r}{on}")
    run = wanted[0][0]
    loader = CaseLoader(args.ledger)
    blocks = ["\n".join(show_result(run, result, loader(run, result), failed_only=args.failed,
                                    limit=None if args.full else 300))
              for found, result in wanted if found is run]
    print("\n\n".join(blocks))
    return 0


def _positive(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        value = 0
    if value < 1:
        raise argparse.ArgumentTypeError(f"expected a whole number of 1 or more, got {text!r}")
    return value


def _alpha(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        value = -1.0
    if not 0 < value < 1:
        raise argparse.ArgumentTypeError(f"expected a significance level between 0 and 1, got {text!r}")
    return value


def _report(args: argparse.Namespace) -> int:
    ledger = Ledger(args.ledger)
    runs = ledger.runs()
    focus = resolve_run(ledger, args.run) if args.run else (runs[-1] if runs else None)
    if focus is None:
        raise LedgerError(f"ledger {args.ledger}: no runs recorded, nothing to report")
    forecast = OnceForecast(with_focus(runs, focus))  # made once, for both reports
    if args.md:
        write_markdown(args.md, focus, runs, forecast)
        print(f"wrote {args.md}")
    if args.html:
        write_html(args.html, runs, focus, forecast, CaseLoader(args.ledger))
        print(f"wrote {args.html}")
    if not args.md and not args.html:
        print(render_markdown(focus, runs, forecast))
    return 0


def _forecast(args: argparse.Namespace) -> int:
    runs = Ledger(args.ledger).runs()
    if not runs:
        raise LedgerError(f"ledger {args.ledger}: no runs recorded, nothing to forecast "
                          "(run pytest with --emergent-ledger, or emergent import)")
    result = forecast_runs(runs, capability=args.capability, family=args.family, scale=args.scale,
                           method=args.method)
    results = [r for run in runs for r in run.get("results", [])]
    decided = {s.value for s in Status if s.passed or s.failed}
    if not result.series and not any(r.get("status") in decided for r in results):
        raise LedgerError(f"ledger {args.ledger}: none of its {len(results)} results passed or failed (all skip or "
                          "error), so there is nothing to forecast; scores imported without --threshold are skip: "
                          "import them again with --threshold or --tau")
    if args.json:
        print(json.dumps(forecast_json(result), indent=1))
    elif args.details or args.verbose:
        print(format_forecast(result, args.capability))
        if args.verbose and result.series:
            print("\n" + format_reasons(result))
    else:
        print(format_summary(result, width=shutil.get_terminal_size((100, 24)).columns))
    return 0


def _scale_option(value: str | None, what: str) -> float | None:
    return None if value is None else parse_scale(value, what=what)


def _order(document: dict[str, Any]) -> tuple:
    """Family, then step and size of an imported run's one model."""
    (checkpoint,) = checkpoints_of(document).values()
    return (checkpoint.family, checkpoint.key[:2])


def _imported_content(document: dict[str, Any]) -> tuple | None:
    """What makes two imports the same: the source, the model and every result's score and status."""
    if not document.get("source"):
        return None
    rows = sorted((str(r.get("capability")), str(r.get("model")), str(r.get("status")), repr(r.get("score")),
                   repr(r.get("threshold"))) for r in document.get("results", []))
    return document["source"], rows


def _import_options(args: argparse.Namespace) -> ImportOptions:
    requires = ScaleRequirement(params=_scale_option(args.requires_scale, "--requires-scale"))
    try:
        return ImportOptions(family=args.family, model=args.model, params=_scale_option(args.params, "--params"),
                             step=_scale_option(args.step, "--step"), threshold=args.threshold, tau=args.tau,
                             chance=parse_chances(args.chance), requires=requires, metric=args.metric,
                             metric_range=parse_metric_range(args.metric_range), invert=args.invert,
                             averages=parse_averages(args.average))
    except ValueError as exc:
        raise UsageProblem(str(exc)) from None


def _refusals(document: dict[str, Any], options: ImportOptions) -> str:
    """Results left without a verdict although a threshold was asked for: how many, and why."""
    if options.threshold is None and options.tau is None:
        return ""
    skipped = [r for r in document["results"] if r["status"] == Status.SKIP.value]
    if not skipped:
        return ""
    return f"; {len(skipped)} kept as skip (e.g. {skipped[0]['capability']}: {skipped[0]['reason']})"


def _import(args: argparse.Namespace) -> int:
    if len(args.files) > 1 and (args.params or args.model or args.step):
        raise UsageProblem("--params, --model and --step describe one file: import such files one at a time")
    options = _import_options(args)
    manifest = read_manifest(args.manifest) if args.manifest else None
    try:
        paths = expand_paths(args.files, manifest)
    except ValueError as exc:
        raise UsageProblem(str(exc)) from None
    if len(paths) > 1 and (args.params or args.model or args.step):
        raise UsageProblem("--params, --model and --step describe one file: import such files one at a time "
                           "(or give them per file in a --manifest)")
    # Every file is read before any is written; then smaller checkpoints go first, so each file
    # finds its baseline among the others whatever order the shell listed them in.
    documents = []
    for path in paths:
        given = manifest.values_for(path) if manifest else {}
        explicit = {k: v for k, v in given.items() if getattr(options, k) is None}
        documents.append((path, import_file(path, replace(options, **explicit))))
    documents.sort(key=lambda item: _order(item[1]))
    ledger = Ledger(args.ledger)
    earlier = ledger.runs()
    contents = [(_imported_content(run), run["run_id"]) for run in earlier]
    for path, document in documents:
        content = _imported_content(document)
        again = next((run_id for known, run_id in contents if content is not None and known == content), None)
        if again is not None:
            print(f"{path}: already in the ledger as run {again} (same source, model and scores); skipped")
            continue
        assign_changes(document, earlier, args.baseline)
        run_id = ledger.write(document)
        earlier.append(document)
        contents.append((content, run_id))
        model = document["models"][0]
        params = format_number(model["scale"]["params"]) if model["scale"]["params"] else "size unknown"
        aggregates = sum("aggregate" in r for r in document["results"])
        print(f"{path}: {model['name']} (family {model['family']}, {params}), {len(document['results'])} capabilities"
              f"{f' ({aggregates} aggregate)' if aggregates else ''}{_refusals(document, options)} → run {run_id}")
    return 0


def availability(spec: ModelConfig) -> str:
    """Whether a configured model can be loaded here, from cheap checks only (nothing is loaded)."""
    if spec.builtin:
        check_available(spec.builtin)
        return "available"
    if spec.backend == "openai":
        return f"served at {spec.base_url} (not checked)"
    if spec.backend not in ("hf", "replay"):
        return f"backend {spec.backend} (not checked)"
    location = Path(spec.path or "") / (spec.gguf_file or "")
    if spec.path and location.exists():
        return f"available ({location})"
    if spec.backend == "hf" and spec.path and not spec.gguf_file and looks_like_hub_id(spec.path):
        if in_hub_cache(spec.path):
            return "available (hub cache)"
        return f"not found: no folder {spec.path} and not in the hub cache {hub_cache()}"
    return f"not found: {location}"


def _models(args: argparse.Namespace) -> int:
    for name, builtin in BUILTINS.items():
        try:
            check_available(name)
            state = "available"
        except ModelConfigError:
            state = f"not installed ({builtin.install})"
        print(f"{name:16} {'built-in':10} {builtin.description:36} {state}")
    path = Path(args.models_file) if args.models_file else Path("emergent-models.yaml")
    if args.models_file or path.is_file():
        for spec in load_models_file(path):
            try:
                state = availability(spec)
            except ModelConfigError as exc:
                state = f"not available: {exc}"
            scale = format_number(spec.params) if spec.params else "params auto"
            print(f"{spec.name:16} {spec.backend:10} {(spec.family or '-') + ', ' + scale:36} {state}")
    return 0


def _cache(args: argparse.Namespace) -> int:
    from .config.paths import cache_root
    from .engine.cache import FILE_NAME, CacheUnavailable, ResponseCache

    folder = Path(args.dir) if args.dir else Path(os.environ.get("EMERGENT_CACHE") or cache_root() / "responses")
    if not (folder / FILE_NAME).is_file():
        print(f"no response cache at {folder / FILE_NAME}")
        return 0
    try:
        cache = ResponseCache(folder)
    except CacheUnavailable as exc:
        path = folder / FILE_NAME
        if args.action != "clear":
            raise UsageProblem(f"response cache {path} cannot be read ({exc.reason}); "
                               "`emergent cache clear` removes it") from None
        # Unreadable (corrupt, not SQLite): clearing it means removing the file and its WAL files.
        for leftover in (path, path.with_name(path.name + "-wal"), path.with_name(path.name + "-shm")):
            leftover.unlink(missing_ok=True)
        print(f"removed the unreadable response cache {path} ({exc.reason})")
        return 0
    if args.action == "clear":
        print(f"removed {cache.clear()} responses from {cache.path}")
        return 0
    stats = cache.stats()
    print(f"{stats['path']}: {stats['entries']} responses, {stats['bytes'] / 1e6:.1f} MB")
    for row in stats["by_model"]:
        print(f"  {row['model']:24} {row['kind']:14} {row['entries']}")
    return 0


def _schema(args: argparse.Namespace) -> int:
    from .capabilities.specs.schema import json_schema

    print(json.dumps(json_schema(), indent=2))
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="emergent", description="pytest-emergent: capability tests across model scales")
    sub = parser.add_subparsers(dest="command", required=True)

    def command(name: str, func, help: str) -> argparse.ArgumentParser:
        cmd = sub.add_parser(name, help=help, description=help)
        cmd.set_defaults(func=func)
        if name not in ("models", "cache", "schema"):
            cmd.add_argument("--ledger", default=DEFAULT_FOLDER, metavar="DIR", help=f"ledger folder (default {DEFAULT_FOLDER})")
        return cmd

    cmd = command("history", _history, "capability × checkpoint table over every run in the ledger")
    cmd.add_argument("capability", nargs="?", help="a capability id, a glob (arith/*) or a part of ids")
    cmd.add_argument("--family", help="only this model family (default: one table per family)")
    cmd.add_argument("--last", type=_positive, metavar="N", help="only the last N checkpoints of each family")
    cmd.add_argument("--wide", action="store_true", help="one line per capability whatever the terminal's width")
    command("runs", _runs, "list the runs in the ledger, oldest first")
    cmd = command("diff", _diff, "what changed from run A to run B; exit 1 only when something regressed")
    cmd.add_argument("a", help="run id (or prefix), latest, latest~N, or a JSON report file")
    cmd.add_argument("b", help="the newer run, same forms")
    cmd.add_argument("-v", "--verbose", action="store_true", help="also list new, missing and unchanged results")
    cmd.add_argument("--cases", action="store_true", help="under each result, the cases that flipped")
    cmd.add_argument("--alpha", type=_alpha, default=DEFAULT_ALPHA,
                     help=f"significance level of a change (default {DEFAULT_ALPHA})")
    cmd.add_argument("--correction", choices=CORRECTIONS, default="holm",
                     help="control of false changes over the diff: holm (default), bh, none")
    cmd = command("show", _show, "the cases of a capability's result: prompts, outputs, verdicts")
    cmd.add_argument("capability", help="a capability id, a glob (arith/*) or a part of ids")
    cmd.add_argument("--run", metavar="RUN", help="run id (or prefix), latest, latest~N, or a JSON report file "
                     "(default: the latest run that has the capability)")
    cmd.add_argument("--model", metavar="M", help="only this model's result")
    cmd.add_argument("--failed", action="store_true", help="only the cases that did not pass")
    cmd.add_argument("--full", action="store_true", help="do not shorten long prompts and outputs")
    cmd = command("report", _report, "write the Markdown and HTML reports of a run (default: the latest)")
    cmd.add_argument("--md", metavar="PATH", help="Markdown report (printed when neither --md nor --html is given)")
    cmd.add_argument("--html", metavar="PATH", help="self-contained HTML report with emergence plots")
    cmd.add_argument("--run", metavar="ID", help="the run shown in the matrix (default: the latest)")
    cmd = command("forecast", _forecast, "the scale at which each capability is forecast to reach its threshold, "
                  "and the order in which capabilities lit up")
    cmd.add_argument("capability", nargs="?", help="a capability id, a glob (arith/*) or a part of ids")
    cmd.add_argument("--family", help="only this model family")
    cmd.add_argument("--scale", choices=SCALE_CHOICES, default="params",
                     help="x axis: params (default) or training compute, where every checkpoint knows it")
    cmd.add_argument("--method", choices=METHODS, default="metric",
                     help="metric (default: the smooth metric, else the logit trend) or sigmoid (the baseline)")
    shown = cmd.add_mutually_exclusive_group()
    shown.add_argument("--details", action="store_true",
                       help="every series with the other method, and each family's emergence order")
    shown.add_argument("-v", "--verbose", action="store_true", help="the details, and why each verdict for both methods")
    shown.add_argument("--json", action="store_true", help="everything as JSON, numbers at full precision")
    cmd = command("import", _import, "record lm-evaluation-harness results or BIG-bench score files as ledger runs")
    cmd.add_argument("files", nargs="*", metavar="FILE", help="results files, or folders (every .json under them)")
    cmd.add_argument("--manifest", metavar="PATH", help="YAML or CSV naming per file its model, family, params, step, "
                     "tokens (without FILE: import every file it lists)")
    cmd.add_argument("--family", help="model family (default: known public families, else the name without its size)")
    cmd.add_argument("--model", help="model name (default: from the file)")
    cmd.add_argument("--params", help="model size, e.g. 1.3B (default: the file, known public sizes, the model name)")
    cmd.add_argument("--step", help="training step of the checkpoint")
    how = cmd.add_mutually_exclusive_group()
    how.add_argument("--threshold", type=float, help="a score at or above it passes (default: keep scores, status skip)")
    how.add_argument("--tau", type=float, help="threshold relative to chance: chance + TAU·(1 − chance)")
    cmd.add_argument("--chance", action="append", default=[], metavar="[TASK_GLOB=]LEVEL",
                     help="chance level of tasks (default: from the file or the task's number of choices)")
    cmd.add_argument("--requires-scale", metavar="PARAMS", help="declared scale: below it a failure is expected-fail")
    cmd.add_argument("--metric", help="metric to use as the score (default: acc, exact_match, …; BIG-bench: preferred)")
    cmd.add_argument("--metric-range", metavar="LOW:HIGH", help="the metric's range, mapped onto [0, 1] (BLEU: 0:100)")
    cmd.add_argument("--invert", action="store_true", help="lower is better: score = (HIGH − value) / (HIGH − LOW)")
    cmd.add_argument("--average", action="append", default=[], metavar="NAME=TASK_GLOB",
                     help="also import the mean of the matching tasks as capability NAME (MMLU's built in)")
    cmd.add_argument("--baseline", default="latest", help="latest (default), none, or a run id")
    command("schema", _schema, "print the JSON Schema of YAML capability specs (for editor completion)")
    cmd = command("cache", _cache, "show (info) or empty (clear) the response cache")
    cmd.add_argument("action", choices=["info", "clear"])
    cmd.add_argument("--dir", default=None, help="cache folder (default ~/.cache/pytest-emergent/responses)")
    cmd = command("models", _models, "list built-in and configured models and whether each is available")
    cmd.add_argument("--models-file", metavar="PATH", help="models file (default: emergent-models.yaml when present)")
    cli_ci.register(sub)
    return parser


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        try:
            status = int(args.func(args))
        except BrokenPipeError:  # `emergent history | head`: the reader has all it wants
            sys.stdout = open(os.devnull, "w")  # noqa: SIM115 - silences the flush at exit
            status = 0
        except (LedgerError, ImportFormatError, ModelConfigError, ScaleError, UsageProblem, OSError, *cli_ci.ERRORS) as exc:
            print(f"emergent {args.command}: error: {exc}", file=sys.stderr)
            status = 2
    for message in dict.fromkeys(str(w.message) for w in caught):  # a file read twice warns once
        print(f"emergent {args.command}: warning: {message}", file=sys.stderr)
    return status


if __name__ == "__main__":
    sys.exit(main())
