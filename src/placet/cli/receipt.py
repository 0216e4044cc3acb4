"""`placet receipt …`: make the operator's receipt signing key, and verify a receipt offline."""

from __future__ import annotations

import json
from pathlib import Path

import typer

from placet.ledger.receipts import (
    VerificationKey,
    generate_signing_key,
    jwks_document,
    keys_from_jwks,
    render_kantara,
    verify_receipt,
)

__all__ = ["published_keys", "receipt_app"]

receipt_app = typer.Typer(
    help="Make receipt signing keys and verify signed consent receipts.", no_args_is_help=True
)


def published_keys(path: Path) -> tuple[VerificationKey, ...]:
    """The operator's published keys in `path`: a JWKS document, or one PEM public key."""
    text = path.read_text(encoding="utf-8")
    if "-----BEGIN PUBLIC KEY-----" in text:
        return (VerificationKey.from_pem(text),)
    try:
        document = json.loads(text)
    except json.JSONDecodeError as exc:
        raise typer.BadParameter(
            f"{path} is neither a PEM public key nor a JWKS document: {exc}", param_hint="--keys"
        ) from exc
    return keys_from_jwks(document)


@receipt_app.command("verify")
def verify(
    receipt: Path = typer.Argument(..., help="A file holding the signed receipt (compact JWS)."),
    keys: Path = typer.Option(
        ..., "--keys", help="The operator's published keys: a JWKS document or a PEM key."
    ),
    kantara: bool = typer.Option(
        False, "--kantara", help="Print the Kantara Consent Receipt v1.1 rendering."
    ),
) -> None:
    """Check a receipt's signature offline and print what it records; exit 1 if forged."""
    token = receipt.read_text(encoding="utf-8").strip()
    verified = verify_receipt(token, published_keys(keys))
    document = render_kantara(verified).to_json() if kantara else verified.model_dump(mode="json")
    typer.echo(json.dumps(document, ensure_ascii=False, indent=2))
    typer.echo(f"The receipt is genuine: signed with a published key ({receipt}).", err=True)


@receipt_app.command("keygen")
def keygen(
    private_key: Path = typer.Option(
        ..., "--private-key", help="Where to write the new private key (PEM; keep it secret)."
    ),
    jwks: Path = typer.Option(..., "--jwks", help="Where to write the public key set to publish."),
    kid: str | None = typer.Option(None, "--kid", help="Key id (default: its JWK thumbprint)."),
) -> None:
    """Make a new Ed25519 receipt signing key and the public key set to publish with it."""
    if private_key.exists():
        raise typer.BadParameter(
            f"{private_key} exists; never overwrite a key", param_hint="--private-key"
        )
    key = generate_signing_key(kid)
    private_key.write_text(key.to_pem(), encoding="utf-8")
    private_key.chmod(0o600)
    jwks.write_text(json.dumps(jwks_document([key.verification_key]), indent=2), encoding="utf-8")
    typer.echo(f"Key {key.verification_key.kid}: private key in {private_key}, publish {jwks}.")
