"""The `liandong` command line: run a scenario, list the presets, validate a scenario file; compare scenarios,
sweep parameters, analyse sensitivity, and report stored results (the experiments).

Invalid input of any kind ends with a message naming the file, the field, what is wrong and what is allowed, and
exit status 2, never a traceback.
"""

from __future__ import annotations

import contextlib
import errno
import ipaddress
import json
import math
import socket
import sys
import tomllib
from pathlib import Path
from typing import Annotated

import typer

import scenarios
from dashboard.server import AddressError, check_address, serve
from experiments.errors import ExperimentError
from experiments.plan import experiment_plan
from experiments.spec import MAX_REPLICATIONS, canonical_key, is_experiment_file
from scenarios import ScenarioError
from scenarios import district as district_format
from scenarios.files import parse_toml, read_text

app = typer.Typer(add_completion=False, no_args_is_help=True, pretty_exceptions_enable=False,
                  help="LiánDòng (联动): community linkage under lockdown, an agent-based model on Mesa.")

EXIT_BAD_INPUT = 2


class BadInput(Exception):
    """Input the user can fix; reported without a traceback, exit status 2."""


def parse_sets(pairs: list[str]) -> dict:
    """`key=value` pairs from `--set`, values read as TOML (numbers, true/false, "strings"), else as text. A key
    is dotted (reporting.call_prob) or its identifier alias (reporting__call_prob)."""
    out = {}
    for pair in pairs:
        key, sep, raw = pair.partition("=")
        key = canonical_key(key.strip()) + " " * (key != key.strip())  # keeps an all-blank key blank
        if not sep or not key.strip():
            raise BadInput(f"--set {pair!r}: expected dotted.key=value, e.g. --set reporting.call_prob=0.2")
        try:
            value = parse_toml(f"v = {raw.strip()}")["v"]
        except tomllib.TOMLDecodeError:
            value = raw.strip()
        except RecursionError:
            raise BadInput(f"--set {key.strip()}=...: the value's arrays or tables nest too deeply to read; give a "
                           "number, true/false, a \"string\" or a short list.") from None
        if key.strip() in out and out[key.strip()] != value:
            raise BadInput(f"--set {key.strip()}: given twice with different values; give it once.")
        out[key.strip()] = value
    return out


def add_option(overrides: dict, key: str, value) -> None:
    """Add `--days` / `--households` to the `--set` overrides; the two spellings must not disagree."""
    if value is None:
        return
    if key in overrides and overrides[key] != value:
        raise BadInput(f"--{key} {value} and --set {key}={scenarios.toml_value(overrides[key])} disagree; give "
                       f"the number of {key} once (either option).")
    overrides[key] = value


def _finite(value):
    return None if isinstance(value, float) and not math.isfinite(value) else value


@app.command()
def run(
    scenario: Annotated[str | None, typer.Argument(help="A preset name (see `liandong scenarios`) or a .toml file.")
                        ] = None,
    seed: Annotated[int | None, typer.Option(min=0, help="Random seed (default 0); the same seed gives the same "
                                                         "run.")] = None,
    days: Annotated[int | None, typer.Option(help="Override the number of days.")] = None,
    households: Annotated[int | None, typer.Option(help="Override the number of households.")] = None,
    set_: Annotated[list[str] | None, typer.Option("--set", help="Override any field: dotted.key=value (or "
                                                                 "dotted__key=value).")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print one JSON object instead of a table.")] = False,
    out: Annotated[Path | None, typer.Option(help="Write daily.csv, summary.json and scenario.toml here.")] = None,
    from_: Annotated[Path | None, typer.Option("--from", help="A results folder: run one of its stored runs "
                                                              "again (with --run).")] = None,
    run_id: Annotated[int | None, typer.Option("--run", help="With --from: the run id (the `run` column of "
                                                             "runs.parquet).")] = None,
) -> None:
    """Run one scenario to its last day and print its summary; or, with --from DIR --run N, one stored run of an
    experiment again, exactly (its scenario, factor values and seed)."""
    origin = None
    if from_ is not None or run_id is not None:
        given = [name for name, value in (("SCENARIO", scenario), ("--seed", seed), ("--days", days),
                                          ("--households", households), ("--set", set_)) if value]
        if from_ is None or run_id is None:
            raise BadInput("--from DIR and --run N go together: the results folder and the id of one of its runs "
                           "(the `run` column of runs.parquet).")
        if given:
            raise BadInput(f"--from reproduces a stored run exactly, from its own scenario and seed; drop "
                           f"{', '.join(given)} (to vary the run, use the scenario.toml that --out writes).")
        from experiments.api import reproduce  # the experiments' runner (pandas, Dask): only for --from
        from simulation.provenance import code_version  # the model too: only for --from

        again = reproduce(from_, run_id)
        config, result = again.scenario, again.result
        origin = {"folder": str(from_), "run": again.run, "point": again.point, "rep": again.rep,
                  "values": again.values}
        if again.code_version and again.code_version != code_version():
            typer.echo(f"warning: {from_} was written by code version {again.code_version}, this is "
                       f"{code_version()}: the run may differ from the stored one.", err=True)
    else:
        if scenario is None:
            raise BadInput("run: give a scenario (a preset name or a .toml file), or --from DIR --run N.")
        overrides = parse_sets(set_ or [])
        add_option(overrides, "days", days)
        add_option(overrides, "households", households)
        config = scenarios.load(scenario)
        if overrides:
            config = scenarios.apply_overrides(config, overrides, label=f"{scenario}, overridden on the command line")
    if out is not None:
        _prepare_out(out)
    if origin is None:
        # Here, once the input is known to be good: the model (Numba, Mesa) takes a second or two to load, which a
        # mistake in the input, `liandong scenarios`, `validate` and `--help` do not need.
        from simulation import run as run_model

        result = run_model(config, seed=seed or 0)
    record = {"summary": {k: _finite(v) for k, v in result.summary.items()}, "scenario": config.name,
              "seed": result.seed, "version": result.version}
    if origin is not None:
        record["from"] = origin
    if out is not None:
        result.daily.to_csv(out / "daily.csv", index=False)
        scenarios.save(config, out / "scenario.toml")
        from simulation.provenance import package_versions  # here: see the model's import above

        full = {**record, "source": str(scenario if origin is None else from_), "packages": package_versions()}
        (out / "summary.json").write_text(json.dumps(full, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    if as_json:
        typer.echo(json.dumps(record, ensure_ascii=False))
    else:
        if origin is not None:
            typer.echo(f"run {origin['run']} of {from_} (point {origin['point']}, replication {origin['rep']}, "
                       f"seed {result.seed})")
        _print_summary(config, result)
        if out is not None:
            typer.echo(f"Wrote {out}/daily.csv, summary.json, scenario.toml")


def _prepare_out(out: Path) -> None:
    if out.exists() and not out.is_dir():
        raise BadInput(f"--out {out}: exists and is not a folder; give a folder path.")
    try:
        out.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise BadInput(f"--out {out}: cannot create the folder ({exc.strerror}).")


def _print_summary(config, result) -> None:
    from rich.console import Console
    from rich.table import Table

    table = Table(title=config.name,
                  caption=f"{config.households:,} households, {config.days} days, seed {result.seed}")
    table.add_column("outcome")
    table.add_column("value", justify="right")
    for key, value in result.summary.items():
        table.add_row(key, f"{value:,.3f}" if isinstance(value, float) else f"{value:,}")
    Console().print(table)


@app.command("scenarios")
def list_scenarios() -> None:
    """List the preset scenarios, one line each."""
    for name in scenarios.names():
        typer.echo(f"{name:<26} {scenarios.describe(name)}")


@app.command()
def validate(file: Annotated[str, typer.Argument(help="A scenario, experiment or district .toml file (or a "
                                                     "preset name).")]
             ) -> None:
    """Check a scenario file, or an experiment file (its factors, design and every design point against the
    scenario); exit status 2 with all the reasons if it is invalid. Runs nothing."""
    if district_format.is_district_file(file):
        d = district_format.load(file)
        plans = district_format.communities(d)
        pools = ", ".join(f"{n} {p.total:,} ({p.policy})" for n, p in d.pools.named().items()) or "no pools"
        typer.echo(f"{file}: valid district ('{d.name}': {len(plans):,} communities, "
                   f"{sum(p.scenario.households for p in plans):,} households, {d.days} days, rounds of "
                   f"{d.round_days}; pools: {pools})")
        return
    if is_experiment_file(file):
        command, note = "sweep", ""
        try:
            plan = experiment_plan(Path(file))
        except ExperimentError as as_sweep:  # ranges without steps: a file for `liandong sensitivity`
            try:
                plan = experiment_plan(Path(file), kind="sensitivity")
            except ExperimentError:
                raise as_sweep from None
            command, note = "sensitivity", f"; not as a sweep: {str(as_sweep).splitlines()[0].rstrip('.')}"
        base = plan.scenarios[0]
        typer.echo(f"{file}: valid experiment for `liandong {command}` ('{plan.name}': design {plan.method}, "
                   f"{len(plan.points):,} points x {plan.replications:,} replications = {plan.n_runs:,} runs; base "
                   f"'{plan.labels[0]}', {base['households']:,} households, {base['days']} days; factors: "
                   f"{', '.join(plan.factors) or 'none'}){note}. `liandong {command} {file} --dry-run` estimates "
                   "its time.")
        return
    config = scenarios.load(file)
    typer.echo(f"{file}: valid ('{config.name}': {config.households:,} households, {config.days} days, "
               f"{len(config.phases)} phases)")


# ---------------------------------------------------------------------------------------------------------------
# Experiments (docs/experiments.md). Their runner and reports (pandas, pyarrow, Dask, the model: seconds to load)
# are imported inside each command, so that `liandong scenarios`, `validate` and `--help` start fast.

WorkersOpt = Annotated[int | None, typer.Option(
    "--workers", min=1, help="Local worker processes (default: all cores); with --dask local, its workers.")]
DaskOpt = Annotated[str | None, typer.Option(
    "--dask", help="Run on Dask: 'local' starts a LocalCluster here; tcp://host:8786 uses a running scheduler.")]
SerialOpt = Annotated[bool, typer.Option("--serial", help="Run in this process, one run after the other.")]
OutOpt = Annotated[Path | None, typer.Option(
    "--out", help="Results folder (default results/<name>). Run the same command on it again to resume.")]
QuietOpt = Annotated[bool, typer.Option("--quiet", "-q", help="No progress bar.")]
PosteriorOpt = Annotated[Path | None, typer.Option(
    "--posterior", help="A calibration folder: each replication runs at a parameter set drawn from its posterior "
                        "(the same set in every scenario or point).")]
DryOpt = Annotated[bool, typer.Option("--dry-run", help="Print the runs, points and an estimated time (from one "
                                                        "timed calibration run); run nothing, write nothing.")]


class Terminated(KeyboardInterrupt):
    """SIGTERM or SIGHUP (a batch system's stop, a closed terminal), handled like Ctrl-C."""

    def __init__(self, signum: int) -> None:
        super().__init__(signum)
        self.signum = signum


def _terminated(signum, frame) -> None:
    raise Terminated(signum)


@contextlib.contextmanager
def _resumable(done: str = "the finished runs are stored"):
    """Ctrl-C, SIGTERM or SIGHUP during an experiment: its finished runs are stored and its workers stopped; say
    how to go on, exit 128 + the signal's number (130 for Ctrl-C)."""
    import signal
    import threading

    handled = [s for s in (getattr(signal, "SIGTERM", None), getattr(signal, "SIGHUP", None)) if s is not None]
    previous = {}
    if threading.current_thread() is threading.main_thread():
        previous = {s: signal.signal(s, _terminated) for s in handled}
    try:
        yield
    except KeyboardInterrupt as exc:
        typer.echo(f"\ninterrupted: {done}; run the same command again to resume", err=True)
        raise typer.Exit(128 + (exc.signum if isinstance(exc, Terminated) else signal.SIGINT)) from None
    finally:
        for s, handler in previous.items():
            signal.signal(s, handler)


@app.command()
def compare(
    scenario: Annotated[list[str], typer.Argument(help="Two or more presets or .toml files; the first is the "
                                                       "reference.")],
    reps: Annotated[int, typer.Option("--reps", help="Replications per scenario (common seeds), 1 to 100,000.")] = 10,
    root_seed: Annotated[int, typer.Option("--root-seed", min=0, help="Root of the runs' seeds.")] = 20200123,
    days: Annotated[int | None, typer.Option(help="Override the number of days in every scenario.")] = None,
    households: Annotated[int | None, typer.Option(help="Override the number of households everywhere.")] = None,
    set_: Annotated[list[str] | None, typer.Option("--set", help="Override a field everywhere: key=value.")] = None,
    workers: WorkersOpt = None, dask: DaskOpt = None, serial: SerialOpt = False, out: OutOpt = None,
    quiet: QuietOpt = False, dry_run: DryOpt = False, posterior: PosteriorOpt = None,
    policy: Annotated[list[str] | None, typer.Option(
        "--policy", help="Districts: one arm per --policy (a policy for every pool, or pool=policy,...), run on the "
                         "one district given.")] = None,
) -> None:
    """Run scenarios on the same seeds; print means and paired differences from the first with 95% intervals.
    Districts (docs/district.md) compare the same way: two or more district files, or one district under two or
    more --policy."""
    if policy or any(district_format.is_district_file(s) for s in scenario):
        _compare_districts(scenario, policy or [], reps, root_seed, workers, dask, serial, out,
                           (days, households, set_, dry_run, posterior))
        return
    from experiments import api  # in the command: see "Experiments" above
    from experiments.reports import render

    if len(scenario) < 2:
        raise BadInput("compare: give at least two scenarios (presets or .toml files); the first is the reference.")
    if not 1 <= reps <= MAX_REPLICATIONS:
        raise ExperimentError(f"--reps {reps}: the number of replications must be from 1 to {MAX_REPLICATIONS:,} "
                              "(the cap on an experiment file's replications too).")
    overrides = parse_sets(set_ or [])
    add_option(overrides, "days", days)
    add_option(overrides, "households", households)
    if dry_run:
        typer.echo(api.compare(scenario, reps=reps, root_seed=root_seed, overrides=overrides or None, out=out,
                               workers=workers, dask=dask, serial=serial, dry=True, posterior=posterior))
        return
    with _resumable():
        result = api.compare(scenario, reps=reps, root_seed=root_seed, overrides=overrides or None, out=out,
                             workers=workers, dask=dask, serial=serial, quiet=quiet, command=sys.argv[1:],
                             posterior=posterior)
    render(result)


def _is_scenario_file(file: str) -> bool:
    """A readable TOML file that is not a district (for a hint; a file that does not parse gets the parser's
    message from the district loader instead)."""
    try:
        parse_toml(read_text(file, file, "district", ScenarioError))
    except (ScenarioError, tomllib.TOMLDecodeError, RecursionError):
        return False
    return True


def _compare_districts(sources: list[str], policies: list[str], reps: int, root_seed: int, workers, dask,
                       serial: bool, out: Path | None, unsupported: tuple) -> None:
    from experiments import district as runs  # in the command: see "Experiments" above

    if any(v not in (None, False, []) for v in unsupported):
        raise BadInput("compare of districts: --days, --households, --set, --dry-run and --posterior apply to "
                       "scenarios; change the district file instead.")
    not_districts = [s for s in sources if not district_format.is_district_file(s)]
    if not_districts:
        raise BadInput(f"compare: {not_districts[0]!r} is not a district while the others are; compare districts "
                       "with districts (presets: " + ", ".join(district_format.names()) + ") or scenarios with "
                       "scenarios.")
    arms = runs.arms_from(sources, policies)
    folder = out or Path("results") / ("compare-" + "-".join(label.replace("=", "_").replace(",", "_")
                                                              for label, _ in arms))
    tables = runs.compare(arms, reps=reps, root_seed=root_seed, workers=None if serial else workers, dask=dask,
                          out=folder, command=sys.argv[1:])  # Ctrl-C: "interrupted", exit 130 (nothing is stored)
    diff = tables["differences"]
    typer.echo(f"{len(arms)} arms x {reps} seeds (common random numbers); reference: {arms[0][0]}")
    typer.echo(tables["means"].to_string(index=False, float_format=lambda v: f"{v:.4g}"))
    typer.echo("")
    typer.echo(diff[["scenario", "key", "n_pairs", "mean_diff", "ci_low", "ci_high", "unpaired_half_width"]]
               .to_string(index=False, float_format=lambda v: f"{v:.4g}"))
    typer.echo(f"Wrote {folder}/runs.parquet, means.csv, differences.csv, manifest.json")


@app.command()
def district(
    file: Annotated[str, typer.Argument(help="A district .toml file or a preset district (" + ", ".join(
        district_format.names()) + ").")],
    seed: Annotated[int, typer.Option(min=0, help="The district's seed (each community's streams are keyed by it "
                                                  "and the community's index).")] = 0,
    policy: Annotated[list[str] | None, typer.Option(
        "--policy", help="pool=policy (repeatable), or a policy for every pool: equal, per_household, "
                         "by_vulnerability, by_backlog.")] = None,
    out: Annotated[Path | None, typer.Option("--out", help="Results folder (default results/district-<name>-"
                                                           "<seed>).")] = None,
    workers: WorkersOpt = None, dask: DaskOpt = None,
) -> None:
    """Run a district: its communities sharing its pools by their policies (docs/district.md); print the district's
    figures and write its results folder."""
    from experiments import district as runs  # in the command: see "Experiments" above
    from experiments.store import FolderLock, writing

    if not district_format.is_district_file(file) and (file in scenarios.names() or _is_scenario_file(file)):
        raise BadInput(f"{file}: is a scenario, not a district (a district file has [communities], [[community]] "
                       f"or [pools]); run a scenario with `liandong run {file}`, or give a district: "
                       + ", ".join(district_format.names()) + ".")
    base = district_format.load(file)
    chosen: dict[str, str] = {}
    for text in policy or []:
        for pool, value in runs.parse_policy(text, base).items():
            if chosen.get(pool, value) != value:
                raise BadInput(f"--policy {text}: {pool} is given two policies ({chosen[pool]}, {value}); give one.")
            chosen[pool] = value
    base = district_format.with_policies(base, chosen) if chosen else base
    if out is not None and out.exists() and not out.is_dir():
        raise BadInput(f"--out {out}: exists and is not a folder; give a folder path.")
    folder = out or Path("results") / f"district-{base.name}-{seed}"
    with writing(folder, resumes=False):
        folder.mkdir(parents=True, exist_ok=True)
    # One district run at a time in a folder (a second gets a clear error, exit 2); the hosts stream the daily
    # series to folder/parts/ as their communities finish, and write() assembles them.
    with FolderLock(folder, resumes=False):
        result = runs.run(base, seed, workers=workers, dask=dask, out=folder)  # Ctrl-C: "interrupted", exit 130
        executor = {"kind": "dask", "address": dask} if dask else {"kind": "processes" if (workers or 1) > 1 else
                                                                   "serial", "workers": workers or 1}
        runs.write(result, folder, command=sys.argv[1:], executor=executor)
    t = result.totals
    typer.echo(f"district '{base.name}', seed {seed}: {t['communities']:,} communities, {t['households']:,} "
               f"households, {base.days} days, rounds of {base.round_days} days")
    typer.echo("policies: " + (", ".join(f"{k}={v}" for k, v in result.policies.items()) or "no pools"))
    for key in ("unmet_need_days_per_household", "worst_decile_unmet_per_household", "gini_unmet_per_household",
                "critical_failures", "hidden_need_share"):
        value = t[key]
        typer.echo(f"  {key:<36} {value:.4g}" if isinstance(value, float) else f"  {key:<36} {value:,}")
    typer.echo(f"Wrote {folder}/communities.parquet, daily.parquet, daily_totals.csv, allocations.parquet, "
               "totals.json, district.toml, manifest.json")


@app.command()
def sweep(
    spec: Annotated[Path, typer.Argument(help="An experiment .toml file (see docs/experiments.md).")],
    workers: WorkersOpt = None, dask: DaskOpt = None, serial: SerialOpt = False, out: OutOpt = None,
    quiet: QuietOpt = False, dry_run: DryOpt = False, posterior: PosteriorOpt = None,
) -> None:
    """Run an experiment file's design (grid, lhs, sobol, morris) with its replications; resumable."""
    from experiments import api  # in the command: see "Experiments" above
    from experiments.reports import render

    if dry_run:
        typer.echo(api.sweep(spec, out=out, workers=workers, dask=dask, serial=serial, dry=True,
                             posterior=posterior))
        return
    with _resumable():
        result = api.sweep(spec, out=out, workers=workers, dask=dask, serial=serial, quiet=quiet,
                           command=sys.argv[1:], posterior=posterior)
    render(result)


@app.command()
def sensitivity(
    spec: Annotated[Path, typer.Argument(help="An experiment .toml file whose factors are ranges.")],
    method: Annotated[str | None, typer.Option(
        "--method", help="sobol (first and total indices) or morris (the cheap screen); default: the file's "
                         "design if it is one of them, else sobol.")] = None,
    workers: WorkersOpt = None, dask: DaskOpt = None, serial: SerialOpt = False, out: OutOpt = None,
    quiet: QuietOpt = False, dry_run: DryOpt = False,
) -> None:
    """Sobol or Morris sensitivity indices of every summary key, with 95% intervals (SALib); a table and a figure."""
    from experiments import api  # in the command: see "Experiments" above
    from experiments.reports import render

    if dry_run:
        typer.echo(api.sensitivity(spec, method=method, out=out, workers=workers, dask=dask, serial=serial, dry=True))
        return
    with _resumable():
        result = api.sensitivity(spec, method=method, out=out, workers=workers, dask=dask, serial=serial,
                                 quiet=quiet, command=sys.argv[1:])
    render(result)


@app.command()
def calibrate(
    targets: Annotated[Path, typer.Argument(help="A targets .toml file (see docs/calibration.md).")],
    params: Annotated[Path, typer.Option("--params", help="A parameters .toml file: the assumed parameters to "
                                                          "calibrate and their priors.")],
    out: Annotated[Path, typer.Option("--out", help="Calibration folder. Run the same command on it again to "
                                                    "resume.")],
    scenario: Annotated[str | None, typer.Option(
        "--scenario", help="The scenario whose runs are measured (default: the targets file's, else wuhan_2020).")]
    = None,
    households: Annotated[int | None, typer.Option(help="Households in each run (default: the scenario's).")] = None,
    days: Annotated[int | None, typer.Option(help="Days in each run (default: the scenario's).")] = None,
    population_size: Annotated[int, typer.Option("--population-size", help="Accepted parameter sets per "
                                                                           "generation.")] = 100,
    generations: Annotated[int, typer.Option("--generations", help="Generations at most.")] = 8,
    min_epsilon: Annotated[float, typer.Option("--min-epsilon", help="Stop once epsilon is at most this (0: once "
                                                                     "every accepted run is inside every band).")]
    = 0.0,
    predictive_runs: Annotated[int, typer.Option("--predictive-runs", help="Runs at posterior draws for the "
                                                                           "posterior predictive check.")] = 40,
    seed: Annotated[int, typer.Option("--seed", min=0, help="Root of every evaluation's seed.")] = 20200123,
    workers: WorkersOpt = None, dask: DaskOpt = None, serial: SerialOpt = False, quiet: QuietOpt = False,
) -> None:
    """Approximate Bayesian computation (ABC-SMC, pyabc) of assumed parameters against observed targets; resumable."""
    from experiments import calibration  # in the command: see "Experiments" above

    with _resumable("the finished generations are stored"):
        result = calibration.calibrate(targets, params, out, scenario=scenario, households=households, days=days,
                                       population_size=population_size, generations=generations,
                                       min_epsilon=min_epsilon, predictive_runs=predictive_runs, seed=seed,
                                       workers=workers, dask=dask, serial=serial, quiet=quiet,
                                       command=sys.argv[1:])
    calibration.render(result)


@app.command()
def report(folder: Annotated[Path, typer.Argument(help="A results folder written by compare, sweep, "
                                                       "sensitivity or calibrate.")],
           key: Annotated[str | None, typer.Option(
               "--key", help="A summary key: the outcome of a sweep's figures (default unmet_need_days_per_1000), "
                             "or the one panel of the differences or sensitivity figures; written as "
                             "sweep-KEY.png and so on.")] = None) -> None:
    """Write the tables and figures again from stored results, without rerunning anything."""
    from experiments import calibration, reports  # in the command: see "Experiments" above

    result = reports.report(folder, key=key)
    (calibration.render if isinstance(result, calibration.CalibrationResult) else reports.render)(result)


@app.command()
def dashboard(
    host: Annotated[str, typer.Option(help="Address to listen on; the default serves this machine only.")] = (
        "127.0.0.1"),
    port: Annotated[int, typer.Option(help="Port to listen on.")] = 8765,
) -> None:
    """Serve the dashboard (Explore, Compare, Learn; 中文 / English) in the browser; works offline."""
    try:
        address = _address_here(host)
        check_address(host, port)
    except AddressError as exc:
        raise BadInput(str(exc)) from None
    if address is not None and not ipaddress.ip_address(address).is_loopback:
        typer.echo(f"warning: --host {host} serves the dashboard beyond this machine. The page has no login and no "
                   f"encryption: anyone who can reach port {port} can use it and run models here. Do this only "
                   "on a network you trust (see the README, 'Serving the dashboard beyond this machine').", err=True)
    try:
        serve(host, port)
    except AddressError as exc:
        raise BadInput(str(exc)) from None


def _address_here(host: str) -> str | None:
    """The IP address `host` names, if it is one this machine can listen on (None if `host` does not resolve, which
    the server's own check reports); otherwise a message that says so, rather than blaming the port."""
    try:
        family, kind, proto, _, address = socket.getaddrinfo(host, 0, type=socket.SOCK_STREAM)[0]
    except socket.gaierror:
        return None
    with socket.socket(family, kind, proto) as probe:
        try:
            probe.bind(address)
        except OSError as exc:
            if exc.errno == errno.EADDRNOTAVAIL:
                raise AddressError(
                    f"--host {host}: {address[0]} is not an address of this machine, so the dashboard cannot listen "
                    "there; give one of its own addresses: 127.0.0.1 (this machine only, the default) or 0.0.0.0 "
                    "(every network this machine is on).") from None
    return address[0]


def main() -> None:
    """Entry point of the `liandong` console script."""
    try:
        code = app(standalone_mode=False)
        if isinstance(code, int) and code:  # typer returns Exit codes (130 for Ctrl-C) when not standalone
            sys.exit(code)
    except (ScenarioError, BadInput, ExperimentError) as exc:
        typer.echo(f"error: {exc}", err=True)
        sys.exit(EXIT_BAD_INPUT)
    except KeyboardInterrupt:
        typer.echo("interrupted", err=True)
        sys.exit(130)
    except typer.Exit as exc:
        sys.exit(exc.exit_code)
    except typer.Abort:
        typer.echo("aborted", err=True)
        sys.exit(130)
    except typer.exceptions.TyperException as exc:  # usage errors: unknown option, value out of range
        exc.show()
        sys.exit(getattr(exc, "exit_code", EXIT_BAD_INPUT))
    except Exception as exc:  # anything unexpected: a message, not a traceback
        typer.echo(f"internal error: {type(exc).__name__}: {exc}\n"
                   "This is a bug in LiánDòng; please report it with the command you ran.", err=True)
        sys.exit(1)


if __name__ == "__main__":
    main()
