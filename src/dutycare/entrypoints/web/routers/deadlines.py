"""What is due or overdue across the cases a user sees: as of a chosen day, due within a week, as a calendar."""

from __future__ import annotations

from datetime import date
from typing import Annotated

from fastapi import APIRouter, Query, Request
from fastapi.responses import Response

from dutycare.adapters.calendar_file import calendar_filename, render_calendar
from dutycare.entrypoints.web.deps import Ctx, CurrentUser, Needs, Tr
from dutycare.entrypoints.web.i18n import Translator
from dutycare.entrypoints.web.render import page
from dutycare.service_layer import case_views
from dutycare.service_layer.access import Permission as P

router = APIRouter(include_in_schema=False)
ORDER = {"overdue": 0, "possibly_overdue": 1, "pending": 2, "met": 3}
SOON_DAYS = 7


def as_of_field(text: str | None, tr: Translator) -> tuple[date | None, str]:
    """The day typed in the «as of» field, or None and a message naming the field when it is not a day."""
    if not text:
        return None, ""
    try:
        return date.fromisoformat(text.strip()), ""
    except ValueError:
        return None, tr.gettext("As of: '%(value)s' is not a day; write it as 2025-04-01.") % {"value": text[:40]}


def calendar_response(body: bytes, filename: str) -> Response:
    """An iCalendar file to download."""
    return Response(body, media_type="text/calendar; charset=utf-8",
                    headers={"Content-Disposition": f'attachment; filename="{filename}"'})


@router.get("/deadlines", dependencies=[Needs(P.DEADLINES_READ)])
def deadlines_page(request: Request, ctx: Ctx, user: CurrentUser, tr: Tr,
                   as_of: Annotated[str | None, Query(max_length=40)] = None,
                   soon: Annotated[str | None, Query(max_length=10)] = None) -> Response:
    """Every clock of every complaint and records request, overdue first, then soonest due; as of a chosen day,
    and the clocks due in the next seven days on their own."""
    chosen, error = as_of_field(as_of, tr)
    due = case_views.due_dates(ctx.uow(user), user, chosen)
    day = chosen or ctx.dutycare.today()
    due.sort(key=lambda d: (ORDER.get(d.status.value, 9), d.due))
    coming = case_views.due_dates(ctx.uow(user), user, chosen, within_days=SOON_DAYS)
    institutions = case_views.filter_choices(ctx.uow(user), user).institutions
    titles = case_views.case_titles(ctx.uow(user), user, {c for d in [*due, *coming] for c in d.case_ids})
    only_soon = soon == "7"
    return page(request, "deadlines.html", due=coming if only_soon else due, coming=coming, today=day,
                chosen=chosen, as_of_text=as_of or "", as_of_error=error, only_soon=only_soon, soon_days=SOON_DAYS,
                names={i.id: i.name for i in institutions}, titles=titles, status_code=422 if error else 200)


@router.get("/deadlines.ics", dependencies=[Needs(P.DEADLINES_READ)])
def deadlines_calendar(request: Request, ctx: Ctx, user: CurrentUser, tr: Tr,
                       as_of: Annotated[str | None, Query(max_length=40)] = None) -> Response:
    """Every due date of every case the user sees, as an iCalendar file (the export is audited)."""
    chosen, error = as_of_field(as_of, tr)
    if error:
        return Response(error, status_code=422, media_type="text/plain; charset=utf-8")
    found = case_views.deadline_calendar(ctx.uow(user), user, ctx.now(), as_of=chosen)
    return calendar_response(render_calendar(found, tr.lang, ctx.now()), calendar_filename(found))


@router.get("/cases/{case_id}/deadlines.ics", dependencies=[Needs(P.DEADLINES_READ)])
def case_calendar(request: Request, ctx: Ctx, user: CurrentUser, tr: Tr, case_id: str,
                  as_of: Annotated[str | None, Query(max_length=40)] = None) -> Response:
    """One case's due dates as an iCalendar file (the export is audited)."""
    chosen, error = as_of_field(as_of, tr)
    if error:
        return Response(error, status_code=422, media_type="text/plain; charset=utf-8")
    found = case_views.deadline_calendar(ctx.uow(user), user, ctx.now(), as_of=chosen, case_id=case_id)
    return calendar_response(render_calendar(found, tr.lang, ctx.now()), calendar_filename(found))
