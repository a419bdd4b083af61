"""What is due or overdue across the cases a user sees."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import Response

from dutycare.entrypoints.web.deps import Ctx, CurrentUser, Needs
from dutycare.entrypoints.web.render import page
from dutycare.service_layer import case_views
from dutycare.service_layer.access import Permission as P

router = APIRouter(include_in_schema=False)


@router.get("/deadlines", dependencies=[Needs(P.DEADLINES_READ)])
def deadlines_page(request: Request, ctx: Ctx, user: CurrentUser) -> Response:
    """Every clock of every complaint and records request, overdue first, then soonest due."""
    today = ctx.now().date()
    due = case_views.due_dates(ctx.uow(user), user, today)
    order = {"overdue": 0, "possibly_overdue": 1, "pending": 2, "met": 3}
    due.sort(key=lambda d: (order.get(d.status.value, 9), d.due))
    institutions = case_views.filter_choices(ctx.uow(user), user).institutions
    titles = case_views.case_titles(ctx.uow(user), user, {c for d in due for c in d.case_ids})
    return page(request, "deadlines.html", due=due, today=today, names={i.id: i.name for i in institutions},
                titles=titles)
