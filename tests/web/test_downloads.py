"""Every sheet the web hands out is a download of the right type that no cache keeps (it holds
personal data), named in UTF-8 where the name is Chinese."""
from __future__ import annotations

from datetime import timedelta

from testkit.web_scenario import today_local

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
CSV = "text/csv; charset=utf-8"


def _paths():
    today = today_local()
    span = f"&from={today - timedelta(days=30)}&to={today}"
    return [(f"/export/download?kind={kind}&format={fmt}{span}", fmt, True)
            for kind in ("visits", "residents") for fmt in ("csv", "xlsx")] + \
        [(f"/calls/download?list={which}&format={fmt}", fmt, True)
         for which in ("overdue", "no_answer") for fmt in ("csv", "xlsx")] + \
        [("/reports/monthly/download", "xlsx", True)] + \
        [(f"/requests/rates?by=grid&format={fmt}{span}", fmt, False) for fmt in ("csv", "xlsx")]


def test_every_sheet_download_has_its_type_its_name_and_no_cache(as_user, scenario):
    web = as_user("kunwu_sup")
    paths = _paths()
    assert len(paths) == 11
    for path, fmt, chinese_name in paths:
        response = web.get(path)
        assert response.status_code == 200, path
        assert response.headers["Content-Type"] == (CSV if fmt == "csv" else XLSX), path
        assert response.headers["Cache-Control"] == "no-store", path
        disposition = response.headers["Content-Disposition"]
        assert disposition.startswith("attachment; filename=\"") and f'.{fmt}"' in disposition
        assert ("filename*=UTF-8''%E" in disposition) == chinese_name, disposition
        body = response.data
        assert body.startswith(b"\xef\xbb\xbf") if fmt == "csv" else body.startswith(b"PK")
