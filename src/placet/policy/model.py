"""The policy model: what an operator promises, as pydantic v2 models read from YAML.

Imports nothing outside the standard library, pydantic and `placet.errors`.
Cross-references (a purpose naming a category, a consent option naming a purpose)
are checked by `placet.policy.validation`, which reports every problem at once.
"""

from __future__ import annotations

import calendar
import re
from datetime import date, datetime, timedelta, tzinfo
from typing import Annotated, Any, NewType, TypeVar

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    StringConstraints,
    field_validator,
    model_validator,
)

from placet.errors import UnknownReferenceError
from placet.policy.calendar import zone_named
from placet.policy.terms import (
    Anchor,
    CategoryFlag,
    Channel,
    LegalBasis,
    MinorRule,
    ObjectionEffect,
    RecipientKind,
    RetentionAction,
    RightKind,
    TransferSafeguard,
)

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
    "ExceptionEnd",
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
    model_config = ConfigDict(
        extra="forbid", frozen=True, populate_by_name=True, use_attribute_docstrings=True
    )


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

    def after(self, instant: datetime) -> datetime:
        """The instant this period after `instant`, in calendar months: 12 months after
        31 March is 31 March, and a month after 31 January is the last day of February.

        >>> from datetime import UTC
        >>> Period.model_validate("1 month").after(datetime(2025, 1, 31, tzinfo=UTC))
        datetime.datetime(2025, 2, 28, 0, 0, tzinfo=datetime.timezone.utc)
        """
        months = self.months
        if months is None:
            return instant + timedelta(days=self.amount)
        month_index = instant.year * 12 + instant.month - 1 + months
        year, month = divmod(month_index, 12)
        day = min(instant.day, calendar.monthrange(year, month + 1)[1])
        return instant.replace(year=year, month=month + 1, day=day)

    def __str__(self) -> str:
        return f"{self.amount} {self.unit}{'s' if self.amount != 1 else ''}"


class Contact(_Model):
    """How to reach a person or office."""

    name: str | None = None
    """The person's or office's name."""
    role: PolicyText | None = None
    """Their role (`Data protection officer`)."""
    email: str | None = None
    """E-mail address."""
    other_emails: list[str] = []
    """Further addresses the texts give for the same contact."""
    phone: str | None = None
    """Telephone number."""
    address: str | None = None
    """Postal address."""
    web: str | None = None
    """Web address."""


class SupervisoryAuthority(_Model):
    name: PolicyText
    """The authority's name."""
    address: str | None = None
    """Postal address."""
    email: str | None = None
    """E-mail address."""
    phone: str | None = None
    """Telephone number."""
    web: str | None = None
    """Web address."""


class Controller(_Model):
    """Who decides why and how personal data is processed (GDPR Art. 4(7))."""

    legal_name: str
    """The registered company name."""
    short_name: str
    """The name the notice uses in running text (`IPKO`)."""
    address: str
    """The registered address."""
    registration: str | None = Field(None, description="Company register number (e.g. CVR).")
    country: str = Field(pattern=r"^[A-Z]{2}$", description="ISO 3166 code; XK for Kosovo.")
    web: str | None = None
    """Web address."""
    email: str | None = None
    """E-mail address."""
    phone: str | None = None
    """Telephone number."""
    owner: str | None = Field(None, description="Parent company, where the policy names it.")
    description: PolicyText | None = None
    """Who the controller is, in the notice's words."""
    dpo: Contact
    """The data protection officer (Art. 37–39)."""
    supervisory_authority: SupervisoryAuthority
    """The authority a subject may complain to (Art. 77)."""
    jurisdiction: PolicyText = Field(description="The data protection law the policy applies.")
    timezone: str | None = Field(
        None,
        description="The IANA time zone the controller's days and years are counted in "
        "(`Europe/Copenhagen`): when a deadline's last day ends, when a year ends, when a "
        "version takes effect. Left out: UTC.",
    )
    languages: list[LanguageCode] = Field(
        min_length=1, description="Languages of the policy texts; the first is the source."
    )

    @field_validator("timezone")
    @classmethod
    def _known_zone(cls, value: str | None) -> str | None:
        zone_named(value)
        return value


class DataCategory(_Model):
    id: Id
    """Lowercase kebab case (`marketing-sms`); unique among the elements of its kind."""
    name: PolicyText
    """The name shown to subjects."""
    description: PolicyText
    """What it is, in the words of the notice."""
    flags: list[CategoryFlag] = []
    """Properties that rules depend on: traffic, location, special, …"""
    examples: PolicyText | None = None
    """Examples of the data, as the notice lists them."""


class SubjectType(_Model):
    id: Id
    """Lowercase kebab case (`marketing-sms`); unique among the elements of its kind."""
    name: PolicyText
    """The name shown to subjects."""
    description: PolicyText
    """What it is, in the words of the notice."""
    is_business: bool = Field(False, description="A legal or business entity, not a consumer.")


class DataSource(_Model):
    """Where personal data comes from (GDPR Art. 14(2)(f))."""

    id: Id
    """Lowercase kebab case (`marketing-sms`); unique among the elements of its kind."""
    name: PolicyText
    """The name shown to subjects."""
    description: PolicyText
    """What it is, in the words of the notice."""
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
    """What an objection (Art. 21) does to this purpose."""
    minors: MinorRule = MinorRule.ALLOWED
    """How this purpose treats subjects below `minors.age_below`."""
    post_contract: Period | None = Field(
        None, description="How long after the last contract ends the purpose may continue."
    )
    requires_consent_option: bool = Field(
        False, description="Only for subjects who hold a consent option covering this purpose."
    )
    aggregated_only: bool = Field(False, description="Only on data aggregated over subjects.")
    mask_b_numbers: bool = Field(
        False,
        description="Traffic data sent to a recipient has the other party's number masked "
        "(the last digits), where the text asks for it.",
    )
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
    survives_restriction: bool = Field(
        False,
        description="Establishing, exercising or defending legal claims, which a restriction "
        "of processing still allows (GDPR Art. 18(2)).",
    )


class Purpose(_Model):
    id: Id
    """Lowercase kebab case (`marketing-sms`); unique among the elements of its kind."""
    name: PolicyText
    """The name shown to subjects."""
    description: PolicyText
    """What it is, in the words of the notice."""
    legal_basis: LegalBasis | None = None
    """One of the six lawful bases of Art. 6(1)."""
    legitimate_interest: PolicyText | None = Field(
        None, description="The interest pursued, required when the basis is legitimate interest."
    )
    legal_ground: PolicyText | None = Field(
        None, description="The law that obliges or permits it (legal obligation, public task)."
    )
    categories: list[CategoryId] = []
    """The data categories the purpose processes, by id."""
    subject_types: list[SubjectTypeId] = []
    """The subject types it concerns, by id; empty means all."""
    channels: list[Channel] = []
    """The channels the purpose reaches subjects by (direct marketing)."""
    is_direct_marketing: bool = False
    """Direct marketing: an objection always stops it (Art. 21(3))."""
    uses_profiling: bool = False
    """The purpose profiles subjects (Art. 4(4))."""
    uses_automated_decisions: bool = False
    """The purpose takes decisions based solely on automated processing (Art. 22)."""
    conditions: PurposeConditions = PurposeConditions()
    """The conditions the decision engine evaluates."""
    required_for_contract: bool = Field(
        False, description="Providing the data is a contractual or statutory requirement."
    )


class ConsentOption(_Model):
    """What a subject can say yes to, with the purposes and channels it covers."""

    id: Id
    """Lowercase kebab case (`marketing-sms`); unique among the elements of its kind."""
    name: PolicyText
    """The name shown to subjects."""
    description: PolicyText
    """What it is, in the words of the notice."""
    statement: PolicyText | None = Field(None, description="The words the subject agrees to.")
    purposes: list[PurposeId] = []
    """The purposes a subject agrees to by choosing it."""
    channels: list[Channel] = []
    """The channels it covers (SMS, e-mail, …); empty means any."""
    categories: list[CategoryId] = []
    """The data categories it covers, by id."""
    withdrawal_channels: list[Channel] = []
    """The channels by which it can be withdrawn (Art. 7(3))."""
    subject_types: list[SubjectTypeId] = []
    """The subject types it concerns, by id; empty means all."""


class ExceptionEnd(_Model):
    """When a retention exception stops covering a record: at an anchor, or a period after."""

    anchor: Anchor = Field(description="The event the end runs from.")
    period: Period | None = Field(None, description="How long after it; none: at the anchor.")


class RetentionException(_Model):
    description: PolicyText
    """When the rule does not apply."""
    legal_bases: list[LegalBasis] = Field(
        [], description="Processing on these bases is not subject to the rule."
    )
    until: list[ExceptionEnd] = Field(
        [],
        description="Where the exception ends: at the earliest of these that has happened "
        "(the rule then applies, its action due no earlier than its own cutoff). Empty: it "
        "covers the record for good.",
    )


class RetentionRule(_Model):
    """How long a record type is kept, from which event, and what happens then."""

    id: Id
    """Lowercase kebab case (`marketing-sms`); unique among the elements of its kind."""
    record_type: PolicyText
    """The records the rule governs (`Invoices`)."""
    categories: list[CategoryId] = []
    """The data categories the records hold, by id."""
    subject_types: list[SubjectTypeId] = []
    """The subject types it concerns, by id; empty means all."""
    period: Period | None = Field(None, description="None: kept while the criteria hold.")
    maximum: bool = Field(True, description="The period is a maximum, not a minimum to keep.")
    anchors: list[Anchor] = Field(
        default_factory=list, description="When several, the period runs from the latest."
    )
    action: RetentionAction
    """What happens when the period ends."""
    legal_ground: PolicyText | None = None
    """The law it rests on."""
    criteria: PolicyText | None = Field(
        None, description="The criteria that set the period when there is no fixed one."
    )
    exceptions: list[RetentionException] = []
    """Cases in which the rule does not apply."""

    @model_validator(mode="before")
    @classmethod
    def _anchor_alone(cls, value: Any) -> Any:
        if isinstance(value, dict) and "anchor" in value and "anchors" not in value:
            value = dict(value)
            value["anchors"] = [value.pop("anchor")]
        return value


class Recipient(_Model):
    id: Id
    """Lowercase kebab case (`marketing-sms`); unique among the elements of its kind."""
    name: PolicyText
    """The recipient's name, or the category of recipients."""
    kind: RecipientKind
    """Its role: processor, controller, authority, …"""
    description: PolicyText
    """What it is, in the words of the notice."""
    country: str | None = Field(None, pattern=r"^[A-Z]{2}$")
    """ISO 3166 code of the country it processes the data in."""
    third_country: bool = False
    """Outside the EU/EEA or the controller's country (GDPR chapter V)."""
    safeguard: TransferSafeguard | None = None
    """The ground for the transfer when `third_country` is true."""
    legal_ground: PolicyText | None = None
    """The law that obliges the disclosure (authorities)."""
    purposes: list[PurposeId] = []
    """The purposes it receives data for, by id."""
    categories: list[CategoryId] = []
    """The data categories it concerns, by id."""


class Transfers(_Model):
    """Transfers to third countries (GDPR Art. 13(1)(f))."""

    occurs: bool
    """Whether any transfer to a third country occurs."""
    description: PolicyText
    """The transfers, as the notice describes them."""
    safeguards: list[TransferSafeguard] = []
    """Every safeguard the transfers rely on."""


class Right(_Model):
    kind: RightKind
    """Which right; each kind at most once."""
    description: PolicyText
    """The right, as the notice explains it."""
    channels: list[Channel] = []
    """The channels by which the subject exercises it."""
    limits: PolicyText | None = None
    """When the right does not apply or is limited."""


class Requests(_Model):
    """How requests are made and by when they are answered (GDPR Art. 12(3))."""

    deadline: Period
    """The time to answer a request, counted from receipt (Art. 12(3))."""
    extension_total: Period | None = Field(
        None, description="The latest answer with an extension, counted from receipt."
    )
    extension_needs_reason: bool = True
    """An extension must be explained to the subject within the first deadline."""
    identification: PolicyText
    """How a subject proves who they are (Art. 12(6))."""
    contact: Contact
    """Where requests go."""


class Complaints(_Model):
    to_controller: Contact
    """Where a complaint to the controller goes."""
    description: PolicyText
    """How complaints are handled."""


class Minors(_Model):
    """Below `age_below` a subject is a minor for this controller."""

    age_below: int = Field(ge=1, le=21)
    """Below this age a subject is a minor."""
    description: PolicyText
    """How the controller treats children's data."""


class AutomatedDecisions(_Model):
    """Automated decision-making and profiling (GDPR Art. 13(2)(f))."""

    used: bool
    """Whether decisions based solely on automated processing are taken."""
    profiling: bool
    """Whether subjects are profiled."""
    description: PolicyText
    """What is decided or profiled, and with what effect."""
    logic: PolicyText | None = None
    """Meaningful information about the logic involved."""


class CookieCategory(_Model):
    id: Id
    """Lowercase kebab case (`marketing-sms`); unique among the elements of its kind."""
    name: PolicyText
    """The name shown to subjects."""
    description: PolicyText
    """What it is, in the words of the notice."""
    necessary: bool = False
    """Strictly necessary: set without consent."""
    purposes: PolicyText | None = None
    """What the cookies are used for (text, not purpose ids)."""
    consent_options: list[ConsentOptionId] = Field(
        [], description="The consent options a visitor grants for this category's cookies."
    )


class CookieBanner(_Model):
    text: PolicyText
    """The banner's text."""
    accept_label: PolicyText
    """The label of the button that accepts."""
    reject_label: PolicyText
    """The label of the button that refuses."""
    more_label: PolicyText | None = None
    """The label of the link to the full cookie policy."""


class Cookies(_Model):
    description: PolicyText
    """The website's use of cookies."""
    legal_basis: LegalBasis
    """The legal basis of the cookies that are not necessary."""
    categories: list[CookieCategory] = []
    """The kinds of cookies."""
    banner: CookieBanner | None = None
    """The banner shown to visitors."""


class Section(_Model):
    """Prose the notice carries that no other element holds (changes, links)."""

    id: Id
    """Lowercase kebab case (`marketing-sms`); unique among the elements of its kind."""
    title: PolicyText
    """The section's heading."""
    body: PolicyText
    """The section's text."""


class Policy(_Model):
    """One version of an operator's privacy policy."""

    policy_id: Id = Field(alias="id")
    """The policy's id, the same in every version: the operator (`ipko`)."""
    version: str = Field(min_length=1)
    """The version's name as the operator writes it; quote it (`"1.1"`)."""
    effective_from: date
    """The first day this version is in force, in the controller's zone (`zone`)."""
    effective_until: date | None = None
    """The last day this version is in force, if it ends without a successor.

    Otherwise it ends when the next version takes effect."""
    title: PolicyText
    """The notice's title."""
    summary: PolicyText
    """The opening paragraph of the notice."""
    controller: Controller
    """Who the controller is and how to reach it."""
    subject_types: list[SubjectType]
    """The kinds of data subjects the policy speaks about."""
    data_categories: list[DataCategory]
    """The kinds of personal data processed."""
    data_sources: list[DataSource] = []
    """Where personal data comes from."""
    purposes: list[Purpose]
    """Why personal data is processed, each with its legal basis."""
    consent_options: list[ConsentOption] = []
    """What a subject can consent to."""
    retention_rules: list[RetentionRule] = []
    """How long each record type is kept, and what happens then."""
    recipients: list[Recipient] = []
    """To whom personal data is disclosed."""
    transfers: Transfers | None = None
    """Whether and how data goes to third countries."""
    rights: list[Right] = []
    """The rights of the subject, one per kind."""
    requests: Requests | None = None
    """How requests are made and by when they are answered."""
    complaints: Complaints | None = None
    """How to complain to the controller."""
    minors: Minors | None = None
    """The age below which a subject is a minor."""
    automated_decisions: AutomatedDecisions | None = None
    """Automated decision-making and profiling."""
    provision_requirement: PolicyText | None = Field(
        None,
        description="Whether providing data is statutory or contractual, and what follows "
        "from not providing it (GDPR Art. 13(2)(e)).",
    )
    security: PolicyText | None = None
    """The security measures, as the notice describes them (Art. 32)."""
    cookies: Cookies | None = None
    """The website's cookies and cookie banner."""
    sections: list[Section] = []
    """Prose the notice carries that no other element holds."""
    translated_paths: frozenset[str] = Field(
        frozenset(), exclude=True, description="Texts marked `!tr`: made for Placet."
    )

    @property
    def languages(self) -> list[str]:
        return list(self.controller.languages)

    @property
    def source_language(self) -> str:
        return self.controller.languages[0]

    @property
    def zone(self) -> tzinfo:
        """The zone the controller's days and years are counted in (`Controller.timezone`;
        UTC where the policy names none)."""
        return zone_named(self.controller.timezone)

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
