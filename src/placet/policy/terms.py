"""The closed vocabularies of a policy: legal bases, channels, category flags, anchors, kinds.

Imports nothing outside the standard library.
"""

from __future__ import annotations

from enum import StrEnum

__all__ = [
    "Anchor",
    "CategoryFlag",
    "Channel",
    "LegalBasis",
    "MinorRule",
    "ObjectionEffect",
    "RecipientKind",
    "RetentionAction",
    "RightKind",
    "TransferSafeguard",
]


class LegalBasis(StrEnum):
    """The six lawful bases of GDPR Art. 6(1)."""

    CONSENT = "consent"
    """Art. 6(1)(a): the subject's consent."""
    CONTRACT = "contract"
    """Art. 6(1)(b): performing a contract with the subject, or steps before one at their
    request."""
    LEGAL_OBLIGATION = "legal-obligation"
    """Art. 6(1)(c): a legal obligation of the controller."""
    VITAL_INTEREST = "vital-interest"
    """Art. 6(1)(d): the vital interests of a person."""
    PUBLIC_TASK = "public-task"
    """Art. 6(1)(e): a task in the public interest or official authority."""
    LEGITIMATE_INTEREST = "legitimate-interest"
    """Art. 6(1)(f): the legitimate interests of the controller or a third party."""


class Channel(StrEnum):
    """Ways an operator reaches a subject, or a subject reaches the operator."""

    SMS = "sms"
    """Text message."""
    MMS = "mms"
    """Multimedia message."""
    EMAIL = "email"
    """E-mail."""
    POST = "post"
    """Letter."""
    CALL = "call"
    """Telephone call."""
    VIDEO_CALL = "video-call"
    """Video call."""
    TV = "tv"
    """The TV service's screen."""
    MULTIMEDIA = "multimedia"
    """Other multimedia services."""
    APP = "app"
    """The operator's app."""
    WEB = "web"
    """The operator's website or self-care portal."""
    SOCIAL = "social"
    """Social networks."""
    IN_PERSON = "in-person"
    """Face to face."""
    HOME_VISIT = "home-visit"
    """A visit to the subject's home."""
    SHOP = "shop"
    """The operator's shops."""
    UNSUBSCRIBE_LINK = "unsubscribe-link"
    """The link in a message that ends a consent."""
    COOKIE_BANNER = "cookie-banner"
    """The website's cookie banner."""
    BROWSER_SETTINGS = "browser-settings"
    """The browser's own cookie settings."""


class CategoryFlag(StrEnum):
    """Properties of a data category that rules depend on."""

    TRAFFIC = "traffic"
    """Electronic-communications traffic data (e-privacy): CDRs, A/B numbers, sessions."""
    LOCATION = "location"
    """Location data: cells, positions, or the country of a call."""
    SPECIAL = "special"
    """A special category of GDPR Art. 9."""
    MINORS = "minors"
    """Data about children."""
    IDENTIFIER = "identifier"
    """Directly identifies a subject (name, personal number, MSISDN, e-mail)."""
    FINANCIAL = "financial"
    """Payment, billing and bank account data."""
    ONLINE_IDENTIFIER = "online-identifier"
    """IP and MAC addresses, cookie ids, device ids (IMEI)."""
    COMMUNICATIONS_CONTENT = "communications-content"
    """The content of a communication (a recorded call)."""
    AGGREGATED = "aggregated"
    """Only ever held aggregated over many subjects."""
    PUBLIC = "public"
    """Published by the subject or in a public register."""


class ObjectionEffect(StrEnum):
    """What an objection (GDPR Art. 21) does to a purpose."""

    STOPS = "stops"
    """The purpose stops for the objecting subject."""
    OVERRIDES = "overrides"
    """Compelling legitimate grounds override the objection (IPKO's fraud prevention)."""
    NOT_APPLICABLE = "not-applicable"
    """No right to object applies (contract, legal obligation); consent is withdrawn instead."""


class MinorRule(StrEnum):
    """How a purpose treats subjects below the policy's age of majority."""

    ALLOWED = "allowed"
    """Age plays no part."""
    REQUIRES_CONSENT = "requires-consent"
    """The child's interests prevail unless there is consent (IPKO, legitimate interest)."""
    NEVER = "never"
    """Never for a minor."""


class Anchor(StrEnum):
    """The event a retention period runs from."""

    COLLECTION = "collection"
    """When the record was made or collected."""
    END_OF_YEAR = "end-of-year"
    """The end of the calendar year the record belongs to."""
    END_OF_LAST_CONTRACT = "end-of-last-contract"
    """The end of the subject's last contract."""
    DEBT_SETTLED = "debt-settled"
    """When the subject's debts are settled."""
    CLAIMS_TIME_BARRED = "claims-time-barred"
    """When claims from the relation are time-barred."""
    END_OF_INVESTMENT = "end-of-investment"
    """The end of the investment the records concern."""
    CONSENT_WITHDRAWN = "consent-withdrawn"
    """When the consent the data was collected under is withdrawn."""
    OBJECTION = "objection"
    """The subject objects to the processing, or a business entity opts out of it."""
    END_OF_CAMPAIGN = "end-of-campaign"
    """The end of the campaign the data was collected for."""
    PURPOSE_FULFILLED = "purpose-fulfilled"
    """The data is no longer needed for any purpose it was collected for."""


class RetentionAction(StrEnum):
    DELETE = "delete"
    """Delete the records."""
    ANONYMISE = "anonymise"
    """Remove what identifies the subject; keep the rest."""
    RESTRICT = "restrict"
    """Keep, but only store or use for legal claims (Art. 18(2))."""
    KEEP = "keep"
    """Kept without limit: only for data that no longer identifies anyone."""


class RecipientKind(StrEnum):
    PROCESSOR = "processor"
    """Processes on the controller's behalf (Art. 28)."""
    JOINT_CONTROLLER = "joint-controller"
    """Decides purposes and means with the controller (Art. 26)."""
    INDEPENDENT_CONTROLLER = "independent-controller"
    """Decides its own purposes for the data it receives."""
    AUTHORITY = "authority"
    """A public authority the law obliges disclosure to."""
    DEBT_BUYER = "debt-buyer"
    """Buys or is assigned unpaid claims."""
    DIRECTORY_SERVICE = "directory-service"
    """A directory or directory-enquiry service."""


class TransferSafeguard(StrEnum):
    """The GDPR chapter V ground for a transfer to a third country."""

    ADEQUACY = "adequacy"
    """An adequacy decision (Art. 45)."""
    STANDARD_CONTRACTUAL_CLAUSES = "standard-contractual-clauses"
    """Standard contractual clauses (Art. 46(2)(c))."""
    BINDING_CORPORATE_RULES = "binding-corporate-rules"
    """Binding corporate rules (Art. 47)."""
    DATA_PROCESSING_AGREEMENT = "data-processing-agreement"
    """A processing agreement with the safeguards the national law requires."""
    CONTRACT_PERFORMANCE_DEROGATION = "contract-performance-derogation"
    """Art. 49(1)(b): necessary to perform the subject's contract (roaming, calls abroad)."""
    NONE = "none"
    """No safeguard (a completeness warning for a third-country recipient)."""


class RightKind(StrEnum):
    """The rights of GDPR Art. 12–22 and Art. 77, plus the printed copy IPKO promises."""

    INFORMATION = "information"
    """To be told about the processing (Art. 12–14)."""
    ACCESS = "access"
    """Access to one's data (Art. 15)."""
    PRINTED_COPY = "printed-copy"
    """A printed copy of one's data (Art. 15(3))."""
    RECTIFICATION = "rectification"
    """Rectification (Art. 16)."""
    ERASURE = "erasure"
    """Erasure (Art. 17)."""
    RESTRICTION = "restriction"
    """Restriction of processing (Art. 18)."""
    OBJECTION = "objection"
    """Objection (Art. 21)."""
    PORTABILITY = "portability"
    """Data portability (Art. 20)."""
    WITHDRAW_CONSENT = "withdraw-consent"
    """Withdrawal of consent at any time (Art. 7(3))."""
    AUTOMATED_DECISIONS = "automated-decisions"
    """Not to be subject to a decision based solely on automated processing (Art. 22)."""
    COMPLAINT = "complaint"
    """A complaint to the supervisory authority (Art. 77)."""
