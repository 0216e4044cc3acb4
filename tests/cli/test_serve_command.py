"""`placet serve`: the HTTP API and the web pages, served by uvicorn from a shell."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx

SOURCE = Path(__file__).resolve().parents[2] / "src"
KEY_HEX = "11" * 32
STARTUP_DEADLINE_S = 30.0


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


def serve_environment(tmp_path: Path) -> dict[str, str]:
    python_path = os.pathsep.join(filter(None, [str(SOURCE), os.environ.get("PYTHONPATH")]))
    return {
        **os.environ,
        "PYTHONPATH": python_path,
        "PLACET_DATABASE_URL": f"sqlite:///{tmp_path / 'placet.db'}",
        "PLACET_PSEUDONYM_KEY": KEY_HEX,
        "PLACET_POLICY": "ipko",
    }


def wait_for_openapi(process: subprocess.Popen[bytes], url: str, log: Path) -> httpx.Response:
    deadline = time.monotonic() + STARTUP_DEADLINE_S
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise AssertionError(
                f"placet serve exited with status {process.returncode}:\n{log.read_text()}"
            )
        try:
            response = httpx.get(url, timeout=2.0)
        except httpx.TransportError:
            time.sleep(0.2)
            continue
        if response.status_code == 200:
            return response
        time.sleep(0.2)
    raise AssertionError(
        f"placet serve did not answer {url} within {STARTUP_DEADLINE_S:.0f} s:\n{log.read_text()}"
    )


def test_placet_serve_answers_on_the_port_it_is_given(tmp_path: Path) -> None:
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    log = tmp_path / "serve.log"
    with log.open("wb") as output:
        process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "placet.cli.main",
                "serve",
                "--host",
                "127.0.0.1",
                "--port",
                str(port),
            ],
            cwd=tmp_path,
            env=serve_environment(tmp_path),
            stdout=output,
            stderr=subprocess.STDOUT,
        )
        try:
            openapi = wait_for_openapi(process, f"{base}/v1/openapi.json", log)
            unauthenticated = httpx.post(
                f"{base}/v1/decisions", json={"subject": "38344111222"}, timeout=5.0
            )
        finally:
            process.terminate()
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()

    assert "/v1/decisions" in openapi.json()["paths"]
    assert unauthenticated.status_code == 401
    assert unauthenticated.json()["code"] == "unauthenticated"
