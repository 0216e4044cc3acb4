"""Reading docs/ for the tests that run its examples as written."""

from __future__ import annotations

import re
from pathlib import Path

DOCS = Path(__file__).resolve().parents[1] / "docs"


def fenced_block(page: str, language: str, after: str) -> str:
    """The text of the first fenced `language` block of `docs/<page>` after the text
    `after` (a heading, a sentence), failing the test that asks when there is none."""
    text = (DOCS / page).read_text(encoding="utf-8")
    assert after in text, f"docs/{page} no longer says {after!r}"
    found = re.search(rf"```{language}\n(.*?)```", text[text.index(after) :], re.DOTALL)
    assert found is not None, f"no {language} block after {after!r} in docs/{page}"
    return found.group(1)
