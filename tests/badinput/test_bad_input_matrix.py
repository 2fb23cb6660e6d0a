"""The bad-input matrix: every row is one thing a new user or an attacker would try (the tables in
rows_*.py). Each must be answered by one clear message naming the place and the fix, and lose
nothing else: the other files still run, the other outputs are written, earlier records are intact.

Runs go through pytester in the same process with a scripted model (no weights are loaded), so
the whole matrix takes a few minutes on two cores.
"""

from __future__ import annotations

import importlib
import json
import os
import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path

# What a run imports on first use, imported once here: pytester forgets, after each in-process run,
# the modules that run imported, so each row would import them again (Hypothesis's plugin imports
# all of Hypothesis at the end of every session: a second per row).
import _pytest.stepwise  # noqa: E402, F401
import hypothesis.strategies  # noqa: E402, F401
import pytest
from badinput import rows_cli, rows_config, rows_runtime, rows_specs
from badinput.harness import (
    CONFTEST,
    ECHO_MODEL,
    NOISE,
    VALID,
    VALID_SPEC,
    VALID_TEST,
    Row,
    Server,
    seed_record,
    statuses,
    write_files,
)

import pytest_emergent.backends.openai  # noqa: E402, F401
import pytest_emergent.backends.replay  # noqa: E402, F401
import pytest_emergent.capabilities.specs.collect  # noqa: E402, F401
import pytest_emergent.finish  # noqa: E402, F401
import pytest_emergent.forecast.ledger  # noqa: E402, F401
import pytest_emergent.junit  # noqa: E402, F401
import pytest_emergent.report.html  # noqa: E402, F401
import pytest_emergent.report.markdown  # noqa: E402, F401
from pytest_emergent import cli

ROWS: list[Row] = [*rows_specs.ROWS, *rows_config.ROWS, *rows_runtime.ROWS, *rows_cli.ROWS]
PYTEST_ROWS = [r for r in ROWS if r.then != "cli"]
CLI_ROWS = [r for r in ROWS if r.then == "cli"]
LEDGER_COMMANDS = ("history", "runs", "diff", "show", "report", "forecast", "import")


def test_the_matrix_is_larger_than_the_one_the_issue_measured_and_its_ids_are_unique():
    assert len(ROWS) > 106
    assert len({r.id for r in ROWS}) == len(ROWS)
    assert all(r.says for r in ROWS), "every row names what it must say"


# -- fixtures ------------------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def server() -> Iterator[Server]:
    made = Server()
    yield made
    made.close()


@pytest.fixture(scope="module")
def outside(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A folder outside every test project's rootdir, with a data file in it."""
    folder = tmp_path_factory.mktemp("outside-the-rootdir")
    (folder / "cases.jsonl").write_text('{"w": "a"}\n', encoding="utf-8")
    return folder


def _mount(target: Path, options: str) -> bool:
    target.mkdir(parents=True, exist_ok=True)
    done = subprocess.run(["mount", "-t", "tmpfs", "-o", options, "tmpfs", str(target)], capture_output=True)
    return done.returncode == 0


def _umount(target: Path) -> None:
    """Unmount; lazily when a file there is still open (a cache connection of an in-process run)."""
    if subprocess.run(["umount", str(target)], capture_output=True).returncode != 0:
        subprocess.run(["umount", "-l", str(target)], capture_output=True)


@pytest.fixture(scope="module")
def mounts(tmp_path_factory: pytest.TempPathFactory, request: pytest.FixtureRequest) -> dict[str, str]:
    """A read-only file system and a full one: tiny tmpfs mounts, which need root (CI runs as root)."""
    base = tmp_path_factory.mktemp("mounts")
    made: dict[str, str] = {}
    if os.geteuid() == 0 and shutil.which("mount"):
        for name, options in (("ro", "ro,size=64k"), ("full", "size=64k")):
            if _mount(base / name, options):
                request.addfinalizer(lambda name=name: _umount(base / name))
                made[name] = str(base / name)
        if "full" in made:
            _fill(base / "full")
    return made


def _fill(folder: Path) -> None:
    """Write until the file system says it is full."""
    try:
        with open(folder / "filler", "wb", buffering=0) as handle:
            while True:
                handle.write(b"\0" * 4096)
    except OSError:
        pass


def _needs(row: Row, mounts: dict[str, str], root: Path, outside: Path, request: pytest.FixtureRequest) -> None:
    if row.needs in ("mount", "full") and ("full" if row.needs == "full" else "ro") not in mounts:
        pytest.skip("needs root to mount a read-only or a full tmpfs")
    if row.needs == "ro-ledger":
        if os.geteuid() != 0 or not _mount(root / ".emergent", "size=1m"):
            pytest.skip("needs root to mount a read-only ledger folder")
        request.addfinalizer(lambda: _umount(root / ".emergent"))
    if row.needs == "symlink":
        link = root / "capability_specs" / "data" / "link.jsonl"
        link.parent.mkdir(parents=True, exist_ok=True)
        link.symlink_to(outside / "cases.jsonl")


# -- pytest runs ---------------------------------------------------------------------------------------
def _project(pytester: pytest.Pytester) -> Path:
    pytester.makeconftest(CONFTEST)
    write_files(pytester.path, {"emergent-models.yaml": ECHO_MODEL, "capability_specs/valid.yaml": VALID_SPEC,
                                "test_valid.py": VALID_TEST}, {})
    return seed_record(pytester.path / ".emergent")


def _new_records(ledger: Path, known: set[str]) -> list[dict]:
    return [json.loads(p.read_text(encoding="utf-8")) for p in sorted(ledger.glob("*.json")) if p.name not in known]


def _all_text(folder: Path) -> str:
    parts = []
    for path in folder.rglob("*"):
        if path.is_file() and not path.is_symlink():
            parts.append(path.read_bytes().decode("utf-8", "replace"))
    return "\n".join(parts)


@pytest.mark.parametrize("row", PYTEST_ROWS, ids=[r.id for r in PYTEST_ROWS])
def test_a_bad_input_is_one_clear_message_and_nothing_else_is_lost(row: Row, pytester: pytest.Pytester,
                                                                    monkeypatch: pytest.MonkeyPatch, server: Server,
                                                                    outside: Path, mounts: dict[str, str],
                                                                    request: pytest.FixtureRequest):
    root = pytester.path
    _needs(row, mounts, root, outside, request)
    seed = _project(pytester)
    seed_bytes = seed.read_bytes()
    if row.needs == "ro-ledger":
        subprocess.run(["mount", "-o", "remount,ro", str(root / ".emergent")], check=True)
    places = {"server": server.url, "outside": str(outside), "root": str(root), **mounts}
    write_files(root, row.files, places)
    known = {p.name for p in (root / ".emergent").glob("*.json")}
    if row.ini:
        pytester.makeini("[pytest]\n" + row.ini + "\n")
    monkeypatch.setenv("EMERGENT_CACHE", "off")  # every row asks its model afresh
    for name, value in row.env.items():
        monkeypatch.setenv(name, value.format_map(places) if "{" in value else value)
    for target, value in row.patch.items():
        module, _, attr = target.rpartition(".")
        monkeypatch.setattr(importlib.import_module(module), attr, value)
    args = [a.format_map(places) if "{" in a else a for a in row.args]
    writes_json = not any(a.startswith("--emergent-json") for a in args) and "emergent_json" not in row.ini
    if writes_json:
        args.append("--emergent-json=out.json")
    if row.never:
        args += ["-l", "--junitxml=junit.xml"]  # locals in tracebacks, and the XML: a secret must be in neither

    result = pytester.runpytest("--assert=plain", *args)  # rewriting the plugin anew each row is most of the time
    text = "\n".join(result.outlines + result.errlines)

    for noise in NOISE:
        assert noise not in text, f"{row.id}: {noise} in the output:\n{text}"
    for fragment in row.says:
        assert fragment in text, f"{row.id}: {fragment!r} not in the output:\n{text}"
    for secret in row.never:
        assert secret not in text and secret not in _all_text(root).replace(row.files.get("emergent-models.yaml", ""),
                                                                              ""), f"{row.id}: the secret leaked"
    assert seed.read_bytes() == seed_bytes, "an earlier ledger record was changed"
    new = _new_records(root / ".emergent", known)
    report = root / "out.json"
    if row.then == "stops":
        assert result.ret == pytest.ExitCode.USAGE_ERROR, text
        assert not report.exists() and not new, "a stopped run wrote a report or a record"
        return
    if row.then == "runs-no-json":
        found = {(r["capability"], r["model"]): r["status"] for r in new[0]["results"]}
        assert (root / "out" / "run.md").is_file()
    else:
        found = statuses(report)
    for capability in VALID:
        assert found.get((capability, "echo")) == "pass", f"{row.id}: {capability} on echo: {found}"
    if row.then == "errors":  # every result of the bad model is an error, but those the row expects otherwise
        bad = {cap: status for (cap, model), status in found.items() if model == "bad" and f"{cap}@bad" not in row.expect}
        assert "error" in bad.values() and set(bad.values()) == {"error"}, f"{row.id}: the bad model's results: {bad}"
    if row.then == "unrecorded":
        assert not new and (root / "out" / "run.md").is_file()
    else:
        assert len(new) == 1, f"{row.id}: the run was not recorded ({len(new)} new records)"
    for key, status in row.expect.items():
        capability, _, model = key.rpartition("@")
        assert found.get((capability, model)) == status, f"{row.id}: {key}: {found}"


# -- the emergent command ------------------------------------------------------------------------------
@pytest.mark.parametrize("row", CLI_ROWS, ids=[r.id for r in CLI_ROWS])
def test_a_bad_command_line_or_file_is_one_line_and_the_ledger_is_kept(row: Row, tmp_path: Path,
                                                                        monkeypatch: pytest.MonkeyPatch,
                                                                        capsys: pytest.CaptureFixture[str]):
    seed = seed_record(tmp_path / ".emergent")
    seed_bytes = seed.read_bytes()
    write_files(tmp_path, row.files, {})
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("EMERGENT_CACHE", str(tmp_path / "no-cache"))
    args = list(row.args)
    if args and args[0] in LEDGER_COMMANDS and "--ledger" not in args:
        args += ["--ledger", ".emergent"]
    try:
        code = cli.main(args)
    except SystemExit as exc:  # argparse's own usage errors
        code = exc.code
    out, err = capsys.readouterr()
    text = out + err
    assert "Traceback" not in text
    assert code == row.code, f"{row.id}: exit {code}:\n{text}"
    for fragment in row.says:
        assert fragment in text, f"{row.id}: {fragment!r} not in the output:\n{text}"
    if code == 2:
        assert len([line for line in err.splitlines() if "error" in line]) == 1, f"{row.id}: not one line:\n{err}"
    assert seed.read_bytes() == seed_bytes, "an earlier ledger record was changed"
