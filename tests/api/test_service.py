"""The ledger's verification over HTTP, the OpenAPI document and the health check."""

from __future__ import annotations

from sqlalchemy import text

from placet.ledger.receipts import keys_from_jwks
from placet.operations.checkpoints import check_checkpoint
from tests.api.conftest import Api, instant


def test_verify_reports_an_intact_chain(api: Api) -> None:
    api.subscriber()
    api.record("consents", option="current-offers", effective_at=instant("03-01"))

    report = api.get("/v1/ledger/verify", scope="admin").json()

    assert report["intact"] is True
    assert report["verified"] == 3
    assert report["head"]["seq"] == 3
    assert report["problem"] is None


def test_verify_names_the_first_altered_event(api: Api) -> None:
    api.subscriber()
    api.record("consents", option="current-offers", effective_at=instant("03-01"))
    engine = api.services.ledger.engine  # type: ignore[attr-defined]
    with engine.begin() as connection:
        connection.execute(
            text(
                "UPDATE ledger_events SET body = replace(body, 'current-offers', "
                "'offers-just-for-me') WHERE seq = 3"
            )
        )

    report = api.get("/v1/ledger/verify").json()

    assert report["intact"] is False
    assert report["verified"] == 2
    assert report["problem"]["position"] == 3
    assert report["problem"]["kind"] == "altered"


def test_the_openapi_document_is_served_under_v1(api: Api) -> None:
    document = api.client.get("/v1/openapi.json").json()

    paths = set(document["paths"])
    assert {
        "/v1/decisions",
        "/v1/decisions:batch",
        "/v1/audiences",
        "/v1/subjects/{subject}/consents",
        "/v1/subjects/{subject}/state",
        "/v1/receipts/{event_id}",
        "/v1/receipts/keys",
        "/v1/ledger/verify",
    } <= paths
    assert {"HTTPBearer", "APIKeyHeader"} <= set(document["components"]["securitySchemes"])


def test_health_needs_no_key_and_names_the_policy(api: Api) -> None:
    response = api.client.get("/v1/health")

    assert response.json() == {"status": "ok", "policy": "ipko", "versions": ["1.0"]}


def test_a_checkpoint_signed_over_http_verifies_with_the_published_keys_and_checks(
    api: Api,
) -> None:
    api.subscriber()
    api.record("consents", option="current-offers", effective_at=instant("03-01"))

    response = api.post("/v1/ledger/checkpoints", {}, scope="admin")
    refused = api.post("/v1/ledger/checkpoints", {}, scope="subjects:read")

    assert response.status_code == 201, response.text
    body = response.json()
    assert body["events"]["seq"] == 3
    assert body["decisions"]["seq"] == 0
    published = keys_from_jwks(api.client.get("/v1/receipts/keys").json())
    checkpoint = check_checkpoint(api.services.ledger, body["token"], published)
    assert checkpoint.events.hash == body["events"]["hash"]
    assert checkpoint.issuer == body["issuer"]
    assert refused.status_code == 403
