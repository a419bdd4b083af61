"""The shape of the code: the pure core imports only the standard library; generated docs are current."""

from __future__ import annotations

import ast
import sys
from pathlib import Path

import pytest

SRC = Path(__file__).resolve().parents[2] / "src" / "dutycare"
PURE = ("domain", "ledger", "rules", "jurisdictions")
ALLOWED_THIRD_PARTY = {"rules": {"pluggy"}, "jurisdictions": {"holidays"}}


def _imports(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names |= {a.name.split(".")[0] for a in node.names}
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            names.add(node.module.split(".")[0])
    return names


@pytest.mark.parametrize("package", PURE)
def test_pure_packages_import_only_the_standard_library(package: str) -> None:
    allowed = set(sys.stdlib_module_names) | {"dutycare"} | ALLOWED_THIRD_PARTY.get(package, set())
    for path in (SRC / package).rglob("*.py"):
        outside = _imports(path) - allowed
        assert not outside, f"{path.relative_to(SRC)} imports {sorted(outside)}"


def test_generated_documents_are_current() -> None:
    from dutycare.docgen import generated_docs

    root = SRC.parents[1]
    for rel, render in generated_docs().items():
        current = (root / rel).read_text(encoding="utf-8") if (root / rel).exists() else ""
        assert current == render(), f"{rel} is stale: run 'python -m dutycare.docgen' and commit it"
