"""The duty report (履职报告) PDF: it opens, has the right numbers, renders Chinese (a page is
drawn to PNG with poppler's pdftoppm and its ink checked), English on request; an area's report;
every representative's in one zip."""
from __future__ import annotations

import io
import subprocess
import zipfile

import pytest
import time_machine
from pypdf import PdfReader

from testkit.web_helpers import WebClient
from testkit.web_scenario import build_scenario

NOW = "2026-11-20T04:00:00Z"  # as in test_points_pages: vol_a has 9 points in November


@pytest.fixture
def scenario(db_session):
    with time_machine.travel(NOW, tick=False):
        built = build_scenario(db_session)
        db_session.commit()
        yield built


@pytest.fixture
def as_user(app, scenario):
    return lambda username: WebClient(app.test_client(), username, scenario.password)


def text_of(pdf: bytes) -> str:
    reader = PdfReader(io.BytesIO(pdf))
    return "\n".join(page.extract_text() for page in reader.pages)


def value(text: str, label: str) -> str:
    """The cell after the first cell reading ``label`` (pypdf gives one cell a line)."""
    lines = [line.strip() for line in text.splitlines()]
    return lines[lines.index(label) + 1]


def test_a_persons_report_has_the_numbers_in_chinese(as_user, scenario):
    vol_a = scenario.people["vol_a"]
    page = as_user("kunwu_sup").get(f"/points/people/{vol_a.id}").get_data(as_text=True)
    assert f'href="/points/people/{vol_a.id}/report.pdf?period=month' in page  # one click
    person_page = as_user("kunwu_sup").get(f"/people/{vol_a.id}").get_data(as_text=True)
    assert f'href="/points/people/{vol_a.id}/report.pdf"' in person_page  # from theirs too
    response = as_user("kunwu_sup").get(f"/points/people/{vol_a.id}/report.pdf?period=month")
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    text = text_of(response.data)
    assert "履职报告" in text and "王建国" in text and "2026-11-01 至 2026-11-30" in text
    assert value(text, "走访次数") == "3"
    assert value(text, "见到本人的居民") == "3"
    assert value(text, "履职积分") == "9"
    assert "张利霞" in text and "刘德华" in text and "王秀英" in text  # the cases
    assert value(text, "走访见到本人") == "6"  # the main source
    english = as_user("kunwu_sup").get(
        f"/points/people/{vol_a.id}/report.pdf?period=year&language=en")
    text = text_of(english.data)
    assert "Duty report" in text and value(text, "Duty points") == "9"
    assert "lang" not in english.headers.get("Set-Cookie", "")  # the page's language stays


def test_the_report_renders_chinese_glyphs(as_user, scenario, tmp_path):
    vol_a = scenario.people["vol_a"]
    pdf = tmp_path / "report.pdf"
    pdf.write_bytes(as_user("kunwu_sup").get(f"/points/people/{vol_a.id}/report.pdf").data)
    fonts = subprocess.run(["pdffonts", str(pdf)], capture_output=True, text=True).stdout
    assert any("WenQuanYiMicroHei" in line and " yes yes yes " in line  # embedded, subset
               for line in fonts.splitlines())
    subprocess.run(["pdftoppm", "-png", "-r", "60", "-f", "1", "-l", "1", "-x", "0", "-y", "0",
                    "-W", "500", "-H", "90", str(pdf), str(tmp_path / "head")], check=True)
    from PIL import Image
    image = Image.open(next(tmp_path.glob("head*.png"))).convert("L")
    dark = sum(image.histogram()[:128])
    assert dark > 300  # the title 履职报告 is drawn in ink, not as blank boxes or nothing


def test_an_area_report_and_every_representatives_report_in_one_zip(as_user, scenario):
    web = as_user("admin")
    kunwu = scenario.communities["kunwu"]
    text = text_of(web.get(f"/points/areas/{kunwu.id}/report.pdf?period=month").data)
    assert "昆吾社区" in text and value(text, "履职积分") == "11"
    assert value(text, "走访次数") == "5"  # vol_a 3 + vol_b 2 (one no answer)
    archive = zipfile.ZipFile(io.BytesIO(web.get("/points/reports.zip?period=month").data))
    names = archive.namelist()
    assert len(names) == 1 and names[0].startswith("侯胜涛")  # the one representative
    assert value(text_of(archive.read(names[0])), "履职积分") == "3"
    assert as_user("kunwu_sup").get(
        f"/points/areas/{scenario.communities['pushang'].id}/report.pdf").status_code == 404
