"""The register of recipients: the policy names them, the register tracks their agreements.

A recipient of the policy (`placet.policy.Recipient`) is a role or a category ("contractors",
"claim-assignees", "Enreach"). What makes a disclosure to it lawful on a given day is
operational fact that the policy does not hold: the processor agreement (GDPR Art. 28(3))
or joint-controller arrangement (Art. 26) signed with the actual party, the countries the
party processes in, and the chapter V safeguard a transfer to a third country rests on
(an adequacy decision, standard contractual clauses, …), each valid between two dates.
An `Agreement` records one of those; `recipient_register` lays the policy's recipients
beside their agreements as of an instant and flags what needs the DPO: an expired or
soon-expiring agreement or safeguard, and a processor or joint controller with none.

Imports nothing outside the standard library and `placet.policy`.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Final

from placet.errors import DisclosureError
from placet.policy import Policy, Recipient, RecipientKind, TransferSafeguard

__all__ = [
    "EEA",
    "EXPIRY_WARNING",
    "Agreement",
    "AgreementKind",
    "AgreementStatus",
    "RecipientEntry",
    "RegisterFlag",
    "is_third_country",
    "needed_agreement",
    "recipient_register",
]

EEA: Final = frozenset({
    "AT", "BE", "BG", "HR", "CY", "CZ", "DK", "EE", "FI", "FR",
    "DE", "GR", "HU", "IE", "IT", "LV", "LT", "LU", "MT", "NL",
    "PL", "PT", "RO", "SK", "SI", "ES", "SE", "IS", "LI", "NO",
})  # fmt: skip
"""The EU's 27 member states and Iceland, Liechtenstein and Norway: within them the GDPR
applies alike, so data sent from one to another is not a transfer (chapter V)."""

EXPIRY_WARNING: Final = timedelta(days=30)
"""How long before an agreement ends the register warns the DPO of it."""


class AgreementKind(StrEnum):
    """What an agreement with a recipient is."""

    PROCESSOR_AGREEMENT = "processor-agreement"
    """A data processing agreement (GDPR Art. 28(3))."""
    JOINT_CONTROLLER_ARRANGEMENT = "joint-controller-arrangement"
    """The arrangement between joint controllers (Art. 26(1))."""
    DATA_SHARING_AGREEMENT = "data-sharing-agreement"
    """A contract with an independent controller the data is shared with."""
    ASSIGNMENT_CONTRACT = "assignment-contract"
    """A contract assigning claims (debts) to a buyer."""
    TRANSFER_SAFEGUARD = "transfer-safeguard"
    """A chapter V safeguard on its own (an adequacy decision, approved clauses)."""


class AgreementStatus(StrEnum):
    IN_FORCE = "in-force"
    EXPIRING = "expiring"
    """In force, but it ends within `EXPIRY_WARNING`."""
    EXPIRED = "expired"
    NOT_YET = "not-yet"
    """Signed, but it starts later."""


class RegisterFlag(StrEnum):
    """What the register asks the DPO to look at."""

    AGREEMENT_EXPIRED = "agreement-expired"
    AGREEMENT_EXPIRING = "agreement-expiring"
    SAFEGUARD_EXPIRED = "safeguard-expired"
    """A transfer safeguard has lapsed: transfers resting on it must stop."""
    SAFEGUARD_EXPIRING = "safeguard-expiring"
    NO_AGREEMENT = "no-agreement"
    """A processor or joint controller has no agreement in force (Art. 28(3), 26(1))."""
    NO_SAFEGUARD = "no-safeguard"
    """The policy names the recipient as in a third country and no safeguard is in force."""


@dataclass(frozen=True, slots=True)
class Agreement:
    """An agreement with (a party of) a recipient the policy names, valid between two dates.

    `party` is the actual company ("Enreach A/S"); `countries` are where it processes the
    data (ISO 3166 codes); `safeguard` the chapter V ground a transfer to a third country
    among them rests on; `contact` the address recipients are notified at (GDPR Art. 19).
    """

    agreement_id: str
    recipient: str
    kind: AgreementKind
    party: str
    reference: str
    valid_from: datetime
    valid_until: datetime | None = None
    """None: until ended."""
    countries: tuple[str, ...] = ()
    safeguard: TransferSafeguard | None = None
    contact: str | None = None
    recorded_by: str = ""
    recorded_at: datetime | None = None

    def __post_init__(self) -> None:
        if self.valid_until is not None and self.valid_until <= self.valid_from:
            raise DisclosureError(
                f"agreement {self.agreement_id}: it ends ({self.valid_until:%Y-%m-%d}) "
                f"before it starts ({self.valid_from:%Y-%m-%d}); give an end after the start"
            )
        for country in self.countries:
            if len(country) != 2 or not country.isupper() or not country.isalpha():
                raise DisclosureError(
                    f"agreement {self.agreement_id}: '{country}' is not an ISO 3166 country "
                    "code; give two capital letters such as DE, US or XK"
                )

    def status(self, at: datetime) -> AgreementStatus:
        if at < self.valid_from:
            return AgreementStatus.NOT_YET
        if self.valid_until is None:
            return AgreementStatus.IN_FORCE
        if at >= self.valid_until:
            return AgreementStatus.EXPIRED
        if self.valid_until - at <= EXPIRY_WARNING:
            return AgreementStatus.EXPIRING
        return AgreementStatus.IN_FORCE

    def in_force(self, at: datetime) -> bool:
        return self.status(at) in {AgreementStatus.IN_FORCE, AgreementStatus.EXPIRING}

    @property
    def is_safeguard(self) -> bool:
        """Whether it carries a chapter V safeguard (not none, not the Art. 49 derogation)."""
        return self.safeguard not in _NOT_SAFEGUARDS

    def covers_country(self, country: str) -> bool:
        """Whether it names `country` among where the party processes (none named: any)."""
        return not self.countries or country in self.countries


_NOT_SAFEGUARDS: Final = frozenset(
    {None, TransferSafeguard.NONE, TransferSafeguard.CONTRACT_PERFORMANCE_DEROGATION}
)


def needed_agreement(recipient: Recipient) -> AgreementKind | None:
    """The agreement the GDPR requires before data goes to `recipient`, if any: a processor
    agreement for a processor (Art. 28(3)), an arrangement for a joint controller (Art. 26)."""
    if recipient.kind is RecipientKind.PROCESSOR:
        return AgreementKind.PROCESSOR_AGREEMENT
    if recipient.kind is RecipientKind.JOINT_CONTROLLER:
        return AgreementKind.JOINT_CONTROLLER_ARRANGEMENT
    return None


def is_third_country(policy: Policy, country: str | None) -> bool:
    """Whether data sent to `country` leaves for a third country (GDPR chapter V).

    For a controller in the EEA a third country is one outside the EEA. For a controller
    outside it (IPKO, in Kosovo) every other country is: no adequacy is presumed, the
    protective reading, so a transfer to the EU needs an agreement recorded as its ground.
    """
    home = policy.controller.country
    if country is None or country == home:
        return False
    return not (home in EEA and country in EEA)


@dataclass(frozen=True, slots=True)
class RecipientEntry:
    """A recipient of the policy with its agreements and what the DPO should look at."""

    recipient: Recipient
    agreements: tuple[Agreement, ...]
    flags: tuple[tuple[RegisterFlag, str], ...]
    """Each flag with what it is about ("DPA-2024-07 ended 2026-03-31")."""

    def in_force(self, at: datetime) -> tuple[Agreement, ...]:
        return tuple(agreement for agreement in self.agreements if agreement.in_force(at))


def recipient_register(
    policy: Policy, agreements: Iterable[Agreement], at: datetime
) -> tuple[RecipientEntry, ...]:
    """Every recipient `policy` names, with its agreements and flags as of `at`.

    An agreement naming a recipient the policy does not (any more) name raises
    `DisclosureError`: the register and the policy must tell the same story.
    """
    by_recipient: dict[str, list[Agreement]] = {r.id: [] for r in policy.recipients}
    for agreement in agreements:
        if agreement.recipient not in by_recipient:
            raise DisclosureError(
                f"agreement {agreement.agreement_id} names recipient '{agreement.recipient}', "
                f"which policy {policy.policy_id} {policy.version} does not name "
                f"(it names {', '.join(sorted(by_recipient))})"
            )
        by_recipient[agreement.recipient].append(agreement)
    return tuple(
        RecipientEntry(
            recipient=recipient,
            agreements=tuple(by_recipient[recipient.id]),
            flags=_flags(recipient, by_recipient[recipient.id], at),
        )
        for recipient in policy.recipients
    )


def _flags(
    recipient: Recipient, agreements: Sequence[Agreement], at: datetime
) -> tuple[tuple[RegisterFlag, str], ...]:
    flags: list[tuple[RegisterFlag, str]] = []
    for agreement in agreements:
        status = agreement.status(at)
        if status not in {AgreementStatus.EXPIRED, AgreementStatus.EXPIRING}:
            continue
        safeguard = agreement.is_safeguard
        if status is AgreementStatus.EXPIRED:
            flag = RegisterFlag.SAFEGUARD_EXPIRED if safeguard else RegisterFlag.AGREEMENT_EXPIRED
            verb = "ended"
        else:
            flag = RegisterFlag.SAFEGUARD_EXPIRING if safeguard else RegisterFlag.AGREEMENT_EXPIRING
            verb = "ends"
        assert agreement.valid_until is not None  # expired and expiring agreements end
        flags.append((flag, f"{agreement.agreement_id} ({agreement.party}) {verb} "
                      f"{agreement.valid_until:%Y-%m-%d}"))  # fmt: skip
    needed = needed_agreement(recipient)
    if needed is not None and not any(
        agreement.kind is needed and agreement.in_force(at) for agreement in agreements
    ):
        flags.append((RegisterFlag.NO_AGREEMENT, f"no {needed.value} in force"))
    if recipient.third_country and not any(
        agreement.is_safeguard and agreement.in_force(at) for agreement in agreements
    ):
        flags.append((RegisterFlag.NO_SAFEGUARD, "no transfer safeguard in force"))
    return tuple(flags)
