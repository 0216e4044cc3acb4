"""`placet demo` from the command line, as a new user runs it: it prepares the demo estate
and ledger, serves the privacy center and the console, a visitor signs in with the number
it prints and the code its outbox shows, the DPO with the account it prints (a second run
reusing what the first made is in `tests/cli/test_demo.py`)."""

from __future__ import annotations

import os
import queue
import re
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx
import pytest
from fastapi.testclient import TestClient

from placet.cli.demo_site import prepare_demo_site
from placet.synth import OperatorName
from placet.web import create_site
from tests.web.conftest import screenshot
from tests.web.privacy_fixtures import code_in

PLACET = [sys.executable, "-c", "from placet.cli.main import main; main()"]


class Demo:
    """A `placet demo` process and what it printed."""

    def __init__(self, folder: Path) -> None:
        self.process = subprocess.Popen(
            [*PLACET, "demo", "--output", str(folder), "--port", "0", "--no-browser"],
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
            env={**os.environ, "COLUMNS": "200"},
        )
        self.lines: queue.Queue[str] = queue.Queue()
        self.output = ""
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self) -> None:
        assert self.process.stdout is not None
        for line in self.process.stdout:
            self.lines.put(line)

    def wait_for(self, pattern: str, timeout: float = 120) -> re.Match[str]:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            found = re.search(pattern, self.output)
            if found:
                return found
            try:
                self.output += self.lines.get(timeout=0.5)
            except queue.Empty:
                if self.process.poll() is not None:
                    break
        raise AssertionError(f"`placet demo` never printed {pattern!r}:\n{self.output}")

    def stop(self) -> None:
        self.process.terminate()
        self.process.wait(timeout=20)


@pytest.fixture
def demo(tmp_path: Path) -> Iterator[tuple[Demo, Path]]:
    folder = tmp_path / "placet-demo"
    running = Demo(folder)
    try:
        yield running, folder
    finally:
        running.stop()


@pytest.mark.slow
def test_placet_demo_serves_a_working_privacy_center_with_realistic_data(
    demo: tuple[Demo, Path], page: Any
) -> None:
    running, folder = demo
    started = time.monotonic()
    running.wait_for(r"Press Ctrl\+C to stop")
    url = running.wait_for(r"(http://127\.0\.0\.1:\d+)/privacy").group(1)
    number = running.wait_for(r"with the number (\+\d+)").group(1)
    api_key = running.wait_for(r"Bearer (placet_\S+)'").group(1)
    dpo_password = running.wait_for(r"dpo / (\S+)").group(1)
    ready = time.monotonic() - started

    page.goto(f"{url}/privacy/sign-in?lang=en")
    page.get_by_label("Mobile number or e-mail address").fill(number)
    page.get_by_role("button", name="Send code").click()
    page.wait_for_url("**/privacy/sign-in/code")
    page.goto(f"{url}/demo/outbox")
    screenshot(page, "demo-outbox")
    code = code_in(page.locator("pre.message").first.inner_text())
    page.goto(f"{url}/privacy/sign-in/code")
    page.get_by_label("Code").fill(code)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url("**/privacy/choices")
    screenshot(page, "demo-choices")
    assert page.get_by_text("Signed in as").is_visible()
    # The demo signs the visitor in as a subscriber who gave a consent: it shows, and can
    # be withdrawn with one click.
    assert page.get_by_role("button", name="Withdraw consent").count() >= 1
    page.get_by_role("link", name="History").click()
    page.wait_for_url("**/privacy/history")
    screenshot(page, "demo-history")
    assert page.locator("main li, main tr").count() > 0  # the seeded consent history
    verified = httpx.get(
        f"{url}/v1/ledger/verify", headers={"Authorization": f"Bearer {api_key}"}, timeout=30
    )
    assert verified.status_code == 200, verified.text
    assert verified.json()["intact"] is True
    requests = httpx.get(
        f"{url}/v1/requests", headers={"Authorization": f"Bearer {api_key}"}, timeout=30
    )
    assert requests.status_code == 200, requests.text
    assert ready < 120, f"the demo took {ready:.0f} s to start"

    # The DPO finds the seeded queue, the overdue request first.
    page.goto(f"{url}/console")
    page.get_by_label("Staff name").fill("dpo")
    page.get_by_label("Password").fill(dpo_password)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url("**/console")
    screenshot(page, "demo-console-queue")
    rows = page.locator("tbody tr")
    assert rows.count() >= 7
    assert "overdue" in (rows.first.get_attribute("class") or "")
    assert (folder / "ipko" / "demo.json").is_file()


@pytest.mark.slow
def test_placet_demo_tours_ipnordic_too(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    site = prepare_demo_site(tmp_path, OperatorName.IPNORDIC, now=datetime.now(UTC))
    for name, value in site.environment.items():
        monkeypatch.setenv(name, value)
    app = create_site(site.settings)

    with TestClient(app) as client:
        notice = client.get("/privacy/notice?lang=da")
        queue = client.get("/console/sign-in")

    assert notice.status_code == 200
    assert 'lang="da"' in notice.text
    assert queue.status_code == 200
    assert site.sign_in_number.startswith("+45")
    assert set(site.staff) == {"dpo", "care-agent", "auditor"}
    app.state.services.ledger.engine.dispose()
