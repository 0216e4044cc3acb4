"""GDPR Art. 19 on the synthetic IPKO estate: carrying out a rectification, an erasure or a
restriction tells every recipient the disclosure register shows received the subscriber's
data, records each notification, and keeps the request open while one could not be told."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import nullcontext
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path

import pytest

from placet.api import create_app
from placet.disclosures import NotificationStatus, RecipientNotifier
from placet.dsr import RequestKind, RequestState
from placet.dsr.outbox import MemoryOutbox, Message
from placet.errors import RequestError, SettingsError
from placet.ledger.events import RestrictionGround
from placet.operations.disclosures import EmailNotifier
from placet.operations.fulfilment import Asked, Carried, carry_out
from placet.operations.recipient_channels import (
    NoRecipientChannel,
    load_recipient_notifier,
    recipient_notifier,
)
from placet.operations.recording import subject_ref
from placet.operations.requests import terms_of
from placet.policy import PolicySet, load_policy_set
from placet.settings import PlacetSettings
from placet.stores.sql_disclosures import SqlDisclosureBook
from placet.stores.sql_requests import SqlRequestBook, open_request_book
from tests.operations.conftest import KEY
from tests.operations.disclosure_fixtures import (
    BUYER,
    BUYER_CONTACT,
    COURIER,
    POLICE,
    PROCESSOR,
    PROCESSOR_CONTACT,
    ROAMING_NETWORK,
    Register,
    agreements,
    subscribers_of,
    verified,
)
from tests.operations.estate_fixtures import AT, OpenEstate

IPKO: PolicySet = load_policy_set("ipko")
CONTROLLER = IPKO.latest.controller.legal_name
NEW_ADDRESS = "Rruga B 1, Prishtinë"
ASKED = {
    RequestKind.RECTIFICATION: Asked(values={"address": NEW_ADDRESS}),
    RequestKind.ERASURE: Asked(),
    RequestKind.RESTRICTION: Asked(ground=RestrictionGround.ACCURACY_CONTESTED),
}
SAID = {
    RequestKind.RECTIFICATION: f"address: {NEW_ADDRESS}",
    RequestKind.ERASURE: "Erased from:",
    RequestKind.RESTRICTION: "contests the accuracy",
}


@dataclass
class FlakyOutbox(MemoryOutbox):
    """An SMTP relay that refuses mail to some addresses, until it is mended."""

    refused: set[str] = field(default_factory=set)

    def __post_init__(self) -> None:
        super().__init__()

    def send(self, message: Message) -> None:
        if message.to in self.refused:
            raise RequestError(f"the mail server refused {message.to}")
        super().send(message)


@dataclass(frozen=True, slots=True)
class Desk:
    estate: OpenEstate
    requests: SqlRequestBook
    register: Register
    answers: Path

    def carry_out(
        self, request_id: str, notifier: RecipientNotifier, *, asked: Asked | None = None
    ) -> Carried:
        return carry_out(
            self.requests, IPKO, self.estate.ledger, KEY, request_id, asked=asked or Asked(),
            estate=lambda: nullcontext(self.estate.stores), answers=self.answers,
            retention=self.estate.book, disclosures=self.register.book, notifier=notifier,
            actor="dpo-1", at=AT,
        )  # fmt: skip

    def rectified(self, subscriber: str, notifier: RecipientNotifier) -> Carried:
        request_id = verified(self.requests, IPKO, subscriber, RequestKind.RECTIFICATION)
        return self.carry_out(request_id, notifier, asked=ASKED[RequestKind.RECTIFICATION])


@pytest.fixture
def desk(estate: OpenEstate, tmp_path: Path) -> Iterator[Desk]:
    requests = open_request_book(f"sqlite:///{estate.folder / 'placet.db'}", terms_of(IPKO))
    book = SqlDisclosureBook(estate.ledger.engine)
    yield Desk(estate, requests, Register(book, estate.ledger, IPKO), tmp_path / "answers")
    requests.engine.dispose()


def results(carried: Carried) -> set[tuple[str, NotificationStatus]]:
    return {(notification.party, notification.status) for notification in carried.notified}


@pytest.mark.parametrize("kind", list(ASKED), ids=lambda kind: kind.value)
def test_rectification_erasure_and_restriction_notify_every_recipient_that_received_the_data(
    desk: Desk, kind: RequestKind
) -> None:
    agreements(desk.register.book)
    subscriber, other = subscribers_of(desk.estate)
    desk.register.to_processor(subscriber, other)
    desk.register.assigned_debt(subscriber)
    desk.register.roamed(subscriber)
    desk.register.assigned_debt(other, at=AT - timedelta(days=90))
    outbox = MemoryOutbox()
    request_id = verified(desk.requests, IPKO, subscriber, kind)

    carried = desk.carry_out(request_id, EmailNotifier(outbox, CONTROLLER), asked=ASKED[kind])
    if not carried.done and kind is RequestKind.ERASURE:  # a lake purge still waiting
        carried = desk.carry_out(request_id, EmailNotifier(outbox, CONTROLLER))

    assert carried.done, carried.summary
    assert carried.request.state is RequestState.FULFILLED
    assert {message.to for message in outbox.messages} == {PROCESSOR_CONTACT, BUYER_CONTACT}
    assert len(outbox.messages) == 2
    for message in outbox.messages:
        assert kind.value in message.subject
        assert subscriber in message.body
        assert other not in message.body
        assert SAID[kind] in message.body
    recorded = desk.register.book.notifications_of(subject_ref(subscriber, KEY))
    assert {(n.party, n.status, n.change.value) for n in recorded} == {
        (PROCESSOR, NotificationStatus.SENT, kind.value),
        (BUYER, NotificationStatus.SENT, kind.value),
        (ROAMING_NETWORK, NotificationStatus.NOT_NEEDED, kind.value),
    }
    assert all(notification.request_id == request_id for notification in recorded)
    assert not desk.register.book.notifications_of(subject_ref(other, KEY))
    step = carried.request.steps[-1].reason or ""
    assert f"told of the {kind.value}: " in step
    assert PROCESSOR in step
    assert BUYER in step


def test_a_subscriber_whose_data_went_to_no_recipient_is_fulfilled_without_notifications(
    desk: Desk,
) -> None:
    subscriber = subscribers_of(desk.estate, 1)[0]

    carried = desk.rectified(subscriber, NoRecipientChannel())

    assert carried.done
    assert carried.notified == ()
    assert "told" not in carried.summary


def test_a_recipient_without_a_contact_is_recorded_as_not_notified(desk: Desk) -> None:
    agreements(desk.register.book, buyer_contact=None)
    subscriber = subscribers_of(desk.estate, 1)[0]
    desk.register.to_processor(subscriber)
    desk.register.assigned_debt(subscriber)
    outbox = MemoryOutbox()

    carried = desk.rectified(subscriber, EmailNotifier(outbox, CONTROLLER))

    assert carried.done
    assert results(carried) == {
        (PROCESSOR, NotificationStatus.SENT),
        (BUYER, NotificationStatus.NO_CONTACT),
    }
    assert [message.to for message in outbox.messages] == [PROCESSOR_CONTACT]
    (not_told,) = [
        notification
        for notification in desk.register.book.notifications_of(subject_ref(subscriber, KEY))
        if notification.party == BUYER
    ]
    assert not_told.status is NotificationStatus.NO_CONTACT
    assert not_told.contact is None
    assert f"no contact on record for {BUYER}" in (carried.request.steps[-1].reason or "")


def test_a_failed_channel_is_recorded_and_retried_when_the_request_is_carried_out_again(
    desk: Desk,
) -> None:
    agreements(desk.register.book)
    subscriber = subscribers_of(desk.estate, 1)[0]
    desk.register.to_processor(subscriber)
    desk.register.assigned_debt(subscriber)
    outbox = FlakyOutbox(refused={BUYER_CONTACT})
    request_id = verified(desk.requests, IPKO, subscriber, RequestKind.RECTIFICATION)

    notifier = EmailNotifier(outbox, CONTROLLER)
    asked = ASKED[RequestKind.RECTIFICATION]

    first = desk.carry_out(request_id, notifier, asked=asked)
    outbox.refused.clear()
    second = desk.carry_out(request_id, notifier, asked=asked)

    assert not first.done
    assert first.request.state is RequestState.IN_PROGRESS
    assert results(first) == {
        (PROCESSOR, NotificationStatus.SENT),
        (BUYER, NotificationStatus.FAILED),
    }
    assert f"could not tell {BUYER}" in first.summary
    assert "refused" in first.summary
    assert second.done
    assert second.request.state is RequestState.FULFILLED
    assert results(second) == {(BUYER, NotificationStatus.SENT)}
    assert [message.to for message in outbox.messages] == [PROCESSOR_CONTACT, BUYER_CONTACT]
    recorded = desk.register.book.notifications_of(subject_ref(subscriber, KEY))
    assert sorted((n.party, n.status.value) for n in recorded) == sorted(
        [(PROCESSOR, "sent"), (BUYER, "failed"), (BUYER, "sent")]
    )


def test_with_no_channel_each_notification_is_recorded_as_failed_naming_the_settings(
    desk: Desk,
) -> None:
    agreements(desk.register.book)
    subscriber = subscribers_of(desk.estate, 1)[0]
    desk.register.to_processor(subscriber)
    no_channel = recipient_notifier(plugged=None, email=None, controller=CONTROLLER)

    carried = desk.rectified(subscriber, no_channel)

    assert not carried.done
    (failed,) = carried.notified
    assert failed.status is NotificationStatus.FAILED
    assert failed.channel == "none"
    assert "PLACET_OUTBOX" in (failed.reference or "")
    assert "PLACET_RECIPIENT_NOTIFIER" in (failed.reference or "")


def test_a_recipient_kept_from_the_subject_is_told_but_never_named_in_the_step(
    desk: Desk,
) -> None:
    agreements(desk.register.book)
    subscriber = subscribers_of(desk.estate, 1)[0]
    desk.register.to_processor(subscriber)
    desk.register.to_police(subscriber, secret_until=AT + timedelta(days=30))

    carried = desk.rectified(subscriber, EmailNotifier(MemoryOutbox(), CONTROLLER))

    assert POLICE in {notification.party for notification in carried.notified}
    assert carried.done
    assert POLICE not in (carried.request.steps[-1].reason or "")


def test_a_pluggable_notifier_from_settings_replaces_email(
    desk: Desk, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    agreements(desk.register.book)
    subscriber = subscribers_of(desk.estate, 1)[0]
    desk.register.to_processor(subscriber)
    outbox = MemoryOutbox()
    reference = "tests.operations.disclosure_fixtures:make_courier"
    settings = PlacetSettings(
        database_url=f"sqlite:///{tmp_path / 'api.db'}",
        policy="ipko",
        outbox="memory",
        recipient_notifier=reference,
    )
    monkeypatch.setattr(COURIER, "sent", [])

    wired = create_app(settings).state.services.recipient_notifier()
    chosen = recipient_notifier(
        plugged=load_recipient_notifier(reference), email=outbox, controller=CONTROLLER
    )
    carried = desk.rectified(subscriber, chosen)

    assert wired is COURIER
    assert chosen is COURIER
    assert results(carried) == {(PROCESSOR, NotificationStatus.SENT)}
    (notification,) = carried.notified
    assert notification.channel == "courier"
    assert notification.reference == "courier-1"
    (notice,) = COURIER.sent
    assert notice.addressee.contact == PROCESSOR_CONTACT
    assert f"address: {NEW_ADDRESS}" in notice.detail
    assert outbox.messages == []


def test_without_a_notifier_setting_the_api_tells_recipients_by_email(tmp_path: Path) -> None:
    settings = PlacetSettings(
        database_url=f"sqlite:///{tmp_path / 'api.db'}", policy="ipko", outbox="memory"
    )

    assert isinstance(create_app(settings).state.services.recipient_notifier(), EmailNotifier)


@pytest.mark.parametrize(
    "reference",
    [
        "nowhere:make",
        "tests.operations.disclosure_fixtures:missing",
        "tests.operations.conftest:KEY",
        "placet.dsr.outbox:MemoryOutbox",
    ],
)
def test_a_recipient_notifier_that_cannot_be_loaded_is_a_settings_error(reference: str) -> None:
    with pytest.raises(SettingsError, match="PLACET_RECIPIENT_NOTIFIER"):
        load_recipient_notifier(reference)
