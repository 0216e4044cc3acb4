"""/v1/disclosures and /v1/law-enforcement-requests: the register of recipients, disclosures
checked against IPKO's policy and recorded, what a subject is shown of them, and a
law-enforcement request carried from received to recorded on a small synthetic estate
(SQLite and PostgreSQL)."""

from __future__ import annotations

import io
import zipfile
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import orjson
import pytest
from fastapi.testclient import TestClient
from sqlalchemy import text

from placet.api import create_app
from placet.ledger.receipts import generate_signing_key
from placet.operations import create_key
from tests.api.conftest import (
    ESTATE_PLAN,
    OTHER,
    SUBSCRIBER,
    Api,
    Clock,
    estate_settings,
    estate_subscriber,
    instant,
)

LAW = "Criminal Procedure Code No. 04/L-123, Art. 88"


def headers(api: Api, name: str, *scopes: str) -> dict[str, str]:
    """Authorization headers of a fresh key named `name` (who approves, who receives)."""
    issued = create_key(api.services.api_keys, scopes, name=name, now=api.clock())
    return {"Authorization": f"Bearer {issued.plaintext}"}


def agreement(**fields: Any) -> dict[str, Any]:
    """A processor agreement with IPKO's contractors, in force from 1 January 2025."""
    return {
        "agreement_id": "DPA-2025-01",
        "recipient": "contractors",
        "kind": "processor-agreement",
        "party": "Prishtina Print Sh.p.k.",
        "reference": "IPKO/DPA/2025/01",
        "valid_from": instant("01-01"),
        **fields,
    }


def disclosure(**fields: Any) -> dict[str, Any]:
    """Subscribers' identity and contact data printed by the contractors (a processor)."""
    return {
        "recipient": "contractors",
        "purpose": "contract-performance",
        "categories": ["identity", "contact"],
        "subjects": [SUBSCRIBER, OTHER],
        "disclosed_at": instant("04-30"),
        **fields,
    }


def law_enforcement(**fields: Any) -> dict[str, Any]:
    """A disclosure to the police on a court order, kept from the subject until August."""
    return {
        "kind": "law-enforcement",
        "recipient": "law-enforcement",
        "purpose": "law-enforcement-disclosure",
        "categories": ["identity", "contract-data"],
        "subjects": [SUBSCRIBER],
        "party": "Kosovo Police, Directorate of Cybercrime",
        "legal_ground": LAW,
        "reference": "PPN-2025-0417",
        "disclosed_at": instant("04-30"),
        "confidentiality": {"ground": "Order of secrecy, Art. 90 CPC", "until": instant("08-01")},
        **fields,
    }


def test_a_disclosure_needs_the_disclosures_approve_scope(api: Api) -> None:
    refused = api.post("/v1/disclosures", disclosure(), scope="disclosures:read")

    assert refused.status_code == 403
    assert refused.json()["code"] == "forbidden"
    assert "'disclosures:approve'" in refused.json()["detail"]
    assert api.get("/v1/disclosures", scope="decide").status_code == 403
    assert api.get("/v1/disclosures", scope="disclosures:read").status_code == 200


def test_an_allowed_disclosure_is_recorded_with_its_agreement_and_approver(api: Api) -> None:
    assert api.post("/v1/disclosures/agreements", agreement()).status_code == 201

    recorded = api.client.post(
        "/v1/disclosures",
        json=disclosure(),
        headers=headers(api, "ops-lead", "disclosures:approve"),
    )

    assert recorded.status_code == 201, recorded.text
    body = recorded.json()
    assert body["agreement_id"] == "DPA-2025-01"
    assert body["party"] == "Prishtina Print Sh.p.k."
    assert body["subjects"] == 2
    assert body["approved_by"] == body["recorded_by"] == "ops-lead"
    assert body["transfer"] == "none"
    assert recorded.headers["Location"] == f"/v1/disclosures/{body['disclosure_id']}"
    read = api.get(recorded.headers["Location"], scope="disclosures:read")
    assert read.json() == body
    listed = api.get("/v1/disclosures?from=2025-04-01T00:00:00Z", scope="disclosures:read")
    assert [entry["disclosure_id"] for entry in listed.json()] == [body["disclosure_id"]]
    assert api.get("/v1/disclosures?to=2025-04-01T00:00:00Z").json() == []


def test_a_refused_disclosure_answers_every_reason_as_problem_details(api: Api) -> None:
    refused = api.post(
        "/v1/disclosures",
        disclosure(categories=["identity", "mobile-traffic-data"], country="DE"),
        scope="disclosures:approve",
    )

    assert refused.status_code == 422
    assert refused.headers["content-type"] == "application/problem+json"
    problem = refused.json()
    assert problem["code"] == "disclosure-refused"
    assert [reason["code"] for reason in problem["problems"]] == [
        "recipient-not-allowed",
        "no-agreement",
        "no-safeguard",
    ]
    assert all(reason["message"] in problem["detail"] for reason in problem["problems"])
    assert api.get("/v1/disclosures").json() == []


def test_an_override_needs_the_dpo_override_scope_and_a_justification(api: Api) -> None:
    overridden = disclosure(override={"justification": "DPA signed 2025-04-29, filed late"})

    without_scope = api.post("/v1/disclosures", overridden, scope="disclosures:approve")
    dpo = headers(api, "dpo-arta", "disclosures:approve", "dpo:override")
    unjustified = api.client.post(
        "/v1/disclosures", json=disclosure(override={"justification": " "}), headers=dpo
    )
    recorded = api.client.post("/v1/disclosures", json=overridden, headers=dpo)

    assert without_scope.status_code == 403
    assert "'dpo:override'" in without_scope.json()["detail"]
    assert unjustified.status_code == 422
    assert unjustified.json()["errors"][0]["field"] == "body.override.justification"
    assert recorded.status_code == 201, recorded.text
    body = recorded.json()
    assert body["override"] == {
        "justification": "DPA signed 2025-04-29, filed late",
        "by": "dpo-arta",
    }
    assert [reason["code"] for reason in body["problems"]] == ["no-agreement"]


def test_an_override_of_what_the_policy_allows_is_refused(api: Api) -> None:
    api.post("/v1/disclosures/agreements", agreement())

    answered = api.post(
        "/v1/disclosures", disclosure(override={"justification": "to be sure"}), scope="admin"
    )

    assert answered.status_code == 422
    assert answered.json()["code"] == "disclosure-invalid"
    assert "without an override" in answered.json()["detail"]


def test_a_retry_under_the_same_idempotency_key_returns_the_first_disclosure(api: Api) -> None:
    api.post("/v1/disclosures/agreements", agreement())
    key = {"Idempotency-Key": "crm-export-2025-04-30"}

    first = api.post("/v1/disclosures", disclosure(), scope="disclosures:approve", **key)
    again = api.post("/v1/disclosures", disclosure(), scope="disclosures:approve", **key)
    other = api.post("/v1/disclosures", disclosure(subjects=[OTHER]), **key)

    assert first.status_code == 201
    assert again.status_code == 200
    assert again.headers["Idempotent-Replayed"] == "true"
    assert again.json() == first.json()
    assert other.status_code == 422
    assert "Idempotency key" in other.json()["detail"]
    assert len(api.get("/v1/disclosures").json()) == 1


def test_a_disclosure_names_at_most_ten_thousand_subscribers_per_call(api: Api) -> None:
    subjects = [f"+383440{number:05d}" for number in range(10_001)]

    answered = api.post("/v1/disclosures", disclosure(subjects=subjects))

    assert answered.status_code == 422
    assert answered.json()["code"] == "invalid-request"
    assert answered.json()["errors"][0]["field"] == "body.subjects"
    assert "10000" in answered.json()["errors"][0]["message"]


def test_the_register_lists_recipients_with_expired_safeguards_flagged(api: Api) -> None:
    clauses = {
        "agreement_id": "SCC-2024-03",
        "recipient": "third-country-suppliers",
        "kind": "transfer-safeguard",
        "party": "CloudCo Inc.",
        "reference": "SCC module 3",
        "valid_from": "2024-01-01T00:00:00Z",
        "valid_until": instant("03-31"),
        "countries": ["US"],
        "safeguard": "standard-contractual-clauses",
    }
    assert api.post("/v1/disclosures/agreements", clauses).status_code == 201
    ending = agreement(
        agreement_id="DPA-2024-07",
        recipient="third-country-suppliers",
        party="CloudCo Inc.",
        valid_from="2024-07-01T00:00:00Z",
        valid_until=instant("05-20"),
    )
    assert api.post("/v1/disclosures/agreements", ending).status_code == 201

    register = api.get("/v1/disclosures/recipients", scope="disclosures:read").json()

    recipients = {entry["recipient"]: entry for entry in register["recipients"]}
    suppliers = recipients["third-country-suppliers"]
    assert {flag["flag"] for flag in suppliers["flags"]} == {
        "safeguard-expired",
        "agreement-expiring",
        "no-safeguard",
    }
    assert {a["agreement_id"]: a["status"] for a in suppliers["agreements"]} == {
        "SCC-2024-03": "expired",
        "DPA-2024-07": "expiring",
    }
    assert [flag["flag"] for flag in recipients["contractors"]["flags"]] == ["no-agreement"]
    assert recipients["law-enforcement"]["flags"] == []


def test_an_agreement_ended_over_the_api_refuses_the_disclosures_after_its_end(api: Api) -> None:
    api.post("/v1/disclosures/agreements", agreement())

    ended = api.post(
        "/v1/disclosures/agreements/DPA-2025-01/end",
        {"at": instant("04-01")},
        scope="disclosures:approve",
    )
    refused = api.post("/v1/disclosures", disclosure())

    assert ended.status_code == 200
    assert ended.json()["status"] == "expired"
    assert [reason["code"] for reason in refused.json()["problems"]] == ["agreement-expired"]
    assert api.post("/v1/disclosures/agreements/DPA-0000/end", {}).status_code == 404


def test_a_disclosure_is_replayed_over_http_as_decided_though_its_agreement_was_ended_since(
    api: Api,
) -> None:
    """Ended back to before the disclosure, the agreement would refuse it now; the replay
    checks it against the agreement its record holds, until the register is changed."""
    api.post("/v1/disclosures/agreements", agreement())
    recorded = api.post("/v1/disclosures", disclosure()).json()
    api.post(
        "/v1/disclosures/agreements/DPA-2025-01/end",
        {"at": instant("04-01")},
        scope="disclosures:approve",
    )
    replay = f"/v1/decision-records/{recorded['decision_id']}/replay"

    same = api.post(replay, {})
    engine = api.services.ledger.engine  # type: ignore[attr-defined]
    with engine.begin() as connection:
        connection.execute(text("UPDATE disclosures SET country = 'RS'"))
    changed = api.post(replay, {})
    refused = api.post(replay, {}, scope="disclosures:approve")

    assert same.status_code == 200, same.text
    assert same.json() == {
        "record_id": recorded["decision_id"],
        "kind": "disclosure",
        "reproduced": True,
        "differences": [],
    }
    assert changed.json()["reproduced"] is False
    assert (
        f"the register's disclosure {recorded['disclosure_id']} differs from the recorded one "
        "in country"
    ) in changed.json()["differences"]
    assert refused.status_code == 403


def test_an_audience_run_is_not_replayed_over_http(api: Api) -> None:
    api.subscriber()
    run = api.client.post(
        "/v1/audiences",
        json={"purpose": "direct-marketing-current-offers", "categories": ["contact"],
              "channel": "sms", "subscribers": [SUBSCRIBER]},
        headers=api.headers("decide"),
    )  # fmt: skip
    record_id = run.headers["Placet-Decision-Record"]

    answer = api.post(f"/v1/decision-records/{record_id}/replay", {})

    assert answer.status_code == 422, answer.text
    assert answer.json()["code"] == "decision-not-replayable"
    assert f"placet decisions replay {record_id} --subscribers FILE" in answer.json()["detail"]


def test_an_agreement_with_a_recipient_the_policy_does_not_name_is_refused(api: Api) -> None:
    answered = api.post("/v1/disclosures/agreements", agreement(recipient="printers"))

    assert answered.status_code == 422
    assert answered.json()["code"] == "disclosure-invalid"
    assert "names no recipient 'printers'" in answered.json()["detail"]


def test_a_confidential_disclosure_is_left_out_of_the_subjects_disclosures_until_its_end(
    api: Api,
) -> None:
    secret = api.post("/v1/disclosures", law_enforcement()).json()
    open_ = api.post(
        "/v1/disclosures",
        disclosure(
            recipient="state-bodies",
            purpose="legal-obligations",
            legal_ground="Law No. 03/L-222 on Tax Administration, Art. 21",
        ),
    ).json()

    during = api.get(f"/v1/subjects/{SUBSCRIBER}/disclosures", scope="subjects:read").json()
    api.clock.now = api.clock.now.replace(month=8, day=2)
    after = api.get(f"/v1/subjects/{SUBSCRIBER}/disclosures", scope="subjects:read").json()

    assert [entry["disclosure_id"] for entry in during["disclosures"]] == [open_["disclosure_id"]]
    assert {entry["disclosure_id"] for entry in after["disclosures"]} == {
        open_["disclosure_id"],
        secret["disclosure_id"],
    }
    register = api.get("/v1/disclosures", scope="disclosures:read").json()
    assert len(register) == 2


def test_unknown_disclosures_and_requests_answer_not_found(api: Api) -> None:
    assert api.get("/v1/disclosures/DIS-20250101-00000000").status_code == 404
    missing = api.get("/v1/law-enforcement-requests/LE-20250101-00000000")
    assert missing.status_code == 404
    assert "GET /v1/law-enforcement-requests" in missing.json()["detail"]


def test_the_openapi_document_names_the_disclosure_scopes(api: Api) -> None:
    paths = api.client.get("/v1/openapi.json").json()["paths"]

    scopes = {
        (method, path): sorted(
            {scope for item in operation["security"] for names in item.values() for scope in names}
        )
        for path, item in paths.items()
        if "disclosures" in path or "law-enforcement" in path
        for method, operation in item.items()
    }

    assert scopes[("post", "/v1/disclosures")] == ["disclosures:approve"]
    assert scopes[("get", "/v1/disclosures")] == ["disclosures:read"]
    assert scopes[("get", "/v1/subjects/{subject}/disclosures")] == ["subjects:read"]
    assert scopes[("post", "/v1/law-enforcement-requests/{request_id}/approval")] == [
        "disclosures:approve"
    ]
    assert scopes[("get", "/v1/law-enforcement-requests")] == ["disclosures:read"]


# ---------------------------------------------------------------- law enforcement


@pytest.fixture
def estate_api(database_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Api]:
    """The API on the small synthetic IPKO estate, on the day its plan ends."""
    clock = Clock(ESTATE_PLAN.now + timedelta(days=1))
    app = create_app(estate_settings(database_url, tmp_path, monkeypatch), clock=clock)
    with TestClient(app) as client:
        yield Api(client, app, clock, generate_signing_key("ipko-test"))
    app.state.services.ledger.engine.dispose()


def received(api: Api, subscriber: str, clerk: dict[str, str]) -> str:
    body = {
        "recipient": "law-enforcement",
        "party": "Kosovo Police, Directorate of Cybercrime",
        "reference": "PPN-2026-0601",
        "legal_ground": LAW,
        "subscribers": [subscriber],
        "categories": ["identity", "mobile-traffic-data"],
        "confidentiality": {"ground": "Order of secrecy", "until": "2026-12-01T00:00:00Z"},
    }
    answered = api.client.post("/v1/law-enforcement-requests", json=body, headers=clerk)
    assert answered.status_code == 201, answered.text
    request_id: str = answered.json()["request_id"]
    return request_id


def test_law_enforcement_request_goes_from_received_to_recorded_over_the_api(
    estate_api: Api, database_url: str
) -> None:
    subscriber = estate_subscriber(database_url)
    clerk = headers(estate_api, "legal-clerk", "disclosures:approve")
    dpo = headers(estate_api, "dpo-arta", "disclosures:approve")
    request_id = received(estate_api, subscriber, clerk)
    path = f"/v1/law-enforcement-requests/{request_id}"

    steps = [
        estate_api.client.post(
            f"{path}/ground-check", json={"holds": True, "note": "court order"}, headers=clerk
        ),
        estate_api.client.post(
            f"{path}/approval", json={"role": "dpo", "note": "order checked"}, headers=dpo
        ),
        estate_api.client.post(f"{path}/extraction", headers=clerk),
        estate_api.client.post(
            f"{path}/delivery", json={"how": "encrypted USB, to Inspector Berisha"}, headers=clerk
        ),
        estate_api.client.post(f"{path}/record", headers=clerk),
    ]

    assert [step.status_code for step in steps] == [200] * 5, [step.text for step in steps]
    extracted = steps[2].json()["extraction"]
    assert extracted["rows"] > 0
    download = estate_api.client.get(extracted["download"], headers=clerk)
    with zipfile.ZipFile(io.BytesIO(download.content)) as archive:
        assert orjson.loads(archive.read("manifest.json"))["request"] == request_id
    recorded = steps[4].json()
    assert recorded["request"]["stage"] == "recorded"
    assert [step["stage"] for step in recorded["request"]["steps"]] == [
        "received",
        "ground-checked",
        "approved",
        "extracted",
        "delivered",
        "recorded",
    ]
    assert recorded["disclosure"]["approved_by"] == "dpo-arta (dpo)"
    assert recorded["disclosure"]["confidentiality"]["until"].startswith("2026-12-01")
    read = estate_api.get(path, scope="disclosures:read").json()
    assert read["disclosure_id"] == recorded["disclosure"]["disclosure_id"]
    listed = estate_api.get("/v1/law-enforcement-requests", scope="disclosures:read").json()
    assert [entry["subscribers"] for entry in listed] == [1]


def test_a_law_enforcement_request_is_approved_by_another_person_than_its_receiver(
    estate_api: Api, database_url: str
) -> None:
    clerk = headers(estate_api, "legal-clerk", "disclosures:approve")
    request_id = received(estate_api, estate_subscriber(database_url), clerk)
    path = f"/v1/law-enforcement-requests/{request_id}"
    estate_api.client.post(
        f"{path}/ground-check", json={"holds": True, "note": "court order"}, headers=clerk
    )

    own = estate_api.client.post(
        f"{path}/approval", json={"role": "dpo", "note": "fine"}, headers=clerk
    )
    early = estate_api.client.post(f"{path}/delivery", json={"how": "by hand"}, headers=clerk)

    assert own.status_code == 422
    assert own.json()["code"] == "disclosure-invalid"
    assert "four eyes" in own.json()["detail"]
    assert "ground-checked" in early.json()["detail"]
