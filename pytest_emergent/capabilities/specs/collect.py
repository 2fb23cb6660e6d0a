"""Which YAML files are capability specs, and each file as pytest items (one per capability ×
format × model), or as one error item naming every mistake when the file does not validate."""

from __future__ import annotations

import re
from collections.abc import Iterator
from functools import lru_cache
from pathlib import Path
from typing import Any

import pytest

from ...stash import STATE_KEY
from .items import SpecItem
from .validate import SpecFileError, load_specs
from .yamlio import SpecError


@lru_cache(maxsize=64)
def _glob_regex(pattern: str) -> re.Pattern[str]:
    """A path glob where ** spans folders and * stays inside one."""
    out, i = [], 0
    while i < len(pattern):
        if pattern.startswith("**/", i):
            out.append("(?:.*/)?")
            i += 3
        elif pattern.startswith("**", i):
            out.append(".*")
            i += 2
        elif pattern[i] == "*":
            out.append("[^/]*")
            i += 1
        elif pattern[i] == "?":
            out.append("[^/]")
            i += 1
        else:
            out.append(re.escape(pattern[i]))
            i += 1
    return re.compile("".join(out) + r"\Z")


def matches(path: Path, roots: list[Path], patterns: list[str]) -> bool:
    """Whether `path` matches a pattern: an absolute one as it is, a relative one relative to any
    of `roots` (the rootdir, and the folder pytest was started in: pytest may pick a rootdir
    above the project when an option's value is an absolute path, `--emergent-ledger /x`)."""
    absolute = path.resolve().as_posix()
    relatives = []
    for root in roots:
        try:
            relatives.append(path.resolve().relative_to(root.resolve()).as_posix())
        except ValueError:
            pass
    return any(_glob_regex(p).match(absolute) if p.startswith("/") else any(_glob_regex(p).match(r) for r in relatives)
               for p in patterns)


def collect_file(file_path: Path, parent: pytest.Collector) -> pytest.File | None:
    """The pytest_collect_file hook's work: a SpecFile for files that match `emergent_specs`."""
    config = parent.config
    patterns = list(config.stash[STATE_KEY].settings.spec_globs)
    if not matches(file_path, [config.rootpath, Path(config.invocation_params.dir)], patterns):
        return None
    return SpecFile.from_parent(parent, path=file_path)


class SpecFile(pytest.File):
    def collect(self) -> Iterator[pytest.Item]:
        state = self.config.stash[STATE_KEY]
        try:
            shown = self.path.relative_to(self.config.rootpath).as_posix()
        except ValueError:
            shown = str(self.path)
        try:
            data_root = None if state.settings.specs_data_outside_rootdir else self.config.rootpath
            specs = load_specs(self.path, shown, state.settings.tiers, data_root=data_root)
        except (SpecFileError, SpecError) as exc:
            # One error for the file, reported as an item so that pytest does not stop the whole
            # session (as it does on a collection error): the other spec files still run.
            yield BrokenSpec.from_parent(self, name="broken-spec", message=str(exc))
            return
        except Exception as exc:  # noqa: BLE001 - a value no check foresaw: still this file's error alone
            yield BrokenSpec.from_parent(self, name="broken-spec", message=(
                f"{shown}: cannot be read: {type(exc).__name__}: {exc} (a value of an unexpected type? "
                "please report it with the file; the other spec files still run)"))
            return
        # Ids are what baselines and the ledger key on: one id, one entry, across all files.
        taken = [f"{shown}{f':{spec.line}' if spec.line else ''}: entry '{spec.id}': field 'id': duplicate id; "
                 f"first used in {state.spec_ids[spec.id]}" for spec in specs if state.spec_ids.get(spec.id, shown) != shown]
        if taken:
            yield BrokenSpec.from_parent(self, name="broken-spec", message="\n".join(taken))
            return
        for spec in specs:
            state.spec_ids[spec.id] = shown
        for spec in specs:
            for format in spec.formats:
                for name in state.model_names:
                    yield SpecItem.from_parent(self, name=f"{spec.id}[{format}-{name}]", spec=spec,
                                               format=format, model_name=name)


class BrokenSpec(pytest.Item):
    """Stands for a spec file that does not validate: it errors at setup with the whole message
    and no traceback (pytest formats setup errors itself, so `repr_failure` would not be asked)."""

    def __init__(self, *, message: str, **kwargs: Any):
        super().__init__(**kwargs)
        self.message = message

    def setup(self) -> None:
        __tracebackhide__ = True
        pytest.fail(self.message, pytrace=False)

    def runtest(self) -> None:  # never reached: setup fails
        pytest.fail(self.message, pytrace=False)

    def reportinfo(self) -> tuple[Path, int | None, str]:
        return self.path, None, f"{self.path.name}: broken capability spec"
