"""The QR sign-in payload (issue 11, the screens 4): what the web view encodes, the tablet
reads."""
from __future__ import annotations

import pytest

from shared.provisioning import (Provisioning, ProvisioningError, format_payload,
                                 looks_like_payload, parse_payload)


def test_a_formatted_payload_reads_back_the_same():
    payload = format_payload("https://knock.example.org:8443/base", "7KQ2-M9PD", "李晓红")
    assert payload.startswith("knockdoor://provision?server=https%3A%2F%2F")
    assert parse_payload(payload) == Provisioning("https://knock.example.org:8443/base",
                                                  "7KQ2-M9PD", "李晓红")


def test_the_username_is_optional_and_unknown_parameters_are_ignored():
    assert parse_payload("knockdoor://provision?server=http%3A%2F%2F10.0.0.2%3A8000%2F"
                         "&code=AB12&v=2") == Provisioning("http://10.0.0.2:8000", "AB12")
    assert parse_payload("  KNOCKDOOR://provision?code=AB12&server=http://10.0.0.2  ").server \
        == "http://10.0.0.2"


@pytest.mark.parametrize("text, problem", [
    ("http://10.0.0.2:8000", "not_provisioning"),
    ("knockdoor://login?server=http%3A%2F%2Fx&code=1", "not_provisioning"),
    ("knockdoor://provision?code=AB12", "missing_server"),
    ("knockdoor://provision?server=ftp%3A%2F%2Fx&code=AB12", "bad_server"),
    ("knockdoor://provision?server=knock.example.org&code=AB12", "bad_server"),
    ("knockdoor://provision?server=http%3A%2F%2Fx.org&code=", "missing_code"),
    ("knockdoor://provision?server=http%3A%2F%2Fx.org&code=" + "A" * 3000, "too_long"),
    ("", "not_provisioning"),
])
def test_a_bad_payload_names_its_problem(text, problem):
    with pytest.raises(ProvisioningError) as raised:
        parse_payload(text)
    assert raised.value.code == problem


def test_only_the_scheme_marks_a_payload():
    assert looks_like_payload(" knockdoor://provision?x")
    assert not looks_like_payload("10.0.0.2:8000") and not looks_like_payload(None)
