"""axe-core, the accessibility engine, run in the page under test (installed by ``make axe``
from the npm registry's axe-core package: nothing is fetched from a CDN)."""
from __future__ import annotations

from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
AXE_JS = ROOT / ".axe" / "node_modules" / "axe-core" / "axe.min.js"
#: Impacts a page may not have.
BLOCKING = ("serious", "critical")


def violations(page) -> list[dict]:
    """The serious and critical violations on ``page`` as it is now, each with the elements
    at fault (at most five), in a form an assertion message can show."""
    assert AXE_JS.exists(), f"{AXE_JS} is missing: run `make axe` (npm install of axe-core)"
    if not page.evaluate("() => typeof window.axe !== 'undefined'"):
        page.add_script_tag(path=str(AXE_JS))
    found = page.evaluate("""async () => {
        const result = await axe.run(document, {resultTypes: ['violations']});
        return result.violations.map(v => ({id: v.id, impact: v.impact, help: v.help,
            nodes: v.nodes.slice(0, 5).map(n => n.target.join(' ') + ' :: ' +
                                                 (n.failureSummary || ''))}));
    }""")
    return [v for v in found if v["impact"] in BLOCKING]
