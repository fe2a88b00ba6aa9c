"""The JSON API (flask-smorest): auth, sync and health, documented at /api/openapi.json."""
from __future__ import annotations

from flask import Flask, send_from_directory
from flask_smorest import Api

from shared.schemas import ErrorSchema, OpSchema


class KnockdoorApi(Api):
    #: The one error shape (server/errors.py), registered as "Error" before any view refers
    #: to it, so every documented error response points at a schema that exists.
    ERROR_SCHEMA = ErrorSchema


def init_api(app: Flask) -> Api:
    from . import auth, health, sync

    api = KnockdoorApi()
    api.init_app(app, spec_kwargs={"components": {"securitySchemes": {
        "deviceToken": {"type": "http", "scheme": "bearer"}}}})
    if "Op" not in api.spec.components.schemas:
        api.spec.components.schema("Op", schema=OpSchema)
    for blueprint in (auth.blp, sync.blp, health.blp):
        api.register_blueprint(blueprint)

    import swagger_ui_bundle

    @app.get("/api/swagger-ui/<path:filename>")
    def swagger_ui_asset(filename):
        return send_from_directory(swagger_ui_bundle.swagger_ui_path, filename)

    return api
