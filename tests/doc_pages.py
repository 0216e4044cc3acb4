"""Reading docs/ for the tests that run its examples as written."""

from __future__ import annotations

import re
import shlex
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


def as_documented(output: str, documented: str) -> bool:
    """`output` says what `documented` does, line breaks aside, `…` standing for any text."""
    pattern = ".*?".join(
        re.escape(part.strip()) for part in " ".join(documented.split()).split("…")
    )
    return re.fullmatch(pattern, " ".join(output.split()), re.DOTALL) is not None


def console_steps(block: str) -> list[tuple[list[str], str, str]]:
    """The commands of a console block in order: each one's arguments after `placet`, its
    comment (the text after `#`, or ""), and what the page shows it printing."""
    steps: list[tuple[list[str], str, str]] = []
    for step in re.split(r"^\$ ", block, flags=re.MULTILINE)[1:]:
        line, _, printed = step.partition("\n")
        command, _, comment = line.partition("#")
        program, *arguments = shlex.split(command)
        assert program == "placet", f"not a placet command: {line!r}"
        steps.append((arguments, comment.strip(), printed))
    return steps
