"""Helpers of the web tests: a user of one role with their credentials, and signing a client in as them."""

from __future__ import annotations

from dataclasses import dataclass

from fastapi.testclient import TestClient

from dutycare.entrypoints.web.deps import SESSION_COOKIE
from dutycare.service_layer import accounts

PASSWORD = "correct horse battery staple"


@dataclass
class Staff:
    """A user of one role with a bearer token and a signed-in session."""

    user: accounts.User
    token: str
    session: str
    csrf: str

    @property
    def bearer(self) -> dict[str, str]:
        """Headers for the API."""
        return {"Authorization": f"Bearer {self.token}"}



def as_user(client: TestClient, who: Staff) -> TestClient:
    """Make the client send this user's session cookie."""
    client.cookies.clear()
    client.cookies.set(SESSION_COOKIE, who.session, domain="testserver.local")
    return client
