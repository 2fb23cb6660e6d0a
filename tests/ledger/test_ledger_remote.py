"""The ledger on a git branch, against real bare repositories (a path, and over HTTP with a token)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from pytest_emergent.ledger import Ledger
from pytest_emergent.ledger.remote import GitRemote, LedgerSyncError, publish_files, pull, push

ROOT = Path(__file__).parents[2]


def git(*args: str, cwd: Path | None = None) -> str:
    return subprocess.run(["git", *args], cwd=cwd, capture_output=True, text=True, check=True).stdout


@pytest.fixture
def bare(tmp_path: Path) -> Path:
    path = tmp_path / "remote.git"
    git("init", "-q", "--bare", str(path))
    return path


def record(folder: Path, capability: str = "arith/add", status: str = "pass") -> str:
    return Ledger(folder).write({"results": [{"capability": capability, "model": "m", "status": status}],
                                 "models": [{"name": "m", "family": "f"}]})


def on_branch(bare: Path, branch: str = "emergent-ledger") -> list[str]:
    return sorted(git("--git-dir", str(bare), "ls-tree", "--name-only", branch).split())


def test_a_push_creates_the_branch_and_a_fresh_folder_pulls_every_run(tmp_path: Path, bare: Path):
    first = record(tmp_path / "one")
    report = push(tmp_path / "one", GitRemote(str(bare)))
    assert report.pushed == (f"{first}.json",) and report.attempts == 1
    second = record(tmp_path / "two")
    push(tmp_path / "two", GitRemote(str(bare)))
    assert on_branch(bare) == sorted([f"{first}.json", f"{second}.json"])
    report = pull(tmp_path / "fresh", GitRemote(str(bare)))
    assert sorted(report.pulled) == sorted([f"{first}.json", f"{second}.json"])
    assert Ledger(tmp_path / "fresh").run_ids() == [first, second]


def test_pull_keeps_local_runs_the_branch_lacks_and_the_next_push_adds_them(tmp_path: Path, bare: Path):
    shared = record(tmp_path / "elsewhere")
    push(tmp_path / "elsewhere", GitRemote(str(bare)))
    local = record(tmp_path / "here")  # a plain folder with a run of its own
    report = pull(tmp_path / "here", GitRemote(str(bare)))
    assert report.pulled == (f"{shared}.json",) and report.local_only == (f"{local}.json",)
    assert push(tmp_path / "here", GitRemote(str(bare))).pushed == (f"{local}.json",)
    assert on_branch(bare) == sorted([f"{shared}.json", f"{local}.json"])


def test_a_local_file_is_never_overwritten_by_the_branchs_copy(tmp_path: Path, bare: Path):
    run = record(tmp_path / "a")
    push(tmp_path / "a", GitRemote(str(bare)))
    (tmp_path / "b").mkdir()
    (tmp_path / "b" / f"{run}.json").write_text("edited by hand\n")
    pull(tmp_path / "b", GitRemote(str(bare)))
    assert (tmp_path / "b" / f"{run}.json").read_text() == "edited by hand\n"
    assert push(tmp_path / "b", GitRemote(str(bare))).pushed == ()  # a changed record is not pushed
    assert json.loads(git("--git-dir", str(bare), "show", f"emergent-ledger:{run}.json"))["run_id"] == run


def test_a_file_that_is_not_a_record_is_reported_and_not_pushed(tmp_path: Path, bare: Path):
    run = record(tmp_path / "a")
    (tmp_path / "a" / "broken.json").write_text("{not json")
    report = push(tmp_path / "a", GitRemote(str(bare)))
    assert report.pushed == (f"{run}.json",)
    assert report.skipped and report.skipped[0].startswith("broken.json: cannot be read as JSON")
    assert on_branch(bare) == [f"{run}.json"]


def test_a_folder_cloned_from_another_remote_is_refused_not_mixed(tmp_path: Path, bare: Path):
    record(tmp_path / "a")
    push(tmp_path / "a", GitRemote(str(bare)))
    other = tmp_path / "other.git"
    git("init", "-q", "--bare", str(other))
    with pytest.raises(LedgerSyncError, match="is a clone of .*remote.git, not of .*other.git"):
        push(tmp_path / "a", GitRemote(str(other)))


def emergent(*args: str, cwd: Path, env: dict[str, str] | None = None) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-m", "pytest_emergent.cli", *args], cwd=cwd, text=True,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            env={**os.environ, "PYTHONPATH": str(ROOT), **(env or {})})


BARRIER = """#!/bin/sh
# Hold every push until two have arrived, so that both start from the same tip.
touch "{folder}/arrived.$$"
i=0
while [ "$(ls "{folder}" | wc -l)" -lt 2 ] && [ $i -lt 600 ]; do sleep 0.05; i=$((i + 1)); done
"""


def test_two_runs_pushing_at_once_both_land(tmp_path: Path, bare: Path):
    seed = record(tmp_path / "seed")
    push(tmp_path / "seed", GitRemote(str(bare)))
    barrier = tmp_path / "barrier"
    barrier.mkdir()
    hook = bare / "hooks" / "pre-receive"
    hook.write_text(BARRIER.format(folder=barrier))
    hook.chmod(0o755)
    runs = {}
    for name in ("a", "b"):
        pull(tmp_path / name, GitRemote(str(bare)))
        runs[name] = record(tmp_path / name, capability=f"cap/{name}")
    pushes = [emergent("ledger", "push", "--git", str(bare), "--ledger", name, cwd=tmp_path) for name in ("a", "b")]
    outputs = [p.communicate(timeout=120) for p in pushes]
    assert [p.returncode for p in pushes] == [0, 0], outputs
    assert on_branch(bare) == sorted(f"{r}.json" for r in (seed, runs["a"], runs["b"]))
    # both pushes passed the barrier from the same tip: one was rejected and tried again
    assert len(list(barrier.iterdir())) == 3
    assert sum("(2 attempts: another run pushed first)" in out for out, _ in outputs) == 1
    assert len(git("--git-dir", str(bare), "log", "--format=%s", "emergent-ledger").splitlines()) == 3


def test_a_declined_push_fails_at_once_and_its_run_is_pushed_by_the_next_push(tmp_path: Path, bare: Path):
    hook = bare / "hooks" / "pre-receive"
    hook.write_text("#!/bin/sh\necho 'protected branch' >&2\nexit 1\n")
    hook.chmod(0o755)
    run = record(tmp_path / "a")
    with pytest.raises(LedgerSyncError, match="git push failed: .*protected branch"):
        push(tmp_path / "a", GitRemote(str(bare)))
    hook.unlink()
    report = push(tmp_path / "a", GitRemote(str(bare)))  # the committed run is pushed again, from the tip
    assert report.pushed == (f"{run}.json",) and on_branch(bare) == [f"{run}.json"]


def test_a_token_goes_to_the_server_as_a_header_and_is_never_printed(tmp_path: Path):
    from git_http import GitHttpServer

    token = "ghs_" + "s3cr3t" * 6
    git("init", "-q", "--bare", str(tmp_path / "served" / "ledger.git"))
    record(tmp_path / "a")
    with GitHttpServer(tmp_path / "served", token) as server:
        url = server.url("ledger.git")
        run = emergent("ledger", "push", "--git", url, "--token-env", "LEDGER_TOKEN", "--ledger", "a",
                       cwd=tmp_path, env={"LEDGER_TOKEN": token})
        out, err = run.communicate(timeout=120)
        assert run.returncode == 0, err
        assert "pushed 1 run" in out
        assert server.authorizations and set(server.authorizations) == {server.expected}
        wrong = emergent("ledger", "pull", "--git", url, "--token-env", "LEDGER_TOKEN", "--ledger", "b",
                         cwd=tmp_path, env={"LEDGER_TOKEN": token[::-1]})
        out, err = wrong.communicate(timeout=120)
    assert wrong.returncode == 2 and "git ls-remote failed" in err
    assert token not in out + err and token[::-1] not in out + err
    assert token not in (tmp_path / "a" / ".git" / "config").read_text()


def test_an_empty_token_variable_is_an_error_naming_the_variable(tmp_path: Path, bare: Path):
    run = emergent("ledger", "push", "--git", str(bare), "--token-env", "NO_SUCH_TOKEN", cwd=tmp_path,
                   env={"NO_SUCH_TOKEN": ""})
    _, err = run.communicate(timeout=60)
    assert run.returncode == 2 and "--token-env NO_SUCH_TOKEN: the environment variable is empty" in err


def test_publish_writes_the_page_once_and_again_only_when_it_changed(tmp_path: Path, bare: Path):
    def page(text: str):
        def write(worktree: Path) -> list[str]:
            (worktree / "emergent").mkdir(exist_ok=True)
            (worktree / "emergent" / "index.html").write_text(text)
            return ["emergent/index.html"]
        return write

    remote = GitRemote(str(bare), "gh-pages")
    assert publish_files(page("<p>one</p>"), remote, "first") is True
    assert publish_files(page("<p>one</p>"), remote, "same") is False
    assert publish_files(page("<p>two</p>"), remote, "second") is True
    assert git("--git-dir", str(bare), "show", "gh-pages:emergent/index.html") == "<p>two</p>"
    assert git("--git-dir", str(bare), "log", "--format=%s", "gh-pages").split() == ["second", "first"]


def test_emergent_ledger_publish_puts_the_html_report_of_the_whole_ledger_on_the_pages_branch(tmp_path: Path,
                                                                                             bare: Path):
    for status in ("fail", "pass"):
        record(tmp_path / "ledger", status=status)
    run = emergent("ledger", "publish", "--git", str(bare), "--ledger", "ledger", cwd=tmp_path)
    out, err = run.communicate(timeout=120)
    assert run.returncode == 0, err
    assert "emergent/index.html on" in out and "published (2 runs)" in out
    html = git("--git-dir", str(bare), "show", "gh-pages:emergent/index.html")
    assert html.startswith("<!DOCTYPE html>") and "arith/add" in html
