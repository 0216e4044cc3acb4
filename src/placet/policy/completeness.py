"""Review a valid policy as a DPO or regulator would: is every GDPR Art. 13/14 item there?

The findings are warnings, not errors: a policy can be valid and still leave the subject
uninformed. `placet policy check --strict` turns them into errors; a coverage file may
acknowledge a warning with its reason. Imports nothing outside the standard library and
`placet.policy.model`.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from placet.policy.model import LegalBasis, Policy, RightKind, TransferSafeguard

__all__ = ["REQUIRED_RIGHTS", "WARNING_CODES", "CompletenessWarning", "review_completeness"]

REQUIRED_RIGHTS = (
    RightKind.ACCESS,
    RightKind.RECTIFICATION,
    RightKind.ERASURE,
    RightKind.RESTRICTION,
    RightKind.OBJECTION,
    RightKind.PORTABILITY,
    RightKind.WITHDRAW_CONSENT,
    RightKind.COMPLAINT,
)
"""The rights Art. 13(2)(b)–(d) requires the notice to tell the subject about."""

WARNING_CODES: dict[str, str] = {
    "missing-controller-contact": "Art. 13(1)(a): the controller's identity and contact details",
    "missing-dpo-contact": "Art. 13(1)(b): the contact details of the data protection officer",
    "missing-legitimate-interest": "Art. 13(1)(d): the legitimate interests pursued",
    "missing-legal-ground": "Art. 6(3): the law a legal obligation or public task rests on",
    "missing-recipients": "Art. 13(1)(e): the recipients or categories of recipients",
    "missing-transfers": "Art. 13(1)(f): whether data is transferred to a third country",
    "missing-safeguard": "Art. 13(1)(f), 46: the safeguard of a third-country recipient",
    "missing-retention": "Art. 13(2)(a): how long each data category is kept",
    "missing-right": "Art. 13(2)(b)–(d): each right of the subject",
    "missing-withdrawal-channel": "Art. 7(3): how consent is withdrawn, as easily as given",
    "missing-complaint-route": "Art. 13(2)(d), 77: the right to complain to the authority",
    "missing-request-deadline": "Art. 12(3): when requests are answered",
    "missing-provision-requirement": "Art. 13(2)(e): whether providing data is required",
    "missing-automated-decisions": "Art. 13(2)(f): automated decision-making and profiling",
    "missing-sources": "Art. 14(2)(f): where data not obtained from the subject comes from",
    "missing-security": "Art. 30(1)(g): a description of the security measures",
    "consent-purpose-without-option": "Art. 7(1): a consent-based purpose no option asks for",
    "consent-option-unusable": "Art. 5(1)(a), 7: a consent asked of those no purpose of it serves",
}
"""Each completeness warning's code and the GDPR item it stands for."""


@dataclass(frozen=True, slots=True)
class CompletenessWarning:
    """A completeness finding: `element` is a coverage path such as `rights.portability`."""

    code: str
    element: str
    message: str

    @property
    def key(self) -> tuple[str, str]:
        return (self.code, self.element)

    def __str__(self) -> str:
        return f"{self.code} [{self.element}]: {self.message}"


def review_completeness(policy: Policy) -> list[CompletenessWarning]:
    """Every Art. 13/14 information item the policy leaves out.

    Each item is then present in every declared language, since a valid policy has every
    text in each of them (`missing-translation` is an error, not a warning)."""
    return [
        *_controller(policy),
        *_purposes(policy),
        *_recipients_and_transfers(policy),
        *_retention(policy),
        *_rights(policy),
        *_other_items(policy),
    ]


def _warn(code: str, element: str, detail: str) -> CompletenessWarning:
    return CompletenessWarning(code, element, f"{WARNING_CODES[code]} — {detail}")


def _controller(policy: Policy) -> Iterator[CompletenessWarning]:
    controller = policy.controller
    if not (controller.email or controller.phone or controller.web):
        yield _warn("missing-controller-contact", "controller", "no e-mail, phone or web")
    dpo = controller.dpo
    if not (dpo.email or dpo.phone or dpo.address):
        yield _warn("missing-dpo-contact", "controller.dpo", "no e-mail, phone or address")


def _purposes(policy: Policy) -> Iterator[CompletenessWarning]:
    offered = {purpose for option in policy.consent_options for purpose in option.purposes}
    for purpose in policy.purposes:
        element = f"purposes.{purpose.id}"
        if (
            purpose.legal_basis is LegalBasis.LEGITIMATE_INTEREST
            and not purpose.legitimate_interest
        ):
            yield _warn("missing-legitimate-interest", element, "say what interest is pursued")
        if (
            purpose.legal_basis in (LegalBasis.LEGAL_OBLIGATION, LegalBasis.PUBLIC_TASK)
            and not purpose.legal_ground
        ):
            yield _warn("missing-legal-ground", element, "name the law")
        if purpose.legal_basis is LegalBasis.CONSENT and purpose.id not in offered:
            yield _warn("consent-purpose-without-option", element, "no consent option covers it")
    by_id = {purpose.id: purpose for purpose in policy.purposes}
    for option in policy.consent_options:
        if not option.withdrawal_channels:
            yield _warn(
                "missing-withdrawal-channel",
                f"consent_options.{option.id}",
                "list the channels by which it can be withdrawn",
            )
        served = [by_id[purpose] for purpose in option.purposes if purpose in by_id]
        for subject_type in option.subject_types:
            if served and all(
                purpose.subject_types and subject_type not in purpose.subject_types
                for purpose in served
            ):
                yield _warn(
                    "consent-option-unusable",
                    f"consent_options.{option.id}.subject_types",
                    f"a {subject_type} may give it, but none of its purposes applies to a "
                    f"{subject_type}: add the type to a purpose, or take it off the option",
                )


def _recipients_and_transfers(policy: Policy) -> Iterator[CompletenessWarning]:
    if not policy.recipients:
        yield _warn("missing-recipients", "recipients", "no recipient is named")
    if policy.transfers is None:
        yield _warn("missing-transfers", "transfers", "say whether transfers occur")
    for recipient in policy.recipients:
        if recipient.third_country and recipient.safeguard in (None, TransferSafeguard.NONE):
            yield _warn(
                "missing-safeguard", f"recipients.{recipient.id}", "name the transfer safeguard"
            )


def _retention(policy: Policy) -> Iterator[CompletenessWarning]:
    kept = {category for rule in policy.retention_rules for category in rule.categories}
    for category in policy.data_categories:
        if category.id not in kept:
            yield _warn(
                "missing-retention",
                f"data_categories.{category.id}",
                "no retention rule covers this category",
            )


def _rights(policy: Policy) -> Iterator[CompletenessWarning]:
    for kind in REQUIRED_RIGHTS:
        if policy.right(kind) is None:
            yield _warn("missing-right", f"rights.{kind.value}", f"the right '{kind}' is absent")
    if policy.requests is None:
        yield _warn("missing-request-deadline", "requests", "no deadline for answers")
    if policy.complaints is None:
        yield _warn("missing-complaint-route", "complaints", "no complaint route")


def _other_items(policy: Policy) -> Iterator[CompletenessWarning]:
    if policy.provision_requirement is None:
        yield _warn("missing-provision-requirement", "provision_requirement", "absent")
    if policy.automated_decisions is None:
        yield _warn("missing-automated-decisions", "automated_decisions", "absent")
    if not policy.data_sources:
        yield _warn("missing-sources", "data_sources", "no data source is named")
    if policy.security is None:
        yield _warn("missing-security", "security", "absent")
