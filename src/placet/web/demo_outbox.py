"""GET /demo/outbox: the messages the demo's folder outbox holds, newest first, so that a
visitor trying the privacy center reads the one-time code it sent them.

Mounted by `placet demo` only: the folder holds codes and addresses in clear, which no
production server shows.
"""

from __future__ import annotations

from dataclasses import dataclass
from email import message_from_bytes
from email.policy import default as default_policy
from pathlib import Path
from typing import Final

from fastapi import APIRouter, FastAPI
from fastapi.responses import HTMLResponse

from placet.web.pages import Context, PageRoute, render

__all__ = ["OUTBOX_PATH", "SHOWN_MESSAGES", "OutboxMessage", "install_demo_outbox", "messages_in"]

OUTBOX_PATH: Final = "/demo/outbox"
SHOWN_MESSAGES: Final = 20


@dataclass(frozen=True, slots=True)
class OutboxMessage:
    """One message written to the folder outbox."""

    channel: str
    to: str
    subject: str
    sent: str
    body: str


def messages_in(folder: Path, limit: int = SHOWN_MESSAGES) -> list[OutboxMessage]:
    """The newest `limit` messages of the folder outbox, newest first."""
    if not folder.is_dir():
        return []
    files = sorted(folder.glob("*.eml"), reverse=True)[:limit]
    found = []
    for path in files:
        parsed = message_from_bytes(path.read_bytes(), policy=default_policy)
        body = parsed.get_body(preferencelist=("plain",))
        found.append(
            OutboxMessage(
                channel=str(parsed.get("X-Placet-Channel", "")),
                to=str(parsed.get("To", "")),
                subject=str(parsed.get("Subject", "")),
                sent=str(parsed.get("Date", "")),
                body="" if body is None else str(body.get_content()).strip(),
            )
        )
    return found


def install_demo_outbox(app: FastAPI, folder: Path) -> None:
    """Show the folder outbox at `OUTBOX_PATH` on the site `app`."""
    router = APIRouter(route_class=PageRoute, include_in_schema=False)

    @router.get(OUTBOX_PATH, response_class=HTMLResponse)
    def outbox(context: Context) -> HTMLResponse:
        """The demo outbox's newest messages."""
        return render(context, "demo/outbox.html", messages=messages_in(folder), folder=folder)

    app.include_router(router)
