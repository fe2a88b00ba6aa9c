"""The Knockdoor server: ``create_app(config)`` builds it; nothing is global."""
from __future__ import annotations

import logging

from flask import Flask

from shared.district_day import zone_named

from .config import Config
from .jsonprovider import JSONProvider


def create_app(config: Config | dict | None = None) -> Flask:
    app = Flask(__name__)
    app.json = JSONProvider(app)
    if isinstance(config, dict):
        app.config.update({**Config().as_flask(), **config})
    else:
        app.config.update((config or Config()).as_flask())
    # A misspelt zone stops the server at start-up rather than shifting every day it reckons.
    zone_named(app.config["TIMEZONE"])
    # Likewise a bad district rule: named at start-up, never half applied.
    from .district import load_rules
    app.config["DISTRICT_RULES"] = load_rules(app.config.get("DISTRICT_RULES"))
    proxies = int(app.config.get("TRUSTED_PROXIES") or 0)
    if proxies > 0:
        # The client's own address (throttling, audit log) and scheme, as the proxies saw them.
        from werkzeug.middleware.proxy_fix import ProxyFix
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=proxies, x_proto=proxies)
    logging.getLogger("werkzeug").setLevel(logging.WARNING)

    from .api import init_api
    from .compression import init_compression
    from .db import db
    from .errors import register_error_handlers

    db.init_app(app)
    init_api(app)
    register_error_handlers(app)  # after the Api, whose own HTTP error handler it replaces
    init_compression(app)
    from .web import init_web
    init_web(app)
    from .threelists.open311 import init_open311
    init_open311(app)
    return app
