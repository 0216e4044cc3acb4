"""The policy in the W3C Data Privacy Vocabulary (DPV 2.x) as JSON-LD, with an inline context.

One `dpv:Process` per purpose (also typed `dpv:PersonalDataHandling` for DPV 1 readers) with
its purpose, legal basis, personal data, data subjects, recipients, storage conditions and
controller. Concepts DPV lacks, such as e-privacy traffic data, are declared in the graph as
`placet:` extension classes. Nothing is fetched: the context is written out in full.
"""

from __future__ import annotations

import json
from typing import Any
from urllib.parse import quote

from placet.notices.scope import recipients_for, retention_rules_for
from placet.policy.model import (
    CategoryFlag,
    DataCategory,
    LegalBasis,
    Period,
    Policy,
    PolicyText,
    Purpose,
    Recipient,
    RecipientKind,
    RetentionAction,
    RetentionRule,
    SubjectType,
    TransferSafeguard,
)

__all__ = ["DPV_CONTEXT", "PLACET_NAMESPACE", "export_dpv", "export_jsonld"]

PLACET_NAMESPACE = "https://placet.dev/ns#"

DPV_CONTEXT: dict[str, str] = {
    "dpv": "https://w3id.org/dpv#",
    "dpv-pd": "https://w3id.org/dpv/pd#",
    "dct": "http://purl.org/dc/terms/",
    "xsd": "http://www.w3.org/2001/XMLSchema#",
    "rdf": "http://www.w3.org/1999/02/22-rdf-syntax-ns#",
    "rdfs": "http://www.w3.org/2000/01/rdf-schema#",
    "placet": PLACET_NAMESPACE,
}
"""Prefixes only, so the document parses without fetching https://w3id.org/dpv."""

Node = dict[str, Any]

_LEGAL_BASES = {
    LegalBasis.CONSENT: "dpv:Consent",
    LegalBasis.CONTRACT: "dpv:Contract",
    LegalBasis.LEGAL_OBLIGATION: "dpv:LegalObligation",
    LegalBasis.VITAL_INTEREST: "dpv:VitalInterest",
    # Art. 6(1)(e) GDPR: a task in the public interest or in the exercise of official authority.
    LegalBasis.PUBLIC_TASK: "dpv:PublicInterest",
    LegalBasis.LEGITIMATE_INTEREST: "dpv:LegitimateInterest",
}

_RECIPIENT_TYPES = {
    RecipientKind.PROCESSOR: ["dpv:DataProcessor"],
    RecipientKind.JOINT_CONTROLLER: ["dpv:JointDataControllers"],
    RecipientKind.INDEPENDENT_CONTROLLER: ["dpv:ThirdParty", "dpv:DataController"],
    RecipientKind.AUTHORITY: ["dpv:Authority"],
    RecipientKind.DEBT_BUYER: ["dpv:ThirdParty"],
    RecipientKind.DIRECTORY_SERVICE: ["dpv:ThirdParty"],
}

_SAFEGUARDS = {
    TransferSafeguard.DATA_PROCESSING_AGREEMENT: "dpv:DataProcessingAgreement",
    TransferSafeguard.STANDARD_CONTRACTUAL_CLAUSES: "placet:StandardContractualClauses",
    TransferSafeguard.BINDING_CORPORATE_RULES: "placet:BindingCorporateRules",
    TransferSafeguard.ADEQUACY: "placet:AdequacyDecision",
    TransferSafeguard.CONTRACT_PERFORMANCE_DEROGATION: "placet:ContractPerformanceDerogation",
}

_FLAG_CLASSES = {
    CategoryFlag.TRAFFIC: "placet:TrafficData",
    CategoryFlag.LOCATION: "dpv-pd:Location",
    CategoryFlag.SPECIAL: "dpv:SpecialCategoryPersonalData",
    CategoryFlag.IDENTIFIER: "dpv-pd:Identifying",
    CategoryFlag.FINANCIAL: "dpv-pd:Financial",
    CategoryFlag.ONLINE_IDENTIFIER: "dpv-pd:Identifier",
    CategoryFlag.COMMUNICATIONS_CONTENT: "dpv-pd:Communication",
}

_CATEGORY_WORDS = {
    "contact": "dpv-pd:Contact",
    "identity": "dpv-pd:Identifying",
    "identifiers": "dpv-pd:Identifier",
    "billing": "dpv-pd:Financial",
    "payment": "dpv-pd:Financial",
    "invoices": "dpv-pd:Financial",
    "transaction": "dpv-pd:Transactional",
    "location": "dpv-pd:Location",
    "device": "dpv-pd:DeviceBased",
    "email": "dpv-pd:EmailAddress",
    "profiling": "dpv-pd:Profile",
    "segments": "dpv-pd:Profile",
    "social": "dpv-pd:SocialNetwork",
    "recordings": "dpv-pd:Communication",
    "usage": "dpv-pd:Behavioral",
}
"""Words of a category id that name the DPV-PD concept it fits."""

_SUBJECT_WORDS = {
    "consumer": "dpv:Consumer",
    "subscriber": "dpv:Subscriber",
    "customer": "dpv:Customer",
    "user": "dpv:User",
    "visitor": "dpv:Visitor",
    "employee": "dpv:Employee",
    "child": "dpv:Child",
    "minor": "dpv:Child",
}

_PURPOSE_WORDS = {
    "fraud": "dpv:FraudPreventionAndDetection",
    "marketing": "dpv:Marketing",
    "support": "dpv:CustomerCare",
    "claims": "dpv:DisputeManagement",
    "disputes": "dpv:DisputeManagement",
    "improvement": "dpv:ImproveExistingProductsAndServices",
}


def export_jsonld(policy: Policy) -> bytes:
    """`export_dpv(policy)` as UTF-8 JSON-LD text."""
    return json.dumps(export_dpv(policy), ensure_ascii=False, indent=2).encode("utf-8")


def export_dpv(policy: Policy) -> dict[str, Any]:
    """The policy as a JSON-LD document in DPV terms: `{"@context": …, "@graph": [...]}`."""
    base = f"https://placet.dev/policies/{quote(policy.policy_id)}/{quote(policy.version)}#"
    graph: list[Node] = [
        _policy_node(policy, base),
        *_controller_nodes(policy),
        *(_subject_node(kind) for kind in policy.subject_types),
        *(_category_node(category) for category in policy.data_categories),
        *(_recipient_node(recipient) for recipient in policy.recipients),
        *(_storage_node(rule) for rule in policy.retention_rules),
        *(_purpose_node(purpose) for purpose in policy.purposes),
        *(_process_node(policy, purpose) for purpose in policy.purposes),
        *_EXTENSIONS,
    ]
    return {"@context": {**DPV_CONTEXT, "policy": base}, "@graph": graph}


def _ref(iri: str) -> Node:
    return {"@id": iri}


def _texts(text: PolicyText | None) -> list[Node]:
    return [{"@value": value, "@language": language} for language, value in (text or {}).items()]


def _policy_node(policy: Policy, base: str) -> Node:
    node: Node = {
        "@id": base,
        "@type": "placet:PrivacyPolicy",
        "dct:identifier": policy.policy_id,
        "dct:title": _texts(policy.title),
        "dct:abstract": _texts(policy.summary),
        "dct:hasVersion": policy.version,
        "dct:valid": {"@value": policy.effective_from.isoformat(), "@type": "xsd:date"},
        "dct:language": list(policy.languages),
        "dct:publisher": _ref("policy:controller"),
        "dpv:hasProcess": [_ref(f"policy:process-{purpose.id}") for purpose in policy.purposes],
    }
    return node


def _controller_nodes(policy: Policy) -> list[Node]:
    controller = policy.controller
    authority = controller.supervisory_authority
    dpo = controller.dpo
    return [
        {
            "@id": "policy:controller",
            "@type": "dpv:DataController",
            "dpv:hasName": controller.legal_name,
            "dpv:hasAddress": controller.address,
            "dpv:hasContact": [
                c for c in (controller.email, controller.phone, controller.web) if c
            ],
            "placet:countryCode": controller.country,
            "dpv:hasDataProtectionOfficer": _ref("policy:dpo"),
            "dpv:hasAuthority": _ref("policy:supervisory-authority"),
        },
        {
            "@id": "policy:dpo",
            "@type": "dpv:DataProtectionOfficer",
            **({"dpv:hasName": dpo.name} if dpo.name else {}),
            "dpv:hasContact": [c for c in (dpo.email, *dpo.other_emails, dpo.phone, dpo.web) if c],
            **({"dpv:hasAddress": dpo.address} if dpo.address else {}),
        },
        {
            "@id": "policy:supervisory-authority",
            "@type": "dpv:DataProtectionAuthority",
            "dpv:hasName": _texts(authority.name),
            "dpv:hasContact": [c for c in (authority.email, authority.phone, authority.web) if c],
            **({"dpv:hasAddress": authority.address} if authority.address else {}),
        },
    ]


def _words(ident: str) -> set[str]:
    return set(ident.split("-"))


def _subject_node(kind: SubjectType) -> Node:
    words = _words(kind.id)
    types = ["dpv:DataSubject", *sorted({c for w, c in _SUBJECT_WORDS.items() if w in words})]
    return {
        "@id": f"policy:subject-{kind.id}",
        "@type": types,
        "rdfs:label": _texts(kind.name),
        "dct:description": _texts(kind.description),
    }


def _category_node(category: DataCategory) -> Node:
    """A data category, typed with the DPV-PD concepts it fits, or dpv:PersonalData alone."""
    fitting = {_FLAG_CLASSES[flag] for flag in category.flags if flag in _FLAG_CLASSES}
    words = _words(category.id)
    fitting |= {concept for word, concept in _CATEGORY_WORDS.items() if word in words}
    return {
        "@id": f"policy:data-{category.id}",
        "@type": sorted(fitting) or ["dpv:PersonalData"],
        "rdfs:label": _texts(category.name),
        "dct:description": _texts(category.description),
    }


def _recipient_node(recipient: Recipient) -> Node:
    node: Node = {
        "@id": f"policy:recipient-{recipient.id}",
        "@type": ["dpv:Recipient", *_RECIPIENT_TYPES[recipient.kind]],
        "dpv:hasName": _texts(recipient.name),
        "dct:description": _texts(recipient.description),
        "placet:isInThirdCountry": recipient.third_country,
    }
    if recipient.country:
        node["placet:countryCode"] = recipient.country
    if recipient.safeguard in _SAFEGUARDS:
        node["dpv:hasLegalMeasure"] = _ref(_SAFEGUARDS[recipient.safeguard])
    return node


def _purpose_node(purpose: Purpose) -> Node:
    concepts = {concept for word, concept in _PURPOSE_WORDS.items() if word in _words(purpose.id)}
    if purpose.is_direct_marketing:
        concepts.add("dpv:DirectMarketing")
    if purpose.legal_basis is LegalBasis.CONTRACT:
        concepts.add("dpv:FulfilmentOfContractualObligation")
    if purpose.legal_basis is LegalBasis.LEGAL_OBLIGATION:
        concepts.add("dpv:FulfilmentOfObligation")
    return {
        "@id": f"policy:purpose-{purpose.id}",
        "@type": ["dpv:Purpose", *sorted(concepts)],
        "rdfs:label": _texts(purpose.name),
        "dct:description": _texts(purpose.description),
    }


def _storage_node(rule: RetentionRule) -> Node:
    """A retention rule as a storage condition whose duration says how long and from when."""
    duration: Node
    if rule.action is RetentionAction.KEEP:
        duration = {"@type": "dpv:EndlessDuration"}
    elif rule.period is not None:
        duration = {"@type": "dpv:TemporalDuration", "rdf:value": _xsd_duration(rule.period)}
    elif rule.anchors:
        duration = {"@type": "dpv:UntilEventDuration"}
    else:
        duration = {"@type": "dpv:IndeterminateDuration"}
    duration["placet:anchor"] = [anchor.value for anchor in rule.anchors]
    types = ["dpv:StorageCondition", "dpv:StorageDuration"]
    if rule.action is RetentionAction.DELETE:
        types.append("dpv:StorageDeletion")
    return {
        "@id": f"policy:retention-{rule.id}",
        "@type": types,
        "rdfs:label": _texts(rule.record_type),
        "dpv:hasDuration": duration,
        "placet:isMaximum": rule.maximum,
        "placet:retentionAction": rule.action.value,
    }


def _xsd_duration(period: Period) -> Node:
    letter = {"day": "D", "month": "M", "year": "Y"}[period.unit]
    return {"@value": f"P{period.amount}{letter}", "@type": "xsd:duration"}


def _process_node(policy: Policy, purpose: Purpose) -> Node:
    conditions = purpose.conditions
    subject_types: list[str] = [*purpose.subject_types] or [
        kind.id for kind in policy.subject_types
    ]
    node: Node = {
        "@id": f"policy:process-{purpose.id}",
        "@type": ["dpv:Process", "dpv:PersonalDataHandling"],
        "rdfs:label": _texts(purpose.name),
        "dpv:hasPurpose": _ref(f"policy:purpose-{purpose.id}"),
        "dpv:hasDataController": _ref("policy:controller"),
        "dpv:hasPersonalData": [_ref(f"policy:data-{ident}") for ident in purpose.categories],
        "dpv:hasDataSubject": [_ref(f"policy:subject-{ident}") for ident in subject_types],
        "dpv:hasRecipient": [
            _ref(f"policy:recipient-{recipient.id}")
            for recipient in recipients_for(policy, purpose)
        ],
        "dpv:hasStorageCondition": [
            _ref(f"policy:retention-{rule.id}") for rule in retention_rules_for(policy, purpose)
        ],
        "placet:objection": conditions.objection.value,
        "placet:trafficLocationNeedsConsent": conditions.traffic_location_needs_consent,
    }
    if purpose.legal_basis is not None:
        node["dpv:hasLegalBasis"] = _ref(_LEGAL_BASES[purpose.legal_basis])
    if purpose.uses_automated_decisions:
        node["dpv:hasContext"] = _ref("dpv:AutomatedDecisionMaking")
    return node


def _extension(iri: str, kind: str, parent: str | None, label: str, comment: str) -> Node:
    node: Node = {
        "@id": iri,
        "@type": kind,
        "rdfs:label": {"@value": label, "@language": "en"},
        "rdfs:comment": {"@value": comment, "@language": "en"},
        "rdfs:isDefinedBy": _ref(PLACET_NAMESPACE),
    }
    if parent is not None:
        key = "rdfs:subClassOf" if kind == "rdfs:Class" else "rdfs:subPropertyOf"
        node[key] = _ref(parent)
    return node


_EXTENSIONS: list[Node] = [
    {
        **_extension(
            "placet:TrafficData",
            "rdfs:Class",
            "dpv:PersonalData",
            "Traffic data",
            "Electronic-communications traffic data in the sense of the e-privacy rules "
            "(Directive 2002/58/EC, Art. 2(b)): data processed to convey a communication or "
            "to bill it, such as call detail records, A- and B-numbers, time, duration and "
            "sessions. DPV has no concept for it.",
        ),
        "rdfs:seeAlso": [_ref("dpv-pd:CommunicationsMetadata"), _ref("dpv-pd:CallLog")],
    },
    _extension(
        "placet:PrivacyPolicy",
        "rdfs:Class",
        None,
        "Privacy policy",
        "One version of an operator's privacy policy, encoded with Placet.",
    ),
    _extension(
        "placet:StandardContractualClauses",
        "rdfs:Class",
        "dpv:LegalMeasure",
        "Standard contractual clauses",
        "A transfer to a third country safeguarded by standard data protection clauses "
        "(GDPR Art. 46(2)(c)-(d)).",
    ),
    _extension(
        "placet:BindingCorporateRules",
        "rdfs:Class",
        "dpv:LegalMeasure",
        "Binding corporate rules",
        "A transfer within a group safeguarded by binding corporate rules (GDPR Art. 47).",
    ),
    _extension(
        "placet:AdequacyDecision",
        "rdfs:Class",
        "dpv:LegalMeasure",
        "Adequacy decision",
        "A transfer to a country found to ensure an adequate level of protection (GDPR Art. 45).",
    ),
    _extension(
        "placet:ContractPerformanceDerogation",
        "rdfs:Class",
        "dpv:DataTransferLegalBasis",
        "Contract performance derogation",
        "A transfer necessary to perform the subject's contract, such as roaming or a call "
        "abroad (GDPR Art. 49(1)(b)).",
    ),
    _extension(
        "placet:anchor",
        "rdf:Property",
        None,
        "anchor",
        "The event a retention period runs from; with several, the latest of them.",
    ),
    _extension(
        "placet:retentionAction",
        "rdf:Property",
        None,
        "retention action",
        "What happens when the period ends: delete, anonymise, restrict or keep.",
    ),
    _extension(
        "placet:isMaximum",
        "rdf:Property",
        None,
        "is maximum",
        "True when the retention period is a maximum, false when it is a minimum to keep.",
    ),
    _extension(
        "placet:objection",
        "rdf:Property",
        None,
        "objection",
        "What an objection (GDPR Art. 21) does to the processing: stops, overrides or "
        "not-applicable.",
    ),
    _extension(
        "placet:trafficLocationNeedsConsent",
        "rdf:Property",
        None,
        "traffic and location data need consent",
        "True when the processing may use traffic and location data only with the "
        "subject's prior consent.",
    ),
    _extension(
        "placet:isInThirdCountry",
        "rdf:Property",
        None,
        "is in a third country",
        "True when the recipient is outside the controller's jurisdiction.",
    ),
    _extension(
        "placet:countryCode",
        "rdf:Property",
        None,
        "country code",
        "The ISO 3166 code of the entity's country (XK for Kosovo).",
    ),
]
"""Terms Placet adds to DPV, declared in every export so the graph explains itself."""
