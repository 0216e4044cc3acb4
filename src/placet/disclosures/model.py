"""A disclosure: a subject's data given to a recipient outside the controller, as recorded.

Four kinds are recorded (`DisclosureKind`): an ordinary disclosure (to a processor, a
joint or independent controller, a directory), one to a law-enforcement authority (with
the reference of its order, and possibly a confidentiality flag that keeps it out of the
subject's access answer until a date), a debt assignment (the buyer and the records
assigned) and a transfer inherent to the service (roaming, calls to a third-country
network: GDPR Art. 49(1)(b)). `ProposedDisclosure` is what is asked to be recorded;
`Disclosure` is what the register holds once `check_disclosure` allowed it, or a DPO
overrode its refusal with a justification.

Imports nothing outside the standard library and `placet.policy`.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from placet.errors import DisclosureError

__all__ = [
    "Confidentiality",
    "Disclosure",
    "DisclosureKind",
    "Override",
    "ProposedDisclosure",
]

_MAX_TEXT = 2000


class DisclosureKind(StrEnum):
    DISCLOSURE = "disclosure"
    """To a processor, a joint or independent controller, a directory, an authority."""
    LAW_ENFORCEMENT = "law-enforcement"
    """To a law-enforcement authority, on a legal ground and an order's reference."""
    DEBT_ASSIGNMENT = "debt-assignment"
    """Claims assigned to a buyer, with the records of them."""
    INHERENT_TRANSFER = "inherent-transfer"
    """Roaming abroad, calls and messages to a third-country network: Art. 49(1)(b)."""


@dataclass(frozen=True, slots=True)
class Confidentiality:
    """The law forbids telling the subject of the disclosure until `until` (an order of
    secrecy in a criminal investigation): the access answer leaves it out until then."""

    ground: str
    until: datetime

    def hides(self, at: datetime) -> bool:
        return at < self.until


@dataclass(frozen=True, slots=True)
class Override:
    """A DPO recorded a disclosure the policy refused, with why."""

    justification: str
    by: str


@dataclass(frozen=True, slots=True)
class ProposedDisclosure:
    """A disclosure as asked to be recorded.

    `recipient` is the id of a recipient the policy names (None only for a transfer
    inherent to the service, whose `party` is the foreign network). `party` is the actual
    company or body ("Raiffeisen Bank Kosovo", "Kosovo Police, Directorate of Cybercrime"),
    `country` where the data goes (ISO 3166; None: the controller's own country), `records`
    what was handed over when it is not whole categories (a debt assignment's invoices).
    """

    kind: DisclosureKind
    recipient: str | None
    purpose: str
    categories: tuple[str, ...]
    disclosed_at: datetime
    approved_by: str
    party: str | None = None
    country: str | None = None
    legal_ground: str | None = None
    reference: str | None = None
    records: tuple[str, ...] = ()
    confidentiality: Confidentiality | None = None
    override: Override | None = None

    def __post_init__(self) -> None:
        if self.disclosed_at.tzinfo is None:
            raise DisclosureError("the disclosure's instant has no time zone; give one (UTC)")
        if not self.categories:
            raise DisclosureError("a disclosure names at least one data category")
        if not self.approved_by.strip():
            raise DisclosureError("a disclosure names who approved it (approved_by)")
        if self.kind is DisclosureKind.INHERENT_TRANSFER:
            if not self.party:
                raise DisclosureError(
                    "a transfer inherent to the service names the network it went to (party)"
                )
        elif self.recipient is None:
            raise DisclosureError(
                f"a {self.kind.value} names the recipient, by the id the policy gives it"
            )
        if self.kind is DisclosureKind.DEBT_ASSIGNMENT and not (self.party and self.records):
            raise DisclosureError(
                "a debt assignment names the buyer (party) and the records assigned (records)"
            )
        if self.country is not None and not (
            len(self.country) == 2 and self.country.isalpha() and self.country.isupper()
        ):
            raise DisclosureError(
                f"'{self.country}' is not an ISO 3166 country code; give two capital "
                "letters such as DE, US or XK"
            )
        confidentiality = self.confidentiality
        if confidentiality is not None:
            if self.kind is not DisclosureKind.LAW_ENFORCEMENT:
                raise DisclosureError(
                    "only a law-enforcement disclosure is kept from the subject "
                    "(confidentiality); record this one without it"
                )
            if not confidentiality.ground.strip():
                raise DisclosureError("a confidentiality flag names the law that imposes it")
            if confidentiality.until <= self.disclosed_at:
                raise DisclosureError(
                    "a confidentiality flag ends after the disclosure; give its end date"
                )
        if self.override is not None and not self.override.justification.strip():
            raise DisclosureError("an override gives the DPO's justification")
        for name in ("legal_ground", "reference", "party"):
            value = getattr(self, name)
            if value is not None and len(value) > _MAX_TEXT:
                raise DisclosureError(f"{name} is longer than {_MAX_TEXT} characters")


@dataclass(frozen=True, slots=True)
class Disclosure:
    """A disclosure as the register holds it.

    `transfer` is the chapter V ground it left the country on (`none` when it did not
    leave, `within-eea`, a `TransferSafeguard` value), `agreement_id` the agreement it
    rested on, `problems` every refusal a DPO overrode and every flag, as (code, message).
    `subjects` counts the subjects whose data it holds; `decision_id` is its record in the
    ledger's chain of decisions.
    """

    disclosure_id: str
    proposed: ProposedDisclosure
    subjects: int
    transfer: str
    agreement_id: str | None
    problems: tuple[tuple[str, str], ...]
    policy_id: str
    policy_version: str
    recorded_by: str
    recorded_at: datetime
    decision_id: str | None = None

    @property
    def kind(self) -> DisclosureKind:
        return self.proposed.kind

    @property
    def recipient(self) -> str | None:
        return self.proposed.recipient

    @property
    def overridden(self) -> bool:
        return self.proposed.override is not None

    def hidden_from_subject(self, at: datetime) -> bool:
        """Whether the subject's access answer leaves it out at `at` (confidentiality)."""
        confidentiality = self.proposed.confidentiality
        return confidentiality is not None and confidentiality.hides(at)
