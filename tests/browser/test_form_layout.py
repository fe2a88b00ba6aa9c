"""Forms as a supervisor sees them in real Chromium: a checkbox sits beside its word."""
from __future__ import annotations

import pytest

from testkit.web_live_server import sign_in

pytestmark = pytest.mark.browser


@pytest.mark.parametrize("path, form", [("/campaigns", "#start-campaign")])
def test_each_checkbox_is_on_the_line_of_its_word(page, live, path, form):
    base, scenario, _ = live
    sign_in(page, base, "admin", scenario.password)
    page.goto(f"{base}{path}")
    labels = page.locator(f"{form} label:has(> input[type=checkbox])")
    assert labels.count() >= 5
    for index in range(labels.count()):
        label = labels.nth(index)
        box = label.locator("input").bounding_box()
        whole = label.bounding_box()
        # one line: the label is no taller than about one line, and the box is left of the word
        assert whole["height"] < 2 * box["height"] + 8, label.inner_text()
        assert box["x"] - whole["x"] < 8, label.inner_text()
        assert whole["width"] > box["width"] + 8, label.inner_text()
