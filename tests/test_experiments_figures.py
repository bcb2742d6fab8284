"""Figures fit for a paper, from small real experiments run by the runner: every figure is written at 300 dpi as PNG
(opened with PIL) and SVG (parsed as XML), has no text outside the canvas and no two texts overlapping (as
matplotlib measures them after drawing), names a unit on every axis; replications are drawn when few, intervals of
non-negative quantities stay at or above zero; sweeps draw any summary key (`report --key`) coloured by a second
factor, with a heatmap; Sobol and Morris warn when the sample is small; a Morris mu* of 0 is a visible marker."""

from __future__ import annotations

import itertools
import xml.etree.ElementTree as ET
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from matplotlib.text import Text
from PIL import Image

import experiments
from experiments import figures
from experiments.stats import t_interval

SMALL = {"households": 60, "days": 12}
SCENARIOS = ["no_linkage", "internal", "external", "emergency_online", "open_recruitment", "three_social",
             "wuhan_2020"]


def write(folder: Path, name: str, text: str) -> Path:
    path = folder / name
    path.write_text(text, encoding="utf-8")
    return path


@pytest.fixture(scope="module")
def folders(tmp_path_factory) -> dict[str, Path]:
    """One small experiment of each kind, run once for the module."""
    root = tmp_path_factory.mktemp("figures")
    small = "[overrides]\nhouseholds = 60\ndays = 12\n"
    grid = write(root, "grid.toml", f'''name = "grid"\nbase = "no_linkage"\ndesign = "grid"\nreplications = 3
root_seed = 5\n{small}[factors]\n"reporting.call_prob" = [0.1, 0.3, 0.5]\n"online.enabled" = [false, true]\n''')
    lhs = write(root, "lhs.toml", f'''name = "lhs"\nbase = "no_linkage"\ndesign = "lhs"\nsamples = 6
replications = 1\nroot_seed = 5\n{small}[factors]\nmass_base = {{ low = 0.0, high = 1.0 }}
"reporting.call_prob" = {{ low = 0.05, high = 0.6 }}\n"cadres.fatigue_rate" = {{ low = 0.0, high = 0.05 }}\n''')
    sobol = write(root, "sobol.toml", f'''name = "sob"\nbase = "no_linkage"\ndesign = "sobol"\nsamples = 8
replications = 1\nroot_seed = 3\n{small}[factors]\nmass_base = {{ low = 0.0, high = 1.0 }}
"reporting.call_prob" = {{ low = 0.05, high = 0.6 }}\n''')
    # the reopened phase starts long after day 12: its food supply is inert, and with common random numbers its
    # elementary effects are exactly 0
    morris = write(root, "morris.toml", f'''name = "mor"\nbase = "no_linkage"\ndesign = "morris"\nsamples = 4
replications = 1\nroot_seed = 3\ncommon_random_numbers = true\n{small}[factors]
mass_base = {{ low = 0.0, high = 1.0 }}\n"reporting.call_prob" = {{ low = 0.05, high = 0.6 }}
"phases.reopened.food_supply" = {{ low = 0.5, high = 1.0 }}\n''')
    grid3 = write(root, "grid3.toml", f'''name = "grid3"\nbase = "no_linkage"\ndesign = "grid"\nreplications = 1
root_seed = 5\n{small}[factors]\n"reporting.call_prob" = [0.1, 0.5]\nmass_base = [0.0, 1.0]
"cadres.fatigue_rate" = [0.0, 0.05]\n''')
    out = {name: root / name for name in ("compare", "grid", "grid3", "lhs", "sobol", "morris")}
    experiments.compare(SCENARIOS, reps=2, overrides={**SMALL, "days": 30}, out=out["compare"], serial=True,
                        figures=False)
    experiments.sweep(grid, out=out["grid"], serial=True, figures=False)
    experiments.sweep(lhs, out=out["lhs"], serial=True, figures=False)
    experiments.sweep(grid3, out=out["grid3"], serial=True, figures=False)
    experiments.sensitivity(sobol, out=out["sobol"], serial=True, figures=False)
    experiments.sensitivity(morris, out=out["morris"], serial=True, figures=False)
    return out


def drawn_texts(fig) -> list[Text]:
    """Every text matplotlib draws: tick labels only of the ticks within the axis's view, other texts when they,
    their axes and their legend are visible and not empty."""
    fig.canvas.draw()
    ticks, shown = set(), []
    for ax in fig.axes:
        for axis in (ax.xaxis, ax.yaxis):
            lo, hi = sorted(axis.get_view_interval())
            pad = (hi - lo) * 1e-9
            for tick in axis.get_major_ticks() + axis.get_minor_ticks():
                for t in (tick.label1, tick.label2):
                    ticks.add(id(t))
                    if (ax.get_visible() and t.get_visible() and t.get_text().strip()
                            and lo - pad <= tick.get_loc() <= hi + pad):
                        shown.append(t)
    for t in fig.findobj(Text):
        if id(t) in ticks or not t.get_visible() or not t.get_text().strip():
            continue
        if t.axes is not None and not t.axes.get_visible():
            continue
        shown.append(t)
    return shown


def check_figure(fig, stem: Path) -> list[Text]:
    """The files `stem`.png and .svg are this figure at 300 dpi; no text outside the canvas, none overlapping."""
    width, height = fig.get_size_inches()
    with Image.open(stem.with_suffix(".png")) as image:
        assert image.size == (round(width * 300), round(height * 300)), stem
        assert all(abs(d - 300) < 0.5 for d in image.info["dpi"]), image.info
    root = ET.parse(stem.with_suffix(".svg")).getroot()
    assert root.tag.endswith("svg")
    assert float(root.get("width").removesuffix("pt")) == pytest.approx(width * 72, abs=0.1)
    assert float(root.get("height").removesuffix("pt")) == pytest.approx(height * 72, abs=0.1)
    svg_texts = "\n".join("".join(e.itertext()) for e in root.iter() if e.tag.endswith("text"))
    assert svg_texts.strip()  # text kept as text

    texts = drawn_texts(fig)
    renderer = fig.canvas.get_renderer()
    canvas = fig.bbox
    boxes = []
    for t in texts:
        box = t.get_window_extent(renderer)
        assert (box.x0 >= canvas.x0 - 1 and box.y0 >= canvas.y0 - 1 and box.x1 <= canvas.x1 + 1
                and box.y1 <= canvas.y1 + 1), f"{stem.name}: {t.get_text()!r} outside the canvas: {box}"
        boxes.append((t, box))
    tight = fig.get_tightbbox(renderer)
    assert tight.x0 >= -0.01 and tight.y0 >= -0.01, tight
    assert tight.x1 <= width + 0.01 and tight.y1 <= height + 0.01, (tight, width, height)
    for (a, ba), (b, bb) in itertools.combinations(boxes, 2):
        overlap_w = min(ba.x1, bb.x1) - max(ba.x0, bb.x0)
        overlap_h = min(ba.y1, bb.y1) - max(ba.y0, bb.y0)
        assert overlap_w <= 1 or overlap_h <= 1, f"{stem.name}: {a.get_text()!r} overlaps {b.get_text()!r}"
    return texts


def panels(fig):
    return [ax for ax in fig.axes if ax.get_visible() and ax.get_label() != "<colorbar>"]


def test_backlog_with_seven_scenarios_numbers_every_marker_and_clips_nothing(folders):
    res = experiments.report(folders["compare"])
    fig = res.drawn["backlog"]
    texts = check_figure(fig, folders["compare"] / "backlog")
    words = [t.get_text() for t in texts]
    assert any("Daily unmet backlog" in w for w in words)
    for label in SCENARIOS:
        assert any(w.startswith(f"{label} (n=2)") for w in words), label   # the legend, below the axes
    numbers = [t for t in texts if (t.get_gid() or "").startswith("marker-number-")]
    assert len(numbers) == len(res.markers) >= 5
    # each marker's number is listed with its day and text in the legend
    for i, m in enumerate(res.markers):
        assert any(w.replace("\n", " ").startswith(f"{i + 1}: day {m['day']}, {m['text']}") for w in words)
    (ax,) = panels(fig)
    assert "(needs outstanding)" in ax.get_ylabel() and "day" in ax.get_xlabel()
    assert len([line for line in ax.lines if line.get_gid() == "run"]) == 2 * len(SCENARIOS)   # few: each run


def test_differences_name_units_draw_each_seed_and_ticks_do_not_collide(folders):
    res = experiments.report(folders["compare"])
    fig = res.drawn["differences"]
    check_figure(fig, folders["compare"] / "differences")
    axes = panels(fig)
    assert len(axes) == len(res.tables["differences"]["key"].unique())
    for ax in axes:
        key = ax.get_title().replace("\n", "")
        assert f"({figures.unit(key)})".replace(" ", "") in ax.get_xlabel().replace("\n", "").replace(" ", "")
    seeds = [line for line in axes[0].lines if line.get_gid() == "seeds"]
    assert sum(len(line.get_xdata()) for line in seeds) == 2 * (len(SCENARIOS) - 1)


def test_sweep_colours_by_second_factor_draws_replications_and_stays_above_zero(folders):
    out = folders["grid"]
    res = experiments.report(out)
    fig = res.drawn["sweep"]
    check_figure(fig, out / "sweep")
    runs = experiments.load_runs(out)
    first, second = panels(fig)
    assert figures.unit("unmet_need_days_per_1000") in first.get_ylabel().replace("\n", " ")
    reps = [line for line in first.lines if line.get_gid() == "replications"]
    assert sum(len(line.get_ydata()) for line in reps) == len(runs) == 18
    means = [c for c in first.containers if c.lines[0].get_gid() == "point"]
    assert len(means) == 6
    assert len({c.lines[0].get_color() for c in means}) == 2      # coloured by online.enabled (two levels)
    assert len({round(float(c.lines[0].get_xdata()[0]), 6) for c in means}) == 6   # levels set apart, not piled
    for ax in (first, second):
        for c in ax.containers:
            for bars in c.lines[2]:
                for segment in bars.get_segments():
                    assert segment[:, 1].min() >= 0   # a bootstrap percentile interval of a non-negative mean
    # the boolean factor's panel is categorical, coloured by reporting.call_prob
    assert [t.get_text() for t in second.get_xticklabels()] == ["False", "True"]
    assert "coloured by reporting.call_prob" in second.get_title()

    heat = res.drawn["heatmap"]
    check_figure(heat, out / "heatmap")
    image = heat.axes[0].images[0].get_array()
    expected = runs.groupby(["online.enabled", "reporting.call_prob"])["unmet_need_days_per_1000"].mean()
    assert image.shape == (2, 3)
    assert np.allclose(np.asarray(image), expected.unstack().to_numpy())


def test_sweep_of_three_factors_colours_by_the_second_shapes_by_the_third_and_piles_nothing(folders):
    res = experiments.report(folders["grid3"])
    fig = res.drawn["sweep"]
    check_figure(fig, folders["grid3"] / "sweep")
    for ax in panels(fig):
        points = [c.lines[0] for c in ax.containers if c.lines[0].get_gid() == "point"]
        points += [line for line in ax.lines if line.get_gid() == "point"]
        assert len(points) == 8
        assert len({round(float(p.get_xdata()[0]), 9) for p in points}) == 8     # each point its own x
        assert len({p.get_color() for p in points}) == 2 and len({p.get_marker() for p in points}) == 2
        assert "shaped by" in ax.get_title().replace("\n", " ")


def test_sweep_of_a_continuous_design_uses_a_colour_scale(folders):
    res = experiments.report(folders["lhs"])
    fig = res.drawn["sweep"]
    check_figure(fig, folders["lhs"] / "sweep")
    assert len([ax for ax in fig.axes if ax.get_label() == "<colorbar>"]) == 3   # one per panel
    check_figure(res.drawn["heatmap"], folders["lhs"] / "heatmap")


def test_report_key_draws_any_outcome_and_refuses_an_unknown_one(folders, liandong):
    out = folders["grid"]
    experiments.report(out)
    code, stdout, stderr = liandong("report", out, "--key", "critical_failures")
    assert code == 0, stderr
    assert "critical_failures by design point" in stdout
    res = experiments.report(out, key="critical_failures")
    fig = res.drawn["sweep-critical_failures"]
    check_figure(fig, out / "sweep-critical_failures")
    check_figure(res.drawn["heatmap-critical_failures"], out / "heatmap-critical_failures")
    assert "(failures)" in panels(fig)[0].get_ylabel()
    assert (out / "sweep.png").exists()   # the default figure stays beside it

    code, _, stderr = liandong("report", out, "--key", "no_such_key")
    assert code == 2 and "not a summary key" in stderr and "Traceback" not in stderr

    res = experiments.report(folders["compare"], key="mean_days_to_meet")
    fig = res.drawn["differences-mean_days_to_meet"]
    check_figure(fig, folders["compare"] / "differences-mean_days_to_meet")
    assert len(panels(fig)) == 1


def test_bootstrap_percentile_interval_stays_within_the_values():
    values = [0, 0, 0, 0, 7]
    _, _, _, t_low, _ = t_interval(values)
    assert t_low < 0   # the t-interval of a count dips below zero
    mean, low, high = figures.bootstrap_interval(values)
    assert mean == 1.4 and 0 <= low <= mean <= high <= 7
    assert figures.bootstrap_interval(values) == (mean, low, high)   # seeded: the same figure every time
    assert np.isnan(figures.bootstrap_interval([3])[1])


def test_sobol_with_few_samples_warns_on_the_console_and_the_figure(folders, liandong):
    out = folders["sobol"]
    code, stdout, stderr = liandong("report", out)
    assert code == 0, stderr
    assert "warning: Sobol indices from N = 8 base samples" in stdout
    res = experiments.report(out)
    assert any("N = 8" in w for w in res.warnings)
    table = res.tables["sobol"]
    beyond = ((table["S1"] - table["S1_conf"] > 1) | (table["S1"] + table["S1_conf"] < 0)
              | (table["ST"] - table["ST_conf"] > 1) | (table["ST"] + table["ST_conf"] < 0))
    assert any("outside [0, 1]" in w for w in res.warnings) == bool(beyond.any())
    fig = res.drawn["sensitivity"]
    texts = check_figure(fig, out / "sensitivity")
    assert any(t.get_text().startswith("Warning: Sobol indices from N = 8") for t in texts)
    svg = (out / "sensitivity.svg").read_text(encoding="utf-8")
    assert "Warning: Sobol indices from N = 8" in svg
    # SALib's bootstrap intervals, as the table gives them
    ax = panels(fig)[0]
    s1 = next(c for c in ax.containers if c.lines[0].get_gid() == "S1")
    rows = table[table["key"] == "unmet_need_days"]
    widths = sorted(float(s[1, 0] - s[0, 0]) for s in s1.lines[2][0].get_segments())
    assert widths == pytest.approx(sorted(2 * rows["S1_conf"].abs()))


def test_morris_zero_mu_star_is_a_visible_marker_intervals_stop_at_zero_and_mu_sigma_plot(folders):
    out = folders["morris"]
    res = experiments.report(out)
    table = pd.read_csv(out / "morris.csv")
    inert = table[table["factor"] == "phases.reopened.food_supply"]
    assert len(inert) and (inert["mu_star"] == 0).all()
    assert any("4 trajectories" in w for w in res.warnings)

    fig = res.drawn["sensitivity"]
    check_figure(fig, out / "sensitivity")
    factors = list(dict.fromkeys(table["factor"]))
    row = factors.index("phases.reopened.food_supply")
    for ax in panels(fig):
        c = next(c for c in ax.containers if c.lines[0].get_gid() == "mu_star")
        marker = c.lines[0]
        assert marker.get_marker() == "o" and marker.get_markersize() > 0
        assert marker.get_xdata()[row] == 0 and ax.get_xlim()[0] < 0   # drawn inside the axes, not on its edge
        for segment in c.lines[2][0].get_segments():
            assert segment[:, 0].min() >= 0
        assert "per factor range" in ax.get_xlabel().replace("\n", " ")

    plane = res.drawn["mu_sigma"]
    texts = check_figure(plane, out / "mu_sigma")
    words = [t.get_text() for t in texts]
    for f in factors:
        assert f in words
    ax = panels(plane)[0]
    key = ax.get_title().replace("\n", "")
    point = next(line for line in ax.lines if line.get_gid() == "factor:mass_base")
    expected = table[(table["key"] == key) & (table["factor"] == "mass_base")].iloc[0]
    assert point.get_xdata()[0] == pytest.approx(expected["mu_star"])
    assert point.get_ydata()[0] == pytest.approx(expected["sigma"])
    assert "sigma (" in ax.get_ylabel().replace("\n", " ")


def test_unit_table_covers_every_summary_key():
    from simulation import SUMMARY_KEYS

    for key in SUMMARY_KEYS:
        assert key in figures.UNITS, key
    assert figures.unit("some_new_overload_days") == "days" and figures.unit("mystery") == "value"


def test_many_scenarios_factors_and_long_names_still_fit(tmp_path):
    """The layout at sizes beyond the small experiments above: 15 scenarios with long names and a marker each,
    25 factors, 13 keys; the figure functions take the same tables the runner writes."""
    rng = np.random.default_rng(1)
    labels = [f"scenario_with_a_rather_long_name_{i:02d}" for i in range(15)]
    daily = pd.DataFrame([{"run": s * 3 + r, "scenario": lab, "day": d, "unmet_total": int(rng.integers(0, 50))}
                          for s, lab in enumerate(labels) for r in range(3) for d in range(40)])
    marks = [{"day": 10 + (i % 4), "text": f"section_{i}.helpers_arrival_day", "kind": "mechanism",
              "scenarios": [lab], "all": False} for i, lab in enumerate(labels)]
    fig = figures.backlog_figure(daily, labels, marks, title="A title long enough to need wrapping " * 4)
    figures.save(fig, tmp_path / "backlog")
    check_figure(fig, tmp_path / "backlog")

    from simulation import SUMMARY_KEYS

    diffs = pd.DataFrame([{"scenario": lab, "reference": "reference", "key": key, "mean_diff": v,
                           "ci_low": v - 1, "ci_high": v + 1}
                          for lab in labels for key in SUMMARY_KEYS for v in [float(rng.normal(0, 3e4))]])
    fig = figures.differences_figure(diffs)
    figures.save(fig, tmp_path / "differences")
    check_figure(fig, tmp_path / "differences")

    names = [f"phases.full_closure.a_long_factor_name_{i}" for i in range(25)]
    morris = pd.DataFrame([{"key": key, "factor": f, "mu": 0.0, "mu_star": float(abs(rng.normal())) * (i % 5 > 0),
                            "mu_star_conf": 0.5, "sigma": float(abs(rng.normal()))}
                           for key in SUMMARY_KEYS[:4] for i, f in enumerate(names)])
    for name, fig in (("sensitivity", figures.sensitivity_figure(morris, "morris", notes=["a warning " * 30])),
                      ("mu_sigma", figures.mu_sigma_figure(morris))):
        figures.save(fig, tmp_path / name)
        check_figure(fig, tmp_path / name)
