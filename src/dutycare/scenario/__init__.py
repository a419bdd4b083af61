"""The canonical scenario shipped with dutycare (cases A, B, C from the Volgograd reports)."""

from __future__ import annotations

import json
from importlib import resources
from typing import Any

SCENARIO_FILE = "volgograd.json"


def scenario_text() -> str:
    """The scenario case file as shipped."""
    return resources.files(__name__).joinpath(SCENARIO_FILE).read_text(encoding="utf-8")


def load_scenario() -> Any:
    """The scenario case file, parsed."""
    return json.loads(scenario_text())
