"""A district run with a results folder: each host streams its communities' daily series to parts/ as they finish,
and the folder it leaves is byte for byte the one the in-memory path writes, serially, in processes and on a real
Dask LocalCluster; the daily totals are pandas' groupby-sum to the bit; a folder that cannot be written ends with
the results folder's message (exit status 2), never a traceback."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow.parquet as pq
import pytest

import simulation
import simulation.district as sd
from experiments import district as runs
from experiments.errors import ExperimentError
from scenarios import district as dd
from simulation.district import DailyTotals

FILES = ("communities.parquet", "daily.parquet", "daily_totals.csv", "allocations.parquet", "totals.json",
         "district.toml")
SEED = 5


@pytest.fixture(scope="module")
def district(tmp_path_factory) -> Path:
    """classroom_district (seven communities) for 12 days, as a file the worker processes can read."""
    base = dd.load("classroom_district").model_copy(update={"days": 12})
    path = tmp_path_factory.mktemp("district") / "classroom12.toml"
    path.write_text(runs.district_toml(base), encoding="utf-8")
    return path


@pytest.fixture(scope="module")
def in_memory(district, tmp_path_factory) -> tuple[simulation.district.DistrictResult, Path]:
    """The in-memory run and the folder `write` makes of it: what every streamed run must match."""
    result = simulation.run_district(district, seed=SEED)
    return result, runs.write(result, tmp_path_factory.mktemp("memory") / "out")


def same_folder(a: Path, b: Path) -> None:
    for name in FILES:
        assert (a / name).read_bytes() == (b / name).read_bytes(), name
    assert not (b / "parts").exists(), "the parts are removed once daily.parquet holds their rows"
    assert not list(b.rglob(".*.tmp")), "temporary files left behind"


def test_parts_appear_as_the_hosts_finish_and_the_folder_matches_the_in_memory_one(district, in_memory, tmp_path,
                                                                                 monkeypatch):
    memory, memory_folder = in_memory
    monkeypatch.setattr(sd, "PART_COMMUNITIES", 2)  # several parts per host (serial hosts: this process)
    out = tmp_path / "out"
    (out / "parts").mkdir(parents=True)
    (out / "parts" / "daily-9-9.parquet").write_bytes(b"left by a run cut short")
    result = runs.run(district, SEED, out=out, cluster=None)
    assert result.daily is None
    parts = sorted(p.name for p in (out / "parts").iterdir())
    assert parts == ["daily-0-0.parquet", "daily-0-1.parquet", "daily-0-2.parquet", "daily-0-3.parquet"]
    # one row group per community, each holding that community's days and nothing else
    groups = [pq.ParquetFile(out / "parts" / p).metadata.num_row_groups for p in parts]
    assert groups == [2, 2, 2, 1]
    first = pq.ParquetFile(out / "parts" / parts[0]).read_row_group(1).to_pandas()
    assert first["community"].unique().tolist() == [1] and first["day"].tolist() == list(range(12))
    # the figures are the in-memory run's, and so is the folder, byte for byte
    pd.testing.assert_frame_equal(result.communities, memory.communities, check_exact=True)
    pd.testing.assert_frame_equal(result.daily_totals, memory.daily_totals, check_exact=True)
    assert result.totals == memory.totals or _same_with_nan(result.totals, memory.totals)
    runs.write(result, out)
    same_folder(memory_folder, out)
    pd.testing.assert_frame_equal(pd.read_parquet(out / "daily.parquet"), memory.daily, check_exact=True)


def _same_with_nan(a: dict, b: dict) -> bool:
    return a.keys() == b.keys() and all(x == y or (x != x and y != y) for x, y in zip(a.values(), b.values()))


def test_daily_parquet_is_written_in_row_groups_of_whole_communities(district, in_memory, tmp_path, monkeypatch):
    memory, _ = in_memory
    monkeypatch.setattr(runs, "DAILY_ROWS_PER_GROUP", 30)  # 12 days a community: three communities a group
    folders = [runs.write(memory, tmp_path / "memory")]
    folders.append(runs.write(runs.run(district, SEED, out=tmp_path / "streamed"), tmp_path / "streamed"))
    for folder in folders:
        meta = pq.ParquetFile(folder / "daily.parquet").metadata
        assert [meta.row_group(i).num_rows for i in range(meta.num_row_groups)] == [36, 36, 12]
    same_folder(*folders)
    pd.testing.assert_frame_equal(pd.read_parquet(folders[1] / "daily.parquet"), memory.daily, check_exact=True)


def test_the_streamed_folder_is_the_same_in_processes_and_on_dask(district, in_memory, tmp_path):
    _, memory_folder = in_memory
    processes = tmp_path / "processes"
    result = runs.run(district, SEED, workers=3, out=processes)
    assert sorted(p.name for p in (processes / "parts").iterdir()) == [f"daily-{h}-0.parquet" for h in range(3)]
    runs.write(result, processes)
    same_folder(memory_folder, processes)
    dask = tmp_path / "dask"
    with runs.Cluster("local", workers=2) as cluster:
        assert cluster.client.scheduler.address.startswith("tcp://127.0.0.1:")
        result = runs.run(district, SEED, cluster=cluster, out=dask)
    assert sorted(p.name for p in (dask / "parts").iterdir()) == ["daily-0-0.parquet", "daily-1-0.parquet"]
    runs.write(result, dask)
    same_folder(memory_folder, dask)


def test_daily_totals_are_pandas_groupby_sums_to_the_bit():
    """Fractions in every magnitude, integer and float series mixed (a community whose column is all whole numbers
    records it as integers): compensated sums one community at a time give pandas' groupby-sum exactly, where
    plain sums do not."""
    rng = np.random.default_rng(3)
    frames = []
    for c in range(300):
        v = rng.random(20) * 10.0 ** rng.uniform(-4, 4, 20)
        frames.append(pd.DataFrame({"community": c, "day": np.arange(20), "count": rng.integers(0, 50, 20),
                                    "share": v if c % 7 else np.round(v).astype(np.int64)}))
    daily = pd.concat(frames, ignore_index=True)
    expected = daily.drop(columns="community").groupby("day", sort=True).sum().reset_index()
    sums = DailyTotals()
    for frame in frames:
        sums.add(frame)
    pd.testing.assert_frame_equal(sums.frame(), expected, check_exact=True)
    plain = sum(f["share"].to_numpy(dtype=float) for f in frames)
    assert not np.array_equal(plain, expected["share"].to_numpy())  # so the test can tell the two apart


# --- a folder that cannot be written ------------------------------------------------------------------------------
@pytest.fixture
def read_only(tmp_path):
    """A tmpfs holding `out/parts/` (made before), remounted read-only: root ignores permission bits, so a
    read-only folder has to be a real read-only file system. Unmounted afterwards."""
    if os.geteuid() != 0:
        pytest.skip("mounting a tmpfs needs root")
    disk = tmp_path / "disk"
    disk.mkdir()
    done = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=4m,mode=0755", "tmpfs", str(disk)],
                          capture_output=True, text=True)
    if done.returncode:
        pytest.skip(f"cannot mount a tmpfs here: {done.stderr.strip()}")
    try:
        (disk / "out" / "parts").mkdir(parents=True)
        subprocess.run(["mount", "-o", "remount,ro", str(disk)], check=True, capture_output=True)
        yield disk
    finally:
        subprocess.run(["umount", "-l", str(disk)], capture_output=True)


def test_a_read_only_folder_ends_with_the_results_folder_message(district, read_only, liandong):
    out = read_only / "out"
    message = f"results folder {out}: cannot write there: the file system is read-only"
    # the folder and parts/ exist, so the run starts; the hosts' first part cannot be written
    for options in ({}, {"workers": 2}):
        with pytest.raises(ExperimentError) as err:
            runs.run(district, SEED, out=out, **options)
        assert message in str(err.value) and "give an --out on a writable disk" in str(err.value), options
        assert "Traceback" not in str(err.value)
    with runs.Cluster("local", workers=2) as cluster, pytest.raises(ExperimentError) as err:
        runs.run(district, SEED, cluster=cluster, out=out)
    assert message in str(err.value) and "Traceback" not in str(err.value)
    code, _, errors = liandong("district", district, "--workers", "2", "--out", out)
    assert code == 2 and message in errors and "Traceback" not in errors, errors
    assert "the same command resumes" not in errors  # a district run does not resume: it runs again
    code, _, errors = liandong("district", district, "--out", read_only / "new")  # cannot even be made
    assert code == 2 and f"results folder {read_only / 'new'}: cannot write there: the file system is read-only" \
        in errors and "Traceback" not in errors, errors


def test_a_results_folder_holds_one_district_run_at_a_time(district, tmp_path, liandong):
    from experiments.store import FolderLock

    out = tmp_path / "out"
    out.mkdir()
    with FolderLock(out):  # another process's district run holds the folder
        code, _, errors = liandong("district", district, "--out", out)
    assert code == 2 and f"results folder {out} is in use by process {os.getpid()}" in errors, errors
    assert "Traceback" not in errors and not (out / "manifest.json").exists()
    code, _, errors = liandong("district", district, "--out", out)  # released: the run goes ahead
    assert code == 0 and (out / "manifest.json").exists(), errors
