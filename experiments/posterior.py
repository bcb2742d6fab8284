"""A calibration's posterior as an input of `compare` and `sweep` (`--posterior DIR`): each replication draws one
accepted parameter set by weight, from the root seed and the replication alone, so that every scenario or design
point runs replication r at the same parameter set (and on the same seed: common random numbers). Kept apart from
`experiments.calibration` (pyabc, the model) so that a plan can hold a posterior without loading either."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from experiments.errors import ExperimentError

MANIFEST = "manifest.json"
_DRAW_TAG = 0xCA3   # spawn-key tag of the draws' generators (kept apart from the runs' seeds of the same root)


def is_calibration(folder: str | Path) -> bool:
    """Whether `folder` was written by `liandong calibrate` (its manifest says so)."""
    path = Path(folder) / MANIFEST
    try:
        return json.loads(path.read_text(encoding="utf-8")).get("kind") == "calibration"
    except (OSError, ValueError, AttributeError):
        return False


@dataclass(frozen=True)
class Posterior:
    """A calibration's posterior sample: parameter sets (rows), their weights, the kinds of the parameters."""

    folder: str
    keys: tuple[str, ...]
    kinds: tuple[str, ...]
    values: tuple[tuple[float, ...], ...]
    weights: tuple[float, ...]

    @classmethod
    def load(cls, folder: str | Path) -> Posterior:
        folder = Path(folder)
        if not is_calibration(folder):
            raise ExperimentError(f"--posterior {folder}: not a calibration folder (no manifest.json of `liandong "
                                  "calibrate`); give the --out folder of a finished calibration.")
        path = folder / "posterior.parquet"
        if not path.exists():
            raise ExperimentError(f"--posterior {folder}: no posterior.parquet; finish the calibration (run the same "
                                  "`liandong calibrate` command again) or run `liandong report` on it.")
        import pandas as pd  # here: the command line imports plans, and pandas takes half a second to load

        manifest = json.loads((folder / MANIFEST).read_text(encoding="utf-8"))
        frame = pd.read_parquet(path)
        keys = tuple(p["key"] for p in manifest["params"])
        kinds = tuple(p["kind"] for p in manifest["params"])
        w = frame["weight"].to_numpy(dtype=float)
        if len(frame) == 0 or not np.all(np.isfinite(w)) or w.sum() <= 0:
            raise ExperimentError(f"--posterior {folder}: posterior.parquet holds no weighted parameter set.")
        return cls(folder=str(folder), keys=keys, kinds=kinds,
                   values=tuple(tuple(float(x) for x in row) for row in frame[list(keys)].to_numpy()),
                   weights=tuple(float(x) for x in w / w.sum()))

    def to_dict(self) -> dict:
        return {"folder": self.folder, "keys": list(self.keys), "kinds": list(self.kinds),
                "values": [list(v) for v in self.values], "weights": list(self.weights)}

    @classmethod
    def from_dict(cls, d: dict) -> Posterior:
        return cls(folder=d["folder"], keys=tuple(d["keys"]), kinds=tuple(d["kinds"]),
                   values=tuple(tuple(v) for v in d["values"]), weights=tuple(d["weights"]))

    def draw(self, root_seed: int, rep: int) -> dict:
        """The parameter set of replication `rep`: drawn by weight from (root seed, rep) alone, so every scenario
        or point of an experiment runs replication `rep` at the same parameter set."""
        rng = np.random.default_rng(np.random.SeedSequence(int(root_seed), spawn_key=(_DRAW_TAG, int(rep))))
        j = int(rng.choice(len(self.values), p=np.asarray(self.weights))) if len(self.values) > 1 else 0
        return {k: int(round(v)) if kind == "int" else float(v)
                for k, kind, v in zip(self.keys, self.kinds, self.values[j])}
