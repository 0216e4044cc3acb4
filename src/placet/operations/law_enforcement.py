"""A law-enforcement request carried through the register: received, its legal ground
checked, approved by a named role, the data extracted from the estate, delivered, and
recorded as a disclosure (with its confidentiality flag, if the law forbids telling the
subject).

The extraction reads each subscriber's rows with `find_subject_data` (another party's
number masked, as in an access answer), keeps the columns of the categories the order asks
and the rows of the span it asks, and never hands over a row whose retention period is
over: traffic data older than its period (twelve months for IPKO's) may still sit in a
store until the next retention run, but it is no longer lawfully kept, so it is counted
and held back. The extraction is one zip (a CSV per dataset and a manifest), whose SHA-256
is recorded with the request and the disclosure.
"""

from __future__ import annotations

import hashlib
import io
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from itertools import chain
from pathlib import Path
from typing import Final

import orjson
import polars as pl
import pyarrow as pa

from placet.datamap import Dataset
from placet.disclosures import (
    Confidentiality,
    DisclosureBook,
    DisclosureKind,
    ExtractedDataset,
    Extraction,
    LawEnforcementRequest,
    LawEnforcementStage,
    ProposedDisclosure,
    approve,
    check_ground,
    expect_step,
    mark_delivered,
    mark_extracted,
    mark_recorded,
    receive,
)
from placet.errors import DisclosureError
from placet.ledger import ConsentLog, PseudonymKey
from placet.operations.disclosures import (
    RecordedDisclosure,
    new_id,
    record_disclosure,
    subject_refs,
)
from placet.operations.estate_rows import as_utc
from placet.operations.retention_plans import EstateStores
from placet.operations.subject_data import SubjectRows, find_subject_data
from placet.policy import Policy, PolicySet, Recipient, RecipientKind
from placet.retention.spans import retention_shape
from placet.stores.export import ExportFormat, write_batches

__all__ = [
    "approve_request",
    "check_request_ground",
    "deliver_request",
    "extract_request",
    "load_request",
    "receive_request",
    "record_request",
]

REQUEST_PREFIX: Final = "LE"
EXTRACTION_FORMAT: Final = "placet-law-enforcement-extraction/1"


def receive_request(
    book: DisclosureBook,
    policies: PolicySet,
    *,
    recipient: str,
    party: str,
    reference: str,
    legal_ground: str,
    subscribers: tuple[str, ...],
    categories: tuple[str, ...],
    actor: str,
    at: datetime,
    purpose: str | None = None,
    data_from: datetime | None = None,
    data_until: datetime | None = None,
    confidentiality: Confidentiality | None = None,
    request_id: str | None = None,
) -> LawEnforcementRequest:
    """Record a request received from an authority the policy names. `purpose` defaults to
    the authority's purpose in the policy (IPKO's `law-enforcement-disclosure`)."""
    policy = policies.in_force(at)
    authority = _authority(policy, recipient)
    if purpose is None:
        if not authority.purposes:
            raise DisclosureError(
                f"the policy names no purpose for '{recipient}'; give the purpose"
            )
        purpose = authority.purposes[0]
    known = {category.id for category in policy.data_categories}
    unknown = [category for category in categories if category not in known]
    if unknown:
        raise DisclosureError(
            f"the policy has no data category {', '.join(unknown)}; the request names "
            f"categories the policy declares ({', '.join(sorted(known))})"
        )
    if request_id is not None and book.request(request_id) is not None:
        raise DisclosureError(f"a law-enforcement request {request_id} exists already")
    request = receive(
        request_id or new_id(REQUEST_PREFIX, at),
        recipient=recipient,
        party=party,
        reference=reference,
        legal_ground=legal_ground,
        purpose=purpose,
        subscribers=subscribers,
        categories=categories,
        actor=actor,
        at=at,
        data_from=data_from,
        data_until=data_until,
        confidentiality=confidentiality,
    )
    book.save_request(request)
    return request


def load_request(book: DisclosureBook, request_id: str) -> LawEnforcementRequest:
    request = book.request(request_id)
    if request is None:
        known = [request.request_id for request in book.requests()]
        raise DisclosureError(
            f"no law-enforcement request {request_id}"
            + (f" (the register has {', '.join(known[-5:])})" if known else "")
        )
    return request


def check_request_ground(
    book: DisclosureBook, request_id: str, *, holds: bool, note: str, actor: str, at: datetime
) -> LawEnforcementRequest:
    request = check_ground(
        load_request(book, request_id), holds=holds, note=note, actor=actor, at=at
    )
    book.save_request(request)
    return request


def approve_request(
    book: DisclosureBook, request_id: str, *, role: str, note: str, actor: str, at: datetime
) -> LawEnforcementRequest:
    request = approve(load_request(book, request_id), role=role, note=note, actor=actor, at=at)
    book.save_request(request)
    return request


def deliver_request(
    book: DisclosureBook, request_id: str, *, how: str, actor: str, at: datetime
) -> LawEnforcementRequest:
    request = mark_delivered(load_request(book, request_id), how=how, actor=actor, at=at)
    book.save_request(request)
    return request


@dataclass(frozen=True, slots=True)
class Extracted:
    request: LawEnforcementRequest
    file: Path


def extract_request(
    book: DisclosureBook,
    estate: EstateStores,
    policies: PolicySet,
    request_id: str,
    folder: Path,
    *,
    actor: str,
    at: datetime,
) -> Extracted:
    """Extract the approved request's data into `folder`/<request id>/extraction.zip."""
    request = load_request(book, request_id)
    expect_step(request, LawEnforcementStage.EXTRACTED, at)
    policy = policies.in_force(at)
    target = folder / request.request_id
    target.mkdir(parents=True, exist_ok=True, mode=0o700)
    path = target / "extraction.zip"
    buffer = io.BytesIO()
    counted: dict[str, ExtractedDataset] = {}
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for subscriber in request.subscribers:
            for rows in find_subject_data(estate, policy, subscriber).found:
                columns = _asked_columns(rows.dataset, request.categories)
                if not columns:
                    continue
                written, beyond = _write_rows(
                    archive,
                    rows,
                    columns,
                    request=request,
                    policy=policy,
                    subscriber=subscriber,
                    at=at,
                )
                earlier = counted.get(rows.name, ExtractedDataset(rows.name, 0, 0))
                counted[rows.name] = ExtractedDataset(
                    rows.name, earlier.rows + written, earlier.beyond_retention + beyond
                )
        datasets = tuple(counted[name] for name in sorted(counted))
        archive.writestr(
            "manifest.json",
            orjson.dumps(
                {
                    "format": EXTRACTION_FORMAT,
                    "request": request.request_id,
                    "reference": request.reference,
                    "authority": request.party,
                    "legal_ground": request.legal_ground,
                    "categories": list(request.categories),
                    "data_from": request.data_from,
                    "data_until": request.data_until,
                    "extracted_at": at,
                    "datasets": [
                        {
                            "dataset": d.dataset,
                            "rows": d.rows,
                            "held_back_past_retention": d.beyond_retention,
                        }
                        for d in datasets
                    ],
                },
                option=orjson.OPT_INDENT_2 | orjson.OPT_UTC_Z,
            ),
        )
    data = buffer.getvalue()
    staging = path.with_suffix(".partial")
    staging.write_bytes(data)
    staging.replace(path)
    extraction = Extraction(str(path), hashlib.sha256(data).hexdigest(), datasets)
    request = mark_extracted(request, extraction, actor=actor, at=at)
    book.save_request(request)
    return Extracted(request, path)


def record_request(
    book: DisclosureBook,
    ledger: ConsentLog,
    policies: PolicySet,
    key: PseudonymKey,
    request_id: str,
    *,
    actor: str,
    at: datetime,
) -> tuple[LawEnforcementRequest, RecordedDisclosure]:
    """Record the delivered request as a disclosure of its subscribers' data."""
    request = load_request(book, request_id)
    expect_step(request, LawEnforcementStage.RECORDED, at)
    approval = request.approver
    delivery = request.step(LawEnforcementStage.DELIVERED)
    assert approval is not None  # a delivered request was approved
    assert delivery is not None
    recorded = record_disclosure(
        book,
        ledger,
        policies,
        ProposedDisclosure(
            kind=DisclosureKind.LAW_ENFORCEMENT,
            recipient=request.recipient,
            purpose=request.purpose,
            categories=request.categories,
            disclosed_at=delivery.at,
            approved_by=f"{approval.actor} ({approval.role})",
            party=request.party,
            legal_ground=request.legal_ground,
            reference=request.reference,
            records=()
            if request.extraction is None
            else (f"{request.extraction.file} sha256:{request.extraction.sha256}",),
            confidentiality=request.confidentiality,
        ),
        subject_refs(request.subscribers, key),
        recorded_by=actor,
        at=at,
    )
    request = mark_recorded(request, recorded.disclosure.disclosure_id, actor=actor, at=at)
    book.save_request(request)
    return request, recorded


def _authority(policy: Policy, recipient_id: str) -> Recipient:
    names = {recipient.id: recipient for recipient in policy.recipients}
    recipient = names.get(recipient_id)
    authorities = sorted(r.id for r in names.values() if r.kind is RecipientKind.AUTHORITY)
    if recipient is None or recipient.kind is not RecipientKind.AUTHORITY:
        raise DisclosureError(
            f"'{recipient_id}' is not an authority policy {policy.policy_id} names; a "
            f"law-enforcement request comes from one of {', '.join(authorities)}"
        )
    return recipient


def _asked_columns(dataset: Dataset, categories: tuple[str, ...]) -> list[str]:
    asked = set(categories)
    return [name for name, column in dataset.columns.items() if column.category in asked]


def retention_cutoff(policy: Policy, dataset: Dataset, at: datetime) -> datetime | None:
    """Rows of `dataset` made before this instant are past their retention period at `at`,
    whatever their subject's facts: the time prefix a retention run deletes or anonymises
    (`placet.retention.spans.retention_shape`); None: no such prefix."""
    prefix = retention_shape(policy, dataset.record_type, dataset.categories, at).prefix
    return None if prefix is None else prefix.before


def _write_rows(
    archive: zipfile.ZipFile,
    rows: SubjectRows,
    columns: list[str],
    *,
    request: LawEnforcementRequest,
    policy: Policy,
    subscriber: str,
    at: datetime,
) -> tuple[int, int]:
    """Write the subscriber's rows of the asked columns and span, within retention, as one
    CSV of the archive, a batch at a time; returns the rows written and held back."""
    time_column = rows.dataset.time_column
    shown = [name for name in rows.columns if name in columns or name == time_column]
    cutoff = retention_cutoff(policy, rows.dataset, at) if time_column else None
    held_back = [0]

    def kept() -> Iterator[pa.RecordBatch]:
        for batch in rows.batches():
            frame = pl.from_arrow(batch.select(shown))
            assert isinstance(frame, pl.DataFrame)
            if time_column is not None:
                when = as_utc(frame, time_column)
                if request.data_from is not None:
                    frame = frame.filter(when >= request.data_from)
                if request.data_until is not None:
                    frame = frame.filter(when < request.data_until)
                if cutoff is not None:
                    held_back[0] += frame.filter(when < cutoff).height
                    frame = frame.filter(when >= cutoff)
            if frame.height:
                yield from frame.to_arrow().to_batches()

    batches = kept()
    first = next(batches, None)
    if first is None:
        return 0, held_back[0]
    name = f"data/{rows.name}/{_safe(subscriber)}.csv"
    with archive.open(name, "w") as sink:
        written = sum(write_batches(sink, chain([first], batches), ExportFormat.CSV))
    return written, held_back[0]


def _safe(text: str) -> str:
    return "".join(char if char.isalnum() or char in "+-_" else "_" for char in text)
