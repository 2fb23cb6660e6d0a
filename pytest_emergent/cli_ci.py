"""`emergent` subcommands for CI and training jobs: the durable ledger (`ledger pull`, `ledger
push`, `ledger publish`), `dispatch` (tell GitHub a checkpoint appeared) and `ci run` (the suite
on one checkpoint, as the workflow and the action run it).

Kept apart from `cli.py` so that each stays small; `cli.build_parser` calls `register`.
"""

from __future__ import annotations

import argparse
import os
import warnings
from pathlib import Path

from .integrations.dispatch import DEFAULT_API, DEFAULT_TOKEN_ENV, EVENT_TYPE, CheckpointEvent, DispatchError
from .integrations.suite import SuiteError, lines
from .ledger import DEFAULT_FOLDER, Ledger, LedgerError
from .ledger.remote import DEFAULT_BRANCH, GitRemote, LedgerSyncError, SyncReport

ERRORS = (DispatchError, SuiteError)
PAGES_BRANCH = "gh-pages"


def _count(n: int, what: str) -> str:
    return f"{n} {what}{'' if n == 1 else 's'}"


def _remote(args: argparse.Namespace, branch: str) -> GitRemote:
    url = args.git
    if args.github:
        server = os.environ.get("GITHUB_SERVER_URL") or "https://github.com"
        url = f"{server.rstrip('/')}/{args.github.strip('/')}.git"
    token = None
    if args.token_env:
        token = os.environ.get(args.token_env, "").strip()
        if not token:
            raise LedgerSyncError(f"--token-env {args.token_env}: the environment variable is empty or not set")
    return GitRemote(url, branch or DEFAULT_BRANCH, token=token)


def _sync(args: argparse.Namespace, direction: str) -> tuple[SyncReport, str]:
    """Pull or push with a shared folder or a git branch; (what happened, where) with skipped
    files reported as warnings."""
    from .ledger import mirror, remote

    with_folder, with_git = {"pull": (mirror.pull_folder, remote.pull), "push": (mirror.push_folder, remote.push)}[direction]
    if args.folder:
        report, where = with_folder(args.ledger, args.folder), args.folder
    else:
        target = _remote(args, args.branch)
        report, where = with_git(args.ledger, target), target.describe()
    for line in report.skipped:
        warnings.warn(f"not synced: {line}", stacklevel=2)
    return report, where


def _ledger_pull(args: argparse.Namespace) -> int:
    report, where = _sync(args, "pull")
    local = f"; {_count(len(report.local_only), 'local run')} not there yet" if report.local_only else ""
    print(f"ledger {args.ledger}: {_count(len(report.pulled), 'run')} from {where}{local}; "
          f"{_count(len(Ledger(args.ledger).stored_ids()), 'run')} in all")
    return 0


def _ledger_push(args: argparse.Namespace) -> int:
    report, where = _sync(args, "push")
    if not report.pushed:
        print(f"ledger {args.ledger}: nothing to push to {where}")
        return 0
    tries = f" ({report.attempts} attempts: another run pushed first)" if report.attempts > 1 else ""
    print(f"ledger {args.ledger}: pushed {_count(len(report.pushed), 'run')} to {where}{tries}: "
          + ", ".join(Path(n).stem for n in report.pushed))
    return 0


def _ledger_publish(args: argparse.Namespace) -> int:
    from .ledger.remote import publish_files
    from .report.html import render_html

    runs = Ledger(args.ledger).runs()
    if not runs:
        raise LedgerError(f"ledger {args.ledger}: no runs recorded, no page to publish")
    page = render_html(runs, runs[-1])
    target = Path(args.path.strip("/") or ".") / "index.html"

    def write(worktree: Path) -> list[str]:
        (worktree / target).parent.mkdir(parents=True, exist_ok=True)
        (worktree / target).write_text(page, encoding="utf-8")
        return [target.as_posix()]

    remote = _remote(args, args.branch or PAGES_BRANCH)
    changed = publish_files(write, remote, f"emergent: history page of {_count(len(runs), 'run')} "
                                           f"(latest {runs[-1]['run_id']})")
    state = "published" if changed else "unchanged"
    print(f"{target.as_posix()} on {remote.describe()}: {state} ({_count(len(runs), 'run')})")
    return 0


def _dispatch(args: argparse.Namespace) -> int:
    from .integrations.dispatch import send_dispatch, token_from

    event = CheckpointEvent(args.checkpoint, args.revision or "", args.step or "", args.family or "")
    attempts = send_dispatch(args.repo, event, token_from(args.token_env), api_url=args.api_url,
                             event_type=args.event_type)
    again = f" after {attempts} attempts" if attempts > 1 else ""
    print(f"sent {args.event_type} to {args.repo}{again}: {event.payload(args.event_type)['client_payload']}")
    return 0


def _ci_run(args: argparse.Namespace) -> int:
    from .integrations.ci_run import CiRequest, run

    request = CiRequest(checkpoint=args.checkpoint, revision=args.revision, step=args.step, family=args.family,
                        names=tuple(n for text in args.name for n in lines(text)), params=args.params, models_file=args.models_file,
                        tests=tuple(t for text in args.tests for t in lines(text)),
                        pytest_args=tuple(a for text in args.pytest_args for a in lines(text)),
                        baseline=args.baseline, fail_on_missing=args.fail_on_missing in ("true", "1", "yes"),
                        ledger=args.ledger, reports=args.reports)
    return run(request, os.environ)


def _sync_options(cmd: argparse.ArgumentParser, *, folder: bool = True) -> None:
    where = cmd.add_mutually_exclusive_group(required=True)
    where.add_argument("--git", metavar="URL", help="a git repository: https, ssh or a path")
    where.add_argument("--github", metavar="OWNER/REPO", help="a repository on $GITHUB_SERVER_URL (default github.com)")
    if folder:
        where.add_argument("--folder", metavar="DIR", help="a shared folder (mounted or synced) instead of git")
    cmd.add_argument("--branch", default="", help=f"branch (default {DEFAULT_BRANCH}; for publish {PAGES_BRANCH})")
    cmd.add_argument("--token-env", metavar="NAME",
                     help="environment variable holding a token for HTTPS (sent as a header, never printed)")
    cmd.add_argument("--ledger", default=DEFAULT_FOLDER, metavar="DIR", help=f"ledger folder (default {DEFAULT_FOLDER})")


def register(sub: argparse._SubParsersAction) -> None:
    """Add `ledger`, `dispatch` and `ci` to the `emergent` command."""
    ledger = sub.add_parser("ledger", help="keep the ledger on a git branch or in a shared folder",
                            description="keep the ledger on a git branch or in a shared folder")
    actions = ledger.add_subparsers(dest="action", required=True)
    for name, func, text in (("pull", _ledger_pull, "bring the remote's runs into the ledger folder"),
                             ("push", _ledger_push, "add the ledger's new runs to the remote (retried until it lands)")):
        cmd = actions.add_parser(name, help=text, description=text)
        cmd.set_defaults(func=func)
        _sync_options(cmd)
    cmd = actions.add_parser("publish", help="publish the HTML report of the whole ledger to a Pages branch")
    cmd.set_defaults(func=_ledger_publish)
    _sync_options(cmd, folder=False)
    cmd.add_argument("--path", default="emergent", help="folder of index.html on the branch (default emergent)")

    cmd = sub.add_parser("dispatch", help=f"send the {EVENT_TYPE} repository_dispatch event to GitHub",
                         description=f"send the {EVENT_TYPE} repository_dispatch event to GitHub")
    cmd.set_defaults(func=_dispatch)
    cmd.add_argument("--repo", required=True, metavar="OWNER/REPO")
    cmd.add_argument("--checkpoint", required=True, help="hub id or path of the checkpoint")
    cmd.add_argument("--revision", help="hub revision: branch, tag or commit")
    cmd.add_argument("--step", help="training step")
    cmd.add_argument("--family", help="model family")
    cmd.add_argument("--token-env", default=DEFAULT_TOKEN_ENV, metavar="NAME",
                     help=f"environment variable holding the token (default {DEFAULT_TOKEN_ENV}); never printed")
    cmd.add_argument("--api-url", default=os.environ.get("GITHUB_API_URL") or DEFAULT_API,
                     help=f"GitHub API (default $GITHUB_API_URL or {DEFAULT_API})")
    cmd.add_argument("--event-type", default=EVENT_TYPE, help=f"event type (default {EVENT_TYPE})")

    ci = sub.add_parser("ci", help="the suite on one checkpoint, as the workflow and the action run it")
    steps = ci.add_subparsers(dest="action", required=True)
    cmd = steps.add_parser("run", help="run the suite on one checkpoint; fails when no capability ran",
                           description="run the suite on one checkpoint; fails when no capability ran")
    cmd.set_defaults(func=_ci_run)
    for option, text in (("checkpoint", "hub id or path; described as a one-model models file"),
                         ("revision", "hub revision"), ("step", "training step"), ("family", "model family"),
                         ("params", "model size, e.g. 1.1B (default: counted from the weights)"),
                         ("models-file", "a models file, instead of --checkpoint"),
                         ("baseline", "latest, a run id, or none")):
        cmd.add_argument(f"--{option}", default="", help=text)
    cmd.add_argument("--name", action="append", default=[], metavar="NAMES",
                     help="the checkpoint's model name; without --checkpoint, models of the models file or built-in "
                          "names, one a line (repeatable)")
    cmd.add_argument("--tests", action="append", default=[], metavar="PATHS",
                     help="test paths, one a line (repeatable; default: tests and capability_specs where present)")
    cmd.add_argument("--pytest-args", action="append", default=[], metavar="ARGS",
                     help="more pytest arguments, one a line, never split at spaces (write --pytest-args=...)")
    cmd.add_argument("--fail-on-missing", default="false", choices=["true", "false"],
                     help="fail when capabilities of the baseline checkpoint did not run")
    cmd.add_argument("--ledger", default=DEFAULT_FOLDER, metavar="DIR", help=f"ledger folder (default {DEFAULT_FOLDER})")
    cmd.add_argument("--reports", default="reports", metavar="DIR", help="reports folder (default reports)")
