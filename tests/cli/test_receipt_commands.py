"""`placet receipt keygen` and `placet receipt verify`: a receipt checked offline."""

from __future__ import annotations

import json
from pathlib import Path

from typer.testing import CliRunner

from placet.cli.main import app
from placet.ledger.receipts import SigningKey, sign_receipt
from tests.ledger.test_receipts import make_receipt

runner = CliRunner()


def keygen(folder: Path) -> tuple[Path, Path]:
    private, jwks = folder / "receipts.pem", folder / "jwks.json"
    result = runner.invoke(
        app, ["receipt", "keygen", "--private-key", str(private), "--jwks", str(jwks)]
    )
    assert result.exit_code == 0, result.output
    return private, jwks


def test_receipt_signed_with_the_generated_key_verifies_offline(tmp_path: Path) -> None:
    private, jwks = keygen(tmp_path)
    key = SigningKey.from_pem(private.read_text())
    token = tmp_path / "receipt.jws"
    token.write_text(sign_receipt(make_receipt(), key.private_key, key.kid))
    result = runner.invoke(app, ["receipt", "verify", str(token), "--keys", str(jwks)])
    assert result.exit_code == 0, result.output
    assert "genuine" in result.output
    assert json.loads(result.stdout.split("\nThe receipt", 1)[0])["schema_version"]


def test_forged_receipt_fails_verification_with_exit_status_1(tmp_path: Path) -> None:
    private, jwks = keygen(tmp_path)
    key = SigningKey.from_pem(private.read_text())
    header, payload, signature = sign_receipt(make_receipt(), key.private_key, key.kid).split(".")
    forged = tmp_path / "forged.jws"
    forged.write_text(".".join([header, payload[:-4] + "AAAA", signature]))
    result = runner.invoke(app, ["receipt", "verify", str(forged), "--keys", str(jwks)])
    assert result.exit_code == 1
    assert "does not verify" in result.output


def test_keygen_never_overwrites_a_key(tmp_path: Path) -> None:
    private, jwks = keygen(tmp_path)
    result = runner.invoke(
        app, ["receipt", "keygen", "--private-key", str(private), "--jwks", str(jwks)]
    )
    assert result.exit_code == 2
    assert "never overwrite" in result.output
