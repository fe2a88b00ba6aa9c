"""The audit log page, and the language of the pages and their catalogs."""
from __future__ import annotations

import re

import pytest
from babel.messages.pofile import read_po

from server.web.translations.update_catalogs import extract, po_path


def test_audit_log_shows_who_viewed_and_changed_what(as_user, scenario):
    zhang = scenario.residents["zhang"]
    kunwu = as_user("kunwu_sup")
    kunwu.get(f"/residents/{zhang.id}")
    kunwu.post(f"/conflicts/{scenario.conflict.id}/settle", data={"choice": "kept"})
    html = kunwu.get(f"/audit?resident={zhang.id}").get_data(as_text=True)
    actions = re.findall(r'<tr data-action="([a-z_]+)">', html)
    assert actions == ["settle_conflict", "view_resident"]
    assert "李高远" in html and "张利霞" in html and "127.0.0.1" in html
    # Another community's supervisor sees none of it.
    other = as_user("pushang_sup").get("/audit").get_data(as_text=True)
    assert "view_resident" not in re.findall(r'data-action="([a-z_]+)"', other)
    assert "view_resident" in re.findall(r'data-action="([a-z_]+)"',
                                         as_user("admin").get("/audit").get_data(as_text=True))


def test_chinese_by_default_english_on_request(client, scenario):
    assert "登录" in client.get("/login").get_data(as_text=True)
    english = client.get("/login?lang=en")
    assert "Sign in" in english.get_data(as_text=True)
    assert "lang=en" in english.headers["Set-Cookie"]
    assert "Sign in" in client.get("/login").get_data(as_text=True)  # the cookie remembers
    fresh = client.application.test_client()
    assert "Sign in" in fresh.get("/login", headers={"Accept-Language": "en-US,en"}).get_data(
        as_text=True)
    assert "登录" in fresh.get("/login", headers={"Accept-Language": "zh-CN"}).get_data(
        as_text=True)


@pytest.mark.parametrize("locale", ["zh_CN", "en"])
def test_every_message_is_translated(locale):
    catalog = read_po(po_path(locale).open("rb"), locale=locale)
    wanted = {message.id for message in extract() if message.id}
    have = {message.id for message in catalog if message.id and message.string}
    assert wanted - have == set(), "run: python -m server.web.translations.update_catalogs"


@pytest.mark.parametrize("locale", ["zh_CN", "en"])
def test_every_message_of_the_catalog_is_found_where_it_is_used(locale):
    """A msgid the extractor cannot see (raised through a variable, kept in a constant) would be
    dropped by the next catalog update and reach a Chinese reader in English; one nobody uses
    is dead weight. Both show up as a msgid of the catalog the extractor does not find."""
    catalog = read_po(po_path(locale).open("rb"), locale=locale)
    found = {message.id for message in extract() if message.id}
    kept = {message.id for message in catalog if message.id}
    assert kept - found == set(), "mark it N_(…), or run update_catalogs to drop it"


PAGES = ["/", "/residents", "/grids/{grid}", "/residents/{zhang}", "/residents/{zhang}/move",
         "/conflicts", "/people",
         "/people/{vol_a}", "/tablets", "/import", "/export", "/audit", "/health", "/visits",
         "/areas/{kunwu}"]


@pytest.mark.parametrize("lang", ["zh_CN", "en"])
def test_every_page_renders_in_both_languages(as_user, scenario, lang):
    web = as_user("kunwu_sup")
    ids = {"grid": scenario.grids["kunwu1"].id, "zhang": scenario.residents["zhang"].id,
           "vol_a": scenario.people["vol_a"].id, "kunwu": scenario.communities["kunwu"].id}
    for page in PAGES:
        response = web.get(page.format(**ids) + ("&" if "?" in page else "?") + f"lang={lang}")
        assert response.status_code == 200, page
        html = response.get_data(as_text=True)
        assert f'<html lang="{"zh-CN" if lang == "zh_CN" else "en"}">' in html
        assert response.headers["Cache-Control"] == "no-store"
        if lang == "en":  # nothing left in Chinese but the data itself and the language link
            chrome = re.sub(r"<title>.*?</title>", "", re.sub(r"<main>.*</main>", "", html, flags=re.S))
            assert re.findall(r"[\u4e00-\u9fff]+", chrome) == ["中文", "李高远"]


def test_static_files_are_served_by_the_app(client):
    response = client.get("/web-static/web.css")
    assert response.status_code == 200 and b"font-family" in response.data
