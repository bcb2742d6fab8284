"""District: a shipped district's communities sharing its pools, under two allocation policies side by side.

One Run runs, in a worker process of its own (as Compare's runs do, so the server's interpreter stays free and
Cancel stops it at once): each policy's district once on the comparison's first seed, for the tile maps, then
`experiments.district.compare` of the two over the chosen replications, for the inequality figures and their
paired differences. The numbers are those of `python -m experiments.district` / `liandong` with the same district,
policies, replications and root seed.
"""

from __future__ import annotations

import functools
import html
import math
import re
import typing

import pandas as pd
import reacton.ipyvuetify as rv
import solara

from dashboard import charts, explore, jobs, limits
from dashboard.i18n import language, t
from dashboard.jobs import Job, JobButtons, JobState, JobStatus
from dashboard.navigation import page
from dashboard.widgets import Prose
from experiments import district as district_runs
from experiments.seeds import run_seed
from scenarios import ScenarioError
from scenarios import district as district_format
from scenarios.district import POLICIES, District
from simulation.district import community_seed

ARMS = ("a", "b")
#: The figures of the comparison table, in its order: inequality first, then the district's total and failures.
FIGURES = ("gini_unmet_per_household", "worst_decile_unmet_per_household", "unmet_need_days_per_household",
           "unmet_need_days", "critical_failures")
DEFAULT_POLICIES = {"a": "per_household", "b": "by_vulnerability"}

chosen = solara.reactive("classroom_district")
policies = solara.reactive(typing.cast(dict, {}))  # (arm, pool) -> policy, for the pools changed from the file's
reps = solara.reactive(3)
days = solara.reactive(typing.cast(int | None, None))  # None: the district's own
day = solara.reactive(typing.cast(int | None, None))  # the maps' day; None: the last
state = JobState(on_result=lambda: day.set(None))  # progress: the two map runs, then the comparison
progress, outcome, failure, job, stopped = state.progress, state.outcome, state.failure, state.job, state.stopped


# --- what the page may run --------------------------------------------------------------------------------------
def household_days(district: District) -> int:
    """Household-days of one run of the district."""
    return sum(p.scenario.households for p in district_format.communities(district)) * district.days


@functools.cache
def shipped(name: str) -> tuple[int, int]:
    """A shipped district's communities and household-days a run (cached: the city's 1,406 communities take a
    while to draw, and the files do not change while the server runs)."""
    district = district_format.load(name)
    return len(district_format.communities(district)), household_days(district)


@functools.cache
def offered() -> tuple[str, ...]:
    """The shipped districts a session may run: those whose comparison of two policies fits the dashboard's
    limits with one replication (the others belong on the command line)."""
    out = []
    for name in district_format.names():
        try:
            limits.check_district(shipped(name)[1], 1)
        except ScenarioError:
            continue
        out.append(name)
    return tuple(out)


def base_district() -> District:
    district = district_format.load(chosen.value)
    if days.value:
        district = district.model_copy(update={"days": int(days.value)})
        district_format.communities(district)  # the days checked against every community's scenario
    return district


def policy_of(arm: str, pool: str, district: District) -> str:
    if (arm, pool) in policies.value:
        return policies.value[(arm, pool)]
    if pool == "sunk_cadres":
        return DEFAULT_POLICIES[arm]
    return district.pools.named()[pool].policy


def arm_district(arm: str, district: District) -> District:
    return district_format.with_policies(district, {pool: policy_of(arm, pool, district)
                                                   for pool in district.pools.named()})


def set_policy(arm: str, pool: str, value: str | None) -> None:
    if value in POLICIES:
        policies.value = {**policies.value, (arm, pool): value}


# --- the runs ---------------------------------------------------------------------------------------------------
def first_seed() -> int:
    """The comparison's first seed (`experiments.district.compare`'s): the maps show that replication."""
    return run_seed(district_runs.DEFAULT_ROOT_SEED, 0, 0, common=True)


def run_all(arms: list[tuple[str, District]], replications: int, current: Job) -> dict:
    """The maps' runs, then the comparison, each in the job's worker process; raises Cancelled when cancelled."""
    with current.running():
        seed = first_seed()
        maps = {}
        for n, (label, district) in enumerate(arms):
            run = jobs.wait(current, current.pool().apply_async(district_runs.run, (district, seed)))
            maps[label] = {"communities": run.communities, "daily": run.daily[["community", "day", "unmet_total"]],
                           "allocations": run.allocations}
            progress.value = (n + 1, len(arms) + 1)
        tables = jobs.wait(current, current.pool().apply_async(district_runs.compare, (arms,), {"reps": replications}))
        progress.value = (len(arms) + 1, len(arms) + 1)
    plans = district_format.communities(arms[0][1])
    return {"maps": maps, "tables": tables, "arms": [label for label, _ in arms],
            "policies": {label: {n: p.policy for n, p in d.pools.named().items()} for label, d in arms},
            "district": arms[0][1].name, "days": arms[0][1].days, "reps": replications, "seed": seed,
            "mix": {p.index: dict(p.scenario.compounds.mix) for p in plans},
            "scenarios": {p.index: p.scenario for p in plans}, "subdistricts": {p.index: p.subdistrict
                                                                                for p in plans}}


def district_work(arms: list[tuple[str, District]], replications: int, current: Job) -> dict:
    """The background part of Run: the maps' runs and the comparison in the job's worker."""
    progress.value = (0, len(arms) + 1)
    return run_all(arms, replications, current)


def start() -> None:
    """Check the request and start it in the background; one beyond the limits is refused with why."""
    replications = reps.value

    def prepare() -> tuple:
        district = base_district()
        limits.check_district(household_days(district), replications)
        return [(arm, arm_district(arm, district)) for arm in ARMS], replications

    state.submit(prepare, district_work)


running, cancel, end_session = state.running, state.cancel, state.end_session


# --- what the page shows ----------------------------------------------------------------------------------------
def community_label(name: str) -> str:
    """A community's name for people: the generated "community-3" in the page's language, a listed one as written."""
    match = re.fullmatch(r"community-(\d+)", name)
    return t("district_community", number=match.group(1)) if match else name


def policy_label(policy: str) -> str:
    return t(f"policy_{policy}")


def mix_text(mix: dict[str, float]) -> str:
    if not mix:
        return t("district_no_mix")
    return "、".join(f"{t(f'compound_{k}')} {v:.0%}" for k, v in mix.items()) if language.value == "zh" else \
        ", ".join(f"{t(f'compound_{k}')} {v:.0%}" for k, v in mix.items())


def tiles(households: dict[int, int], subdistricts: dict[int, str]) -> list[dict]:
    """A tile per community, its side in proportion to the square root of its households (its area to the
    households), placed row by row in community order; one block per sub-district (one block when the file names
    none), the blocks one below the other. Coordinates in tile units, y downwards."""
    biggest = max(households.values())
    width = max(3.0, 1.3 * math.sqrt(sum(households.values()) / biggest))  # about as wide as the block is tall
    out, y = [], 0.0
    groups: dict[str, list[int]] = {}
    for i in sorted(households):
        groups.setdefault(subdistricts.get(i, ""), []).append(i)
    for name, members in groups.items():
        if name:
            y += 0.6  # room for the block's label
        x, row_height = 0.0, 0.0
        for i in members:
            side = math.sqrt(households[i] / biggest)
            if x > 0 and x + side > width:
                x, y, row_height = 0.0, y + row_height + 0.1, 0.0
            out.append({"community": i, "x": x, "x2": x + side, "y": y, "y2": y + side, "block": name})
            x += side + 0.1
            row_height = max(row_height, side)
        y += row_height + 0.4
    return out


def need_days(daily: pd.DataFrame, up_to: int) -> dict[int, float]:
    """Unmet need-days of each community from day 0 to `up_to` (the open needs summed over those days)."""
    part = daily[daily["day"] <= up_to]
    return part.groupby("community")["unmet_total"].sum().to_dict()


def tile_rows(result: dict, arm: str, up_to: int) -> list[dict]:
    run = result["maps"][arm]
    frame = run["communities"].set_index("community")
    households = frame["households"].astype(int).to_dict()
    so_far = need_days(run["daily"], up_to)
    rows = []
    for tile in tiles(households, result["subdistricts"]):
        i = tile["community"]
        row = frame.loc[i]
        rows.append({**tile, "name": community_label(str(row["name"])), "households": int(row["households"]),
                     "per_household": round(so_far.get(i, 0) / households[i], 3),
                     "whole_run": round(float(row["unmet_need_days_per_household"]), 3),
                     "critical": int(row["critical_failures"]),
                     "hidden": round(float(row["hidden_need_share"]), 3),
                     "cadres": round(float(row.get("allocated_sunk_cadres", float("nan"))), 1),
                     "open": t("district_tile_open", name=community_label(str(row["name"]))),
                     "mix": mix_text(result["mix"].get(i, {}))})
    return rows


def colour_top(result: dict) -> float:
    """The colour scale's top: the worst community's whole-run figure under either policy, so that the colours
    of both maps and of every day mean the same."""
    return max(float(r["communities"]["unmet_need_days_per_household"].max()) for r in result["maps"].values()) \
        or 1.0


def tile_map(rows: list[dict], title: str, top: float) -> dict:
    x = {"field": "x", "type": "quantitative", "axis": None}
    y = {"field": "y", "type": "quantitative", "axis": None, "scale": {"reverse": True}}
    tip = [{"field": "name", "type": "nominal", "title": t("district_col_community")},
           {"field": "households", "type": "quantitative", "title": t("district_col_households")},
           {"field": "mix", "type": "nominal", "title": t("district_col_mix")},
           {"field": "per_household", "type": "quantitative", "title": t("district_col_so_far")},
           {"field": "whole_run", "type": "quantitative", "title": t("district_col_whole_run")},
           {"field": "critical", "type": "quantitative", "title": t("district_col_critical")},
           {"field": "hidden", "type": "quantitative", "title": t("district_col_hidden"), "format": ".0%"},
           {"field": "cadres", "type": "quantitative", "title": t("district_col_cadres")}]
    rects = {"name": "tiles", "data": {"values": rows}, "mark": {"type": "rect", "stroke": "#555", "strokeWidth": 0.6,
                                                "cornerRadius": 2},
             "encoding": {"x": x, "y": y, "x2": {"field": "x2"}, "y2": {"field": "y2"},
                          "color": {"field": "per_household", "type": "quantitative",
                                    "title": t("district_col_so_far"), "legend": {"titleLimit": 0},
                                    "scale": {"domain": [0, top], "range": ["#f7f7f7", "#c62828"],
                                              "clamp": True}},
                          "tooltip": tip}}
    labels = {"name": "labels", "data": {"values": rows}, "mark": {"type": "text", "fontSize": 10, "color": "#222"},
              "transform": [{"calculate": "(datum.x + datum.x2) / 2", "as": "cx"},
                            {"calculate": "(datum.y + datum.y2) / 2", "as": "cy"}],
              "encoding": {"x": {"field": "cx", "type": "quantitative"},
                           "y": {"field": "cy", "type": "quantitative"}, "text": {"field": "name"},
                           "tooltip": tip}}
    layers = [rects, labels]
    blocks = [{"block": r["block"], "x": r["x"], "y": r["y"] - 0.3} for r in rows if r["block"]]
    if blocks:
        first = pd.DataFrame(blocks).groupby("block", sort=False).agg({"x": "min", "y": "min"}).reset_index()
        layers.append({"data": {"values": first.to_dict("records")},
                       "mark": {"type": "text", "align": "left", "fontWeight": "bold", "color": "#2e5d8a"},
                       "encoding": {"x": x, "y": {"field": "y", "type": "quantitative"}, "text": {"field": "block"}}})
    figure = charts._figure(title, layers, height=300, fit={"share": 0.4, "min": 220, "max": 480})
    # chart.vue: a click on a tile (or Enter on it, reached by Tab) reports its community (charts.show's on_pick)
    figure["usermeta"]["pick"] = {"mark": "tiles", "over": "labels", "field": "community", "label": "open"}
    return figure


def number(key: str, value: float) -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "–"
    if key in ("unmet_need_days", "critical_failures"):
        return f"{value:,.0f}"
    return f"{value:.3f}" if key == "gini_unmet_per_household" else f"{value:.2f}"


def interval(key: str, low: float, high: float) -> str:
    return t("district_interval", low=number(key, low), high=number(key, high))


def comparison_html(result: dict) -> str:
    """Rows: the figures; columns: each policy's mean over the seeds with its 95% interval, and the paired
    difference of B from A with its 95% interval."""
    means = result["tables"]["means"].set_index(["scenario", "key"])
    diffs = result["tables"]["differences"].set_index(["scenario", "key"])
    head = "".join(f"<th>{html.escape(t(f'district_arm_{arm}'))}<div class='definition'>"
                   f"{html.escape(arm_policies(result, arm))}</div></th>" for arm in ARMS)
    rows = []
    for key in FIGURES:
        cells = []
        for arm in ARMS:
            m = means.loc[(arm, key)]
            cells.append(f"<td><span class='mean'>{html.escape(number(key, m['mean']))}</span><div class='interval'>"
                         f"{html.escape(interval(key, m['ci_low'], m['ci_high']))}</div></td>")
        d = diffs.loc[("b", key)]
        sign = "+" if d["mean_diff"] > 0 else ""
        tone = "verdict-worse" if d["ci_low"] > 0 else "verdict-better" if d["ci_high"] < 0 else "verdict-neutral"
        cells.append(f"<td><span class='change {tone}'>{sign}{html.escape(number(key, d['mean_diff']))}</span>"
                     f"<div class='interval'>{html.escape(interval(key, d['ci_low'], d['ci_high']))}</div></td>")
        rows.append(f"<tr><td>{html.escape(t(f'district_key_{key}'))}<div class='definition'>"
                    f"{html.escape(t(f'district_def_{key}'))}</div></td>{''.join(cells)}</tr>")
    return (f"<table class='compare-table district-table'><thead><tr><th>{html.escape(t('col_key'))}</th>{head}"
            f"<th>{html.escape(t('district_col_difference'))}</th></tr></thead><tbody>{''.join(rows)}</tbody>"
            "</table>")


def arm_policies(result: dict, arm: str) -> str:
    return t("list_sep").join(t("pool_policy", pool=t(f"pool_{pool}"), policy=policy_label(policy))
                              for pool, policy in result["policies"][arm].items())


def shares_of(result: dict, arm: str, index: int) -> explore.DistrictShares:
    """What the district run of `arm` allocated community `index`, round by round."""
    allocations = result["maps"][arm]["allocations"]
    mine = allocations[allocations["community"] == index]
    schedule = {int(start): {str(pool): int(amount) for pool, amount in zip(g["pool"], g["amount"])}
                for start, g in mine.groupby("day", sort=True)}
    return explore.DistrictShares(district=result["district"], arm=arm, index=index, days=result["days"],
                                  policies=dict(result["policies"][arm]), schedule=schedule)


def open_in_explore(result: dict, index: int, arm: str = "a") -> None:
    """Open one community of the district in Explore as it ran in the map of `arm`: its scenario as the district
    built it, the seed its random streams had in the maps' run, and the district's pools with the shares that run
    allocated it at the start of each round (so that Explore's run is the map's, day by day)."""
    if index not in result["scenarios"]:
        return  # a pick from a map that is no longer the one shown
    scenario = result["scenarios"][index]
    name = str(result["maps"][arm]["communities"].set_index("community").loc[index, "name"])
    explore.base.value = scenario.model_copy(update={"name": f"{result['district']}: {community_label(name)}"})
    explore.edits.value = {}
    explore.upload_message.value = None
    explore.leave_district()  # a district run still running again for an address is not needed any more
    explore.shares.value = shares_of(result, arm, index)
    explore.seed.value = community_seed(result["seed"], index)
    explore.reset()
    page.set("explore")


# --- a district's community in the page's address (share.py) ------------------------------------------------------
#: The address's keys for a district's community: which shipped district, policy (arm and each pool's policy),
#: days and community. Its seed is the maps' (`first_seed`), so that these rebuild the same run and its shares.
ADDRESS_KEYS = ("district", "arm", "community", "district_days", "policies")


def address_of(held: explore.DistrictShares) -> list[tuple[str, str]]:
    """The address's parameters for the district's community `held`."""
    return [("district", held.district), ("arm", held.arm), ("community", str(held.index)),
            ("district_days", str(held.days)),
            ("policies", ",".join(f"{pool}:{policy}" for pool, policy in held.policies.items()))]


def _digits(text: str, most: int) -> int:
    if not (text.isascii() and text.isdigit() and len(text) <= most):
        raise ValueError(text)
    return int(text)


def from_address(params: dict[str, str]) -> tuple[explore.DistrictShares | None, list[str]]:
    """The district's community an address names (its `schedule` still empty: the shares come from running the
    district again), and the keys left out. An address is what any visitor can type, so only a district this page
    offers is accepted (a shipped preset's name, never a path), with its own pools and known policies, a community
    it has, and days within the page's limits for one run; one part wrong leaves every district key out (the
    community cannot be rebuilt without it)."""
    given = [key for key in ADDRESS_KEYS if key in params]
    if not given:
        return None, []
    try:
        name = params.get("district", "")
        if name not in offered():
            raise ValueError(name)
        district = district_format.load(name)
        arm = params.get("arm", "")
        if arm not in ARMS:
            raise ValueError(arm)
        run_days = _digits(params.get("district_days", str(district.days)), 4)
        if not 1 <= run_days <= district_format.MAX_DAYS:
            raise ValueError(run_days)
        district = district.model_copy(update={"days": run_days})
        plans = district_format.communities(district)  # the days checked against every community's scenario
        limits.check_district(household_days(district), 1)
        index = _digits(params.get("community", ""), 6)
        if index >= len(plans):
            raise ValueError(index)
        pools = district.pools.named()
        pairs = [part.split(":") for part in params.get("policies", "").split(",")]
        chosen = {pair[0]: pair[1] for pair in pairs if len(pair) == 2}
        if len(chosen) != len(pairs) or set(chosen) != set(pools) or not set(chosen.values()) <= set(POLICIES):
            raise ValueError("policies")
    except (ValueError, ScenarioError):
        return None, given
    return explore.DistrictShares(district=name, arm=arm, index=index, days=run_days,
                                  policies={pool: chosen[pool] for pool in pools}, schedule={}), []


def district_of(held: explore.DistrictShares) -> District:
    """The district run `held` comes from: its preset with its days and its policies."""
    base = district_format.load(held.district).model_copy(update={"days": held.days})
    return district_format.with_policies(base, held.policies)


def rerun(held: explore.DistrictShares, current: Job) -> dict:
    """The background part of reopening an address's community: its district run again in the job's worker (the
    maps' run: the same district, policies, days and seed give the same allocations), and the community's shares
    from it."""
    explore.rebuild.progress.value = (0, 1)
    district = district_of(held)
    with current.running():
        run = jobs.wait(current, current.pool().apply_async(district_runs.run, (district, first_seed())))
    explore.rebuild.progress.value = (1, 1)
    result = {"maps": {held.arm: {"allocations": run.allocations}}, "district": held.district, "days": held.days,
              "policies": {held.arm: {n: p.policy for n, p in district.pools.named().items()}}}
    return {"shares": shares_of(result, held.arm, held.index)}


def reopen(held: explore.DistrictShares) -> None:
    """Open an address's district community in Explore as `open_in_explore` does: its scenario as the district
    builds it at once, its shares once its district run has run again (a few seconds of a worker process, within
    the page's limits for a single run); Explore builds no model meanwhile."""
    plan = district_format.communities(district_of(held))[held.index]
    explore.base.value = plan.scenario.model_copy(update={"name": f"{held.district}: {community_label(plan.name)}"})
    explore.shares.value = None
    explore.rebuild.cancel()
    explore.rebuild.clear()
    explore.awaited.value = held
    explore.rebuild.launch(rerun, held)


def community_seed_of(held: explore.DistrictShares) -> int:
    """The seed the community's random streams had in the maps' run (Explore's seed for it)."""
    return community_seed(first_seed(), held.index)


@solara.component
def Results(result: dict):
    last = result["days"] - 1
    shown = last if day.value is None else min(day.value, last)
    with solara.Div(classes=["district-day"]):
        solara.SliderInt(t("district_day"), value=shown, min=0, max=last, on_value=day.set)
    solara.Text(t("district_map_note"), classes=["note"])
    top = colour_top(result)
    with solara.Columns([1, 1]):
        for arm in ARMS:
            with solara.Div(classes=[f"district-map district-map-{arm}", "chart"]):
                title = t("district_map_title", arm=t(f"district_arm_{arm}"), day=shown)
                charts.show(tile_map(tile_rows(result, arm, shown), title, top), f"liandong-district-{arm}",
                            on_pick=lambda i, a=arm: open_in_explore(result, int(i), a))
    Prose(f"**{t('district_compare_title')}**")
    solara.Text(t("district_compare_note", reps=result["reps"]), classes=["note"])
    solara.HTML(tag="div", unsafe_innerHTML=comparison_html(result), style="overflow-x: auto; font-size: 13px",
                classes=["table-box"])
    Prose(f"**{t('district_open_title')}**")
    solara.Text(t("district_open_note"), classes=["note"])
    frame = result["maps"]["a"]["communities"]
    with solara.Row(style={"flex-wrap": "wrap"}, classes=["district-open"]):
        for row in frame.itertuples():
            solara.Button(community_label(str(row.name)), text=True, outlined=True,
                          on_click=lambda i=int(row.community): open_in_explore(result, i),
                          classes=[f"district-open-{int(row.community)}"])


@solara.component
def DistrictPage():
    """The District page."""
    names = offered()
    if chosen.value not in names:
        chosen.value = names[0]
    rv.Select(label=t("district_pick"), v_model=chosen.value, items=[{"text": n, "value": n} for n in names],
              on_v_model=lambda v: chosen.set(v) if v in names else None, class_="district-select")
    district = district_format.load(chosen.value)
    n_communities, work = shipped(chosen.value)
    seconds = max(1, round(n_communities * district.days * limits.DISTRICT_SECONDS_PER_COMMUNITY_DAY))
    solara.Text(t("district_about", communities=n_communities, households=f"{work // district.days:,}",
                  seconds=f"{seconds:,}"), classes=["note"])
    solara.Text(t("district_only", others=", ".join(n for n in district_format.names() if n not in names)),
                classes=["note"])
    with solara.Div(classes=["district-policies"]):
        for pool, held in district.pools.named().items():
            with solara.Row(style={"align-items": "center", "flex-wrap": "wrap"}):
                solara.Text(t("district_pool", pool=t(f"pool_{pool}"), total=f"{held.total:,}"),
                            style={"min-width": "220px"})
                for arm in ARMS:
                    rv.Select(label=t(f"district_arm_{arm}"), v_model=policy_of(arm, pool, district), dense=True,
                              items=[{"text": policy_label(p), "value": p} for p in POLICIES],
                              on_v_model=lambda v, a=arm, p=pool: set_policy(a, p, v),
                              class_=f"district-policy-{arm}-{pool}", style_="max-width: 220px")
    with solara.Row():
        solara.InputInt(t("district_reps"), value=reps.value, on_value=lambda v: reps.set(max(1, int(v or 1))),
                        classes=["district-reps"], dense=True)
        solara.InputInt(t("district_days"), value=days.value, optional=True, on_value=days.set, dense=True,
                        classes=["district-days"])
    busy = running()
    JobButtons("district", state, start)
    JobStatus("district", state)
    if outcome.value is not None:
        with solara.Div(classes=["district-results", f"district-results-{outcome.value.get('number', 0)}"]):
            Results(outcome.value)
    elif not busy:
        solara.Info(t("district_none"))

