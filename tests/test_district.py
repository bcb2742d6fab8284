"""The district: its file format and presets, the pools' allocation operations on CommunityModel, run_district in
rounds, reproducibility whichever host runs a community (serial, processes, a real Dask LocalCluster), the
command line, and households placed as Mesa agents only when asked for."""

from __future__ import annotations

import json
import math

import numpy as np
import pandas as pd
import pytest

import scenarios
import simulation
from agents import Household
from experiments import district as runs
from experiments.errors import ExperimentError
from scenarios import ScenarioError, reference
from scenarios import district as dd
from simulation import CommunityModel
from simulation.district import DISTRICT_COLUMNS, SerialHosts, apportion, community_seed, gini, worst_decile

# A small district for the tests: four communities of 200-360 households for 40 days, long enough for every pool
# to act (sunk cadres from day 19, supply on days 27 and 34, the drive from day 31).
SMALL_DISTRICT = """
name = "test_district"
days = 40
round_days = 7

[[community]]
name = "old_town"
scenario = "wuhan_2020"
households = 360
set = { "population.elderly_share" = 0.45, mass_base = 0.3 }

[[community]]
scenario = "wuhan_2020"
households = 200

[[community]]
scenario = "wuhan_2020"
households = 300
set = { "population.elderly_share" = 0.2, mass_base = 0.7 }

[[community]]
scenario = "wuhan_2020"
households = 240

[pools.sunk_cadres]
total = 12
policy = "by_backlog"

[pools.volunteers]
total = 14
policy = "equal"

[pools.supply]
total = 80
days = [27, 34]
policy = "by_vulnerability"

[pools.social_workers]
total = 10
policy = "per_household"
"""


@pytest.fixture
def small_district(tmp_path):
    path = tmp_path / "small.toml"
    path.write_text(SMALL_DISTRICT, encoding="utf-8")
    return path


# --- the format ---------------------------------------------------------------------------------------------------
def test_presets_hold_their_sourced_figures():
    jianghan = dd.load("jianghan_2020")
    plans = dd.communities(jianghan)
    assert len(plans) == 109 and jianghan.pools.sunk_cadres.total == 5592
    assert abs(sum(p.scenario.households for p in plans) - 330_000) < 0.02 * 330_000
    city = dd.load("wuhan_city")
    assert city.communities.count == 1406 and city.pools.sunk_cadres.total == 34_000
    classroom = dd.communities(dd.load("classroom_district"))
    assert 6 <= len(classroom) <= 8
    # the traits differ between communities, and the same file always gives the same communities
    assert len({p.scenario.population.elderly_share for p in classroom}) == len(classroom)
    assert [p.scenario for p in dd.communities(dd.load("classroom_district"))] == [p.scenario for p in classroom]
    assert all(p.scenario.days == 90 for p in classroom)


def test_an_explicit_list_keeps_each_community_s_scenario_and_overrides(small_district):
    plans = dd.communities(dd.load(small_district))
    assert [p.scenario.households for p in plans] == [360, 200, 300, 240]
    assert plans[0].name == "old_town" and plans[1].name == "community-1"
    assert plans[0].scenario.population.elderly_share == 0.45 and plans[2].scenario.mass_base == 0.7
    assert all(p.scenario.external.supply_days == [27, 34] and p.scenario.days == 40 for p in plans)


def test_a_community_scenario_file_is_read_relative_to_the_district_file(tmp_path):
    (tmp_path / "sub").mkdir()
    (tmp_path / "sub" / "mine.toml").write_text('extends = "no_linkage"\nhouseholds = 123\n', encoding="utf-8")
    (tmp_path / "sub" / "d.toml").write_text('[[community]]\nscenario = "mine.toml"\n', encoding="utf-8")
    (plan,) = dd.communities(dd.load(tmp_path / "sub" / "d.toml"))
    assert plan.scenario.households == 123


@pytest.mark.parametrize("text, words", [
    ('[communities]\ncount = 3\nsizes = 4\n', ["field 'communities.sizes'", "unknown key"]),
    ('[communities]\ncount = 3\n[[community]]\nscenario = "no_linkage"\n', ["exactly one"]),
    ('[communities]\ncount = 0\n', ["field 'communities.count'", ">= 1"]),
    ('[communities]\ncount = 2\n[pools.sunk_cadres]\ntotal = 5\npolicy = "fairly"\n',
     ["field 'pools.sunk_cadres.policy'", "by_backlog"]),
    ('[communities]\ncount = 2\n[pools.supply]\ntotal = 5\n', ["pools.supply.days"]),
    ('[communities]\ncount = 2\nmass_base = [0.9, 0.1]\n', ["communities.mass_base", "low <= high"]),
    ('[[community]]\nscenario = "no_such_preset"\n', ["community[0].scenario", "no such preset"]),
    ('[[community]]\nscenario = "no_linkage"\nset = { "cadres.per_1000" = 2 }\n', ["community[0]", "per_1000"]),
    ('[[community]]\nscenario = "no_linkage"\n[pools.social_workers]\ntotal = 3\n'
     '[[community]]\nscenario = "no_linkage"\nset = { "organisations.count" = 0 }\n', ["organisations.count"]),
    ('communities = [1, 2\n', ["not valid TOML"]),
])
def test_bad_district_files_name_the_file_and_the_field(tmp_path, text, words, liandong):
    path = tmp_path / "bad.toml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(ScenarioError) as err:
        dd.load(path)
    message = str(err.value)
    assert str(path) in message and all(w in message for w in words), message
    code, out, errors = liandong("district", path)
    assert code == 2 and "Traceback" not in errors and words[0] in errors


def test_policies_from_the_command_line_are_checked(small_district, liandong):
    base = dd.load(small_district)
    assert dd.with_policies(base, {"supply": "equal"}).pools.supply.policy == "equal"
    assert runs.parse_policy("by_backlog", base) == {p: "by_backlog" for p in dd.POOLS}
    for bad, word in (("sunk_cadre=equal", "Did you mean 'sunk_cadres'"), ("sunk_cadres=fair", "not a policy"),
                      ("fairly", "not a policy")):
        code, _, errors = liandong("district", small_district, "--policy", bad)
        assert code == 2 and word in errors, errors
    only_sunk = small_district.with_name("sunk.toml")
    only_sunk.write_text('[[community]]\n[pools.sunk_cadres]\ntotal = 3\n', encoding="utf-8")
    code, _, errors = liandong("district", only_sunk, "--policy", "supply=equal")
    assert code == 2 and "holds no supply pool" in errors


def test_the_district_reference_page_is_generated_from_the_schema():
    text = reference.render_district()
    assert (reference.DISTRICT_DOC_PATH).read_text(encoding="utf-8") == text, \
        "docs/district-reference.md is out of date: run `make docs`"
    for field in ("households_spread", "layout_seed", "round_days", "by_backlog", "subdistrict"):
        assert f"`{field}`" in text


# --- the allocation arithmetic ------------------------------------------------------------------------------------
def test_apportion_gini_and_worst_decile():
    assert apportion(10, [1, 1, 1]).tolist() == [4, 3, 3]  # ties to the lower index
    assert apportion(7, [0, 0]).tolist() == [4, 3]  # no weight anywhere: equal shares
    shares = apportion(5592, np.arange(1, 110, dtype=float))
    assert shares.sum() == 5592 and np.all(np.abs(shares - 5592 * np.arange(1, 110) / np.arange(1, 110).sum()) < 1)
    assert gini([2, 2, 2]) == 0.0 and gini([0, 0, 0, 1]) == pytest.approx(0.75)
    assert math.isnan(gini([]))
    assert worst_decile([1, 5, 3]) == 5 and worst_decile(list(range(20))) == pytest.approx(18.5)
    assert community_seed(7, 3) == community_seed(7, 3) != community_seed(7, 4)


# --- the coupling -------------------------------------------------------------------------------------------------
def _own_numbers(scenario) -> dict[str, int]:
    n = scenario.households
    return {"sunk_cadres": int(scenario.internal.sunk_cadres_per_1000 * n / 1000 + 0.5),
            "volunteers": int(scenario.volunteers.applicants_per_1000 * n / 1000 + 0.5),  # wuhan_2020: open call
            "supply": int(scenario.external.supply_per_1000 * n / 1000 + 0.5),
            "social_workers": scenario.organisations.count * scenario.organisations.social_workers_per_org}


def test_allocating_a_community_its_own_numbers_gives_its_single_run():
    scenario = scenarios.load("wuhan_2020", {"households": 400, "days": 45})
    own = _own_numbers(scenario)
    assert min(own.values()) > 0
    model = CommunityModel(scenario=scenario, rng=5, pools=dd.POOLS, place_agents=False)
    while model.running:
        if model.day % 7 == 0:
            for pool, amount in own.items():
                model.allocate(pool, amount)
        model.step()
    pd.testing.assert_frame_equal(model.daily(), simulation.run(scenario, seed=5).daily)


def test_a_district_of_one_community_holding_its_own_numbers_gives_its_single_run(tmp_path):
    scenario = scenarios.load("wuhan_2020", {"households": 300, "days": 40})
    own = _own_numbers(scenario)
    pools = "".join(f"[pools.{p}]\ntotal = {v}\npolicy = \"by_backlog\"\n" + (
        "days = [27, 34, 41, 48]\n" if p == "supply" else "") for p, v in own.items())
    path = tmp_path / "one.toml"
    path.write_text(f"days = 40\n[[community]]\nscenario = \"wuhan_2020\"\nhouseholds = 300\n{pools}",
                    encoding="utf-8")
    result = simulation.run_district(path, seed=9)
    alone = simulation.run(scenario, seed=community_seed(9, 0)).daily
    mine = result.daily.drop(columns="community")
    pd.testing.assert_frame_equal(mine, alone[list(DISTRICT_COLUMNS)], check_dtype=False)
    assert result.communities["unmet_need_days"].iloc[0] == simulation.run(scenario, seed=community_seed(9, 0)) \
        .summary["unmet_need_days"]


def test_a_pool_s_allocation_changes_between_rounds():
    scenario = scenarios.load("wuhan_2020", {"households": 300, "days": 40})
    model = CommunityModel(scenario=scenario, rng=2, pools=("sunk_cadres", "social_workers"))
    while model.running:
        if model.day == 21:
            model.allocate("sunk_cadres", 10)
        if model.day == 28:
            model.allocate("sunk_cadres", 1)
        if model.day == 35:  # social workers start on day 28 in wuhan_2020
            model.allocate("social_workers", 0)
        model.step()
    daily = model.daily()
    own = int(scenario.cadres.per_1000_households * 300 / 1000 + 0.5)
    sunk = daily["cadres"] - own
    assert sunk.iloc[18] == 0 and sunk.iloc[19] == 3 and sunk.iloc[21] == 10 and sunk.iloc[28] == 1
    assert daily["social_workers_active"].iloc[34] > 0 and daily["social_workers_active"].iloc[35] == 0
    with pytest.raises(ValueError, match="not one of this community's pools"):
        model.allocate("volunteers", 3)
    with pytest.raises(ValueError, match="whole number"):
        model.allocate("sunk_cadres", -1)


def test_by_backlog_follows_the_reported_backlog_not_the_true_one(small_district):
    result = simulation.run_district(small_district, seed=4)
    d, alloc = result.daily, result.allocations
    sunk = alloc[alloc["pool"] == "sunk_cadres"]
    assert (sunk.groupby("round")["amount"].sum() == 12).all()
    for rnd in range(1, int(sunk["round"].max()) + 1):
        start = int(sunk[sunk["round"] == rnd]["day"].iloc[0])
        last = d[d["day"] == start - 1].sort_values("community")
        reported = (last["unmet_total"] - last["hidden_total"]).to_numpy()
        expected = apportion(12, reported) if (reported > 0).any() else apportion(12, [360, 200, 300, 240])
        assert sunk[sunk["round"] == rnd].sort_values("community")["amount"].tolist() == expected.tolist()
    # the true backlog would have shared them otherwise on some round (hidden needs mislead the policy)
    true_shares = [apportion(12, d[d["day"] == s - 1].sort_values("community")["unmet_total"].to_numpy()).tolist()
                   for s in sorted(sunk["day"].unique())[1:]]
    got = [sunk[sunk["day"] == s].sort_values("community")["amount"].tolist() for s in sorted(sunk["day"].unique())[1:]]
    assert true_shares != got
    # the static policies give every round the same shares, in proportion to their weights
    supply = alloc[alloc["pool"] == "supply"]
    weights = result.communities.sort_values("community")["vulnerability"].to_numpy()
    assert (supply.groupby("community")["amount"].nunique() == 1).all()
    assert supply[supply["round"] == 0].sort_values("community")["amount"].tolist() == apportion(80, weights).tolist()
    assert supply[supply["round"] == 0]["amount"].sum() == 80
    volunteers = alloc[(alloc["pool"] == "volunteers") & (alloc["round"] == 0)]["amount"].tolist()
    assert volunteers == [4, 4, 3, 3]


def test_district_results_and_inequality(small_district):
    result = simulation.run_district(small_district, seed=1)
    c, t = result.communities, result.totals
    per = c["unmet_need_days"] / c["households"]
    assert t["unmet_need_days"] == c["unmet_need_days"].sum() == result.daily["unmet_total"].sum()
    assert t["worst_decile_unmet_per_household"] == pytest.approx(per.max())
    assert t["gini_unmet_per_household"] == pytest.approx(gini(per.to_numpy()))
    assert 0 < t["gini_unmet_per_household"] < 1
    assert len(result.daily) == 4 * 40 and list(result.daily_totals["day"]) == list(range(40))
    assert (result.daily_totals["unmet_total"] == result.daily.groupby("day")["unmet_total"].sum()).all()
    assert set(simulation.SUMMARY_KEYS) <= set(c.columns)
    assert c["allocated_sunk_cadres"].sum() == pytest.approx(12)


# --- reproducibility ----------------------------------------------------------------------------------------------
def test_a_community_s_series_is_the_same_whichever_host_ran_it(small_district):
    serial = simulation.run_district(small_district, seed=3)
    split = simulation.run_district(small_district, seed=3, hosts=SerialHosts, n_hosts=3)
    processes = runs.run(small_district, 3, workers=2)
    with runs.Cluster("local", workers=2) as cluster:
        assert cluster.client.scheduler.address.startswith("tcp://127.0.0.1:")
        dask = runs.run(small_district, 3, cluster=cluster)
    for other in (split, processes, dask):
        pd.testing.assert_frame_equal(serial.daily, other.daily)
        pd.testing.assert_frame_equal(serial.communities, other.communities)
        pd.testing.assert_frame_equal(serial.allocations, other.allocations)
    other_seed = simulation.run_district(small_district, seed=4)
    assert not serial.daily.equals(other_seed.daily)



def test_the_district_on_dask_refuses_an_address_as_a_sweep_does(small_district, tmp_path, liandong):
    """The district opens its Dask client as the sweeps' executor does: same checks, same words."""
    import socket

    code, _, errors = liandong("district", small_district, "--dask", "tcp://nowhere", "--out", tmp_path / "out")
    assert code == 2 and "--dask 'tcp://nowhere': not a scheduler address" in errors and "Traceback" not in errors
    assert not (tmp_path / "out" / "manifest.json").exists()
    with pytest.raises(ExperimentError, match="--workers 0: give at least 1 worker"):
        runs.Cluster("local", workers=0)
    with socket.socket() as closed:  # bound, never listening: nothing answers there
        closed.bind(("127.0.0.1", 0))
        address = f"tcp://127.0.0.1:{closed.getsockname()[1]}"
        with pytest.raises(ExperimentError, match=f"--dask {address}: cannot reach a Dask scheduler there .*"
                                                  "Start one with `dask scheduler`, or use --dask local"):
            runs.Cluster(address, connect_timeout=1)

# --- households as agents only when asked for ---------------------------------------------------------------------
def test_households_become_mesa_agents_when_first_looked_at():
    lazy = CommunityModel(scenario="wuhan_2020", rng=3, households=300, days=25, place_agents=False)
    assert "graph" not in vars(lazy.network)  # the networkx graph is not built either
    assert Household not in lazy._agents_by_type
    eager = CommunityModel(scenario="wuhan_2020", rng=3, households=300, days=25)
    for m in (lazy, eager):
        while m.running:
            m.step()
    pd.testing.assert_frame_equal(lazy.daily(), eager.daily())
    assert len(lazy.agents_by_type[Household]) == 300
    cell = lazy.space[17]
    assert cell.agents[0].index == 17 and len(lazy.space.G.edges) == len(eager.space.G.edges)


# --- the command line ---------------------------------------------------------------------------------------------
def test_liandong_district_writes_its_results_and_manifest(small_district, tmp_path, liandong):
    out = tmp_path / "out"
    code, text, errors = liandong("district", small_district, "--seed", "2", "--policy", "sunk_cadres=equal",
                                  "--out", out)
    assert code == 0, errors
    assert "worst_decile_unmet_per_household" in text
    manifest = json.loads((out / "manifest.json").read_text())
    assert manifest["seed"] == 2 and manifest["policies"]["sunk_cadres"] == "equal"
    assert manifest["code_version"] and "mesa" in manifest["packages"]
    communities = pd.read_parquet(out / "communities.parquet")
    daily = pd.read_parquet(out / "daily.parquet")
    again = simulation.run_district(dd.load(out / "district.toml"), seed=2)
    pd.testing.assert_frame_equal(daily, again.daily)
    assert communities["unmet_need_days"].tolist() == again.communities["unmet_need_days"].tolist()
    assert json.loads((out / "totals.json").read_text())["households"] == 1100
    assert not (out / "parts").exists()  # the hosts' streamed parts, gathered into daily.parquet and removed


def test_liandong_compare_of_two_policies_on_common_random_numbers(small_district, tmp_path, liandong):
    out = tmp_path / "cmp"
    code, text, errors = liandong("compare", small_district, "--policy", "equal", "--policy",
                                  "sunk_cadres=by_vulnerability", "--reps", "2", "--out", out, "--serial")
    assert code == 0, errors
    runs_table = pd.read_parquet(out / "runs.parquet")
    assert runs_table.groupby("scenario")["seed"].apply(tuple).nunique() == 1  # the same seeds for every arm
    diff = pd.read_csv(out / "differences.csv")
    assert set(diff["key"]) == set(simulation.district.DISTRICT_KEYS)
    assert (diff["scenario"] == "sunk_cadres=by_vulnerability").all() and (diff["reference"] == "equal").all()
    assert "paired" not in errors and "mean_diff" in text
    code, _, errors = liandong("compare", small_district, "no_linkage")
    assert code == 2 and "not a district" in errors


def test_validate_knows_districts_and_district_refuses_a_scenario(small_district, liandong):
    code, text, _ = liandong("validate", small_district)
    assert code == 0 and "valid district" in text and "4 communities, 1,100 households" in text
    code, _, errors = liandong("district", "no_linkage")
    assert code == 2 and "is a scenario, not a district" in errors


def test_the_policies_findings_page_table_and_figure(small_district, tmp_path):
    page = runs.write_findings(tmp_path / "findings", tmp_path / "images", str(small_district), seeds=2, days=21)
    text = page.read_text(encoding="utf-8")
    assert "](../images/district_test_district.png)" in text
    for policy in dd.POLICIES:
        assert f"| `{policy}` |" in text
    table = pd.read_csv(tmp_path / "findings" / "test_district.csv")
    assert len(table) == 8 and set(table["seed"]) == {0, 1}
    png = (tmp_path / "images" / "district_test_district.png").read_bytes()
    assert png.startswith(b"\x89PNG") and len(png) > 10_000


def test_compound_types_in_a_district(tmp_path):
    path = tmp_path / "typed.toml"
    path.write_text('days = 30\n[communities]\ncount = 2\nhouseholds_mean = 300\nhouseholds_spread = 0.0\n'
                    'compounds = { old_open = 0.5, commodity = 0.5 }\n[pools.sunk_cadres]\ntotal = 6\n',
                    encoding="utf-8")
    result = simulation.run_district(path, seed=1)
    c, t = result.communities, result.totals
    assert (c["households_old_open"] + c["households_commodity"] == c["households"]).all()
    k = c["households_old_open"].sum()
    assert t["unmet_need_days_per_1000_old_open"] == pytest.approx(result.daily["unmet_old_open"].sum() / k * 1000)
    assert "unmet_need_days_per_1000_work_unit" not in t
    assert set(c.columns) >= {"unmet_need_days_per_1000_old_open", "critical_failures_commodity"}
    listed = tmp_path / "listed.toml"
    listed.write_text('[[community]]\nhouseholds = 200\nset = { "compounds.mix" = { work_unit = 1.0 } }\n',
                      encoding="utf-8")
    (plan,) = dd.communities(dd.load(listed))
    assert plan.scenario.compounds.mix == {"work_unit": 1.0}
