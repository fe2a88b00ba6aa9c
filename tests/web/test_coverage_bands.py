"""Coverage is coloured by threshold: orange only where it needs action (issue 11, screens 2)."""
from __future__ import annotations

import re

from server.web.queries.coverage import COVERAGE_GOOD, COVERAGE_LOW, coverage_band


def test_the_bands_change_at_their_thresholds():
    assert [coverage_band(n) for n in (None, 0, COVERAGE_LOW - 1, COVERAGE_LOW,
                                       COVERAGE_GOOD - 1, COVERAGE_GOOD, 100)] == \
        ["none", "low", "low", "fair", "fair", "good", "good"]


def test_each_bar_and_the_tile_carry_the_band_of_their_figure(around_midnight, as_user,
                                                               scenario):
    html = as_user("kunwu_sup").get("/").get_data(as_text=True)
    expected = round(100 * scenario.expected.covered / scenario.expected.active)  # 60 %
    assert re.search(rf'class="tile band-{coverage_band(expected)}"[^>]*id="tile-coverage"',
                     html)
    rows = re.findall(r'<span class="band-(\w+)" style="width: (\d+)%"></span>', html)
    assert rows and all(band == coverage_band(int(width)) for band, width in rows
                        if not band == "none")
    assert ("fair", "60") in rows  # 昆吾社区: 3 of 5
    legend = re.search(r'id="coverage-legend">([^<]*)<', html).group(1)
    assert f"{COVERAGE_GOOD}%" in legend and "橙色" in legend
    assert not re.search(r"[A-Za-z]{4,}", legend)


def test_an_area_without_active_residents_is_grey_not_red(as_user, scenario):
    html = as_user("admin").get("/").get_data(as_text=True)
    for band, width in re.findall(r'<span class="band-(\w+)" style="width: (\d+)%"></span>',
                                  html):
        assert band == coverage_band(int(width)) or (band == "none" and width == "0")
