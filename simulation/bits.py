"""Tables for collecting marked rows a word at a time (online linkage's callers, simulation/linkage/online.py):
a word of eight marks (bytes 0 or 1) times `GATHER_BITS`, shifted right by `TOP_BYTE`, is a byte with
bit i set where byte i is marked; `BIT_PLACES[byte]` lists the places of its set bits (then zeros) and
`BIT_COUNTS[byte]` how many there are.

They are constants (the compiled loops that read them have them built in), fixed by what a byte is: changing them
would need the users' Numba caches cleared.
"""

from __future__ import annotations

import numpy as np

BIT_PLACES = np.array([[i for i in range(8) if v >> i & 1] + [0] * (8 - bin(v).count("1")) for v in range(256)],
                      dtype=np.uint8)  # 2 KiB: small enough to stay in the cache beside the day's data
BIT_COUNTS = np.array([bin(v).count("1") for v in range(256)], dtype=np.uint8)
GATHER_BITS = np.uint64(0x0102040810204080)  # byte i's low bit to bit 56 + i (each product bit lands alone)
TOP_BYTE = np.uint64(56)
