"""The Kantara Initiative Consent Receipt v1.1 rendering of a receipt (KI-CR-v1.1.0).

Every field the specification requires is set from the receipt. Free-text fields Placet
composes (`collectionMethod`, `termination`) are in English; the names come from the
policy in the receipt's language.
Imports nothing outside the standard library, pydantic, `placet.policy` and `placet.ledger`.
"""

from __future__ import annotations

from typing import Any, Final, Literal

from pydantic import BaseModel, ConfigDict, Field
from pydantic.alias_generators import to_camel

from placet.errors import ReceiptError
from placet.ledger.canonical import format_instant
from placet.ledger.receipts.record import ConsentStatus, Receipt, ReceiptPurpose
from placet.policy.terms import CategoryFlag, RecipientKind

__all__ = [
    "KANTARA_VERSION",
    "KantaraAddress",
    "KantaraController",
    "KantaraPurpose",
    "KantaraReceipt",
    "KantaraService",
    "render_kantara",
]

KANTARA_VERSION: Final = "KI-CR-v1.1.0"
"""The value Kantara Consent Receipt v1.1 requires in `version`."""


class _Kantara(BaseModel):
    model_config = ConfigDict(
        extra="forbid", frozen=True, alias_generator=to_camel, populate_by_name=True
    )


class KantaraAddress(_Kantara):
    street_address: str
    address_country: str


class KantaraController(_Kantara):
    pii_controller: str
    on_behalf: bool = False
    contact: str
    address: KantaraAddress
    email: str
    phone: str
    pii_controller_url: str | None = None


class KantaraPurpose(_Kantara):
    purpose: str
    purpose_category: tuple[str, ...]
    consent_type: str
    pii_category: tuple[str, ...]
    termination: str
    third_party_disclosure: bool
    third_party_name: str | None = None


class KantaraService(_Kantara):
    service: str
    purposes: tuple[KantaraPurpose, ...]


class KantaraReceipt(_Kantara):
    """A Kantara Initiative Consent Receipt v1.1 (KI-CR-v1.1.0), every required field set."""

    version: Literal["KI-CR-v1.1.0"] = KANTARA_VERSION
    jurisdiction: str
    consent_timestamp: int
    """Seconds since 1970-01-01 00:00:00 UTC, as the specification requires."""
    collection_method: str
    consent_receipt_id: str = Field(alias="consentReceiptID")
    public_key: str | None = None
    language: str
    pii_principal_id: str
    pii_controllers: tuple[KantaraController, ...]
    policy_url: str
    services: tuple[KantaraService, ...]
    sensitive: bool
    spi_cat: tuple[str, ...]

    def to_json(self) -> dict[str, Any]:
        """The receipt as the specification's JSON, ready for `json.dumps`."""
        return self.model_dump(mode="json", by_alias=True, exclude_none=True)


def render_kantara(receipt: Receipt, public_key_pem: str | None = None) -> KantaraReceipt:
    """The same receipt as a Kantara Consent Receipt v1.1; `public_key_pem` fills `publicKey`.

    Processors are not third parties (GDPR Art. 4(10)): `thirdPartyDisclosure` is true only
    for recipients of another kind, while the record's `recipients` lists all of them.
    """
    controller = receipt.controllers[0]
    policy_url = receipt.notice.url or controller.web
    if policy_url is None:
        raise ReceiptError(
            f"receipt {receipt.receipt_id} has no notice URL and the controller no web "
            "address, and Kantara requires a policyUrl",
            "Build the receipt with the notice's published URL (`notice_url`)",
        )
    event = receipt.events[-1]
    special = [c.name for c in receipt.data_categories if CategoryFlag.SPECIAL in c.flags]
    return KantaraReceipt(
        jurisdiction=receipt.jurisdiction.country,
        consent_timestamp=int(event.effective_at.timestamp()),
        collection_method=f"{event.collected_via.value}, given by the {event.given_by.value}",
        consent_receipt_id=str(receipt.receipt_id),
        public_key=public_key_pem,
        language=receipt.notice.language,
        pii_principal_id=receipt.principal,
        pii_controllers=tuple(
            KantaraController(
                pii_controller=c.legal_name,
                contact=c.dpo.role or c.dpo.name or c.legal_name,
                address=KantaraAddress(street_address=c.address, address_country=c.country),
                email=c.dpo.email or c.email or "",
                phone=c.dpo.phone or c.phone or "",
                pii_controller_url=c.web,
            )
            for c in receipt.controllers
        ),
        policy_url=policy_url,
        services=(
            KantaraService(
                service=receipt.consent.name,
                purposes=tuple(_kantara_purpose(receipt, p) for p in receipt.purposes),
            ),
        ),
        sensitive=bool(special),
        spi_cat=tuple(special),
    )


def _kantara_purpose(receipt: Receipt, purpose: ReceiptPurpose) -> KantaraPurpose:
    names = {category.id: category.name for category in receipt.data_categories}
    third_parties = [
        r.name
        for r in receipt.recipients
        if purpose.id in r.purposes and r.kind is not RecipientKind.PROCESSOR
    ]
    kinds = ["Marketing"] if purpose.is_direct_marketing else []
    kinds += ["Personalized Experience"] if purpose.uses_profiling else []
    event = receipt.events[-1]
    if receipt.status is ConsentStatus.WITHDRAWN:
        termination = f"withdrawn at {format_instant(event.effective_at)}"
    else:
        channels = ", ".join(receipt.withdrawal.channels) or "any channel"
        termination = f"until withdrawn; withdraw by {channels}"
    return KantaraPurpose(
        purpose=purpose.name,
        purpose_category=(purpose.id, *kinds),
        consent_type="EXPLICIT",
        pii_category=tuple(names[c] for c in purpose.data_categories),
        termination=termination,
        third_party_disclosure=bool(third_parties),
        third_party_name=", ".join(third_parties) or None,
    )
