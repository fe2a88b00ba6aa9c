"""After sign-in the browser goes only to a page of this site, whatever ``next`` says."""
from __future__ import annotations

import pytest
from testkit.web_helpers import csrf_token

HOSTILE = ["/\t/evil.example", "//evil.example", "\\\\evil.example", "/\\evil.example",
           "http://evil.example", "https://evil.example/x", "javascript:alert(1)",
           "/\n/evil.example", "/\r\nSet-Cookie: x=1", "/%0a/evil.example\n", " //evil.example",
           "\t//evil.example", "evil.example", "/\u3000/evil.example"]


def sign_in_to(client, scenario, target: str):
    return client.post("/login", data={"username": "kunwu_sup", "password": scenario.password,
                                       "next": target, "csrf_token": csrf_token(client)})


@pytest.mark.parametrize("target", HOSTILE)
def test_next_never_leaves_the_site(client, scenario, target):
    response = sign_in_to(client, scenario, target)
    assert response.status_code == 302
    assert response.headers["Location"] == "/"


def test_a_next_holding_a_nul_is_refused_and_followed_nowhere(client, scenario):
    response = sign_in_to(client, scenario, "/\x00/evil.example")
    assert response.status_code == 422 and "Location" not in response.headers


@pytest.mark.parametrize("target", ["/residents?show=overdue", "/people/3", "/conflicts#open"])
def test_next_within_the_site_is_followed(client, scenario, target):
    response = sign_in_to(client, scenario, target)
    assert response.status_code == 302 and response.headers["Location"] == target


def test_the_sign_in_page_survives_any_next(client, scenario):
    for target in HOSTILE:
        assert client.get("/login", query_string={"next": target}).status_code == 200
