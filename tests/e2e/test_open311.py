"""Open311 GeoReport v2 against a real server on 127.0.0.1, through a client written from the
GeoReport v2 documentation (wiki.open311.org/GeoReport_v2) with nothing of the server's code:
a hotline platform forwards a request into a grid and follows it to its close."""
from __future__ import annotations

import uuid

import pytest
import requests

from server.threelists.open311 import create_partner
from shared import protocol as p
from testkit.factories import make_district, make_person, make_resident
from testkit.live_server import LiveServer

pytestmark = pytest.mark.e2e


class GeoReportClient:
    """The calls of GeoReport v2 as its documentation describes them (JSON format)."""

    def __init__(self, endpoint: str, api_key: str | None = None) -> None:
        self.endpoint = endpoint.rstrip("/")
        self.api_key = api_key

    def _params(self, **extra) -> dict:
        params = {key: value for key, value in extra.items() if value is not None}
        if self.api_key:
            params["api_key"] = self.api_key
        return params

    def services(self) -> list[dict]:
        response = requests.get(f"{self.endpoint}/services.json", timeout=10)
        response.raise_for_status()
        return response.json()

    def post_request(self, service_code: str, description: str, **fields) -> requests.Response:
        return requests.post(f"{self.endpoint}/requests.json",
                             data=self._params(service_code=service_code,
                                               description=description, **fields), timeout=10)

    def get_request(self, service_request_id: str) -> requests.Response:
        return requests.get(f"{self.endpoint}/requests/{service_request_id}.json",
                            params=self._params(), timeout=10)

    def get_requests(self, **filters) -> requests.Response:
        return requests.get(f"{self.endpoint}/requests.json", params=self._params(**filters),
                            timeout=10)


@pytest.fixture
def district(db_session):
    tree = make_district(db_session, communities=1, grids=2)
    grid = tree.grids[0]
    resident = make_resident(db_session, grid, name="张利霞", address="建设路51号院2号楼4单元202")
    make_person(db_session, "rep", p.REPRESENTATIVE, [grid], "李代表")
    keys = {"plain": create_partner(db_session, "12345热线", grid.id),
            "trusted": create_partner(db_session, "区民政局平台", grid.id, personal_data=True)}
    db_session.commit()
    return tree, grid, resident, keys


@pytest.fixture
def server(district, database_url):
    with LiveServer(database_url) as live:
        yield live


def test_a_hotline_forwards_a_request_and_follows_it(server, district, client):
    tree, grid, resident, keys = district
    endpoint = f"{server.url}/open311/v2"
    hotline = GeoReportClient(endpoint, keys["plain"])
    codes = [s["service_code"] for s in hotline.services()]
    assert "repairs" in codes and all(s["service_name"] for s in hotline.services())

    answer = hotline.post_request("repairs", "楼道灯坏了，老人晚上下楼看不清",
                                  address_string="建设路51号院2号楼", phone="13800000001",
                                  last_name="王", **{"attribute[external_id]": "12345-0001"})
    assert answer.status_code == 200, answer.text
    [created] = answer.json()
    request_id = created["service_request_id"]
    assert created["account_id"] == "12345-0001"

    [seen] = hotline.get_request(request_id).json()
    assert seen["status"] == "open" and seen["service_code"] == "repairs"
    assert seen["requested_datetime"].endswith("Z")
    # A key not allowed personal data sees no description, no address, no phone.
    assert seen["description"] is None and seen["address"] is None
    assert "13800000001" not in hotline.get_request(request_id).text
    trusted = GeoReportClient(endpoint, keys["trusted"])
    [full] = trusted.get_request(request_id).json()
    assert "楼道灯坏了" in full["description"] and full["address"] == "建设路51号院2号楼"
    public = GeoReportClient(endpoint)
    assert public.get_request(request_id).json()[0]["description"] is None

    # The grid's representative claims it and closes the loop from a tablet.
    from testkit.ops import ApiDevice
    from testkit.request_ops import request_op
    rep = ApiDevice(client, "rep", "correct horse")
    results = rep.push_ok([
        request_op(rep.next_seq(), grid.id, request_id, "claim"),
        request_op(rep.next_seq(), grid.id, request_id, "done"),
        request_op(rep.next_seq(), grid.id, request_id, "verdict", verdict="satisfied")])
    assert [x["status"] for x in results] == ["applied"] * 3
    [closed] = hotline.get_request(request_id).json()
    assert closed["status"] == "closed" and closed["status_notes"]
    listed = hotline.get_requests(status="closed", service_code="repairs").json()
    assert [x["service_request_id"] for x in listed] == [request_id]
    assert hotline.get_requests(status="open").json() == []
    assert hotline.get_requests(service_request_id=request_id).json()[0]["status"] == "closed"


def test_refusals_follow_georeport(server, district):
    tree, grid, resident, keys = district
    endpoint = f"{server.url}/open311/v2"
    anonymous = GeoReportClient(endpoint)
    refused = anonymous.post_request("repairs", "无钥匙")
    assert refused.status_code == 403 and refused.json()[0]["code"] == 403
    wrong = GeoReportClient(endpoint, "not-a-key").post_request("repairs", "钥匙错误")
    assert wrong.status_code == 403
    hotline = GeoReportClient(endpoint, keys["plain"])
    for code, description, fields in (("flying", "x", {}), ("repairs", "", {}),
                                      ("repairs", "x", {"attribute[grid]": "nowhere"}),
                                      ("repairs", "x" * 2001, {}),
                                      ("repairs", "bad\x00text", {})):
        answer = hotline.post_request(code, description, **fields)
        assert answer.status_code == 400, (code, answer.text)
        assert answer.json()[0]["description"]
    assert hotline.get_request(str(uuid.uuid4())).status_code == 404
    assert hotline.get_requests(status="sideways").status_code == 400
    assert hotline.get_requests(start_date="yesterday").status_code == 400
    assert hotline.get_requests(start_date="2026-11-01T00:00:00").status_code == 400
    assert hotline.get_requests(start_date="2026-11-01T00:00:00Z").status_code == 200
    assert hotline.get_requests().json() == []
