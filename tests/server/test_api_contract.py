"""The OpenAPI document is valid, and the API keeps to it under generated input (schemathesis,
in-process through the WSGI app: no network, a bounded number of examples)."""
from __future__ import annotations

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from openapi_spec_validator import validate
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import response_schema_conformance

from testkit.ops import ApiDevice
from testkit.factories import PASSWORD

#: Per endpoint. Small on purpose: `make test` must stay quick; the fuzz test in
#: test_push_fuzz.py goes deeper into the push endpoint.
MAX_EXAMPLES = 30


def refs(node):
    if isinstance(node, dict):
        if "$ref" in node:
            yield node["$ref"]
        for value in node.values():
            yield from refs(value)
    elif isinstance(node, list):
        for value in node:
            yield from refs(value)


def test_the_openapi_document_validates(client):
    spec = client.get("/api/openapi.json").get_json()
    validate(spec)
    schemas = spec["components"]["schemas"]
    for ref in refs(spec):
        kind, name = ref.split("/")[-2:]
        assert name in spec["components"][kind], f"{ref} points at nothing"
    push = spec["paths"]["/api/v1/sync/push"]["post"]["responses"]
    assert push["422"]["content"]["application/json"]["schema"] == \
        {"$ref": "#/components/schemas/Error"}
    assert schemas["OpResult"]["properties"]["op_id"].get("nullable") is True


@pytest.fixture
def device_token(client, neighbourhood) -> str:
    return ApiDevice(client, "alice", PASSWORD).token


def test_every_endpoint_keeps_to_its_document(app, device_token):
    """Every operation, with generated bodies, signed in as a real device: never a 5xx, and
    every answer (errors included) as documented."""
    api = schemathesis.openapi.from_wsgi("/api/openapi.json", app)
    operations = [result.ok() for result in api.get_all_operations()]
    assert {operation.path for operation in operations} >= {
        "/api/v1/auth/login", "/api/v1/sync/push", "/api/v1/sync/pull", "/healthz"}
    for operation in operations:
        @given(case=operation.as_strategy())
        @settings(max_examples=MAX_EXAMPLES, deadline=None, derandomize=True, database=None,
                  suppress_health_check=list(HealthCheck))
        def keeps_to_the_document(case):
            case.call_and_validate(headers={"Authorization": f"Bearer {device_token}"},
                                   checks=[not_a_server_error, response_schema_conformance])

        keeps_to_the_document()
