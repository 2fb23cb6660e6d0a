"""The response cache: SQLite in WAL mode, safe for concurrent pytest-xdist workers.

A corrupt or unreadable cache file is reported and left as it is; the run goes on uncached.
"""

from __future__ import annotations

import json
import sqlite3
import time
import warnings
from collections.abc import Iterable
from pathlib import Path
from typing import Any

SCHEMA = """
CREATE TABLE IF NOT EXISTS responses (key TEXT PRIMARY KEY, model TEXT, kind TEXT, value TEXT, created REAL);
CREATE TABLE IF NOT EXISTS models (fingerprint TEXT PRIMARY KEY, info TEXT);
CREATE TABLE IF NOT EXISTS file_hashes (path TEXT, size INTEGER, mtime INTEGER, sha256 TEXT,
                                        PRIMARY KEY (path, size, mtime));
"""
FILE_NAME = "responses.sqlite"


def _retry_locked(fn: Any, attempts: int = 40) -> Any:
    """Run `fn`, retrying while another process holds a lock SQLite does not wait for by itself
    (switching to WAL, creating tables: concurrent xdist workers opening one cache)."""
    for attempt in range(attempts):
        try:
            return fn()
        except sqlite3.OperationalError as exc:
            if "locked" not in str(exc) and "busy" not in str(exc) or attempt == attempts - 1:
                raise
            time.sleep(min(0.05 * 2 ** attempt, 1.0))
    return None


class CacheUnavailable(Exception):
    """The cache file cannot be used; the message says why and where, `reason` the cause alone."""

    def __init__(self, message: str, reason: str = ""):
        super().__init__(message)
        self.reason = reason or message


class ResponseCache:
    def __init__(self, folder: Path):
        self.path = Path(folder) / FILE_NAME
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            self.db = sqlite3.connect(self.path, timeout=60, isolation_level=None, check_same_thread=False)
            _retry_locked(lambda: self.db.execute("PRAGMA journal_mode=WAL"))
            _retry_locked(lambda: self.db.execute("PRAGMA synchronous=NORMAL"))
            _retry_locked(lambda: self.db.executescript(SCHEMA))
            self.db.execute("SELECT count(*) FROM responses").fetchone()
        except (sqlite3.Error, OSError) as exc:
            raise CacheUnavailable(f"response cache {self.path} cannot be used ({exc}); running without a cache. "
                                   "Inspect it, or remove it with `emergent cache clear`", reason=str(exc)) from None

    @classmethod
    def open_or_warn(cls, folder: Path) -> ResponseCache | None:
        try:
            return cls(folder)
        except CacheUnavailable as exc:
            warnings.warn(str(exc), stacklevel=2)
            return None

    def _safely(self, action: str, fn: Any, default: Any) -> Any:
        try:
            return _retry_locked(fn)
        except sqlite3.Error as exc:
            warnings.warn(f"response cache {self.path}: {action} failed ({exc}); continuing without it", stacklevel=3)
            return default

    def get_many(self, keys: list[str]) -> dict[str, Any]:
        def read() -> dict[str, Any]:
            found: dict[str, Any] = {}
            for start in range(0, len(keys), 500):
                chunk = keys[start:start + 500]
                marks = ",".join("?" * len(chunk))
                for key, value in self.db.execute(f"SELECT key, value FROM responses WHERE key IN ({marks})", chunk):
                    found[key] = json.loads(value)
            return found

        return self._safely("reading", read, {})

    def put_many(self, model: str, kind: str, items: Iterable[tuple[str, Any]]) -> None:
        rows = [(key, model, kind, json.dumps(value), time.time()) for key, value in items]

        def write() -> None:
            self.db.execute("BEGIN IMMEDIATE")  # one transaction: all rows or none, even under SIGKILL
            try:
                self.db.executemany("INSERT OR REPLACE INTO responses VALUES (?, ?, ?, ?, ?)", rows)
            except BaseException:
                self.db.execute("ROLLBACK")
                raise
            self.db.execute("COMMIT")

        self._safely("writing", write, None)

    def model_info(self, fingerprint: str) -> dict[str, Any] | None:
        row = self._safely("reading", lambda: self.db.execute(
            "SELECT info FROM models WHERE fingerprint = ?", (fingerprint,)).fetchone(), None)
        return json.loads(row[0]) if row else None

    def put_model_info(self, fingerprint: str, info: dict[str, Any]) -> None:
        self._safely("writing", lambda: self.db.execute(
            "INSERT OR REPLACE INTO models VALUES (?, ?)", (fingerprint, json.dumps(info))), None)

    def file_hash(self, path: str, size: int, mtime: int) -> str | None:
        row = self._safely("reading", lambda: self.db.execute(
            "SELECT sha256 FROM file_hashes WHERE path = ? AND size = ? AND mtime = ?", (path, size, mtime)).fetchone(), None)
        return row[0] if row else None

    def put_file_hash(self, path: str, size: int, mtime: int, digest: str) -> None:
        self._safely("writing", lambda: self.db.execute(
            "INSERT OR REPLACE INTO file_hashes VALUES (?, ?, ?, ?)", (path, size, mtime, digest)), None)

    def stats(self) -> dict[str, Any]:
        rows = self.db.execute("SELECT model, kind, count(*) FROM responses GROUP BY model, kind").fetchall()
        return {"path": str(self.path), "bytes": self.path.stat().st_size if self.path.exists() else 0,
                "entries": sum(r[2] for r in rows), "by_model": [{"model": m, "kind": k, "entries": n} for m, k, n in rows]}

    def clear(self) -> int:
        count = self.db.execute("SELECT count(*) FROM responses").fetchone()[0]
        self.db.execute("DELETE FROM responses")
        self.db.execute("DELETE FROM models")
        self.db.execute("VACUUM")
        return int(count)

    def close(self) -> None:
        self.db.close()


class LazyCache:
    """A session's response cache, opened on first use (a run that asks no model creates no
    file); None when it is off or cannot be opened (a warning says why, the run goes on)."""

    def __init__(self, folder: Path | None):
        self.folder = folder
        self._cache: ResponseCache | None = None

    def get(self) -> ResponseCache | None:
        if self._cache is None and self.folder is not None:
            self._cache = ResponseCache.open_or_warn(self.folder)
            if self._cache is None:
                self.folder = None
        return self._cache

    def close(self) -> None:
        if self._cache is not None:
            self._cache.close()
            self._cache = None
