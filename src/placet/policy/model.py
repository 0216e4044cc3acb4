"""The policy model: what an operator promises, as pydantic v2 models read from YAML.

Imports nothing outside the standard library, pydantic and `placet.errors`.
Cross-references (a purpose naming a category, a consent option naming a purpose)
are checked by `placet.policy.validation`, which reports every problem at once.
"""

from __future__ import annotations

import re
from datetime import date
from enum import StrEnum
from typing import Annotated, Any, NewType, Self, TypeVar

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, model_validator

from placet.errors import UnknownReferenceError

__all__ = [
    "Anchor",
    "AutomatedDecisions",
    "CategoryFlag",
    "CategoryId",
    "Channel",
    "Complaints",
    "ConsentOption",
    "ConsentOptionId",
    "Contact",
    "Controller",
    "CookieBanner",
    "CookieCategory",
    "Cookies",
    "DataCategory",
    "DataSource",
    "Extension",
    "LegalBasis",
    "MinorRule",
    "Minors",
    "ObjectionEffect",
    "Period",
    "Policy",
    "PolicyText",
    "Purpose",
    "PurposeConditions",
    "PurposeId",
    "Recipient",
    "RecipientId",
    "RecipientKind",
    "Requests",
    "RetentionAction",
    "RetentionException",
    "RetentionRule",
    "Right",
    "RightKind",
    "Section",
    "SubjectType",
    "SubjectTypeId",
    "SupervisoryAuthority",
    "TransferSafeguard",
    "Transfers",
]

PurposeId = NewType("PurposeId", str)
CategoryId = NewType("CategoryId", str)
ConsentOptionId = NewType("ConsentOptionId", str)
RecipientId = NewType("RecipientId", str)
SubjectTypeId = NewType("SubjectTypeId", str)

Id = Annotated[str, StringConstraints(pattern=r"^[a-z0-9]+(-[a-z0-9]+)*$")]
"""Policy ids are lowercase kebab case: `marketing-sms`."""

LanguageCode = Annotated[str, StringConstraints(pattern=r"^[a-z]{2,3}$")]
"""An ISO 639-1 code such as `en`, `sq`, `sr`, `da`."""

PolicyText = dict[LanguageCode, str]
"""A text in each of the policy's languages: `{en: "...", sq: "..."}`.

In YAML a string tagged `!tr` is a translation made for Placet, not the operator's
own wording; the loader records where those are (`Policy.translated_paths`)."""


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)


class LegalBasis(StrEnum):
    """The six lawful bases of GDPR Art. 6(1)."""

    CONSENT = "consent"
    CONTRACT = "contract"
    LEGAL_OBLIGATION = "legal-obligation"
    VITAL_INTEREST = "vital-interest"
    PUBLIC_TASK = "public-task"
    LEGITIMATE_INTEREST = "legitimate-interest"


class Channel(StrEnum):
    """Ways an operator reaches a subject, or a subject reaches the operator."""

    SMS = "sms"
    MMS = "mms"
    EMAIL = "email"
    POST = "post"
    CALL = "call"
    VIDEO_CALL = "video-call"
    TV = "tv"
    MULTIMEDIA = "multimedia"
    APP = "app"
    WEB = "web"
    SOCIAL = "social"
    IN_PERSON = "in-person"
    HOME_VISIT = "home-visit"
    SHOP = "shop"
    UNSUBSCRIBE_LINK = "unsubscribe-link"
    COOKIE_BANNER = "cookie-banner"
    BROWSER_SETTINGS = "browser-settings"


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
    REQUIRES_CONSENT = "requires-consent"
    """The child's interests prevail unless there is consent (IPKO, legitimate interest)."""
    NEVER = "never"


class Anchor(StrEnum):
    """The event a retention period runs from."""

    COLLECTION = "collection"
    END_OF_YEAR = "end-of-year"
    """The end of the calendar year the record belongs to."""
    END_OF_LAST_CONTRACT = "end-of-last-contract"
    DEBT_SETTLED = "debt-settled"
    CLAIMS_TIME_BARRED = "claims-time-barred"
    END_OF_INVESTMENT = "end-of-investment"
    CONSENT_WITHDRAWN = "consent-withdrawn"
    END_OF_CAMPAIGN = "end-of-campaign"
    PURPOSE_FULFILLED = "purpose-fulfilled"
    """The data is no longer needed for any purpose it was collected for."""


class RetentionAction(StrEnum):
    DELETE = "delete"
    ANONYMISE = "anonymise"
    RESTRICT = "restrict"
    KEEP = "keep"
    """Kept without limit: only for data that no longer identifies anyone."""


class RecipientKind(StrEnum):
    PROCESSOR = "processor"
    JOINT_CONTROLLER = "joint-controller"
    INDEPENDENT_CONTROLLER = "independent-controller"
    AUTHORITY = "authority"
    DEBT_BUYER = "debt-buyer"
    DIRECTORY_SERVICE = "directory-service"


class TransferSafeguard(StrEnum):
    """The GDPR chapter V ground for a transfer to a third country."""

    ADEQUACY = "adequacy"
    STANDARD_CONTRACTUAL_CLAUSES = "standard-contractual-clauses"
    BINDING_CORPORATE_RULES = "binding-corporate-rules"
    DATA_PROCESSING_AGREEMENT = "data-processing-agreement"
    """A processing agreement with the safeguards the national law requires."""
    CONTRACT_PERFORMANCE_DEROGATION = "contract-performance-derogation"
    """Art. 49(1)(b): necessary to perform the subject's contract (roaming, calls abroad)."""
    NONE = "none"


class RightKind(StrEnum):
    """The rights of GDPR Art. 12–22 and Art. 77, plus the printed copy IPKO promises."""

    INFORMATION = "information"
    ACCESS = "access"
    PRINTED_COPY = "printed-copy"
    RECTIFICATION = "rectification"
    ERASURE = "erasure"
    RESTRICTION = "restriction"
    OBJECTION = "objection"
    PORTABILITY = "portability"
    WITHDRAW_CONSENT = "withdraw-consent"
    AUTOMATED_DECISIONS = "automated-decisions"
    """Not to be subject to a decision based solely on automated processing (Art. 22)."""
    COMPLAINT = "complaint"


_PERIOD = re.compile(r"^\s*(\d+)\s*(day|month|year)s?\s*$")


class Period(_Model):
    """A span of calendar time: `12 months`, `6 years`, `15 days`."""

    amount: int = Field(ge=0, description="How many units.")
    unit: str = Field(pattern=r"^(day|month|year)$", description="day, month or year.")

    @model_validator(mode="before")
    @classmethod
    def _parse_text(cls, value: Any) -> Any:
        if isinstance(value, str):
            match = _PERIOD.match(value)
            if match is None:
                raise ValueError(
                    f"'{value}' is not a period; write it as '12 months', '6 years' or '15 days'"
                )
            return {"amount": int(match.group(1)), "unit": match.group(2)}
        return value

    @property
    def months(self) -> int | None:
        """The period in whole months, or None when it is counted in days."""
        if self.unit == "year":
            return self.amount * 12
        if self.unit == "month":
            return self.amount
        return None

    def __str__(self) -> str:
        return f"{self.amount} {self.unit}{'s' if self.amount != 1 else ''}"


class Contact(_Model):
    """How to reach a person or office."""

    name: str | None = None
    role: PolicyText | None = None
    email: str | None = None
    phone: str | None = None
    address: str | None = None
    web: str | None = None


class SupervisoryAuthority(_Model):
    name: PolicyText
    address: str | None = None
    email: str | None = None
    phone: str | None = None
    web: str | None = None


class Controller(_Model):
    """Who decides why and how personal data is processed (GDPR Art. 4(7))."""

    legal_name: str
    short_name: str
    address: str
    registration: str | None = Field(None, description="Company register number (e.g. CVR).")
    country: str = Field(pattern=r"^[A-Z]{2}$", description="ISO 3166 code; XK for Kosovo.")
    web: str | None = None
    email: str | None = None
    phone: str | None = None
    owner: str | None = Field(None, description="Parent company, where the policy names it.")
    description: PolicyText | None = None
    dpo: Contact
    supervisory_authority: SupervisoryAuthority
    jurisdiction: PolicyText = Field(description="The data protection law the policy applies.")
    languages: list[LanguageCode] = Field(
        min_length=1, description="Languages of the policy texts; the first is the source."
    )


class DataCategory(_Model):
    id: Id
    name: PolicyText
    description: PolicyText
    flags: list[CategoryFlag] = []
    examples: PolicyText | None = None


class SubjectType(_Model):
    id: Id
    name: PolicyText
    description: PolicyText
    is_business: bool = Field(False, description="A legal or business entity, not a consumer.")


class DataSource(_Model):
    """Where personal data comes from (GDPR Art. 14(2)(f))."""

    id: Id
    name: PolicyText
    description: PolicyText
    origin: str = Field(
        pattern=r"^(subject|observed|third-party|public)$",
        description="subject, observed (from use of the service), third-party or public.",
    )


class PurposeConditions(_Model):
    """The conditions the decision engine evaluates for a purpose."""

    traffic_location_needs_consent: bool = Field(
        False,
        description="Traffic and location data only with the subject's prior consent.",
    )
    unless_anonymised: bool = Field(
        False,
        description="With traffic_location_needs_consent: no consent needed once anonymised.",
    )
    objection: ObjectionEffect = ObjectionEffect.STOPS
    minors: MinorRule = MinorRule.ALLOWED
    post_contract: Period | None = Field(
        None, description="How long after the last contract ends the purpose may continue."
    )
    requires_consent_option: bool = Field(
        False, description="Only for subjects who hold a consent option covering this purpose."
    )
    aggregated_only: bool = Field(False, description="Only on data aggregated over subjects.")
    location_precision: str | None = Field(
        None,
        pattern=r"^(country|cell|exact)$",
        description="The finest location this purpose may use.",
    )
    business_opt_out: Period | None = Field(
        None,
        description="A business entity's written opt-out is honoured within this period.",
    )
    subject_initiated: bool = Field(
        False, description="Only on the subject's own request (e.g. ITN vision enrolment)."
    )


class Purpose(_Model):
    id: Id
    name: PolicyText
    description: PolicyText
    legal_basis: LegalBasis | None = None
    legitimate_interest: PolicyText | None = Field(
        None, description="The interest pursued, required when the basis is legitimate interest."
    )
    legal_ground: PolicyText | None = Field(
        None, description="The law that obliges or permits it (legal obligation, public task)."
    )
    categories: list[CategoryId] = []
    subject_types: list[SubjectTypeId] = []
    channels: list[Channel] = []
    is_direct_marketing: bool = False
    uses_profiling: bool = False
    uses_automated_decisions: bool = False
    conditions: PurposeConditions = PurposeConditions()
    required_for_contract: bool = Field(
        False, description="Providing the data is a contractual or statutory requirement."
    )


class ConsentOption(_Model):
    """What a subject can say yes to, with the purposes and channels it covers."""

    id: Id
    name: PolicyText
    description: PolicyText
    statement: PolicyText | None = Field(None, description="The words the subject agrees to.")
    purposes: list[PurposeId] = []
    channels: list[Channel] = []
    categories: list[CategoryId] = []
    withdrawal_channels: list[Channel] = []
    subject_types: list[SubjectTypeId] = []


class RetentionException(_Model):
    description: PolicyText
    legal_bases: list[LegalBasis] = Field(
        [], description="Processing on these bases is not subject to the rule."
    )


class RetentionRule(_Model):
    """How long a record type is kept, from which event, and what happens then."""

    id: Id
    record_type: PolicyText
    categories: list[CategoryId] = []
    subject_types: list[SubjectTypeId] = []
    period: Period | None = Field(None, description="None: kept while the criteria hold.")
    maximum: bool = Field(True, description="The period is a maximum, not a minimum to keep.")
    anchors: list[Anchor] = Field(
        default_factory=list, description="When several, the period runs from the latest."
    )
    action: RetentionAction
    legal_ground: PolicyText | None = None
    criteria: PolicyText | None = Field(
        None, description="The criteria that set the period when there is no fixed one."
    )
    exceptions: list[RetentionException] = []

    @model_validator(mode="before")
    @classmethod
    def _anchor_alone(cls, value: Any) -> Any:
        if isinstance(value, dict) and "anchor" in value and "anchors" not in value:
            value = dict(value)
            value["anchors"] = [value.pop("anchor")]
        return value


class Recipient(_Model):
    id: Id
    name: PolicyText
    kind: RecipientKind
    description: PolicyText
    country: str | None = Field(None, pattern=r"^[A-Z]{2}$")
    third_country: bool = False
    safeguard: TransferSafeguard | None = None
    legal_ground: PolicyText | None = None
    purposes: list[PurposeId] = []
    categories: list[CategoryId] = []


class Transfers(_Model):
    """Transfers to third countries (GDPR Art. 13(1)(f))."""

    occurs: bool
    description: PolicyText
    safeguards: list[TransferSafeguard] = []


class Right(_Model):
    kind: RightKind
    description: PolicyText
    channels: list[Channel] = []
    limits: PolicyText | None = None


class Requests(_Model):
    """How requests are made and by when they are answered (GDPR Art. 12(3))."""

    deadline: Period
    extension_total: Period | None = Field(
        None, description="The latest answer with an extension, counted from receipt."
    )
    extension_needs_reason: bool = True
    identification: PolicyText
    contact: Contact


class Complaints(_Model):
    to_controller: Contact
    description: PolicyText


class Minors(_Model):
    """Below `age_below` a subject is a minor for this controller."""

    age_below: int = Field(ge=1, le=21)
    description: PolicyText


class AutomatedDecisions(_Model):
    """Automated decision-making and profiling (GDPR Art. 13(2)(f))."""

    used: bool
    profiling: bool
    description: PolicyText
    logic: PolicyText | None = None


class CookieCategory(_Model):
    id: Id
    name: PolicyText
    description: PolicyText
    necessary: bool = False
    purposes: PolicyText | None = None
    consent_options: list[ConsentOptionId] = Field(
        [], description="The consent options a visitor grants for this category's cookies."
    )


class CookieBanner(_Model):
    text: PolicyText
    accept_label: PolicyText
    reject_label: PolicyText
    more_label: PolicyText | None = None


class Cookies(_Model):
    description: PolicyText
    legal_basis: LegalBasis
    categories: list[CookieCategory] = []
    banner: CookieBanner | None = None


class Section(_Model):
    """Prose the notice carries that no other element holds (changes, links)."""

    id: Id
    title: PolicyText
    body: PolicyText


class Extension(_Model):
    """A term the policy needs that the Data Privacy Vocabulary lacks."""

    id: Id
    label: str
    definition: str


class Policy(_Model):
    """One version of an operator's privacy policy."""

    policy_id: Id = Field(alias="id")
    version: str = Field(min_length=1)
    effective_from: date
    effective_until: date | None = None
    title: PolicyText
    summary: PolicyText
    controller: Controller
    subject_types: list[SubjectType]
    data_categories: list[DataCategory]
    data_sources: list[DataSource] = []
    purposes: list[Purpose]
    consent_options: list[ConsentOption] = []
    retention_rules: list[RetentionRule] = []
    recipients: list[Recipient] = []
    transfers: Transfers | None = None
    rights: list[Right] = []
    requests: Requests | None = None
    complaints: Complaints | None = None
    minors: Minors | None = None
    automated_decisions: AutomatedDecisions | None = None
    provision_requirement: PolicyText | None = Field(
        None,
        description="Whether providing data is statutory or contractual, and what follows "
        "from not providing it (GDPR Art. 13(2)(e)).",
    )
    security: PolicyText | None = None
    cookies: Cookies | None = None
    sections: list[Section] = []
    translated_paths: frozenset[str] = Field(
        frozenset(), exclude=True, description="Texts marked `!tr`: made for Placet."
    )

    @model_validator(mode="after")
    def _dates_in_order(self) -> Self:
        if self.effective_until is not None and self.effective_until < self.effective_from:
            raise ValueError("effective_until is before effective_from")
        return self

    @property
    def languages(self) -> list[str]:
        return list(self.controller.languages)

    @property
    def source_language(self) -> str:
        return self.controller.languages[0]

    def purpose(self, purpose_id: str) -> Purpose:
        return _by_id(self.purposes, purpose_id, "purpose")

    def category(self, category_id: str) -> DataCategory:
        return _by_id(self.data_categories, category_id, "data category")

    def consent_option(self, option_id: str) -> ConsentOption:
        return _by_id(self.consent_options, option_id, "consent option")

    def recipient(self, recipient_id: str) -> Recipient:
        return _by_id(self.recipients, recipient_id, "recipient")

    def right(self, kind: RightKind) -> Right | None:
        return next((right for right in self.rights if right.kind is kind), None)


_Element = TypeVar("_Element", Purpose, DataCategory, ConsentOption, Recipient)


def _by_id(items: list[_Element], wanted: str, kind: str) -> _Element:
    for item in items:
        if item.id == wanted:
            return item
    raise UnknownReferenceError(kind, wanted, "policy")
