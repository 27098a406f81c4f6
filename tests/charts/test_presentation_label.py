"""The presentation trend chart writes its latest figure beside the point, on the side where
no reference line runs through it. Positions are worked out by hand below on the chart's
value axis (a share's axis runs over whole tens around the figures drawn)."""

from __future__ import annotations

from datetime import date

import polars as pl

from cqi_core.charts.findings import PRESENTATION, trend_figure
from cqi_core.indicators.catalog import load_catalog

P1 = next(e for e in load_catalog().entries if e.id == "P1")  # a share; standard 35.2%


def _rows(last: float) -> pl.DataFrame:
    # four quarters; every interval within 28%-40%, so the axis runs from 20% to 40%
    return pl.DataFrame({"period_end": [date(2025, 12, 31), date(2026, 3, 31),
                                        date(2026, 6, 30), date(2026, 9, 30)],
                         "value": [0.30, 0.31, 0.32, last],
                         "ci_low": [0.28, 0.28, 0.29, 0.29], "ci_high": [0.36, 0.37, 0.38, 0.40]})


def _label_dy(figure) -> float:
    spec = figure.chart.to_dict()
    label = [layer["mark"] for layer in spec["layer"]
             if isinstance(layer["mark"], dict) and layer["mark"].get("fontWeight") == "bold"]
    assert len(label) == 1
    return label[0]["dy"]


def test_the_label_moves_below_the_point_when_the_standard_line_is_just_above():
    # 33.0% against the standard 35.2%: 2.2 of the axis's 20 points x 240 px = 26.4 px above
    # the point, inside the strip the label would cover above it (24 px +/- 13 px at 20 px
    # type), so the label goes below: dy = +(20 + 4) = 24
    figure = trend_figure(_rows(0.33), P1, "Permanency", "the whole agency", PRESENTATION)
    assert _label_dy(figure) == 24


def test_the_label_stays_above_the_point_when_nothing_is_in_its_way():
    # 25.0%: the standard is (35.2 - 25.0) / 20 x 240 = 122 px above, well clear: dy = -24
    figure = trend_figure(_rows(0.25), P1, "Permanency", "the whole agency", PRESENTATION)
    assert _label_dy(figure) == -24
