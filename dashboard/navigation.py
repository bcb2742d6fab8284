"""Which page the visitor is on: the page switch (app.py) shows it, and a page can send the visitor to another
(Learn's "open in Explore")."""

from __future__ import annotations

import solara

page = solara.reactive("explore")  # "explore", "compare", "district" or "learn"
