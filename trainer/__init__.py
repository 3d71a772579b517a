"""trainer: the open certification system for Peer Support Specialists."""

from __future__ import annotations

from typing import Any

from flask import Flask

from trainer import config


def create_app(test_config: dict[str, Any] | None = None) -> Flask:
    """Build the application: configuration, extensions, blueprints, command line."""
    test_config = dict(test_config or {})
    instance_path = (
        test_config.pop("INSTANCE_PATH", None) or config.instance_path_from_environment()
    )
    app = Flask(__name__, instance_path=instance_path)
    app.config.from_mapping(config.defaults(app.instance_path))
    app.config.update(config.from_environment())
    app.config.update(test_config)
    config.finalise(app.config, app.instance_path, app.debug)

    from trainer import cli, extensions_setup, web

    extensions_setup.init_app(app)
    web.register(app)
    cli.register(app)
    return app
