"""The keys under which the plugin keeps its per-item and per-session facts (pytest's Stash).

A leaf: the types are named for readers and type checkers only, so any module may import these
keys without importing the rest of the plugin.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import pytest

if TYPE_CHECKING:
    from .capabilities.requirements import Assessment, Capability
    from .capabilities.scoresheet import Scoresheet
    from .state import EmergentState

STATE_KEY: pytest.StashKey[EmergentState] = pytest.StashKey()  # on the config: the session's state
MODEL_KEY: pytest.StashKey[str] = pytest.StashKey()  # on an item: the name of the model it runs on
CAPABILITY_KEY: pytest.StashKey[Capability] = pytest.StashKey()  # on an item: what it tests and declares
ASSESSMENT_KEY: pytest.StashKey[Assessment] = pytest.StashKey()  # on an item: its model against the declaration
SHEET_KEY: pytest.StashKey[Scoresheet] = pytest.StashKey()  # on an item: what it recorded while running
