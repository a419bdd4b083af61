"""One router per resource: pages (HTML) and the REST API under /api/v1."""

from __future__ import annotations

from fastapi import APIRouter


def all_routers() -> list[APIRouter]:
    """Every router of the staff application, pages first."""
    from dutycare.entrypoints.web.routers import (
        account,
        api_admin,
        api_cases,
        api_events,
        api_records,
        api_registry,
        audit_pages,
        auth,
        cases,
        deadlines,
        events,
        evidence,
        ledger,
        records,
        users,
    )

    modules = (auth, records, cases, events, deadlines, ledger, users, account, audit_pages,
               api_cases, api_events, api_records, api_registry, api_admin)
    return [m.router for m in modules] + [evidence.router, evidence.api_router]
