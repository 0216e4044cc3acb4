"""Withdrawals by SMS keyword: STOP (and its equivalents in the policy's languages) sent to
the operator's short code withdraws the consents given for SMS marketing, for whoever held
the sender's number when it arrived. See `placet.operations.withdrawal_channels`."""

from __future__ import annotations

import logging
import re
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Final

from placet.errors import InvalidEventError
from placet.ledger import (
    CollectedVia,
    ConsentLog,
    LedgerEvent,
    PseudonymKey,
)
from placet.operations.recording import Recorded, subject_ref
from placet.operations.withdrawal_channels import append_once, require_aware, withdrawal_event
from placet.policy import ConsentOption, Policy, PolicySet
from placet.policy.terms import Channel

__all__ = ["KEYWORDS", "MsisdnHolder", "SmsAnswer", "option_name", "withdraw_by_sms"]

log = logging.getLogger(__name__)

MsisdnHolder = Callable[[str, datetime], str | None]
"""The subscriber (their identifier, as the ledger is keyed) who holds an MSISDN at an
instant, or None when no subscriber holds it then."""

KEYWORDS: Final[dict[str, tuple[str, ...]]] = {
    "en": ("stop", "unsubscribe"),
    "sq": ("ndal", "ndalo"),
    "sr": ("stop", "стоп"),
    "da": ("stop", "afmeld"),
}
"""The withdrawal keywords of each language, casefolded. STOP works under every policy;
the others under a policy written in their language."""

_UNIVERSAL = "stop"
_MESSAGE_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._:-]{0,99}$")

_PHRASES: Final[dict[str, dict[str, str]]] = {
    "en": {
        "stopped": "{operator}: you will receive no more marketing messages by SMS. "
        "Your withdrawal is recorded.",
        "stopped-option": '{operator}: you will receive no more "{option}" by SMS. '
        "Your withdrawal is recorded.",
        "withdrawn-option": '{operator}: your consent to "{option}" is withdrawn. '
        "Your withdrawal is recorded.",
        "help": "{operator}: to stop marketing messages by SMS, reply {keywords}. "
        "To stop one kind only, reply {keyword} and its name: {options}.",
        "unknown-option": '{operator}: "{text}" is not one of our consents. Reply {keyword} '
        "to stop all marketing by SMS, or {keyword} and one of: {options}.",
        "or": "or",
    },
    "sq": {
        "stopped": "{operator}: nuk do të merrni më mesazhe marketingu me SMS. "
        "Tërheqja juaj u regjistrua.",
        "stopped-option": '{operator}: nuk do të merrni më "{option}" me SMS. '
        "Tërheqja juaj u regjistrua.",
        "withdrawn-option": '{operator}: pëlqimi juaj për "{option}" u tërhoq. '
        "Tërheqja juaj u regjistrua.",
        "help": "{operator}: për të ndalur mesazhet e marketingut me SMS, përgjigjuni "
        "{keywords}. Për të ndalur vetëm një lloj, përgjigjuni {keyword} dhe emrin e tij: "
        "{options}.",
        "unknown-option": '{operator}: "{text}" nuk është një nga pëlqimet tona. Përgjigjuni '
        "{keyword} për të ndalur gjithë marketingun me SMS, ose {keyword} dhe një nga: "
        "{options}.",
        "or": "ose",
    },
    "sr": {
        "stopped": "{operator}: više nećete primati marketinške poruke putem SMS-a. "
        "Vaše povlačenje je zabeleženo.",
        "stopped-option": '{operator}: više nećete primati "{option}" putem SMS-a. '
        "Vaše povlačenje je zabeleženo.",
        "withdrawn-option": '{operator}: vaša saglasnost za "{option}" je povučena. '
        "Vaše povlačenje je zabeleženo.",
        "help": "{operator}: da biste zaustavili marketinške poruke putem SMS-a, odgovorite "
        "{keywords}. Da biste zaustavili samo jednu vrstu, odgovorite {keyword} i njen "
        "naziv: {options}.",
        "unknown-option": '{operator}: "{text}" nije nijedna od naših saglasnosti. Odgovorite '
        "{keyword} da zaustavite sav marketing putem SMS-a, ili {keyword} i jedno od: "
        "{options}.",
        "or": "ili",
    },
    "da": {
        "stopped": "{operator}: du modtager ikke flere markedsføringsbeskeder på SMS. "
        "Din tilbagetrækning er registreret.",
        "stopped-option": '{operator}: du modtager ikke flere "{option}" på SMS. '
        "Din tilbagetrækning er registreret.",
        "withdrawn-option": '{operator}: dit samtykke til "{option}" er trukket tilbage. '
        "Din tilbagetrækning er registreret.",
        "help": "{operator}: svar {keywords} for at stoppe markedsføring på SMS. Svar "
        "{keyword} og navnet for kun at stoppe én slags: {options}.",
        "unknown-option": '{operator}: "{text}" er ikke et af vores samtykker. Svar {keyword} '
        "for at stoppe al markedsføring på SMS, eller {keyword} og et af: {options}.",
        "or": "eller",
    },
}
"""SMS replies; a language without its own falls back to English."""


@dataclass(frozen=True, slots=True)
class SmsAnswer:
    """What an inbound SMS led to: the reply to send back, and what was recorded.

    The reply is the same whether or not a subscriber holds the sender's number, so that
    it never tells who is a subscriber; `recorded` (empty then) is for the caller's logs
    and tests, not for the sender.
    """

    reply: str
    language: str
    understood: bool
    """A withdrawal keyword was recognised (with a known option, when one was named)."""
    recorded: tuple[Recorded, ...] = ()


@dataclass(frozen=True, slots=True)
class _Reading:
    reply: str
    language: str
    options: tuple[ConsentOption, ...] | None
    """The options to withdraw; None when the text is not understood."""


@dataclass(frozen=True, slots=True)
class _Keyword:
    language: str | None
    """The one language the keyword belongs to, or None when several share it (STOP)."""
    keyword: str
    rest: str
    """What follows the keyword: a consent option's name or id, or nothing."""


def withdraw_by_sms(
    ledger: ConsentLog,
    policies: PolicySet,
    key: PseudonymKey,
    *,
    message_id: str,
    sender: str,
    short_code: str,
    text: str,
    received_at: datetime,
    holder: MsisdnHolder,
    actor: str,
    at: datetime,
    language: str | None = None,
) -> SmsAnswer:
    """Read an SMS sent to the operator's short code; on a withdrawal keyword, record it.

    `STOP` withdraws, on the SMS channel, every consent option that reaches subscribers by
    SMS; `STOP <option>` (its name in any of the policy's languages, or its id) withdraws
    that option only: on SMS if it reaches them by SMS, else entirely. The sender is the
    subscriber `holder` names for the number when the message arrived; a number no one
    holds records nothing, and gets the same reply. The gateway's `message_id` makes a
    re-delivery safe: it returns the events first recorded. The reply is in the keyword's
    language, else `language` (the subscriber's, when known), else the policy's first.
    """
    require_aware(received_at, "received_at")
    require_aware(at, "at")
    if not _MESSAGE_ID.match(message_id):
        raise InvalidEventError(
            f"the SMS message id {message_id!r} is not usable as a reference",
            "Give the gateway's id: letters, digits and . _ : - (at most 100)",
        )
    effective = min(received_at, at)
    first = ledger.entry_by_key(_sms_key(message_id, ""))
    if first is not None:
        effective = first.event.effective_at
    policy = policies.in_force(effective)
    reading = _read_sms(text, policy, language)
    if reading.options is None:
        return SmsAnswer(reading.reply, reading.language, False)
    subscriber = holder(sender, effective)
    if subscriber is None:
        log.info("sms keyword from a number no subscriber holds", extra={"sms": message_id})
    if subscriber is None or not reading.options:
        return SmsAnswer(reading.reply, reading.language, True)
    options = reading.options
    subject = subject_ref(subscriber, key)

    def build(instant: datetime) -> list[LedgerEvent]:
        return [
            withdrawal_event(
                policies.in_force(instant),
                subject,
                option,
                frozenset({Channel.SMS}) if Channel.SMS in option.channels else frozenset(),
                effective_at=instant,
                recorded_at=at,
                collected_via=CollectedVia.SMS,
                actor=actor,
                evidence=f"sms {message_id} to {short_code}",
                idempotency_key=_sms_key(message_id, option.id if index else ""),
                personal={"msisdn": sender, "text": text},
            )
            for index, option in enumerate(options)
        ]

    recorded = append_once(ledger, build, effective)
    log.info(
        "withdrawal by sms recorded",
        extra={"subject": subject, "sms": message_id, "events": len(recorded)},
    )
    return SmsAnswer(reading.reply, reading.language, True, recorded)


def _read_sms(text: str, policy: Policy, language: str | None) -> _Reading:
    """What the text asks, and the reply to it, in the language it is best answered in."""
    keyword = _read_keyword(text, policy)
    asked = _options_asked(policy, keyword.rest) if keyword is not None else None
    hints = (keyword.language if keyword else None, asked[3] if asked else None, language)
    reply_language = _reply_language(policy, *hints)
    phrases = _phrases(reply_language)
    operator = policy.controller.short_name
    if keyword is None:
        return _Reading(_help(policy, reply_language, phrases), reply_language, None)
    if asked is None:
        reply = phrases["unknown-option"].format(
            operator=operator,
            text=keyword.rest[:40],
            keyword=keyword.keyword.upper(),
            options=_option_names(policy, reply_language),
        )
        return _Reading(reply, reply_language, None)
    options, phrase, named, _ = asked
    name = option_name(named, reply_language, policy) if named else ""
    reply = phrases[phrase].format(operator=operator, option=name)
    return _Reading(reply, reply_language, tuple(options))


def _read_keyword(text: str, policy: Policy) -> _Keyword | None:
    """The withdrawal keyword the text starts with, in one of the policy's languages."""
    words = _normal(text).split()
    if not words:
        return None
    first = words[0]
    languages = [lang for lang in policy.languages if first in KEYWORDS.get(lang, ())]
    if first != _UNIVERSAL and not languages:
        return None
    return _Keyword(languages[0] if len(languages) == 1 else None, first, " ".join(words[1:]))


def _options_asked(
    policy: Policy, rest: str
) -> tuple[list[ConsentOption], str, ConsentOption | None, str | None] | None:
    """The options a keyword withdraws, the phrase that says so, the one named if any and
    the language it was named in; None when `rest` names no option withdrawable by SMS."""
    if not rest:
        by_sms = [option for option in policy.consent_options if Channel.SMS in option.channels]
        return by_sms, "stopped", None, None
    asked = _normal(rest.replace("-", " "))
    for option in _withdrawable_by_sms(policy):
        spellings = {_normal(name): lang for lang, name in option.name.items()}
        if asked in spellings or asked == _normal(option.id.replace("-", " ")):
            phrase = "stopped-option" if Channel.SMS in option.channels else "withdrawn-option"
            return [option], phrase, option, spellings.get(asked)
    return None


def _withdrawable_by_sms(policy: Policy) -> list[ConsentOption]:
    """Options that reach subscribers by SMS, or that the policy lets them withdraw by SMS."""
    return [
        option
        for option in policy.consent_options
        if Channel.SMS in option.channels or Channel.SMS in option.withdrawal_channels
    ]


def _help(policy: Policy, language: str, phrases: dict[str, str]) -> str:
    words = [_UNIVERSAL, *(w for w in KEYWORDS.get(language, ()) if w != _UNIVERSAL)]
    spoken = f" {phrases['or']} ".join(word.upper() for word in words)
    return phrases["help"].format(
        operator=policy.controller.short_name,
        keywords=spoken,
        keyword=_UNIVERSAL.upper(),
        options=_option_names(policy, language),
    )


def _option_names(policy: Policy, language: str) -> str:
    return ", ".join(option_name(o, language, policy) for o in _withdrawable_by_sms(policy))


def option_name(option: ConsentOption, language: str, policy: Policy) -> str:
    """The option's name in `language`, else in the policy's first language."""
    return option.name.get(language) or option.name.get(policy.source_language) or option.id


def _reply_language(policy: Policy, *hints: str | None) -> str:
    """The first hint the policy has a language for; else the policy's first language."""
    for candidate in hints:
        if candidate is not None and candidate in policy.languages:
            return candidate
    return policy.source_language


def _phrases(language: str) -> dict[str, str]:
    return _PHRASES.get(language, _PHRASES["en"])


def _normal(text: str) -> str:
    """Casefolded, spaces collapsed, surrounding punctuation dropped: ` Stop! ` is `stop`."""
    folded = unicodedata.normalize("NFKC", text).casefold()
    return " ".join(folded.split()).strip(" .,;:!?'\"")


def _sms_key(message_id: str, option: str) -> str:
    """The idempotency key of a message's withdrawal of an option (the first: no option)."""
    return f"sms-{message_id}" + (f"-{option}" if option else "")
