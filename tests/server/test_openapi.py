"""The API documents itself."""


def test_the_openapi_document_covers_every_api_endpoint(app, client):
    spec = client.get("/api/openapi.json").get_json()
    documented = {(path, method) for path, item in spec["paths"].items() for method in item}
    routes = {(rule.rule, method.lower()) for rule in app.url_map.iter_rules()
              if rule.rule.startswith("/api/v1") or rule.rule == "/healthz"
              for method in rule.methods - {"HEAD", "OPTIONS"}}
    assert routes and routes <= documented
    push = spec["paths"]["/api/v1/sync/push"]["post"]
    assert {"200", "401", "422", "426"} <= set(push["responses"])
    assert "Op" in spec["components"]["schemas"]


def test_the_docs_page_is_served_without_internet(client):
    page = client.get("/api/docs").get_data(as_text=True)
    assert "/api/swagger-ui/swagger-ui-bundle.js" in page
    assert client.get("/api/swagger-ui/swagger-ui-bundle.js").status_code == 200


def test_health_reports_the_database_and_protocol(client):
    body = client.get("/healthz").get_json()
    assert body["status"] == "ok" and body["protocol"] >= body["min_protocol"]


def test_the_previous_protocol_versions_pushes_are_still_accepted(neighbourhood, device_for):
    from testkit.ops import visit_op
    hood, alice = neighbourhood, device_for("alice")
    response = alice.client.post("/api/v1/sync/push", headers=alice.headers, json={
        "protocol": 1, "ops": [visit_op(1, hood.grid_a.id, hood.resident_a.id)]})
    assert response.status_code == 200
    assert response.get_json()["results"][0]["status"] == "applied"
