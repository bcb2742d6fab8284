"""The comparison as a one-page report to take to a meeting: a self-contained HTML file (it opens in any browser,
prints to one or two pages, and needs nothing from the network) with the scenarios and how their settings differ,
the daily chart, the tables with their verdicts and explanations, and the version and seeds that reproduce it.
"""

from __future__ import annotations

import datetime
import html
import io

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import pandas as pd  # noqa: E402

from dashboard import tables  # noqa: E402
from dashboard.i18n import FIELD_NAMES_EN, FIELDS, SECTIONS, language, phase_name, scenario_name, t  # noqa: E402
from experiments.plan import DEFAULT_ROOT_SEED  # noqa: E402
from simulation.provenance import code_version  # noqa: E402

STYLE = """
body { font-family: "Noto Sans CJK SC", "WenQuanYi Micro Hei", "Microsoft YaHei", sans-serif; max-width: 1000px;
       margin: 24px auto; color: #222; font-size: 13px; }
h1 { font-size: 20px; margin: 0 0 4px 0; } h2 { font-size: 15px; margin: 18px 0 6px 0; }
.meta { color: #555; font-size: 12px; }
.compare-table { border-collapse: collapse; margin-bottom: 10px; }
.compare-table caption { text-align: left; font-weight: 600; padding: 4px 0; }
.compare-table th, .compare-table td { padding: 3px 8px; border-bottom: 1px solid #ddd; text-align: right;
                                       vertical-align: top; }
.compare-table td:first-child, .compare-table th:first-child { text-align: left; max-width: 380px; }
.definition, .interval { font-size: 11px; color: #666; font-weight: normal; }
.direction { font-size: 11px; color: #1565c0; }
.verdict { white-space: nowrap; font-weight: 600; }
.verdict-better { color: #2e7d32; } .verdict-worse { color: #c62828; }
.settings li { margin: 2px 0; } .note, .why { color: #444; }
@media print { body { margin: 0; } .compare-table { page-break-inside: avoid; } }
"""


def _flat(data: dict, prefix: str = "") -> dict:
    out = {}
    for key, value in data.items():
        name = f"{prefix}{key}"
        if isinstance(value, dict):
            out.update(_flat(value, name + "."))
        elif key not in ("name", "description"):
            out[name] = value
    return out


def _field_label(key: str) -> str:
    """A setting as the page names it (a mechanism's switch by the mechanism's name), with its key for files."""
    section = key.partition(".")[0]
    if key.endswith(".enabled") and section in SECTIONS:
        name = SECTIONS[section][language.value]
    elif key in FIELDS:
        name = FIELDS[key][0] if language.value == "zh" else FIELD_NAMES_EN.get(key, key)
    else:
        name = {"households": t("households"), "days": t("compare_days")}.get(key)
    if name is None:
        return key
    return f"{name}（{key}）" if language.value == "zh" else f"{name} ({key})"


def _value(value) -> str:
    if isinstance(value, bool):
        return t("switch_on") if value else t("switch_off")
    if isinstance(value, list):
        return f"[{len(value)}]"
    return f"{value:g}" if isinstance(value, float) else str(value)


def settings_html(result: dict) -> str:
    """Each scenario's size, and how its settings differ from the reference's."""
    labels = result["labels"]
    flats = {label: _flat(result["scenarios"][label].model_dump(mode="json")) for label in labels}
    reference = flats[labels[0]]
    items = []
    for label in labels:
        s = result["scenarios"][label]
        line = t("report_size", households=f"{s.households:,}", days=s.days)
        if label != labels[0]:
            changed = [f"{_field_label(k)}: {_value(reference.get(k))} → {_value(v)}"
                       for k, v in flats[label].items() if reference.get(k) != v and k != "phases"]
            line += "; " + (t("report_changed", n=len(changed)) + "; ".join(changed[:40]) if changed
                            else t("report_same"))
        items.append(f"<li><b>{html.escape(scenario_name(label))}</b> ({html.escape(label)}): "
                     f"{html.escape(line)}</li>")
    return f'<ul class="settings">{"".join(items)}</ul>'


def chart_svg(result: dict) -> str:
    """The daily unmet needs of each scenario (mean line, range band), drawn as SVG for the file."""
    daily = result["daily"]
    first = result["scenarios"][result["labels"][0]]
    fig, ax = plt.subplots(figsize=(9, 3.4), dpi=100)
    plt.rcParams["font.sans-serif"] = ["WenQuanYi Micro Hei", "Noto Sans CJK SC", "DejaVu Sans"]
    for label in result["labels"]:
        rows = daily[daily["scenario"] == label].groupby("day")["unmet_total"].agg(["mean", "min", "max"])
        line, = ax.plot(rows.index, rows["mean"], label=scenario_name(label), linewidth=1.8)
        ax.fill_between(rows.index, rows["min"], rows["max"], alpha=0.2, color=line.get_color())
    for phase in first.phases[1:]:
        if phase.start < first.days:
            ax.axvline(phase.start, color="#999", linestyle="--", linewidth=0.8)
            ax.text(phase.start + 0.5, ax.get_ylim()[1] * 0.97, phase_name(phase.name), fontsize=8, va="top",
                    color="#666")
    ax.set_xlabel(t("axis_day"))
    ax.set_ylabel(t("axis_needs"))
    ax.set_title(t("compare_bands"), fontsize=10, loc="left")
    ax.legend(fontsize=8, frameon=False)
    ax.spines[["top", "right"]].set_visible(False)
    fig.tight_layout()
    out = io.StringIO()
    fig.savefig(out, format="svg")
    plt.close(fig)
    text = out.getvalue()
    return text[text.index("<svg"):]


def report_html(result: dict, reps: int) -> str:
    """The whole report, in the page's language."""
    labels = result["labels"]
    names = t("report_vs").join(scenario_name(label) for label in labels)
    seeds = sorted(set(pd.to_numeric(result["runs"]["seed"]).astype(int).tolist()))
    parts = [f'<h1>{html.escape(t("report_title", names=names))}</h1>',
             f'<div class="meta">{html.escape(t("report_meta", version=code_version(), reps=reps, root=DEFAULT_ROOT_SEED, seeds=", ".join(map(str, seeds[:20])) + (" …" if len(seeds) > 20 else ""), date=datetime.date.today().isoformat()))}</div>',  # noqa: E501
             f"<h2>{html.escape(t('report_scenarios'))}</h2>", settings_html(result),
             f"<h2>{html.escape(t('compare_bands'))}</h2>", chart_svg(result),
             f"<h2>{html.escape(t('compare_diffs'))}</h2>",
             f'<p class="note">{html.escape(t("compare_diffs_note", reference=scenario_name(labels[0])))}</p>']
    for label in labels[1:]:
        why = tables.explanation(result, label, labels[0])
        if why:
            parts.append(f'<p class="why">{html.escape(why)}</p>')
        parts.append(tables.differences_html(result["differences"], label, labels[0]))
    parts += [f"<h2>{html.escape(t('compare_means'))}</h2>",
              f'<p class="note">{html.escape(t("compare_means_note"))}</p>',
              tables.means_html(result["means"], labels),
              f'<p class="meta">{html.escape(t("report_reproduce", labels=" ".join(labels), reps=reps))}</p>']
    lang = "zh-CN" if language.value == "zh" else "en"
    return (f'<!DOCTYPE html><html lang="{lang}"><head><meta charset="utf-8"><title>{html.escape(names)}</title>'
            f"<style>{STYLE}</style></head><body>{''.join(parts)}</body></html>")
