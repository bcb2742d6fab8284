"""The dashboard's figures, as Vega-Lite specs drawn in the browser.

Specs are plain dicts: building them through Altair costs about 100 ms a chart in schema validation, far more than
the rest of a re-render, and the specs are a few fixed shapes. Vega, Vega-Lite and Vega-Embed come from the local
asset cache (scripts/bootstrap.sh), so nothing is fetched from outside.
"""

from __future__ import annotations

import json
import math
from collections.abc import Sequence
from pathlib import Path

import ipyvuetify as v
import networkx as nx
import numpy as np
import pandas as pd
import solara
import traitlets

SCHEMA = "https://vega.github.io/schema/vega-lite/v5.json"  # an identifier only; vega-embed never fetches it
HEIGHT = 190


class VegaChart(v.VuetifyTemplate):
    """A Vega-Lite chart (chart.vue: solara's VegaLite widget, safe when a chart is replaced while drawing).

    The spec travels as JSON text: reacton walks every list and dict among an element's arguments looking for
    child elements, which for a spec of ninety days' series cost more than all the rest of a re-render."""

    template_file = str(Path(__file__).with_name("chart.vue"))
    spec_json = traitlets.Unicode("{}").tag(sync=True)


def show(spec: dict) -> solara.Element:
    """A Vega-Lite widget for `spec`."""
    return VegaChart.element(spec_json=json.dumps(spec, ensure_ascii=False, separators=(",", ":")))


#: The charts' height follows the window's: this share of its height, within these bounds (pixels); chart.vue
#: applies it in the browser, which knows the window.
FIT_HEIGHT = {"share": 0.27, "min": 150, "max": 420}


def _figure(title: str, layers: list[dict], height: int = HEIGHT, fit: dict | None = None, **extra) -> dict:
    return {"$schema": SCHEMA, "title": {"text": title, "anchor": "start", "limit": 0}, "width": "container",
            "height": height, "layer": layers, "usermeta": {"fit_height": fit or FIT_HEIGHT},
            "config": {"legend": {"orient": "bottom", "columns": 2, "labelLimit": 0, "symbolLimit": 0,
                                  "labelFontSize": 12},
                       "axis": {"labelFontSize": 11, "titleFontSize": 12},
                       "title": {"fontSize": 14},
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
                  "scale": {"domain": [0, max(days, 1)]}},
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
    x = {"field": "day", "type": "quantitative", "title": x_title, "scale": {"domain": [0, max(days, 1)]}}
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


def network_layout(graph: nx.Graph, households: np.ndarray) -> dict[int, tuple[float, float]]:
    """A fixed layout of the households' ties (spring layout, fixed seed), scaled into the unit circle."""
    sub = graph.subgraph(households.tolist())
    if not len(sub):
        return {}
    pos = nx.spring_layout(sub, seed=1, iterations=60)
    xy = np.array(list(pos.values()))
    xy = xy - xy.mean(axis=0)
    scale = max(float(np.abs(xy).max()), 1e-9)
    return {int(k): (round(float(x / scale * 0.8), 4), round(float(y / scale * 0.8), 4))
            for k, (x, y) in zip(pos, xy)}


def network(graph: nx.Graph, layout: dict[int, tuple[float, float]], open_needs: np.ndarray,
            responders: Sequence[tuple[str, list[int]]], title: str, need_title: str, responder_title: str,
            household_title: str = "household") -> dict:
    """Households of one building (dots coloured by open needs), their ties, and the responders serving them
    (squares on a ring around the building, linked to the households whose needs they know of)."""
    nodes = [{"x": x, "y": y, "needs": int(open_needs[h]), "household": h} for h, (x, y) in layout.items()]
    edges = []
    for i, (a, b) in enumerate(graph.subgraph(layout).edges()):
        edges += [{"edge": f"t{i}", "x": layout[a][0], "y": layout[a][1], "serves": False},
                  {"edge": f"t{i}", "x": layout[b][0], "y": layout[b][1], "serves": False}]
    ring = []
    for j, (label, served) in enumerate(responders):
        angle = 2 * math.pi * j / max(len(responders), 1)
        rx, ry = round(1.05 * math.cos(angle), 4), round(1.05 * math.sin(angle), 4)
        ring.append({"x": rx, "y": ry, "responder": label})
        for k, h in enumerate(served):
            if h in layout:
                edge = f"r{j}-{k}"
                edges += [{"edge": edge, "x": rx, "y": ry, "serves": True},
                          {"edge": edge, "x": layout[h][0], "y": layout[h][1], "serves": True}]
    scale = {"domain": [-1.2, 1.2]}
    x = {"field": "x", "type": "quantitative", "scale": scale, "axis": None}
    y = {"field": "y", "type": "quantitative", "scale": scale, "axis": None}
    ties = {"data": {"values": edges}, "mark": {"type": "line", "strokeWidth": 0.7},
            "encoding": {"x": x, "y": y, "detail": {"field": "edge", "type": "nominal"},
                         "color": {"condition": {"test": "datum.serves", "value": "#e08a00"}, "value": "#bbb"},
                         "opacity": {"condition": {"test": "datum.serves", "value": 0.8}, "value": 0.5}}}
    dots = {"data": {"values": nodes}, "mark": {"type": "circle", "size": 70, "stroke": "#444", "strokeWidth": 0.4},
            "encoding": {"x": x, "y": y,
                         "color": {"field": "needs", "type": "quantitative", "title": need_title,
                                   "scale": {"domain": [0, 3], "range": ["#f4f4f4", "#c62828"], "clamp": True}},
                         "tooltip": [_tip("household", household_title), _tip("needs", need_title)]}}
    squares = {"data": {"values": ring}, "mark": {"type": "point", "filled": True, "size": 150, "shape": "square"},
               "encoding": {"x": x, "y": y,
                            "color": {"field": "responder", "type": "nominal", "title": responder_title,
                                      "scale": {"scheme": "category10"}},
                            "tooltip": [_tip("responder", responder_title, "nominal")]}}
    return _figure(title, [ties, dots, squares], height=320, fit={"share": 0.45, "min": 260, "max": 560},
                   resolve={"scale": {"color": "independent"}})
