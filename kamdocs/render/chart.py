"""The portfolio's chart: the sorted shares, the cumulative line and the 30/55/75% bands, as SVG.

Drawn by Vega-Lite through ``vl-convert-python``: a declarative chart library, compiled and
rendered in-process (no browser, no network), whose SVG is the same bytes for the same spec.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal
from functools import cache
from typing import Any

from kamdocs import formatting

VEGA_LITE = "5.21"  # pinned: a newer Vega-Lite in a newer vl-convert must not move the drawing
MAX_BARS = 25  # past this many clients, the rest are drawn as one bar
HEIGHT = 280
BAND_COLOURS = {"low": "#dbe9f6", "typical": "#dff3df", "high": "#fdebd0", "mono": "#f9d6d5"}
SHARE_COLOUR = "#4c78a8"
CUMULATIVE_COLOUR = "#c0392b"


@dataclass(frozen=True)
class Bar:
    label: str
    share: Decimal
    cumulative: Decimal


@dataclass(frozen=True)
class Band:
    key: str  # low | typical | high | mono
    low: Decimal
    high: Decimal
    label: str


def bars(rows: list[tuple[str, Decimal, Decimal]], others: str) -> list[Bar]:
    """``(label, share, cumulative)`` rows as bars, the clients past ``MAX_BARS`` as one bar
    labelled ``others`` (a format string given the count; never for one client alone)."""
    if len(rows) <= MAX_BARS + 1:
        return [Bar(*row) for row in rows]
    drawn = [Bar(*row) for row in rows[:MAX_BARS]]
    rest = rows[MAX_BARS:]
    if rest:
        share = sum((row[1] for row in rest), Decimal(0))
        drawn.append(Bar(others.format(n=len(rest)), share, rest[-1][2]))
    return drawn


@cache
def _d3_locale(lang: str) -> dict[str, Any]:
    """d3-format's number symbols for ``lang``, from Babel (CLDR), so that the axis reads as
    the tables do."""
    from babel.numbers import get_decimal_symbol, get_group_symbol, get_minus_sign_symbol

    loc = formatting.locale(lang)
    zero = formatting.percent(0, lang)
    return {
        "decimal": get_decimal_symbol(loc),
        "thousands": get_group_symbol(loc),
        "grouping": [3],
        "currency": ["", ""],
        "minus": get_minus_sign_symbol(loc),
        "percent": zero[zero.index("0") + 1 :] or "%",
    }


def spec(drawn: list[Bar], bands: list[Band], words: dict[str, str], lang: str) -> dict[str, Any]:
    """The Vega-Lite specification of the chart; every value inline (no data URL)."""
    data = [
        {
            "order": i,
            "label": bar.label,
            "share": float(bar.share),
            "cumulative": float(bar.cumulative),
            "share_text": formatting.share(bar.share, lang),
            "cumulative_text": formatting.share(bar.cumulative, lang),
        }
        for i, bar in enumerate(drawn)
    ]
    x = {
        "field": "label",
        "type": "nominal",
        "sort": {"field": "order"},
        "title": words["chart_x"],
        "axis": {"labelAngle": -35, "labelLimit": 180},
    }
    y = {
        "type": "quantitative",
        "scale": {"domain": [0, 1]},
        "axis": {"format": ".0%", "title": words["chart_y"], "values": [0, 0.3, 0.55, 0.75, 1]},
    }
    legend = {
        "scale": {
            "domain": [words["share"], words["cumulative"]],
            "range": [SHARE_COLOUR, CUMULATIVE_COLOUR],
        },
        "legend": {"orient": "top"},
        "title": None,
    }
    band_data = [
        {
            "low": float(b.low),
            "high": float(b.high),
            "colour": BAND_COLOURS[b.key],
            "label": b.label,
        }
        for b in bands
    ]
    return {
        "width": max(480, 56 * len(drawn)),
        "height": HEIGHT,
        "config": {"font": "sans-serif", "view": {"stroke": None}},
        "layer": [
            *(
                {
                    "data": {"values": [band]},
                    "mark": {"type": "rect", "fill": band["colour"]},
                    "encoding": {"y": {"field": "low", **y}, "y2": {"field": "high"}},
                }
                for band in band_data
            ),
            {
                "data": {"values": band_data},
                "mark": {"type": "text", "align": "left", "baseline": "top", "dx": 6, "dy": 2},
                "encoding": {
                    "x": {"value": "width"},
                    "y": {"field": "high", "type": "quantitative"},
                    "text": {"field": "label"},
                    "color": {"value": "#555555"},
                },
            },
            {
                "data": {"values": data},
                "layer": [
                    {
                        "mark": {"type": "bar", "width": {"band": 0.7}},
                        "encoding": {
                            "x": x,
                            "y": {"field": "share", **y},
                            "color": {"datum": words["share"], **legend},
                        },
                    },
                    {
                        "mark": {"type": "text", "baseline": "bottom", "dy": -3},
                        "encoding": {
                            "x": x,
                            "y": {"field": "share", "type": "quantitative"},
                            "text": {"field": "share_text"},
                            "color": {"value": "#222222"},
                        },
                    },
                    {
                        "mark": {"type": "line", "point": True},
                        "encoding": {
                            "x": x,
                            "y": {"field": "cumulative", "type": "quantitative"},
                            "color": {"datum": words["cumulative"]},
                        },
                    },
                ],
            },
        ],
    }


def svg(chart: dict[str, Any], lang: str) -> str:
    """The chart as an SVG element, without the XML prolog, for a page to hold inline."""
    import vl_convert  # noqa: PLC0415 - its JavaScript runtime starts on first use

    text = vl_convert.vegalite_to_svg(
        chart,
        vl_version=VEGA_LITE,
        allowed_base_urls=[],  # no data may be fetched from anywhere
        format_locale=_d3_locale(lang),
    )
    return _XML_PROLOG.sub("", text).strip()


_XML_PROLOG = re.compile(r"^<\?xml[^>]*\?>\s*")
