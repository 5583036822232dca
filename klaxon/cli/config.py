"""`klaxon config validate|apply`."""

from __future__ import annotations

from pathlib import Path

import typer

from klaxon.cli.common import DEFAULT_API, DEFAULT_TOKEN, ApiOption, TokenOption, call, print_errors

app = typer.Typer(help="Validate and apply configuration files.", no_args_is_help=True)


@app.command("validate")
def config_validate(file: Path) -> None:
    """Check a configuration file; every problem is printed as FILE:LINE: path: reason."""
    from klaxon.config.loader import ConfigError, load_config

    try:
        config = load_config(file)
    except ConfigError as exc:
        print_errors(exc.errors)
        raise typer.Exit(1) from exc
    counts = {k: len(v) for k, v in config.stored().items() if isinstance(v, list)}
    typer.echo(f"{file}: valid (" + ", ".join(f"{n} {k.replace('_', ' ')}" for k, n in counts.items()) + ")")


@app.command("apply")
def config_apply(file: Path, api: ApiOption = DEFAULT_API, token: TokenOption = DEFAULT_TOKEN) -> None:
    """Validate a file locally, then replace the running configuration (integration keys travel hashed)."""
    from klaxon.config.loader import ConfigError, load_config

    try:
        config = load_config(file)
    except ConfigError as exc:
        print_errors(exc.errors)
        raise typer.Exit(1) from exc
    from klaxon.cli.schedule import warn_about_schedules

    warn_about_schedules(config)  # the guardrails advise; they never block an apply
    body = call(api, token, "PUT", "/v1/config", json=config.stored())
    typer.echo(f"applied {file} to {api}: " + ", ".join(f"{n} {k}" for k, n in body["applied"].items()))


@app.command("import-openslo")
def config_import_openslo(file: Path) -> None:
    """Print OpenSLO SLO documents (apiVersion: openslo/v1) as a `slos:` section to paste into the file."""
    import yaml

    from klaxon.config.openslo import OpenSloError, slo_entries

    try:
        entries = slo_entries(yaml.safe_load_all(file.read_text(encoding="utf-8")))
    except (OpenSloError, yaml.YAMLError) as exc:
        typer.secho(f"{file}: {exc}", err=True, fg="red")
        raise typer.Exit(1) from exc
    typer.echo(yaml.safe_dump({"slos": entries}, sort_keys=False), nl=False)
