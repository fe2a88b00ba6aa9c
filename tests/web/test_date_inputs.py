"""Dates are typed as 2026-11-24 on every page, whatever the browser's language (issue 11,
screens 10): no browser date input, which shows mm/dd/yyyy in an English browser."""
from __future__ import annotations

import re


def test_date_fields_take_the_districts_format(as_user, scenario):
    web = as_user("kunwu_sup")
    for path in ("/export", "/audit", f"/people/{scenario.people['vol_a'].id}", "/points",
                 f"/points/people/{scenario.people['vol_a'].id}"):
        html = web.get(path).get_data(as_text=True)
        assert 'type="date"' not in html, path
        fields = re.findall(r'<input type="text" inputmode="numeric" pattern="([^"]+)" '
                            r'placeholder="([^"]+)" class="date"', html)
        assert fields and all(p == "[0-9]{4}-[0-9]{2}-[0-9]{2}" for p, _ in fields), path
        assert all("年-月-日" in placeholder for _, placeholder in fields), path


def test_a_typed_date_is_read(as_user, scenario):
    web = as_user("kunwu_sup")
    assert web.get("/audit?from=2026-11-01&to=2026-11-30").status_code == 200
    assert web.get("/audit?from=11/01/2026").status_code == 400
