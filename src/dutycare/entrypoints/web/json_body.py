"""API routes whose JSON request bodies are decoded with dutycare's bounds (depth, number length, no NaN).

FastAPI decodes bodies with ``json.loads``, on which a body nested 50,000 deep raises RecursionError; these
routes decode with ``adapters.json_text`` instead, whose refusals FastAPI reports as invalid JSON (422).
"""

from __future__ import annotations

from collections.abc import Callable, Coroutine
from typing import Any

from fastapi import Request, Response
from fastapi.routing import APIRoute

from dutycare.adapters import json_text


class BoundedJsonRequest(Request):
    """A request whose JSON body is decoded within bounds."""

    async def json(self) -> Any:
        """The body as JSON; a json.JSONDecodeError (with its position) when it is broken or beyond the bounds."""
        if not hasattr(self, "_json"):
            self._json = json_text.loads(await self.body())
        return self._json


class BoundedJsonRoute(APIRoute):
    """An API route that hands its handler a BoundedJsonRequest."""

    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        """The route's handler, given the bounded request."""
        handler = super().get_route_handler()

        async def bounded(request: Request) -> Response:
            return await handler(BoundedJsonRequest(request.scope, request.receive))

        return bounded
