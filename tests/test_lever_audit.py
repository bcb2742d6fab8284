"""The lever audit (experiments/lever_audit.py) and its page, docs/levers.md: every lever of the schema is on the page,
every range is a valid setting, and the audit tells an effective lever from an inert one."""

from __future__ import annotations

import typing
from pathlib import Path

import pandas as pd
import pytest

import scenarios
from experiments import lever_audit as la
from experiments.executors import SerialExecutor
from scenarios.schema import Phase, Scenario, Section

PAGE = Path(__file__).resolve().parent.parent / "docs" / "levers.md"


def _schema_levers() -> list[str]:
    """Every numeric, bool and enum field of the schema, enumerated here independently of the module."""
    base = scenarios.load("wuhan_2020")
    keys = []

    def is_lever(key: str, info) -> bool:
        a = info.annotation
        return a in (bool, int, float) or typing.get_origin(a) is typing.Literal or key in la.ENUMS

    def section(prefix: str, annotation) -> list[str]:  # a section's fields, and those of a section inside it
        out = []
        for f, i in annotation.model_fields.items():
            if isinstance(i.annotation, type) and issubclass(i.annotation, Section):
                out += section(f"{prefix}.{f}", i.annotation)
            elif is_lever(f"{prefix}.{f}", i) or f"{prefix}.{f}" == "compounds.mix":
                out.append(f"{prefix}.{f}")
        return out

    for name, info in Scenario.model_fields.items():
        if isinstance(info.annotation, type) and issubclass(info.annotation, Section):
            keys += section(name, info.annotation)
        elif name == "phases":
            keys += [f"phases.{p.name}.{f}" for p in base.phases for f, i in Phase.model_fields.items()
                     if is_lever(f, i) and not (f == "start" and p.start == 0)]
        elif is_lever(name, info):
            keys.append(name)
    return keys


def test_the_module_audits_every_lever_of_the_schema():
    assert [lever.key for lever in la.levers()] == _schema_levers()


def test_the_page_lists_every_lever_of_the_schema_with_its_rows():
    text = PAGE.read_text(encoding="utf-8")
    assert "python -m experiments.lever_audit --write docs/levers.md" in text
    assert "## Unexplained inert levers" in text.split("## Contexts")[0]
    for key in _schema_levers():
        assert f"| `{key}` | `wuhan_2020` |" in text, key  # a row of measured effects in wuhan_2020
    for section, home in la.HOMES.items():
        assert f"| `{section}." in text and f"| `{home.label}` |" in text, section


def test_every_value_of_every_lever_is_a_valid_setting_in_its_contexts():
    for lever in la.levers():
        assert len(lever.values) >= 2, lever
        for context in la.contexts(lever):
            base = scenarios.load(context.preset, context.overrides)
            for value in lever.values:
                setting = dict(value) if isinstance(value, la.Mix) else value
                changed = scenarios.apply_overrides(base, {lever.key: setting})
                assert la._value(changed, lever.key) == setting, (lever.key, context.label, value)


def test_the_module_names_only_levers_that_exist():
    keys = {lever.key for lever in la.levers()}
    for table in (la.RANGES, la.NO_EFFECT_REASONS, la.EXTRA_CONTEXTS, la.OWN_OUTCOMES):
        assert set(table) <= keys, set(table) - keys
    fields = set(Phase.model_fields)
    assert set(la.PHASE_RANGES) <= fields
    assert set(la.PHASE_START_RANGES) <= {p.name for p in scenarios.load("wuhan_2020").phases}


def test_documented_ranges_are_parsed_from_the_schema():
    assert la.schema_range("assumed, 0.5-0.9") == (0.5, 0.9)
    assert la.schema_range("assumed, -0.01 to 0.01; sources: 41.9%") == (-0.01, 0.01)
    assert la.schema_range("sources: not found for Wuhan, assumed 0.10-0.20 (L)") == (0.1, 0.2)
    assert la.schema_range("assumed; calibrated so ~10% start above it") is None
    by_key = {lever.key: lever for lever in la.levers()}
    assert by_key["reporting.online_prob"].values == (0.5, 0.9)
    assert by_key["reporting.online_prob"].range_from == "schema"
    assert by_key["volunteers.mode"].values == ("open", "categorized", "leaders")
    assert by_key["phases.full_closure.start"].values == (20, 26)


def test_the_compound_types_and_the_mix_are_levers_with_their_documented_ranges():
    """The fields of a section inside a section (each compound type's) are levers, with the ranges the type's
    source gives; the mix is audited with its old open share at each end of 0.25-0.56, the others in proportion."""
    from scenarios.schema import CITY_MIX

    assert la.type_ranges("elderly 1.4 (1.1-1.8), alone 1.3 (1.0-1.6), property staff 4 per 1,000 households "
                          "(2-8), leaders start 14 days late (7-28)") == {
        "elderly": (1.1, 1.8, "the type's source (ODD 7.22)"), "alone": (1.0, 1.6, "the type's source (ODD 7.22)"),
        "property_staff_per_1000": (2.0, 8.0, "the type's source (ODD 7.22)"),
        "leader_delay_days": (7.0, 28.0, "the type's source (ODD 7.22)")}
    by_key = {lever.key: lever for lever in la.levers()}
    assert by_key["compounds.old_open.gates"].values == (1.5, 4.0)
    assert by_key["compounds.commodity.property_staff_per_1000"].values == (2.0, 8.0)
    assert by_key["compounds.resettlement.leader_delay_days"].values == (7, 28)
    low, high = by_key["compounds.mix"].values
    for mix, share in ((dict(low), 0.25), (dict(high), 0.56)):
        assert mix["old_open"] == share and sum(mix.values()) == pytest.approx(1.0, abs=1e-6)
        assert mix["commodity"] / mix["work_unit"] == pytest.approx(CITY_MIX["commodity"] / CITY_MIX["work_unit"],
                                                                    rel=1e-4)
    assert str(low).startswith("{old_open 0.25, commodity 0.46")
    # each type's levers are audited in a community of that type alone too, where its households are all there is
    alone = la.contexts(by_key["compounds.commodity.leader_delay_days"])[-1]
    assert alone.overrides == {"compounds.mix": {"commodity": 1.0}} and alone.preset == "wuhan_2020"
    assert scenarios.load(alone.preset, alone.overrides).compounds.mix == {"commodity": 1.0}
    assert la.contexts(by_key["compounds.mix"])[-1] != alone


def test_a_tiny_audit_tells_an_effective_lever_from_an_inert_one(monkeypatch):
    """At 300 households and 40 days: more cadres change the outcomes; the shops' access in full closure cannot,
    since nobody may go out then (`outing_interval` 0), so its runs are identical to the base's."""
    by_key = {lever.key: lever for lever in la.levers()}
    chosen = [by_key["cadres.per_1000_households"], by_key["phases.full_closure.shop_access"]]
    audit = la.run(chosen, seeds=3, overrides={"households": 300, "days": 40}, executor=SerialExecutor())
    verdict = la.verdicts(audit).set_index("lever")
    assert verdict.loc["cadres.per_1000_households", "clear"]
    assert not verdict.loc["phases.full_closure.shop_access", "clear"]
    assert not verdict.loc["phases.full_closure.shop_access", "runs_differ"]
    # the cadres' levers are audited with cadres alone too; the phases only in wuhan_2020
    assert set(audit.rows["context"]) == {"wuhan_2020", "no_linkage"} and audit.rows["n_pairs"].max() == 3
    assert set(audit.rows[audit.rows["lever"] == "phases.full_closure.shop_access"]["context"]) == {"wuhan_2020"}
    # without a reason the inert lever is listed at the top; with one, it is explained in its rows
    monkeypatch.delitem(la.NO_EFFECT_REASONS, "phases.full_closure.shop_access", raising=False)
    top = _unexplained(la.page(audit))
    assert "`phases.full_closure.shop_access`" in top and "`cadres.per_1000_households`" not in top
    monkeypatch.setitem(la.NO_EFFECT_REASONS, "phases.full_closure.shop_access", "nobody may go out to shop")
    monkeypatch.setitem(la.NO_EFFECT_REASONS, "cadres.per_1000_households", "a stale reason")
    text = la.page(audit)
    assert "None: every lever has a clear effect" in _unexplained(text)
    assert "| none | nobody may go out to shop |" in text
    assert "no longer hold (the lever has a clear effect): `cadres.per_1000_households`" in text


def test_a_lever_counts_its_own_declared_outcome_and_no_other(monkeypatch):
    """A clear effect on the one outcome declared for a lever counts; the same effect on an undeclared key outside
    the six does not (else noise on a dozen keys would pass for an effect)."""
    by_key = {lever.key: lever for lever in la.levers()}
    scar, leave = by_key["distress.scar"], by_key["cadres.leave_share"]
    monkeypatch.setitem(la.OWN_OUTCOMES, "distress.scar", ("mean_distress_end", "distress"))
    monkeypatch.delitem(la.OWN_OUTCOMES, "cadres.leave_share", raising=False)
    rows = []
    for lever in (scar, leave):
        for key in (*la.AUDIT_KEYS, "mean_distress_end"):
            moved = key == "mean_distress_end"  # only that key's interval excludes 0
            rows.append({"lever": lever.key, "context": "wuhan_2020", "value": lever.values[0], "key": key,
                         "n_pairs": 10, "mean_diff": 0.01 if moved else 0.001, "sd_diff": 0.002,
                         "ci_low": 0.008 if moved else -0.001, "ci_high": 0.012 if moved else 0.003})
    means = pd.DataFrame([{"context": "wuhan_2020", "key": k, "mean": 1.0}
                          for k in (*la.AUDIT_KEYS, "mean_distress_end")])
    audit = la.Audit(pd.DataFrame(rows), means, [scar, leave], [la.WUHAN], 10, {})
    verdict = la.verdicts(audit).set_index("lever")
    assert verdict.loc["distress.scar", "clear"] and not verdict.loc["cadres.leave_share", "clear"]
    assert verdict.loc["cadres.leave_share", "clear_elsewhere"] == ["mean_distress_end"]
    text = la.page(audit)
    assert "| clear on `mean_distress_end` |" in text
    monkeypatch.delitem(la.NO_EFFECT_REASONS, "cadres.leave_share", raising=False)
    assert "`cadres.leave_share`" in _unexplained(text) and "`distress.scar`" not in _unexplained(text)


def _unexplained(text: str) -> str:
    """The page's first section: the unexplained inert levers."""
    return text.split("## Unexplained inert levers")[1].split("\n#")[0]


def test_bad_options_are_clear_errors(capsys):
    with pytest.raises(SystemExit) as exc:
        la.main(["--seeds", "1"])
    assert exc.value.code == 2 and "at least 2 seeds" in capsys.readouterr().err
    with pytest.raises(SystemExit) as exc:
        la.main(["--only", "no_such_section."])
    assert exc.value.code == 2 and "no lever's key starts with that" in capsys.readouterr().err
