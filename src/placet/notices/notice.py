"""Render the published privacy notice of a policy as Markdown, HTML or PDF.

The notice is built from the policy's elements (`placet.notices.document`) and laid out by
Jinja2 templates: HTML with autoescaping, Markdown with CommonMark escaping, and PDF printed
from the HTML by WeasyPrint (the `pdf` extra).
"""

from __future__ import annotations

import logging
import re
from enum import StrEnum
from functools import cache

from jinja2 import Environment, PackageLoader, select_autoescape
from markupsafe import Markup

from placet.errors import PlacetError
from placet.notices.document import Notice, build_notice
from placet.policy.model import Policy

__all__ = [
    "NoticeFormat",
    "css_counter",
    "escape_markdown",
    "pdf_from_html",
    "render_notice",
    "template_environment",
]

log = logging.getLogger(__name__)


class NoticeFormat(StrEnum):
    MARKDOWN = "md"
    HTML = "html"
    PDF = "pdf"


def render_notice(policy: Policy, language: str, fmt: NoticeFormat) -> bytes:
    """The notice of `policy` in `language` as UTF-8 Markdown or HTML, or as a PDF.

    Raises `PolicyError` when the policy has no texts in `language`.

        render_notice(policy, "sq", NoticeFormat.HTML)
    """
    fmt = NoticeFormat(fmt)
    notice = build_notice(policy, language)
    log.debug(
        "notice rendered",
        extra={"policy": policy.policy_id, "version": policy.version, "language": language},
    )
    if fmt is NoticeFormat.MARKDOWN:
        return _markdown(notice).encode("utf-8")
    html = _html(notice)
    if fmt is NoticeFormat.HTML:
        return html.encode("utf-8")
    return pdf_from_html(html)


def _html(notice: Notice) -> str:
    template = template_environment().get_template("notice.html")
    return template.render(notice=notice, page_counter=css_counter(notice.page_label))


def _markdown(notice: Notice) -> str:
    text = template_environment().get_template("notice.md").render(notice=notice)
    lines = [line.rstrip() for line in text.splitlines()]
    return re.sub(r"\n{3,}", "\n\n", "\n".join(lines)).strip() + "\n"


def pdf_from_html(html: str) -> bytes:
    try:
        from weasyprint import HTML
    except ImportError as exc:  # the `pdf` extra is not installed
        raise PlacetError(
            "PDF notices need WeasyPrint: install it with `pip install 'placet[pdf]'`, "
            "or render the notice as html or md."
        ) from exc
    document: bytes = HTML(string=html).write_pdf(pdf_tags=True)
    return document


@cache
def template_environment() -> Environment:
    environment = Environment(
        loader=PackageLoader("placet.notices", "templates"),
        autoescape=select_autoescape(enabled_extensions=("html",), default=False),
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    environment.filters["md"] = escape_markdown
    return environment


_INLINE_SPECIALS = re.compile(r"([\\`*_\[\]<>|~#])")
_ENTITY = re.compile(r"&(?=#?\w+;)")
_LIST_OR_HEADING_START = re.compile(r"^([-+=]|\d+(?=[.)]))")


def escape_markdown(text: object) -> str:
    """Text that CommonMark shows as written: no emphasis, links, lists or headings by accident.

    escape_markdown("*_a_* 1. b") == "\\*\\_a\\_\\* 1. b"
    """
    lines = []
    for raw in str(text).splitlines():
        line = _ENTITY.sub("\\&", _INLINE_SPECIALS.sub(r"\\\1", raw.strip()))
        start = _LIST_OR_HEADING_START.match(line)
        if start and start.group(1)[0].isdigit():
            digits = start.group(1)
            line = f"{digits}\\{line[len(digits) :]}"
        elif start:
            line = f"\\{line}"
        lines.append(line)
    return "\n".join(lines)


def css_counter(page_label: str) -> Markup:
    """`Page {page} of {pages}` as a CSS `content` value with the page counters in place."""
    parts = []
    for piece in re.split(r"(\{page\}|\{pages\})", page_label):
        if piece == "{page}":
            parts.append("counter(page)")
        elif piece == "{pages}":
            parts.append("counter(pages)")
        elif piece:
            parts.append(_css_string(piece))
    # Safe: the only text in it went through _css_string, which quotes and escapes it.
    return Markup(" ".join(parts))


def _css_string(text: str) -> str:
    escaped = text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\A ")
    return '"' + escaped.replace("<", "\\3C ") + '"'
