"""`klaxon up`: the whole platform on this machine."""

from __future__ import annotations

import os
import signal
import sys
import threading
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from klaxon.cli.banner import Banner, lines
from klaxon.cli.common import print_errors

if TYPE_CHECKING:
    from klaxon.local.platform import LocalPlatform, Options


def up(
    config: Annotated[Path, typer.Option(help="Configuration file to apply at start")] = Path(
        "examples/acme.yaml"
    ),
    host: Annotated[str, typer.Option(help="Address to listen on")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="Port to listen on (0: any free port)")] = 8080,
    time_scale: Annotated[float, typer.Option(help="Divide every wait (escalation, grouping) by this")] = 1.0,
    verbose: Annotated[bool, typer.Option(help="Show the functions' logs")] = False,
    data: Annotated[
        Path, typer.Option(help="Keep incidents, escalations and the rest here across restarts")
    ] = Path(".klaxon"),
    ephemeral: Annotated[
        bool, typer.Option(help="Keep everything in memory only: gone when klaxon up stops")
    ] = False,
    demo_history: Annotated[
        bool,
        typer.Option(
            help="On a platform with no incidents yet, add a past P1 with its published post-mortem"
        ),
    ] = False,
    rate_limit_scale: Annotated[
        float | None,
        typer.Option(min=0.001, help="Multiply every rate limit by this (load tests); default 1"),
    ] = None,
) -> None:
    """Run the whole platform locally: real handlers over an embedded AWS emulation."""
    if verbose:
        os.environ["POWERTOOLS_LOG_LEVEL"] = "INFO"
    from klaxon.config.loader import ConfigError
    from klaxon.local.platform import LocalPlatform, Options
    from klaxon.local.state import StateError

    options = Options(
        config=config,
        host=host,
        port=port,
        time_scale=time_scale,
        data_dir=None if ephemeral else data,
        rate_limit_scale=rate_limit_scale,
        demo_history=demo_history,
    )
    try:
        platform = LocalPlatform(options).start()
    except ConfigError as exc:
        print_errors(exc.errors)
        raise typer.Exit(1) from exc
    except StateError as exc:
        typer.secho(str(exc), err=True, fg="red")
        raise typer.Exit(1) from exc
    except OSError as exc:
        typer.secho(f"cannot listen on {host}:{port}: {exc.strerror}", err=True, fg="red")
        raise typer.Exit(1) from exc
    stop = threading.Event()
    # Both set explicitly: a shell starting `make up` in the background leaves SIGINT ignored otherwise.
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    signal.signal(signal.SIGINT, lambda *_: stop.set())
    typer.echo("\n".join(lines(_banner(platform, options))))
    sys.stdout.flush()
    try:
        while not stop.wait(0.5):
            pass
    except KeyboardInterrupt:
        pass
    typer.echo("stopping…")
    platform.stop()
    if options.data_dir is not None:
        typer.echo(f"state kept in {options.data_dir}/: `klaxon up` again resumes it")


def _banner(platform: LocalPlatform, options: Options) -> Banner:
    restored = platform.restored
    if options.data_dir is None:
        state = "in memory only (--ephemeral): everything is gone when klaxon up stops"
    else:
        found = (
            f"restored {restored.incidents} incidents, resumed {len(restored.timers)} timers"
            if restored.items
            else "nothing there yet"
        )
        state = f"kept in {options.data_dir}/ ({found}); --ephemeral keeps nothing"
    config = platform.config
    key = next(
        (
            i.key.get_secret_value()
            for i in (config.integrations if config else [])
            if i.kind.value == "pagerduty" and i.key
        ),
        None,
    )
    return Banner(
        url=platform.url,
        config=options.config,
        time_scale=options.time_scale,
        api_token=options.api_token,
        klaxon=_klaxon_command(),
        state=state,
        pagerduty_key=key,
        next_number=platform.next_incident_number(),
    )


def _klaxon_command() -> str:
    """How to run `klaxon` from the working directory: on the PATH, else this interpreter's own."""
    import shutil

    beside = Path(sys.executable).parent / "klaxon"
    if shutil.which("klaxon") == str(beside) or not beside.exists():
        return "klaxon"
    try:
        return str(beside.relative_to(Path.cwd()))
    except ValueError:
        return str(beside)
