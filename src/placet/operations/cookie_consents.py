"""The cookie banner's choices: a website visitor accepts or refuses each kind of cookie, and
each answer lands in the ledger as a consent given or withdrawn, with its receipt id.

The visitor is a subject of type `website-visitor`, named by a random id the banner keeps in
the browser (never an IP address), pseudonymised like any subject. A refusal is recorded as
a consent withdrawn: the ledger knows no third state, and a withdrawal with nothing before
it denies as a refusal does. Also the banner's texts, in the page's language, from the
policy. Pure: the ledger, the policies, the key and the instant are passed in.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Collection, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Final
from uuid import UUID

from pydantic import ValidationError

from placet.errors import AccessError, InvalidEventError, PolicyError
from placet.ledger import (
    CollectedVia,
    ConsentGiven,
    ConsentLog,
    ConsentWithdrawn,
    EventData,
    GivenBy,
    LedgerEntry,
    LedgerEvent,
    PseudonymKey,
    SubjectFactsRecorded,
    SubjectRef,
)
from placet.ledger.receipts import build_receipt
from placet.operations.recording import Recorded, subject_ref
from placet.operations.withdrawal_channels import append_once, require_aware
from placet.policy import Policy, PolicySet
from placet.policy.model import CookieCategory, Cookies, PolicyText

__all__ = [
    "BANNER_ACTOR",
    "BANNER_WORDS",
    "VISITOR_PATTERN",
    "VISITOR_TYPE",
    "BannerCategory",
    "BannerTexts",
    "CookieAnswer",
    "CookieChoice",
    "CookieChoiceError",
    "CookieReceipt",
    "OriginNotAllowedError",
    "RecordedCookieChoice",
    "allowed_origin",
    "banner_language",
    "banner_texts",
    "record_cookie_choice",
]

log = logging.getLogger(__name__)

VISITOR_TYPE: Final = "website-visitor"
"""The policy's subject type of a website visitor."""
VISITOR_PATTERN: Final = r"^[A-Za-z0-9_-]{22,64}$"
"""A visitor id: at least 128 random bits in base64url (the banner makes 22 characters)."""
BANNER_ACTOR: Final = "cookie-banner"
"""Who records a banner's choice in the ledger: the banner, for the visitor."""

BANNER_WORDS: Final[dict[str, dict[str, str]]] = {
    "en": {
        "title": "Cookies",
        "choose": "Choose cookies",
        "save": "Save my choice",
        "settings": "Cookie settings",
        "always_on": "Always on",
        "categories": "Kinds of cookies",
        "saved": "Your choice is saved.",
        "failed": "Your choice could not be saved. Try again.",
        "accept": "Accept",
        "reject": "Refuse",
    },
    "sq": {
        "title": "Cookies",
        "choose": "Zgjidhni cookies",
        "save": "Ruaj zgjedhjen time",
        "settings": "Cilësimet e cookies",
        "always_on": "Gjithmonë aktive",
        "categories": "Llojet e cookies",
        "saved": "Zgjedhja juaj u ruajt.",
        "failed": "Zgjedhja juaj nuk u ruajt. Provoni përsëri.",
        "accept": "Pranoj",
        "reject": "Refuzoj",
    },
    "sr": {
        "title": "Kolačići",
        "choose": "Izaberite kolačiće",
        "save": "Sačuvaj moj izbor",
        "settings": "Podešavanja kolačića",
        "always_on": "Uvek uključeni",
        "categories": "Vrste kolačića",
        "saved": "Vaš izbor je sačuvan.",
        "failed": "Vaš izbor nije sačuvan. Pokušajte ponovo.",
        "accept": "Prihvatam",
        "reject": "Odbijam",
    },
    "da": {
        "title": "Cookies",
        "choose": "Vælg cookies",
        "save": "Gem mit valg",
        "settings": "Cookieindstillinger",
        "always_on": "Altid slået til",
        "categories": "Typer af cookies",
        "saved": "Dit valg er gemt.",
        "failed": "Dit valg kunne ikke gemmes. Prøv igen.",
        "accept": "OK",
        "reject": "Nej tak",
    },
}
"""The banner's own words, which the policy does not hold (its text and buttons it does:
`accept` and `reject` here serve only a policy whose cookies section has no banner); a
language without its own falls back to English."""

_BUTTONS: Final = ("accept", "reject")

_VISITOR = re.compile(VISITOR_PATTERN)


class OriginNotAllowedError(AccessError):
    """A request to the cookie banner's endpoint came from a web page whose origin the
    operator has not allowed."""

    def __init__(self, origin: str | None) -> None:
        self.origin = origin
        said = "carries no Origin header" if origin is None else f"comes from origin '{origin}'"
        super().__init__(
            f"The request {said}, which is not allowed to record cookie choices. The "
            "operator adds the web sites that embed the banner to PLACET_COOKIE_ORIGINS"
        )


class CookieChoiceError(InvalidEventError):
    """A cookie choice names a category the policy lacks, leaves one out, or is malformed;
    `field` says where (`categories.marketing`)."""

    def __init__(self, field: str, problem: str, fix: str) -> None:
        self.field = field
        self.problem = problem
        super().__init__(f"{field}: {problem}", fix)


@dataclass(frozen=True, slots=True)
class CookieChoice:
    """What a visitor chose in the banner: each kind of cookie that needs consent, accepted
    (True) or refused (False).

    `visitor` is the random id the banner keeps for this browser; `choice_id` is made once
    per choice, so that sending it again records nothing new; `origin` is the web site the
    banner ran on, kept as evidence.
    """

    visitor: str
    choice_id: UUID
    categories: Mapping[str, bool]
    language: str
    origin: str


@dataclass(frozen=True, slots=True)
class CookieAnswer:
    """One kind of cookie, accepted or refused, and the consent options it stands for."""

    category: str
    accepted: bool
    options: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class CookieReceipt:
    """The ledger event of one consent option, and the id of its consent receipt."""

    option: str
    given: bool
    event_id: UUID
    receipt_id: UUID


@dataclass(frozen=True, slots=True)
class RecordedCookieChoice:
    """A choice as the ledger holds it; `created` is False when it had been sent before."""

    policy_id: str
    policy_version: str
    effective_at: datetime
    answers: tuple[CookieAnswer, ...]
    receipts: tuple[CookieReceipt, ...]
    created: bool


@dataclass(frozen=True, slots=True)
class BannerCategory:
    """A kind of cookie as the banner shows it."""

    id: str
    name: str
    description: str
    necessary: bool


@dataclass(frozen=True, slots=True)
class BannerTexts:
    """Everything the banner shows, in one language: the policy's texts and the banner's
    own words (`words`: title, choose, save, settings, always_on, categories, saved, failed)."""

    policy_id: str
    policy_version: str
    language: str
    controller: str
    text: str
    accept_label: str
    reject_label: str
    more_label: str | None
    more_url: str | None
    categories: tuple[BannerCategory, ...]
    words: Mapping[str, str]


def allowed_origin(origin: str | None, allowed: Collection[str], own: str) -> str:
    """The request's `origin` when the operator allows it (or it is Placet's own, `own`);
    `OriginNotAllowedError` otherwise, also when there is none."""
    if origin is None:
        raise OriginNotAllowedError(None)
    normal = origin.strip().lower().removesuffix("/")
    if normal != "null" and (normal in allowed or normal == own.lower().removesuffix("/")):
        return normal
    raise OriginNotAllowedError(origin[:200])


def banner_language(policy: Policy, requested: str | None) -> str:
    """The policy's language nearest to `requested` (`da-DK` gives `da`), else its own."""
    primary = (requested or "").strip().lower().replace("_", "-").split("-")[0]
    return primary if primary in policy.languages else policy.source_language


def banner_texts(policy: Policy, language: str | None, *, notice_url: str | None) -> BannerTexts:
    """What the banner shows, in the policy's language nearest to `language`."""
    cookies = _cookies(policy)
    chosen = banner_language(policy, language)
    words = {**BANNER_WORDS["en"], **BANNER_WORDS.get(chosen, {})}
    banner = cookies.banner
    return BannerTexts(
        policy_id=policy.policy_id,
        policy_version=policy.version,
        language=chosen,
        controller=policy.controller.short_name,
        text=_text(banner.text if banner else cookies.description, chosen, policy),
        accept_label=_text(banner.accept_label, chosen, policy) if banner else words["accept"],
        reject_label=_text(banner.reject_label, chosen, policy) if banner else words["reject"],
        more_label=_text(banner.more_label, chosen, policy)
        if banner and banner.more_label
        else None,
        more_url=_web_address(notice_url or policy.controller.web),
        categories=tuple(
            BannerCategory(
                id=category.id,
                name=_text(category.name, chosen, policy),
                description=_text(category.description, chosen, policy),
                necessary=category.necessary,
            )
            for category in cookies.categories
        ),
        words={key: value for key, value in words.items() if key not in _BUTTONS},
    )


def record_cookie_choice(
    ledger: ConsentLog,
    policies: PolicySet,
    key: PseudonymKey,
    choice: CookieChoice,
    *,
    at: datetime,
) -> RecordedCookieChoice:
    """Record a visitor's choice: per consent option of the kinds of cookies answered, a
    consent given (accepted) or withdrawn (refused), under the policy version in force;
    with, the first time, the visitor's subject type. All or nothing.

    Sending the same `choice_id` again returns what was first recorded (`created` False).
    """
    require_aware(at, "at")
    if not _VISITOR.match(choice.visitor):
        raise CookieChoiceError(
            "visitor",
            "is not a visitor id the banner makes",
            "Send 22 to 64 letters, digits, '-' or '_': the random id kept in the browser",
        )
    subject = subject_ref(f"{VISITOR_TYPE}:{choice.visitor}", key)
    earlier = _sent_before(ledger, policies, choice.choice_id, at)
    effective = earlier.event.effective_at if earlier is not None else at
    policy = policies.in_force(effective)
    answers = _answers(policy, choice.categories)
    options = _options(answers)
    if not options:
        return RecordedCookieChoice(policy.policy_id, policy.version, effective, answers, (), True)
    needs_type = VISITOR_TYPE in {t.id for t in policy.subject_types} and not _has_type(
        ledger, subject
    )

    def build(instant: datetime) -> list[LedgerEvent]:
        version = policies.in_force(instant)
        data: list[tuple[str, EventData]] = [
            (option, (ConsentGiven if given else ConsentWithdrawn)(option=option))
            for option, given in options.items()
        ]
        if needs_type:
            data.insert(0, ("subject-type", SubjectFactsRecorded(subject_type=VISITOR_TYPE)))
        return [
            _event(
                version,
                subject,
                item,
                choice=choice,
                effective=instant,
                recorded=at,
                idempotency_key=_key(choice.choice_id, name),
            )
            for name, item in data
        ]

    recorded = append_once(ledger, build, effective)
    receipts = _receipts(policies, recorded, at)
    created = any(entry.created for entry in recorded)
    if created:
        log.info(
            "cookie choice recorded",
            extra={"subject": subject, "events": len(recorded), "origin": choice.origin},
        )
    return RecordedCookieChoice(
        policy.policy_id, policy.version, effective, answers, receipts, created
    )


def _cookies(policy: Policy) -> Cookies:
    if policy.cookies is None:
        raise PolicyError(
            f"policy {policy.policy_id} {policy.version} has no `cookies:` section, so there "
            "is no cookie banner to show or record. Add one (see docs/policy.md)"
        )
    return policy.cookies


def _web_address(address: str | None) -> str | None:
    """An address a link can follow: `www.ipnordic.dk` becomes `https://www.ipnordic.dk`."""
    if address is None or "://" in address:
        return address
    return f"https://{address}"


def _text(text: PolicyText, language: str, policy: Policy) -> str:
    return " ".join((text.get(language) or text.get(policy.source_language) or "").split())


def _answers(policy: Policy, categories: Mapping[str, bool]) -> tuple[CookieAnswer, ...]:
    """Each kind of cookie that needs consent, as answered; every one must be answered."""
    declared = {category.id: category for category in _cookies(policy).categories}
    where = f"policy {policy.policy_id} {policy.version}"
    optional = [c.id for c in declared.values() if not c.necessary]
    for name, accepted in categories.items():
        category = declared.get(name)
        if category is None:
            raise CookieChoiceError(
                f"categories.{name}",
                f"is not a kind of cookie in {where}",
                f"Answer its kinds of cookies: {', '.join(optional) or 'none'}",
            )
        if category.necessary and not accepted:
            raise CookieChoiceError(
                f"categories.{name}",
                "is necessary for the website to work, so it is not asked for",
                "Leave it out of the choice",
            )
    missing = [name for name in optional if name not in categories]
    if missing:
        raise CookieChoiceError(
            "categories",
            f"leaves out {', '.join(missing)} of {where}",
            "Answer every kind of cookie that needs consent, true or false",
        )
    return tuple(_answer(declared[name], categories[name]) for name in optional)


def _answer(category: CookieCategory, accepted: bool) -> CookieAnswer:
    return CookieAnswer(category.id, accepted, tuple(category.consent_options))


def _options(answers: tuple[CookieAnswer, ...]) -> dict[str, bool]:
    """Each consent option and whether it is given: only when every kind of cookie that
    stands for it is accepted (a refusal is never overridden by another answer)."""
    options: dict[str, bool] = {}
    for answer in answers:
        for option in answer.options:
            options[option] = options.get(option, True) and answer.accepted
    return options


def _key(choice_id: UUID, name: str) -> str:
    return f"cookie-banner/{choice_id}/{name}"


def _sent_before(
    ledger: ConsentLog, policies: PolicySet, choice_id: UUID, at: datetime
) -> LedgerEntry | None:
    """An event recorded under this choice, if it was sent before: its instant is the
    choice's, so that the retry is the same request."""
    names = ["subject-type", *(option.id for option in policies.in_force(at).consent_options)]
    for name in names:
        entry = ledger.entry_by_key(_key(choice_id, name))
        if entry is not None:
            return entry
    return None


def _has_type(ledger: ConsentLog, subject: SubjectRef) -> bool:
    return any(
        isinstance(entry.event.data, SubjectFactsRecorded)
        and entry.event.data.subject_type == VISITOR_TYPE
        for entry in ledger.history(subject)
    )


def _event(
    policy: Policy,
    subject: SubjectRef,
    data: EventData,
    *,
    choice: CookieChoice,
    effective: datetime,
    recorded: datetime,
    idempotency_key: str,
) -> LedgerEvent:
    try:
        return LedgerEvent(
            subject=subject,
            data=data,
            effective_at=effective,
            recorded_at=recorded,
            collected_via=CollectedVia.COOKIE_BANNER,
            given_by=GivenBy.SUBJECT,
            actor=BANNER_ACTOR,
            evidence=f"cookie banner on {choice.origin}, in '{choice.language}'",
            policy_id=policy.policy_id,
            policy_version=policy.version,
            idempotency_key=idempotency_key,
        )
    except ValidationError as exc:
        raise InvalidEventError(
            f"the cookie choice cannot be recorded as given ({exc.errors()[0]['msg']})",
            "Check the origin and the language sent",
        ) from exc


def _receipts(
    policies: PolicySet, recorded: tuple[Recorded, ...], at: datetime
) -> tuple[CookieReceipt, ...]:
    """The receipt id of each consent event (what `GET /v1/receipts/{event_id}` issues)."""
    receipts = []
    for item in recorded:
        event = item.entry.event
        if isinstance(event.data, ConsentGiven | ConsentWithdrawn):
            policy = policies.version(event.policy_version)
            receipt = build_receipt(item.entry, policy, issued_at=at)
            receipts.append(
                CookieReceipt(
                    option=event.data.option,
                    given=isinstance(event.data, ConsentGiven),
                    event_id=event.event_id,
                    receipt_id=receipt.receipt_id,
                )
            )
    return tuple(receipts)
