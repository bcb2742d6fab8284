"""The results store: one folder per experiment.

    DIR/manifest.json                 the experiment file, design, resolved scenarios, code and package versions,
                                      machine, sessions (start, end, executor), per-run status
    DIR/parts/000123.ok.parquet       one small file per finished run, written the moment it finishes
    DIR/parts/000124.failed.parquet   (a failed run: its error; retried when the command runs again)
    DIR/daily/run=123/part.parquet    the run's daily series, when asked for (hive-partitioned by run)
    DIR/runs.parquet                  one row per run, sorted by run id: consolidated from parts at the end

Every file is written under a temporary name, flushed to disk and renamed into place (`os.replace`), so a killed
experiment leaves whole files only; the parts are the truth and `runs.parquet` is rebuilt from them.
"""

from __future__ import annotations

import json
import math
import os
import platform
import socket
import tempfile
from datetime import datetime, timezone
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from experiments.errors import ExperimentError

FORMAT = "liandong-experiment/1"
ID_COLUMNS = ("run", "point", "rep", "seed", "scenario")


def now() -> str:
    return datetime.now(timezone.utc).isoformat(timespec="seconds")


def machine() -> dict:
    return {"hostname": socket.gethostname(), "platform": platform.platform(), "machine": platform.machine(),
            "python": platform.python_version(), "cpus": os.cpu_count()}


def atomic_write_bytes(path: Path, data: bytes, fsync: bool = True) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
            if fsync:
                fh.flush()
                os.fsync(fh.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def atomic_write_table(path: Path, table: pa.Table, fsync: bool = True, compression: str = "zstd") -> None:
    sink = pa.BufferOutputStream()
    pq.write_table(table, sink, compression=compression)
    atomic_write_bytes(path, sink.getvalue().to_pybytes(), fsync=fsync)


class Store:
    """A results folder. `fsync=False` trades durability against power loss (not against a kill) for speed."""

    def __init__(self, folder: str | Path, fsync: bool = True) -> None:
        self.folder = Path(folder)
        self.fsync = fsync

    # paths
    @property
    def manifest_path(self) -> Path:
        return self.folder / "manifest.json"

    @property
    def parts(self) -> Path:
        return self.folder / "parts"

    @property
    def daily_dir(self) -> Path:
        return self.folder / "daily"

    @property
    def runs_path(self) -> Path:
        return self.folder / "runs.parquet"

    # manifest
    def exists(self) -> bool:
        return self.manifest_path.exists()

    def read_manifest(self) -> dict:
        try:
            return json.loads(self.manifest_path.read_text(encoding="utf-8"))
        except FileNotFoundError:
            raise ExperimentError(f"{self.folder}: no manifest.json here; give a folder written by `liandong "
                                  "compare`, `sweep` or `sensitivity`.") from None
        except (OSError, ValueError) as exc:
            raise ExperimentError(f"{self.manifest_path}: cannot be read ({exc}).") from None

    def write_manifest(self, manifest: dict) -> None:
        text = json.dumps(_jsonable(manifest), indent=1, ensure_ascii=False, allow_nan=False) + "\n"
        atomic_write_bytes(self.manifest_path, text.encode("utf-8"), fsync=self.fsync)

    def prepare(self, fingerprint: str) -> dict | None:
        """Check the folder can hold this experiment; the existing manifest when resuming, else None."""
        if self.folder.exists() and not self.folder.is_dir():
            raise ExperimentError(f"--out {self.folder}: exists and is not a folder; give a folder path.")
        if self.exists():
            manifest = self.read_manifest()
            if manifest.get("fingerprint") != fingerprint:
                from simulation.provenance import code_version

                then = manifest.get("code_version")
                changed = (f" (or the same one whose scenarios resolve differently since the code changed: "
                           f"{then} then, {code_version()} now)") if then and then != code_version() else ""
                raise ExperimentError(
                    f"--out {self.folder}: holds the results of a different experiment ('{manifest.get('name')}', "
                    f"{manifest.get('kind')}){changed}; resume only runs the same experiment on it. Give another "
                    "--out, or delete the folder to start afresh.")
            return manifest
        if self.folder.exists() and any(p.name != ".DS_Store" for p in self.folder.iterdir()):
            raise ExperimentError(f"--out {self.folder}: a folder with other files in it and no manifest.json; give "
                                  "a new or empty folder.")
        return None

    def create(self) -> None:
        try:
            self.folder.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise ExperimentError(f"--out {self.folder}: cannot create the folder ({exc.strerror}).") from None

    # runs
    def part_path(self, run: int, status: str) -> Path:
        return self.parts / f"{run:06d}.{status}.parquet"

    def statuses(self) -> dict[int, str]:
        """{run id: "ok" | "failed"} from the part files (ok wins over failed)."""
        out: dict[int, str] = {}
        if not self.parts.exists():
            return out
        for entry in os.scandir(self.parts):
            name = entry.name
            if name.startswith(".") or not name.endswith(".parquet"):
                continue
            stem, _, status = name[: -len(".parquet")].partition(".")
            try:
                run = int(stem)
            except ValueError:
                continue
            if status == "ok" or out.get(run) != "ok":
                out[run] = status
        return out

    def write_result(self, task: dict, result: dict) -> None:
        """Make a finished run durable: its daily series first, then its part (whose existence means done)."""
        run, status = task["run"], result["status"]
        if status == "ok" and result.get("daily") is not None:
            daily = pa.Table.from_pandas(result["daily"], preserve_index=False)
            atomic_write_table(self.daily_dir / f"run={run}" / "part.parquet", daily, fsync=self.fsync)
        row = {"run": run, "point": task["point"], "rep": task["rep"], "seed": task["seed"], "status": status,
               "error": result.get("error", ""), "traceback": result.get("traceback", ""),
               "seconds": float(result.get("seconds", 0.0))}
        for key, value in result.get("summary", {}).items():
            row[f"summary.{key}"] = _scalar(value)
        self.parts.mkdir(parents=True, exist_ok=True)
        table = pa.Table.from_pydict({k: [v] for k, v in row.items()})
        atomic_write_table(self.part_path(run, status), table, fsync=self.fsync, compression="none")
        if status == "ok":
            self.part_path(run, "failed").unlink(missing_ok=True)

    def read_parts(self) -> list[dict]:
        """Every part's row, sorted by run id (read on a few threads: each file is tiny)."""
        from concurrent.futures import ThreadPoolExecutor

        paths = [self.part_path(run, status) for run, status in sorted(self.statuses().items())]
        with ThreadPoolExecutor(max_workers=4) as pool:
            return list(pool.map(_read_part, paths, chunksize=64))

    def consolidate(self, plan, summary_keys: tuple[str, ...]) -> tuple[pd.DataFrame, list[dict]]:
        """runs.parquet from the parts: one row per finished run, sorted by run id. Returns it with the parts."""
        parts = self.read_parts()
        runs = runs_frame(plan, parts, summary_keys)
        atomic_write_table(self.runs_path, pa.Table.from_pandas(runs, preserve_index=False), fsync=self.fsync)
        return runs, parts


def _read_part(path: Path) -> dict:
    return pq.ParquetFile(path).read().to_pylist()[0]


def runs_frame(plan, parts: list[dict], summary_keys: tuple[str, ...]) -> pd.DataFrame:
    """The runs table: ids, the scenario label, factor values, status, error and every summary key."""
    found = [k[len("summary."):] for p in parts for k in p if k.startswith("summary.")]
    keys = list(summary_keys) + sorted(set(found) - set(summary_keys))
    columns: dict[str, list] = {c: [] for c in (*ID_COLUMNS, *plan.factors, "status", "error", *keys)}
    for part in sorted(parts, key=lambda p: p["run"]):
        point = part["point"]
        columns["run"].append(part["run"])
        columns["point"].append(point)
        columns["rep"].append(part["rep"])
        columns["seed"].append(part["seed"])
        columns["scenario"].append(plan.label(point))
        for factor in plan.factors:
            columns[factor].append(plan.points[point]["values"][factor])
        columns["status"].append(part["status"])
        columns["error"].append(part["error"] or "")
        for key in keys:
            columns[key].append(part.get(f"summary.{key}"))
    frame = {}
    for name, values in columns.items():
        if name in ("run", "point", "rep", "seed"):
            frame[name] = pd.Series(values, dtype="int64")
        elif name in ("scenario", "status", "error"):
            frame[name] = pd.Series(values, dtype=object).astype(str)
        elif name in keys:
            frame[name] = _summary_series(values)
        else:
            frame[name] = pd.Series(values)
    return pd.DataFrame(frame)


def _summary_series(values: list) -> pd.Series:
    present = [v for v in values if v is not None]
    if present and all(isinstance(v, int | np.integer) and not isinstance(v, bool) for v in present):
        return pd.Series(values, dtype="Int64")
    return pd.Series([math.nan if v is None else float(v) for v in values], dtype="float64")


def _scalar(value):
    if isinstance(value, np.integer):
        return int(value)
    if isinstance(value, np.floating):
        return float(value)
    if isinstance(value, bool | int | float | str) or value is None:
        return value
    return float(value)


def _jsonable(obj):
    if isinstance(obj, dict):
        return {str(k): _jsonable(v) for k, v in obj.items()}
    if isinstance(obj, list | tuple):
        return [_jsonable(v) for v in obj]
    if isinstance(obj, float) and not math.isfinite(obj):
        return None if math.isnan(obj) else ("inf" if obj > 0 else "-inf")
    if isinstance(obj, np.generic):
        return _jsonable(obj.item())
    if isinstance(obj, Path):
        return str(obj)
    return obj


def load_runs(folder: str | Path) -> pd.DataFrame:
    """The runs table of a results folder (consolidated from its parts if it is not there yet)."""
    store = Store(folder)
    if store.runs_path.exists():
        return pd.read_parquet(store.runs_path)
    from experiments.plan import Plan
    from simulation.outcomes import SUMMARY_KEYS

    plan = Plan.from_manifest(store.read_manifest())
    return runs_frame(plan, store.read_parts(), SUMMARY_KEYS)


def load_daily(folder: str | Path, columns: list[str] | None = None, runs: list[int] | None = None) -> pd.DataFrame:
    """The stored daily series, one row per (run, day), read through pyarrow's hive partitioning."""
    import pyarrow.dataset as ds

    root = Path(folder) / "daily"
    if not root.exists():
        raise ExperimentError(f"{folder}: no daily series stored (set daily = true in the experiment file; "
                              "`compare` always stores them).")
    dataset = ds.dataset(root, format="parquet", partitioning="hive")
    wanted = None if columns is None else ["run", *[c for c in columns if c != "run"]]
    filt = None if runs is None else ds.field("run").isin(list(runs))
    table = dataset.to_table(columns=wanted, filter=filt)
    frame = table.to_pandas()
    frame["run"] = frame["run"].astype("int64")
    sort = ["run", "day"] if "day" in frame.columns else ["run"]
    return frame.sort_values(sort, kind="stable").reset_index(drop=True)
