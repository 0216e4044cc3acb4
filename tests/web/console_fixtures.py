"""The console's test set-up: the privacy center's site with staff accounts of each role,
requests opened in its book, and signing staff in over a test client."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from fastapi.testclient import TestClient

from placet.dsr import RequestKind
from placet.operations.requests import open_subject_request, verify_request
from placet.operations.staff import StaffRole, add_staff_member
from placet.policy.terms import Channel
from placet.stores.sql_staff import SqlStaffRoster
from tests.web.privacy_fixtures import SUBSCRIBER, Center, csrf_of

__all__ = ["PASSWORD", "add_staff", "open_request", "sign_in_staff", "staff_csrf"]

PASSWORD = "correct horse battery staple"
STAFF = {"dpo": "jana.dpo", "care-agent": "arben.care", "auditor": "mira.audit"}
"""A staff name for each role."""


def add_staff(center: Center) -> None:
    """An account of each role, all with `PASSWORD`."""
    roster = SqlStaffRoster(center.services.ledger.engine)  # type: ignore[attr-defined]
    for role, name in STAFF.items():
        add_staff_member(roster, name, StaffRole(role), PASSWORD, at=center.clock())


def sign_in_staff(client: TestClient, role: str, password: str = PASSWORD) -> Any:
    """Sign the account of `role` in; the answer after the redirect."""
    page = client.get("/console/sign-in")
    return client.post(
        "/console/sign-in",
        data={"csrf": csrf_of(page.text), "name": STAFF[role], "password": password},
        follow_redirects=True,
    )


def staff_csrf(client: TestClient, path: str = "/console") -> str:
    """The CSRF token of the staff session, read from a console page."""
    return csrf_of(client.get(path).text)


def open_request(
    center: Center,
    kind: RequestKind,
    received_at: datetime,
    *,
    subscriber: str = SUBSCRIBER,
    verified: bool = False,
) -> str:
    """Open a request received by phone at `received_at`, verified at once if asked."""
    services = center.services
    request = open_subject_request(
        services.requests,
        services.policies,
        services.key(),
        subscriber,
        kind,
        channel=Channel.CALL,
        received_at=received_at,
        actor="care-desk",
        at=received_at,
    )
    if verified:
        verify_request(
            services.requests, request.request_id, actor="care-desk", at=received_at, how="code"
        )
    return request.request_id
