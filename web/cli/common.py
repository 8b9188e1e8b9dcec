"""What the command groups share: failing with a message (click's exit status 1) and printing JSON."""
from __future__ import annotations

import json

import click


def fail(message: str) -> None:
    """Stop the command with this message and exit status 1."""
    raise click.ClickException(message)


def echo_json(value) -> None:
    """Print a value as indented JSON, Chinese as it is."""
    click.echo(json.dumps(value, ensure_ascii=False, indent=2, default=str))
