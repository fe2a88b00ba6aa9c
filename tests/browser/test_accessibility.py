"""axe-core on every page of the web view, in Chinese and in English: no serious or critical
violation, and no id used twice (issue 11, screens 8). axe-core comes from the npm registry
(``make axe``)."""
from __future__ import annotations

import pytest

from testkit.axe import violations
from testkit.web_live_server import sign_in

pytestmark = pytest.mark.browser


def pages(scenario) -> list[str]:
    """Every page a supervisor reads, with the ids of the seeded district."""
    zhang, vol_a = scenario.residents["zhang"], scenario.people["vol_a"]
    device = scenario.devices["tablet_a"]
    return ["/", f"/areas/{scenario.communities['kunwu'].id}",
            f"/grids/{scenario.grids['kunwu1'].id}", "/residents", "/residents?show=overdue",
            f"/residents/{zhang.id}", f"/residents/{zhang.id}/move", "/visits", "/health",
            "/conflicts", "/conflicts?status=all", "/people", f"/people/{vol_a.id}",
            f"/people/{vol_a.id}/deactivate", "/tablets", f"/tablets/{device.id}/revoke",
            "/import", "/export", "/audit", f"/audit?resident={zhang.id}",
            f"/points?area={scenario.communities['kunwu'].id}", f"/points/people/{vol_a.id}"]


DUPLICATE_IDS = """() => {
    const seen = {};
    for (const element of document.querySelectorAll('[id]')) seen[element.id] = (seen[element.id] || 0) + 1;
    return Object.keys(seen).filter(id => seen[id] > 1);
}"""


def check(page, url: str, found: dict) -> None:
    page.goto(url)
    duplicates = page.evaluate(DUPLICATE_IDS)
    if duplicates:
        found.setdefault("duplicate-id", []).append(f"{url}: {duplicates}")
    for violation in violations(page):
        found.setdefault(violation["id"], []).append(
            f"{url} ({violation['impact']}: {violation['help']}): {violation['nodes']}")


@pytest.mark.parametrize("lang", ["zh_CN", "en"])
def test_no_page_has_a_serious_violation(page, live, lang):
    base, scenario, _ = live
    found: dict[str, list[str]] = {}
    check(page, f"{base}/login?lang={lang}", found)
    sign_in(page, base, "kunwu_sup", scenario.password)
    for path in pages(scenario):
        check(page, f"{base}{path}{'&' if '?' in path else '?'}lang={lang}", found)
    page.goto(f"{base}/people/{scenario.people['vol_a'].id}")
    page.click("form[action$='/sign-in-sheet'] button")
    page.wait_for_selector("#sign-in-sheet")
    for violation in violations(page):
        found.setdefault(violation["id"], []).append(f"sign-in sheet: {violation['nodes']}")
    assert not found, "\n".join(f"{rule}:\n  " + "\n  ".join(where)
                                for rule, where in sorted(found.items()))


def test_the_file_input_speaks_the_pages_language(page, live):
    """Chromium's own file button says "Choose File" and "No file chosen" in the browser's
    language, whatever the page's: the page shows its own button and hides the empty state."""
    base, scenario, _ = live
    sign_in(page, base, "kunwu_sup", scenario.password)
    page.goto(f"{base}/import?lang=zh_CN")
    assert page.locator(".file-button").inner_text() == "选择文件"
    hidden = page.evaluate("""() => {
        const input = document.querySelector('input[type=file]');
        return [getComputedStyle(input, '::file-selector-button').display,
                getComputedStyle(input).color];
    }""")
    assert hidden == ["none", "rgba(0, 0, 0, 0)"]
    page.set_input_files("input[type=file]", {"name": "名册.csv", "mimeType": "text/csv",
                                              "buffer": "姓名\n".encode()})
    assert page.evaluate("() => getComputedStyle(document.querySelector('input[type=file]'))"
                         ".color") != "rgba(0, 0, 0, 0)"
