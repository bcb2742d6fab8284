"""The one exception the experiments raise for input a user can fix."""

from __future__ import annotations


class ExperimentError(ValueError):
    """An experiment that cannot be run as given: the message names the file or option, what is wrong and what is
    allowed. The command line reports it without a traceback and exits with status 2."""
