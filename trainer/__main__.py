"""The ``trainer`` command (the console script, and ``python -m trainer``, which the server
uses to start the worker beside it). The commands live in ``trainer.cli``; ``create_app``
registers them, so this entry point is the only module that needs both."""

import click
from flask.cli import FlaskGroup

from trainer import create_app


@click.group(
    cls=FlaskGroup, create_app=create_app, add_default_commands=False, add_version_option=False
)
def main() -> None:
    """trainer: the open certification system for Peer Support Specialists."""


if __name__ == "__main__":
    main()
