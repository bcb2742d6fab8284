"""A calibration folder's figures (matplotlib, Agg), drawn from its tables alone so `liandong report` redraws them:

- marginals.png: each parameter's posterior (weighted histogram) over its prior's range, the prior's density as a
  line: a posterior as flat as the prior means the targets say nothing about that parameter;
- pairs.png: the most constrained parameters (the smallest posterior spread against the prior's) two by two, each
  accepted set a dot sized by its weight: a diagonal band is a trade-off the targets cannot separate;
- epsilon.png: the acceptance threshold and the acceptance rate by generation;
- predictive.png: each target's observed band against the model's figures in runs at parameter sets drawn from the
  posterior (the posterior predictive check): dots far from the band are targets the model cannot reach.
"""

from __future__ import annotations

import io
from pathlib import Path

import numpy as np
import pandas as pd

from experiments.store import atomic_write_bytes

MAX_PAIRS = 4


def _plt():
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    return plt


def draw_all(folder: Path, manifest: dict, tables: dict[str, pd.DataFrame]) -> list[Path]:
    out = Path(folder) / "figures"
    out.mkdir(exist_ok=True)
    paths = [marginals(out, manifest, tables["posterior"]), epsilon(out, tables["generations"])]
    pair = pairs(out, manifest, tables["posterior"])
    if pair is not None:
        paths.append(pair)
    if "predictive" in tables:
        paths.append(predictive(out, manifest, tables["predictive"]))
    return paths


def _save(fig, path: Path) -> Path:
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=110, bbox_inches="tight", metadata={"Software": None})
    _plt().close(fig)
    atomic_write_bytes(path, buf.getvalue())
    return path


def _prior_density(p: dict, x: np.ndarray) -> np.ndarray:
    if p["prior"] == "loguniform":
        return 1.0 / (x * (np.log(p["high"]) - np.log(p["low"])))
    return np.full_like(x, 1.0 / (p["high"] - p["low"]))


def marginals(out: Path, manifest: dict, post: pd.DataFrame) -> Path:
    plt = _plt()
    params = manifest["params"]
    n = len(params)
    cols = min(3, n)
    rows = -(-n // cols)
    fig, axes = plt.subplots(rows, cols, figsize=(4.2 * cols, 3.0 * rows), squeeze=False, layout="constrained")
    for ax, p in zip(axes.flat, params):
        edges = np.linspace(p["low"], p["high"], 21)
        ax.hist(post[p["key"]], bins=edges, weights=post["weight"], density=True, color="#4477aa", alpha=0.8,
                label="posterior")
        x = np.linspace(p["low"], p["high"], 200)
        ax.plot(x, _prior_density(p, x), color="#cc6677", lw=2, label="prior")
        ax.set_title(p["key"], fontsize=9)
        ax.set_xlim(p["low"], p["high"])
    for ax in list(axes.flat)[n:]:
        ax.axis("off")
    axes.flat[0].legend(fontsize=8)
    fig.suptitle("Marginal posteriors against the priors")
    return _save(fig, out / "marginals.png")


def constrained(manifest: dict, post: pd.DataFrame) -> list[str]:
    """The parameters, most constrained first: posterior standard deviation over the prior's."""
    w = post["weight"].to_numpy()
    ratios = []
    for p in manifest["params"]:
        v = post[p["key"]].to_numpy()
        mean = np.sum(w * v)
        sd = float(np.sqrt(np.sum(w * (v - mean) ** 2)))
        prior_sd = (p["high"] - p["low"]) / np.sqrt(12.0)
        ratios.append((sd / prior_sd if prior_sd > 0 else 1.0, p["key"]))
    return [k for _, k in sorted(ratios)]


def pairs(out: Path, manifest: dict, post: pd.DataFrame) -> Path | None:
    keys = constrained(manifest, post)[:MAX_PAIRS]
    if len(keys) < 2:
        return None
    plt = _plt()
    ranges = {p["key"]: (p["low"], p["high"]) for p in manifest["params"]}
    k = len(keys)
    fig, axes = plt.subplots(k - 1, k - 1, figsize=(3.2 * (k - 1), 3.0 * (k - 1)), squeeze=False, layout="constrained")
    size = 10 + 200 * post["weight"] / post["weight"].max()
    for i in range(1, k):
        for j in range(k - 1):
            ax = axes[i - 1][j]
            if j >= i:
                ax.axis("off")
                continue
            ax.scatter(post[keys[j]], post[keys[i]], s=size, alpha=0.5, color="#4477aa", edgecolors="none")
            ax.set_xlim(*ranges[keys[j]])
            ax.set_ylim(*ranges[keys[i]])
            if i == k - 1:
                ax.set_xlabel(keys[j], fontsize=8)
            if j == 0:
                ax.set_ylabel(keys[i], fontsize=8)
    fig.suptitle("The most constrained parameters, pair by pair (dot size: weight)")
    return _save(fig, out / "pairs.png")


def epsilon(out: Path, gens: pd.DataFrame) -> Path:
    plt = _plt()
    fig, ax = plt.subplots(figsize=(6, 3.4))
    ax.plot(gens["generation"], gens["epsilon"], "o-", color="#4477aa", label="epsilon")
    ax.set_xlabel("generation")
    ax.set_ylabel("epsilon (distance threshold)")
    ax2 = ax.twinx()
    ax2.plot(gens["generation"], gens["acceptance_rate"], "s--", color="#cc6677", label="acceptance rate")
    ax2.set_ylabel("acceptance rate")
    ax2.set_ylim(0, 1.05)
    ax.set_xticks(list(gens["generation"]))
    fig.legend(loc="upper right", fontsize=8)
    ax.set_title("Epsilon and acceptance rate by generation")
    return _save(fig, out / "epsilon.png")


def predictive(out: Path, manifest: dict, pred: pd.DataFrame) -> Path:
    """Each target on its own row, in units of its band: the band is [0, 1] (a point value: 0), each predictive
    run a dot."""
    plt = _plt()
    targets = manifest["targets"]
    fig, ax = plt.subplots(figsize=(7, 0.5 * len(targets) + 1.5))
    rng = np.random.default_rng(0)  # jitter only
    for row, t in enumerate(targets):
        values = pred[f"value:{t['name']}"].to_numpy(dtype=float)
        if t["kind"] == "fact":
            x, label = values, f"{t['name']} (share of the fact's parts failing)"
            ax.plot([0, 0], [row - 0.3, row + 0.3], color="#228833", lw=6, alpha=0.5)
        else:
            span = (t["high"] - t["low"]) or t["scale"]
            x = (values - t["low"]) / span
            ax.fill_betweenx([row - 0.3, row + 0.3], 0, 1 if t["high"] > t["low"] else 0.02, color="#228833",
                             alpha=0.3)
            label = f"{t['name']} (band {t['low']:g}-{t['high']:g})" if t["high"] > t["low"] else \
                f"{t['name']} (value {t['low']:g})"
        ax.scatter(x, row + rng.uniform(-0.2, 0.2, len(x)), s=12, color="#4477aa", alpha=0.7)
        ax.text(-0.02, row, label, ha="right", va="center", fontsize=8, transform=ax.get_yaxis_transform())
    ax.set_yticks([])
    ax.set_xlabel("the model's figure, in units of the band (band = 0 to 1; green: observed)")
    ax.set_title(f"Posterior predictive check ({len(pred)} runs at posterior draws)")
    return _save(fig, out / "predictive.png")
