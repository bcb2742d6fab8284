"""The dashboard's figures, as Vega-Lite specs drawn in the browser.

Specs are plain dicts: building them through Altair costs about 100 ms a chart in schema validation, far more than
the rest of a re-render, and the specs are a few fixed shapes. Vega, Vega-Lite and Vega-Embed come from the local
asset cache (scripts/bootstrap.sh), so nothing is fetched from outside.
"""

from __future__ import annotations

import json
import typing
from collections.abc import Callable, Sequence
from pathlib import Path

import ipyvuetify as v
import numpy as np
import pandas as pd
import solara
import traitlets

from dashboard.i18n import t

SCHEMA = "https://vega.github.io/schema/vega-lite/v5.json"  # an identifier only; vega-embed never fetches it
HEIGHT = 190
DAY_AXIS = {"format": "d", "tickMinStep": 1}  # days are whole numbers, also on a short run's axis


class VegaChart(v.VuetifyTemplate):
    """A Vega-Lite chart (chart.vue: solara's VegaLite widget, safe when a chart is replaced while drawing).

    The spec travels as JSON text: reacton walks every list and dict among an element's arguments looking for
    child elements, which for a spec of ninety days' series cost more than all the rest of a re-render."""

    template_file = str(Path(__file__).with_name("chart.vue"))
    spec_json = traitlets.Unicode("{}").tag(sync=True)
    file_name = traitlets.Unicode("chart").tag(sync=True)  # of its PNG and SVG files
    png_label = traitlets.Unicode("PNG").tag(sync=True)
    svg_label = traitlets.Unicode("SVG").tag(sync=True)
    #: The last mark picked (spec's usermeta.pick): JSON [value, a number new with each pick], so that picking the
    #: same mark twice is two changes.
    picked = traitlets.Unicode("").tag(sync=True)


def show(spec: dict, name: str = "chart", on_pick: Callable[[typing.Any], None] | None = None) -> solara.Element:
    """A Vega-Lite widget for `spec`, with buttons that save it as PNG or SVG (`name`.png, `name`.svg).

    With `on_pick`, the marks that `spec["usermeta"]["pick"]` names (`mark`: the layer's name, `field`: the value
    reported, `label`: the field read out as the mark's name) are buttons: a click, or Enter or Space on one
    reached with Tab, calls `on_pick` with its datum's `field`."""
    extra = {"on_picked": lambda text: on_pick(json.loads(text)[0]) if text else None} if on_pick else {}
    return VegaChart.element(spec_json=json.dumps(spec, ensure_ascii=False, separators=(",", ":")),
                             file_name=name, png_label=t("chart_png"), svg_label=t("chart_svg"), **extra)


#: Presentation mode (per session): larger type, and one chart at a time as tall as the screen allows.
presenting = solara.reactive(False)
PRESENTATION_FIT = {"share": 0.55, "min": 300, "max": 900}

#: The charts' height follows the window's: this share of its height, within these bounds (pixels); chart.vue
#: applies it in the browser, which knows the window.
FIT_HEIGHT = {"share": 0.27, "min": 150, "max": 420}


def _figure(title: str, layers: list[dict], height: int = HEIGHT, fit: dict | None = None, **extra) -> dict:
    big = presenting.value
    size = 1.6 if big else 1.0  # a projector's audience sits metres away
    return {"$schema": SCHEMA, "title": {"text": title, "anchor": "start", "limit": 0}, "width": "container",
            "height": height, "layer": layers,
            "usermeta": {"fit_height": PRESENTATION_FIT if big else fit or FIT_HEIGHT},
            "config": {"legend": {"orient": "bottom", "columns": 3 if big else 2, "labelLimit": 0, "symbolLimit": 0,
                                  "labelFontSize": round(12 * size), "symbolSize": round(100 * size)},
                       "axis": {"labelFontSize": round(11 * size), "titleFontSize": round(12 * size)},
                       "title": {"fontSize": round(14 * size)},
                       "mark": {"strokeWidth": 2.5 if big else 2},
                       "view": {"stroke": None}},
            **extra}


def _phase_layers(phases: Sequence[tuple[int, str]], days: int, title: str = "phase") -> list[dict]:
    """A dashed rule at each phase change after day 0, its name in the tooltip: the names themselves are on the page's
    timeline, where they cannot collide with each other or with the lines."""
    marks = [{"day": start, "phase": name} for start, name in phases if 0 < start < days]
    if not marks:
        return []
    return [
        {"data": {"values": marks}, "mark": {"type": "rule", "strokeDash": [4, 3], "color": "#999"},
         "encoding": {"x": {"field": "day", "type": "quantitative"},
                      "tooltip": [{"field": "phase", "type": "nominal", "title": title},
                                  {"field": "day", "type": "quantitative"}]}},
    ]


def _tip(field: str, title: str, kind: str = "quantitative") -> dict:
    return {"field": field, "type": kind, "title": title}


def lines(daily: pd.DataFrame, series: dict[str, str], title: str, y_title: str, x_title: str,
          phases: Sequence[tuple[int, str]] = (), days: int = 0, dashed: Sequence[str] = (),
          series_title: str = "series", phase_title: str = "phase") -> dict:
    """One line per daily column in `series` (column -> label), with the phase changes marked; columns in
    `dashed` (capacities) are drawn dashed."""
    rows = []
    day = daily["day"].to_numpy().tolist()
    for column, label in series.items():
        dash = column in dashed
        values = np.round(daily[column].to_numpy(dtype=float), 4).tolist()
        rows += [{"day": d, "value": v, "series": label, "dash": dash} for d, v in zip(day, values)]
    # Before day 1 there is no data: fixed domains keep the scales finite and the legend in place from day 0.
    y_scale = {} if rows else {"domain": [0, 1]}
    line = {
        "data": {"values": rows},
        "mark": {"type": "line", "interpolate": "monotone"},
        "encoding": {
            "x": {"field": "day", "type": "quantitative", "title": x_title,
                  "scale": {"domain": [0, max(days, 1)]}, "axis": DAY_AXIS},
            "y": {"field": "value", "type": "quantitative", "title": y_title, "scale": y_scale},
            "color": {"field": "series", "type": "nominal", "title": None,
                      "scale": {"domain": list(series.values())}},
            "strokeDash": {"field": "dash", "type": "nominal", "legend": None,
                           "scale": {"domain": [False, True], "range": [[1, 0], [5, 3]]}},
            "tooltip": [_tip("day", x_title), _tip("series", series_title, "nominal"), _tip("value", y_title)],
        },
    }
    return _figure(title, [line, *_phase_layers(phases, days, phase_title)])


def bands(daily: pd.DataFrame, column: str, order: Sequence[str], title: str, x_title: str, y_title: str,
          phases: Sequence[tuple[int, str]] = (), days: int = 0, tips: dict[str, str] | None = None) -> dict:
    """Per scenario: the mean of `column` over replications as a line, the range over replications as a band.
    `tips` names the tooltip's fields (scenario, mean, low, high) in the page's language."""
    tips = {"scenario": "scenario", "mean": "mean", "low": "low", "high": "high", "phase": "phase", **(tips or {})}
    grouped = daily.groupby(["scenario", "day"])[column].agg(["mean", "min", "max"]).reset_index()
    rows = [{"scenario": r.scenario, "day": int(r.day), "mean": round(float(r.mean), 3), "low": float(r.min),
             "high": float(r.max)} for r in grouped.itertuples()]
    x = {"field": "day", "type": "quantitative", "title": x_title, "scale": {"domain": [0, max(days, 1)]},
         "axis": DAY_AXIS}
    color = {"field": "scenario", "type": "nominal", "title": None, "scale": {"domain": list(order)}}
    band = {"mark": {"type": "area", "opacity": 0.25},
            "encoding": {"x": x, "y": {"field": "low", "type": "quantitative", "title": y_title},
                         "y2": {"field": "high"}, "color": color}}
    line = {"mark": "line",
            "encoding": {"x": x, "y": {"field": "mean", "type": "quantitative"}, "color": color,
                         "tooltip": [_tip("scenario", tips["scenario"], "nominal"), _tip("day", x_title),
                                     *(_tip(f, tips[f]) for f in ("mean", "low", "high"))]}}
    data = {"data": {"values": rows}, "layer": [band, line]}
    return _figure(title, [data, *_phase_layers(phases, days, tips["phase"])], height=260,
                   fit={"share": 0.4, "min": 200, "max": 520})


DOORS = 4  # households a floor: two stairwells (单元) of two doors each
NEED_SCALE = {"domain": [0, 3], "range": ["#f4f4f4", "#c62828"], "clamp": True}


def community(buildings: list[dict], cells: list[dict], selected: int, title: str, tips: dict[str, str],
              gate: str) -> dict:
    """The whole community seen from above: grid cells (labelled with who serves them) holding their buildings,
    each building coloured by the share of its households with open needs, the selected one outlined; the gate at
    the bottom, where deliveries arrive."""
    x = {"field": "x", "type": "quantitative", "axis": None, "scale": {"domain": [0, 1]}}
    y = {"field": "y", "type": "quantitative", "axis": None, "scale": {"domain": [0, 1]}}
    x2, y2 = {"field": "x2"}, {"field": "y2"}
    cell_layer = {"data": {"values": cells}, "mark": {"type": "rect", "fill": "#eef3f8", "stroke": "#9fb3c8",
                                                      "cornerRadius": 3},
                  "encoding": {"x": x, "y": y, "x2": x2, "y2": y2,
                               "tooltip": [{"field": "label", "type": "nominal", "title": tips["cell"]}]}}
    cell_text = {"data": {"values": cells}, "mark": {"type": "text", "align": "left", "baseline": "top", "dx": 3,
                                                     "dy": 2, "fontSize": 10, "color": "#456"},
                 "encoding": {"x": x, "y": {"field": "y2", "type": "quantitative", "axis": None,
                                            "scale": {"domain": [0, 1]}}, "text": {"field": "short"}}}
    houses = {"data": {"values": buildings},
              "mark": {"type": "rect", "stroke": "#555", "cornerRadius": 1},
              "encoding": {"x": x, "y": y, "x2": x2, "y2": y2,
                           "color": {"field": "share", "type": "quantitative", "title": tips["share"],
                                     "scale": {"domain": [0, 0.5], "range": ["#ffffff", "#c62828"],
                                               "clamp": True}, "legend": {"format": ".0%"}},
                           "strokeWidth": {"condition": {"test": f"datum.building == {selected}", "value": 3},
                                           "value": 0.6},
                           "tooltip": [{"field": "name", "type": "nominal", "title": tips["building"]},
                                       {"field": "households", "type": "quantitative", "title": tips["households"]},
                                       {"field": "with_needs", "type": "quantitative", "title": tips["with_needs"]}]}}
    gate_layer = {"data": {"values": [{"x": 0.5, "y": 0.02, "label": gate}]},
                  "mark": {"type": "text", "fontSize": 12, "fontWeight": "bold", "color": "#2e5d8a"},
                  "encoding": {"x": x, "y": y, "text": {"field": "label"}}}
    return _figure(title, [cell_layer, cell_text, houses, gate_layer], height=320,
                   fit={"share": 0.45, "min": 260, "max": 560})


def building_floors(households: list[dict], floors: int, title: str, tips: dict[str, str]) -> dict:
    """One building floor by floor: a square per household (two stairwells of two doors a floor, the ground floor
    at the bottom), coloured by its open needs; a needs no responder knows of is marked with a dot."""
    x = {"field": "door", "type": "ordinal", "title": tips["door"], "axis": {"labelAngle": 0}}
    y = {"field": "floor", "type": "ordinal", "title": tips["floor"], "sort": "descending"}
    cells = {"data": {"values": households}, "mark": {"type": "rect", "stroke": "#777", "strokeWidth": 0.5},
             "encoding": {"x": x, "y": y,
                          "color": {"field": "needs", "type": "quantitative", "title": tips["needs"],
                                    "scale": NEED_SCALE},
                          "tooltip": [{"field": "where", "type": "nominal", "title": tips["household"]},
                                      {"field": "needs", "type": "quantitative", "title": tips["needs"]},
                                      {"field": "hidden", "type": "quantitative", "title": tips["hidden"]},
                                      {"field": "who", "type": "nominal", "title": tips["who"]}]}}
    unknown = {"data": {"values": [h for h in households if h["hidden"]]},
               "mark": {"type": "point", "shape": "circle", "filled": True, "size": 18, "color": "#222"},
               "encoding": {"x": x, "y": y}}
    return _figure(title, [cells, unknown], height=320, fit={"share": 0.45, "min": 260, "max": 560})
