"""No English reaches a Chinese page or export (issue 12, point 16; LANGUAGE.md rule 1).

Walks every page of the web view signed in as each web role (a community supervisor, a street
supervisor, the district's administrator), the error pages, and every export, in Chinese, and
fails on any run of four or more Latin letters in what a person reads (text and the attributes
a browser shows: titles, placeholders, labels of inputs), outside what LANGUAGE.md allows:
units, file formats and product identifiers. The count of what was walked is printed (run with
``-s``) for the closing note.
"""
from __future__ import annotations

import csv
import io
import re
from datetime import timedelta
from html.parser import HTMLParser

import pytest
from openpyxl import load_workbook
from testkit.web_scenario import today_local

from server.models import Campaign

#: What a Chinese page may show in Latin letters (LANGUAGE.md: units, names of products).
ALLOWED = {"mmHg", "mmol", "Excel", "English", "CSV", "xlsx", "Ctrl"}
LATIN = re.compile(r"[A-Za-z]{4,}")
#: Attributes a person reads; the rest (ids, classes, URLs, values sent) are for the machine.
READ_ATTRIBUTES = {"title", "placeholder", "alt", "aria-label"}
WALKED: dict[str, set] = {"pages": set(), "exports": set()}


class _Text(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.parts: list[str] = []
        self._skip = 0

    def handle_starttag(self, tag, attrs):
        if tag in ("style", "script"):
            self._skip += 1
        for name, value in attrs:
            if name in READ_ATTRIBUTES and value:
                self.parts.append(value)
            if tag == "input" and name == "value" and dict(attrs).get("type") in ("submit",
                                                                                 "button"):
                self.parts.append(value or "")

    def handle_endtag(self, tag):
        if tag in ("style", "script") and self._skip:
            self._skip -= 1

    def handle_data(self, data):
        if not self._skip:
            self.parts.append(data)


#: A tablet's or a record's id (or its first 8 hex digits, as the tablets page shows it).
ID = re.compile(r"\b[0-9a-f]{8}(-[0-9a-f]{4}){0,3}(-[0-9a-f]{12})?\b")


def english_in(text: str, names: set[str] = frozenset()) -> list[str]:
    return sorted({word for word in LATIN.findall(ID.sub(" ", text))
                   if word not in ALLOWED and word not in names})


def page_english(html: str, names: set[str] = frozenset()) -> list[str]:
    parser = _Text()
    parser.feed(html)
    # The language switch names itself ("English"); the product's own name is Chinese.
    return english_in(" ".join(parser.parts), names)


def usernames(scenario) -> set[str]:
    """Sign-in names are names (people type them), not words of the page."""
    return {word for person in scenario.people.values()
            for word in LATIN.findall(person.username)}


def pages_for(scenario, db_session) -> list[str]:
    s = scenario
    zhang = s.residents["zhang"]
    campaign = db_session.query(Campaign).first()
    pages = ["/", f"/areas/{s.communities['kunwu'].id}", f"/areas/{s.streets['changqing'].id}",
             "/residents", *(f"/residents?show={show}" for show in
                             ("covered", "overdue", "follow_up", "health", "all")),
             "/residents?q=zhang", f"/grids/{s.grids['kunwu1'].id}", f"/residents/{zhang.id}",
             f"/residents/{zhang.id}/move", "/visits", "/health", "/conflicts", "/people",
             f"/people/{s.people['vol_a'].id}", f"/people/{s.people['vol_a'].id}/deactivate",
             "/tablets", "/tablets?show=stale", f"/tablets/{s.devices['tablet_a'].id}/revoke",
             "/import", "/export", "/audit", f"/audit?resident={zhang.id}",
             "/calls", "/calls?list=no_answer", "/calls?list=overdue&unvisited=month",
             "/reports/monthly", "/campaigns"]
    if campaign is not None:
        pages.append(f"/campaigns/{campaign.id}")
    return pages


@pytest.fixture
def campaign_started(as_user, scenario):
    as_user("kunwu_sup").post("/campaigns", data={
        "area": str(scenario.communities["kunwu"].id), "kind": "heatwave",
        "categories": ["alone"], "note": "高温"})


@pytest.mark.parametrize("username", ["kunwu_sup", "street_sup", "admin"])
def test_every_page_is_chinese_for_every_web_role(as_user, scenario, db_session, username,
                                                  campaign_started):
    web = as_user(username)
    found = {}
    for path in pages_for(scenario, db_session):
        response = web.get(path)
        assert response.status_code in (200, 404), (path, response.status_code)
        WALKED["pages"].add((username, path))
        english = page_english(response.get_data(as_text=True), usernames(scenario))
        if english:
            found[path] = english
    assert found == {}


def test_error_pages_are_chinese(as_user, client, scenario):
    web = as_user("kunwu_sup")
    other = scenario.residents["zhao"]  # another community's resident
    for path, response in (
            ("404", web.get("/no-such-page")),
            ("404 scope", web.get(f"/residents/{other.id}")),
            ("405", web.client.put("/export")),
            ("400", web.get("/export/download?kind=everything&format=csv")),
            ("400 date", web.get("/visits?day=2026-02-30")),
            ("login", client.get("/login")),
            ("413", web.client.post("/import", data=b"x" * (20 * 1024 * 1024),
                                    content_type="application/octet-stream"))):
        WALKED["pages"].add(("errors", path))
        html = response.get_data(as_text=True)
        assert response.status_code < 500, path
        assert page_english(html) == [], (path, html[:300])
        assert re.search(r"[\u4e00-\u9fff]", html), path


def _export_texts(body: bytes, fmt: str) -> str:
    if fmt == "csv":
        return " ".join(cell for row in csv.reader(io.StringIO(body.decode("utf-8-sig")))
                        for cell in row)
    book = load_workbook(io.BytesIO(body))
    return " ".join([name for name in book.sheetnames] +
                    [str(c) for sheet in book for row in sheet.iter_rows(values_only=True)
                     for c in row if isinstance(c, str)])


def test_every_export_is_chinese(as_user, scenario):
    web = as_user("kunwu_sup")
    today = today_local()
    span = f"&from={today - timedelta(days=30)}&to={today}"
    downloads = [f"/export/download?kind={kind}&format={fmt}{span}"
                 for kind in ("visits", "residents") for fmt in ("csv", "xlsx")]
    downloads += [f"/calls/download?list={which}&format={fmt}"
                  for which in ("overdue", "no_answer") for fmt in ("csv", "xlsx")]
    downloads += ["/reports/monthly/download", "/export/download?kind=visits&format=xlsx"
                  "&period=last_month"]
    # Names in the data are Chinese: any Latin word in an export is a code or a label.
    found = {}
    for path in downloads:
        response = web.get(path)
        assert response.status_code == 200, path
        WALKED["exports"].add(path)
        fmt = "csv" if "format=csv" in path else "xlsx"
        english = english_in(_export_texts(response.data, fmt))
        if english:
            found[path] = english
        disposition = response.headers["Content-Disposition"]
        assert re.search(r"filename\*=UTF-8''%E", disposition), path  # a Chinese name
    assert found == {}


def test_report_the_count_walked():
    """Runs last in this module: the count of pages and exports walked, for the closing note."""
    print(f"\nlanguage walk: {len(WALKED['pages'])} page visits "
          f"({len({p for _u, p in WALKED['pages']})} distinct pages and error pages) "
          f"and {len(WALKED['exports'])} exports, in Chinese")


def test_validation_messages_are_chinese(as_user, scenario):
    """Every field of the resident form given a bad value: each message is Chinese and says
    which field (the wire schema's English never shows)."""
    zhang = scenario.residents["zhang"]
    web = as_user("kunwu_sup")
    bad = {"name": "", "sex": "X", "birth_year": "一九四一", "address": "路" * 200,
           "phone": "12ab", "emergency_contact": "张" * 100, "emergency_phone": "abc",
           "care_categories": "rich", "ability_level": "royal", "visit_cadence_days": "0",
           "safety_devices": "laser", "care_notes": "", "status": "asleep",
           "version": str(zhang.version)}
    response = web.post(f"/residents/{zhang.id}", data=bad)
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    WALKED["pages"].add(("errors", "resident form"))
    assert page_english(html, usernames(scenario)) == []
    assert "性别" in html and "出生年份" in html


def test_a_library_message_nobody_translated_still_reads_chinese(app):
    from server.web.roster import schema_message
    with app.test_request_context("/?lang=zh_CN"):
        for english in ("Field may not be null.", "Not a valid string.", "Unknown field."):
            assert english_in(schema_message(english)) == []
            assert re.search(r"[\u4e00-\u9fff]", schema_message(english))
    with app.test_request_context("/?lang=en"):
        assert schema_message("Unknown field.").startswith("Not a valid value")


HALF_WIDTH_BY_CHINESE = re.compile(r"[\u4e00-\u9fff][,:;()?!]|[,:;?!(][\u4e00-\u9fff]")


def test_every_chinese_message_has_full_width_marks(app):
    """Every message of the web view's catalog, as a Chinese page shows it (LANGUAGE.md rule 2:
    the catalog may be typed half-width; one helper makes it right)."""
    from babel.messages.pofile import read_po

    from server.web.i18n import gettext
    from server.web.translations.update_catalogs import po_path
    catalog = read_po(po_path("zh_CN").open("rb"), locale="zh_CN")
    with app.test_request_context("/?lang=zh_CN"):
        wrong = [message.id for message in catalog if message.id and isinstance(message.id, str)
                 and HALF_WIDTH_BY_CHINESE.search(gettext(message.id))]
    assert wrong == []


def test_every_chinese_message_of_the_app_has_full_width_marks():
    from client.ui import i18n
    i18n.set_language("zh_CN")
    wrong = [message for message in i18n.extract_messages()
             if HALF_WIDTH_BY_CHINESE.search(i18n._(message))]
    assert wrong == []


# LANGUAGE.md rule 5 and the glossary: a volunteer never reads the system's own words (the
# screen title 数据同步 aside); a supervisor reads 停用 for a tablet or an account and 待核对 for
# two edits that disagree.
NOT_FOR_VOLUNTEERS = re.compile("服务器|同步|冲突|吊销|令牌|取值|整数|编码")
NOT_ON_THE_WEB = re.compile("吊销|冲突|令牌|同步")


def test_the_app_never_says_the_systems_words():
    from client.ui import i18n
    i18n.set_language("zh_CN")
    wrong = {message: i18n._(message) for message in i18n.extract_messages()
             if NOT_FOR_VOLUNTEERS.search(i18n._(message)) and i18n._(message) != "数据同步"}
    assert wrong == {}


def test_the_web_says_stop_and_to_check_not_revoke_and_conflict(app):
    from babel.messages.pofile import read_po

    from server.web.i18n import gettext
    from server.web.translations.update_catalogs import po_path
    catalog = read_po(po_path("zh_CN").open("rb"), locale="zh_CN")
    with app.test_request_context("/?lang=zh_CN"):
        wrong = {message.id: gettext(message.id) for message in catalog
                 if message.id and isinstance(message.id, str)
                 and NOT_ON_THE_WEB.search(gettext(message.id))}
    assert wrong == {}
