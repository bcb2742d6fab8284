"""The district file format: several communities sharing pools of responders and goods, each pool shared out by an
allocation policy.

    >>> from scenarios import district
    >>> d = district.load("classroom_district")
    >>> len(district.communities(d)) >= 6
    True

A district file is TOML, validated strictly like a scenario file (unknown keys and wrong types are errors); every
problem is raised as `ScenarioError` naming the file, the field, what is wrong and what is allowed, which the
command line turns into exit status 2. Its communities are either generated (`[communities]`: a count, a size
distribution and ranges of the traits that differ between places, drawn from the file's own `layout_seed`, so the
same file always describes the same communities) or listed (`[[community]]`: a scenario and a size each). Its
pools (`[pools.<pool>]`) are what the district holds and shares out: sunk cadres, the volunteer drive's sign-ups,
supply deliveries and social-work agencies' staff. The reference page `docs/district-reference.md` is generated
from these classes (`python -m scenarios.reference --district --write`).
"""

from __future__ import annotations

import difflib
import math
import os
import tomllib
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Any, Literal

import numpy as np
from pydantic import Field, PrivateAttr, model_validator

import scenarios
from scenarios.files import parse_toml, read_text, too_deep
from scenarios.schema import MAX_DAYS, MAX_HOUSEHOLDS, Scenario, Section, _f
from scenarios.validation import ScenarioError, apply_overrides, validate

__all__ = ["District", "Pool", "SupplyPool", "CommunityEntry", "Communities", "Pools", "CommunityPlan", "POLICIES",
           "POOLS", "load", "names", "is_district_file", "communities", "with_policies", "MAX_COMMUNITIES",
           "MAX_DISTRICT_HOUSEHOLDS"]

PRESETS = resources.files("scenarios.districts")

#: The allocation policies a pool can follow (docs/district.md says what each does and why).
POLICIES = ("equal", "per_household", "by_vulnerability", "by_backlog")
#: The pools a district can hold, in the order they are allocated.
POOLS = ("sunk_cadres", "volunteers", "supply", "social_workers")
Policy = Literal["equal", "per_household", "by_vulnerability", "by_backlog"]

# The whole city (1,406 communities, 4.08 M households) with room to spare; beyond this a run would exhaust memory.
MAX_COMMUNITIES = 5_000
MAX_DISTRICT_HOUSEHOLDS = 6_000_000


class Pool(Section):
    """A pool the district holds and shares out between its communities, and the policy that shares it."""

    total: int = _f(0, "How much the district holds (sunk cadres; the drive's sign-ups; packages on each supply day; "
                    "social workers), shared out between the communities by `policy`.",
                    "per pool and preset: see the preset's description", ge=0, le=10_000_000)
    policy: Policy = _f(
        "per_household", "How the pool is shared: `equal` (the same to every community), `per_household` (in "
        "proportion to households), `by_vulnerability` (in proportion to households with an older person living "
        "alone, offline, or chronically ill, each counted once per group it is in), `by_backlog` (re-allocated at "
        "the start of every round of `round_days` in proportion to each community's reported backlog: the needs "
        "its responders know of and have not met, not the true backlog; in proportion to households while nobody "
        "has reported anything).",
        "the planner's question of issue 14; sources: 34,000+ sunk cadres shared between ~1,100 communities (H); "
        "policies assumed")


class SupplyPool(Pool):
    """Guaranteed supply and donated love vegetables the district receives and shares out on its supply days."""

    days: list[int] = _f([], "Days on which the district's supply arrives; `total` packages arrive on each.",
                         "the source panel, Government and donors: the city guaranteed supply and handed out love "
                         "vegetables (Huang); schedule assumed")

    @model_validator(mode="after")
    def _days_fit(self) -> SupplyPool:
        if self.total > 0 and not self.days:
            raise ValueError("pools.supply.days: the supply pool holds packages but names no day they arrive; give "
                             "days = [30, 40, ...] or set total = 0")
        bad = [d for d in self.days if not 0 <= d <= MAX_DAYS]
        if bad:
            raise ValueError(f"pools.supply.days: day {bad[0]} is outside 0-{MAX_DAYS}")
        return self


class Pools(Section):
    """What the district holds and shares; a pool left out is not shared: each community keeps its scenario's own
    numbers."""

    sunk_cadres: Pool | None = _f(None, "Cadres sunk from government units into the communities (they arrive on "
                                  "each community's `internal.sunk_arrival_day`; a re-allocation moves them).",
                                  "sources: 34,000+ into ~1,100 communities by 11 Feb; Jianghan 5,592 for 109 (H/M)")
    volunteers: Pool | None = _f(None, "Sign-ups of the volunteer drive, sent to the communities (each community's "
                                 "`volunteers.call_day` and `drive_days` say when they arrive).",
                                 "sources: >50,000 sign-ups by 26 Feb, ~19,000 approved (H)")
    supply: SupplyPool | None = _f(None, "Food packages of guaranteed supply and love vegetables, on the pool's "
                                   "days.", "sources: 8,500 t of donated vegetables in city stock on 31 Jan (H)")
    social_workers: Pool | None = _f(None, "Social-work agencies' staff, shared out between the communities' social "
                                     "organisations.", "the source panel: social workers funded through purchased "
                                     "services (Chen); numbers assumed")

    def named(self) -> dict[str, Pool]:
        """The pools the district holds, by name, in allocation order."""
        return {name: getattr(self, name) for name in POOLS if getattr(self, name) is not None}


class CommunityEntry(Section):
    """One community of an explicit list: a scenario, its size and any further overrides."""

    name: str = _f("", "Label in outputs (default: community-<index>).", "a label")
    subdistrict: str = _f("", "Sub-district (街道) the community belongs to, for grouping in outputs.", "a label")
    scenario: str = _f("wuhan_2020", "A preset scenario, or a scenario file (relative to the district file).",
                       "the model requirements Preset scenarios")
    households: int | None = _f(None, "Households in the community (default: the scenario's).",
                                "sources: 1,315 to 8,424 households in examples (M)", ge=1, le=MAX_HOUSEHOLDS)
    set: dict[str, bool | int | float | str | dict[str, float]] = _f(
        {}, "Further scenario fields for this community, dotted keys: {\"population.elderly_share\" = 0.4, "
        "\"compounds.mix\" = { old_open = 0.6, commodity = 0.4 }}.", "per field: docs/scenario-reference.md")


class Communities(Section):
    """Generated communities: a count, a size distribution, and the traits that differ between places, drawn from
    `layout_seed` (the same file always gives the same communities; the run's seed does not change them)."""

    count: int = _f(1, "Communities in the district.",
                    "sources: 1,406 urban communities in Wuhan, 109 in Jianghan (H)", ge=1, le=MAX_COMMUNITIES)
    scenario: str = _f("wuhan_2020", "The preset or scenario file every community starts from.",
                       "the model requirements Preset scenarios")
    households_mean: int = _f(3000, "Mean households per community.",
                              "sources: mean ~3,000 households (M); 4.08 M households / 1,406 communities (H)",
                              ge=1, le=MAX_HOUSEHOLDS)
    households_spread: float = _f(
        0.4, "Spread of community sizes: the sigma of a lognormal with the mean above (0: all the same size).",
        "assumed, 0.2-0.6; sources: 1,315 to 8,424 households in examples (M)", ge=0.0, le=2.0)
    households_min: int = _f(300, "Smallest community drawn.", "assumed", ge=1, le=MAX_HOUSEHOLDS)
    households_max: int = _f(12_000, "Largest community drawn.", "assumed; sources: up to 8,424 in examples (M)",
                             ge=1, le=MAX_HOUSEHOLDS)
    elderly_share: list[float] = _f(
        [0.3, 0.3], "Range [low, high] of the share of households with a member aged 60+, drawn uniformly per "
        "community (old inner-city compounds higher).",
        "sources: 17.2% of residents 60+ (H); spread between communities assumed")
    alone_share_of_elderly: list[float] = _f(
        [0.15, 0.15], "Range of the share of elderly households where an older person lives alone.",
        "sources: not found for Wuhan, assumed 0.10-0.20, higher in old inner-city compounds (L)")
    digital_share_elderly: list[float] = _f(
        [0.4, 0.4], "Range of the share of elderly households that are online.", "sources: ~40% of people 60+ "
        "online (M); spread assumed")
    mass_base: list[float] = _f(
        [0.5, 0.5], "Range of the prior social capital (0-1) drawn per community.",
        "the source panel: prior mass base decides mobilisation (Song); stylized fact 6: isolated new suburbs had "
        "nobody in charge; spread assumed")
    compounds: dict[str, float] = _f(
        {}, "Every community's compound mix (`compounds.mix` of the scenario: share of households per type); "
        "empty: the scenario's own.", "per type: docs/scenario-reference.md, [compounds]")
    layout_seed: int = _f(0, "Seed of the draws of sizes and traits (not of the runs).", "a label", ge=0)

    @model_validator(mode="after")
    def _ranges(self) -> Communities:
        for name in ("elderly_share", "alone_share_of_elderly", "digital_share_elderly", "mass_base"):
            value = getattr(self, name)
            if len(value) != 2 or not all(0.0 <= v <= 1.0 for v in value) or value[0] > value[1]:
                raise ValueError(f"communities.{name}: expected [low, high] with 0 <= low <= high <= 1, got "
                                 f"{list(value)}")
        if self.households_min > self.households_max:
            raise ValueError(f"communities.households_min = {self.households_min} is above households_max = "
                             f"{self.households_max}")
        return self


class District(Section):
    """A district: its communities, the pools it shares between them and how often it re-allocates them."""

    name: str = _f("custom_district", "Short identifier (file stem for presets).", "a label")
    description: str = _f("", "What the district stands for, with its sources and assumptions.", "a label")
    days: int = _f(90, "Days every community runs (day 0 = 23 Jan 2020).",
                   "the model requirements Scale: past reopening on day 76", ge=1, le=MAX_DAYS)
    round_days: int = _f(7, "Days in a round: the communities run this many days, then report their backlog and "
                         "`by_backlog` pools are re-allocated.", "assumed, 1-14 (a weekly review)", ge=1,
                         le=MAX_DAYS)
    communities: Communities | None = _f(None, "Generated communities (give this or `[[community]]`).",
                                         "see the section")
    community: list[CommunityEntry] = _f([], "An explicit list of communities (give this or `[communities]`).",
                                         "see the section")
    pools: Pools = Field(default_factory=Pools, description=Pools.__doc__,
                         json_schema_extra={"source": "each pool cites its own source"})
    _folder: Path | None = PrivateAttr(None)  # the file's folder: community scenario files are relative to it
    _label: str = PrivateAttr("")  # how messages name the file

    @model_validator(mode="after")
    def _one_kind_of_communities(self) -> District:
        if (self.communities is None) == (not self.community):
            raise ValueError("communities: give either a [communities] table (a count and a size distribution) or "
                             "a [[community]] list, exactly one of them")
        if len(self.community) > MAX_COMMUNITIES:
            raise ValueError(f"community: {len(self.community):,} communities listed; at most {MAX_COMMUNITIES:,}")
        if self.communities is not None and self.communities.count * self.communities.households_mean > \
                MAX_DISTRICT_HOUSEHOLDS:
            raise ValueError(f"communities: count x households_mean = "
                             f"{self.communities.count * self.communities.households_mean:,} households; keep it "
                             f"under {MAX_DISTRICT_HOUSEHOLDS:,}")
        return self


@dataclass(frozen=True)
class CommunityPlan:
    """One community of a district, resolved: its place in the district, its label and its validated scenario."""

    index: int
    name: str
    subdistrict: str
    scenario: Scenario


# --- loading ----------------------------------------------------------------------------------------------------
def names() -> list[str]:
    """Names of the preset districts shipped with the project."""
    return sorted(p.name[:-5] for p in PRESETS.iterdir() if p.name.endswith(".toml"))


def load(source: str | os.PathLike | District | dict) -> District:
    """A validated district from a preset name, a TOML path, a dict or a `District`."""
    if isinstance(source, District):
        return source
    if isinstance(source, dict):
        return validate(District, source, "<dict>")
    if not isinstance(source, str | os.PathLike):
        raise TypeError(f"district.load: expected a preset name ({', '.join(names())}), the path of a district "
                        f".toml file, a dict or a District, not {type(source).__name__}.")
    if isinstance(source, str) and source in names():
        text, label = (PRESETS / f"{source}.toml").read_text(encoding="utf-8"), f"preset district '{source}'"
    else:
        if not os.path.lexists(source):
            hint = difflib.get_close_matches(str(source), names(), n=1)
            did = f" Did you mean '{hint[0]}'?" if hint else ""
            raise ScenarioError(f"{source}: no such preset district or file.{did} Preset districts: "
                                f"{', '.join(names())}; or give the path of a district .toml file.")
        text, label = read_text(source, str(source), "district", ScenarioError), str(source)
    try:
        data = parse_toml(text)
    except tomllib.TOMLDecodeError as exc:
        raise ScenarioError(f"{label}: not valid TOML: {exc}. Fix the syntax (see docs/district-reference.md).")
    except RecursionError:
        raise ScenarioError(too_deep(label)) from None
    district = validate(District, data, label)
    if isinstance(source, str) and source in names() and district.name == District.model_fields["name"].default:
        district = district.model_copy(update={"name": source})
    folder = None if isinstance(source, str) and source in names() else Path(source).parent
    district._folder, district._label = folder, label
    communities(district)  # every community's scenario is checked now, with the file's label
    return district


def with_policies(district: District, policies: dict[str, str], label: str = "--policy") -> District:
    """The district with some pools' policies changed: {"sunk_cadres": "by_backlog"}. A pool the district does not
    hold, or a policy that does not exist, is an error naming it."""
    pools = district.pools.named()
    changed = {}
    for pool, policy in policies.items():
        if pool not in POOLS:
            hint = difflib.get_close_matches(pool, POOLS, n=1)
            raise ScenarioError(f"{label} {pool}={policy}: '{pool}' is not a pool.{' Did you mean ' + repr(hint[0])
                                + '?' if hint else ''} Pools: {', '.join(POOLS)}.")
        if pool not in pools:
            raise ScenarioError(f"{label} {pool}={policy}: district '{district.name}' holds no {pool} pool; it holds "
                                f"{', '.join(pools) or 'none'}. Add [pools.{pool}] to the file to share it.")
        if policy not in POLICIES:
            hint = difflib.get_close_matches(policy, POLICIES, n=1)
            raise ScenarioError(f"{label} {pool}={policy}: '{policy}' is not a policy.{' Did you mean ' +
                                repr(hint[0]) + '?' if hint else ''} Policies: {', '.join(POLICIES)}.")
        changed[pool] = pools[pool].model_copy(update={"policy": policy})
    return district.model_copy(update={"pools": district.pools.model_copy(update=changed)})


# --- the communities --------------------------------------------------------------------------------------------
def communities(district: District) -> list[CommunityPlan]:
    """Every community of the district with its validated scenario (sizes and traits drawn from `layout_seed` for
    generated ones), run for the district's `days`. A scenario whose mechanism a pool needs switched off is
    switched on (volunteers, social organisations: a district pool reaches every community); the supply pool's
    days become every community's supply days."""
    label = district._label or f"district '{district.name}'"
    folder = district._folder
    base_cache: dict[str, Scenario] = {}

    def scenario_of(name: str, where: str) -> Scenario:
        if name not in base_cache:
            path = name
            if name not in scenarios.names() and folder is not None and not Path(name).is_absolute():
                path = str(folder / name)
            try:
                base_cache[name] = scenarios.load(path)
            except ScenarioError as exc:
                raise ScenarioError(f"{label}: field '{where}': {exc}") from None
        return base_cache[name]

    pools = district.pools.named()
    switches: dict[str, Any] = {"days": district.days}
    if "volunteers" in pools:
        switches["volunteers.enabled"] = True
    if "social_workers" in pools:
        switches["organisations.enabled"] = True
    if "supply" in pools:
        switches["external.supply_days"] = list(pools["supply"].days)

    plans: list[CommunityPlan] = []
    if district.communities is not None:
        c = district.communities
        base = scenario_of(c.scenario, "communities.scenario")
        rng = np.random.default_rng(c.layout_seed)
        n = c.count
        sigma = c.households_spread
        sizes = np.exp(rng.normal(math.log(c.households_mean) - sigma**2 / 2, sigma, n)) if sigma > 0 \
            else np.full(n, float(c.households_mean))
        sizes = np.clip(np.rint(sizes), c.households_min, c.households_max).astype(int)
        traits = {name: rng.uniform(*getattr(c, name), n) for name in
                  ("elderly_share", "alone_share_of_elderly", "digital_share_elderly", "mass_base")}
        for i in range(n):
            overrides = {"households": int(sizes[i]), "mass_base": round(float(traits["mass_base"][i]), 4),
                         "population.elderly_share": round(float(traits["elderly_share"][i]), 4),
                         "population.alone_share_of_elderly": round(float(traits["alone_share_of_elderly"][i]), 4),
                         "population.digital_share_elderly": round(float(traits["digital_share_elderly"][i]), 4),
                         **({"compounds.mix": dict(c.compounds)} if c.compounds else {}), **switches}
            scenario = _apply(base, overrides, f"{label}: community {i}")
            plans.append(CommunityPlan(i, f"community-{i}", "", scenario))
    else:
        for i, entry in enumerate(district.community):
            base = scenario_of(entry.scenario, f"community[{i}].scenario")
            overrides = dict(entry.set)
            if entry.households is not None:
                overrides["households"] = entry.households
            overrides.update(switches)
            scenario = _apply(base, overrides, f"{label}: field 'community[{i}]'")
            plans.append(CommunityPlan(i, entry.name or f"community-{i}", entry.subdistrict, scenario))
    total = sum(p.scenario.households for p in plans)
    if total > MAX_DISTRICT_HOUSEHOLDS:
        raise ScenarioError(f"{label}: the communities hold {total:,} households in all; keep the district under "
                            f"{MAX_DISTRICT_HOUSEHOLDS:,}.")
    if "social_workers" in pools:
        empty = [p.index for p in plans if p.scenario.organisations.count == 0]
        if empty:
            raise ScenarioError(f"{label}: pools.social_workers: community {empty[0]} has no social organisation "
                                "(organisations.count = 0) to employ the social workers it is allocated; give its "
                                "scenario organisations.count >= 1 or drop the pool.")
    return plans


def _apply(base: Scenario, overrides: dict, label: str) -> Scenario:
    """`base` with dotted overrides, validated; errors name the community."""
    return apply_overrides(base, overrides, label=label)


def is_district_file(source: str) -> bool:
    """Whether a command-line argument names a district: a preset district, or a TOML file with [communities],
    [[community]] or [pools] (a scenario file has none of them)."""
    if source in names():
        return True
    path = Path(source)
    if path.suffix != ".toml" or not path.is_file():
        return False
    try:
        data = parse_toml(read_text(path, source, "district", ScenarioError))
    except (ScenarioError, tomllib.TOMLDecodeError, RecursionError):
        return False
    return any(k in data for k in ("communities", "community", "pools"))
