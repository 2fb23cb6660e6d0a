"""The response cache: hits without loading the model, corruption, concurrency, SIGKILL."""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
import textwrap
import time

import pytest

from pytest_emergent.backends.base import GenerateRequest, Loglikelihood
from pytest_emergent.backends.codec import request_key
from pytest_emergent.engine.cache import FILE_NAME, ResponseCache


def test_answers_round_trip_and_keys_depend_on_the_fingerprint(tmp_path):
    cache = ResponseCache(tmp_path)
    request = GenerateRequest("Q: 2 + 3?\nA:", 8, ("\n",))
    cache.put_many("m", "generate", [(request_key(request, "fp1"), " 5")])
    assert cache.get_many([request_key(request, "fp1")]) == {request_key(request, "fp1"): " 5"}
    assert cache.get_many([request_key(request, "fp2")]) == {}
    assert request_key(request, "fp1") != request_key(GenerateRequest("Q: 2 + 3?\nA:", 9, ("\n",)), "fp1")


def test_a_corrupt_cache_file_warns_and_is_left_untouched(tmp_path):
    (tmp_path / FILE_NAME).write_bytes(b"this is not a database" * 100)
    before = (tmp_path / FILE_NAME).read_bytes()
    with pytest.warns(UserWarning, match=f"response cache {tmp_path / FILE_NAME} cannot be used"):
        assert ResponseCache.open_or_warn(tmp_path) is None
    assert (tmp_path / FILE_NAME).read_bytes() == before


WRITER = textwrap.dedent("""
    import sys
    from pytest_emergent.engine.cache import ResponseCache
    cache = ResponseCache(sys.argv[1])
    start = int(sys.argv[2])
    print("ready", flush=True)
    for batch in range(100000):
        cache.put_many("m", "generate", [(f"k{start}-{batch}-{i}", "x" * 2000) for i in range(50)])
""")


def test_killing_a_writer_with_sigkill_leaves_a_cache_the_next_run_reads(tmp_path):
    cache = ResponseCache(tmp_path)
    cache.put_many("m", "generate", [("before", "kept")])
    cache.close()
    writer = subprocess.Popen([sys.executable, "-c", WRITER, str(tmp_path), "0"], stdout=subprocess.PIPE, text=True)
    assert writer.stdout.readline().strip() == "ready"
    time.sleep(1.0)
    os.kill(writer.pid, signal.SIGKILL)
    writer.wait()
    writer.stdout.close()
    reopened = ResponseCache(tmp_path)
    assert reopened.get_many(["before"]) == {"before": "kept"}
    assert reopened.db.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    written = reopened.db.execute("SELECT count(*) FROM responses").fetchone()[0]
    assert written > 1 and written % 50 == 1  # whole transactions only
    reopened.put_many("m", "generate", [("after", "ok")])
    assert reopened.get_many(["after"]) == {"after": "ok"}


def test_loglikelihood_answers_keep_their_type(tmp_path):
    from pytest_emergent.backends.base import LoglikelihoodRequest
    from pytest_emergent.backends.codec import decode_response, encode_response

    value = encode_response(Loglikelihood(-1.5, True, 2))
    assert decode_response(LoglikelihoodRequest("a", "b"), value) == Loglikelihood(-1.5, True, 2)


def test_cache_statistics_and_clear(tmp_path):
    cache = ResponseCache(tmp_path)
    cache.put_many("m", "generate", [("a", "1"), ("b", "2")])
    assert cache.stats()["entries"] == 2
    assert cache.clear() == 2 and cache.stats()["entries"] == 0
    assert isinstance(cache.db, sqlite3.Connection)


def test_the_cache_command_shows_and_clears_entries(tmp_path, capsys):
    from pytest_emergent.cli import main

    cache = ResponseCache(tmp_path)
    cache.put_many("smollm2-135m", "generate", [("a", "1"), ("b", "2")])
    cache.close()
    assert main(["cache", "info", "--dir", str(tmp_path)]) == 0
    assert "2 responses" in capsys.readouterr().out
    assert main(["cache", "clear", "--dir", str(tmp_path)]) == 0
    assert "removed 2 responses" in capsys.readouterr().out


def test_a_corrupt_cache_is_reported_by_info_and_removed_by_clear(tmp_path, capsys):
    from pytest_emergent.cli import main

    (tmp_path / "responses.sqlite").write_bytes(b"this is not a database" * 100)
    assert main(["cache", "info", "--dir", str(tmp_path)]) == 2
    assert "emergent cache clear` removes it" in capsys.readouterr().err
    assert main(["cache", "clear", "--dir", str(tmp_path)]) == 0
    assert "removed the unreadable response cache" in capsys.readouterr().out
    assert not (tmp_path / "responses.sqlite").exists()
    assert main(["cache", "info", "--dir", str(tmp_path)]) == 0
