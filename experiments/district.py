"""Districts across workers, their results folders, and comparisons of allocation policies.

- `ProcessHosts`: one worker process per group of communities ('forkserver', 'spawn' where there is none), each
  holding its communities for the whole run and answering the district's calls over a pipe; a worker that dies
  ends the run with an error naming it.
- `DaskHosts`: one Dask actor per worker of a cluster (`"local"`: a LocalCluster on 127.0.0.1, or a scheduler's
  address), each holding its communities; only the allocations and each community's figures travel between
  rounds.
- `run(district, seed, ..., out=DIR)`: `simulation.run_district` on the hosts the options ask for; with `out`, each
  host writes its communities' daily series to DIR/parts/ as they finish (`PartStore`), so this process never holds
  them all; `write(result, out)`: the results folder (Parquet tables, the district's totals, a manifest like the
  runner's), daily.parquet assembled from the parts one row group at a time.
- `compare(arms, reps, ...)`: two or more districts (or one district under several policies) on common random
  numbers: replication r of every arm runs on the same seed, and the differences from the first arm come with
  paired t-intervals (experiments/stats.py).
"""

from __future__ import annotations

import json
import multiprocessing
import os
import traceback
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import tomli_w

from experiments import stats
from experiments.errors import ExperimentError
from experiments.executors import DaskConnection, quiet_distributed
from experiments.seeds import run_seed
from experiments.store import (
    atomic_write_batches,
    atomic_write_bytes,
    atomic_write_table,
    machine,
    now,
    valid_parquet,
    write_error,
)
from scenarios import district as district_format
from scenarios.district import POLICIES, POOLS, CommunityPlan, District
from simulation.district import DISTRICT_KEYS, CommunityGroup, DailyStore, DistrictResult, SerialHosts, run_district
from simulation.provenance import code_version, package_versions

DEFAULT_ROOT_SEED = 20200123


# --- the parts of a results folder --------------------------------------------------------------------------------
#: Rows per row group of daily.parquet: whole communities, at least this many rows a group (the last one fewer).
DAILY_ROWS_PER_GROUP = 65_536
PARTS = "parts"


@dataclass(frozen=True)
class PartStore:
    """The daily series of a district run, streamed to its results folder: each host writes its communities' series
    to `parts/daily-<host>-<n>.parquet` (one row group per community, written whole under a temporary name and
    renamed) as soon as they have run their last day; this process reads them back one community at a time, in
    community order, for the district's daily totals and to assemble daily.parquet (`write`), then removes them.
    `folder` is absolute, as the hosts see it: on several machines it must be a shared filesystem."""

    folder: str

    @property
    def parts(self) -> Path:
        return Path(self.folder) / PARTS

    def prepare(self) -> PartStore:
        """Create the folder and parts/ (so that a folder that cannot be written fails before the run), and remove
        the daily parts an earlier run cut short left there."""
        try:
            self.parts.mkdir(parents=True, exist_ok=True)
            for old in self.parts.glob("daily-*.parquet"):
                old.unlink()
        except OSError as exc:
            raise write_error(exc, Path(self.folder), resumes=False) from None
        return self

    def write(self, host: int, number: int, frames: Sequence[pd.DataFrame]) -> list[tuple[str, int]]:
        """On a host: the frames as one part, each a row group; a column is float in all of them if it is in any
        (as pandas' concat makes it). Returns each frame's (part name, row group)."""
        name = f"daily-{host}-{number}.parquet"
        floats = [c for c in frames[0].columns if any(f[c].dtype.kind == "f" for f in frames)]
        sink = pa.BufferOutputStream()
        writer = None
        for frame in frames:
            table = pa.Table.from_pandas(frame.astype({c: np.float64 for c in floats}), preserve_index=False)
            if writer is None:
                writer = pq.ParquetWriter(sink, table.schema, compression="zstd")
            writer.write_table(table, row_group_size=max(1, table.num_rows))
        writer.close()
        try:
            atomic_write_bytes(self.parts / name, sink.getvalue().to_pybytes())
        except OSError as exc:
            raise write_error(exc, Path(self.folder), resumes=False) from None
        return [(name, k) for k in range(len(frames))]

    def _open(self, names: Iterable[str]) -> dict[str, pq.ParquetFile]:
        files = {}
        for name in sorted(set(names)):
            path = self.parts / name
            if not valid_parquet(path):
                raise ExperimentError(f"{path}: a district's daily part is missing or damaged (was the folder "
                                      "changed while the district ran?); run the district again.")
            files[name] = pq.ParquetFile(path)
        return files

    def read(self, places: Sequence[tuple[str, int]]) -> Iterator[pa.Table]:
        """Each place's series, in the order given, with the columns' types of the whole district (a column float
        in any part is float in all)."""
        files = self._open(name for name, _ in places)
        try:
            schema = _district_schema([f.schema_arrow for f in files.values()])
            for name, group in places:
                table = files[name].read_row_group(group)
                yield table.cast(schema).replace_schema_metadata(schema.metadata)
        finally:
            for f in files.values():
                f.close()

    def remove(self, places: Sequence[tuple[str, int]]) -> None:
        """Delete the parts (once daily.parquet holds their rows), and parts/ if that leaves it empty."""
        for name in sorted({name for name, _ in places}):
            (self.parts / name).unlink(missing_ok=True)
        try:
            self.parts.rmdir()
        except OSError:
            pass


def _district_schema(schemas: Sequence[pa.Schema]) -> pa.Schema:
    """The daily table's schema, as `pa.Table.from_pandas` gives it for the concatenated frame: every part's
    columns, float64 where any part has it float."""
    first = schemas[0]
    dtypes = {}
    for field in first:
        floating = any(pa.types.is_floating(s.field(field.name).type) for s in schemas)
        dtypes[field.name] = np.float64 if floating else field.type.to_pandas_dtype()
    template = pd.DataFrame({c: pd.Series([], dtype=d) for c, d in dtypes.items()})
    return pa.Schema.from_pandas(template, preserve_index=False)


def daily_row_groups(tables: Iterable[pa.Table], rows: int = DAILY_ROWS_PER_GROUP) -> Iterator[pa.Table]:
    """Whole communities' tables gathered into row groups of at least `rows` rows (the last may be smaller), so
    that daily.parquet has the same layout whether its rows came from memory or from parts."""
    batch: list[pa.Table] = []
    count = 0
    for table in tables:
        batch.append(table)
        count += table.num_rows
        if count >= rows:
            yield pa.concat_tables(batch).combine_chunks()
            batch, count = [], 0
    if batch:
        yield pa.concat_tables(batch).combine_chunks()


def _by_community(table: pa.Table) -> Iterator[pa.Table]:
    """A daily table sorted by community, one community's slice at a time."""
    ids = table.column("community").to_numpy()
    starts = np.flatnonzero(np.r_[True, ids[1:] != ids[:-1]]) if len(ids) else np.zeros(0, np.int64)
    ends = np.r_[starts[1:], len(ids)]
    for a, b in zip(starts, ends):
        yield table.slice(int(a), int(b - a))


# --- hosts --------------------------------------------------------------------------------------------------------
def _host_main(conn, plans: list[CommunityPlan], seed: int, pools: tuple[str, ...], store: DailyStore | None,
               host: int) -> None:
    """A worker process: build the group, then answer (method, args) calls until told to stop or the pipe closes.
    An ExperimentError (a results folder it cannot write) goes back as its message alone."""
    try:
        group = CommunityGroup(plans, seed, pools, store, host)
        conn.send(("ok", None))
    except Exception:
        conn.send(("error", traceback.format_exc()))
        return
    while True:
        try:
            message = conn.recv()
        except (EOFError, OSError):  # the district's process is gone
            return
        if message is None:
            return
        method, args = message
        try:
            conn.send(("ok", getattr(group, method)(*args)))
        except ExperimentError as exc:
            conn.send(("refused", str(exc)))
        except Exception:
            conn.send(("error", traceback.format_exc()))


class ProcessHosts:
    """Each group of communities in a worker process of its own."""

    def __init__(self, groups: list[list[CommunityPlan]], seed: int, pools: tuple[str, ...],
                 store: DailyStore | None = None) -> None:
        methods = multiprocessing.get_all_start_methods()
        ctx = multiprocessing.get_context("forkserver" if "forkserver" in methods else "spawn")
        self.conns, self.procs = [], []
        for host, plans in enumerate(groups):
            parent, child = ctx.Pipe()
            proc = ctx.Process(target=_host_main, args=(child, plans, seed, pools, store, host), daemon=True)
            proc.start()
            child.close()
            self.conns.append(parent)
            self.procs.append(proc)
        self._gather()

    def _gather(self) -> list:
        out = []
        for i, conn in enumerate(self.conns):
            try:
                status, value = conn.recv()
            except (EOFError, OSError):
                pid = self.procs[i].pid
                self.close()
                raise ExperimentError(f"district worker {i} (pid {pid}) died (killed, or out of memory); run again "
                                      "with more --workers or fewer communities.") from None
            if status == "refused":
                self.close()
                raise ExperimentError(value)
            if status != "ok":
                self.close()
                raise ExperimentError(f"district worker {i} failed:\n{value}")
            out.append(value)
        return out

    def call(self, method: str, args: Sequence[tuple]) -> list:
        for conn, a in zip(self.conns, args):
            conn.send((method, a))
        return self._gather()

    def close(self) -> None:
        for conn in self.conns:
            try:
                conn.send(None)
                conn.close()
            except (OSError, ValueError):
                pass
        for proc in self.procs:
            proc.join(timeout=10)
            if proc.is_alive():
                proc.terminate()
                proc.join()
        self.conns, self.procs = [], []


class DaskHosts:
    """Each group of communities in a Dask actor, one per worker of the cluster (groups beyond the workers share
    them in turn)."""

    def __init__(self, client, groups: list[list[CommunityPlan]], seed: int, pools: tuple[str, ...],
                 store: DailyStore | None = None) -> None:
        workers = sorted(client.scheduler_info()["workers"])
        with quiet_distributed():
            futures = [client.submit(CommunityGroup, plans, seed, pools, store, i, actor=True, pure=False,
                                     workers=[workers[i % len(workers)]]) for i, plans in enumerate(groups)]
            self.actors = [f.result() for f in futures]
        self._futures = futures

    def call(self, method: str, args: Sequence[tuple]) -> list:
        with quiet_distributed():
            pending = [getattr(actor, method)(*a) for actor, a in zip(self.actors, args)]
            return [p.result() for p in pending]

    def close(self) -> None:
        for f in self._futures:
            f.release()
        self.actors, self._futures = [], []


class Cluster:
    """A Dask client for `--dask local` (a LocalCluster on 127.0.0.1 with `workers` single-threaded workers) or a
    scheduler's address, opened as the sweeps' executor opens it (`experiments.executors.DaskConnection`); `hosts`
    makes the `DaskHosts` factory for run_district."""

    def __init__(self, address: str = "local", workers: int | None = None, connect_timeout: float = 10.0) -> None:
        self._dask = DaskConnection(address, workers, connect_timeout)
        self.address, self.client = self._dask.address, self._dask.client
        self.workers = len(self.client.scheduler_info()["workers"])

    def hosts(self, groups, seed, pools, store: DailyStore | None = None) -> DaskHosts:
        return DaskHosts(self.client, groups, seed, pools, store)

    def close(self) -> None:
        self._dask.close()

    def __enter__(self) -> Cluster:
        return self

    def __exit__(self, *exc) -> None:
        self.close()


def run(district, seed: int = 0, *, policies: dict[str, str] | None = None, workers: int | None = None,
        dask: str | None = None, cluster: Cluster | None = None, out: str | Path | None = None) -> DistrictResult:
    """A district run in this process (`workers` None or 1), in `workers` processes, or on Dask (`dask`: 'local'
    or an address; or an open `cluster`). With `out` (a results folder; on Dask across machines, a shared one),
    the hosts write the daily series to its parts/ as their communities finish and the result's `daily` is None;
    `write(result, out)` then completes the folder."""
    if workers is not None and workers < 1:
        raise ExperimentError(f"--workers {workers}: give at least 1 worker.")
    store = None if out is None else PartStore(str(Path(out).resolve())).prepare()
    if cluster is not None or dask:
        own = cluster is None
        cluster = cluster or Cluster(dask, workers=workers)
        try:
            return run_district(district, seed, policies=policies, hosts=cluster.hosts,
                                n_hosts=workers or cluster.workers, store=store)
        finally:
            if own:
                cluster.close()
    if workers and workers > 1:
        return run_district(district, seed, policies=policies, hosts=ProcessHosts, n_hosts=workers, store=store)
    return run_district(district, seed, policies=policies, hosts=SerialHosts, store=store)


# --- results folders ----------------------------------------------------------------------------------------------
def _packages() -> dict:
    from importlib import metadata

    out = dict(package_versions())
    for name in ("dask", "distributed"):
        try:
            out[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            out[name] = "not installed"
    return out


def district_toml(district: District) -> str:
    """The district as a TOML file that `scenarios.district.load` reads back to the same district."""
    return tomli_w.dumps(district.model_dump(mode="json", exclude_none=True))


def _json(data) -> bytes:
    return (json.dumps(data, indent=1, ensure_ascii=False, allow_nan=False, default=_plain) + "\n").encode()


def _plain(value):
    if hasattr(value, "item"):
        return value.item()
    raise TypeError(f"not JSON: {type(value).__name__}")


def _finite(d: dict) -> dict:
    return {k: (None if isinstance(v, float) and v != v else v) for k, v in d.items()}


def write(result: DistrictResult, out: str | Path, command: list[str] | None = None,
          executor: dict | None = None) -> Path:
    """The results folder of one district run: communities.parquet (one row per community), daily.parquet (per
    community and day, in community order; from memory, or from the parts a run with `out` streamed, one row group
    of whole communities at a time, the parts then removed), daily_totals.csv, allocations.parquet (every pool's
    shares, round by round), totals.json, district.toml (the district as run) and manifest.json (district, seed,
    policies, code and package versions)."""
    out = Path(out)
    try:
        out.mkdir(parents=True, exist_ok=True)
        atomic_write_table(out / "communities.parquet", pa.Table.from_pandas(result.communities, preserve_index=False))
        if result.daily is not None:
            tables = _by_community(pa.Table.from_pandas(result.daily, preserve_index=False))
        else:
            tables = result.stored.read()
        atomic_write_batches(out / "daily.parquet", daily_row_groups(tables, DAILY_ROWS_PER_GROUP))
        atomic_write_table(out / "allocations.parquet", pa.Table.from_pandas(result.allocations,
                                                                            preserve_index=False))
        atomic_write_bytes(out / "daily_totals.csv", result.daily_totals.to_csv(index=False).encode())
        atomic_write_bytes(out / "totals.json", _json(_finite(result.totals)))
        atomic_write_bytes(out / "district.toml", district_toml(result.district).encode())
        manifest = {"kind": "district", "name": result.district.name, "seed": result.seed,
                    "community_seeds": "SeedSequence(seed, spawn_key=(community index,))",
                    "policies": result.policies, "round_days": result.district.round_days,
                    "district": result.district.model_dump(mode="json"), "command": command,
                    "executor": executor or {"kind": "serial"}, "code_version": result.version,
                    "packages": _packages(), "machine": machine(), "finished": now()}
        atomic_write_bytes(out / "manifest.json", _json(manifest))
        if result.daily is None:
            getattr(result.stored.store, "remove", lambda places: None)(result.stored.places)
    except OSError as exc:
        raise write_error(exc, out, resumes=False) from None
    return out


# --- comparisons --------------------------------------------------------------------------------------------------
def parse_policy(text: str, district: District) -> dict[str, str]:
    """`--policy` text as {pool: policy}: `by_backlog` (every pool the district holds) or
    `sunk_cadres=by_backlog,volunteers=equal`."""
    text = text.strip()
    if "=" not in text:
        if text not in POLICIES:
            raise ExperimentError(f"--policy {text!r}: not a policy; give one of {', '.join(POLICIES)} (every pool) "
                                  f"or pool=policy with a pool of {', '.join(POOLS)}.")
        return {pool: text for pool in district.pools.named()}
    out = {}
    for part in text.split(","):
        pool, sep, policy = part.partition("=")
        if not sep or not pool.strip() or not policy.strip():
            raise ExperimentError(f"--policy {text!r}: expected pool=policy (e.g. sunk_cadres=by_backlog), or a "
                                  "policy alone for every pool.")
        out[pool.strip()] = policy.strip()
    return out


def compare(arms: Sequence[tuple[str, District]], reps: int = 10, *, root_seed: int = DEFAULT_ROOT_SEED,
            workers: int | None = None, dask: str | None = None, out: str | Path | None = None,
            command: list[str] | None = None) -> dict[str, pd.DataFrame]:
    """Every arm (label, district) `reps` times on common seeds; returns and writes (to `out`) `runs` (one row per
    arm and seed: the district's figures), `means` (per arm, with t-intervals) and `differences` (from the first
    arm, paired t-intervals beside unpaired ones)."""
    if len(arms) < 2:
        raise ExperimentError("compare: give two or more districts, or one district with two or more --policy.")
    if not 1 <= reps <= 100_000:
        raise ExperimentError(f"--reps {reps}: give 1 to 100,000 replications.")
    seeds = [run_seed(root_seed, 0, r, common=True) for r in range(reps)]
    rows = []
    cluster = Cluster(dask, workers=workers) if dask else None
    try:
        for label, district in arms:
            for rep, seed in enumerate(seeds):
                result = run(district, seed, workers=workers, cluster=cluster)
                rows.append({"scenario": label, "rep": rep, "seed": seed, "status": "ok",
                             **{k: result.totals[k] for k in DISTRICT_KEYS}})
    finally:
        if cluster is not None:
            cluster.close()
    runs = pd.DataFrame(rows)
    tables = {"runs": runs, "means": stats.scenario_means(runs, keys=DISTRICT_KEYS),
              "differences": stats.paired_differences(runs, keys=DISTRICT_KEYS)}
    if out is not None:
        folder = Path(out)
        try:
            folder.mkdir(parents=True, exist_ok=True)
            atomic_write_table(folder / "runs.parquet", pa.Table.from_pandas(runs, preserve_index=False))
            for name in ("means", "differences"):
                atomic_write_bytes(folder / f"{name}.csv", tables[name].to_csv(index=False).encode())
            manifest = {"kind": "district_compare", "arms": [{"label": label, "policies": {
                n: p.policy for n, p in d.pools.named().items()}, "toml": district_toml(d)} for label, d in arms],
                "replications": reps, "root_seed": root_seed, "seeds": seeds, "command": command,
                "code_version": code_version(), "packages": _packages(), "machine": machine(), "finished": now()}
            atomic_write_bytes(folder / "manifest.json", _json(manifest))
        except OSError as exc:
            raise write_error(exc, folder, resumes=False) from None
    return tables


def arms_from(sources: Sequence[str], policies: Sequence[str]) -> list[tuple[str, District]]:
    """The arms of a comparison from the command line: several district files, or one district and several
    `--policy` values (each one arm)."""
    if policies:
        if len(sources) != 1:
            raise ExperimentError("compare: with --policy give one district; each --policy is one arm.")
        base = district_format.load(sources[0])
        return [(p, district_format.with_policies(base, parse_policy(p, base))) for p in policies]
    return [(s, district_format.load(s)) for s in sources]



# --- the policies' table (docs/district.md) -----------------------------------------------------------------------
TABLE_KEYS = ("worst_decile_unmet_per_household", "unmet_need_days_per_household", "gini_unmet_per_household",
              "critical_failures")
ALL_POLICIES = ("equal", "per_household", "by_vulnerability", "by_backlog")


def policy_runs(district, pools: Sequence[str] = ("sunk_cadres",), seeds: int = 10, days: int | None = None,
                policies: Sequence[str] = ALL_POLICIES, workers: int | None = None) -> pd.DataFrame:
    """The district's figures under each policy of `pools` (the other pools as the file says), seeds 0 to
    `seeds` - 1 under every policy (common random numbers): one row per policy and seed."""
    base = district_format.load(district)
    if days is not None:
        base = base.model_copy(update={"days": days})
    rows = []
    for seed in range(seeds):
        for policy in policies:
            result = run(base, seed, policies={p: policy for p in pools}, workers=workers)
            rows.append({"scenario": policy, "seed": seed, "status": "ok",
                         **{k: result.totals[k] for k in DISTRICT_KEYS}})
    return pd.DataFrame(rows)


def policy_markdown(frame: pd.DataFrame, title: str) -> str:
    """The Markdown table of `policy_runs`: means, and the paired difference from the first policy with its 95%
    interval."""
    policies = list(frame["scenario"].drop_duplicates())
    means = stats.scenario_means(frame, keys=DISTRICT_KEYS).set_index(["scenario", "key"])
    diffs = stats.paired_differences(frame, keys=DISTRICT_KEYS, reference=policies[0]).set_index(["scenario", "key"])
    lines = [title + f" Mean over the seeds, and in brackets the paired difference from `{policies[0]}` with its "
             "95% interval.", "", "| policy | " + " | ".join(TABLE_KEYS) + " |", "|---|" + "---|" * len(TABLE_KEYS)]
    for policy in policies:
        cells = []
        for key in TABLE_KEYS:
            mean = means.loc[(policy, key), "mean"]
            if policy == policies[0]:
                cells.append(f"{mean:.3g}")
            else:
                d = diffs.loc[(policy, key)]
                cells.append(f"{mean:.3g} ({d['mean_diff']:+.2g} [{d['ci_low']:+.2g}, {d['ci_high']:+.2g}])")
        lines.append(f"| `{policy}` | " + " | ".join(cells) + " |")
    return "\n".join(lines) + "\n"


def policy_table(district, pools: Sequence[str] = ("sunk_cadres",), seeds: int = 10, days: int | None = None,
                 policies: Sequence[str] = ALL_POLICIES, workers: int | None = None) -> str:
    """`policy_markdown` of `policy_runs`."""
    base = district_format.load(district)
    frame = policy_runs(base, pools, seeds, days, policies, workers)
    title = (f"`{base.name}`, {days or base.days} days, {seeds} seeds; policy of {', '.join(pools)} (the other "
             "pools as the file says).")
    return policy_markdown(frame, title)


def policy_figure(frame: pd.DataFrame, path: Path, title: str) -> Path:
    """Two panels, the worst-decile community and the district, unmet need-days per household under each policy:
    the mean with its 95% interval over the seeds."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg  # here: only a findings figure loads matplotlib
    from matplotlib.figure import Figure

    means = stats.scenario_means(frame, keys=DISTRICT_KEYS)
    policies = list(frame["scenario"].drop_duplicates())
    fig = Figure(figsize=(8, 3.4), layout="constrained")
    FigureCanvasAgg(fig)
    for ax, key, label in zip(fig.subplots(1, 2), ("worst_decile_unmet_per_household",
                                                   "unmet_need_days_per_household"),
                              ("worst-decile community", "the whole district")):
        m = means[means["key"] == key].set_index("scenario").loc[policies]
        ax.bar(range(len(policies)), m["mean"], color="#8fb3d9",
               yerr=[m["mean"] - m["ci_low"], m["ci_high"] - m["mean"]], capsize=4)
        ax.set_xticks(range(len(policies)), policies, rotation=15)
        ax.set_title(f"{label}: unmet need-days per household", fontsize=10)
    fig.suptitle(title, fontsize=10)
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path, dpi=120, metadata={"Software": None})
    return path


def write_findings(folder: str | Path, images: str | Path, district: str = "jianghan_2020", seeds: int = 10,
                   workers: int | None = None, days: int | None = None) -> Path:
    """docs/findings/district/<name>.md and .csv, and docs/images/district_<name>.png: the four policies of the
    district's sunk cadres, `seeds` seeds each (`make findings`)."""
    base = district_format.load(district)
    if days is not None:
        base = base.model_copy(update={"days": days})
    frame = policy_runs(base, ("sunk_cadres",), seeds, workers=workers)
    folder, images = Path(folder), Path(images)
    folder.mkdir(parents=True, exist_ok=True)
    frame.to_csv(folder / f"{base.name}.csv", index=False)
    title = (f"`{base.name}` ({len(district_format.communities(base))} communities), {base.days} days, seeds 0-"
             f"{seeds - 1} under every policy; the sunk cadres' policy varies, the other pools per household.")
    figure = policy_figure(frame, images / f"district_{base.name}.png", f"{base.name}: sharing the sunk cadres")
    workers_option = f" --workers {workers}" if workers else ""
    text = (f"<!-- GENERATED by `python -m experiments.district {base.name} --seeds {seeds}{workers_option} --write "
            f"{folder}` "
            f"(make findings) at code {code_version()}. -->\n\n# {base.name}: four ways to share the sunk cadres\n\n"
            + policy_markdown(frame, title)
            + f"\n![{base.name}]({Path(os.path.relpath(figure, folder)).as_posix()})\n")
    (folder / f"{base.name}.md").write_text(text, encoding="utf-8")
    return folder / f"{base.name}.md"


def main(argv: list[str] | None = None) -> None:
    """`python -m experiments.district DISTRICT [--pool P ...] [--seeds N] [--days D] [--write FOLDER]`: print the
    policies' table (docs/district.md), or write the district's findings page, CSV and figure."""
    import argparse

    parser = argparse.ArgumentParser(prog="python -m experiments.district", description=main.__doc__)
    parser.add_argument("district")
    parser.add_argument("--pool", action="append", choices=POOLS, help="pools whose policy varies (default "
                        "sunk_cadres; repeat for several)")
    parser.add_argument("--seeds", type=int, default=10)
    parser.add_argument("--days", type=int)
    parser.add_argument("--workers", type=int)
    parser.add_argument("--write", type=Path, help="write <district>.md and .csv here (docs/findings/district)")
    parser.add_argument("--images", type=Path, default=Path("docs/images"), help="where the figure goes")
    args = parser.parse_args(argv)
    if args.write:
        print(write_findings(args.write, args.images, args.district, args.seeds, args.workers))
        return
    print(policy_table(args.district, args.pool or ["sunk_cadres"], args.seeds, args.days, workers=args.workers))


if __name__ == "__main__":
    main()
