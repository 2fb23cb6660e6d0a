"""The ledger on a git branch: pull it into the ledger folder, push new records, publish a page.

The Actions cache forgets a ledger after a quiet week; a git branch does not. The ledger
folder itself becomes a clone of the branch (for example `emergent-ledger`). Records have
unique file names and are never changed, so syncing is only ever adding files:

- pull: fetch the branch, move HEAD and the index to its tip without touching the working
  tree, then restore the files the folder lacks. Local records the branch lacks stay as
  untracked files, to be pushed later; a local file is never overwritten.
- push: the same, then commit every record the tip lacks and push. A rejected push (another
  run pushed first) starts again from the new tip, so two runs pushing at once both land.

Authentication: a token read from an environment variable goes to git as an HTTP header
through `GIT_CONFIG_*` variables, never on a command line, in a URL or in `.git/config`, and
is scrubbed from every message. Nothing here imports pytest.
"""

from __future__ import annotations

import base64
import json
import os
import random
import subprocess
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

from .store import LedgerError, check_record

DEFAULT_BRANCH = "emergent-ledger"
IDENTITY = ("pytest-emergent", "pytest-emergent@users.noreply.github.com")
# Another push got there first (a retry from the new tip lands); a hook or a branch protection
# that declines is not among them, and fails at once.
_REJECTED = ("non-fast-forward", "fetch first", "failed to update ref", "cannot lock ref", "incorrect old value",
             "stale info")
_TRANSIENT = ("RPC failed", "early EOF", "returned error: 5", "Connection reset", "Connection timed out",
              "Could not resolve host", "Operation timed out")


class LedgerSyncError(LedgerError):
    """A pull, push or publish that failed; the message names the remote and git's reason."""


@dataclass(frozen=True)
class GitRemote:
    """A branch of a git repository: a URL git understands (https, ssh, a path) and a branch."""

    url: str
    branch: str = DEFAULT_BRANCH
    token: str | None = field(default=None, repr=False)
    token_user: str = "x-access-token"

    def __post_init__(self) -> None:
        if not self.url.strip():
            raise LedgerSyncError("no git remote given")
        bad = not self.branch or self.branch.startswith(("-", "/")) or any(c in self.branch for c in " ~^:?*[\\")
        if bad or ".." in self.branch:
            raise LedgerSyncError(f"{self.branch!r} is not a valid branch name")

    def describe(self) -> str:
        return f"{self.scrub(self.url)} branch {self.branch}"

    def env(self) -> dict[str, str]:
        """Environment for git: no prompts, plain English messages, and the token as a header."""
        env = {**os.environ, "GIT_TERMINAL_PROMPT": "0", "LC_ALL": "C", "GIT_ASKPASS": "true"}
        if self.token:
            parts = urlsplit(self.url)
            scope = f"{parts.scheme}://{parts.netloc.rpartition('@')[2]}/" if parts.scheme.startswith("http") else None
            if scope:
                basic = base64.b64encode(f"{self.token_user}:{self.token}".encode()).decode()
                count = int(env.get("GIT_CONFIG_COUNT", "0") or 0)
                env.update({"GIT_CONFIG_COUNT": str(count + 1), f"GIT_CONFIG_KEY_{count}": f"http.{scope}.extraheader",
                            f"GIT_CONFIG_VALUE_{count}": f"AUTHORIZATION: basic {basic}"})
        return env

    def scrub(self, text: str) -> str:
        """`text` with the token (plain and as sent) and any password in a URL replaced by ***."""
        if self.token:
            basic = base64.b64encode(f"{self.token_user}:{self.token}".encode()).decode()
            text = text.replace(basic, "***").replace(self.token, "***")
        parts = urlsplit(self.url)
        if parts.password:
            text = text.replace(parts.password, "***")
        return text


@dataclass(frozen=True)
class SyncReport:
    """What a pull or push did: record files added on each side, and push attempts made."""

    pulled: tuple[str, ...] = ()
    pushed: tuple[str, ...] = ()
    local_only: tuple[str, ...] = ()
    attempts: int = 0
    skipped: tuple[str, ...] = ()  # 'FILE: reason' of files that are not records and were not pushed


def _git(folder: Path, remote: GitRemote, *args: str, check: bool = True) -> subprocess.CompletedProcess:
    try:
        out = subprocess.run(["git", "-C", str(folder), *args], capture_output=True, text=True, env=remote.env(),
                             timeout=600)
    except FileNotFoundError:
        raise LedgerSyncError("git is not installed (the ledger on a branch needs it)") from None
    except subprocess.TimeoutExpired:
        raise LedgerSyncError(f"{remote.describe()}: git {args[0]} took more than 10 minutes") from None
    if check and out.returncode != 0:
        raise LedgerSyncError(f"{remote.describe()}: git {args[0]} failed: {remote.scrub(out.stderr.strip())}")
    return out


def _ensure_repository(folder: Path, remote: GitRemote) -> None:
    """Make `folder` a repository whose `origin` is the remote; existing files stay as they are."""
    folder.mkdir(parents=True, exist_ok=True)
    if not (folder / ".git").exists():
        _git(folder, remote, "init", "-q")
        _git(folder, remote, "symbolic-ref", "HEAD", f"refs/heads/{remote.branch}")
        _git(folder, remote, "remote", "add", "origin", remote.url)
        return
    known = _git(folder, remote, "remote", "get-url", "origin", check=False)
    if known.returncode != 0:
        _git(folder, remote, "remote", "add", "origin", remote.url)
    elif known.stdout.strip() != remote.url:
        raise LedgerSyncError(f"ledger {folder} is a clone of {remote.scrub(known.stdout.strip())}, not of "
                              f"{remote.scrub(remote.url)}; give another ledger folder or remove this one")


def _fetch(folder: Path, remote: GitRemote, *, depth: int | None = None) -> bool:
    """Fetch the branch into origin/BRANCH; False when the remote has no such branch yet."""
    heads = _git(folder, remote, "ls-remote", "--heads", "origin", f"refs/heads/{remote.branch}")
    if not heads.stdout.strip():
        return False
    shallow = [f"--depth={depth}"] if depth else []
    _git(folder, remote, "fetch", "-q", *shallow, "origin",
         f"+refs/heads/{remote.branch}:refs/remotes/origin/{remote.branch}")
    return True


def _files(out: subprocess.CompletedProcess) -> list[str]:
    return [name for name in out.stdout.split("\0") if name]


def _to_tip(folder: Path, remote: GitRemote, exists: bool) -> list[str]:
    """HEAD and index to the remote tip (or to nothing), working tree untouched; then restore
    the tip's files the folder lacks. Returns the restored file names."""
    if not exists:  # no branch yet: start from nothing; every record becomes new again
        _git(folder, remote, "symbolic-ref", "HEAD", f"refs/heads/{remote.branch}")
        _git(folder, remote, "update-ref", "-d", f"refs/heads/{remote.branch}", check=False)
        _git(folder, remote, "rm", "-r", "-q", "--cached", "--ignore-unmatch", ".")
        return []
    _git(folder, remote, "reset", "-q", f"refs/remotes/origin/{remote.branch}", "--")
    missing = _files(_git(folder, remote, "ls-files", "-z", "--deleted"))
    if missing:
        _git(folder, remote, "checkout", "-q", "--", *missing)
    return missing


def _records(names: list[str]) -> list[str]:
    return sorted(n for n in names if "/" not in n and n.endswith(".json") and not n.startswith("."))


def _new_records(folder: Path, remote: GitRemote) -> tuple[list[str], list[str]]:
    """Record files the index lacks, and 'FILE: reason' for files that are not readable records."""
    new, skipped = [], []
    for name in _records(_files(_git(folder, remote, "ls-files", "-z", "--others", "--exclude-standard"))):
        try:
            problem = check_record(json.loads((folder / name).read_text(encoding="utf-8")))
        except (OSError, UnicodeDecodeError, ValueError) as exc:
            problem = f"cannot be read as JSON ({exc})"
        if problem:
            skipped.append(f"{name}: {problem}")
        else:
            new.append(name)
    return new, skipped


def _commit(folder: Path, remote: GitRemote, message: str) -> None:
    identity: list[str] = []
    if _git(folder, remote, "config", "user.email", check=False).returncode != 0:
        identity = ["-c", f"user.name={IDENTITY[0]}", "-c", f"user.email={IDENTITY[1]}"]
    _git(folder, remote, *identity, "commit", "-q", "--no-verify", "-m", message)


def _push_once(folder: Path, remote: GitRemote) -> tuple[bool, str]:
    """(pushed, why not): a rejection or a transient error can be retried, anything else raises."""
    out = _git(folder, remote, "push", "-q", "origin", f"HEAD:refs/heads/{remote.branch}", check=False)
    if out.returncode == 0:
        return True, ""
    reason = remote.scrub(out.stderr.strip())
    if any(mark in out.stderr for mark in (*_REJECTED, *_TRANSIENT)):
        return False, reason
    raise LedgerSyncError(f"{remote.describe()}: git push failed: {reason}")


def _backoff(attempt: int) -> None:
    """A short random wait, so two runs rejected together do not retry in lockstep."""
    time.sleep(random.uniform(0.05, 0.5) * attempt)


def pull(folder: Path | str, remote: GitRemote) -> SyncReport:
    """Bring the branch's records into `folder` (made a clone when it is not one); local
    records the branch lacks are kept, to be pushed."""
    folder = Path(folder)
    _ensure_repository(folder, remote)
    restored = _to_tip(folder, remote, _fetch(folder, remote))
    local, _ = _new_records(folder, remote)
    return SyncReport(pulled=tuple(_records(restored)), local_only=tuple(local))


def push(folder: Path | str, remote: GitRemote, *, attempts: int = 6, message: str | None = None) -> SyncReport:
    """Add every record of `folder` the branch lacks to the branch, retrying when another push
    got there first. Records are only ever added: a changed or deleted record is not pushed."""
    folder = Path(folder)
    _ensure_repository(folder, remote)
    reasons: list[str] = []
    for attempt in range(1, attempts + 1):
        restored = _to_tip(folder, remote, _fetch(folder, remote))
        new, skipped = _new_records(folder, remote)
        if not new:
            return SyncReport(pulled=tuple(_records(restored)), attempts=attempt - 1, skipped=tuple(skipped))
        _git(folder, remote, "add", "--", *new)
        runs = ", ".join(Path(n).stem for n in new)
        _commit(folder, remote, message or f"emergent: add {len(new)} run{'s' if len(new) > 1 else ''} ({runs})")
        pushed, reason = _push_once(folder, remote)
        if pushed:
            return SyncReport(pulled=tuple(_records(restored)), pushed=tuple(new), attempts=attempt,
                              skipped=tuple(skipped))
        reasons.append(reason)
        _backoff(attempt)
    raise LedgerSyncError(f"{remote.describe()}: push rejected {attempts} times; last: {reasons[-1]}")


def publish_files(files: Callable[[Path], list[str]], remote: GitRemote, message: str, *,
                  attempts: int = 6) -> bool:
    """Write files into a fresh shallow clone of the branch with `files(worktree)` (which returns
    the paths it wrote) and push them; on a rejection, write them again onto the new tip.
    False when the branch already had them as written."""
    with tempfile.TemporaryDirectory(prefix="emergent-publish-") as tmp:
        work = Path(tmp)
        _ensure_repository(work, remote)
        for attempt in range(1, attempts + 1):
            exists = _fetch(work, remote, depth=1)
            if exists:
                _git(work, remote, "reset", "-q", "--hard", f"refs/remotes/origin/{remote.branch}")
            written = files(work)
            _git(work, remote, "add", "--", *written)
            if exists and _git(work, remote, "diff", "--cached", "--quiet", check=False).returncode == 0:
                return False
            _commit(work, remote, message)
            pushed, reason = _push_once(work, remote)
            if pushed:
                return True
            if attempt == attempts:
                raise LedgerSyncError(f"{remote.describe()}: push rejected {attempts} times; last: {reason}")
            _backoff(attempt)
    return True
