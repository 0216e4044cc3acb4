"""API keys with scopes: 401 without a valid key, 403 without the scope, keys stored hashed."""

from __future__ import annotations

import pytest
from sqlalchemy import text

from placet.operations import create_key, revoke_key
from tests.api.conftest import SMS_MARKETING, SUBSCRIBER, Api

DECISION = {"subject": SUBSCRIBER, **SMS_MARKETING}


def test_request_without_an_api_key_is_refused_with_401(api: Api) -> None:
    response = api.client.post("/v1/decisions", json=DECISION)

    assert response.status_code == 401
    assert response.headers["content-type"] == "application/problem+json"
    assert response.headers["www-authenticate"].startswith("Bearer")
    assert "no API key" in response.json()["detail"]


@pytest.mark.parametrize(
    "header",
    [
        {"Authorization": "Bearer placet_0000000000000000_not-a-real-secret"},
        {"X-API-Key": "not-a-placet-key"},
    ],
)
def test_unknown_or_malformed_key_is_refused_with_401(api: Api, header: dict[str, str]) -> None:
    response = api.client.post("/v1/decisions", json=DECISION, headers=header)

    assert response.status_code == 401
    assert response.json()["code"] == "unauthenticated"


def test_key_with_a_wrong_secret_is_refused_with_401(api: Api) -> None:
    issued = create_key(api.services.api_keys, ["decide"], name="crm", now=api.clock())
    forged = issued.plaintext[:-4] + "AAAA"

    response = api.client.post("/v1/decisions", json=DECISION, headers={"X-API-Key": forged})

    assert response.status_code == 401


def test_revoked_key_is_refused_with_401(api: Api) -> None:
    issued = create_key(api.services.api_keys, ["decide"], name="crm", now=api.clock())
    revoke_key(api.services.api_keys, issued.key.key_id, now=api.clock())

    response = api.client.post(
        "/v1/decisions", json=DECISION, headers={"X-API-Key": issued.plaintext}
    )

    assert response.status_code == 401
    assert "revoked" in response.json()["detail"]


@pytest.mark.parametrize(
    ("method", "path", "needed"),
    [
        ("post", "/v1/decisions", "decide"),
        ("post", "/v1/decisions:batch", "decide"),
        ("post", "/v1/audiences", "decide"),
        ("post", f"/v1/subjects/{SUBSCRIBER}/consents", "events:write"),
        ("get", f"/v1/subjects/{SUBSCRIBER}/state", "subjects:read"),
        ("get", f"/v1/subjects/{SUBSCRIBER}/history", "subjects:read"),
        ("get", "/v1/receipts/5f0c8f5e-0000-4000-8000-000000000000", "subjects:read"),
        ("get", "/v1/ledger/verify", "admin"),
    ],
)
def test_key_without_the_scope_is_refused_with_403_naming_the_scope(
    sqlite_api: Api, method: str, path: str, needed: str
) -> None:
    other = next(scope for scope in ("decide", "events:write") if scope != needed)
    headers = sqlite_api.headers(other)

    response = sqlite_api.client.request(method, path, json={}, headers=headers)

    assert response.status_code == 403
    assert response.json()["code"] == "forbidden"
    assert f"'{needed}'" in response.json()["detail"]


def test_admin_key_may_do_what_every_scope_allows(api: Api) -> None:
    api.subscriber()

    response = api.post("/v1/decisions", DECISION, scope="admin")

    assert response.status_code == 200


def test_published_receipt_keys_need_no_api_key(api: Api) -> None:
    response = api.client.get("/v1/receipts/keys")

    assert response.status_code == 200
    assert response.json()["keys"][0]["kid"] == "ipko-test"


def test_api_keys_are_stored_as_sha256_hashes_never_in_plaintext(api: Api) -> None:
    issued = create_key(api.services.api_keys, ["decide"], name="crm", now=api.clock())
    secret = issued.plaintext.rsplit("_", 1)[1]

    with api.services.ledger.engine.connect() as connection:  # type: ignore[attr-defined]
        rows = connection.execute(text("SELECT * FROM api_keys")).all()

    stored = " ".join(str(value) for row in rows for value in row)
    assert secret not in stored
    assert len(rows[0].key_hash) == 64
