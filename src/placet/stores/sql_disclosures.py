"""The disclosure register in Placet's own database (the ledger's): `SqlDisclosureBook`
implements `placet.disclosures.DisclosureBook`.

Subjects are named by their keyed pseudonym. A disclosure's subjects are inserted a batch
at a time, so a disclosure of a whole query's subscribers streams in; law-enforcement
steps are append-only rows, written with the request's new stage in one transaction.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator, Sequence
from contextlib import AbstractContextManager
from datetime import datetime
from itertools import islice
from typing import Any, Final

from sqlalchemy import Engine, Row, func, insert, select, update
from sqlalchemy.engine import Connection
from sqlalchemy.exc import IntegrityError

from placet.disclosures import (
    Agreement,
    AgreementKind,
    ChangeKind,
    Confidentiality,
    Disclosure,
    DisclosureKind,
    ExtractedDataset,
    Extraction,
    LawEnforcementRequest,
    LawEnforcementStage,
    LawEnforcementStep,
    NotificationStatus,
    Override,
    ProposedDisclosure,
    RecipientNotification,
)
from placet.errors import DisclosureError, StoreError
from placet.policy import TransferSafeguard
from placet.stores.sql_database import database_transaction, open_database
from placet.stores.sql_schema import (
    disclosure_agreements,
    disclosure_subjects,
    disclosures,
    law_enforcement_requests,
    law_enforcement_steps,
    recipient_notifications,
)

__all__ = ["SqlDisclosureBook", "open_disclosure_book"]

_BATCH: Final = 10_000
"""Subjects inserted per statement."""


def open_disclosure_book(url: str, *, upgrade: bool = True) -> SqlDisclosureBook:
    """The register in the database at `url` (the ledger's), upgraded or checked."""
    return SqlDisclosureBook(open_database(url, upgrade=upgrade))


class SqlDisclosureBook:
    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    # ------------------------------------------------------------------ agreements

    def add_agreement(self, agreement: Agreement) -> None:
        if agreement.recorded_at is None or not agreement.recorded_by:
            raise DisclosureError(
                f"agreement {agreement.agreement_id} names who recorded it and when "
                "(recorded_by, recorded_at)"
            )
        try:
            with self._transaction(write=True) as connection:
                connection.execute(
                    insert(disclosure_agreements).values(_agreement_values(agreement))
                )
        except StoreError as exc:
            if isinstance(exc.__cause__, IntegrityError):
                raise DisclosureError(
                    f"an agreement {agreement.agreement_id} is in the register already; "
                    "give the new one another id"
                ) from exc
            raise

    def end_agreement(self, agreement_id: str, at: datetime) -> Agreement:
        with self._transaction(write=True) as connection:
            row = connection.execute(
                select(disclosure_agreements).where(
                    disclosure_agreements.c.agreement_id == agreement_id
                )
            ).one_or_none()
            if row is None:
                raise DisclosureError(f"no agreement {agreement_id} is in the register")
            ended = _agreement(row)
            if at <= ended.valid_from:
                raise DisclosureError(
                    f"agreement {agreement_id} starts {ended.valid_from:%Y-%m-%d}; "
                    "end it after that"
                )
            connection.execute(
                update(disclosure_agreements)
                .where(disclosure_agreements.c.agreement_id == agreement_id)
                .values(valid_until=at)
            )
        return _agreement(row, valid_until=at)

    def agreements(self) -> list[Agreement]:
        with self._transaction() as connection:
            rows = connection.execute(
                select(disclosure_agreements).order_by(
                    disclosure_agreements.c.recipient, disclosure_agreements.c.valid_from
                )
            ).all()
        return [_agreement(row) for row in rows]

    # ------------------------------------------------------------------ disclosures

    def add_disclosure(self, disclosure: Disclosure, subjects: Iterable[str]) -> None:
        with self._transaction(write=True) as connection:
            connection.execute(insert(disclosures).values(_disclosure_values(disclosure)))
            refs = iter(dict.fromkeys(subjects))
            while batch := list(islice(refs, _BATCH)):
                connection.execute(
                    insert(disclosure_subjects),
                    [{"disclosure_id": disclosure.disclosure_id, "subject_ref": r} for r in batch],
                )

    def disclosure(self, disclosure_id: str) -> Disclosure | None:
        with self._transaction() as connection:
            row = connection.execute(
                select(disclosures).where(disclosures.c.disclosure_id == disclosure_id)
            ).one_or_none()
        return None if row is None else _disclosure(row)

    def disclosures(
        self, *, since: datetime | None = None, before: datetime | None = None
    ) -> list[Disclosure]:
        query = select(disclosures).order_by(
            disclosures.c.disclosed_at, disclosures.c.disclosure_id
        )
        if since is not None:
            query = query.where(disclosures.c.disclosed_at >= since)
        if before is not None:
            query = query.where(disclosures.c.disclosed_at < before)
        with self._transaction() as connection:
            return [_disclosure(row) for row in connection.execute(query)]

    def latest_disclosures(self, limit: int) -> list[Disclosure]:
        query = (
            select(disclosures)
            .order_by(disclosures.c.disclosed_at.desc(), disclosures.c.disclosure_id.desc())
            .limit(limit)
        )
        with self._transaction() as connection:
            return [_disclosure(row) for row in connection.execute(query)]

    def count_disclosures(self) -> int:
        with self._transaction() as connection:
            return int(
                connection.execute(select(func.count()).select_from(disclosures)).scalar_one()
            )

    def disclosures_of(self, subject: str) -> list[Disclosure]:
        held = select(disclosure_subjects.c.disclosure_id).where(
            disclosure_subjects.c.subject_ref == subject
        )
        query = (
            select(disclosures)
            .where(disclosures.c.disclosure_id.in_(held))
            .order_by(disclosures.c.disclosed_at, disclosures.c.disclosure_id)
        )
        with self._transaction() as connection:
            return [_disclosure(row) for row in connection.execute(query)]

    def subjects_of(self, disclosure_id: str) -> Iterator[str]:
        """The pseudonyms of the subjects a disclosure held, in order."""
        with self._transaction() as connection:
            rows = connection.execute(
                select(disclosure_subjects.c.subject_ref)
                .where(disclosure_subjects.c.disclosure_id == disclosure_id)
                .order_by(disclosure_subjects.c.subject_ref)
            ).all()
        return (str(row.subject_ref) for row in rows)

    # ------------------------------------------------------------------ law enforcement

    def save_request(self, request: LawEnforcementRequest) -> None:
        values = _request_values(request)
        with self._transaction(write=True) as connection:
            stored = connection.execute(
                select(func.count())
                .select_from(law_enforcement_steps)
                .where(law_enforcement_steps.c.request_id == request.request_id)
            ).scalar_one()
            if stored == 0:
                connection.execute(insert(law_enforcement_requests).values(values))
            else:
                connection.execute(
                    update(law_enforcement_requests)
                    .where(law_enforcement_requests.c.request_id == request.request_id)
                    .values(values)
                )
            if stored > len(request.steps):
                raise DisclosureError(
                    f"law-enforcement request {request.request_id} has {stored} steps "
                    f"recorded; a copy of it with {len(request.steps)} cannot replace them"
                )
            fresh = request.steps[stored:]
            if fresh:
                connection.execute(
                    insert(law_enforcement_steps),
                    [
                        {
                            "request_id": request.request_id,
                            "step_no": stored + number + 1,
                            "stage": step.stage.value,
                            "actor": step.actor,
                            "role": step.role,
                            "at": step.at,
                            "note": step.note,
                        }
                        for number, step in enumerate(fresh)
                    ],
                )

    def request(self, request_id: str) -> LawEnforcementRequest | None:
        with self._transaction() as connection:
            row = connection.execute(
                select(law_enforcement_requests).where(
                    law_enforcement_requests.c.request_id == request_id
                )
            ).one_or_none()
            if row is None:
                return None
            return _request(row, _steps(connection, [request_id])[request_id])

    def requests(self) -> list[LawEnforcementRequest]:
        with self._transaction() as connection:
            rows = connection.execute(
                select(law_enforcement_requests).order_by(
                    law_enforcement_requests.c.received_at, law_enforcement_requests.c.request_id
                )
            ).all()
            steps = _steps(connection, [row.request_id for row in rows])
        return [_request(row, steps[row.request_id]) for row in rows]

    # ------------------------------------------------------------------ Art. 19

    def add_notifications(self, notifications: Sequence[RecipientNotification]) -> None:
        if not notifications:
            return
        with self._transaction(write=True) as connection:
            connection.execute(
                insert(recipient_notifications),
                [
                    {
                        "notification_id": n.notification_id,
                        "request_id": n.request_id,
                        "subject_ref": n.subject,
                        "change": n.change.value,
                        "recipient": n.recipient,
                        "party": n.party,
                        "contact": n.contact,
                        "channel": n.channel,
                        "status": n.status.value,
                        "reference": n.reference,
                        "disclosures": " ".join(n.disclosures),
                        "at": n.at,
                    }
                    for n in notifications
                ],
            )

    def notifications_of(self, subject: str) -> list[RecipientNotification]:
        with self._transaction() as connection:
            rows = connection.execute(
                select(recipient_notifications)
                .where(recipient_notifications.c.subject_ref == subject)
                .order_by(recipient_notifications.c.at, recipient_notifications.c.notification_id)
            ).all()
        return [
            RecipientNotification(
                notification_id=row.notification_id,
                request_id=row.request_id,
                subject=row.subject_ref,
                change=ChangeKind(row.change),
                recipient=row.recipient,
                party=row.party,
                contact=row.contact,
                channel=row.channel,
                status=NotificationStatus(row.status),
                reference=row.reference,
                disclosures=tuple(str(row.disclosures).split()),
                at=row.at,
            )
            for row in rows
        ]

    def _transaction(self, *, write: bool = False) -> AbstractContextManager[Connection]:
        return database_transaction(self.engine, "disclosure register", write=write)


def _agreement_values(agreement: Agreement) -> dict[str, Any]:
    return {
        "agreement_id": agreement.agreement_id,
        "recipient": agreement.recipient,
        "kind": agreement.kind.value,
        "party": agreement.party,
        "reference": agreement.reference,
        "valid_from": agreement.valid_from,
        "valid_until": agreement.valid_until,
        "countries": " ".join(agreement.countries),
        "safeguard": None if agreement.safeguard is None else agreement.safeguard.value,
        "contact": agreement.contact,
        "recorded_by": agreement.recorded_by,
        "recorded_at": agreement.recorded_at,
    }


def _agreement(row: Row[Any], **changed: Any) -> Agreement:
    values: dict[str, Any] = {
        "agreement_id": row.agreement_id,
        "recipient": row.recipient,
        "kind": AgreementKind(row.kind),
        "party": row.party,
        "reference": row.reference,
        "valid_from": row.valid_from,
        "valid_until": row.valid_until,
        "countries": tuple(str(row.countries).split()),
        "safeguard": None if row.safeguard is None else TransferSafeguard(row.safeguard),
        "contact": row.contact,
        "recorded_by": row.recorded_by,
        "recorded_at": row.recorded_at,
    }
    values.update(changed)
    return Agreement(**values)


def _disclosure_values(disclosure: Disclosure) -> dict[str, Any]:
    proposed = disclosure.proposed
    confidentiality = proposed.confidentiality
    override = proposed.override
    return {
        "disclosure_id": disclosure.disclosure_id,
        "kind": proposed.kind.value,
        "recipient": proposed.recipient,
        "party": proposed.party,
        "purpose": proposed.purpose,
        "categories": " ".join(proposed.categories),
        "country": proposed.country,
        "legal_ground": proposed.legal_ground,
        "reference": proposed.reference,
        "records": json.dumps(list(proposed.records)),
        "approved_by": proposed.approved_by,
        "disclosed_at": proposed.disclosed_at,
        "confidential_ground": None if confidentiality is None else confidentiality.ground,
        "confidential_until": None if confidentiality is None else confidentiality.until,
        "override_justification": None if override is None else override.justification,
        "override_by": None if override is None else override.by,
        "subjects": disclosure.subjects,
        "transfer": disclosure.transfer,
        "agreement_id": disclosure.agreement_id,
        "problems": json.dumps([list(problem) for problem in disclosure.problems]),
        "policy_id": disclosure.policy_id,
        "policy_version": disclosure.policy_version,
        "recorded_by": disclosure.recorded_by,
        "recorded_at": disclosure.recorded_at,
        "decision_id": disclosure.decision_id,
    }


def _disclosure(row: Row[Any]) -> Disclosure:
    confidentiality = (
        None
        if row.confidential_until is None
        else Confidentiality(ground=row.confidential_ground, until=row.confidential_until)
    )
    override = (
        None
        if row.override_justification is None
        else Override(justification=row.override_justification, by=row.override_by)
    )
    proposed = ProposedDisclosure(
        kind=DisclosureKind(row.kind),
        recipient=row.recipient,
        purpose=row.purpose,
        categories=tuple(str(row.categories).split()),
        disclosed_at=row.disclosed_at,
        approved_by=row.approved_by,
        party=row.party,
        country=row.country,
        legal_ground=row.legal_ground,
        reference=row.reference,
        records=tuple(json.loads(row.records)),
        confidentiality=confidentiality,
        override=override,
    )
    return Disclosure(
        disclosure_id=row.disclosure_id,
        proposed=proposed,
        subjects=int(row.subjects),
        transfer=row.transfer,
        agreement_id=row.agreement_id,
        problems=tuple((str(code), str(message)) for code, message in json.loads(row.problems)),
        policy_id=row.policy_id,
        policy_version=row.policy_version,
        recorded_by=row.recorded_by,
        recorded_at=row.recorded_at,
        decision_id=row.decision_id,
    )


def _request_values(request: LawEnforcementRequest) -> dict[str, Any]:
    confidentiality = request.confidentiality
    extraction = request.extraction
    return {
        "request_id": request.request_id,
        "recipient": request.recipient,
        "party": request.party,
        "reference": request.reference,
        "legal_ground": request.legal_ground,
        "purpose": request.purpose,
        "subscribers": json.dumps(list(request.subscribers)),
        "categories": " ".join(request.categories),
        "data_from": request.data_from,
        "data_until": request.data_until,
        "received_at": request.received_at,
        "stage": request.stage.value,
        "confidential_ground": None if confidentiality is None else confidentiality.ground,
        "confidential_until": None if confidentiality is None else confidentiality.until,
        "extraction": None
        if extraction is None
        else json.dumps(
            {
                "file": extraction.file,
                "sha256": extraction.sha256,
                "datasets": [[d.dataset, d.rows, d.beyond_retention] for d in extraction.datasets],
            }
        ),
        "delivery": request.delivery,
        "disclosure_id": request.disclosure_id,
    }


def _steps(connection: Connection, request_ids: list[str]) -> dict[str, list[LawEnforcementStep]]:
    found: dict[str, list[LawEnforcementStep]] = {request_id: [] for request_id in request_ids}
    if not request_ids:
        return found
    rows = connection.execute(
        select(law_enforcement_steps)
        .where(law_enforcement_steps.c.request_id.in_(request_ids))
        .order_by(law_enforcement_steps.c.request_id, law_enforcement_steps.c.step_no)
    )
    for row in rows:
        found[row.request_id].append(
            LawEnforcementStep(
                stage=LawEnforcementStage(row.stage),
                actor=row.actor,
                at=row.at,
                note=row.note,
                role=row.role,
            )
        )
    return found


def _request(row: Row[Any], steps: list[LawEnforcementStep]) -> LawEnforcementRequest:
    extraction = None
    if row.extraction is not None:
        stored = json.loads(row.extraction)
        extraction = Extraction(
            file=stored["file"],
            sha256=stored["sha256"],
            datasets=tuple(
                ExtractedDataset(dataset, rows, beyond)
                for dataset, rows, beyond in stored["datasets"]
            ),
        )
    return LawEnforcementRequest(
        request_id=row.request_id,
        recipient=row.recipient,
        party=row.party,
        reference=row.reference,
        legal_ground=row.legal_ground,
        purpose=row.purpose,
        subscribers=tuple(json.loads(row.subscribers)),
        categories=tuple(str(row.categories).split()),
        data_from=row.data_from,
        data_until=row.data_until,
        received_at=row.received_at,
        steps=tuple(steps),
        confidentiality=None
        if row.confidential_until is None
        else Confidentiality(ground=row.confidential_ground, until=row.confidential_until),
        extraction=extraction,
        delivery=row.delivery,
        disclosure_id=row.disclosure_id,
    )
