"""`placet dsr …`: subjects' requests: open one, take each step on it with who and why,
verify the requester by a one-time code, list what is due, show a request's every step."""

from __future__ import annotations

import json
from datetime import datetime, timedelta
from typing import Any

import typer

from placet.cli.wiring import ACTOR_OPTION, instant, wiring
from placet.dsr import CodeChallenge, CodeChannel, CodeOutcome, RequestKind, Step, SubjectRequest
from placet.errors import SettingsError
from placet.operations.requests import (
    ask_request_clarification,
    due_requests,
    extend_request,
    fulfil_request,
    load_request,
    open_subject_request,
    record_clarification,
    reject_request,
    start_request_verification,
    start_request_work,
    terms_of,
    verify_request,
)
from placet.operations.verification import (
    code_key_from_hex,
    confirm_request_code,
    given_address,
    open_outboxes,
    send_request_code,
)
from placet.policy import load_policy_set
from placet.policy.terms import Channel
from placet.settings import get_settings
from placet.stores.sql_requests import SqlRequestBook, open_request_book

__all__ = ["dsr_app"]

dsr_app = typer.Typer(
    help="Subjects' requests: open, verify, extend, fulfil or reject, and what is due.",
    no_args_is_help=True,
)

REQUEST_ARGUMENT = typer.Argument(..., help="The request's id (DSR-2026-000123).")
STEP_AT_OPTION = typer.Option(
    None, "--at", help="When the step was taken (ISO 8601; UTC if no zone; default: now)."
)
REASON_OPTION = typer.Option(None, "--reason", help="Why, as told to the subject.")
NOTIFIED_OPTION = typer.Option(
    None, "--notified", help="When the subject was told (ISO 8601; UTC if no zone)."
)


def _book() -> SqlRequestBook:
    settings = get_settings()
    return open_request_book(settings.database_url, terms_of(load_policy_set(settings.policy)))


@dsr_app.command("open")
def open_command(
    kind: RequestKind = typer.Option(..., "--kind", help="What the subject asks for."),
    subject: str = typer.Option(..., "--subject", help="The subscriber id the request is for."),
    channel: Channel = typer.Option(..., "--channel", help="How the request arrived."),
    actor: str = ACTOR_OPTION,
    received: str | None = typer.Option(
        None, "--received", help="When it was received (ISO 8601; UTC if no zone; default: now)."
    ),
    at: str | None = typer.Option(
        None, "--at", help="When it is recorded (ISO 8601; default: now)."
    ),
    request_id: str | None = typer.Option(
        None, "--id", help="The request's id; default: the next DSR-<year>-NNNNNN."
    ),
) -> None:
    """Record a request received from a subject; its deadline counts from receipt."""
    recorded_at = instant(at)
    received_at = recorded_at if received is None else _instant(received, "--received")
    wired = wiring()
    book = open_request_book(get_settings().database_url, terms_of(wired.policies))
    request = open_subject_request(
        book,
        wired.policies,
        wired.key,
        subject,
        kind,
        channel=channel,
        received_at=received_at,
        actor=actor,
        at=recorded_at,
        request_id=request_id,
    )
    typer.echo(
        f"request {request.request_id} opened: {kind.value}, received "
        f"{_when(request.received_at, request)}, due {_when(request.due_at, request)} "
        f"(policy {request.terms.policy_id} {request.terms.policy_version})"
    )


@dsr_app.command("ask-identity")
def ask_identity(
    request_id: str = REQUEST_ARGUMENT,
    actor: str = ACTOR_OPTION,
    reason: str | None = REASON_OPTION,
    notified: str | None = NOTIFIED_OPTION,
    at: str | None = STEP_AT_OPTION,
) -> None:
    """Ask the requester to prove who they are (Art. 12(6)); the clock stops until verified."""
    request = start_request_verification(
        _book(),
        request_id,
        actor=actor,
        at=instant(at),
        reason=reason,
        notified_at=_optional(notified, "--notified"),
    )
    _echo_step(request)


@dsr_app.command("verify")
def verify(
    request_id: str = REQUEST_ARGUMENT,
    how: str = typer.Option(
        ..., "--how", help='How the identity was checked, e.g. "in person: ID card seen".'
    ),
    actor: str = ACTOR_OPTION,
    at: str | None = STEP_AT_OPTION,
) -> None:
    """Record that the requester is the subject, or acts for them; the clock runs again."""
    _echo_step(verify_request(_book(), request_id, actor=actor, at=instant(at), how=how))


@dsr_app.command("send-code")
def send_code(
    request_id: str = REQUEST_ARGUMENT,
    channel: CodeChannel = typer.Option(..., "--channel", help="How the code is sent."),
    to: str = typer.Option(
        ...,
        "--to",
        help="Where to send it, from the subscriber's records: an e-mail address, or a "
        "number in E.164 form (+38344123456).",
    ),
    at: str | None = typer.Option(
        None, "--at", help="When it is sent (ISO 8601; default: now); it expires 10 min later."
    ),
) -> None:
    """Send the requester a one-time code (PLACET_OUTBOX, PLACET_CODE_KEY); the answer is
    the same whether or not the details match a subscriber."""
    settings = get_settings()
    outbox = open_outboxes(settings.outbox, sms_gateway=settings.sms_gateway).for_channel(channel)
    asked = send_request_code(
        _book(),
        request_id,
        channel,
        address_of=given_address(channel, to),
        outbox=outbox,
        key=_code_key(),
        at=instant(at),
    )
    typer.echo(f"request {request_id}: {asked.answer}")


@dsr_app.command("confirm-code")
def confirm_code_command(
    request_id: str = REQUEST_ARGUMENT,
    code: str = typer.Argument(..., help="The code the requester received."),
    actor: str = ACTOR_OPTION,
    at: str | None = STEP_AT_OPTION,
) -> None:
    """Check the requester's one-time code: a right one in time records `verified`. A wrong,
    expired or spent code reads the same and exits with status 1."""
    confirmed = confirm_request_code(
        _book(), request_id, code, key=_code_key(), at=instant(at), actor=actor
    )
    typer.echo(f"request {request_id}: {confirmed.answer}")
    if confirmed.outcome is not CodeOutcome.VERIFIED:
        raise typer.Exit(1)
    _echo_step(confirmed.request)


@dsr_app.command("start")
def start(
    request_id: str = REQUEST_ARGUMENT,
    actor: str = ACTOR_OPTION,
    reason: str | None = REASON_OPTION,
    at: str | None = STEP_AT_OPTION,
) -> None:
    """Begin answering a verified request (in progress)."""
    _echo_step(start_request_work(_book(), request_id, actor=actor, at=instant(at), reason=reason))


@dsr_app.command("clarify")
def clarify(
    request_id: str = REQUEST_ARGUMENT,
    question: str = typer.Option(..., "--question", help="What is unclear, as asked."),
    actor: str = ACTOR_OPTION,
    notified: str | None = NOTIFIED_OPTION,
    at: str | None = STEP_AT_OPTION,
) -> None:
    """Ask the requester what they ask for; the clock stops until they answer."""
    request = ask_request_clarification(
        _book(),
        request_id,
        actor=actor,
        at=instant(at),
        question=question,
        notified_at=_optional(notified, "--notified"),
    )
    _echo_step(request)


@dsr_app.command("clarified")
def clarified_command(
    request_id: str = REQUEST_ARGUMENT,
    actor: str = ACTOR_OPTION,
    reason: str | None = typer.Option(None, "--reason", help="What the requester answered."),
    at: str | None = STEP_AT_OPTION,
) -> None:
    """Record the requester's answer; the request returns to where it was."""
    _echo_step(
        record_clarification(_book(), request_id, actor=actor, at=instant(at), reason=reason)
    )


@dsr_app.command("extend")
def extend_command(
    request_id: str = REQUEST_ARGUMENT,
    reason: str = typer.Option(..., "--reason", help="Why, as told to the subject."),
    notified: str = typer.Option(
        ..., "--notified", help="When the subject was told (ISO 8601; UTC if no zone)."
    ),
    actor: str = ACTOR_OPTION,
    at: str | None = STEP_AT_OPTION,
) -> None:
    """Extend the deadline as the policy allows (Art. 12(3)): once, told within the first."""
    request = extend_request(
        _book(),
        request_id,
        actor=actor,
        at=instant(at),
        reason=reason,
        notified_at=_instant(notified, "--notified"),
    )
    _echo_step(request)


@dsr_app.command("fulfil")
def fulfil_command(
    request_id: str = REQUEST_ARGUMENT,
    actor: str = ACTOR_OPTION,
    reason: str | None = typer.Option(None, "--reason", help="What was done, briefly."),
    notified: str | None = NOTIFIED_OPTION,
    at: str | None = STEP_AT_OPTION,
) -> None:
    """Record that the request was answered; final."""
    request = fulfil_request(
        _book(),
        request_id,
        actor=actor,
        at=instant(at),
        reason=reason,
        notified_at=_optional(notified, "--notified"),
    )
    _echo_step(request)


@dsr_app.command("reject")
def reject_command(
    request_id: str = REQUEST_ARGUMENT,
    reason: str = typer.Option(..., "--reason", help="Why, as told to the subject."),
    actor: str = ACTOR_OPTION,
    notified: str | None = NOTIFIED_OPTION,
    at: str | None = STEP_AT_OPTION,
) -> None:
    """Refuse the request, with the reason told to the subject (Art. 12(4)); final."""
    request = reject_request(
        _book(),
        request_id,
        actor=actor,
        at=instant(at),
        reason=reason,
        notified_at=_optional(notified, "--notified"),
    )
    _echo_step(request)


@dsr_app.command("list")
def list_command(
    open_only: bool = typer.Option(False, "--open", help="Only requests not yet answered."),
    due_within: int | None = typer.Option(
        None,
        "--due-within",
        min=1,
        help="Only what needs answering: overdue, or due within DAYS (7: this week).",
    ),
    at: str | None = typer.Option(
        None, "--at", help="The instant asked about (ISO 8601; default: now)."
    ),
    as_json: bool = typer.Option(False, "--json", help="Print the requests as JSON."),
) -> None:
    """Requests with their state, due date and time left; paused and overdue ones marked."""
    when = instant(at)
    book = _book()
    if due_within is not None:
        requests = due_requests(book, when, timedelta(days=due_within))
    else:
        requests = book.all(open_only=open_only)
    if as_json:
        typer.echo(json.dumps([_summary(request, when) for request in requests], indent=2))
        return
    if not requests:
        typer.echo("no requests")
    for request in requests:
        typer.echo(
            f"{request.request_id}  {request.kind.value}  {request.state.value}  "
            f"{_standing(request, when)}"
        )


@dsr_app.command("show")
def show(
    request_id: str = REQUEST_ARGUMENT,
    at: str | None = typer.Option(
        None, "--at", help="The instant asked about (ISO 8601; default: now)."
    ),
    as_json: bool = typer.Option(False, "--json", help="Print the request as JSON."),
) -> None:
    """A request: its due date, pauses, and every step with who took it, when and why."""
    when = instant(at)
    book = _book()
    request = load_request(book, request_id)
    subscriber = book.subscriber(request_id)
    codes = book.challenges(request_id)
    if as_json:
        detail = _summary(request, when) | {
            "subscriber": subscriber,
            "subject_ref": request.subject,
            "channel": request.channel.value,
            "received_at": request.received_at.isoformat(),
            "steps": [_step_json(step) for step in request.steps],
            "codes": [_code_json(challenge) for challenge in codes],
        }
        typer.echo(json.dumps(detail, indent=2, ensure_ascii=False))
        return
    terms = request.terms
    extension = f", extendable to {terms.extension_total}" if terms.extension_total else ""
    lines = [
        f"request {request.request_id}: {request.kind.value}, {request.state.value}",
        f"subscriber: {subscriber} (pseudonym {request.subject[:12]}…)",
        f"received: {_when(request.received_at, request)} by {request.channel.value}",
        f"policy: {terms.policy_id} {terms.policy_version}: {terms.deadline} to answer{extension}",
        f"deadline: {_standing(request, when)}",
        f"paused: {_pauses(request, when)}",
        "steps:",
    ]
    for number, step in enumerate(request.steps, start=1):
        moved = f"{step.from_state.value} -> " if step.from_state is not None else ""
        why = f": {step.reason}" if step.reason else ""
        told = f" (subject told {_when(step.notified_at, request)})" if step.notified_at else ""
        lines.append(
            f"  {number}. {_when(step.at, request)}  {step.kind.value}  "
            f"{moved}{step.to_state.value}  "
            f"by {step.actor}{why}{told}"
        )
    if codes:
        lines.append("codes:")
    for number, challenge in enumerate(codes, start=1):
        lines.append(
            f"  {number}. {_when(challenge.issued_at, request)}  {challenge.channel.label} to "
            f"{challenge.sent_to}  {challenge.state.value}, {challenge.attempts_used} of "
            f"{challenge.max_attempts} attempts used, "
            f"expires {_when(challenge.expires_at, request)}"
        )
    typer.echo("\n".join(lines))


def _echo_step(request: SubjectRequest) -> None:
    step = request.steps[-1]
    typer.echo(
        f"request {request.request_id}: {step.kind.value} by {step.actor}, now "
        f"{request.state.value}; due {_when(request.due_as_of(step.at), request)}"
    )


def _standing(request: SubjectRequest, at: datetime) -> str:
    """The due date as it stands at `at`, the time left, and whether paused or overdue."""
    if request.is_final:
        last = _when(request.last_at, request)
        return f"due {_when(request.due_at, request)}, {request.state.value} {last}"
    due = request.due_as_of(at)
    left = request.remaining(at)
    text = f"due {_when(due, request)}, " + (
        f"OVERDUE by {_span(-left)}" if request.is_overdue(at) else f"{_span(left)} left"
    )
    if request.is_paused:
        text += f", paused ({request.state.value})"
    if request.is_extended:
        text += ", extended"
    return text


def _pauses(request: SubjectRequest, at: datetime) -> str:
    paused = request.paused_for(at)
    if not paused.total:
        return "never"
    text = f"{_span(paused.total)} in all"
    if paused.waiting_on is not None and paused.since is not None:
        text += f", waiting on {paused.waiting_on.value} since {_when(paused.since, request)}"
    return text


def _summary(request: SubjectRequest, at: datetime) -> dict[str, Any]:
    return {
        "request_id": request.request_id,
        "kind": request.kind.value,
        "state": request.state.value,
        "policy_id": request.terms.policy_id,
        "policy_version": request.terms.policy_version,
        "due_at": request.due_as_of(at).isoformat(),
        "remaining_seconds": None if request.is_final else request.remaining(at).total_seconds(),
        "is_paused": request.is_paused,
        "is_extended": request.is_extended,
        "is_overdue": request.is_overdue(at),
        "paused_seconds": request.paused_for(at).total.total_seconds(),
    }


def _step_json(step: Step) -> dict[str, Any]:
    return {
        "kind": step.kind.value,
        "from_state": None if step.from_state is None else step.from_state.value,
        "to_state": step.to_state.value,
        "at": step.at.isoformat(),
        "actor": step.actor,
        "reason": step.reason,
        "notified_at": None if step.notified_at is None else step.notified_at.isoformat(),
    }


def _code_json(challenge: CodeChallenge) -> dict[str, Any]:
    return {
        "challenge_id": challenge.challenge_id,
        "channel": challenge.channel.value,
        "sent_to": challenge.sent_to,
        "issued_at": challenge.issued_at.isoformat(),
        "expires_at": challenge.expires_at.isoformat(),
        "attempts_used": challenge.attempts_used,
        "max_attempts": challenge.max_attempts,
        "state": challenge.state.value,
    }


def _code_key() -> bytes:
    setting = get_settings().code_key
    if setting is None:
        raise SettingsError(
            "PLACET_CODE_KEY",
            "is not set, so one-time codes can be neither sent nor checked",
            "Set it to a key in hex (`python -c 'import secrets; print(secrets.token_hex(32))'`)",
        )
    return code_key_from_hex(setting.get_secret_value())


def _when(value: datetime | None, request: SubjectRequest) -> str:
    """An instant on the controller's clock (`DeadlineTerms.zone`), with its zone's
    abbreviation: `2026-04-15 23:59 CEST`."""
    return "-" if value is None else f"{value.astimezone(request.terms.zone):%Y-%m-%d %H:%M %Z}"


def _span(value: timedelta) -> str:
    """A span as a DPO reads it: `12 days 3 h`, `5 h 20 min`."""
    minutes = int(value.total_seconds() // 60)
    days, minutes = divmod(minutes, 24 * 60)
    hours, minutes = divmod(minutes, 60)
    if days:
        return f"{days} day{'s' if days != 1 else ''} {hours} h"
    return f"{hours} h {minutes} min"


def _instant(text: str, flag: str) -> datetime:
    try:
        return instant(text)
    except typer.BadParameter as exc:
        raise typer.BadParameter(str(exc), param_hint=flag) from exc


def _optional(text: str | None, flag: str) -> datetime | None:
    return None if text is None else _instant(text, flag)
