"""Through pytest: a cached re-run never loads the model; xdist workers lose no entries; replay."""

from __future__ import annotations

import json
import sqlite3

import pytest

SUITE = """
import pytest
@pytest.mark.parametrize("n", range({n}))
def test_generate(model, n):
    out = model.generate(f"Number {{n}} is", max_new_tokens=3)
    assert isinstance(out, str)
    assert model.loglikelihood(f"Number {{n}} is", " big") < 0
"""


def entries(folder) -> int:
    with sqlite3.connect(folder / "responses.sqlite") as db:
        return db.execute("SELECT count(*) FROM responses").fetchone()[0]


def test_a_cached_rerun_gives_the_same_answers_without_loading_the_model(pytester, models_file):
    models_file(("tiny", "135M", []))
    pytester.makepyfile(test_c=SUITE.format(n=6))
    first = pytester.runpytest("--emergent-cache", "cache", "--emergent-json", "a.json")
    first.assert_outcomes(passed=6)
    assert first.stdout.str().count("loading model tiny") == 1
    second = pytester.runpytest("--emergent-cache", "cache", "--emergent-json", "b.json")
    second.assert_outcomes(passed=6)
    assert "loading model tiny" not in second.stdout.str()
    a, b = (json.loads((pytester.path / f).read_text()) for f in ("a.json", "b.json"))
    assert [r["status"] for r in a["results"]] == [r["status"] for r in b["results"]]
    assert a["models"][0]["scale"] == b["models"][0]["scale"]
    assert entries(pytester.path / "cache") == 12


def test_eight_xdist_workers_writing_one_cache_lose_no_entry(pytester, models_file):
    pytest.importorskip("xdist")
    models_file(("tiny", "135M", []))
    pytester.makepyfile(test_c=SUITE.format(n=40))
    result = pytester.runpytest_subprocess("-n", "8", "--emergent-cache", "cache")
    result.assert_outcomes(passed=40)
    assert entries(pytester.path / "cache") == 80


def test_record_then_replay_without_the_model(pytester, models_file):
    models_file(("tiny", "135M", ["base"]))
    pytester.makepyfile(test_c=SUITE.format(n=3))
    recorded = pytester.runpytest("--emergent-cache", "off", "--emergent-record", "run.jsonl", "--emergent-json", "a.json")
    recorded.assert_outcomes(passed=3)
    replayed = pytester.runpytest("--emergent-cache", "off", "--emergent-model", "replay:run.jsonl",
                                  "--emergent-json", "b.json")
    replayed.assert_outcomes(passed=3)
    b = json.loads((pytester.path / "b.json").read_text())
    assert b["models"][0]["backend"] == "replay" and b["models"][0]["scale"]["params"] > 0


def test_a_request_missing_from_the_replay_file_is_a_clear_error(pytester, models_file):
    models_file(("tiny", "135M", []))
    pytester.makepyfile(test_c=SUITE.format(n=1))
    pytester.runpytest("--emergent-cache", "off", "--emergent-record", "run.jsonl").assert_outcomes(passed=1)
    pytester.makepyfile(test_c=SUITE.format(n=2))
    result = pytester.runpytest("--emergent-cache", "off", "--emergent-model", "replay:run.jsonl", "--emergent-json", "b.json")
    result.assert_outcomes(passed=1, failed=1)
    result.stdout.fnmatch_lines(["*replay file run.jsonl has no generate response of model 'tiny' for 'Number 1 is'*"])
    statuses = {r["nodeid"]: r["status"] for r in json.loads((pytester.path / "b.json").read_text())["results"]}
    assert statuses["test_c.py::test_generate[1-tiny]"] == "error"


def test_a_cached_instruct_framing_is_scored_without_loading_the_model(pytester, models_file, tiny_dir):
    import shutil

    chat = pytester.path / "chat-model"
    shutil.copytree(tiny_dir, chat)
    config = json.loads((chat / "tokenizer_config.json").read_text())
    config["chat_template"] = "{% for m in messages %}<{{ m['role'] }}>{{ m['content'] }}{% endfor %}<assistant>"
    (chat / "tokenizer_config.json").write_text(json.dumps(config))
    pytester.makefile(".yaml", **{"emergent-models": f"- name: chat\n  path: {chat}\n  params: 135M\n"})
    pytester.makepyfile(test_c="""
        def test_choose(model):
            assert model.choose("Say yes", ["Yes", "No"], format="instruct").index in (0, 1)
    """)
    assert "loading model chat" in pytester.runpytest("--emergent-cache", "cache").stdout.str()
    again = pytester.runpytest("--emergent-cache", "cache")
    again.assert_outcomes(passed=1)
    assert "loading model chat" not in again.stdout.str()


IDENTITY = """
import pytest

@pytest.mark.requires_traits("instruct")
def test_needs_instruct(model):
    assert model.loglikelihood("Say", " hi") < 0

@pytest.mark.requires_scale("1B")
def test_needs_a_billion(model):
    assert model.generate("Count:", max_new_tokens=2) is not None
"""


def test_a_replayed_model_is_the_recorded_one_name_family_traits_and_scale(pytester, models_file):
    models_file(("tiny", "135M", ["base"]), ("big", "2B", ["instruct"]))
    pytester.makepyfile(test_c=IDENTITY)
    for _ in range(2):  # recording twice into one file keeps one run, not two
        pytester.runpytest("--emergent-cache", "off", "--emergent-record", "run.jsonl", "--emergent-json", "real.json")
    lines = (pytester.path / "run.jsonl").read_text().splitlines()
    assert sum('"type": "model"' in line for line in lines) == 2
    real = json.loads((pytester.path / "real.json").read_text())
    replayed = []
    for name in ("tiny", "big"):
        run = pytester.runpytest("--emergent-cache", "off", "--emergent-model", f"replay:run.jsonl#{name}",
                                 "--emergent-json", f"{name}.json")
        run.stdout.no_fnmatch_line(f"*loading model {name} (hf)*")
        replayed += json.loads((pytester.path / f"{name}.json").read_text())["results"]
    key = ("capability", "model", "status", "score")
    assert sorted(tuple(r[k] for k in key) for r in replayed) == sorted(tuple(r[k] for k in key) for r in real["results"])
    header = json.loads((pytester.path / "big.json").read_text())["models"][0]
    assert (header["name"], header["family"], header["traits"], header["scale"]["params"]) == ("big", "tiny", ["instruct"], 2e9)
