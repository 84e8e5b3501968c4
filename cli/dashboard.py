"""``python run.py dashboard``: serve the Solara dashboard (this process becomes the server)."""

from __future__ import annotations

import os
import sys

import typer

from cli.checks import ROOT, console, fail
from model.analysis.outputs import short


def dashboard(
    port: int = typer.Option(8765, help="Port to serve on (1024-65535)."),
    host: str = typer.Option("localhost", help="Interface to listen on (0.0.0.0 = every "
                                               "interface, e.g. a classroom network)."),
    open_browser: bool = typer.Option(False, "--open", help="Open a browser tab."),
) -> None:
    """Serve the dashboard (policymaker and classroom views) with Solara.

    Everything the page loads is served from this machine (solara-assets), so it works
    without internet. Stop it with Ctrl-C or SIGTERM. Same as `solara run viz/app.py
    --production`, which this process becomes (exec): no child server outlives it.
    """
    import socket

    if not 1024 <= port <= 65535:
        fail(f"--port {port}: allowed 1024-65535")
    try:  # a name or address that resolves, before the port is blamed
        socket.getaddrinfo("127.0.0.1" if host == "localhost" else host, port,
                           type=socket.SOCK_STREAM)
    except (OSError, UnicodeError):
        fail(f"--host {short(host)}: not an address of this machine; allowed: localhost, "
             "0.0.0.0 (every interface) or one of this machine's addresses")
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        try:
            probe.bind(("127.0.0.1" if host == "localhost" else host, port))
        except OSError as err:
            import errno

            if err.errno == errno.EADDRNOTAVAIL:
                fail(f"--host {short(host)}: not an address of this machine; allowed: "
                     "localhost, 0.0.0.0 (every interface) or one of this machine's "
                     "addresses")
            fail(f"--port {port} on {host} cannot be used ({err.strerror}); allowed: a free "
                 "port, e.g. --port 8766")
    app_file = ROOT / "viz" / "app.py"
    command = [sys.executable, "-m", "solara", "run", str(app_file), "--host", host,
               "--port", str(port), "--production", "--no-check-version"]
    if not open_browser:
        command.append("--no-open")
    # No telemetry and no version check: the page must not depend on the internet. A tab
    # that lost its connection keeps its session (and results) 2 minutes, not Solara's 24 h.
    env = {"SOLARA_KERNEL_CULL_TIMEOUT": "2m", **os.environ,
           "SOLARA_TELEMETRY_MIXPANEL_ENABLE": "False"}
    console.print(f"Dashboard on http://{host}:{port} (Ctrl-C to stop)", highlight=False)
    sys.stdout.flush()
    sys.stderr.flush()
    # The server replaces this process: SIGTERM or Ctrl-C to `run.py dashboard` reach it
    # directly, and its worker processes end with it (viz/jobs.py).
    os.execve(sys.executable, command, env)
