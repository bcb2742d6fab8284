"""The community's social network: buildings of densely tied households, grid cells of buildings, sparser ties
across buildings, with tie density and trust set by the mass base.

Source: the source panel, "Prior mass base decides mobilisation" (Song): communities with a good everyday mass base
mobilised volunteers more successfully; Miao, Zeng & Shi 2020 (sources, stylized fact 6): social cohesion
reduced distress. The structure (building -> grid cell -> community) is the model requirements Scale.

Edges are drawn with numpy from the model's `network` stream and handed to networkx, so the graph is the same for
the same seed whatever else the scenario changes.
"""

from __future__ import annotations

from dataclasses import dataclass

import networkx as nx
import numpy as np
import scipy.sparse as sp

from scenarios import Scenario


@dataclass
class SocialNetwork:
    graph: nx.Graph
    building: np.ndarray  # building of each household
    grid: np.ndarray  # grid cell of each household
    n_grids: int
    ties: sp.csr_matrix  # trust-weighted adjacency (households x households)

    def trust_degree(self) -> np.ndarray:
        """Sum of trust over each household's ties."""
        return np.asarray(self.ties.sum(axis=1)).ravel()


def build(scenario: Scenario, rng: np.random.Generator, ties: np.ndarray | None = None) -> SocialNetwork:
    """The network; `ties` multiplies each household's expected ties (its compound type's, simulation/compounds.py),
    None for every household alike."""
    n = scenario.households
    scale = 1.0 if ties is None else ties
    net, mass = scenario.network, scenario.mass_base
    building = np.arange(n) // net.building_size
    n_buildings = int(building[-1]) + 1
    n_grids = min(net.grid_cells, n_buildings)
    grid_of_building = np.arange(n_buildings) * n_grids // n_buildings
    grid = grid_of_building[building]

    # Ties inside buildings: each household starts half its expected ties, to random neighbours in its building.
    b_start = building * net.building_size
    b_len = np.minimum(net.building_size, n - b_start)
    k_in = rng.poisson(net.ties_in_building * (1 + mass) / 2 * scale, n)
    src_in = np.repeat(np.arange(n), k_in)
    off = (rng.random(len(src_in)) * (b_len[src_in] - 1)).astype(np.int64) + 1  # 1..len-1: never oneself
    dst_in = b_start[src_in] + (src_in - b_start[src_in] + off) % b_len[src_in]

    # Ties across buildings of the same grid cell.
    g_first = np.searchsorted(grid, np.arange(n_grids))
    g_len = np.bincount(grid, minlength=n_grids)
    k_out = rng.poisson(net.ties_across_buildings * (1 + mass) / 2 * scale, n)
    src_out = np.repeat(np.arange(n), k_out)
    dst_out = g_first[grid[src_out]] + (rng.random(len(src_out)) * g_len[grid[src_out]]).astype(np.int64)

    src = np.concatenate([src_in, src_out])
    dst = np.concatenate([dst_in, dst_out])
    keep = src != dst
    lo, hi = np.minimum(src[keep], dst[keep]), np.maximum(src[keep], dst[keep])
    key = np.unique(lo.astype(np.int64) * n + hi)
    lo, hi = key // n, key % n
    # Trust: beta-distributed, mean rising with the mass base from 0.3 to 0.8.
    mean = 0.3 + 0.5 * mass
    trust = rng.beta(5 * mean, 5 * (1 - mean), len(lo))

    graph = nx.Graph()
    graph.add_nodes_from(range(n))
    graph.add_edges_from(zip(lo.tolist(), hi.tolist()))
    ties = sp.coo_matrix((np.concatenate([trust, trust]), (np.concatenate([lo, hi]), np.concatenate([hi, lo]))),
                         shape=(n, n)).tocsr()
    return SocialNetwork(graph=graph, building=building, grid=grid, n_grids=n_grids, ties=ties)
