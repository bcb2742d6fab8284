"""Seeds derived from an experiment's root seed and a run's identity, never from order or executor.

    >>> run_seed(20200123, point=3, rep=1) == run_seed(20200123, point=3, rep=1)
    True
    >>> run_seed(1, point=0, rep=0, common=True) == run_seed(1, point=7, rep=0, common=True)
    True

With `common=True` (common random numbers) the seed depends on the replication alone, so every design point or
scenario runs replication r on the same seed; the model draws each process's numbers from streams keyed by seed,
process and day, so two scenarios that differ from day k are identical before k and their paired differences
carry only the effect of the difference.
"""

from __future__ import annotations

import numpy as np


def run_seed(root_seed: int, point: int, rep: int, common: bool = False) -> int:
    """An int in [0, 2**32) from `numpy.random.SeedSequence(root_seed, spawn_key=identity)`.

    The identity is `(rep,)` with common random numbers and `(point, rep)` otherwise.
    """
    key = (int(rep),) if common else (int(point), int(rep))
    return int(np.random.SeedSequence(int(root_seed), spawn_key=key).generate_state(1, dtype=np.uint32)[0])
