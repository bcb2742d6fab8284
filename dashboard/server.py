"""Launching the dashboard: `liandong dashboard` checks the address, then hands over to the solara server.

The checks come first so that a port out of range or already taken gets the command line's usual message and exit
status 2 instead of a server traceback.
"""

from __future__ import annotations

import os
import socket
import sys

DEFAULT_HOST = "127.0.0.1"
DEFAULT_PORT = 8765
APP = "dashboard.app"
CULL_TIMEOUT = "15m"  # how long a session whose page is gone without closing waits for it to come back


class AddressError(ValueError):
    """A host or port the server cannot listen on; the message says why and what to do."""


def check_address(host: str, port: int) -> None:
    """Raise AddressError unless `host:port` can be listened on now."""
    if not 1 <= port <= 65535:
        raise AddressError(f"--port {port}: not a TCP port; give a number from 1 to 65535 (default {DEFAULT_PORT}).")
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except socket.gaierror as exc:
        raise AddressError(f"--host {host!r}: not an address of this machine ({exc.strerror}); "
                           f"the default {DEFAULT_HOST} serves this machine only.") from None
    family, kind, proto, _, address = infos[0]
    with socket.socket(family, kind, proto) as probe:
        # As the server will: a port left in TIME_WAIT by a stopped server is free; one being listened on is not.
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind(address)
        except PermissionError:
            raise AddressError(f"--port {port}: needs administrator rights on this system; use a port above 1023, "
                               f"e.g. the default {DEFAULT_PORT}.") from None
        except OSError as exc:
            raise AddressError(f"{host}:{port}: cannot listen there ({exc.strerror}); another program (or another "
                               f"dashboard) may be using the port: choose another with --port.") from None


def command(host: str, port: int) -> list[str]:
    """The solara command that serves the dashboard (production mode: no reloader, no dev tools)."""
    return [sys.executable, "-m", "solara", "run", APP, "--host", host, "--port", str(port), "--production",
            "--no-open", "--log-level", "warning"]


def serve(host: str = DEFAULT_HOST, port: int = DEFAULT_PORT) -> None:
    """Check the address, print it, and replace this process with the solara server."""
    check_address(host, port)
    # No telemetry (it would call out); the page's own title; no "This website runs on Solara" banner, which is
    # English in both languages and covers the charts' legends (the README credits Solara).
    env = dict(os.environ, SOLARA_TELEMETRY_MIXPANEL_ENABLE="False", SOLARA_THEME_TITLE="LiánDòng 联动",
               SOLARA_THEME_SHOW_BANNER="False")
    # A tab closed normally ends its session at once; one that vanished without a word (a browser killed, a laptop
    # closed, a phone out of reach) would keep its model and comparison for solara's default of 24 hours.
    env.setdefault("SOLARA_KERNEL_CULL_TIMEOUT", CULL_TIMEOUT)
    # Solara warns, at the first page load, that cookies cannot be samesite=none over plain http on an address other
    # than "localhost": advice for pages embedded in iframes, which this is not, so not the user's concern.
    quiet = "ignore:Cookies with samesite=none:UserWarning"
    env["PYTHONWARNINGS"] = f"{env['PYTHONWARNINGS']},{quiet}" if env.get("PYTHONWARNINGS") else quiet
    shown = f"[{host}]" if ":" in host else host
    print(f"LiánDòng dashboard: http://{shown}:{port}  (Ctrl-C stops it)", flush=True)
    os.execve(sys.executable, command(host, port), env)
