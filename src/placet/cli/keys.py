"""`placet keys …` and `placet serve`: API keys with scopes, and the HTTP server."""

from __future__ import annotations

from datetime import UTC, datetime

import typer

from placet.operations import Scope, create_key, list_keys, revoke_key
from placet.settings import get_settings
from placet.stores.sql_api_keys import open_api_keys

__all__ = ["keys_app", "serve"]

keys_app = typer.Typer(help="Create, list and revoke API keys.", no_args_is_help=True)


@keys_app.command("create")
def create(
    name: str = typer.Option(..., "--name", help="Who or what uses the key (e.g. crm-campaigns)."),
    scope: list[Scope] = typer.Option(..., "--scope", help="A scope the key grants (repeatable)."),
) -> None:
    """Create a key and print it once: only its hash is stored."""
    issued = create_key(
        open_api_keys(get_settings().database_url), scope, name=name, now=datetime.now(UTC)
    )
    scopes = ", ".join(sorted(issued.key.scopes))
    typer.echo(issued.plaintext)
    typer.echo(
        f"Key {issued.key.key_id} ({scopes}): store it now, it is not shown again.", err=True
    )


@keys_app.command("list")
def list_command(
    include_revoked: bool = typer.Option(True, "--revoked/--no-revoked", help="Show revoked keys."),
) -> None:
    """List the keys: id, name, scopes, created, revoked."""
    for key in list_keys(
        open_api_keys(get_settings().database_url), include_revoked=include_revoked
    ):
        revoked = f" revoked {key.revoked_at.isoformat()}" if key.revoked_at else ""
        typer.echo(
            f"{key.key_id}  {key.name}  {','.join(sorted(key.scopes))}  "
            f"created {key.created_at.isoformat()}{revoked}"
        )


@keys_app.command("revoke")
def revoke(
    key_id: str = typer.Argument(..., help="The key's id, as `placet keys list` shows."),
) -> None:
    """Revoke a key: requests with it are refused from now on."""
    key = revoke_key(open_api_keys(get_settings().database_url), key_id, now=datetime.now(UTC))
    typer.echo(f"Key {key.key_id} ({key.name}) revoked.")


def serve(
    host: str | None = typer.Option(
        None, "--host", help="Address (default: the api_host setting)."
    ),
    port: int | None = typer.Option(None, "--port", help="Port (default: the api_port setting)."),
) -> None:
    """Serve the HTTP API (under /v1, OpenAPI at /v1/openapi.json) and the web pages with
    uvicorn."""
    import uvicorn

    from placet.web import create_site
    from placet.web.console_figures import warm_figures

    settings = get_settings()
    site = create_site(settings)
    warm_figures(site)
    uvicorn.run(site, host=host or settings.api_host, port=port or settings.api_port)
