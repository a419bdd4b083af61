"""Fuzz the REST API with schemathesis, as each role, and count the answers.

    python tools/fuzz_api.py [--examples N] [--db TARGET] [--seed S]

Builds the staff app over the canonical scenario in a fresh database (SQLite in a temporary directory, or the
PostgreSQL URL given with --db), adds one user per role with an API token, loads the app's own OpenAPI document
and sends every operation up to N generated requests per role (schema-valid ones, then schema-violating ones).
Each answer is checked: no 5xx, the body matches the documented schema, a request the schema refuses is refused.
Prints, per role, the requests sent, the answers by status class and the failures, and exits 1 on any failure.
"""

from __future__ import annotations

import argparse
import contextlib
import sys
import tempfile
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import hypothesis
import schemathesis
from hypothesis import HealthCheck, Phase, given
from schemathesis.checks import not_a_server_error
from schemathesis.generation import GenerationMode
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    negative_data_rejection,
    response_schema_conformance,
    status_code_conformance,
)

from dutycare.bootstrap import initialise
from dutycare.entrypoints.web.app import create_app
from dutycare.scenario import load_scenario
from dutycare.service_layer import accounts, services
from dutycare.service_layer.access import Role
from dutycare.settings import Settings

PASSWORD = "correct horse battery staple"
POSITIVE_CHECKS = [not_a_server_error, response_schema_conformance, status_code_conformance, content_type_conformance]
NEGATIVE_CHECKS = [*POSITIVE_CHECKS, negative_data_rejection]
SKIPPED = {("POST", "/api/v1/ledger/verify")}  # re-derives the whole log: slow, and takes no input to fuzz


@dataclass
class Tally:
    """What one role's requests got."""

    requests: int = 0
    by_class: Counter[str] = field(default_factory=Counter)
    failures: list[str] = field(default_factory=list)

    def line(self, role: str) -> str:
        """One line of the report."""
        classes = ", ".join(f"{k}: {v}" for k, v in sorted(self.by_class.items()))
        return f"{role:<12} requests: {self.requests:>6}  {classes}  failures: {len(self.failures)}"


def tokens_per_role(app: Any) -> tuple[dict[str, str], dict[str, str]]:
    """One user per role with a bearer token; and ids that exist, for path parameters (of a user and a token that
    no role's run depends on, since fuzzing suspends users and revokes tokens)."""
    ctx = app.state.web
    now = datetime.now(UTC)
    out = {}
    boss, _ = accounts.add_user(ctx.uow(), "fuzz-boss", Role.COORDINATOR.value, now, by=None, password=PASSWORD)
    for role in Role:
        user, _ = accounts.add_user(ctx.uow(), f"fuzz-{role.value}", role.value, now, by=boss, password=PASSWORD)
        out[role.value] = accounts.create_token(ctx.uow(), user.id, "fuzz", now, by=user)[1]
    target, _ = accounts.add_user(ctx.uow(), "fuzz-target", Role.CASEWORKER.value, now, by=boss, password=PASSWORD)
    token, _ = accounts.create_token(ctx.uow(), target.id, "target", now, by=boss)
    return out, {"case_id": "case-b", "event_id": "ev-b-injury", "user_id": target.id, "token_id": token.id}


def fuzz_role(schema: Any, token: str, known: dict[str, str], examples: int, seed: int | None = None) -> Tally:
    """Every operation, positive then negative, with generated and with existing ids, as the holder of this token.

    The examples of an operation with path parameters are split between the two kinds of ids."""
    tally = Tally()
    headers = {"Authorization": f"Bearer {token}"}
    for result in schema.get_all_operations():
        operation = result.ok()
        if (operation.method.upper(), operation.path) in SKIPPED:
            continue
        names = [p.name for p in operation.path_parameters]
        pinned = {n: known[n] for n in names if n in known}
        runs = [(None, examples)] if not pinned else [(None, examples // 2), (pinned, examples - examples // 2)]
        modes = [(GenerationMode.POSITIVE, POSITIVE_CHECKS)]
        if can_violate(operation):
            modes.append((GenerationMode.NEGATIVE, NEGATIVE_CHECKS))
        for mode, checks in modes:
            for path_parameters, count in runs:
                _run(operation, mode, checks, headers, count, seed, tally, path_parameters)
    return tally


def can_violate(operation: Any) -> bool:
    """Whether a request can break this operation's schema at all. One with no body whose only parameters are free
    text in the path cannot (every path segment is some text): negative generation then sends nothing, after
    about a thousand rejected attempts (most of a quick run's time)."""
    raw = getattr(operation.definition, "raw", operation.definition)
    if "requestBody" in raw:
        return True
    return not all(p.get("in") == "path" and set(p.get("schema") or {}) <= {"type", "title"}
                   and (p.get("schema") or {}).get("type") == "string" for p in raw.get("parameters", []))


def _run(operation: Any, mode: GenerationMode, checks: list[Any], headers: dict[str, str], examples: int,
         seed: int | None, tally: Tally, path_parameters: dict[str, str] | None) -> None:
    @hypothesis.settings(max_examples=max(1, examples), deadline=None, database=None, derandomize=seed is None,
                         phases=[Phase.explicit, Phase.generate], suppress_health_check=list(HealthCheck))
    @given(case=operation.as_strategy(generation_mode=mode, path_parameters=path_parameters))
    def one(case: Any) -> None:
        case.headers = {**(case.headers or {}), **headers}
        tally.requests += 1
        try:
            response = case.call()
        except Exception as exc:  # the test client re-raises what the app did not handle: a 500 in service
            tally.by_class["5xx"] += 1
            tally.failures.append(f"{case.method} {case.formatted_path} [{mode.value}] -> raised "
                                  f"{type(exc).__name__}: {str(exc).splitlines()[0] if str(exc) else ''}")
            return
        tally.by_class[f"{response.status_code // 100}xx"] += 1
        try:
            case.validate_response(response, checks=checks)
        except (Exception, BaseExceptionGroup) as exc:  # failed checks: counted and reported, the run goes on
            found = exc.exceptions if isinstance(exc, BaseExceptionGroup) else (exc,)
            what = "; ".join(getattr(f, "title", type(f).__name__) + _detail(f) for f in found)
            tally.failures.append(f"{case.method} {case.formatted_path} [{mode.value}] -> "
                                  f"{response.status_code}: {what}")

    if seed is not None:
        one = hypothesis.seed(seed)(one)
    # Unsatisfiable: nothing to vary in this mode (an operation without parameters has no schema-violating request).
    with contextlib.suppress(hypothesis.errors.Unsatisfiable):
        one()


def _detail(failure: BaseException) -> str:
    """The line of a failed check that says which part of the request or answer broke it."""
    lines = [line.strip() for line in str(failure).splitlines()]
    useful = [line for line in lines if line.startswith(("Invalid component", "Expected", "Received"))]
    return f" ({useful[0]})" if useful else ""


@contextmanager
def served(db: str | None) -> Iterator[Any]:
    """The app over the scenario in a fresh database."""
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        target = db or str(root / "data" / "fuzz.db")
        dc = initialise(Settings(db=target, key_file=root / "keys" / "org.key", vault=root / "data" / "vault",
                                 actor="fuzz"))
        try:
            services.import_case_file(dc.uow(), load_scenario())
            yield create_app(dc)
        finally:
            dc.close()


def main(argv: list[str] | None = None) -> int:
    """Run the fuzzer and print the counts."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--examples", type=int, default=100, help="examples per operation, mode and role")
    parser.add_argument("--db", help="a PostgreSQL URL (an empty schema); default: SQLite in a temporary directory")
    parser.add_argument("--seed", type=int, help="a Hypothesis seed; default: derandomised")
    parser.add_argument("--role", action="append", help="only these roles (repeatable)")
    args = parser.parse_args(argv)
    failed = False
    with served(args.db) as app:
        tokens, known = tokens_per_role(app)
        schema = schemathesis.openapi.from_asgi("/api/v1/openapi.json", app)
        for role in args.role or [r.value for r in Role]:
            tally = fuzz_role(schema, tokens[role], known, args.examples, args.seed)
            print(tally.line(role), flush=True)
            for failure in sorted(set(tally.failures)):
                print("   ", failure)
            failed = failed or bool(tally.failures)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
