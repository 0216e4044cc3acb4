"""A subject's state (now or as of an instant) and history over HTTP."""

from __future__ import annotations

from tests.api.conftest import SUBSCRIBER, Api, instant


def test_state_now_shows_the_live_consent_and_the_contract(api: Api) -> None:
    api.subscriber()
    api.record("consents", option="current-offers", effective_at=instant("03-01"))

    state = api.get(f"/v1/subjects/{SUBSCRIBER}/state", scope="subjects:read").json()

    assert [grant["option"] for grant in state["consents"]] == ["current-offers"]
    assert state["active_contracts"] == 1
    assert state["subject_type"] == "consumer-subscriber"


def test_state_as_of_an_instant_is_the_state_then(api: Api) -> None:
    api.subscriber()
    api.record("consents", option="current-offers", effective_at=instant("03-01"))
    api.record("withdrawals", option="current-offers", effective_at=instant("04-01"))

    then = api.get(f"/v1/subjects/{SUBSCRIBER}/state?at={instant('03-15')}").json()
    now = api.get(f"/v1/subjects/{SUBSCRIBER}/state").json()

    assert then["as_of"] == instant("03-15")
    assert [grant["option"] for grant in then["consents"]] == ["current-offers"]
    assert now["consents"] == []
    assert now["withdrawn"] == ["current-offers"]


def test_a_subject_nothing_was_recorded_about_has_the_empty_state(api: Api) -> None:
    state = api.get("/v1/subjects/+38349000000/state").json()

    assert state["consents"] == []
    assert state["active_contracts"] == 0


def test_history_lists_every_event_in_the_order_recorded(api: Api) -> None:
    api.subscriber()
    api.record("consents", option="current-offers", effective_at=instant("03-01"))

    history = api.get(f"/v1/subjects/{SUBSCRIBER}/history", scope="subjects:read").json()

    types = [event["type"] for event in history["events"]]
    assert types == ["subject-facts-recorded", "contract-started", "consent-given"]
    assert [event["seq"] for event in history["events"]] == [1, 2, 3]
    assert {event["subject"] for event in history["events"]} == {history["subject"]}


def test_state_at_a_naive_instant_is_a_problem_naming_the_query_parameter(api: Api) -> None:
    response = api.get(f"/v1/subjects/{SUBSCRIBER}/state?at=2025-03-15T00:00:00")

    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "query.at"
