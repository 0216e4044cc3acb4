"""The disclosure register: to whom a subject's data went, on what ground, and who approved it.

- `register`: the policy's recipients beside their agreements (processor agreements,
  joint-controller arrangements, transfer safeguards) with validity dates and flags;
- `model`: a disclosure as proposed and as recorded, its kinds, confidentiality, override;
- `checks`: `check_disclosure`, what the policy and the register allow, with every reason;
- `law_enforcement`: a law-enforcement request's steps, from received to recorded;
- `notifications`: telling recipients of a rectification, erasure or restriction (Art. 19);
- `book`: `DisclosureBook`, where the register is kept (`placet.stores` implements it).

Pure: no clock, no database, no files.
"""

from placet.disclosures.book import DisclosureBook
from placet.disclosures.checks import (
    FLAGS,
    REFUSALS,
    DisclosureCheck,
    Problem,
    TransferBasis,
    check_disclosure,
)
from placet.disclosures.law_enforcement import (
    APPROVER_ROLES,
    ExtractedDataset,
    Extraction,
    LawEnforcementRequest,
    LawEnforcementStage,
    LawEnforcementStep,
    approve,
    check_ground,
    expect_step,
    mark_delivered,
    mark_extracted,
    mark_recorded,
    receive,
)
from placet.disclosures.model import (
    Confidentiality,
    Disclosure,
    DisclosureKind,
    Override,
    ProposedDisclosure,
)
from placet.disclosures.notifications import (
    Addressee,
    ChangeKind,
    NotificationStatus,
    RecipientNotice,
    RecipientNotification,
    RecipientNotifier,
    addressees,
)
from placet.disclosures.register import (
    EEA,
    EXPIRY_WARNING,
    Agreement,
    AgreementKind,
    AgreementStatus,
    RecipientEntry,
    RegisterFlag,
    is_third_country,
    needed_agreement,
    recipient_register,
)

__all__ = [
    "APPROVER_ROLES",
    "EEA",
    "EXPIRY_WARNING",
    "FLAGS",
    "REFUSALS",
    "Addressee",
    "Agreement",
    "AgreementKind",
    "AgreementStatus",
    "ChangeKind",
    "Confidentiality",
    "Disclosure",
    "DisclosureBook",
    "DisclosureCheck",
    "DisclosureKind",
    "ExtractedDataset",
    "Extraction",
    "LawEnforcementRequest",
    "LawEnforcementStage",
    "LawEnforcementStep",
    "NotificationStatus",
    "Override",
    "Problem",
    "ProposedDisclosure",
    "RecipientEntry",
    "RecipientNotice",
    "RecipientNotification",
    "RecipientNotifier",
    "RegisterFlag",
    "TransferBasis",
    "addressees",
    "approve",
    "check_disclosure",
    "check_ground",
    "expect_step",
    "is_third_country",
    "mark_delivered",
    "mark_extracted",
    "mark_recorded",
    "needed_agreement",
    "receive",
    "recipient_register",
]
