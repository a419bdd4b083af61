"""Schemathesis against the app's own OpenAPI document, as every role: no 5xx, answers as documented, and what
the schema refuses is refused. A quick run; ``tools/fuzz_api.py`` runs thousands of requests per role."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path
from types import ModuleType

import pytest
import schemathesis
from fastapi import FastAPI

from dutycare.service_layer.access import Role

TOOL = Path(__file__).resolve().parents[3] / "tools" / "fuzz_api.py"
EXAMPLES = 4  # per operation, generation mode and kind of id: about 150 requests per role


def _tool() -> ModuleType:
    spec = importlib.util.spec_from_file_location("fuzz_api", TOOL)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # its dataclasses look their module up there
    spec.loader.exec_module(module)
    return module


@pytest.mark.fuzz
def test_schemathesis_finds_nothing_as_any_role(web: FastAPI) -> None:
    fuzz = _tool()
    tokens, known = fuzz.tokens_per_role(web)
    schema = schemathesis.openapi.from_asgi("/api/v1/openapi.json", web)
    for role in Role:
        tally = fuzz.fuzz_role(schema, tokens[role.value], known, EXAMPLES, seed=1)
        assert tally.requests > 100, tally.line(role.value)
        assert not tally.failures, "\n".join([tally.line(role.value), *sorted(set(tally.failures))])
        assert tally.by_class["2xx"] > 10 and "5xx" not in tally.by_class, tally.line(role.value)
