"""`klaxon up`: the whole platform on this machine."""

from __future__ import annotations

import os
import signal
import sys
import threading
from pathlib import Path
from typing import Annotated

import typer

from klaxon.cli.common import print_errors


def up(
    config: Annotated[Path, typer.Option(help="Configuration file to apply at start")] = Path(
        "examples/acme.yaml"
    ),
    host: Annotated[str, typer.Option(help="Address to listen on")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="Port to listen on (0: any free port)")] = 8080,
    time_scale: Annotated[float, typer.Option(help="Divide every wait (escalation, grouping) by this")] = 1.0,
    verbose: Annotated[bool, typer.Option(help="Show the functions' logs")] = False,
) -> None:
    """Run the whole platform locally: real handlers over an embedded AWS emulation."""
    if verbose:
        os.environ["POWERTOOLS_LOG_LEVEL"] = "INFO"
    from klaxon.config.loader import ConfigError
    from klaxon.local.platform import LocalPlatform, Options

    options = Options(config=config, host=host, port=port, time_scale=time_scale)
    try:
        platform = LocalPlatform(options).start()
    except ConfigError as exc:
        print_errors(exc.errors)
        raise typer.Exit(1) from exc
    except OSError as exc:
        typer.secho(f"cannot listen on {host}:{port}: {exc.strerror}", err=True, fg="red")
        raise typer.Exit(1) from exc
    stop = threading.Event()
    # Both set explicitly: a shell starting `make up` in the background leaves SIGINT ignored otherwise.
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    signal.signal(signal.SIGINT, lambda *_: stop.set())
    url = platform.url
    typer.echo(
        "\n".join(
            [
                f"Klaxon is up on {url}  (config: {config}, time scale: {time_scale:g})",
                f"  health        {url}/healthz",
                f"  incidents     {url}/v1/incidents",
                f"  OpenAPI       {url}/v1/openapi.json",
                f"  status page   {url}/status/  (JSON under {url}/status/api/v2/)",
                f"  PagerDuty v2  {url}/v2/enqueue",
                f"  Alertmanager  {url}/v1/integrations/alertmanager",
                f"  API token     {options.api_token}   (export KLAXON_API={url} KLAXON_API_TOKEN=...)",
                "Ctrl-C to stop.",
            ]
        ),
    )
    sys.stdout.flush()
    try:
        while not stop.wait(0.5):
            pass
    except KeyboardInterrupt:
        pass
    typer.echo("stopping…")
    platform.stop()
