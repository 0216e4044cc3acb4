"""POST /v1/inbound/sms and /v1/unsubscribe/{token}: withdrawals that come back the way the
marketing went out, a keyword sent by SMS to the short code and the one-click unsubscribe
link (RFC 8058) of a marketing e-mail.

The SMS gateway authenticates with an API key (`events:write`). The unsubscribe link takes
no key and no cookie: its signed token is the authority. A GET only shows a page with a
button, because mail scanners follow links; the POST, which mail providers send for their
own unsubscribe button, unsubscribes.
"""

from __future__ import annotations

from html import escape
from typing import Annotated, Final

from fastapi import APIRouter, Depends, Header, Path
from fastapi.responses import HTMLResponse
from pydantic import AwareDatetime, BaseModel, ConfigDict, Field

from placet.api.context import Services, services
from placet.api.security import require
from placet.operations import ApiKey, Scope
from placet.operations.sms_keywords import option_name, withdraw_by_sms
from placet.operations.unsubscribe_links import UnsubscribeLink, read_unsubscribe_token, unsubscribe
from placet.policy import Policy

__all__ = ["router"]

router = APIRouter(tags=["withdrawals"])

Wired = Annotated[Services, Depends(services)]
Gateway = Annotated[ApiKey, Depends(require(Scope.EVENTS_WRITE))]
Token = Annotated[str, Path(description="The link's token, exactly as the e-mail's link gives it.")]
AcceptLanguage = Annotated[
    str | None, Header(alias="Accept-Language", description="The page's language, if offered.")
]

_PAGE_HEADERS: Final = {
    "Cache-Control": "no-store",
    "Referrer-Policy": "no-referrer",
    "X-Robots-Tag": "noindex",
    "Content-Security-Policy": "default-src 'none'; form-action 'self'",
}
"""The token is in the address: no cache keeps the page, no referrer carries it on."""

_ONE_CLICK_BODY: Final = {
    "requestBody": {
        "required": False,
        "content": {
            media: {
                "schema": {
                    "type": "object",
                    "properties": {"List-Unsubscribe": {"type": "string", "const": "One-Click"}},
                }
            }
            for media in ("application/x-www-form-urlencoded", "multipart/form-data")
        },
    }
}

_PAGE: Final[dict[str, dict[str, str]]] = {
    "en": {
        "title": "Unsubscribe",
        "question": "Stop receiving “{option}” {channel} from {operator}?",
        "button": "Unsubscribe",
        "done": "You will receive no more “{option}” {channel} from {operator}. "
        "Your withdrawal is recorded.",
        "email": "by e-mail",
        "sms": "by SMS",
    },
    "sq": {
        "title": "Çregjistrimi",
        "question": "Të mos merrni më “{option}” {channel} nga {operator}?",
        "button": "Çregjistrohu",
        "done": "Nuk do të merrni më “{option}” {channel} nga {operator}. "
        "Tërheqja juaj u regjistrua.",
        "email": "me e-mail",
        "sms": "me SMS",
    },
    "sr": {
        "title": "Odjava",
        "question": "Da više ne primate „{option}“ {channel} od {operator}?",
        "button": "Odjavi se",
        "done": "Više nećete primati „{option}“ {channel} od {operator}. "
        "Vaše povlačenje je zabeleženo.",
        "email": "putem e-pošte",
        "sms": "putem SMS-a",
    },
    "da": {
        "title": "Afmelding",
        "question": "Vil du ikke længere modtage “{option}” {channel} fra {operator}?",
        "button": "Afmeld",
        "done": "Du modtager ikke længere “{option}” {channel} fra {operator}. "
        "Din tilbagetrækning er registreret.",
        "email": "på e-mail",
        "sms": "på SMS",
    },
}
"""The unsubscribe pages' words; a language without its own falls back to English."""


class InboundSmsBody(BaseModel):
    """An SMS a subscriber sent to the operator's short code, as the gateway passes it on."""

    model_config = ConfigDict(extra="forbid", populate_by_name=True)

    message_id: str = Field(
        pattern=r"^[A-Za-z0-9][A-Za-z0-9._:-]{0,99}$",
        description="The gateway's id of the message: delivered again, it records nothing new.",
    )
    sender: str = Field(
        alias="from",
        pattern=r"^\+[1-9][0-9]{6,14}$",
        description="The sender's MSISDN in E.164 (`+38344123456`).",
    )
    to: str = Field(pattern=r"^\+?[0-9A-Za-z]{1,20}$", description="The short code it was sent to.")
    text: str = Field(max_length=1600, description="The message as the subscriber wrote it.")
    received_at: AwareDatetime | None = Field(
        None, description="When the gateway received it (default: now)."
    )


class SmsReplyOut(BaseModel):
    message_id: str
    reply: str = Field(description="The SMS to send back to the sender.")
    language: str = Field(description="The reply's language.")
    understood: bool = Field(
        description="The text was a withdrawal keyword; the answer is the same whether or not "
        "a subscriber holds the sender's number."
    )


@router.post(
    "/inbound/sms",
    summary="Receive an SMS sent to the short code",
    responses={200: {"description": "The reply to send back to the sender."}},
)
def post_inbound_sms(body: InboundSmsBody, wired: Wired, gateway: Gateway) -> SmsReplyOut:
    """For the operator's SMS gateway. `STOP` (or the policy's languages' words: `NDAL`,
    `СТОП`, `AFMELD`, …) withdraws, on SMS, every consent option that reaches the subscriber
    by SMS; `STOP <option>` only that option. It is recorded at once, for the subscriber who
    holds the sender's number, with the message id as evidence. Other text records nothing
    and is answered with the keywords that work."""
    now = wired.clock()
    answer = withdraw_by_sms(
        wired.ledger,
        wired.policies,
        wired.key(),
        message_id=body.message_id,
        sender=body.sender,
        short_code=body.to,
        text=body.text,
        received_at=body.received_at or now,
        holder=wired.holder(),
        actor=gateway.name,
        at=now,
    )
    return SmsReplyOut(
        message_id=body.message_id,
        reply=answer.reply,
        language=answer.language,
        understood=answer.understood,
    )


@router.get(
    "/unsubscribe/{token}",
    response_class=HTMLResponse,
    summary="The unsubscribe link's page (records nothing)",
    responses={200: {"description": "A page with a button that unsubscribes (HTML)."}},
)
def get_unsubscribe(
    token: Token, wired: Wired, accept_language: AcceptLanguage = None
) -> HTMLResponse:
    """A page naming what the link unsubscribes from, with a button that POSTs. Following
    the link never unsubscribes: mail scanners and link previews follow links too."""
    link = read_unsubscribe_token(token, wired.links_key())
    return _page(wired, link, accept_language, done=False)


@router.post(
    "/unsubscribe/{token}",
    response_class=HTMLResponse,
    summary="One-click unsubscribe (RFC 8058)",
    responses={200: {"description": "Unsubscribed: a page that says so (HTML)."}},
    openapi_extra=_ONE_CLICK_BODY,
)
def post_unsubscribe(
    token: Token, wired: Wired, accept_language: AcceptLanguage = None
) -> HTMLResponse:
    """What a mail provider's unsubscribe button sends (body `List-Unsubscribe=One-Click`,
    form-encoded), and the page's button. No API key or cookie: the signed token says whom
    and what. The consent option is withdrawn on the link's channel at once; the same link
    again records nothing new. A token that was altered or not made with the operator's
    key is refused, and nothing is recorded."""
    done = unsubscribe(wired.ledger, wired.policies, wired.links_key(), token, at=wired.clock())
    return _page(wired, done.link, accept_language, done=True)


def _page(
    wired: Services, link: UnsubscribeLink, accept_language: str | None, *, done: bool
) -> HTMLResponse:
    policy = wired.policies.in_force(wired.clock())
    language = _language(accept_language, policy)
    words = _PAGE.get(language, _PAGE["en"])
    option = next((o for o in policy.consent_options if o.id == link.option), None)
    sentence = words["done" if done else "question"].format(
        option=option_name(option, language, policy) if option else link.option,
        channel=words.get(link.channel.value, ""),
        operator=policy.controller.short_name,
    )
    button = (
        ""
        if done
        else '<form method="post"><input type="hidden" name="List-Unsubscribe" '
        f'value="One-Click"><button type="submit">{escape(words["button"])}</button></form>'
    )
    html = (
        f'<!doctype html><html lang="{escape(language)}"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>{escape(words['title'])}</title></head><body><main>"
        f"<h1>{escape(words['title'])}</h1><p>{escape(' '.join(sentence.split()))}</p>"
        f"{button}</main></body></html>"
    )
    return HTMLResponse(html, headers=_PAGE_HEADERS)


def _language(accept_language: str | None, policy: Policy) -> str:
    """The policy's language the browser prefers most (`Accept-Language`), else its first."""
    offered: list[tuple[float, int, str]] = []
    for index, part in enumerate((accept_language or "").split(",")):
        tag, _, parameters = part.strip().partition(";")
        quality = 1.0
        if parameters.strip().startswith("q="):
            try:
                quality = float(parameters.strip()[2:])
            except ValueError:
                quality = 0.0
        primary = tag.strip().lower().split("-")[0]
        if primary in policy.languages and quality > 0:
            offered.append((-quality, index, primary))
    return min(offered)[2] if offered else policy.source_language
