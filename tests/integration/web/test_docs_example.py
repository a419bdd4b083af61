"""The Python example in docs/web.md opens a whole case through the API, as it says, on both databases."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from fastapi.testclient import TestClient
from web_helpers import Staff

DOC = Path(__file__).resolve().parents[3] / "docs" / "web.md"


def _example() -> str:
    text = DOC.read_text(encoding="utf-8")
    section = text[text.index("### Opening a whole case from a script"):]
    found = re.search(r"```python\n(.*?)```", section, re.S)
    assert found, "docs/web.md has lost its API example"
    return found.group(1)


def test_the_documented_example_opens_a_case_with_its_finding(client: TestClient, staff: dict[str, Staff]) -> None:
    namespace: dict[str, Any] = {"__name__": "docs_example"}
    exec(compile(_example(), str(DOC), "exec"), namespace)  # the project's own documentation
    client.headers.update(staff["caseworker"].bearer)
    case = namespace["open_whole_case"](client)
    assert case["case"]["title"].startswith("Дело Е") and case["person"]["pseudonym"] == "Пётр"
    assert [e["type"] for e in case["events"]] == ["injury", "medical_finding", "treatment_recommended",
                                                   "fitness_decision"]
    assert "R1" in {f["rule_id"] for f in case["findings"]}
    assert "Петров" not in str(case)
