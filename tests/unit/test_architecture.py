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


HEAVY_LIBRARIES = ("scipy", "statsmodels", "matplotlib", "weasyprint", "docx", "natasha", "pymorphy3")


def test_starting_a_command_loads_no_heavy_library_and_does_no_work() -> None:
    """The composition root and the CLI import fast and small: the statistics, charting, PDF and language libraries
    load only when a report, letter or suggestion is made (each took seconds and ~150 MiB that every command and
    every import paid), and no password hash is computed at import time."""
    import subprocess

    probe = ("import sys; import dutycare.bootstrap, dutycare.entrypoints.cli.main, "
             "dutycare.entrypoints.web.app; "
             f"print([m for m in {HEAVY_LIBRARIES!r} if m in sys.modules])")
    out = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "[]"
    hashes = ("import argon2, sys; calls = []; real = argon2.PasswordHasher.hash; "
              "argon2.PasswordHasher.hash = lambda self, *a, **k: calls.append(1) or real(self, *a, **k); "
              "import dutycare.service_layer.accounts; print(len(calls))")
    counted = subprocess.run([sys.executable, "-c", hashes], capture_output=True, text=True, check=True).stdout
    assert counted.strip() == "0"
