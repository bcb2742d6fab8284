"""Calibration: approximate Bayesian computation with sequential Monte Carlo (ABC-SMC, pyabc) over the assumed
parameters named in a parameters file, against the targets of a targets file (`experiments.calibration_files`).

    liandong calibrate calibration/targets.toml --params calibration/params.toml --out results/calibration

Each evaluation draws a parameter set (from the prior in generation 0, from the perturbed previous population
after), runs the scenario once with it and measures every target; its distance is the weighted root mean square of
the targets' distances to their bands (0 inside a band, 1 one half-width outside it). A generation keeps the
population size's first accepted evaluations; epsilon is the weighted median distance of the previous population.

Reproducibility. pyabc's own parallel samplers accept whichever evaluations finish first, so their posterior
depends on timing. `OrderedSampler` makes it depend on the seed alone: evaluation i of generation t is seeded from
(seed, t, i) (numpy's global generator, which pyabc's proposals and priors draw from, and the run's seed drawn
from it), evaluations run in any order on any executor, and the generation takes the first `n` accepted in the
order of i; evaluations beyond the n-th acceptance are dropped. So serial, local processes and Dask give the same
posterior for the same seed, and a run resumed from the history after a kill gives the posterior of an
uninterrupted one (pyabc refits the proposal and epsilon from the last stored generation, which is the one the
uninterrupted run used).

DIR holds history.db (pyabc's SQLite history: every generation, resumable), calibration.log, manifest.json,
posterior.parquet, distances.parquet, targets.parquet, generations.parquet, predictive.parquet and figures/.
"""

from __future__ import annotations

import json
import logging
import math
import random
import sqlite3
import sys
import time
import traceback
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa

import scenarios
import simulation
from experiments import calibration_figures
from experiments.calibration_files import DEFAULT_SCENARIO, Param, Params, Target, Targets, load_params, load_targets
from experiments.errors import ExperimentError
from experiments.evaluate import interrupt_behind
from experiments.executors import make_executor
from experiments.posterior import MANIFEST, Posterior, is_calibration
from experiments.store import (
    FolderLock,
    _jsonable,
    atomic_write_bytes,
    atomic_write_table,
    machine,
    now,
    write_error,
    writing,
)
from simulation.provenance import code_version, package_versions

FORMAT = "liandong-calibration/1"
DEFAULT_SEED = 20200123
DEFAULT_POPULATION = 100
DEFAULT_GENERATIONS = 8
DEFAULT_PREDICTIVE_RUNS = 40
HISTORY = "history.db"
LOG = "calibration.log"
SEED_KEY = "_seed"          # the run's seed, stored with each particle's measured targets
_EVAL_TAG = 0xCA1           # spawn-key tag of the evaluations' seeds (kept apart from other seeds of the root)
_PREDICT_TAG = 0xCA2
__all__ = ["Posterior", "calibrate", "report", "render", "is_calibration", "evaluation_seed", "weighted_quantiles"]


def evaluation_seed(seed: int, t: int, i: int) -> int:
    """The seed of evaluation `i` of generation `t` (t = -1: pyabc's calibration sample from the prior)."""
    return int(np.random.SeedSequence(int(seed), spawn_key=(_EVAL_TAG, t + 1, i)).generate_state(1)[0])


# --- the model, the distance and the sampler as pyabc sees them ---------------------------------------------------

class RunModel:
    """pyabc's model: one run of the scenario with a parameter set; returns each target's measured figure and the
    run's seed. Plain and picklable, so that any worker can run it."""

    def __init__(self, scenario: dict, params: list[Param], targets: list[Target]) -> None:
        self.scenario, self.params, self.targets = scenario, list(params), list(targets)

    def values(self, parameter) -> dict:
        return scenario_values(self.params, parameter)

    def __call__(self, parameter) -> dict:
        seed = int(np.random.randint(0, 2**31 - 1))
        return measure_run(self.scenario, self.values(parameter), seed, self.targets)


def scenario_values(params: list[Param], parameter) -> dict:
    """A parameter set as scenario overrides: integer fields rounded."""
    out = {}
    for p in params:
        v = float(parameter[p.key])
        out[p.key] = int(round(v)) if p.kind == "int" else v
    return out


def measure_run(scenario: dict, values: dict, seed: int, targets: list[Target]) -> dict:
    """Run `scenario` with `values` on `seed`; {target name: figure (NaN if unmeasurable), SEED_KEY: seed}."""
    out: dict = {SEED_KEY: float(seed)}
    try:
        config = scenarios.apply_overrides(scenarios.load(scenario), values, label="parameter set")
    except scenarios.ScenarioError:  # a combination the schema refuses: every target unmeasured
        return {**out, **{t.name: math.nan for t in targets}}
    result = simulation.run(config, seed=seed)
    for t in targets:
        try:
            out[t.name] = float(t.measure(result.daily, result.summary, config.households))
        except (IndexError, KeyError, ZeroDivisionError, ValueError):  # e.g. a day the run does not reach
            out[t.name] = math.nan
    return out


class BandDistance:
    """The weighted root mean square of the targets' distances to their bands."""

    def __init__(self, targets: list[Target]) -> None:
        self.targets = list(targets)
        self._weights = np.array([t.weight for t in self.targets], dtype=float)

    def parts(self, x: dict) -> np.ndarray:
        return np.array([t.distance(float(x[t.name])) for t in self.targets], dtype=float)

    def __call__(self, x: dict, x_0: dict | None = None) -> float:
        d = self.parts(x)
        return float(math.sqrt(float(np.sum(self._weights * d * d)) / float(np.sum(self._weights))))


def evaluate(task: dict) -> dict:
    """One evaluation in a worker: pyabc's `simulate_one` (sent pickled) on the evaluation's seed; never raises."""
    import cloudpickle

    start = time.perf_counter()
    try:
        simulate_one = cloudpickle.loads(task["payload"])
        np.random.seed(task["seed"])
        random.seed(task["seed"])
        particle = simulate_one()
        return {"run": task["run"], "status": "ok", "particle": particle, "error": None,
                "seconds": time.perf_counter() - start}
    except Exception as exc:  # reported by the sampler, which stops the calibration
        interrupt = interrupt_behind(exc)
        if interrupt is not None:
            raise interrupt from None
        return {"run": task["run"], "status": "failed", "particle": None,
                "error": f"{type(exc).__name__}: {exc}"[:2000], "traceback": traceback.format_exc()[-8000:],
                "seconds": time.perf_counter() - start}


def _sampler_class():
    from pyabc.sampler import Sampler

    class OrderedSampler(Sampler):
        """Evaluations seeded by (seed, generation, index), run on an experiments executor in any order; the
        generation's sample is the prefix of indices up to its n-th acceptance (see the module's docstring)."""

        def __init__(self, executor, seed: int, progress=None) -> None:
            super().__init__()
            self.executor, self.seed, self.progress = executor, int(seed), progress
            self.seconds = 0.0            # the evaluations' own time (for the runner's overhead)
            self.evaluated = 0            # evaluations run, the dropped ones beyond the n-th acceptance included

        def sample_until_n_accepted(self, n, simulate_one, t, *, max_eval=np.inf, all_accepted=False,
                                    ana_vars=None):
            import cloudpickle

            payload = cloudpickle.dumps(simulate_one)
            limit = None if not math.isfinite(max_eval) else int(max_eval)

            def tasks():
                i = 0
                while limit is None or i < limit:
                    yield {"run": i, "seed": evaluation_seed(self.seed, t, i), "payload": payload}
                    i += 1

            results: dict = {}
            prefix = accepted = 0
            eps = ana_vars.eps(t) if ana_vars is not None and t >= 0 else math.inf
            if self.progress:
                self.progress.generation(t, n, eps)
            stream = self.executor.map_unordered(tasks(), fn=evaluate)
            try:
                for res in stream:
                    self.evaluated += 1
                    self.seconds += float(res.get("seconds") or 0.0)
                    if res["status"] != "ok":
                        raise ExperimentError(
                            f"generation {t}: an evaluation failed: {res.get('error')}. This is a fault of the "
                            "model or of a worker, not of the inputs; the generations finished so far are stored "
                            f"and the same command resumes.\n{res.get('traceback') or ''}".rstrip())
                    results[res["run"]] = res["particle"]
                    while prefix in results and accepted < n:
                        accepted += bool(results[prefix].accepted)
                        prefix += 1
                    if self.progress:
                        self.progress.update(accepted, prefix)
                    if accepted >= n:
                        break
            finally:
                stream.close()
            sample = self._create_empty_sample()
            for i in range(prefix):
                sample.append(results[i])
            self.nr_evaluations_ = prefix
            if accepted < n:
                sample.ok = False
            if self.progress:
                self.progress.done(t, n, accepted, prefix, eps)
            return sample

    return OrderedSampler


# --- progress ------------------------------------------------------------------------------------------------

class Progress:
    """Each generation on the terminal (a rich bar: accepted of the population, evaluations) or as plain lines, and
    always in DIR/calibration.log."""

    def __init__(self, log: logging.Logger, quiet: bool, stream=None) -> None:
        self.log, self.quiet = log, quiet
        self.stream = stream or sys.stderr
        self.bar = None
        self._task = None
        self.t = 0

    def say(self, text: str) -> None:
        self.log.info(text)
        if not self.quiet:
            if self.bar is not None:
                self.bar.console.print(text)
            else:
                print(text, file=self.stream, flush=True)

    def generation(self, t: int, n: int, eps: float) -> None:
        self.t = t
        if self.quiet or not self.stream.isatty():
            return
        from rich.console import Console
        from rich.progress import BarColumn, MofNCompleteColumn, TextColumn, TimeElapsedColumn
        from rich.progress import Progress as RichProgress

        what = "prior sample" if t < 0 else f"generation {t} (epsilon {eps:.4g})"
        self.bar = RichProgress(TextColumn(what), BarColumn(), MofNCompleteColumn(),
                                TextColumn("accepted, {task.fields[evals]} evaluations"), TimeElapsedColumn(),
                                console=Console(stderr=True), transient=True)
        self.bar.__enter__()
        self._task = self.bar.add_task(what, total=n, evals=0)

    def update(self, accepted: int, evaluated: int) -> None:
        if self.bar is not None:
            self.bar.update(self._task, completed=accepted, evals=evaluated)

    def done(self, t: int, n: int, accepted: int, evaluated: int, eps: float) -> None:
        if self.bar is not None:
            self.bar.__exit__(None, None, None)
            self.bar = None
        rate = accepted / evaluated if evaluated else 0.0
        if t < 0:
            self.say(f"prior sample: {evaluated:,} evaluations (sets the first epsilon)")
        else:
            self.say(f"generation {t}: epsilon {eps:.4g}, accepted {accepted:,} of {evaluated:,} evaluations "
                     f"(acceptance rate {rate:.3f})")


def _logger(folder: Path) -> tuple[logging.Logger, logging.Handler]:
    """A logger writing to DIR/calibration.log; pyabc's own messages (generation, epsilon, acceptance, ESS) go
    there too instead of the terminal."""
    handler = logging.FileHandler(folder / LOG, encoding="utf-8")
    handler.setFormatter(logging.Formatter("%(asctime)s %(name)s %(levelname)s %(message)s"))
    log = logging.getLogger("liandong.calibration")
    log.setLevel(logging.INFO)
    log.propagate = False
    log.addHandler(handler)
    for name in ("ABC", "ABC.History", "ABC.Distance", "ABC.Epsilon", "ABC.Acceptor", "ABC.Sampler",
                 "ABC.Population", "ABC.Transition", "ABC.Predictor"):
        lg = logging.getLogger(name)
        lg.setLevel(logging.INFO)
        lg.propagate = False
        lg.handlers = [h for h in lg.handlers if not isinstance(h, logging.StreamHandler)
                       or isinstance(h, logging.FileHandler)]
        lg.addHandler(handler)
    return log, handler


def _drop_logger(handler: logging.Handler) -> None:
    for name in ("liandong.calibration", "ABC", "ABC.History", "ABC.Distance", "ABC.Epsilon", "ABC.Acceptor",
                 "ABC.Sampler", "ABC.Population", "ABC.Transition", "ABC.Predictor"):
        lg = logging.getLogger(name)
        if handler in lg.handlers:
            lg.removeHandler(handler)
    handler.close()


# --- the run -------------------------------------------------------------------------------------------------

@dataclass
class Settings:
    """What must match for a folder to be resumed (the fingerprint), and what may change between sessions."""

    scenario: dict
    scenario_label: str
    population_size: int
    seed: int
    generations: int
    min_epsilon: float
    predictive_runs: int

    def fingerprint(self, targets: Targets, params: Params) -> str:
        import hashlib

        ident = {"format": FORMAT, "scenario": self.scenario, "population_size": self.population_size,
                 "seed": self.seed, "targets": [t.describe() for t in targets.targets],
                 "params": [p.describe() for p in params.params]}
        text = json.dumps(ident, sort_keys=True, default=str)
        return hashlib.sha256(text.encode()).hexdigest()[:16]


@dataclass
class CalibrationResult:
    """A calibration folder's outputs as pandas tables (`tables`), its manifest and the figures written."""

    folder: Path
    manifest: dict
    tables: dict[str, pd.DataFrame] = field(default_factory=dict)
    figures: list[Path] = field(default_factory=list)

    @property
    def posterior(self) -> pd.DataFrame:
        return self.tables["posterior"]


def resolve(targets_file, params_file, scenario: str | None = None, households: int | None = None,
            days: int | None = None) -> tuple[Targets, Params, scenarios.Scenario, str]:
    """The inputs checked: the targets, the parameters against the scenario they calibrate (with the community's
    size overridden), the scenario and its label."""
    targets = load_targets(targets_file)
    label = scenario or targets.scenario or DEFAULT_SCENARIO
    base = scenarios.load(label)
    sizes = {k: v for k, v in (("households", households), ("days", days)) if v is not None}
    if sizes:
        base = scenarios.apply_overrides(base, sizes, label="--households/--days")
    params = load_params(params_file, base)
    return targets, params, base, str(label)


def calibrate(targets_file, params_file, out, *, scenario: str | None = None, households: int | None = None,
              days: int | None = None, population_size: int = DEFAULT_POPULATION,
              generations: int = DEFAULT_GENERATIONS, min_epsilon: float = 0.0, workers: int | None = None,
              dask: str | None = None, serial: bool = False, executor=None, seed: int = DEFAULT_SEED,
              predictive_runs: int = DEFAULT_PREDICTIVE_RUNS, quiet: bool = True, figures: bool = True,
              command: list[str] | None = None) -> CalibrationResult:
    """Run (or resume) the calibration into `out`, then write its tables and figures. See the module docstring."""
    _check_int("--population-size", population_size, 2, 100_000)
    _check_int("--generations", generations, 1, 1_000)
    _check_int("--predictive-runs", predictive_runs, 0, 10_000)
    _check_int("--seed", seed, 0, 2**63 - 1)
    if not (isinstance(min_epsilon, int | float) and math.isfinite(min_epsilon) and min_epsilon >= 0):
        raise ExperimentError(f"--min-epsilon {min_epsilon!r}: give a number >= 0 (0: stop when every accepted "
                              "run is inside every band).")
    targets, params, base, label = resolve(targets_file, params_file, scenario, households, days)
    settings = Settings(scenario=base.model_dump(mode="json"), scenario_label=label,
                        population_size=population_size, seed=seed, generations=generations,
                        min_epsilon=float(min_epsilon), predictive_runs=predictive_runs)
    folder = Path(out)
    if folder.exists() and not folder.is_dir():
        raise ExperimentError(f"--out {folder}: exists and is not a folder; give a folder path.")
    manifest = _existing(folder, settings.fingerprint(targets, params), targets, params)
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise write_error(exc, folder) from None
    with FolderLock(folder):
        return _calibrate(folder, targets, params, settings, manifest, workers=workers, dask=dask, serial=serial,
                          executor=executor, quiet=quiet, figures=figures, command=command)


def _check_int(option: str, value, low: int, high: int) -> None:
    if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
        raise ExperimentError(f"{option} {value!r}: give an integer from {low:,} to {high:,}.")


def _existing(folder: Path, fingerprint: str, targets: Targets, params: Params) -> dict | None:
    path = folder / MANIFEST
    if not path.exists():
        if folder.is_dir() and any(p.name not in (".lock", LOG, HISTORY) for p in folder.iterdir()):
            raise ExperimentError(f"--out {folder}: the folder holds other files and no calibration; give a new or "
                                  "empty folder.")
        return None
    try:
        manifest = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise ExperimentError(f"{path}: cannot be read ({exc}); give a new --out folder.") from None
    if manifest.get("kind") != "calibration":
        raise ExperimentError(f"--out {folder}: holds a {manifest.get('kind', 'other')} experiment, not a "
                              "calibration; give a new or empty folder.")
    if manifest.get("fingerprint") != fingerprint:
        raise ExperimentError(f"--out {folder}: holds a calibration of other targets, parameters, scenario, "
                              "population size or seed, so it cannot be resumed with these. Fix: give a new --out "
                              "folder, or the same inputs as its manifest.json records.")
    return manifest


def _package_versions() -> dict:
    from importlib import metadata

    out = dict(package_versions())
    for name in ("pyabc", "SQLAlchemy", "cloudpickle", "matplotlib", "dask", "distributed"):
        try:
            out[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            out[name] = "not installed"
    return out


def _calibrate(folder: Path, targets: Targets, params: Params, settings: Settings, manifest: dict | None, *,
               workers, dask, serial, executor, quiet, figures, command) -> CalibrationResult:
    import pyabc

    log, handler = _logger(folder)
    progress = Progress(log, quiet)
    owned = None
    if manifest is None:
        manifest = {"format": FORMAT, "kind": "calibration", "fingerprint": settings.fingerprint(targets, params),
                    "command": command, "targets_file": targets.path, "targets_text": targets.text,
                    "params_file": params.path, "params_text": params.text,
                    "targets": [t.describe() for t in targets.targets],
                    "params": [p.describe() for p in params.params],
                    "scenario": {"label": settings.scenario_label, "resolved": settings.scenario,
                                 "toml": scenarios.to_toml(scenarios.load(settings.scenario))},
                    "population_size": settings.population_size, "seed": settings.seed,
                    "seeds": "evaluation i of generation t: numpy SeedSequence(seed, spawn_key=(0xCA1, t + 1, i)); "
                             "its run's seed is drawn from numpy's global generator seeded with it; the posterior "
                             "predictive runs: SeedSequence(seed, spawn_key=(0xCA2, k))",
                    "code_version": code_version(), "packages": _package_versions(), "machine": machine(),
                    "started": now(), "finished": None, "status": "running", "sessions": []}
    manifest.update(generations=settings.generations, min_epsilon=settings.min_epsilon,
                    predictive_runs=settings.predictive_runs, status="running", finished=None)
    session = {"start": now(), "end": None, "code_version": code_version(), "executor": None, "evaluations": 0,
               "evaluation_seconds": 0.0, "generations_before": 0}
    manifest["sessions"].append(session)
    db = folder / HISTORY
    try:
        if executor is None:
            executor = owned = make_executor(workers=workers, dask=dask, serial=serial)
        session["executor"] = executor.describe()
        sampler = _sampler_class()(executor, settings.seed, progress)
        priors = pyabc.Distribution(**{p.key: pyabc.RV(p.rv_args()[0], *p.rv_args()[1]) for p in params.params})
        model = RunModel(settings.scenario, params.params, targets.targets)
        abc = pyabc.ABCSMC(model, priors, BandDistance(targets.targets), population_size=settings.population_size,
                           sampler=sampler, eps=pyabc.MedianEpsilon())
        _write_json(folder / MANIFEST, manifest)  # before the history: a history is only ever beside its manifest
        url = f"sqlite:///{db}"
        if _has_run(db):
            history = abc.load(url, 1)
        else:
            db.unlink(missing_ok=True)
            observed = {t.name: np.array([t.low, t.high]) for t in targets.targets}
            history = abc.new(url, observed, meta_info={"liandong": FORMAT})
        done = history.n_populations
        session["generations_before"] = done
        _write_json(folder / MANIFEST, manifest)
        left = settings.generations - done
        finished = left <= 0 or (done > 0 and _last_epsilon(history) <= settings.min_epsilon)
        if not finished:
            progress.say(f"calibration in {folder}: {len(params.params)} parameters, {len(targets.targets)} "
                         f"targets, population {settings.population_size}, generations {done} of at most "
                         f"{settings.generations} done, on {executor.describe()['kind']} "
                         f"({executor.workers} worker{'s' if executor.workers != 1 else ''})")
            with writing(folder):
                abc.run(minimum_epsilon=settings.min_epsilon, max_nr_populations=left)
        session["evaluations"] = sampler.evaluated
        session["evaluation_seconds"] = round(sampler.seconds, 3)
        predictive = _predictive(folder, history, targets, params, settings, executor, progress)
    except BaseException:
        session["end"] = now()
        manifest["status"] = "interrupted"
        _close(owned, abort=True)
        try:
            _write_json(folder / MANIFEST, manifest)
        except Exception:
            pass
        _drop_logger(handler)
        raise
    _close(owned)
    session["end"] = now()
    manifest["status"] = "done"
    manifest["finished"] = now()
    with writing(folder):
        result = write_outputs(folder, manifest, history=history, predictive=predictive, figures=figures)
        _write_json(folder / MANIFEST, manifest)
    progress.say(f"calibration done: {result.manifest['generations_run']} generations, final epsilon "
                 f"{result.manifest['final_epsilon']:.4g}; outputs in {folder}")
    _drop_logger(handler)
    return result


def _close(executor, abort: bool = False) -> None:
    if executor is not None:
        try:
            executor.close(abort=abort)
        except Exception:
            pass


def _has_run(db: Path) -> bool:
    """Whether the SQLite history holds a started calibration (a file cut short before pyabc wrote one: no)."""
    if not db.exists():
        return False
    try:
        with sqlite3.connect(f"file:{db}?mode=ro", uri=True) as con:
            return con.execute("SELECT count(*) FROM abc_smc").fetchone()[0] > 0
    except sqlite3.Error:
        return False


def _last_epsilon(history) -> float:
    pops = history.get_all_populations()
    pops = pops[pops["t"] >= 0]
    return float(pops["epsilon"].iloc[-1]) if len(pops) else math.inf


def _write_json(path: Path, data: dict) -> None:
    text = json.dumps(_jsonable(data), indent=1, ensure_ascii=False, allow_nan=False) + "\n"
    atomic_write_bytes(path, text.encode("utf-8"))


# --- the posterior predictive check ------------------------------------------------------------------------------

def predict_one(task: dict) -> dict:
    """A posterior predictive run in a worker: the targets measured on one run of a drawn parameter set."""
    start = time.perf_counter()
    try:
        values = measure_run(task["scenario"], task["values"], task["seed"], task["targets"])
        return {"run": task["run"], "status": "ok", "values": values, "seconds": time.perf_counter() - start}
    except Exception as exc:
        return {"run": task["run"], "status": "failed", "error": f"{type(exc).__name__}: {exc}"[:2000],
                "seconds": time.perf_counter() - start}


def _predictive(folder, history, targets: Targets, params: Params, settings: Settings, executor, progress):
    """Runs at parameter sets drawn from the posterior (weighted), each on a new seed: the model's distribution of
    every target under the posterior, against the observed bands. Kept in predictive.parquet; rerun only when
    missing or of another final generation."""
    path = folder / "predictive.parquet"
    if settings.predictive_runs == 0 or history.n_populations == 0:
        return None
    t = history.max_t
    if path.exists():
        old = pd.read_parquet(path)
        if len(old) == settings.predictive_runs and int(old["generation"].iloc[0]) == t:
            return old
    post = posterior_frame(history, params)
    w = post["weight"].to_numpy() / post["weight"].sum()
    rng = np.random.default_rng(np.random.SeedSequence(settings.seed, spawn_key=(_PREDICT_TAG, t)))
    picks = rng.choice(len(post), size=settings.predictive_runs, p=w)
    tasks = []
    for k, j in enumerate(picks):
        values = scenario_values(params.params, post.iloc[int(j)])
        run_seed = int(np.random.SeedSequence(settings.seed, spawn_key=(_PREDICT_TAG, k)).generate_state(1)[0]
                       % (2**31 - 1))
        tasks.append({"run": k, "scenario": settings.scenario, "values": values, "seed": run_seed,
                      "targets": list(targets.targets), "particle": int(j)})
    progress.say(f"posterior predictive check: {len(tasks)} runs at parameter sets drawn from the posterior")
    rows = {}
    for res in executor.map_unordered(iter(tasks), fn=predict_one):
        if res["status"] != "ok":
            raise ExperimentError(f"posterior predictive run {res['run']} failed: {res.get('error')}")
        rows[res["run"]] = res["values"]
    dist = BandDistance(targets.targets)
    records = []
    for task in tasks:
        values = rows[task["run"]]
        rec = {"draw": task["run"], "generation": t, "particle": task["particle"], "seed": task["seed"],
               **{f"param:{k}": v for k, v in task["values"].items()}}
        for target in targets.targets:
            rec[f"value:{target.name}"] = values[target.name]
        rec["distance"] = dist(values)
        records.append(rec)
    frame = pd.DataFrame.from_records(records)
    atomic_write_table(path, pa.Table.from_pandas(frame, preserve_index=False))
    return frame


# --- outputs ---------------------------------------------------------------------------------------------------

def posterior_frame(history, params: Params | list[dict], t: int | None = None) -> pd.DataFrame:
    """The accepted parameter sets of generation `t` (default the last), one row each: the parameters, the
    normalised weight, the distance, the run's seed and every target's measured figure."""
    keys = [p.key if isinstance(p, Param) else p["key"] for p in (params.params if isinstance(params, Params)
                                                                   else params)]
    population = history.get_population(t=t)
    rows = []
    for i, particle in enumerate(population.particles):
        row = {"particle": i, **{k: float(particle.parameter[k]) for k in keys}, "weight": float(particle.weight),
               "distance": float(particle.distance)}
        stats = dict(particle.sum_stat)
        row["seed"] = int(stats.pop(SEED_KEY, -1))
        row.update({f"value:{name}": float(np.asarray(v).ravel()[0]) if np.size(v) else math.nan
                    for name, v in stats.items()})
        rows.append(row)
    frame = pd.DataFrame.from_records(rows)
    frame["weight"] = frame["weight"] / frame["weight"].sum()
    return frame


def write_outputs(folder: Path, manifest: dict, history=None, predictive: pd.DataFrame | None = None,
                  figures: bool = True) -> CalibrationResult:
    """The tables (Parquet) and figures of a calibration folder, from its history and manifest."""
    import pyabc

    folder = Path(folder)
    if history is None:
        history = pyabc.History(f"sqlite:///{folder / HISTORY}", _id=1)
    if predictive is None and (folder / "predictive.parquet").exists():
        predictive = pd.read_parquet(folder / "predictive.parquet")
    params = manifest["params"]
    targets = [Target(**{**t, "days": tuple(t["days"]) if t.get("days") else None}) for t in manifest["targets"]]
    if history.n_populations == 0:
        raise ExperimentError(f"{folder}: the calibration has no finished generation yet; run the same "
                              "`liandong calibrate` command again to resume it.")
    post = posterior_frame(history, params)
    dist = BandDistance(targets)
    long = []
    for _, row in post.iterrows():
        x = {t.name: row[f"value:{t.name}"] for t in targets}
        for t, d in zip(targets, dist.parts(x)):
            long.append({"particle": int(row["particle"]), "target": t.name, "value": x[t.name],
                         "distance": float(d), "inside": bool(d == 0.0), "weight": float(row["weight"])})
    distances = pd.DataFrame.from_records(long)
    target_rows = []
    for t in targets:
        sub = distances[distances["target"] == t.name]
        pred = predictive[f"value:{t.name}"] if predictive is not None else None
        target_rows.append({**{k: v for k, v in t.describe().items() if k != "days"},
                            "days": json.dumps(list(t.days)) if t.days else "",
                            "posterior_share_inside": float((sub["weight"] * sub["inside"]).sum()),
                            "posterior_mean_distance": float((sub["weight"] * sub["distance"]).sum()),
                            "predictive_median": float(pred.median()) if pred is not None else math.nan,
                            "predictive_share_inside": float(np.mean([t.distance(v) == 0 for v in pred]))
                            if pred is not None else math.nan})
    target_table = pd.DataFrame.from_records(target_rows)
    pops = history.get_all_populations()
    pops = pops[pops["t"] >= 0].reset_index(drop=True)
    ess = []
    for t in pops["t"]:
        _, w = history.get_distribution(m=0, t=int(t))
        ess.append(float(1.0 / np.sum(np.square(w / w.sum()))))
    generations = pd.DataFrame({"generation": pops["t"].astype(int), "epsilon": pops["epsilon"].astype(float),
                                "evaluations": pops["samples"].astype(int),
                                "accepted": pops["particles"].astype(int),
                                "acceptance_rate": pops["particles"] / pops["samples"], "ess": ess})
    tables = {"posterior": post, "distances": distances, "targets": target_table, "generations": generations}
    if predictive is not None:
        tables["predictive"] = predictive
    for name in ("posterior", "distances", "targets", "generations"):
        atomic_write_table(folder / f"{name}.parquet", pa.Table.from_pandas(tables[name], preserve_index=False))
    manifest["generations_run"] = int(len(generations))
    manifest["final_epsilon"] = float(generations["epsilon"].iloc[-1])
    manifest["evaluations_total"] = int(generations["evaluations"].sum())
    result = CalibrationResult(folder=folder, manifest=manifest, tables=tables)
    if figures:
        result.figures = calibration_figures.draw_all(folder, manifest, tables)
    return result


def report(folder: str | Path, figures: bool = True) -> CalibrationResult:
    """The tables and figures of a calibration folder again, from its history, without running anything."""
    folder = Path(folder)
    if not is_calibration(folder):
        raise ExperimentError(f"{folder}: not a calibration folder (no manifest.json of `liandong calibrate`).")
    if not (folder / HISTORY).exists():
        raise ExperimentError(f"{folder / HISTORY}: missing; the calibration's history is stored there. Restore it, "
                              "or run the calibration again.")
    with FolderLock(folder):
        manifest = json.loads((folder / MANIFEST).read_text(encoding="utf-8"))
        with writing(folder):
            result = write_outputs(folder, manifest, figures=figures)
            _write_json(folder / MANIFEST, manifest)
    return result


def render(result: CalibrationResult, console=None) -> None:
    """The posterior's summary on the terminal: each parameter's weighted median and 90% interval against its
    prior, and each target's share inside its band."""
    from rich.console import Console
    from rich.table import Table

    console = console or Console()
    m = result.manifest
    post = result.posterior
    w = post["weight"].to_numpy()
    table = Table(title=f"posterior ({len(post)} parameter sets, generation {m['generations_run'] - 1}, epsilon "
                        f"{m['final_epsilon']:.4g})")
    for col in ("parameter", "prior", "median", "90% interval"):
        table.add_column(col)
    for p in m["params"]:
        lo, med, hi = weighted_quantiles(post[p["key"]].to_numpy(), w, [0.05, 0.5, 0.95])
        table.add_row(p["key"], f"{p['prior']} {p['low']:.4g}-{p['high']:.4g}", f"{med:.4g}", f"{lo:.4g}-{hi:.4g}")
    console.print(table)
    tt = Table(title="targets")
    for col in ("target", "band", "posterior: share inside", "predictive: median, share inside"):
        tt.add_column(col)
    for _, r in result.tables["targets"].iterrows():
        band = f"{r['low']:.4g}" if r["low"] == r["high"] else f"{r['low']:.4g}-{r['high']:.4g}"
        if r["kind"] == "fact":
            band = "holds"
        pred = (f"{r['predictive_median']:.4g}, {r['predictive_share_inside']:.0%}"
                if math.isfinite(r["predictive_median"]) else "-")
        tt.add_row(r["name"], band, f"{r['posterior_share_inside']:.0%}", pred)
    console.print(tt)
    for path in result.figures:
        console.print(f"figure: {path}")


def weighted_quantiles(values: np.ndarray, weights: np.ndarray, qs) -> list[float]:
    """Quantiles of a weighted sample (the inverse of its weighted distribution function, midpoint rule)."""
    order = np.argsort(values, kind="stable")
    v, w = np.asarray(values, float)[order], np.asarray(weights, float)[order]
    cum = (np.cumsum(w) - 0.5 * w) / w.sum()
    return [float(np.interp(q, cum, v)) for q in qs]
