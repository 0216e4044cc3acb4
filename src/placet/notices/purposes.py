"""A purpose as the notice states it: its legal basis and the conditions a subscriber cares about.

Imports nothing outside the standard library and `placet.policy`.
"""

from __future__ import annotations

from collections.abc import Iterator

from placet.notices.structure import Entry, fields, paragraphs
from placet.notices.wording import Wording
from placet.policy.model import LegalBasis, MinorRule, ObjectionEffect, Purpose

__all__ = ["purpose_conditions", "purpose_entry"]

# Art. 21 GDPR: the right to object applies to legitimate interest and public task only;
# under consent the subject withdraws instead.
_OBJECTABLE = (LegalBasis.LEGITIMATE_INTEREST, LegalBasis.PUBLIC_TASK)


def purpose_entry(wording: Wording, purpose: Purpose) -> Entry:
    """The purpose with its legal basis in words, the data it uses and its conditions."""
    legal_basis = wording.words(purpose.legal_basis) if purpose.legal_basis else ""
    options = [option for option in wording.policy.consent_options if purpose.id in option.purposes]
    return Entry(
        anchor=f"purpose-{purpose.id}",
        title=wording.text(purpose.name),
        paragraphs=paragraphs(wording.text(purpose.description)),
        fields=fields(
            [
                (wording.phrase("label.legal-basis"), legal_basis),
                (
                    wording.phrase("label.legitimate-interest"),
                    wording.text(purpose.legitimate_interest),
                ),
                (wording.phrase("label.legal-ground"), wording.text(purpose.legal_ground)),
                (wording.phrase("label.categories"), wording.category_names(purpose.categories)),
                (
                    wording.phrase("label.subjects"),
                    wording.subject_type_names(purpose.subject_types),
                ),
                (
                    wording.phrase("label.channels"),
                    wording.listing(wording.words(channel) for channel in purpose.channels),
                ),
                (
                    wording.phrase("label.consent-options"),
                    wording.listing(wording.text(option.name) for option in options),
                ),
            ]
        ),
        notes=tuple(purpose_conditions(wording, purpose)),
    )


def purpose_conditions(wording: Wording, purpose: Purpose) -> Iterator[str]:
    """The purpose's conditions as sentences, in the order a subscriber weighs them."""
    conditions = purpose.conditions
    if purpose.required_for_contract:
        # Not "every category listed must be given": a purpose's categories include data the
        # network records, which nobody is asked for (IPKO 002#106: only what the contract
        # or the law requires, named in the contract).
        by_law = purpose.legal_basis is LegalBasis.LEGAL_OBLIGATION
        yield wording.phrase(
            "condition.required-by-law" if by_law else "condition.required-for-contract"
        )
    if conditions.traffic_location_needs_consent:
        yield wording.phrase("condition.traffic-location-consent")
        if conditions.unless_anonymised:
            yield wording.phrase("condition.unless-anonymised")
    if conditions.requires_consent_option:
        names = [
            wording.text(option.name)
            for option in wording.policy.consent_options
            if purpose.id in option.purposes
        ]
        yield wording.phrase("condition.consent-option", options=wording.listing(names))
    if conditions.aggregated_only:
        yield wording.phrase("condition.aggregated-only")
    if conditions.location_precision:
        precision = wording.phrase(f"precision.{conditions.location_precision}")
        yield wording.phrase("condition.location-precision", precision=precision)
    if conditions.subject_initiated:
        yield wording.phrase("condition.subject-initiated")
    yield from _objection(wording, purpose)
    yield from _minors(wording, purpose.conditions.minors)
    if conditions.post_contract is not None:
        period = wording.period(conditions.post_contract)
        yield wording.phrase("condition.post-contract", period=period)
    if conditions.business_opt_out is not None:
        period = wording.period(conditions.business_opt_out)
        yield wording.phrase("condition.business-opt-out", period=period)
    if purpose.uses_profiling:
        yield wording.phrase("condition.profiling")
    if purpose.uses_automated_decisions:
        yield wording.phrase("condition.automated-decisions")


def _objection(wording: Wording, purpose: Purpose) -> Iterator[str]:
    effect = purpose.conditions.objection
    if purpose.legal_basis is LegalBasis.CONSENT:
        yield wording.phrase("condition.consent-withdraw")
    if purpose.is_direct_marketing and effect is not ObjectionEffect.NOT_APPLICABLE:
        # Art. 21(2)-(3) GDPR: an objection to direct marketing always stops it.
        yield wording.phrase("condition.direct-marketing")
    elif purpose.legal_basis is LegalBasis.CONSENT:
        return
    elif effect is ObjectionEffect.NOT_APPLICABLE or purpose.legal_basis not in _OBJECTABLE:
        yield wording.phrase("condition.objection-not-applicable")
    elif effect is ObjectionEffect.OVERRIDES:
        yield wording.phrase("condition.objection-overrides")
    else:
        yield wording.phrase("condition.objection-stops")


def _minors(wording: Wording, rule: MinorRule) -> Iterator[str]:
    if rule is MinorRule.ALLOWED:
        return
    minors = wording.policy.minors
    base = (
        "condition.minors-consent"
        if rule is MinorRule.REQUIRES_CONSENT
        else ("condition.minors-never")
    )
    if minors is None:
        yield wording.phrase(base)
    else:
        yield wording.phrase(f"{base}-age", age=minors.age_below)
