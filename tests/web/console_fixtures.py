"""The console's test set-up: the privacy center's site with staff accounts of each role,
requests opened in its book, signing staff in over a test client, the error shown next to
a field, and IPKO's policy in three versions."""

from __future__ import annotations

import re
import shutil
from datetime import datetime
from pathlib import Path
from typing import Any

from fastapi.testclient import TestClient

from placet.dsr import RequestKind
from placet.operations.requests import open_subject_request, verify_request
from placet.operations.staff import StaffRole, add_staff_member
from placet.policy.loader import resolve_policy_dir
from placet.policy.terms import Channel
from placet.stores.sql_staff import SqlStaffRoster
from tests.conftest import replace_once
from tests.web.privacy_fixtures import SUBSCRIBER, Center, csrf_of

__all__ = [
    "ADDED_PURPOSE",
    "NEW_SUMMARY_END",
    "PASSWORD",
    "SUMMARY_END",
    "TRAFFIC_RULE",
    "add_staff",
    "error_next_to",
    "open_request",
    "sign_in_staff",
    "staff_csrf",
    "three_versions",
]

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


def error_next_to(html: str, field: str) -> str:
    """The error shown under the label of `field`."""
    found = re.search(rf'<p class="error" id="{field}-error" role="alert">(.*?)</p>', html, re.S)
    assert found is not None, html[:2000]
    return re.sub(r"<[^>]+>|⚠", "", found.group(1)).strip()


# ------------------------------------------------------------------ policy versions

ADDED_PURPOSE = "customer-research"
TRAFFIC_RULE = "traffic-and-location-data"
SUMMARY_END = "and how you can exercise your\n    rights.\n"
NEW_SUMMARY_END = "and how you can exercise your\n    rights and whom to ask.\n"


def later_version(text: str, version: str, effective_from: str) -> str:
    """IPKO's policy YAML renamed `version`, in force from `effective_from`."""
    text = replace_once(text, 'version: "1.0"', f'version: "{version}"')
    return replace_once(text, "effective_from: 2023-01-01", f"effective_from: {effective_from}")


def changed_policy(text: str) -> str:
    """IPKO's policy with a purpose added (a copy of `surveys`), traffic data kept for 6
    months instead of 12, and the summary's last words changed."""
    surveys = text[text.index("  - id: surveys\n") : text.index("  - id: risk-management\n")]
    added = replace_once(surveys, "id: surveys", f"id: {ADDED_PURPOSE}")
    added = replace_once(added, "en: Polls", "en: Customer research")
    text = replace_once(text, "  - id: risk-management\n", added + "  - id: risk-management\n")
    text = replace_once(text, "period: 12 months", "period: 6 months")
    return replace_once(text, SUMMARY_END, NEW_SUMMARY_END)


def three_versions(tmp_path: Path) -> Path:
    """IPKO's policy in three versions: 1.0, 1.1 (changed) and 2.0 (the same as 1.1)."""
    folder = tmp_path / "policy"
    shutil.copytree(resolve_policy_dir("ipko"), folder)
    text = changed_policy((folder / "policy.yaml").read_text(encoding="utf-8"))
    for version, effective_from in (("1.1", "2024-07-01"), ("2.0", "2025-06-01")):
        written = later_version(text, version, effective_from)
        (folder / f"policy-{version}.yaml").write_text(written, encoding="utf-8")
    return folder
