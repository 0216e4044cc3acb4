"""Is a disclosure what the policy allows? `check_disclosure` answers, with every reason.

The decision engine's own recipient rule (`placet.decide.recipient_reason`) says whether
the policy names the recipient for the purpose, the categories and the country; on top of
it the register's agreements say whether, on the day, the processor agreement or
joint-controller arrangement the GDPR requires is in force, and whether a transfer to a
third country rests on a safeguard in force. Each problem is a refusal (the disclosure is
not recorded unless a DPO overrides it with a justification) or a flag (it is recorded and
shown to the DPO). Pure: the caller passes the policy, the agreements and the proposal.

Imports nothing outside the standard library, `placet.policy` and `placet.decide`.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Final

from placet.decide import Use, recipient_reason
from placet.disclosures.model import DisclosureKind, ProposedDisclosure
from placet.disclosures.register import (
    Agreement,
    AgreementStatus,
    is_third_country,
    needed_agreement,
)
from placet.policy import LegalBasis, Policy, Recipient, RecipientKind, TransferSafeguard
from placet.policy.model import CategoryId, PurposeId, RecipientId

__all__ = ["FLAGS", "REFUSALS", "DisclosureCheck", "Problem", "TransferBasis", "check_disclosure"]


class Problem(StrEnum):
    UNKNOWN_RECIPIENT = "unknown-recipient"
    UNKNOWN_PURPOSE = "unknown-purpose"
    UNKNOWN_CATEGORY = "unknown-category"
    RECIPIENT_NOT_ALLOWED = "recipient-not-allowed"
    CATEGORY_NOT_COVERED = "category-not-covered"
    COUNTRY_NOT_ALLOWED = "country-not-allowed"
    TRANSFER_NOT_IN_POLICY = "transfer-not-in-policy"
    NO_SAFEGUARD = "no-safeguard"
    SAFEGUARD_EXPIRED = "safeguard-expired"
    NO_AGREEMENT = "no-agreement"
    AGREEMENT_EXPIRED = "agreement-expired"
    NOT_AN_AUTHORITY = "not-an-authority"
    NOT_A_DEBT_BUYER = "not-a-debt-buyer"
    NO_LEGAL_GROUND = "no-legal-ground"
    NO_REFERENCE = "no-reference"
    NOT_FOR_THE_CONTRACT = "not-for-the-contract"
    # flags: recorded, and shown to the DPO
    AGREEMENT_EXPIRING = "agreement-expiring"
    SAFEGUARD_EXPIRING = "safeguard-expiring"
    DEROGATION_NOT_IN_NOTICE = "derogation-not-in-notice"


FLAGS: Final = frozenset(
    {Problem.AGREEMENT_EXPIRING, Problem.SAFEGUARD_EXPIRING, Problem.DEROGATION_NOT_IN_NOTICE}
)
"""Problems that do not stop a disclosure: it is recorded and the DPO sees the flag."""
REFUSALS: Final = frozenset(Problem) - FLAGS


class TransferBasis(StrEnum):
    """What the data left the controller's country on: nothing, or a chapter V ground."""

    NONE = "none"
    """It stayed in the controller's country."""
    WITHIN_EEA = "within-eea"
    """From one EEA country to another: not a transfer."""
    ADEQUACY = "adequacy"
    STANDARD_CONTRACTUAL_CLAUSES = "standard-contractual-clauses"
    BINDING_CORPORATE_RULES = "binding-corporate-rules"
    DATA_PROCESSING_AGREEMENT = "data-processing-agreement"
    CONTRACT_PERFORMANCE_DEROGATION = "contract-performance-derogation"
    """Art. 49(1)(b): necessary to perform the subject's contract."""
    NOT_COVERED = "not-covered"
    """No ground: only on a DPO's override."""


@dataclass(frozen=True, slots=True)
class DisclosureCheck:
    """What `check_disclosure` found: problems as (code, message), the transfer ground, the
    agreement it rests on and the policy's clauses that decided it."""

    refusals: tuple[tuple[Problem, str], ...]
    flags: tuple[tuple[Problem, str], ...]
    transfer: TransferBasis
    agreement: Agreement | None
    party: str | None
    rules: tuple[str, ...] = field(default=())

    @property
    def allowed(self) -> bool:
        return not self.refusals

    @property
    def problems(self) -> tuple[tuple[str, str], ...]:
        return tuple((code.value, message) for code, message in (*self.refusals, *self.flags))


@dataclass(slots=True)
class _Found:
    problems: list[tuple[Problem, str]] = field(default_factory=list)
    rules: list[str] = field(default_factory=list)
    transfer: TransferBasis = TransferBasis.NONE
    agreement: Agreement | None = None

    def add(self, problem: Problem, message: str) -> None:
        self.problems.append((problem, message))


def check_disclosure(
    policy: Policy, agreements: Iterable[Agreement], proposed: ProposedDisclosure
) -> DisclosureCheck:
    """Every reason `policy` and the register's `agreements` give to refuse or flag it."""
    found = _Found()
    known = _known_elements(policy, proposed, found)
    if known:
        if proposed.kind is DisclosureKind.INHERENT_TRANSFER:
            _check_inherent(policy, proposed, found)
        else:
            assert proposed.recipient is not None  # ProposedDisclosure requires it
            recipient = policy.recipient(proposed.recipient)
            found.rules.append(f"recipients.{recipient.id}")
            _check_recipient(policy, recipient, proposed, found)
            held = [a for a in agreements if a.recipient == recipient.id and _of(a, proposed)]
            _check_agreement(recipient, held, proposed, found)
            _check_transfer(policy, recipient, held, proposed, found)
    agreement = found.agreement
    return DisclosureCheck(
        refusals=tuple((p, m) for p, m in found.problems if p in REFUSALS),
        flags=tuple((p, m) for p, m in found.problems if p in FLAGS),
        transfer=found.transfer,
        agreement=agreement,
        party=proposed.party or (agreement.party if agreement is not None else None),
        rules=tuple(dict.fromkeys(found.rules)),
    )


def _known_elements(policy: Policy, proposed: ProposedDisclosure, found: _Found) -> bool:
    recipients = {recipient.id for recipient in policy.recipients}
    if proposed.recipient is not None and proposed.recipient not in recipients:
        found.add(
            Problem.UNKNOWN_RECIPIENT,
            f"policy {policy.policy_id} {policy.version} names no recipient "
            f"'{proposed.recipient}' (it names {', '.join(sorted(recipients))})",
        )
    purposes = {purpose.id for purpose in policy.purposes}
    if proposed.purpose not in purposes:
        found.add(
            Problem.UNKNOWN_PURPOSE,
            f"the policy has no purpose '{proposed.purpose}' "
            f"(it has {', '.join(sorted(purposes))})",
        )
    categories = {category.id for category in policy.data_categories}
    unknown = [category for category in proposed.categories if category not in categories]
    if unknown:
        found.add(
            Problem.UNKNOWN_CATEGORY,
            f"the policy has no data categor{'y' if len(unknown) == 1 else 'ies'} "
            f"{', '.join(repr(c) for c in unknown)}",
        )
    return not found.problems


def _check_recipient(
    policy: Policy, recipient: Recipient, proposed: ProposedDisclosure, found: _Found
) -> None:
    purpose = policy.purpose(proposed.purpose)
    found.rules.append(f"purposes.{purpose.id}")
    use = Use(
        purpose=PurposeId(purpose.id),
        categories=tuple(CategoryId(category) for category in proposed.categories),
        recipient=RecipientId(recipient.id),
        country=proposed.country,
    )
    reason = recipient_reason(policy, purpose, use)
    if reason == "recipient-not-allowed":
        found.add(
            Problem.RECIPIENT_NOT_ALLOWED,
            f"recipient '{recipient.id}' receives {_listed('purposes', recipient.purposes)} "
            f"and {_listed('categories', recipient.categories)}, "
            f"not '{purpose.id}' with {', '.join(proposed.categories)}",
        )
    elif reason == "country-not-allowed":
        found.add(
            Problem.COUNTRY_NOT_ALLOWED,
            f"the policy names recipient '{recipient.id}' in "
            f"{recipient.country or 'no country'}, not {proposed.country}",
        )
    outside = [c for c in proposed.categories if purpose.categories and c not in purpose.categories]
    if outside:
        found.add(
            Problem.CATEGORY_NOT_COVERED,
            f"purpose '{purpose.id}' does not cover {', '.join(outside)}",
        )
    if proposed.kind is DisclosureKind.LAW_ENFORCEMENT:
        if recipient.kind is not RecipientKind.AUTHORITY:
            found.add(
                Problem.NOT_AN_AUTHORITY,
                f"recipient '{recipient.id}' is a {recipient.kind.value}, not an authority",
            )
        if not proposed.reference:
            found.add(
                Problem.NO_REFERENCE,
                "a law-enforcement disclosure gives the reference of the order or request "
                "(e.g. the court order's number)",
            )
    if recipient.kind is RecipientKind.AUTHORITY and not proposed.legal_ground:
        found.add(
            Problem.NO_LEGAL_GROUND,
            f"a disclosure to an authority names the legal provision that obliges it "
            f"(the policy's ground for '{recipient.id}' is only the general law)",
        )
    if proposed.kind is DisclosureKind.DEBT_ASSIGNMENT and recipient.kind is not (
        RecipientKind.DEBT_BUYER
    ):
        found.add(
            Problem.NOT_A_DEBT_BUYER,
            f"recipient '{recipient.id}' is a {recipient.kind.value}; claims are assigned "
            "to a recipient the policy names as a debt buyer",
        )


def _of(agreement: Agreement, proposed: ProposedDisclosure) -> bool:
    """Whether the agreement is with the party named (any party, if none is)."""
    return proposed.party is None or agreement.party.casefold() == proposed.party.casefold()


def _check_agreement(
    recipient: Recipient,
    held: Sequence[Agreement],
    proposed: ProposedDisclosure,
    found: _Found,
) -> None:
    needed = needed_agreement(recipient)
    if needed is None:
        fitting = [a for a in held if not a.is_safeguard and a.in_force(proposed.disclosed_at)]
        found.agreement = fitting[0] if fitting else None
        return
    article = "Art. 28(3)" if needed.value == "processor-agreement" else "Art. 26(1)"
    of_kind = [agreement for agreement in held if agreement.kind is needed]
    at = proposed.disclosed_at
    in_force = [agreement for agreement in of_kind if agreement.in_force(at)]
    party = f" with {proposed.party}" if proposed.party else ""
    if not in_force:
        ended = [a for a in of_kind if a.status(at) is AgreementStatus.EXPIRED]
        if ended:
            last = max(ended, key=lambda a: a.valid_until or a.valid_from)
            found.add(
                Problem.AGREEMENT_EXPIRED,
                f"the {needed.value} {last.agreement_id}{party} ended "
                f"{last.valid_until:%Y-%m-%d}; a {recipient.kind.value} receives data only "
                f"under one in force ({article})",
            )
        else:
            found.add(
                Problem.NO_AGREEMENT,
                f"no {needed.value}{party} for '{recipient.id}' is in force on "
                f"{at:%Y-%m-%d} ({article}); record it in the register first",
            )
        return
    found.agreement = in_force[0]
    if found.agreement.status(at) is AgreementStatus.EXPIRING:
        found.add(
            Problem.AGREEMENT_EXPIRING,
            f"the {needed.value} {found.agreement.agreement_id} ends "
            f"{found.agreement.valid_until:%Y-%m-%d}",
        )


def _check_transfer(
    policy: Policy,
    recipient: Recipient,
    held: Sequence[Agreement],
    proposed: ProposedDisclosure,
    found: _Found,
) -> None:
    country = proposed.country
    if country is None or country == policy.controller.country:
        found.transfer = TransferBasis.NONE
        return
    if not is_third_country(policy, country):
        found.transfer = TransferBasis.WITHIN_EEA
        return
    found.transfer = TransferBasis.NOT_COVERED
    transfers = policy.transfers
    if not recipient.third_country and not (transfers is not None and transfers.occurs):
        found.rules.append("transfers")
        found.add(
            Problem.TRANSFER_NOT_IN_POLICY,
            f"the policy tells subscribers of no transfer to a third country, and {country} "
            f"is one for a controller in {policy.controller.country}",
        )
        return
    found.rules.append("transfers")
    at = proposed.disclosed_at
    grounds = [a for a in held if a.is_safeguard and a.covers_country(country)]
    live = [a for a in grounds if a.in_force(at)]
    if not live:
        ended = [a for a in grounds if a.status(at) is AgreementStatus.EXPIRED]
        if ended:
            last = max(ended, key=lambda a: a.valid_until or a.valid_from)
            assert last.safeguard is not None
            found.add(
                Problem.SAFEGUARD_EXPIRED,
                f"the safeguard for {country} ({last.safeguard.value}, {last.agreement_id}) "
                f"ended {last.valid_until:%Y-%m-%d}",
            )
        else:
            found.add(
                Problem.NO_SAFEGUARD,
                f"no transfer safeguard for '{recipient.id}' in {country} is in force on "
                f"{at:%Y-%m-%d}; record one (adequacy, standard contractual clauses, …) first",
            )
        return
    ground = live[0]
    assert ground.safeguard is not None
    found.transfer = TransferBasis(ground.safeguard.value)
    if found.agreement is None:
        found.agreement = ground
    if ground.status(at) is AgreementStatus.EXPIRING:
        found.add(
            Problem.SAFEGUARD_EXPIRING,
            f"the safeguard {ground.agreement_id} for {country} ends {ground.valid_until:%Y-%m-%d}",
        )


def _check_inherent(policy: Policy, proposed: ProposedDisclosure, found: _Found) -> None:
    purpose = policy.purpose(proposed.purpose)
    found.rules.append(f"purposes.{purpose.id}")
    if purpose.legal_basis is not LegalBasis.CONTRACT:
        found.add(
            Problem.NOT_FOR_THE_CONTRACT,
            f"a transfer inherent to the service performs the contract; purpose "
            f"'{purpose.id}' rests on {purpose.legal_basis or 'no single basis'}",
        )
        return
    country = proposed.country
    if not is_third_country(policy, country):
        found.transfer = (
            TransferBasis.NONE
            if country in (None, policy.controller.country)
            else TransferBasis.WITHIN_EEA
        )
        return
    found.transfer = TransferBasis.CONTRACT_PERFORMANCE_DEROGATION
    transfers = policy.transfers
    found.rules.append("transfers")
    if transfers is None or (
        TransferSafeguard.CONTRACT_PERFORMANCE_DEROGATION not in transfers.safeguards
    ):
        found.add(
            Problem.DEROGATION_NOT_IN_NOTICE,
            "the transfer is lawful under Art. 49(1)(b), but the policy's notice does not "
            "tell subscribers of it: add it to the policy's transfers",
        )


def _listed(what: str, names: Sequence[str]) -> str:
    return f"any {what}" if not names else f"{what} {', '.join(names)}"
