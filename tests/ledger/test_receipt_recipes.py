"""The recipes of docs/receipts.md that verify a receipt without Placet, run as written.

An auditor with only OpenSSL and a shell, or only Python and `cryptography`, follows the
page: both recipes must accept a receipt Placet signed and refuse one whose payload was
altered after signing. The page's own text is run, so it cannot drift from what works.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from placet.ledger.receipts import jwks_document, sign_receipt
from tests.doc_pages import fenced_block
from tests.ledger.test_receipts import OPERATOR_KEY, b64url, b64url_json, make_receipt


def receipt_folder(folder: Path, *, altered: bool) -> Path:
    """`receipt.jws` and the operator's published keys (PEM and JWK Set), as the page names
    them; with `altered`, the receipt's status changed after it was signed."""
    token = sign_receipt(make_receipt(), OPERATOR_KEY.private_key, OPERATOR_KEY.kid)
    if altered:
        header, payload, signature = token.split(".")
        changed = b64url_json(payload)
        changed["status"] = "withdrawn"
        token = f"{header}.{b64url(json.dumps(changed).encode())}.{signature}"
    (folder / "receipt.jws").write_text(token, encoding="utf-8")
    (folder / "ipko-receipt-key.pem").write_text(OPERATOR_KEY.verification_key.to_pem())
    published = jwks_document([OPERATOR_KEY.verification_key])
    (folder / "ipko-receipt-keys.json").write_text(json.dumps(published), encoding="utf-8")
    return folder


def signed_payload(folder: Path) -> Any:
    """The JSON the receipt in `folder` signs."""
    return b64url_json((folder / "receipt.jws").read_text(encoding="utf-8").split(".")[1])


def run_openssl_recipe(folder: Path) -> subprocess.CompletedProcess[str]:
    script = fenced_block("receipts.md", "sh", "With only OpenSSL 3 and a shell")
    return subprocess.run(
        ["bash", "-e", "-c", script], cwd=folder, capture_output=True, text=True, check=False
    )


def run_python_recipe(folder: Path) -> subprocess.CompletedProcess[str]:
    (folder / "verify.py").write_text(
        fenced_block("receipts.md", "python", "With Python and `cryptography` only")
    )
    return subprocess.run(
        [sys.executable, "verify.py", "receipt.jws", "ipko-receipt-keys.json"],
        cwd=folder,
        capture_output=True,
        text=True,
        check=False,
    )


@pytest.mark.skipif(shutil.which("openssl") is None, reason="openssl is not installed")
def test_the_openssl_recipe_verifies_a_receipt_and_prints_its_json(tmp_path: Path) -> None:
    result = run_openssl_recipe(receipt_folder(tmp_path, altered=False))

    assert result.returncode == 0, result.stderr
    assert "Signature Verified Successfully" in result.stdout
    printed = json.loads(result.stdout[result.stdout.index("{") :])
    assert printed == signed_payload(tmp_path)


@pytest.mark.skipif(shutil.which("openssl") is None, reason="openssl is not installed")
def test_the_openssl_recipe_refuses_a_receipt_altered_after_signing(tmp_path: Path) -> None:
    result = run_openssl_recipe(receipt_folder(tmp_path, altered=True))

    assert result.returncode != 0
    assert "Signature Verified Successfully" not in result.stdout


def test_the_cryptography_recipe_verifies_a_receipt_and_prints_what_it_records(
    tmp_path: Path,
) -> None:
    result = run_python_recipe(receipt_folder(tmp_path, altered=False))

    assert result.returncode == 0, result.stderr
    signed = signed_payload(tmp_path)
    assert result.stdout.split() == [
        signed["status"],
        signed["consent"]["option"],
        signed["events"][-1]["effective_at"],
    ]


def test_the_cryptography_recipe_refuses_a_receipt_altered_after_signing(
    tmp_path: Path,
) -> None:
    result = run_python_recipe(receipt_folder(tmp_path, altered=True))

    assert result.returncode != 0
    assert "InvalidSignature" in result.stderr
