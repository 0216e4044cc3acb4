"""Errors are RFC 9457 problem details that name the field at fault and say what to fix."""

from __future__ import annotations

import re
from pathlib import Path

from fastapi.testclient import TestClient

from placet.api import create_app
from placet.api.problems import PROBLEM_TYPES
from placet.operations import create_key
from placet.settings import PlacetSettings
from tests.api.conftest import NOW, SHOP, SMS_MARKETING, SUBSCRIBER, Api

DOCS = Path(__file__).parents[2] / "docs"


def test_invalid_body_is_a_problem_naming_each_field(sqlite_api: Api) -> None:
    body = {"subject": SUBSCRIBER, "purpose": "Direct Marketing", "categories": []}

    response = sqlite_api.post("/v1/decisions", body, scope="decide")

    problem = response.json()
    assert response.status_code == 422
    assert response.headers["content-type"] == "application/problem+json"
    assert {"type", "title", "status", "detail", "instance"} <= set(problem)
    assert problem["instance"] == "/v1/decisions"
    fields = {error["field"] for error in problem["errors"]}
    assert fields == {"body.purpose", "body.categories"}
    assert "body.purpose" in problem["detail"]
    assert "Fix each field named" in problem["detail"]


def test_a_field_deep_in_a_batch_is_named_by_its_path(sqlite_api: Api) -> None:
    good = {"subject": SUBSCRIBER, **SMS_MARKETING}
    bad = {**good, "channel": "pigeon"}

    response = sqlite_api.post("/v1/decisions:batch", {"decisions": [good, bad]}, scope="decide")

    (error,) = response.json()["errors"]
    assert error["field"] == "body.decisions[1].channel"
    assert error["pointer"] == "/decisions/1/channel"


def test_an_instant_without_a_time_zone_is_refused_naming_the_field(sqlite_api: Api) -> None:
    body = {"subject": SUBSCRIBER, **SMS_MARKETING, "at": "2025-03-01T00:00:00"}

    response = sqlite_api.post("/v1/decisions", body, scope="decide")

    (error,) = response.json()["errors"]
    assert error["field"] == "body.at"
    assert "timezone" in error["message"]


def test_unknown_consent_option_is_a_problem_listing_the_options(sqlite_api: Api) -> None:
    response = sqlite_api.post(f"/v1/subjects/{SUBSCRIBER}/consents", {**SHOP, "option": "spam-me"})

    problem = response.json()
    assert response.status_code == 422
    assert problem["code"] == "invalid-event"
    assert "'spam-me'" in problem["detail"]
    assert "current-offers" in problem["detail"]


def test_an_instant_before_the_first_policy_version_is_a_problem(sqlite_api: Api) -> None:
    body = {"subject": SUBSCRIBER, **SMS_MARKETING, "at": "2001-01-01T00:00:00Z"}

    response = sqlite_api.post("/v1/decisions", body, scope="decide")

    assert response.status_code == 422
    assert response.json()["code"] == "no-version-in-force"


def test_an_unknown_route_is_a_problem(sqlite_api: Api) -> None:
    response = sqlite_api.client.get("/v1/nothing-here")

    assert response.status_code == 404
    assert response.json()["type"] == "/v1/problems/not-found"
    assert "/v1/openapi.json" in response.json()["detail"]


def test_a_problem_type_describes_itself(sqlite_api: Api) -> None:
    response = sqlite_api.client.get("/v1/problems/idempotency-conflict")

    assert response.json() == {
        "type": "/v1/problems/idempotency-conflict",
        "code": "idempotency-conflict",
        "status": 422,
        "title": PROBLEM_TYPES["idempotency-conflict"].title,
    }


def test_without_a_pseudonym_key_recording_is_a_503_naming_the_setting(
    sqlite_url: str,
) -> None:
    app = create_app(PlacetSettings(database_url=sqlite_url, policy="ipko"))
    issued = create_key(app.state.services.api_keys, ["admin"], name="t", now=NOW)

    response = TestClient(app).post(
        f"/v1/subjects/{SUBSCRIBER}/consents",
        json={**SHOP, "option": "current-offers"},
        headers={"X-API-Key": issued.plaintext},
    )

    assert response.status_code == 503
    assert response.json()["code"] == "not-configured"
    assert "PLACET_PSEUDONYM_KEY" in response.json()["detail"]


def test_every_problem_code_is_documented_in_api_md() -> None:
    page = (DOCS / "api.md").read_text(encoding="utf-8")

    missing = [
        code for code in PROBLEM_TYPES if not re.search(rf"^\| `{code}` \|", page, re.MULTILINE)
    ]

    assert not missing, f"add a row to the problem table of docs/api.md: {missing}"
