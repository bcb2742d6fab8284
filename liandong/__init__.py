"""The `liandong` command line, the top layer: it drives the scenarios, the model, the experiments and the
dashboard, and nothing imports it. See `liandong --help` and liandong/cli.py."""
