"""One router per resource: pages (HTML) and the REST API under /api/v1."""

from __future__ import annotations

from fastapi import APIRouter


def all_routers() -> list[APIRouter]:
    """Every router of the staff application, pages first."""
    from dutycare.entrypoints.web.routers import (
        account,
        api_admin,
        api_cases,
        api_complaints,
        api_events,
        api_patterns,
        api_records,
        api_registry,
        audit_pages,
        auth,
        cases,
        complaints,
        deadlines,
        events,
        evidence,
        exports,
        intake,
        ledger,
        patterns,
        publications,
        records,
        suggestions,
        users,
    )

    modules = (auth, records, cases, events, suggestions, complaints, deadlines, ledger, patterns, publications, users,
               account, audit_pages, intake, exports, api_cases, api_events, api_complaints, api_records,
               api_registry, api_admin, api_patterns)
    return [m.router for m in modules] + [evidence.router, evidence.api_router]
