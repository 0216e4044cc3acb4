"""Audiences over HTTP: the permitted subscribers streamed as CSV or Arrow, and the counts."""

from __future__ import annotations

import csv
import io
from typing import Any

import pyarrow as pa

from tests.api.conftest import SMS_MARKETING, Api, instant

CONSENTED = ["+38344000001", "+38344000002", "+38344000003"]
WITHDRAWN = "+38344000004"
NO_CONSENT = "+38344000005"
UNKNOWN = "+38344000006"
TABLE = [*CONSENTED, WITHDRAWN, NO_CONSENT, UNKNOWN]


def estate(api: Api) -> None:
    """Five consumer subscribers: three consented, one withdrew, one never consented."""
    for subscriber in [*CONSENTED, WITHDRAWN, NO_CONSENT]:
        api.subscriber(subscriber)
    for subscriber in [*CONSENTED, WITHDRAWN]:
        api.record("consents", subscriber, option="current-offers", effective_at=instant("03-01"))
    api.record("withdrawals", WITHDRAWN, option="current-offers", effective_at=instant("04-01"))


def campaign(**extra: Any) -> dict[str, Any]:
    return {**SMS_MARKETING, "subscribers": TABLE, **extra}


def test_audience_streams_the_permitted_subscribers_as_csv(api: Api) -> None:
    estate(api)

    response = api.post("/v1/audiences", campaign(), scope="decide")

    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/csv")
    assert response.headers["placet-policy"] == "ipko 1.0"
    rows = list(csv.reader(io.StringIO(response.text)))
    assert rows == [["subscriber"], *([subscriber] for subscriber in CONSENTED)]


def test_audience_csv_quotes_an_identifier_that_holds_a_comma_or_a_quote(
    api: Api,
) -> None:
    awkward = ['ACME, "north" 7001', 'said "yes" 7002']
    for subscriber in awkward:
        api.subscriber(subscriber)
        api.record("consents", subscriber, option="current-offers", effective_at=instant("03-01"))

    response = api.post(
        "/v1/audiences", campaign(subscribers=[*awkward, NO_CONSENT]), scope="decide"
    )

    assert response.status_code == 200, response.text
    assert response.text.endswith("\r\n")
    assert list(csv.reader(io.StringIO(response.text, newline=""))) == [
        ["subscriber"],
        *([subscriber] for subscriber in awkward),
    ]


def test_audience_streams_arrow_ipc_when_asked(api: Api) -> None:
    estate(api)

    response = api.post(
        "/v1/audiences", campaign(), scope="decide", Accept="application/vnd.apache.arrow.stream"
    )

    table = pa.ipc.open_stream(response.content).read_all()
    assert response.headers["content-type"] == "application/vnd.apache.arrow.stream"
    assert table.column("subscriber").to_pylist() == CONSENTED


def test_audience_summary_counts_the_exclusions_by_reason(api: Api) -> None:
    estate(api)

    summary = api.post("/v1/audiences/summary", campaign(), scope="decide").json()

    assert summary["total"] == 6
    assert summary["permitted"] == 3
    assert summary["excluded"] == {
        "consent-withdrawn": 1,
        "no-consent": 1,
        "subject-type-not-covered": 1,
    }


def test_audience_as_of_a_past_instant_uses_the_states_then(api: Api) -> None:
    estate(api)

    rows = api.post("/v1/audiences", campaign(at=instant("03-15")), scope="decide").text

    assert WITHDRAWN in rows


def test_audience_in_json_carries_the_list_and_the_counts(api: Api) -> None:
    estate(api)

    answer = api.post("/v1/audiences", campaign(), scope="decide", Accept="application/json").json()

    assert answer["subscribers"] == CONSENTED
    assert answer["permitted"] == 3
    assert sum(answer["excluded"].values()) == 3


def test_audience_of_many_subscribers_is_decided_in_chunks_in_their_order(
    sqlite_api: Api,
) -> None:
    many = [f"+3834410{index:05d}" for index in range(12_345)]
    estate(sqlite_api)
    table = [CONSENTED[0], *many, *CONSENTED[1:]]

    response = sqlite_api.post("/v1/audiences", campaign(subscribers=table), scope="decide")
    summary = sqlite_api.post(
        "/v1/audiences/summary", campaign(subscribers=table), scope="decide"
    ).json()

    assert response.text.splitlines()[1:] == CONSENTED
    assert summary["total"] == 12_348
    assert summary["excluded"] == {"subject-type-not-covered": 12_345}


def test_audience_without_subscribers_is_a_problem_naming_the_field(sqlite_api: Api) -> None:
    response = sqlite_api.post("/v1/audiences", campaign(subscribers=[]), scope="decide")

    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "body.subscribers"


# ---------------------------------------------------------------- the run, recorded


def test_audience_list_is_recorded_under_the_id_its_header_announces(api: Api) -> None:
    estate(api)
    head = api.get("/v1/ledger/verify").json()["head"]

    response = api.post("/v1/audiences", campaign(), scope="decide")
    record_id = response.headers["placet-decision-record"]
    record = api.get(f"/v1/decision-records/{record_id}").json()

    assert response.headers["placet-ledger-position"] == str(head["seq"])
    assert record["kind"] == "audience-run"
    assert record["ledger"] == head
    assert record["policy"] == {"id": "ipko", "version": "1.0"}
    assert record["outcome"]["permitted"] == len(CONSENTED)
    assert record["outcome"]["total"] == len(TABLE)
    assert record["actor"].startswith("api-key:")
    assert "+3834" not in str(record)  # identifiers are never recorded, only digests


def test_audience_in_arrow_and_json_is_recorded_too_but_counts_alone_are_not(api: Api) -> None:
    estate(api)

    arrow = api.post(
        "/v1/audiences", campaign(), scope="decide", Accept="application/vnd.apache.arrow.stream"
    )
    document = api.post("/v1/audiences", campaign(), scope="decide", Accept="application/json")
    summary = api.post("/v1/audiences/summary", campaign(), scope="decide").json()
    records = api.get("/v1/decision-records?kind=audience-run").json()

    assert [record["record_id"] for record in records] == [
        arrow.headers["placet-decision-record"],
        document.json()["record_id"],
    ]
    assert summary["record_id"] is None


def test_decision_records_need_the_admin_scope(api: Api) -> None:
    estate(api)
    api.post("/v1/audiences", campaign(), scope="decide")

    assert api.get("/v1/decision-records", scope="decide").status_code == 403
    assert api.get("/v1/decision-records", scope="admin").status_code == 200


def test_an_unknown_decision_record_is_a_404_problem(api: Api) -> None:
    response = api.get("/v1/decision-records/6f1b2c3d-0000-4000-8000-000000000000")

    assert response.status_code == 404
    assert response.json()["type"].endswith("/decision-not-found")


def test_ledger_verify_reports_the_decision_records_chain(api: Api) -> None:
    estate(api)
    api.post("/v1/audiences", campaign(), scope="decide")

    report = api.get("/v1/ledger/verify").json()

    assert report["intact"] is True
    assert report["decisions"]["intact"] is True
    assert report["decisions"]["verified"] == 1
