"""The text of a PDF the product wrote, for assertions on what a reader sees in it."""

from __future__ import annotations

import io
import shutil
import subprocess
from pathlib import Path

from pypdf import PdfReader


def pdf_text(source: Path | bytes) -> str:
    """The PDF's text, every run of whitespace one space.

    Read by poppler's `pdftotext`, which the test command installs: a 44-page access answer
    takes it 0.3 s against 4.3 s for pypdf, which reads it where poppler is absent.
    """
    document = source if isinstance(source, bytes) else source.read_bytes()
    if shutil.which("pdftotext") is not None:
        text = subprocess.run(
            ["pdftotext", "-enc", "UTF-8", "-", "-"],
            input=document,
            capture_output=True,
            check=True,
        ).stdout.decode("utf-8")
    else:
        text = " ".join(page.extract_text() or "" for page in PdfReader(io.BytesIO(document)).pages)
    return " ".join(text.split())
