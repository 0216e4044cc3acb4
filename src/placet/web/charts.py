"""Charts drawn on the server as inline SVG: no JavaScript, no library, nothing from a CDN.

`line_chart` draws a few series over ordered labels (months), `bar_chart` stacks them.
Each series has its colour (the Okabe–Ito palette, told apart with colour blindness), and
also its own marker or hatching, so colour is never the only way to tell them apart. The
SVG is one image to assistive technology, named by its title and summarised by its
description; the page shows the same numbers in a table beside it.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from html import escape
from typing import Final

from markupsafe import Markup

__all__ = ["PALETTE", "Chart", "LegendEntry", "Series", "bar_chart", "line_chart", "nice_ceiling"]

PALETTE: Final = ("#0072b2", "#d55e00", "#009e73", "#cc79a7", "#e69f00", "#56b4e9", "#000000")
"""Okabe and Ito's colours, without the yellow, which is too pale on white."""
_MARKERS: Final = ("circle", "square", "triangle", "diamond", "cross", "bar", "dot")
_WIDTH: Final = 640
_HEIGHT: Final = 260
_LEFT: Final = 52
_RIGHT: Final = 14
_TOP: Final = 14
_BOTTOM: Final = 44
_TICKS: Final = 4
_WIDEST_BAR: Final = 48.0
_EDGE: Final = "#1b1f24"
"""The dark edge around every bar and marker: the paler colours of the palette have less
than 3:1 contrast with white (WCAG 1.4.11), their edge has more."""
_CHAR: Final = 7.0
"""About the width of a 12-pixel label's character, to keep labels apart."""


@dataclass(frozen=True, slots=True)
class Series:
    """One named line or stack of bars: a value (or None, not known) for each label."""

    name: str
    values: tuple[float | None, ...]


@dataclass(frozen=True, slots=True)
class LegendEntry:
    """One series in the legend: its name, colour and marker, and a small SVG swatch that
    draws them as the chart does."""

    name: str
    colour: str
    marker: str
    swatch: Markup


@dataclass(frozen=True, slots=True)
class Chart:
    """A chart's SVG and its legend, for the page to show below it."""

    svg: Markup
    legend: tuple[LegendEntry, ...]


def _count_ceiling(value: float) -> float:
    """The axis top for counts: `_TICKS` times a round whole step, so every tick is a
    whole number (never 0.25 of a request)."""
    wanted = max(value / _TICKS, 1.0)
    power = 10.0 ** math.floor(math.log10(wanted))
    for step in (1.0, 1.5, 2.0, 2.5, 3.0, 4.0, 5.0, 6.0, 8.0, 10.0):
        if step * power >= wanted - 1e-9 and (step * power).is_integer():
            return step * power * _TICKS
    return 10.0 * power * _TICKS  # pragma: no cover - 10 × power always holds


def nice_ceiling(value: float) -> float:
    """The smallest of 1, 2, 2.5, 5 × 10ⁿ at or above `value` (1 for nothing to show)."""
    if value <= 0:
        return 1.0
    power = 10.0 ** math.floor(math.log10(value))
    for step in (1.0, 2.0, 2.5, 5.0, 10.0):
        if value <= step * power + 1e-9:
            return step * power
    return 10.0 * power  # pragma: no cover - 10 × power always holds


def line_chart(
    key: str,
    title: str,
    description: str,
    labels: Sequence[str],
    series: Sequence[Series],
    *,
    percent: bool = False,
) -> Chart:
    """Lines over `labels`, one per series, each point marked; `percent` reads values as
    shares (0–1) on a 0–100 % axis. `key` makes the SVG's ids unique on the page."""
    top = 1.0 if percent else nice_ceiling(_largest(series, stacked=False))
    frame = _Frame(labels, top, percent)
    parts = [*frame.axes()]
    for number, one in enumerate(series):
        colour, marker = _look(number)
        points = [
            (frame.x(index), frame.y(value))
            for index, value in enumerate(one.values)
            if value is not None
        ]
        if len(points) > 1:
            path = " ".join(f"{x:.1f},{y:.1f}" for x, y in points)
            dash = ' stroke-dasharray="6 3"' if number % 2 else ""
            parts.append(
                f'<polyline points="{path}" fill="none" stroke="{colour}" stroke-width="2.2"'
                f"{dash}/>"
            )
        parts += [_marker(marker, x, y, colour) for x, y in points]
    return _chart(key, title, description, parts, series, swatch=_line_swatch)


def bar_chart(
    key: str,
    title: str,
    description: str,
    labels: Sequence[str],
    series: Sequence[Series],
) -> Chart:
    """Bars over `labels`, the series stacked in each, the first at the bottom."""
    frame = _Frame(labels, _count_ceiling(_largest(series, stacked=True)), percent=False)
    parts = [*frame.axes()]
    width = min(max(frame.band() * 0.62, 2.0), _WIDEST_BAR)
    for index in range(len(labels)):
        base = 0.0
        for number, one in enumerate(series):
            value = one.values[index] if index < len(one.values) else None
            if not value:
                continue
            y_top, y_bottom = frame.y(base + value), frame.y(base)
            parts.append(
                f'<rect x="{frame.x(index) - width / 2:.1f}" y="{y_top:.1f}" '
                f'width="{width:.1f}" height="{max(y_bottom - y_top, 0.5):.1f}" '
                f'fill="{_fill(key, number)}" stroke="{_EDGE}" stroke-width="0.6"/>'
            )
            base += value
    patterns = "".join(_pattern(key, number) for number in range(len(series)))

    def swatch(number: int) -> str:
        return (
            f'<rect x="1" y="1" width="14" height="14" fill="{_fill(key, number)}" '
            f'stroke="{_EDGE}" stroke-width="0.6"/>'
        )

    return _chart(
        key, title, description, [f"<defs>{patterns}</defs>", *parts], series, swatch=swatch
    )


class _Frame:
    """The plotting area: where a label's point and a value's height are drawn."""

    def __init__(self, labels: Sequence[str], top: float, percent: bool) -> None:
        self.labels = labels
        self.top = top
        self.percent = percent
        self.inner_width = _WIDTH - _LEFT - _RIGHT
        self.inner_height = _HEIGHT - _TOP - _BOTTOM

    def band(self) -> float:
        return self.inner_width / max(len(self.labels), 1)

    def x(self, index: int) -> float:
        return _LEFT + self.band() * (index + 0.5)

    def y(self, value: float) -> float:
        return _TOP + self.inner_height * (1 - min(max(value / self.top, 0.0), 1.0))

    def axes(self) -> list[str]:
        parts = []
        for tick in range(_TICKS + 1):
            value = self.top * tick / _TICKS
            y = self.y(value)
            text = f"{value * 100:.0f} %" if self.percent else _number(value)
            parts.append(
                f'<line x1="{_LEFT}" x2="{_WIDTH - _RIGHT}" y1="{y:.1f}" y2="{y:.1f}" '
                f'stroke="{"#4a5260" if tick == 0 else "#d5dae1"}" stroke-width="1"/>'
                f'<text x="{_LEFT - 6}" y="{y + 4:.1f}" text-anchor="end">{text}</text>'
            )
        widest = max((len(label) for label in self.labels), default=1) * _CHAR + 8
        every = max(1, math.ceil(len(self.labels) * widest / self.inner_width))
        for index, label in enumerate(self.labels):
            if index % every == 0:
                parts.append(
                    f'<text x="{self.x(index):.1f}" y="{_HEIGHT - _BOTTOM + 18}" '
                    f'text-anchor="middle">{escape(label)}</text>'
                )
        return parts


def _chart(
    key: str,
    title: str,
    description: str,
    parts: list[str],
    series: Sequence[Series],
    *,
    swatch: Callable[[int], str],
) -> Chart:
    svg = (
        f'<svg class="chart" viewBox="0 0 {_WIDTH} {_HEIGHT}" role="img" '
        f'aria-labelledby="{key}-title {key}-desc" xmlns="http://www.w3.org/2000/svg" '
        f'font-size="12" fill="#1b1f24">'
        f'<title id="{key}-title">{escape(title)}</title>'
        f'<desc id="{key}-desc">{escape(description)}</desc>' + "".join(parts) + "</svg>"
    )
    legend = tuple(
        LegendEntry(
            one.name,
            *_look(number),
            Markup(  # the swatch holds numbers and colours only
                '<svg class="swatch" viewBox="0 0 16 16" width="16" height="16" '
                f'aria-hidden="true" xmlns="http://www.w3.org/2000/svg">{swatch(number)}</svg>'
            ),
        )
        for number, one in enumerate(series)
    )
    return Chart(Markup(svg), legend)


def _line_swatch(number: int) -> str:
    colour, marker = _look(number)
    dash = ' stroke-dasharray="4 2"' if number % 2 else ""
    line = f'<line x1="0" y1="8" x2="16" y2="8" stroke="{colour}" stroke-width="2"{dash}/>'
    return line + _marker(marker, 8, 8, colour)


def _look(number: int) -> tuple[str, str]:
    return PALETTE[number % len(PALETTE)], _MARKERS[number % len(_MARKERS)]


def _marker(shape: str, x: float, y: float, colour: str) -> str:
    paint = f'fill="{colour}" stroke="{_EDGE}" stroke-width="0.8"'
    if shape == "square":
        return f'<rect x="{x - 4:.1f}" y="{y - 4:.1f}" width="8" height="8" {paint}/>'
    if shape == "triangle":
        return _polygon(((x, y - 5), (x + 5, y + 4), (x - 5, y + 4)), paint)
    if shape == "diamond":
        return _polygon(((x, y - 5), (x + 5, y), (x, y + 5), (x - 5, y)), paint)
    if shape == "cross":
        return (
            f'<path d="M{x - 4:.1f},{y - 4:.1f} L{x + 4:.1f},{y + 4:.1f} M{x + 4:.1f},{y - 4:.1f} '
            f'L{x - 4:.1f},{y + 4:.1f}" stroke="{colour}" stroke-width="2.5"/>'
        )
    if shape == "bar":
        return f'<rect x="{x - 5:.1f}" y="{y - 2:.1f}" width="10" height="4" {paint}/>'
    radius = 4.5 if shape == "circle" else 3
    return f'<circle cx="{x:.1f}" cy="{y:.1f}" r="{radius}" {paint}/>'


def _polygon(corners: Sequence[tuple[float, float]], paint: str) -> str:
    path = " L".join(f"{x:.1f},{y:.1f}" for x, y in corners)
    return f'<path d="M{path} Z" {paint}/>'


def _pattern(key: str, number: int) -> str:
    """Every other stack's hatching: white lines over its colour, so neighbours differ
    in more than colour."""
    if number % 2 == 0:
        return ""
    angle = 45 if number % 4 == 1 else -45
    return (
        f'<pattern id="{key}-hatch-{number}" width="6" height="6" '
        f'patternUnits="userSpaceOnUse" patternTransform="rotate({angle})">'
        f'<rect width="6" height="6" fill="{_look(number)[0]}"/>'
        f'<line x1="0" y1="0" x2="0" y2="6" stroke="#ffffff" stroke-width="2"/></pattern>'
    )


def _fill(key: str, number: int) -> str:
    """A stack's paint: its colour, or its hatching over it (every other stack)."""
    return f"url(#{key}-hatch-{number})" if number % 2 else _look(number)[0]


def _largest(series: Sequence[Series], *, stacked: bool) -> float:
    if not series:
        return 0.0
    length = max(len(one.values) for one in series)
    if stacked:
        return max(
            (
                sum(one.values[i] or 0.0 for one in series if i < len(one.values))
                for i in range(length)
            ),
            default=0.0,
        )
    return max((value or 0.0 for one in series for value in one.values), default=0.0)


def _number(value: float) -> str:
    if value >= 1_000_000:
        return f"{value / 1_000_000:g} M"
    if value >= 10_000:
        return f"{value / 1_000:g} k"
    return f"{value:g}"
