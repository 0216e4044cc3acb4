"""The console's charts: SVG drawn on the server, named for assistive technology, every
text escaped, series told apart by more than colour."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET

import pytest

from placet.web.charts import PALETTE, Series, bar_chart, line_chart, nice_ceiling

SVG = "{http://www.w3.org/2000/svg}"


@pytest.mark.parametrize(
    ("value", "ceiling"),
    [(0, 1), (0.7, 1), (3, 5), (12, 20), (24, 25), (250, 250), (251, 500), (9_000, 10_000)],
)
def test_the_axis_tops_at_a_round_number_at_or_above_the_largest_value(
    value: float, ceiling: float
) -> None:
    assert nice_ceiling(value) == ceiling


def test_a_chart_is_one_image_named_by_its_title_and_description() -> None:
    chart = line_chart("c", "Consent rates", "Shares by month.", ["Jan", "Feb"], [])

    root = ET.fromstring(str(chart.svg))

    assert root.get("role") == "img"
    assert root.get("aria-labelledby") == "c-title c-desc"
    assert root.find(f"{SVG}title").text == "Consent rates"  # type: ignore[union-attr]
    assert root.find(f"{SVG}desc").text == "Shares by month."  # type: ignore[union-attr]


def test_names_and_labels_are_escaped() -> None:
    hostile = '<script>alert("x")</script>'

    chart = bar_chart("c", hostile, hostile, [hostile], [Series(hostile, (1.0,))])

    assert "<script>" not in str(chart.svg)
    ET.fromstring(str(chart.svg))  # still well-formed
    assert chart.legend[0].name == hostile  # the template escapes the legend


def test_a_percent_line_chart_draws_a_share_at_its_height() -> None:
    chart = line_chart(
        "c", "t", "d", ["a", "b", "c"], [Series("sms", (0.0, 0.5, 1.0))], percent=True
    )

    points = re.search(r'<polyline points="([^"]+)"', str(chart.svg))
    assert points is not None
    heights = [float(pair.split(",")[1]) for pair in points.group(1).split()]
    assert heights[0] > heights[1] > heights[2]
    assert heights[0] - heights[1] == pytest.approx(heights[1] - heights[2])
    assert "100 %" in str(chart.svg)


def test_an_unknown_value_leaves_a_gap_rather_than_a_zero() -> None:
    chart = line_chart("c", "t", "d", ["a", "b"], [Series("sms", (None, 0.5))], percent=True)

    assert "<polyline" not in str(chart.svg)  # one point: no line
    assert str(chart.svg).count("<circle") == 1


def test_stacked_bars_add_up_to_the_total_height() -> None:
    chart = bar_chart(
        "c", "t", "d", ["run"], [Series("delete", (30.0,)), Series("restrict", (10.0,))]
    )

    heights = [
        float(h)
        for h in re.findall(
            r'<rect x="[^"]+" y="[^"]+" width="[^"]+" height="([^"]+)"', str(chart.svg)
        )
    ]
    assert heights[0] == pytest.approx(3 * heights[1])


def test_each_series_has_its_own_colour_and_marker() -> None:
    series = [Series(f"option {number}", (1.0, 2.0)) for number in range(4)]

    chart = line_chart("c", "t", "d", ["a", "b"], series)

    colours = [entry.colour for entry in chart.legend]
    markers = [entry.marker for entry in chart.legend]
    assert colours == list(PALETTE[:4])
    assert len(set(markers)) == 4
    assert all(entry.colour in entry.swatch for entry in chart.legend)


def test_every_other_stack_is_hatched_so_neighbours_differ_in_more_than_colour() -> None:
    chart = bar_chart("c", "t", "d", ["a"], [Series("one", (1.0,)), Series("two", (1.0,))])

    assert 'pattern id="c-hatch-1"' in str(chart.svg)
    assert 'fill="url(#c-hatch-1)"' in str(chart.svg)
    assert 'fill="url(#c-hatch-1)"' in chart.legend[1].swatch
    assert "style=" not in str(chart.svg)  # the site's CSP allows no inline style


@pytest.mark.parametrize("largest", [1, 3, 5, 7, 26, 45, 250, 1_367_181])
def test_a_bar_chart_of_counts_has_whole_ticks(largest: int) -> None:
    chart = bar_chart("c", "t", "d", ["a"], [Series("requests", (float(largest),))])

    ticks = re.findall(r'text-anchor="end">([^<]+)</text>', str(chart.svg))
    values = [float(tick.replace(" M", "e6").replace(" k", "e3")) for tick in ticks]
    assert all(value.is_integer() for value in values), ticks
    assert values[-1] >= largest


def test_a_lone_bar_is_no_wider_than_a_bar_among_many() -> None:
    chart = bar_chart("c", "t", "d", ["run"], [Series("delete", (5.0,))])

    (width,) = re.findall(r'<rect x="[^"]+" y="[^"]+" width="([^"]+)"', str(chart.svg))
    assert float(width) <= 48
