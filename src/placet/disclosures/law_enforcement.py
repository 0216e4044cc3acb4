"""A law-enforcement request, step by step: received, its legal ground checked, approved by
a named role, the data extracted, delivered, and recorded as a disclosure.

Each step is a pure function that returns the request one step further, or raises
`DisclosureError` naming the step the request is at and the one it needs. The approval
takes four eyes: whoever approves is neither who received the request nor who checked its
ground. A request whose ground does not hold is refused at the check, and goes no further.

Imports nothing outside the standard library.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime
from enum import StrEnum
from typing import Final

from placet.disclosures.model import Confidentiality
from placet.errors import DisclosureError

__all__ = [
    "APPROVER_ROLES",
    "ExtractedDataset",
    "Extraction",
    "LawEnforcementRequest",
    "LawEnforcementStage",
    "LawEnforcementStep",
    "approve",
    "check_ground",
    "expect_step",
    "mark_delivered",
    "mark_extracted",
    "mark_recorded",
    "receive",
]


class LawEnforcementStage(StrEnum):
    RECEIVED = "received"
    GROUND_CHECKED = "ground-checked"
    APPROVED = "approved"
    EXTRACTED = "extracted"
    DELIVERED = "delivered"
    RECORDED = "recorded"
    REFUSED = "refused"
    """The legal ground did not hold: nothing is extracted."""


APPROVER_ROLES: Final = ("dpo", "legal-counsel")
"""The roles that may approve a law-enforcement request."""

_NEXT: Final = {
    LawEnforcementStage.RECEIVED: LawEnforcementStage.GROUND_CHECKED,
    LawEnforcementStage.GROUND_CHECKED: LawEnforcementStage.APPROVED,
    LawEnforcementStage.APPROVED: LawEnforcementStage.EXTRACTED,
    LawEnforcementStage.EXTRACTED: LawEnforcementStage.DELIVERED,
    LawEnforcementStage.DELIVERED: LawEnforcementStage.RECORDED,
}


@dataclass(frozen=True, slots=True)
class LawEnforcementStep:
    stage: LawEnforcementStage
    actor: str
    at: datetime
    note: str
    role: str | None = None


@dataclass(frozen=True, slots=True)
class ExtractedDataset:
    """What one dataset gave to the extraction, and what it held back."""

    dataset: str
    rows: int
    beyond_retention: int = 0
    """Rows older than the retention period of their data (traffic data past 12 months):
    still in the store, but not lawfully kept, so never handed over."""


@dataclass(frozen=True, slots=True)
class Extraction:
    file: str
    sha256: str
    datasets: tuple[ExtractedDataset, ...]

    @property
    def rows(self) -> int:
        return sum(dataset.rows for dataset in self.datasets)

    @property
    def beyond_retention(self) -> int:
        return sum(dataset.beyond_retention for dataset in self.datasets)


@dataclass(frozen=True, slots=True)
class LawEnforcementRequest:
    """A request from an authority for subscribers' data.

    `recipient` is the authority's id in the policy, `party` the requesting body, `reference`
    the order's number, `subscribers` whose data is asked, `categories` which data, and
    `data_from`/`data_until` the span of the records asked (their own time).
    """

    request_id: str
    recipient: str
    party: str
    reference: str
    legal_ground: str
    purpose: str
    subscribers: tuple[str, ...]
    categories: tuple[str, ...]
    data_from: datetime | None
    data_until: datetime | None
    received_at: datetime
    steps: tuple[LawEnforcementStep, ...]
    confidentiality: Confidentiality | None = None
    extraction: Extraction | None = None
    delivery: str | None = None
    disclosure_id: str | None = None

    @property
    def stage(self) -> LawEnforcementStage:
        return self.steps[-1].stage

    def step(self, stage: LawEnforcementStage) -> LawEnforcementStep | None:
        return next((step for step in self.steps if step.stage is stage), None)

    @property
    def approver(self) -> LawEnforcementStep | None:
        return self.step(LawEnforcementStage.APPROVED)


def receive(
    request_id: str,
    *,
    recipient: str,
    party: str,
    reference: str,
    legal_ground: str,
    purpose: str,
    subscribers: tuple[str, ...],
    categories: tuple[str, ...],
    actor: str,
    at: datetime,
    data_from: datetime | None = None,
    data_until: datetime | None = None,
    confidentiality: Confidentiality | None = None,
) -> LawEnforcementRequest:
    """A request as received, with what it asks; `DisclosureError` if something is missing."""
    missing = [
        name
        for name, value in (
            ("party", party),
            ("reference", reference),
            ("legal ground", legal_ground),
            ("actor", actor),
        )
        if not value.strip()
    ]
    if missing:
        raise DisclosureError(f"a law-enforcement request names its {', '.join(missing)}")
    if not subscribers:
        raise DisclosureError("a law-enforcement request names the subscribers it asks about")
    if not categories:
        raise DisclosureError("a law-enforcement request names the data categories it asks")
    if data_from is not None and data_until is not None and data_until <= data_from:
        raise DisclosureError("the span of data asked ends before it starts; swap the dates")
    if confidentiality is not None and confidentiality.until <= at:
        raise DisclosureError("the confidentiality flag ends after the request is received")
    return LawEnforcementRequest(
        request_id=request_id,
        recipient=recipient,
        party=party.strip(),
        reference=reference.strip(),
        legal_ground=legal_ground.strip(),
        purpose=purpose,
        subscribers=tuple(dict.fromkeys(subscribers)),
        categories=tuple(dict.fromkeys(categories)),
        data_from=data_from,
        data_until=data_until,
        received_at=at,
        steps=(LawEnforcementStep(LawEnforcementStage.RECEIVED, actor, at, "received"),),
        confidentiality=confidentiality,
    )


def check_ground(
    request: LawEnforcementRequest, *, holds: bool, note: str, actor: str, at: datetime
) -> LawEnforcementRequest:
    """Record whether the legal ground holds (`note` says why); refused if it does not."""
    expect_step(request, LawEnforcementStage.GROUND_CHECKED, at)
    _noted(note, "the ground check")
    stage = LawEnforcementStage.GROUND_CHECKED if holds else LawEnforcementStage.REFUSED
    return _with(request, LawEnforcementStep(stage, actor, at, note))


def approve(
    request: LawEnforcementRequest, *, role: str, note: str, actor: str, at: datetime
) -> LawEnforcementRequest:
    """A named role approves the disclosure; never who received it or checked its ground."""
    expect_step(request, LawEnforcementStage.APPROVED, at)
    if role not in APPROVER_ROLES:
        raise DisclosureError(
            f"a law-enforcement request is approved by a {' or a '.join(APPROVER_ROLES)}, "
            f"not a '{role}'"
        )
    earlier = {step.actor for step in request.steps}
    if actor in earlier:
        raise DisclosureError(
            f"{actor} received or checked request {request.request_id}; another person "
            "approves it (four eyes)"
        )
    _noted(note, "the approval")
    return _with(request, LawEnforcementStep(LawEnforcementStage.APPROVED, actor, at, note, role))


def mark_extracted(
    request: LawEnforcementRequest, extraction: Extraction, *, actor: str, at: datetime
) -> LawEnforcementRequest:
    expect_step(request, LawEnforcementStage.EXTRACTED, at)
    note = f"{extraction.rows} rows extracted"
    if extraction.beyond_retention:
        note += f"; {extraction.beyond_retention} rows past their retention held back"
    step = LawEnforcementStep(LawEnforcementStage.EXTRACTED, actor, at, note)
    return replace(_with(request, step), extraction=extraction)


def mark_delivered(
    request: LawEnforcementRequest, *, how: str, actor: str, at: datetime
) -> LawEnforcementRequest:
    """Record how the extraction reached the authority (`how`: channel and receiver)."""
    expect_step(request, LawEnforcementStage.DELIVERED, at)
    _noted(how, "the delivery")
    step = LawEnforcementStep(LawEnforcementStage.DELIVERED, actor, at, how)
    return replace(_with(request, step), delivery=how)


def mark_recorded(
    request: LawEnforcementRequest, disclosure_id: str, *, actor: str, at: datetime
) -> LawEnforcementRequest:
    expect_step(request, LawEnforcementStage.RECORDED, at)
    step = LawEnforcementStep(
        LawEnforcementStage.RECORDED, actor, at, f"recorded as disclosure {disclosure_id}"
    )
    return replace(_with(request, step), disclosure_id=disclosure_id)


def expect_step(request: LawEnforcementRequest, wanted: LawEnforcementStage, at: datetime) -> None:
    """Raise `DisclosureError` unless `wanted` is the request's next step and `at` is not
    before its last: what each step checks first, and what a caller checks before work
    that the step would then record (an extraction)."""
    stage = request.stage
    if _NEXT.get(stage) is not wanted:
        if stage is LawEnforcementStage.REFUSED:
            raise DisclosureError(
                f"law-enforcement request {request.request_id} was refused at its ground "
                "check; nothing more is done with it"
            )
        after = _NEXT.get(stage)
        raise DisclosureError(
            f"law-enforcement request {request.request_id} is {stage.value}; "
            + (f"it is {after.value} next, not {wanted.value}" if after else "it is complete")
        )
    if at < request.steps[-1].at:
        raise DisclosureError(
            f"the step is dated {at:%Y-%m-%d %H:%M}, before the request's last step "
            f"({request.steps[-1].at:%Y-%m-%d %H:%M})"
        )


def _noted(note: str, what: str) -> None:
    if not note.strip():
        raise DisclosureError(f"{what} says why, in a note")


def _with(request: LawEnforcementRequest, step: LawEnforcementStep) -> LawEnforcementRequest:
    return replace(request, steps=(*request.steps, step))
