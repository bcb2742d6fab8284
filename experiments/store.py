"""The results store: one folder per experiment.

    DIR/manifest.json                 the experiment file, design, resolved scenarios, code and package versions,
                                      machine, sessions (start, end, executor), run counts and failures
    DIR/design.parquet                a sampled design's matrix (lhs, sobol, morris)
    DIR/parts/000123.ok.parquet       one small file per finished run, written the moment it finishes
    DIR/parts/000124.failed.parquet   (a failed run: its error; retried when the command runs again)
    DIR/daily/run=123/part.parquet    the run's daily series, when asked for (hive-partitioned by run)
    DIR/runs.parquet                  one row per run, sorted by run id: consolidated from parts at the end
    DIR/quarantine/...                damaged part files, moved aside (their runs are run again on resume)
    DIR/.lock                         locked (flock) by the process running or reporting the experiment

Every file is written under a temporary name, flushed to disk and renamed into place (`os.replace`), so a killed
experiment leaves whole files only; the parts are the truth and `runs.parquet` is rebuilt from them. A part that is
damaged all the same (a disk error, a copy cut short, a file edited by hand) is found when it is read, moved to
`quarantine/` and its run counted as not done. Files get the permissions the umask gives (644 under umask 022).
"""

from __future__ import annotations

import contextlib
import errno
import json
import math
import os
import platform
import shutil
import socket
import tempfile
from collections.abc import Iterable, Iterator
from datetime import datetime, timezone
from pathlib import Path
from typing import BinaryIO

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from experiments.errors import ExperimentError
from experiments.plan import MATRIX_FILE, Plan, differences
from simulation.keys import SUMMARY_KEYS

FORMAT = "liandong-experiment/1"
ID_COLUMNS = ("run", "point", "rep", "seed", "scenario")
PART_KEYS = ("run", "point", "rep", "seed", "status", "error")
LOCK_FILE = ".lock"
QUARANTINE = "quarantine"
MAX_FAILURES_LISTED = 100  # failed runs listed in the manifest with their error and traceback (all are in runs)


def now() -> str:
    return datetime.now(timezone.utc).isoformat(timespec="seconds")


def machine() -> dict:
    from simulation.provenance import cpu_model  # here, as code_version below: the stdlib alone, no model

    return {"hostname": socket.gethostname(), "platform": platform.platform(), "machine": platform.machine(),
            "cpu_model": cpu_model(), "python": platform.python_version(), "cpus": os.cpu_count()}


def _umask() -> int:
    """The process's umask, read where it can be read without setting it (/proc; setting it is not thread-safe)."""
    try:
        with open("/proc/self/status", encoding="ascii") as fh:
            return next(int(line.split()[1], 8) for line in fh if line.startswith("Umask:"))
    except (OSError, StopIteration, ValueError, IndexError):
        mask = os.umask(0o022)
        os.umask(mask)
        return mask


@contextlib.contextmanager
def _atomic_file(path: Path, fsync: bool = True) -> Iterator[BinaryIO]:
    """A file written whole or not at all: a temporary file beside `path`, with the permissions a plain `open`
    would give under the umask (mkstemp's are 600), flushed to disk and renamed into place if the block ends
    without an error, removed if not."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as fh:
            os.fchmod(fh.fileno(), 0o666 & ~_umask())
            yield fh
            if fsync:
                fh.flush()
                os.fsync(fh.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def atomic_write_bytes(path: Path, data: bytes, fsync: bool = True) -> None:
    """Write `path` whole or not at all (`_atomic_file`)."""
    with _atomic_file(path, fsync) as fh:
        fh.write(data)


def atomic_write_table(path: Path, table: pa.Table, fsync: bool = True, compression: str = "zstd") -> None:
    sink = pa.BufferOutputStream()
    pq.write_table(table, sink, compression=compression)
    atomic_write_bytes(path, sink.getvalue().to_pybytes(), fsync=fsync)


def atomic_write_batches(path: Path, tables: Iterable[pa.Table], fsync: bool = True,
                         compression: str = "zstd") -> int:
    """Write one Parquet file from `tables` (each a row group, all of the first one's schema) whole or not at all,
    holding one table at a time (`_atomic_file`). Returns the rows."""
    rows = 0
    with _atomic_file(path, fsync) as fh:
        writer = None
        try:
            for table in tables:
                if writer is None:
                    writer = pq.ParquetWriter(fh, table.schema, compression=compression)
                writer.write_table(table, row_group_size=max(1, table.num_rows))
                rows += table.num_rows
        finally:
            if writer is not None:
                writer.close()
        if writer is None:
            raise ValueError(f"{path}: no tables to write")
    return rows


_WRITE_CAUSES = {
    errno.ENOSPC: ("the disk is full", "free some space there, or give another --out"),
    errno.EDQUOT: ("your disk quota is used up", "free some space there, or give another --out"),
    errno.EROFS: ("the file system is read-only", "give an --out on a writable disk"),
    errno.EACCES: ("permission denied", "make the folder writable for you (chmod u+w), or give another --out"),
    errno.EPERM: ("permission denied", "make the folder writable for you (chmod u+w), or give another --out"),
}


def write_error(exc: OSError, folder: Path, resumes: bool = True) -> ExperimentError:
    """An OSError met while writing a results folder, as a message naming the folder, the cause and the fix (and,
    for a folder the same command resumes, that it does)."""
    cause, fix = _WRITE_CAUSES.get(exc.errno, (exc.strerror or type(exc).__name__, "give another --out"))
    after = " Runs already finished are kept: the same command resumes." if resumes else " Then run it again."
    return ExperimentError(f"results folder {folder}: cannot write there: {cause} ({exc.strerror or exc}). Fix: "
                           f"{fix}.{after}")


@contextlib.contextmanager
def writing(folder: Path, resumes: bool = True) -> Iterator[None]:
    """OSErrors of writes inside the block become `write_error` messages (exit status 2 on the command line)."""
    try:
        yield
    except OSError as exc:
        raise write_error(exc, Path(folder), resumes) from None


def valid_parquet(path: Path) -> bool:
    """A cheap check that `path` is a whole Parquet file: magic bytes at both ends, a footer that fits."""
    try:
        with open(path, "rb") as fh:
            size = os.fstat(fh.fileno()).st_size
            if size < 12 or fh.read(4) != b"PAR1":
                return False
            fh.seek(size - 8)
            tail = fh.read(8)
    except OSError:
        return False
    return tail[4:] == b"PAR1" and int.from_bytes(tail[:4], "little") + 12 <= size


class FolderLock:
    """An exclusive `flock` on DIR/.lock for as long as a process runs or reports the experiment in DIR; the
    kernel drops it when the process ends, however it ends. The file holds the holder's process id. `resumes`: whether
    the command that holds it resumes after a failed write (its message then says so)."""

    def __init__(self, folder: Path, resumes: bool = True) -> None:
        self.folder = folder
        self.path = folder / LOCK_FILE
        self.resumes = resumes
        self._fd: int | None = None

    def acquire(self) -> FolderLock:
        import fcntl

        with writing(self.folder, self.resumes):
            fd = os.open(self.path, os.O_RDWR | os.O_CREAT | getattr(os, "O_CLOEXEC", 0), 0o666)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError as exc:
            try:
                holder = os.pread(fd, 32, 0).decode("ascii", "replace").strip()
            finally:
                os.close(fd)
            if exc.errno not in (errno.EAGAIN, errno.EACCES, errno.EWOULDBLOCK):
                raise write_error(exc, self.folder, self.resumes) from None
            who = f"process {holder}" if holder.isdigit() else "another process"
            raise ExperimentError(f"results folder {self.folder} is in use by {who}; wait for it to finish, or "
                                  "choose another --out.") from None
        try:
            os.ftruncate(fd, 0)
            os.pwrite(fd, f"{os.getpid()}\n".encode("ascii"), 0)
        except OSError:
            pass  # the lock holds without the process id in it
        self._fd = fd
        return self

    def release(self) -> None:
        if self._fd is not None:
            os.close(self._fd)  # closing the descriptor releases the lock
            self._fd = None

    def __enter__(self) -> FolderLock:
        return self.acquire()

    def __exit__(self, *exc) -> None:
        self.release()


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
        with writing(self.folder):
            atomic_write_bytes(self.manifest_path, text.encode("utf-8"), fsync=self.fsync)

    def prepare(self, plan) -> dict | None:
        """Check the folder can hold this experiment; the existing manifest when resuming, else None."""
        if self.folder.exists() and not self.folder.is_dir():
            raise ExperimentError(f"--out {self.folder}: exists and is not a folder; give a folder path.")
        if self.exists():
            manifest = self.read_manifest()
            versioned = "fingerprint_version" in manifest.get("design", {})
            theirs = manifest.get("fingerprint")
            if (theirs != plan.fingerprint() and (versioned or theirs != plan.legacy_fingerprint())
                    and not plan.grows(manifest)):
                raise ExperimentError(self._mismatch(manifest, plan))
            return manifest
        if self.folder.exists() and any(p.name not in (".DS_Store", LOCK_FILE) for p in self.folder.iterdir()):
            raise ExperimentError(f"--out {self.folder}: a folder with other files in it and no manifest.json; give "
                                  "a new or empty folder.")
        return None

    def _mismatch(self, manifest: dict, plan) -> str:
        """Why a folder's experiment is not this one: each changed field (stored -> given), and what to do."""
        from simulation.provenance import code_version  # here: reading a results folder does not load the model

        changed = differences(manifest, plan)
        then = manifest.get("code_version")
        code = (f" (the code changed since: {then} then, {code_version()} now, so the scenarios may resolve "
                "differently)") if then and then != code_version() else ""
        fewer = manifest.get("design", {}).get("replications")
        hint = (f" Fewer replications than stored ({fewer}) cannot reuse the folder; keep replications = {fewer} to "
                "resume it." if isinstance(fewer, int) and fewer > plan.replications
                and plan.with_replications(fewer).fingerprint() == manifest.get("fingerprint") else "")
        what = "; ".join(changed) if changed else "its design or scenarios differ"
        return (f"--out {self.folder}: holds the results of a different experiment ('{manifest.get('name')}', "
                f"{manifest.get('kind')}): {what}{code}. A folder resumes only the same experiment (more "
                f"replications are fine: the stored runs are reused).{hint} Give a new --out folder for this one, or "
                "delete the folder to start afresh.")

    def adopt(self, plan, manifest: dict) -> dict:
        """The folder's manifest made this plan's: when only the replications grew, the stored runs are renumbered
        (run id = point x replications + rep) and kept, their seeds being those of the same (point, rep). The
        manifest says so first, so that a renumbering cut short is finished by the next command."""
        if plan.grows(manifest):
            old = manifest["design"]["replications"]
            manifest.update(fingerprint=plan.fingerprint(), design=plan.to_dict(), experiment=plan.experiment,
                            experiment_text=plan.experiment_text, experiment_file=plan.experiment_file,
                            renumbering={"replications": plan.replications})
            manifest.setdefault("grown", []).append({"at": now(), "replications": [old, plan.replications]})
            manifest.setdefault("runs", {})["total"] = plan.n_runs
            self.write_manifest(manifest)
        if "renumbering" in manifest:
            with writing(self.folder):
                self.renumber(plan)
            del manifest["renumbering"]
            self.write_manifest(manifest)
        return manifest

    def renumber(self, plan) -> None:
        """Give every part (and daily series) the run id its (point, rep) has in `plan`. In descending order of
        the ids, which only grow, so no file is overwritten before it has moved; each step may be redone."""
        for run, status, path in sorted(self._part_files(), key=lambda f: (f[0], f[1]), reverse=True):
            row = _read_part(path)
            if row is None:  # damaged: its run is run again
                if path.exists():
                    self.quarantine(path)
                continue
            target = row["point"] * plan.replications + row["rep"]
            if target == run:
                continue
            daily = self.daily_path(run).parent
            if status == "ok" and daily.exists():
                there = self.daily_path(target).parent
                if there.exists():  # a daily series left by a run cut short before its part was written
                    shutil.rmtree(there)
                os.replace(daily, there)
            row["run"] = target
            table = _typed_text(pa.Table.from_pydict({k: [v] for k, v in row.items()}), ("error", "traceback"))
            atomic_write_table(self.part_path(target, status), table, fsync=self.fsync, compression="none")
            path.unlink()

    def create(self) -> None:
        try:
            self.folder.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise write_error(exc, self.folder) from None

    def remove_empty(self) -> None:
        """Remove the folder if it holds nothing but the lock file (a start that stored nothing)."""
        try:
            (self.folder / LOCK_FILE).unlink(missing_ok=True)
            self.folder.rmdir()
        except OSError:
            pass

    def lock(self) -> FolderLock:
        """Hold the folder for this process (`with store.lock():`); a second holder gets a clear error."""
        return FolderLock(self.folder)

    def write_design(self, plan) -> None:
        """A sampled design's matrix, beside the manifest (the manifest names it and holds its hash)."""
        table = plan.matrix_table()
        if table is not None:
            with writing(self.folder):
                atomic_write_table(self.folder / MATRIX_FILE, table, fsync=self.fsync)

    # damaged files
    def quarantine(self, path: Path) -> Path:
        """Move a damaged file to DIR/quarantine/ (same relative path; a number added if taken). Returns where."""
        rel = path.relative_to(self.folder)
        target = self.folder / QUARANTINE / rel
        n = 1
        while target.exists():
            target = self.folder / QUARANTINE / rel.with_name(f"{rel.name}.{n}")
            n += 1
        with writing(self.folder):
            target.parent.mkdir(parents=True, exist_ok=True)
            os.replace(path, target)
        return target

    def check_parts(self, plan) -> tuple[bytearray, list[Path]]:
        """(done, moved): done[run] is 1 for every run with a whole ok part (and a whole daily part when the plan
        stores daily series); damaged parts, and the ok part of a run whose daily part is damaged or missing, are
        moved to quarantine/ so that the run is run again. A cheap check (file ends), not a full read."""
        done = bytearray(plan.n_runs)
        moved: list[Path] = []
        for run, status, path in self._part_files():
            if not valid_parquet(path):
                moved.append(self.quarantine(path))
                continue
            if status != "ok" or run >= plan.n_runs:
                continue
            if plan.daily:
                daily = self.daily_path(run)
                if not valid_parquet(daily):
                    if daily.exists():
                        moved.append(self.quarantine(daily))
                    moved.append(self.quarantine(path))
                    continue
            done[run] = 1
        return done, moved

    # runs
    def part_path(self, run: int, status: str) -> Path:
        return self.parts / f"{run:06d}.{status}.parquet"

    def daily_path(self, run: int) -> Path:
        return self.daily_dir / f"run={run}" / "part.parquet"

    def _part_files(self) -> Iterator[tuple[int, str, Path]]:
        """(run, status, path) of every part file present, in no particular order."""
        if not self.parts.exists():
            return
        for entry in os.scandir(self.parts):
            name = entry.name
            if name.startswith(".") or not name.endswith(".parquet"):
                continue
            stem, _, status = name[: -len(".parquet")].partition(".")
            try:
                run = int(stem)
            except ValueError:
                continue
            yield run, status, Path(entry.path)

    def statuses(self) -> dict[int, str]:
        """{run id: "ok" | "failed"} from the part files' names (ok wins over failed)."""
        out: dict[int, str] = {}
        for run, status, _ in self._part_files():
            if status == "ok" or out.get(run) != "ok":
                out[run] = status
        return out

    def write_result(self, task: dict, result: dict) -> None:
        """Make a finished run durable: its daily series first, then its part (whose existence means done)."""
        with writing(self.folder):
            self._write_result(task, result)

    def _write_result(self, task: dict, result: dict) -> None:
        run, status = task["run"], result["status"]
        if status == "ok" and result.get("daily") is not None:
            frame = result["daily"]
            extra = {k: v for k, v in task.get("columns", {}).items() if k not in frame.columns}
            if extra:  # the point's factor values (a comparison's scenario label), so a reader needs no join
                frame = frame.assign(**{k: [v] * len(frame) for k, v in extra.items()})
            daily = pa.Table.from_pandas(frame, preserve_index=False)
            atomic_write_table(self.daily_path(run), daily, fsync=self.fsync)
        row = {"run": run, "point": task["point"], "rep": task["rep"], "seed": task["seed"], "status": status,
               "error": result.get("error") or None, "traceback": result.get("traceback") or None,
               "seconds": float(result.get("seconds", 0.0))}
        for key, value in result.get("summary", {}).items():
            row[f"summary.{key}"] = _scalar(value)
        self.parts.mkdir(parents=True, exist_ok=True)
        table = pa.Table.from_pydict({k: [v] for k, v in row.items()})
        table = _typed_text(table, ("error", "traceback"))
        atomic_write_table(self.part_path(run, status), table, fsync=self.fsync, compression="none")
        if status == "ok":
            self.part_path(run, "failed").unlink(missing_ok=True)

    def read_parts(self, n_runs: int | None = None) -> tuple[list[dict], list[Path]]:
        """(rows, moved): every readable part's row, sorted by run id (read on a few threads: each file is tiny);
        a part that cannot be read, or does not hold what its name says, is moved to quarantine/."""
        from concurrent.futures import ThreadPoolExecutor

        wanted = sorted((run, status) for run, status in self.statuses().items()
                        if n_runs is None or run < n_runs)
        paths = [self.part_path(run, status) for run, status in wanted]
        with ThreadPoolExecutor(max_workers=4) as pool:
            rows = list(pool.map(_read_part, paths, chunksize=64))
        moved = [self.quarantine(path) for path, row in zip(paths, rows) if row is None and path.exists()]
        return [row for row in rows if row is not None], moved

    def consolidate(self, plan, summary_keys: tuple[str, ...]) -> tuple[pd.DataFrame, list[dict], list[Path]]:
        """runs.parquet from the parts: one row per finished run, sorted by run id. Returns it with the parts' rows
        and the damaged files moved to quarantine/."""
        parts, moved = self.read_parts(plan.n_runs)
        if plan.daily:
            for part in parts:
                if part["status"] == "ok" and not valid_parquet(self.daily_path(part["run"])):
                    daily = self.daily_path(part["run"])
                    if daily.exists():
                        moved.append(self.quarantine(daily))
                    moved.append(self.quarantine(self.part_path(part["run"], "ok")))
                    part["status"] = None
            parts = [p for p in parts if p["status"] is not None]
        runs = runs_frame(plan, parts, summary_keys)
        with writing(self.folder):
            atomic_write_table(self.runs_path, runs_arrow(runs), fsync=self.fsync)
        return runs, parts, moved


def _read_part(path: Path) -> dict | None:
    """A part's row, or None if the file is damaged or is not the part its name says."""
    try:
        rows = pq.ParquetFile(path).read().to_pylist()
    except FileNotFoundError:
        return None
    except (pa.ArrowException, OSError, ValueError, EOFError):
        return None
    if len(rows) != 1 or any(k not in rows[0] for k in PART_KEYS):
        return None
    row = rows[0]
    run, _, status = path.name[: -len(".parquet")].partition(".")
    if row["run"] != int(run) or row["status"] != status:
        return None
    return row


def runs_frame(plan, parts: list[dict], summary_keys: tuple[str, ...]) -> pd.DataFrame:
    """The runs table: ids, the scenario label, factor values, status, error and every summary key."""
    found = [k[len("summary."):] for p in parts for k in p if k.startswith("summary.")]
    keys = list(summary_keys) + sorted(set(found) - set(summary_keys))
    columns: dict[str, list] = {c: [] for c in (*ID_COLUMNS, *plan.factors, "status", "error", *keys)}
    parts = sorted(parts, key=lambda p: p["run"])
    for part in parts:
        point = part["point"]
        columns["run"].append(part["run"])
        columns["point"].append(point)
        columns["rep"].append(part["rep"])
        columns["seed"].append(part["seed"])
        columns["scenario"].append(plan.label(point))
        columns["status"].append(part["status"])
        columns["error"].append(part["error"] or None)
        for key in keys:
            columns[key].append(part.get(f"summary.{key}"))
    point_ids = np.asarray(columns["point"], dtype=np.int64)
    for factor in plan.factors:
        columns[factor] = plan.points.column(factor, point_ids)
    frame = {}
    for name, values in columns.items():
        if name in ("run", "point", "rep", "seed"):
            frame[name] = pd.Series(values, dtype="int64")
        elif name in ("scenario", "status"):
            frame[name] = pd.Series(values, dtype=object).astype(str)
        elif name == "error":  # null (missing) for a run without an error
            frame[name] = pd.Series([None if v is None else str(v) for v in values], dtype="str")
        elif name in keys:
            frame[name] = _summary_series(values)
        else:
            frame[name] = pd.Series(values)
    return pd.DataFrame(frame)


def runs_arrow(runs: pd.DataFrame) -> pa.Table:
    """The runs frame as the Arrow table of runs.parquet (`error` is text, null where a run has none)."""
    return _typed_text(pa.Table.from_pandas(runs, preserve_index=False), ("error",))


def _typed_text(table: pa.Table, names: tuple[str, ...]) -> pa.Table:
    """Columns of only nulls (no run failed) as strings, so every file and reader sees one type."""
    for name in names:
        i = table.schema.get_field_index(name)
        if i >= 0 and pa.types.is_null(table.schema.field(i).type):
            table = table.set_column(i, pa.field(name, pa.string()), table.column(i).cast(pa.string()))
    return table


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


def record_status(manifest: dict, plan: Plan, parts: list[dict], interrupted: bool) -> None:
    """The manifest's run counts, and the first failed runs with their errors (runs.parquet has every run)."""
    ok = sum(p["status"] == "ok" for p in parts)
    failed = [p for p in parts if p["status"] != "ok"]
    pending = plan.n_runs - len(parts)
    manifest["runs"] = {
        "total": plan.n_runs, "ok": ok, "failed": len(failed), "pending": pending,
        "run_seconds": round(sum(float(p.get("seconds") or 0.0) for p in parts), 3),
        "failures": [{"run": p["run"], "point": p["point"], "rep": p["rep"], "seed": p["seed"],
                      "error": p["error"], "traceback": p.get("traceback", "")} for p in failed[:MAX_FAILURES_LISTED]],
    }
    if len(failed) > MAX_FAILURES_LISTED:
        manifest["runs"]["failures_note"] = (f"the first {MAX_FAILURES_LISTED} of {len(failed)} failed runs; "
                                             "runs.parquet has the error of every one")
    manifest["finished"] = now()
    manifest["status"] = ("interrupted" if interrupted or pending else
                          "complete" if not failed else "complete with failures")


def resume_plan(folder: str | Path) -> Plan:
    """The plan a results folder was written by, from its manifest (to resume it, report on it or grow it)."""
    store = Store(folder)
    manifest = store.read_manifest()
    if manifest.get("format") != FORMAT:
        raise ExperimentError(f"{folder}: manifest.json is not a LiánDòng experiment ({manifest.get('format')}).")
    return Plan.from_manifest(manifest, store.folder)


def load_runs(folder: str | Path) -> pd.DataFrame:
    """The runs table of a results folder (consolidated from its parts if it is not there yet)."""
    store = Store(folder)
    if store.runs_path.exists() and valid_parquet(store.runs_path):
        return pd.read_parquet(store.runs_path)
    plan = Plan.from_manifest(store.read_manifest(), store.folder)
    return runs_frame(plan, store.read_parts(plan.n_runs)[0], SUMMARY_KEYS)


def load_daily(folder: str | Path, columns: list[str] | None = None, runs: list[int] | None = None) -> pd.DataFrame:
    """The stored daily series, one row per (run, day), read through pyarrow's hive partitioning."""
    import pyarrow.dataset as ds

    root = Path(folder) / "daily"
    if not root.exists():
        raise ExperimentError(f"{folder}: no daily series stored (set daily = true in the experiment file; "
                              "`compare` always stores them).")
    damaged = [p for p in root.glob("run=*/*.parquet") if not valid_parquet(p)]
    if damaged:
        names = ", ".join(str(p.relative_to(folder)) for p in damaged[:3]) + (" ..." if len(damaged) > 3 else "")
        raise ExperimentError(f"{folder}: {len(damaged)} damaged daily series file(s) ({names}). Run `liandong "
                              f"report {folder}` to move them to {QUARANTINE}/, then the experiment's command "
                              "again to redo their runs.")
    dataset = ds.dataset(root, format="parquet", partitioning="hive")
    wanted = None if columns is None else ["run", *[c for c in columns if c != "run"]]
    filt = None if runs is None else ds.field("run").isin(list(runs))
    table = dataset.to_table(columns=wanted, filter=filt)
    frame = table.to_pandas()
    frame["run"] = frame["run"].astype("int64")
    sort = ["run", "day"] if "day" in frame.columns else ["run"]
    return frame.sort_values(sort, kind="stable").reset_index(drop=True)
