"""The scenario file format: every parameter of a run, validated, with its default and its source.

Each field's description ends with its provenance: a figure from docs/sources.md with its confidence
(H official, M one report, L anecdote) or "assumed" with the range a sensitivity analysis should cover. The
reference page `docs/scenario-reference.md` is generated from these classes (`python -m scenarios.reference`).
"""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from scenarios.validation import apply_overrides

# Sizes beyond these would exhaust memory or run for hours; the spec asks for 300 to 30,000 households.
MAX_HOUSEHOLDS = 200_000
MAX_DAYS = 3_650
MAX_HOUSEHOLD_DAYS = MAX_HOUSEHOLDS * 365

Probability = Annotated[float, Field(ge=0.0, le=1.0)]
CATEGORIES = ("food", "medicine", "medical", "psych", "supplies")


def _f(default, description: str, source: str, **constraints):
    """A field whose documentation always carries its source ("assumed" included)."""
    return Field(default, description=description, json_schema_extra={"source": source}, **constraints)


def _section(cls):
    """A section of the file; its own fields carry their sources."""
    return Field(default_factory=cls, description=cls.__doc__,
                 json_schema_extra={"source": "the model requirements; each field of the section cites its own source"})


class Section(BaseModel):
    """Strict base: unknown keys and wrong types are errors, never silently ignored or coerced; NaN and infinity
    are not numbers a parameter can take (NaN would slip through every range check)."""

    model_config = ConfigDict(extra="forbid", strict=True, validate_assignment=True, allow_inf_nan=False)


class Phase(Section):
    """One stage of the lockdown: what residents may do for themselves from its start day."""

    name: str = _f("phase", "Label shown in outputs (e.g. `full_closure`).", "the model requirements Phases")
    start: int = _f(0, "First day of the phase (day 0 = 23 Jan 2020); a phase lasts until the next starts.",
                    "sources Timeline (H)", ge=0, le=MAX_DAYS)
    outing_interval: int = _f(
        1, "Days between the outings one household may make to shop; 0 means nobody may go out to shop.",
        "sources Timeline: one person per household every 3 days from day 18 (M); none from day 22 (H)",
        ge=0, le=365)
    shop_access: Probability = _f(
        0.9, "Chance that a permitted shopping outing finds what the household needs (shops open, stock on "
        "shelves).", "assumed, 0.5-1.0 while shops sell to individuals; 0 when they sell to group buyers only")
    self_medical: Probability = _f(
        0.9, "Daily chance that a household can arrange a medical trip or pharmacy run by itself (transport, a pass "
        "to leave); whether a hospital then takes the patient is `hospital_access`.",
        "assumed; sources: transport closed day 0, 3-5 free taxis per community from day 1 (H)")
    hospital_access: Probability = _f(
        1.0, "Chance that a hospital takes a non-COVID patient who arrives for a medical visit (dialysis, an acute "
        "event) on a day of this phase; a patient turned away keeps the need open, and an escort's hours are spent.",
        "assumed, 0.3-1.0; sources: stylized fact 5: dialysis and chronic care disrupted, hospitals turned to "
        "COVID care, 19 of 29 online help requests on one day from non-COVID patients (M)")
    food_supply: float = _f(
        1.0, "Food reaching the community's shops, relative to normal times; drives the price index.",
        "assumed; sources: city stocks adequate, supermarkets ~800 t a day (H)", gt=0.0, le=5.0)
    gate_hours_per_1000: float = _f(
        0.0, "Cadre hours per day spent guarding compound gates, per 1,000 households.",
        "assumed, 0-48; sources: one entrance per compound from day 22 (H)", ge=0.0, le=1000.0)
    isolation_stress: float = _f(
        0.0, "Daily rise in every household's distress from confinement (negative: recovery after reopening).",
        "assumed, -0.01 to 0.01; sources: 41.9% distressed a week into the lockdown (H)",
        ge=-0.1, le=0.1)


def default_phases() -> list[Phase]:
    """The spec's default schedule (the model requirements Phases; sources Timeline)."""
    return [
        Phase(name="sealed_city", start=0, outing_interval=1, shop_access=0.8, self_medical=0.6,
              hospital_access=0.7, food_supply=0.9, gate_hours_per_1000=0.0, isolation_stress=0.002),
        Phase(name="closed_compound", start=18, outing_interval=3, shop_access=0.7, self_medical=0.3,
              hospital_access=0.6, food_supply=0.7, gate_hours_per_1000=16.0, isolation_stress=0.004),
        Phase(name="full_closure", start=25, outing_interval=0, shop_access=0.0, self_medical=0.15,
              hospital_access=0.5, food_supply=0.5, gate_hours_per_1000=32.0, isolation_stress=0.006),
        Phase(name="easing", start=55, outing_interval=1, shop_access=0.5, self_medical=0.4,
              hospital_access=0.7, food_supply=0.8, gate_hours_per_1000=16.0, isolation_stress=0.0),
        Phase(name="reopened", start=76, outing_interval=1, shop_access=0.95, self_medical=0.95,
              hospital_access=0.95, food_supply=1.0, gate_hours_per_1000=0.0, isolation_stress=-0.006),
    ]


class Population(Section):
    """Who lives in the community: shares of household kinds, drawn independently per household."""

    persons_per_household: float = _f(2.47, "Mean household size.", "sources: 2020 census (H)",
                                      ge=1.0, le=8.0)
    elderly_share: Probability = _f(
        0.30, "Share of households with a member aged 60+.",
        "derived from sources: 17.2% of residents 60+ (H), ~1.4 elderly per such household (assumed)")
    alone_share_of_elderly: Probability = _f(
        0.15, "Share of elderly households where an older person lives alone.",
        "sources: not found for Wuhan, assumed 0.10-0.20 (L)")
    chronic_share_elderly: Probability = _f(
        0.75, "Share of elderly households with chronic disease.", "sources: 75% of people 60+ (H)")
    chronic_share_other: Probability = _f(
        0.15, "Share of other households with a chronically ill member.", "assumed, 0.10-0.25")
    dialysis_share: Probability = _f(
        0.0012, "Share of households with a dialysis or critical-care patient.",
        "sources: ~4,700 haemodialysis patients / 4.08 M households (M)")
    disability_share: Probability = _f(0.05, "Share of households with a disabled member.",
                                       "assumed, 0.03-0.08")
    low_income_share: Probability = _f(0.08, "Share of low-income households (groups in difficulty).",
                                       "assumed, 0.05-0.15")
    digital_share_elderly: Probability = _f(
        0.40, "Share of elderly households that can use online groups and apps.",
        "sources: ~40% of people 60+ online (M)")
    digital_share_alone: Probability = _f(
        0.25, "Share of elderly-alone households that are online.", "assumed, 0.15-0.40 (below elderly share)")
    digital_share_other: Probability = _f(0.95, "Share of other households online.", "assumed, 0.90-0.99")


class Network(Section):
    """The social network: dense ties inside buildings, sparser ties across buildings of a grid cell."""

    building_size: int = _f(60, "Households per building.", "the model requirements Scale (assumed ~60)", ge=2, le=2000)
    grid_cells: int = _f(10, "Grid cells (网格) the community is divided into, each with a grid worker.",
                         "sources: 13,822 grid cells for 1,406 communities, ~10 each (H/M)", ge=1, le=5000)
    ties_in_building: float = _f(
        3.0, "Mean ties a household has inside its building at mass base 0; mass base adds up to as many again.",
        "assumed, 2-8", ge=0.0, le=50.0)
    ties_across_buildings: float = _f(
        0.5, "Mean ties to households anywhere in the same grid cell (mostly other buildings) at mass base 0; "
        "mass base doubles it at 1.", "assumed, 0.2-2", ge=0.0, le=20.0)


class Needs(Section):
    """How needs arise (the model requirements Process 2)."""

    food_stock_days: float = _f(7.0, "Mean food stock (days) at day 0; drawn uniformly from 0.5x to 1.5x.",
                                "sources: city stock about a week (H); household stock assumed",
                                ge=0.0, le=365.0)
    food_reorder_days: float = _f(2.0, "A food need opens when the stock falls to this many days.",
                                  "assumed, 1-3", ge=0.0, le=30.0)
    shop_purchase_days: float = _f(7.0, "Days of food bought on one shopping outing at normal prices, for a "
                                   "household of average size (scaled by average size / household size).",
                                   "assumed, 3-10", gt=0.0, le=60.0)
    package_days: float = _f(3.0, "Days of food in one delivered package for a household of average size "
                             "(scaled by average size / household size).",
                             "sources: ~6 kg, ~3 people x 3 days (M)", gt=0.0, le=60.0)
    medicine_stock_days: float = _f(
        20.0, "Mean medicine stock (days) of chronically ill households at day 0; drawn uniformly 0-2x.",
        "assumed, 10-30", ge=0.0, le=365.0)
    medicine_reorder_days: float = _f(5.0, "A medicine need opens when the stock falls to this many days.",
                                      "assumed, 3-10", ge=0.0, le=60.0)
    refill_days: float = _f(30.0, "Days of medicine in one refill.", "assumed (a monthly prescription)",
                            gt=0.0, le=365.0)
    dialysis_interval: int = _f(3, "Days between dialysis sessions.", "sources: 2-3 sessions a week (M)",
                                ge=1, le=30)
    acute_rate: Probability = _f(0.0008, "Daily chance of an acute medical event in a household.",
                                 "assumed, 0.0003-0.002")
    acute_rate_chronic: Probability = _f(
        0.002, "Daily chance of an acute medical event in a household with chronic illness.",
        "assumed, 0.001-0.005; sources: 19 of 29 online help requests were from non-COVID patients (M)")
    acute_rate_no_medicine: float = _f(2.0, "Multiplier on the acute rate while a chronic patient's medicine "
                                       "has run out.", "assumed, 1.5-4", ge=1.0, le=20.0)
    medical_deadline_days: int = _f(
        1, "Days an urgent medical need (dialysis, acute event) may wait before it is a critical failure.",
        "assumed (dialysis cannot be postponed)", ge=0, le=30)
    supplies_rate: Probability = _f(0.03, "Daily chance a household runs out of protective supplies.",
                                    "assumed, 0.01-0.06; sources: masks and disinfectant bought online (M)")
    psych_threshold: Probability = _f(
        0.65, "Distress above which a household feels it needs psychological help and asks for support; it stays "
        "in need until its distress eases below the threshold less 0.1.",
        "assumed; with the initial distress, calibrated to the survey week (days 4-10): 10.2% felt they needed "
        "help (sources, H)")
    frail_self_provision: Probability = _f(
        0.5, "Factor on the chance of self-provision for elderly-alone or disabled households.", "assumed, 0.3-0.8")


class Reporting(Section):
    """How needs become known to responders, or stay hidden (the model requirements Process 3)."""

    online_prob: Probability = _f(
        0.7, "Daily chance a digital household posts its open needs in the community's online group.",
        "assumed, 0.5-0.9")
    call_prob: Probability = _f(0.3, "Daily chance a household phones the community about its open needs.",
                                "assumed, 0.1-0.5; sources: hotline at 10x capacity (H)")
    neighbour_prob: Probability = _f(
        0.05, "Daily chance a trusted online neighbour reports for a household with open needs, per tie, at "
        "mass base 0; mass base doubles it at 1.", "assumed, 0.02-0.15")
    call_hours: float = _f(0.08, "Cadre hours to take one phone report.",
                           "sources: a cadre made 100-200 calls a day (M)", gt=0.0, le=10.0)
    message_hours: float = _f(0.03, "Cadre hours to read and log one online report.", "assumed, 0.01-0.1",
                              gt=0.0, le=10.0)
    screen_hours: float = _f(0.1, "Cadre hours for one proactive screening call or visit.",
                             "sources: 100-200 calls a day (M)", gt=0.0, le=10.0)
    chase_calls: float = _f(
        1.5, "Calls a day, on average (Poisson), that a household makes to chase needs the community has known of "
        "since an earlier day and not met (asking after a package, pressing for a medicine run). They reveal "
        "nothing new, but take the cadres' phone time in turn with new report calls (written reports are read "
        "first); 0 switches chasing off.",
        "assumed, 0.3-2; sources: hotline at 10x capacity (H), a cadre made 100-200 calls a day (M)",
        ge=0.0, le=20.0)
    chase_hours: float = _f(
        0.03, "Cadre hours to take one chasing call.", "assumed, 0.02-0.05 (1-3 minutes: the need is already "
        "logged; a report call takes `call_hours`)", gt=0.0, le=10.0)


class Cadres(Section):
    """The community's own workers: the only responders in `no_linkage` (the model requirements Entities)."""

    per_1000_households: float = _f(
        5.3, "Community workers per 1,000 households (at least one if above 0): one grid worker per grid cell while "
        "staff allow, the rest serve every cell; fewer staff than cells share the cells out.",
        "sources: 15-16 per community of ~3,000 households (M)", ge=0.0, le=1000.0)
    hours_per_day: float = _f(12.0, "Hours a cadre works a day.",
                              "sources: round-the-clock duty with nobody to relieve them (M)", gt=0.0, le=24.0)
    coordination_share: Probability = _f(
        0.5, "Share of the own cadres' hours (after gates) that taking reports and calls may use; what they do not use "
        "goes to deliveries.", "assumed, 0.3-0.8; sources: round-the-clock phone duty, a cadre made 100-200 calls a "
        "day (M): at 2-5 minutes a call, 3-10 h of a 12-hour day")
    screening_share: Probability = _f(
        0.1, "Share of cadre hours for proactive screening of the vulnerable register.", "assumed, 0-0.3")
    fatigue_rate: float = _f(0.012, "Fatigue gained per day of fully loaded work (0 = fresh, 1 = exhausted).",
                             "assumed, 0.005-0.03; sources: one team fell from 6 to 2 people (L)",
                             ge=0.0, le=1.0)
    fatigue_recovery: float = _f(0.0, "Fatigue lost per day; 0 means nobody relieves them.",
                                 "the source panel: cadres with nobody to relieve them (speaker uncertain)",
                                 ge=0.0, le=1.0)
    fatigue_penalty: Probability = _f(0.5, "Share of capacity lost at full fatigue.", "assumed, 0.3-0.7")
    relief_recovery: float = _f(
        0.006, "Fatigue the community's own cadres recover a day when sunk cadres relieve them, at one sunk cadre "
        "on duty per own cadre (scaled down below that; 0 without sunk cadres).",
        "assumed, 0-0.012 (at most a fully loaded day's fatigue); the source panel: community workers need relief and "
        "care (Song, Chen)", ge=0.0, le=1.0)
    sick_rate: Probability = _f(
        0.02, "Daily chance a cadre on duty falls ill, per unit of fatigue (0 fresh, 1 exhausted).",
        "assumed, 0.005-0.05; sources: one Wuhan team fell from 6 to 2 people (L), 53 community workers died "
        "nationally (H)")
    sick_days: int = _f(14, "Days a cadre who falls ill is off duty.", "assumed, 7-28", ge=1, le=365)
    leave_share: Probability = _f(
        0.25, "Share of the cadres who fall ill who do not come back (they leave the post, or die).",
        "assumed, 0.1-0.5; sources: one team fell from 6 to 2 people (L)")
    food_hours: float = _f(0.5, "Hours to buy and deliver food for one household.", "assumed, 0.3-1.0",
                           gt=0.0, le=24.0)
    medicine_hours: float = _f(2.0, "Hours for one medicine run.",
                               "assumed, 1-3; sources: medicine runs were slow and avoided (M)", gt=0.0, le=24.0)
    medical_hours: float = _f(3.0, "Hours to arrange and escort one medical visit.", "assumed, 2-5",
                              gt=0.0, le=24.0)
    psych_hours: float = _f(1.0, "Hours for one supportive conversation.", "assumed, 0.5-2", gt=0.0, le=24.0)
    supplies_hours: float = _f(0.3, "Hours to deliver protective supplies to one household.", "assumed, 0.1-0.5",
                               gt=0.0, le=24.0)
    counselling_effect: Probability = _f(
        0.1, "Fall in distress after a cadre's supportive conversation (cadres are not counsellors).",
        "assumed, 0.05-0.2; the source panel: cities slow to switch to professional capacity (Song)")

    @model_validator(mode="after")
    def _shares_fit(self) -> Cadres:
        if self.coordination_share + self.screening_share > 1.0:
            raise ValueError(
                f"cadres.coordination_share + cadres.screening_share = "
                f"{self.coordination_share + self.screening_share:g} is more than all of the cadres' hours; "
                f"keep their sum at most 1")
        return self


class Distress(Section):
    """Psychological distress, 0-1 (the model requirements Process 7)."""

    initial_mean: Probability = _f(0.476, "Mean distress at day 0 (a beta distribution; also each household's "
                                   "baseline).", "calibrated to the survey week (days 4-10): 41.9% distressed, "
                                   "10.2% needing help (sources, H); the posterior median of `make calibration`, "
                                   "prior 0.42-0.54")
    initial_concentration: float = _f(11.5, "Concentration of the initial beta distribution (higher: less "
                                      "spread).", "calibrated with `initial_mean` to the survey week's two shares "
                                      "(sources: 41.9% distressed, 10.2% needing help, H); the posterior median "
                                      "of `make calibration`, prior 6-24",
                                      gt=0.0, le=1000.0)
    distressed_threshold: Probability = _f(
        0.5, "Distress above which a household counts as distressed (the survey's psychological distress).",
        "assumed: the middle of the 0-1 scale; the initial distribution is calibrated against it (41.9% "
        "distressed in the survey week, sources H)")
    unmet_stress: float = _f(0.003, "Daily rise per open need older than a day.", "assumed, 0.002-0.01",
                             ge=0.0, le=1.0)
    hunger_stress: float = _f(0.01, "Daily rise while the household has no food.", "assumed, 0.01-0.04",
                              ge=0.0, le=1.0)
    relaxation: float = _f(0.05, "Daily pull back towards the household's own baseline.", "assumed, 0.01-0.05",
                           ge=0.0, le=1.0)
    support: float = _f(0.004, "Daily relief from social ties (scaled by trust-weighted ties, up to 1).",
                        "Miao, Zeng & Shi 2020: cohesion reduced distress (M); size assumed", ge=0.0, le=1.0)
    scar: Probability = _f(
        0.3, "Share of each day's hardship stress (overdue needs, no food) that stays: it raises the household's "
        "baseline, so it does not relax away when the hardship ends.",
        "assumed, 0.1-0.6; the source panel Aftermath: psychological problems surface in key groups later (Song, Chen)")
    bereavement: Probability = _f(
        0.2, "Rise in a household's baseline distress when an urgent medical need of its own fails (a patient "
        "gravely ill or lost).", "assumed, 0.1-0.4; the source panel Aftermath: key groups (Song, Chen)")
    key_group_recovery: Probability = _f(
        0.25, "Share of a phase's relief (a negative `isolation_stress`, as after reopening) that reaches the key "
        "groups: elderly people living alone, the chronically ill and households whose urgent medical need failed. "
        "Reopening does not end their isolation, illness or loss.",
        "assumed, 0-1; the source panel Aftermath: psychological problems surface in key groups later, marginalised "
        "groups need attention (Song, Chen)")


class Prices(Section):
    """The food price index (the model requirements Process 7), the price of a group-buy package, and low-income
    households' food budgets."""

    elasticity: float = _f(0.4, "Exponent of the demand/supply ratio in the target price index.",
                           "assumed, 0.2-1.0; sources: fresh vegetables +10.9% nationally, 3-4x locally (H/L)",
                           ge=0.0, le=5.0)
    adjustment: Probability = _f(0.2, "Share of the gap to the target price closed each day.", "assumed, 0.1-0.5")
    normal_need_share: float = _f(
        0.15, "Share of households seeking food on a normal day (demand = 1 at this share).",
        "assumed: roughly 1 / shop_purchase_days", gt=0.0, le=1.0)
    cap: float = _f(
        0.0, "Price stabilisation: the index may not rise above this (0 = no cap; otherwise at least 1). The city "
        "linked departments to guarantee supply and stabilise vegetable prices.",
        "the source panel, Prices and supply (Huang); level assumed", ge=0.0, le=100.0)
    low_income_response: float = _f(
        1.0, "At the shop, low-income households buy purchase_days / price**this; 0 = prices do not matter there.",
        "assumed, 0.5-1.5", ge=0.0, le=5.0)
    package_price: float = _f(
        100.0, "Price of a group-buy package (¥) at a price index of 1; it follows the index.",
        "sources Supply and group buying: a package ~¥100 (M)", ge=0.0, le=100_000.0)
    low_income_budget: float = _f(
        40.0, "What a low-income household of average size can spend on food a day (¥; scaled by household "
        "size). It pays for group-buy packages and subsidised packs when ordered; a household that has not the "
        "price of a package orders later.",
        "assumed, 25-60: a package's 3 days of food cost ~¥33 a day at normal prices", ge=0.0, le=100_000.0)
    budget_days: float = _f(
        7.0, "Days of budget a low-income household can hold at most (it starts full): it lives from week to week.",
        "assumed, 3-14", ge=0.0, le=365.0)

    @model_validator(mode="after")
    def _cap_meaningful(self) -> Prices:
        if 0.0 < self.cap < 1.0:
            raise ValueError(f"prices.cap = {self.cap:g} is below the pre-lockdown index 1.0; use 0 for no cap "
                             f"or a value of at least 1")
        return self


class Online(Section):
    """Emergency online linkage (Song's first linkage; Chen's QQ group from 23 Jan): online groups where digital
    households report, moderated by volunteers, and a remote pool of professional volunteers answering by category."""

    enabled: bool = _f(False, "Switch the mechanism on.", "the model requirements Linkage table")
    start_day: int = _f(0, "Day the groups open.", "the source panel Timeline: QQ group opened 23 Jan, day 0 (Chen)",
                        ge=0, le=MAX_DAYS)
    group_share: Probability = _f(0.8, "Share of digital households that join the groups.", "assumed, 0.5-0.95")
    report_prob: Probability = _f(0.9, "Daily chance a group member posts its open needs there.",
                                  "assumed, 0.7-1.0")
    moderators: int = _f(
        4, "Volunteer moderators of the groups, who read, triage and pass members' posts on to the responders (no "
        "cadre time: their own).", "sources: one online team of 200+ regular volunteers (M); per community "
        "assumed, 2-10", ge=0, le=10_000)
    moderator_hours: float = _f(3.0, "Hours a moderator gives a day.", "assumed, 1-6 (as remote volunteers)",
                                ge=0.0, le=24.0)
    post_hours: float = _f(
        0.02, "Moderator hours to read, triage and pass on one post; posts beyond the moderators' hours are lost "
        "that day.", "assumed, 0.01-0.05 (1-3 minutes); sources: peak 5,000+ messages a day for one online "
        "team (M)", gt=0.0, le=24.0)
    psych_sessions_per_1000: float = _f(
        2.54, "Professional sessions a day that the remote psychological services (hotlines, online counselling) "
        "can give the community, per 1,000 households (a fraction is a chance of one more session).",
        "sources: one online team served 6,252 people in 75 days, 83 a day (M); assumed: the city's remote "
        "services equal about 130 such teams (range 60-260), 130 x 83.4 / 4,080 thousand households = 2.66, about "
        "8 a day in a community of 3,000 (1/1,406 of the city); calibrated to the survey week's uptake of 1.9% (H): "
        "the posterior median of `make calibration`, prior 1.3-5.3", ge=0.0, le=1000.0)
    psych_seek_prob: Probability = _f(
        0.248, "Daily chance a household in need of psychological help tries to reach the remote services (the "
        "others meet barriers: not knowing where, stigma, no time, fear).",
        "assumed, 0.1-0.5; calibrated so that callers are about 10 times the services' capacity in the survey week "
        "(sources: hotline at 10x capacity, 83% of those in need met barriers, H): the posterior median of `make "
        "calibration`")
    medical_volunteers: int = _f(4, "Remote medical volunteers: online consultations and prescriptions.",
                                 "sources: one online team's volunteers (M); share assumed", ge=0, le=10_000)
    hours_per_day: float = _f(3.0, "Hours a remote volunteer gives a day (the psychological volunteers counted "
                              "active are those the sessions need).", "assumed, 1-6", ge=0.0, le=24.0)
    psych_hours: float = _f(1.0, "Hours for one online or telephone counselling session.", "assumed, 0.5-2",
                            gt=0.0, le=24.0)
    medicine_hours: float = _f(0.5, "Hours for one online consultation and prescription, delivered by a pharmacy.",
                               "assumed, 0.3-1", gt=0.0, le=24.0)
    counselling_effect: Probability = _f(
        0.3, "Fall in distress after a professional's counselling session.",
        "assumed, 0.2-0.4 (three times a cadre's conversation); the source panel: professional volunteers (Song)")


class Internal(Section):
    """Internal linkage (Song's third linkage): cadres sunk from government units, and resident building leaders
    who report for their neighbours."""

    sunk_cadres_per_1000: float = _f(
        0.0, "Cadres sunk from government units per 1,000 households; they serve every grid cell.",
        "sources: 34,000+ sunk into ~1,100 communities by 11 Feb, ~25-50 per community (H/M)",
        ge=0.0, le=1000.0)
    sunk_arrival_day: int = _f(19, "Day the sunk cadres arrive.", "sources: by 11 Feb, day 19 (H)",
                               ge=0, le=MAX_DAYS)
    leader_share: Probability = _f(
        0.0, "Share of buildings with an active resident leader (楼栋长/居民骨干).",
        "the source panel: resident leaders make volunteer work very smooth (Chen); share assumed, 0-0.8")
    leader_start_day: int = _f(18, "Day building leaders start reporting for their neighbours.",
                               "assumed: with closed management, day 18", ge=0, le=MAX_DAYS)
    leader_reach: Probability = _f(
        0.5, "Daily chance a leader learns of a neighbour's open needs and reports them (scaled by trust).",
        "assumed, 0.3-0.8; the source panel: leaders with pull and organising skill (Chen)")
    leader_hours: float = _f(
        2.0, "Hours a building leader gives a day to learning of and reporting neighbours' needs (group-buy "
        "organising is `external.organiser_hours`, on top).", "assumed, 1-4", ge=0.0, le=24.0)
    leader_report_hours: float = _f(
        0.05, "Leader hours to learn of one household's open needs and report them.", "assumed, 0.02-0.15 (a "
        "message or a knock on the door)", gt=0.0, le=24.0)
    leader_example: Probability = _f(
        0.15, "The example a building leader sets its building's residents: added to the share of a household's "
        "ties that are active volunteers when it decides whether to join as a volunteer (7.17), for every household "
        "of a led building from `leader_start_day`.",
        "assumed, 0-0.3; sources: leaders set the example; resident leaders")


TARGETING_MODES = ("equal", "first_come", "need")


class External(Section):
    """External linkage (Song's second linkage; Huang on supply and donations): community group buying (an organiser,
    orders for offline households by organisers, neighbours and cadres, a minimum batch, a lead time that shortens,
    last-hundred-metre distribution, cadres stepping in for late packages) from the suppliers' finite stock,
    guaranteed supply and donated love vegetables on a schedule, subsidised packs, donated protective supplies and
    their approval stamp, and how what is handed out is targeted."""

    group_buy: bool = _f(False, "Switch community group buying on.",
                         "the model requirements Linkage table (group-buy platform access)")
    group_buy_start_day: int = _f(
        24, "Day group buying starts.",
        "sources Timeline: supermarkets sell only to group buyers, citywide push for group buying, days 24-26 (H)",
        ge=0, le=MAX_DAYS)
    organiser_share: Probability = _f(
        0.5, "Share of buildings without a resident leader (`internal.leader_share`) where a digital resident "
        "organises the building's orders; buildings with a leader are organised by the leader.",
        "assumed, 0.2-0.8; sources: stylized fact 3: where nobody organises, households go unserved")
    cadres_organise: bool = _f(
        True, "Cadres take the orders of buildings nobody organises, at `organise_hours` per order; if false, "
        "households there cannot group-buy.",
        "sources Timeline: citywide push for community group buying (H); who organised assumed")
    organise_hours: float = _f(0.05, "Cadre hours to take one household's order where cadres organise.",
                               "assumed, 0.03-0.1; sources: a cadre made 100-200 calls a day (M)",
                               gt=0.0, le=24.0)
    batch_min: int = _f(
        50, "Packages (one per household) a grid cell's pooled order needs before it goes ahead; sign-ups wait "
        "until then.", "sources Supply and group buying: an order goes ahead at 50 or 100 packages (M)",
        ge=1, le=100_000)
    lead_days_initial: int = _f(5, "Days from order to arrival at the gate when group buying starts.",
                                "sources Supply and group buying: early waits 5-6 days (M)", ge=1, le=60)
    lead_days_final: int = _f(1, "Days from order to arrival once group buying has matured.",
                              "sources Supply and group buying: next day by mid-March (M)", ge=1, le=60)
    maturation_days: int = _f(
        28, "Days over which the lead time falls linearly from initial to final, counted from "
        "`group_buy_start_day`.", "sources: 5-6 days at first, next day by mid-March (about day 52) (M)",
        ge=0, le=MAX_DAYS)
    organiser_hours: float = _f(
        2.0, "Hours a day a building's organiser (leader or resident) spends carrying the building's packages from "
        "the gate to the doors; the rest falls to the cadres.", "assumed, 0-4", ge=0.0, le=24.0)
    distribution_hours: float = _f(
        0.1, "Hours to carry one package or kit the last hundred metres, from the gate to a door (volunteer or "
        "cadre time); what is not carried today waits at the gate.",
        "assumed, 0.05-0.2 (below cadres.food_hours, which includes buying); sources: stylized fact 9",
        gt=0.0, le=24.0)
    supply_days: list[int] = _f(
        [], "Days on which guaranteed supply and donated love vegetables (爱心菜) arrive at the gate.",
        "the source panel, Government and donors: the city guaranteed supply and handed out love vegetables (Huang); "
        "schedule assumed")
    supply_per_1000: float = _f(
        0.0, "Food packages per 1,000 households arriving on each supply day, handed out free by `targeting`.",
        "sources: 8,500 t of donated vegetables in city stock on 31 Jan (H), about 270 packages of 7.6 kg per "
        "1,000 households in all; per day assumed", ge=0.0, le=10_000.0)
    donation_days: list[int] = _f(
        [], "Days on which donated protective supplies (masks, disinfectant) arrive at the gate.",
        "the source panel, Three kinds of linkage: external linkage brings in masks, disinfectant and other supplies "
        "(Song); schedule assumed")
    donation_per_1000: float = _f(
        0.0, "Kits of protective supplies per 1,000 households on each donation day, handed out by `targeting`; a "
        "household keeps its kit until it runs out of supplies.",
        "assumed, 0-500; the source panel: the whole country donated money and goods", ge=0.0, le=10_000.0)
    targeting: str = _f(
        "equal", "How supply packages and kits are handed out: `equal` (every household in turn, short or not), "
        "`first_come` (households who see the notice online come first, short or not; offline households once "
        "their need is known), `need` (assessed need: known needs of vulnerable households first, then other "
        "known needs, those with least food first, then the register of special groups).",
        "the model requirements Linkage table (equal / first come / assessed need); the source panel, Last-mile "
        "precision (Song, Huang); default assumed")
    # --- offline households and late packages ---
    organiser_reach: Probability = _f(
        0.6, "Share of an organised building's offline households that its organiser keeps on a list and orders "
        "for as a digital household orders (a knock or a call before each round), at `proxy_order_hours` each from "
        "the organiser's own `organiser_hours`.",
        "assumed, 0.3-0.9; the source panel: resident leaders (居民骨干) built vegetable-buying groups; sources "
        "stylized fact 4: older residents lose out in online ordering")
    neighbour_order_rate: float = _f(
        0.2, "Daily rate, per trust-weighted tie to a digital household, at which a neighbour orders for an offline "
        "household at its reorder point that no organiser orders for: chance 1 - exp(-rate x ties) a day.",
        "assumed, 0.05-0.5; sources: stylized fact 4 (the digital divide)", ge=0.0, le=10.0)
    proxy_order_hours: float = _f(
        0.05, "Hours an organiser or a neighbour spends taking one order for an offline household.",
        "assumed, 0.02-0.1 (as `organise_hours`)", gt=0.0, le=24.0)
    cadres_step_in: bool = _f(
        True, "Cadres buy food (a delivery, `cadres.food_hours`) for a household whose group-buy package is late: "
        "past the day promised at sign-up (sign-up + lead time), or its food stock at zero. If false, or before "
        "then, they leave a household waiting for its package to the package.",
        "assumed; the sources do not say whether cadres bought for households with an order on its way")
    # --- finite supply ---
    stock_days: float = _f(
        7.0, "Food the community's suppliers can draw on (its share of the city's stock), in days of the "
        "community's food need (one package per household every `needs.package_days`, scaled by household size); "
        "also the most they hold. Group-buy orders, love vegetables and subsidised packs draw on it; an order "
        "the stock cannot fill waits for the next delivery.",
        "sources: city vegetable stock 34,400 t on 31 Jan, about a week (H); 25 t for a community of 3,000 of "
        "Wuhan's 4.08 M households", ge=0.0, le=365.0)
    deliveries_days: float = _f(
        1.0, "Food delivered to the community's suppliers each day, in days of the community's food need, up to "
        "`stock_days` held.",
        "assumed, 0.2-1.0; sources (H): supermarkets ~800 t a day and the group-buy orders' 59,000 t to "
        "12 Apr (~1,050 t a day from day 24) are 0.38 of the ~4,900 t a day that makes 34,400 t 'about a week'; "
        "channels the sources do not count (other platforms, wholesale markets, units' canteens) add to them",
        ge=0.0, le=100.0)
    approval_days: int = _f(
        1, "Days a donated load (love vegetables, protective kits) waits at the gate before it can be stamped "
        "(checking the donor and the goods).",
        "assumed, 0-3; sources: stylized fact 9: a donated load stood blocked at a compound gate for want of an "
        "approval stamp", ge=0, le=60)
    approval_hours: float = _f(
        1.0, "Hours of the grid cell's own cadres (not sunk cadres: the stamp is the committee's) to approve one "
        "donated load, taken before the day's deliveries; a load whose cell's own cadres have not the hours left "
        "(gates and calls took them) waits another day.",
        "assumed, 0.25-3; sources: stylized fact 9", ge=0.0, le=24.0)
    # --- subsidised packs ---
    subsidised_days: list[int] = _f(
        [], "Days on which subsidised vegetable packs arrive, for low-income households (least food first).",
        "sources: subsidised packs ¥10 for 5 kg, rationed ~20-30 per compound (L); schedule assumed")
    subsidised_per_1000: float = _f(
        0.0, "Subsidised packs per 1,000 households on each subsidised day; a household gets at most one a day.",
        "sources: ~20-30 per compound (L): 25 x 7,102 compounds / 4.08 M households = about 44 per 1,000",
        ge=0.0, le=10_000.0)
    subsidised_price: float = _f(10.0, "Price of a subsidised pack (¥), whatever the price index.",
                                 "sources: ¥10 for 5 kg (L)", ge=0.0, le=10_000.0)
    subsidised_pack_days: float = _f(
        2.5, "Days of food in a subsidised pack for a household of average size (scaled like a package).",
        "sources: 5 kg against a package's ~6 kg for 3 people x 3 days (L/M)", gt=0.0, le=60.0)

    @model_validator(mode="after")
    def _external_consistent(self) -> External:
        if self.targeting not in TARGETING_MODES:
            raise ValueError(f"external.targeting = {self.targeting!r} is not a targeting mode; use one of "
                             f"{', '.join(TARGETING_MODES)}")
        if self.lead_days_final > self.lead_days_initial:
            raise ValueError(f"external.lead_days_final = {self.lead_days_final} is longer than "
                             f"external.lead_days_initial = {self.lead_days_initial}; the lead time shortens as "
                             f"group buying matures, so keep final <= initial")
        for key in ("supply_days", "donation_days", "subsidised_days"):
            bad = [d for d in getattr(self, key) if not 0 <= d <= MAX_DAYS]
            if bad:
                raise ValueError(f"external.{key}: day {bad[0]} is outside 0-{MAX_DAYS}")
        return self


class Triage(Section):
    """Needs triage and referral (the source panel, "Needs first", Chen): social workers screen the vulnerable and
    order the queue by urgency and vulnerability instead of first come, first served."""

    enabled: bool = _f(False, "Order the queue by need instead of first come, first served.",
                       "the model requirements Linkage")
    start_day: int = _f(28, "Day triage starts.",
                        "the source panel Timeline: social workers offline from 20 Feb, day 28", ge=0, le=MAX_DAYS)
    social_workers: int = _f(2, "Social workers screening the register of vulnerable households.",
                             "the source panel: social workers funded through purchased services (Chen); number "
                             "assumed", ge=0, le=10_000)
    screens_per_worker: int = _f(40, "Households a social worker plans to screen a day (by phone), as far as "
                                 "their hours go.", "assumed, 20-80", ge=0, le=10_000)
    hours_per_day: float = _f(4.0, "Hours a triage social worker gives the community a day.",
                              "assumed, 2-8 (at the default, exactly the planned screening calls)", ge=0.0, le=24.0)
    screen_hours: float = _f(0.1, "Social-worker hours for one screening call.",
                             "assumed, 0.05-0.25 (as the cadres' `reporting.screen_hours`)", gt=0.0, le=24.0)
    crisis_threshold: Probability = _f(
        0.673, "Distress above which a psychological need is a crisis (urgent, and referred by the organisations' "
        "social workers to the remote psychological services).",
        "sources: one online social-work team had 75 crisis cases among 6,252 people served (M); calibrated to "
        "it (experiments/targets.py `crisis_share`: crisis households among those the social workers assess): the "
        "posterior median of `make calibration`, prior 0.64-0.70; above `needs.psych_threshold`")


class Volunteers(Section):
    """Volunteer recruitment and mobilisation (the citywide drive of 23 Feb; Chen's 800 sign-ups; Song on the mass
    base): a call brings applicants over a few days, whose identity and health checks take days and whom
    coordinators vet (approving or rejecting them) before they work; residents also join by example over the
    network and around building leaders; general volunteers check on offline households at their doors and run
    errands, medical ones take medicine runs and escorts; volunteers tire, fall into conflicts and drop out unless
    incentives and conflict handling (at a cost in coordinators' hours) hold them."""

    enabled: bool = _f(False, "Switch volunteers on (recruitment and mobilisation).",
                       "the model requirements Linkage table")
    mode: Literal["open", "categorized", "leaders"] = _f(
        "categorized", "How the call recruits: `open` (anyone signs up; coordinators vet them all), `categorized` "
        "(by referral into medical, psychological and general volunteers, pre-sorted), `leaders` (categorized, and "
        "resident leaders act as sub-coordinators, widening the span of control).",
        "the source panel: open call drew 800+ sign-ups onto one person; what worked was recruiting by referral into "
        "categories and finding resident leaders (Chen)")
    call_day: int = _f(31, "First day of the recruitment call (the drive).",
                       "sources: timeline (citywide volunteer drive 23 Feb, day 31, H)", ge=0, le=MAX_DAYS)
    drive_days: int = _f(
        4, "Days over which the call's sign-ups arrive, from `call_day`.",
        "sources: timeline (over 10,000 sign-ups on 23 Feb, over 50,000 by 26 Feb: four days, H)", ge=1, le=365)
    first_day_share: Probability = _f(
        0.2, "Share of the call's sign-ups that arrive on its first day; the rest arrive evenly over the other "
        "days of the drive.", "sources: timeline (over 10,000 of over 50,000 on the first day, H)")
    applicants_per_1000: float = _f(
        12.3, "Sign-ups an open call brings per 1,000 households over the drive; a call by referral "
        "(`categorized`, `leaders`) brings 1/`open_multiplier` of them.",
        "sources: volunteers; timeline (over 50,000 sign-ups by 26 Feb for about 4.08 M households: 12.3 per "
        "1,000, about 36 per community, H)", ge=0.0, le=1000.0)
    open_multiplier: float = _f(
        3.0, "How many times the sign-ups of a call by referral an open call brings.",
        "the source panel: one online call drew 800+ sign-ups (Chen); ratio assumed, 2-5", ge=1.0, le=100.0)
    approval_days: int = _f(
        2, "Days from sign-up before an applicant's identity and health checks are back and a coordinator may "
        "approve or reject it (a vetted applicant works from the next day).",
        "assumed, 1-7; sources: volunteers (approval delay 3-7 days, L); about 19,000 approved by the drive's "
        "fourth day (H) leave no more than about 2 days for the first sign-ups", ge=0, le=365)
    unsuitable_share: Probability = _f(
        0.126, "Share of an open call's applicants whom vetting rejects (unsuitable: health, age, not reachable).",
        "assumed, 0.05-0.4; with the drive's sign-ups and `approval_days` it gives about 14 approved per community "
        "by day 34 and 2.5 sign-ups per approval (sources: volunteers, H/L): the posterior median of `make "
        "calibration`")
    referred_unsuitable_share: Probability = _f(
        0.05, "Share of a call by referral's applicants whom vetting rejects (the referrer vouches for them).",
        "assumed, 0-0.2; the source panel: recruiting by referral into categories (Chen)")
    coordinators: int = _f(1, "Coordinators who vet applicants and manage volunteers.",
                           "the source panel: it all landed on one person (Chen)", ge=0, le=10_000)
    coordinator_hours: float = _f(12.0, "Hours a coordinator works a day.", "assumed, as cadres", ge=0.0, le=24.0)
    vetting_hours_open: float = _f(
        0.75, "Coordinator hours to vet one open applicant (identity check, motivation survey, placement).",
        "the source panel: identity checks, motivation surveys, personnel management (Chen); hours assumed, 0.5-1.5",
        gt=0.0, le=24.0)
    vetting_hours_categorized: float = _f(
        0.25, "Coordinator hours to vet one referred, pre-sorted applicant.", "assumed, 0.1-0.5", gt=0.0, le=24.0)
    supervision_hours: float = _f(
        0.15, "Coordinator hours a day per active volunteer (assigning tasks, changing plans); volunteers work only "
        "the share of their hours that supervision covers.",
        "assumed, 0.05-0.3; the source panel: service plans had to be changed (Chen)", ge=0.0, le=24.0)
    resident_supervision_share: Probability = _f(
        0.25, "Coordination a mobilised resident needs, as a share of a recruit's `supervision_hours` (their "
        "building organises the rest); when coordinators are overloaded residents, like recruits, work only the "
        "covered share of their hours.",
        "assumed, 0-0.5; the source panel: finding resident leaders made volunteer work smooth (Chen)")
    leader_span: float = _f(
        3.0, "In `leaders` mode, factor by which resident leaders cut the supervision each volunteer needs.",
        "the source panel: a leader with pull and organising skill makes volunteer work very smooth (Chen); "
        "assumed, 2-5", ge=1.0, le=100.0)
    medical_share: Probability = _f(0.2, "Share of categorized recruits who are medical volunteers.",
                                    "assumed, 0.1-0.3; the source panel: medical, social-work, psychological "
                                    "categories")
    psych_share: Probability = _f(0.1, "Share of categorized recruits who are psychological volunteers.",
                                  "assumed, 0.05-0.2")
    hours_per_day: float = _f(4.0, "Hours an active volunteer gives a day.", "assumed, 2-8", gt=0.0, le=24.0)
    doorstep_visits: int = _f(
        5, "Offline households a general volunteer checks on at their door each day, in turn through its grid "
        "cell's offline households, before its errands; the open needs it finds are reported (0: no visits).",
        "assumed, 0-15; sources: stylized fact 4 (older residents depend on calls and home visits, so their needs "
        "are discovered later), stylized fact 8 (volunteers were put on low-skill tasks)", ge=0, le=1000)
    visit_hours: float = _f(0.2, "Volunteer hours for one doorstep visit.", "assumed, 0.1-0.5 (as a cadre's "
                            "screening call or visit, `reporting.screen_hours`, with the stairs)", gt=0.0, le=24.0)
    attrition: Probability = _f(0.01, "Daily chance an active volunteer drops out.",
                                "sources: 0.5-2% a day for spontaneous volunteers (L)")
    overload_attrition: float = _f(
        2.0, "Extra drop-out, as a multiple of `attrition`, on days coordinators are overloaded.",
        "sources: attrition higher under overload and coordination delay (Schulte et al. 2024) (L); assumed",
        ge=0.0, le=100.0)
    waiting_dropout: Probability = _f(
        0.05, "Daily chance an applicant still waiting to be vetted gives up.",
        "sources: delayed coordination lowers motivation (Schulte et al. 2024) (L); assumed, 0.02-0.1")
    incentives: bool = _f(False, "Incentive mechanisms: attrition falls to `incentive_attrition` of itself.",
                          "the source panel: build incentive mechanisms (Chen); effect assumed")
    incentive_attrition: Probability = _f(
        0.5, "With incentives, the share of the attrition that remains.", "assumed, 0.3-0.8; the source panel: build "
        "incentive mechanisms (Chen)")
    conflict_rate: Probability = _f(0.01, "Daily chance an active volunteer falls into a conflict.",
                                    "assumed, 0.005-0.03")
    conflict_handling: bool = _f(
        False, "Conflict handling: coordinators resolve conflicts (`conflict_hours` each, after supervising and "
        "before vetting); a conflict nobody resolves ends in the volunteer leaving.",
        "the source panel: build conflict-handling mechanisms (Chen); effect assumed")
    conflict_hours: float = _f(1.0, "Coordinator hours to resolve one conflict.", "assumed, 0.5-3",
                               ge=0.0, le=24.0)
    fatigue_rate: float = _f(0.02, "Fatigue a volunteer gains per fully loaded day; at 1 the volunteer burns out.",
                             "assumed, 0.01-0.05", ge=0.0, le=1.0)
    mobilisation: bool = _f(True, "Residents also join as volunteers by contagion over the network.",
                            "the model requirements Processes 6")
    mobilisation_threshold: Probability = _f(
        0.3, "Share of a household's ties that must be active volunteers before it joins, at mass base 0; mass "
        "base lowers it (to 40% of this at 1). A building leader's example adds `internal.leader_example` to the "
        "share of every household of its building.",
        "the source panel: prior mass base decides mobilisation (Song); assumed")
    willing_share: Probability = _f(
        0.15, "Share of households that would ever volunteer, at mass base 1 (a quarter of it at mass base 0).",
        "assumed, 0.05-0.3; sources: >50,000 sign-ups in a city of 4 M households within days (H)")
    spontaneous_rate: Probability = _f(
        0.0005, "Daily chance a household joins on its own (public safety as a linked issue), at mass base 1; "
        "scaled by the mass base.", "the source panel: public safety is a linked issue that can mobilise (Yu); assumed")


COMPOUND_TYPES = ("old_open", "commodity", "work_unit", "resettlement")
# A typical urban community's households by compound type (an assumption: docs/scenario-reference.md, [compounds]).
CITY_MIX = {"old_open": 0.35, "commodity": 0.4, "work_unit": 0.15, "resettlement": 0.1}
# The fields of a compound type that multiply a figure of the community (the others are the type's own numbers).
MULTIPLIERS = ("elderly", "alone", "digital", "low_income", "ties", "gates", "leaders")


class CompoundType(Section):
    """What a type of residential compound (小区) changes, as multipliers on the community's own figures (1 = as the
    community; a share is capped at 1), and the staff and leaders it has."""

    elderly: float = _f(1.0, "Multiplier on `population.elderly_share` for this type's households.",
                        "assumed (see each type)", ge=0.0, le=10.0)
    alone: float = _f(1.0, "Multiplier on `population.alone_share_of_elderly`.", "assumed (see each type)",
                      ge=0.0, le=10.0)
    digital: float = _f(1.0, "Multiplier on the shares of households online (`population.digital_share_*`).",
                        "assumed (see each type)", ge=0.0, le=10.0)
    low_income: float = _f(1.0, "Multiplier on `population.low_income_share`.", "assumed (see each type)",
                           ge=0.0, le=10.0)
    ties: float = _f(1.0, "Multiplier on the everyday ties in and across buildings (`network.ties_*`).",
                     "assumed (see each type)", ge=0.0, le=10.0)
    gates: float = _f(1.0, "Multiplier on the phase's gate hours per 1,000 households: entrances to guard.",
                      "assumed (see each type)", ge=0.0, le=10.0)
    property_staff_per_1000: float = _f(
        0.0, "Property-management staff per 1,000 households, on site: they guard the compound's gates first, "
        "then carry its food and protective supplies deliveries.", "assumed (see each type)", ge=0.0, le=100.0)
    property_staff_hours: float = _f(8.0, "Hours a property-management worker gives a day.", "assumed, 6-12",
                                     ge=0.0, le=24.0)
    leaders: float = _f(1.0, "Multiplier on `internal.leader_share` in this type's buildings.",
                        "assumed (see each type)", ge=0.0, le=10.0)
    leader_delay_days: int = _f(
        0, "Days after `internal.leader_start_day` before this type's building leaders start (nobody in charge at "
        "first).", "assumed (see each type)", ge=0, le=MAX_DAYS)


def _compound(description: str, source: str, **values):
    return Field(default_factory=lambda: CompoundType(**values), description=description,
                 json_schema_extra={"source": source})


class Compounds(Section):
    """The residential compounds (小区) the community is made of. With an empty `mix` the community is one compound
    of no declared type (every multiplier 1, no property staff); with a mix its buildings are shared out among the
    types, in runs of neighbouring buildings, in proportion to the shares."""

    mix: dict[str, Probability] = _f(
        dict(CITY_MIX), "Share of the community's households in each compound type (`old_open`, `commodity`, "
        "`work_unit`, `resettlement`); the shares add up to 1. Empty (`mix = {}`): one compound of no declared "
        "type, every multiplier 1 and no property staff.",
        "sources: stylized facts 6 and 7 (old open compounds and new suburbs fared worse); Wuhan had 7,102 "
        "compounds in 1,406 urban communities and 1,943 villages (H/M), about 5 a community; the shares are "
        "assumed: old open 0.35 (0.2-0.5), commodity 0.4 (0.3-0.6), work unit 0.15 (0.05-0.25), resettlement "
        "0.1 (0.05-0.2)")
    reference_mix: dict[str, Probability] = _f(
        dict(CITY_MIX), "The mix whose households have, on average, the community's own figures: each multiplier of "
        "the types (population shares, ties, gates, leaders) is divided by its mean over this mix, so that a "
        "community of this mix keeps the population, ties, gates and leaders the rest of the scenario gives it "
        "(shares capped at 1 aside), and another mix shifts them. The shares add up to 1.",
        "assumed: the city's typical mix, the default `mix`; the scenario's figures are city-wide ones")
    old_open: CompoundType = _compound(
        "Old open compounds without property management: many entrances to guard, more elderly people and more of "
        "them alone, fewer online, more low-income households, no property staff.",
        "sources: stylized fact 7 (old open compounds without property management were more vulnerable); elderly "
        "living alone higher in old inner-city compounds (L); multipliers assumed: elderly 1.4 (1.1-1.8), alone 1.3 "
        "(1.0-1.6), digital 0.8 (0.6-1.0), low income 1.5 (1.0-2.5), gates 2.5 (1.5-4)",
        elderly=1.4, alone=1.3, digital=0.8, low_income=1.5, gates=2.5)
    commodity: CompoundType = _compound(
        "Commodity-housing compounds with property management: property staff guard the gates and carry deliveries; "
        "younger and online households; weaker everyday ties.",
        "assumed: elderly 0.7 (0.5-0.9), alone 0.8 (0.6-1.0), digital 1.05 (1.0-1.1), low income 0.5 (0.3-0.8), "
        "ties 0.6 (0.4-0.9), property staff 4 per 1,000 households (2-8), leaders 0.8 (0.5-1.0)",
        elderly=0.7, alone=0.8, digital=1.05, low_income=0.5, ties=0.6, property_staff_per_1000=4.0, leaders=0.8)
    work_unit: CompoundType = _compound(
        "Work-unit compounds (单位大院): strong ties among retired staff, an organisation already in place.",
        "sources: stylized fact 6 (prior organisation and social capital raise mobilisation); assumed: elderly 1.3 "
        "(1.0-1.6), digital 0.9 (0.7-1.0), low income 0.8 (0.5-1.0), ties 1.5 (1.2-2.0), property staff 1 per 1,000 "
        "(0-3: the unit's logistics office), leaders 1.5 (1.0-2.5)",
        elderly=1.3, digital=0.9, low_income=0.8, ties=1.5, property_staff_per_1000=1.0, leaders=1.5)
    resettlement: CompoundType = _compound(
        "Resettlement and new-suburb compounds: few services, weaker ties, nobody in charge at first.",
        "sources: stylized fact 6 (isolated new suburbs lacked anyone in charge); assumed: elderly 0.9 (0.7-1.1), "
        "digital 0.9 (0.7-1.0), low income 1.5 (1.0-2.5), ties 0.8 (0.5-1.0), gates 1.5 (1.0-3.0), leaders 0.5 "
        "(0.2-1.0), leaders start 14 days late (7-28)",
        elderly=0.9, digital=0.9, low_income=1.5, ties=0.8, gates=1.5, leaders=0.5, leader_delay_days=14)

    @model_validator(mode="after")
    def _mix_adds_up(self) -> Compounds:
        for name, mix in (("mix", self.mix), ("reference_mix", self.reference_mix)):
            unknown = [t for t in mix if t not in COMPOUND_TYPES]
            if unknown:
                raise ValueError(f"compounds.{name}: unknown compound type {unknown[0]!r}; the types are "
                                 f"{', '.join(COMPOUND_TYPES)}")
            total = sum(mix.values())
            if (mix or name == "reference_mix") and abs(total - 1.0) > 1e-6:
                raise ValueError(f"compounds.{name}: the shares add up to {total:g}; make them add up to 1")
        return self

    def scale(self, field: str) -> float:
        """What divides the types' `field`: its mean over `reference_mix` for a multiplier (1 where that mean is
        0), 1 for the types' own numbers."""
        if field not in MULTIPLIERS:
            return 1.0
        mean = sum(share * getattr(self.factors(t), field) for t, share in self.reference_mix.items())
        return mean if mean > 0 else 1.0

    def factors(self, name: str) -> CompoundType:
        """The type `name`'s settings."""
        return getattr(self, name)


class Organisations(Section):
    """Community social organisations and their social workers (三社联动's third "social"): funded through purchased
    services, led by leaders whose example the staff follow, and integrated with the community system as far as
    three-social integration goes."""

    enabled: bool = _f(False, "Switch social organisations on.", "the model requirements Linkage table")
    start_day: int = _f(28, "Day social workers start offline service in the community.",
                        "the source panel Timeline: social workers offline for special groups from 20 Feb, day 28 "
                        "(Chen)", ge=0, le=MAX_DAYS)
    count: int = _f(2, "Social organisations serving the community.", "assumed, 1-5", ge=0, le=1000)
    social_workers_per_org: int = _f(3, "Social workers an organisation keeps at full funding.", "assumed, 2-6",
                                     ge=0, le=10_000)
    leader_active_prob: Probability = _f(
        0.9, "Chance an organisation's leader acts in the emergency.",
        "the source panel: in many organisations people wanted to act but did not move because their leader did not "
        "(Song); level assumed")
    follow_share: Probability = _f(0.2, "Share of an inactive leader's staff who act anyway.", "assumed, 0-0.4")
    funding: Probability = _f(1.0, "Purchased-service funding before the drop, as a share of full funding.",
                              "the source panel: social workers funded through purchased services (Chen)")
    funding_drop_day: int = _f(18, "Day funding drops.", "assumed; the source panel: funding dried up (Chen)",
                               ge=0, le=MAX_DAYS)
    funding_after_drop: Probability = _f(
        0.7, "Funding after the drop, as a share of full funding; staff kept scale with it.",
        "the source panel: 80% of one agency's projects had to be re-planned at a cost (Chen); level assumed")
    integration: Probability = _f(
        0.0, "Three-social integration, 0-1: the share of the community's vulnerable households whose case the "
        "cadres and the social workers hold jointly (shared register, referrals accepted at once and ordered by "
        "need, no friction); the social workers refer their other clients from outside the system, behind the "
        "residents' own calls, at (1 - integration) x `friction_hours` each.",
        "the source panel: social workers are not part of the formal community system (Chen); the model "
        "requirements Linkage table; the mappings are assumed linear (L)")
    screens_per_worker: int = _f(40, "Households a social worker plans to screen a day (by phone), as far as "
                                 "their hours go.", "assumed, 20-80", ge=0, le=10_000)
    hours_per_day: float = _f(8.0, "Hours a social worker gives a day: `counselling_hours` kept for counselling, "
                              "the rest for screening and assessment.", "assumed, 4-10", ge=0.0, le=24.0)
    screen_hours: float = _f(0.1, "Social-worker hours for one screening call.",
                             "assumed, 0.05-0.25 (as the cadres' `reporting.screen_hours`)", gt=0.0, le=24.0)
    counselling_hours: float = _f(
        1.0, "Hours a social worker keeps for counselling sessions a day (booked first, used at most); the rest of "
        "the day goes to screening, assessing and linking residents to the right responder.",
        "assumed, 0.5-2; the source panel: social workers assess, screen and link residents to the right expert and "
        "rarely do crisis intervention themselves; stylized fact 10: they acted mainly as online resource linkers "
        "(Chen, Song)", ge=0.0, le=24.0)
    assess_hours: float = _f(
        0.1, "Social-worker hours to assess the open needs of a screened household that has any, and refer them (to "
        "the cadres, and a crisis to the remote psychological services).",
        "assumed, 0.05-0.3; the source panel: social workers assess and screen needs and link residents to the right "
        "expert (Song)", ge=0.0, le=24.0)
    friction_hours: float = _f(
        0.25, "Cadre hours spent sorting out one referral from social workers wholly outside the community system "
        "(integration 0), from what is left of the cadres' report budget after the residents' calls; at "
        "integration I a referral from outside costs (1 - I) x this.",
        "assumed, 0.1-0.5; the source panel: social workers outside the formal system (Chen)", ge=0.0, le=24.0)


class Scenario(Section):
    """A whole run: the community, its phases and its parameters. Load with `scenarios.load`."""

    name: str = _f("custom", "Short identifier (file stem for presets).",
                   "the model requirements Preset scenarios (a label)")
    description: str = _f("", "What the scenario stands for, with its source.",
                          "the model requirements Preset scenarios (a label)")
    households: int = _f(3000, "Households in the community.",
                         "sources: mean ~3,000 households (M); 300-30,000 supported", ge=1, le=MAX_HOUSEHOLDS)
    days: int = _f(90, "Days simulated (day 0 = 23 Jan 2020).",
                   "the model requirements Scale: past reopening on day 76", ge=1, le=MAX_DAYS)
    mass_base: Probability = _f(
        0.5, "Prior social capital, 0-1: denser and more trusted ties, more reporting for neighbours.",
        "the source panel: prior mass base decides mobilisation (Song); level assumed")
    phases: list[Phase] = Field(default_factory=default_phases,
                                description="The phase schedule, in order of start day; the first starts on day 0.",
                                json_schema_extra={"source": "the model requirements Phases; sources Timeline"})
    population: Population = _section(Population)
    network: Network = _section(Network)
    needs: Needs = _section(Needs)
    reporting: Reporting = _section(Reporting)
    cadres: Cadres = _section(Cadres)
    distress: Distress = _section(Distress)
    prices: Prices = _section(Prices)
    online: Online = _section(Online)
    internal: Internal = _section(Internal)
    external: External = _section(External)
    triage: Triage = _section(Triage)
    volunteers: Volunteers = _section(Volunteers)
    organisations: Organisations = _section(Organisations)
    compounds: Compounds = _section(Compounds)

    @model_validator(mode="after")
    def _phases_in_order(self) -> Scenario:
        if not self.phases:
            raise ValueError("phases: at least one phase is needed, starting on day 0")
        if self.phases[0].start != 0:
            raise ValueError(f"phases[0].start: the first phase must start on day 0, not day {self.phases[0].start}")
        seen: dict[str, int] = {}
        for i, phase in enumerate(self.phases):
            if phase.name in seen:
                raise ValueError(
                    f"phases[{i}].name: phases[{seen[phase.name]}] and phases[{i}] are both named '{phase.name}'; "
                    f"give each phase its own name (a phase's fields are addressed by it, e.g. "
                    f"phases.{phase.name}.shop_access)")
            seen[phase.name] = i
        for i in range(1, len(self.phases)):
            prev, cur = self.phases[i - 1], self.phases[i]
            if cur.start <= prev.start:
                raise ValueError(
                    f"phases[{i}].start: phase '{cur.name}' starts on day {cur.start}, which overlaps or precedes "
                    f"phase '{prev.name}' (day {prev.start}); list phases in order of strictly increasing start day")
        return self

    @model_validator(mode="after")
    def _sizes_fit(self) -> Scenario:
        if self.households * self.days > MAX_HOUSEHOLD_DAYS:
            raise ValueError(f"households x days = {self.households * self.days:,} is too large to simulate here; "
                             f"keep it under {MAX_HOUSEHOLD_DAYS:,}")
        return self

    def with_overrides(self, overrides: dict) -> Scenario:
        """A new validated scenario with dotted-key overrides, e.g. {"needs.acute_rate": 0.001}."""
        return apply_overrides(self, overrides)

    def phase_on(self, day: int) -> Phase:
        """The phase in force on `day`."""
        current = self.phases[0]
        for phase in self.phases:
            if phase.start <= day:
                current = phase
        return current

