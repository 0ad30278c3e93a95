"""Under the real Content-Security-Policy, the pages draw their charts and the
browser reports no violation (plotly.js's styles come from a stylesheet)."""

import pytest

from .conftest import NEXT_PAINTS, scroll_to_every_chart

RECORD_VIOLATIONS = """
window.__cspViolations = [];
document.addEventListener("securitypolicyviolation", e =>
  window.__cspViolations.push(e.violatedDirective + " " + e.blockedURI));
"""


@pytest.mark.parametrize(
    "path, charts",
    [
        ("/projects/kitanomegumi/", 3),
        ("/indicators/p5-total-fertility-rate/", 1),
    ],
)
def test_charts_draw_under_the_strict_csp_without_violations(site, page, path, charts):
    page.add_init_script(RECORD_VIOLATIONS)
    response = page.goto(site.url + path)
    policy = response.headers["content-security-policy"]
    assert "script-src 'self'" in policy and "unsafe" not in policy
    scroll_to_every_chart(page, charts)
    page.hover("[data-chart] .main-svg >> nth=0")  # hover labels are drawn too
    page.evaluate(NEXT_PAINTS)  # whatever the hover draws has been drawn
    assert page.evaluate("window.__cspViolations") == []
    assert page.evaluate("document.querySelectorAll('style').length") == 0
