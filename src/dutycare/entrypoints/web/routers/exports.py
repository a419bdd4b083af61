"""CSV downloads of what the reader may see (cases, events, findings, deadlines), as a page link and in the API.

Each table has its own address (/export/cases.csv, /api/v1/export/cases.csv), so the route tests that call every
GET route read every table. The rows come from the same visibility-filtered, audited service as the JSON export.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from fastapi import APIRouter
from fastapi.responses import Response

from dutycare.adapters.csv_export import table_csv
from dutycare.entrypoints.web.deps import Ctx, CurrentUser, Needs
from dutycare.entrypoints.web.routers.api_cases import ERRORS
from dutycare.service_layer import case_views
from dutycare.service_layer.access import Permission as P

router = APIRouter()
MEDIA_TYPE = "text/csv; charset=utf-8"
CSV_ANSWER: dict[int | str, dict[str, Any]] = {200: {
    "content": {"text/csv": {}},
    "description": "UTF-8 with a byte-order mark; a formula-like cell gets a leading apostrophe"}}


def csv_download(ctx: Ctx, user: CurrentUser, table: str) -> Response:
    """One table as a CSV attachment (the export is audited by the service)."""
    rows = case_views.export_table(ctx.uow(user), user, table, ctx.now())
    body = table_csv(case_views.EXPORT_COLUMNS[table], rows)
    stamp = ctx.now().strftime("%Y%m%d")
    return Response(body, media_type=MEDIA_TYPE, headers={
        "Content-Disposition": f'attachment; filename="dutycare-{table}-{stamp}.csv"',
        "X-Content-Type-Options": "nosniff"})


def _route(table: str) -> Callable[[Ctx, CurrentUser], Response]:
    def download(ctx: Ctx, user: CurrentUser) -> Response:
        return csv_download(ctx, user, table)
    download.__name__ = f"export_{table}_csv"
    download.__doc__ = f"The {table} you may see, as CSV (UTF-8 with BOM; opens in Excel and LibreOffice)."
    return download


for _table in case_views.EXPORT_COLUMNS:
    router.add_api_route(f"/export/{_table}.csv", _route(_table), methods=["GET"], include_in_schema=False,
                         dependencies=[Needs(P.EXPORT)], response_class=Response)
    router.add_api_route(f"/api/v1/export/{_table}.csv", _route(_table), methods=["GET"], tags=["records"],
                         dependencies=[Needs(P.EXPORT)], response_class=Response,
                         responses={**ERRORS, **CSV_ANSWER}, name=f"api_export_{_table}_csv")
