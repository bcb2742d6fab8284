"""`python -m liandong ...`: the same as the `liandong` console script."""

from liandong.cli import main

main()
