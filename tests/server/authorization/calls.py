"""One request per cell: what each actor sends for a route and side, and how the change it asks
for is read back."""
from __future__ import annotations

import io
import re
import uuid
from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy import select
from werkzeug.security import check_password_hash

from server.models import (Alert, Assignment, AuditEntry, Conflict, Device, DistrictSetting,
                           Pairing, Person, PointsAdjustment, PointsRuleVersion, ProvisioningCode,
                           Resident)
from server.threelists.models import RequestEvent, ServiceRequest
from server.web.timeutil import local_today
from shared import protocol as p
from shared.clock import isoformat, utcnow
from testkit.ops import visit_op

from tests.server.authorization.actors import Actor
from tests.server.authorization.expected import USERNAMES
from tests.server.authorization.world import Side, World

@dataclass
class Call:
    method: str
    path: str
    data: dict | None = None
    json: dict | None = None
    marker: str | None = None  # what "shown" looks for
    api: bool = False
    files: bool = False
    effect: object = None  # db_session -> bool: did the change happen?
    pulled: str | None = None  # pull: the resident id whose presence is "shown"
    bearer: bool = True
    missing: str | None = None  # the same request for something that does not exist


def resident_form(resident, **changes) -> dict:
    values = {name: getattr(resident, name) for name in p.RESIDENT_FIELDS}
    values = {k: ("" if v is None else v) for k, v in values.items()}
    values.update(version=resident.version, **changes)
    return values


def call_for(endpoint: str, method: str, side: str, actor: Actor, world: World) -> Call:
    home = actor.home
    area_key = home if side in ("in", "any") else ("kunwu" if home == "pushang" else "pushang")
    t: Side = getattr(world, area_key)
    s = world.scenario
    yesterday = local_today() - timedelta(days=1)
    tag = f"{actor.name}-{side}"
    if endpoint == "auth.login":
        username = USERNAMES.get(actor.name, "vol_a")
        password = "wrong password" if actor.name == "signed_out" else s.password
        device = world.revoked_device_id if actor.name == "revoked_device" else str(uuid.uuid4())
        return Call("POST", "/api/v1/auth/login", api=True, bearer=False, json={
            "protocol": 2, "username": username, "password": password, "device_id": device,
            "device_name": "矩阵平板"})
    if endpoint == "auth.provision":
        code = world.codes[USERNAMES.get(actor.name, "vol_a")]
        device = world.revoked_device_id if actor.name == "revoked_device" else str(uuid.uuid4())
        return Call("POST", "/api/v1/auth/provision", api=True, bearer=False, json={
            "protocol": p.PROTOCOL_VERSION, "device_id": device, "device_name": "矩阵平板",
            "code": "WRONG-CODE" if actor.name == "signed_out" else code},
            effect=lambda db: db.scalar(select(ProvisioningCode.used_at).where(
                ProvisioningCode.device_id == device)) is not None)
    if endpoint == "auth.renew":
        return Call("POST", "/api/v1/auth/renew", api=True, json={"protocol": p.PROTOCOL_VERSION})
    if endpoint == "sync.state":
        return Call("POST", "/api/v1/sync/state", api=True, json={
            "protocol": p.PROTOCOL_VERSION, "epoch": None, "seen_position": 0, "acked_seq": 0})
    if endpoint == "sync.pull":
        return Call("POST", "/api/v1/sync/pull", api=True, json={"protocol": 2, "cursor": None},
                    pulled=t.resident.id)
    if endpoint == "sync.push":
        actor.seq += 1
        return Call("POST", "/api/v1/sync/push", api=True, json={
            "protocol": 2, "device_time": isoformat(utcnow()),
            "ops": [visit_op(actor.seq, t.resident.grid_id, t.resident.id, note=tag)]},
            effect=lambda db: db.scalar(select(AuditEntry.id).where(
                AuditEntry.action == "add_visit",
                AuditEntry.entity_id == t.resident.id)) is not None)
    simple = {"health.healthz": "/healthz", "api-docs.openapi_json": "/api/openapi.json",
              "api-docs.openapi_swagger_ui": "/api/docs",
              "swagger_ui_asset": "/api/swagger-ui/swagger-ui.css",
              "static": "/static/anything.css", "web.static": "/web-static/web.css",
              "web.import_template": "/import/template"}
    if endpoint in simple:
        return Call("GET", simple[endpoint])
    if endpoint.startswith("open311."):
        path = {"open311.services": "/open311/v2/services.json",
                "open311.list_requests": "/open311/v2/requests.json",
                "open311.one_request": f"/open311/v2/requests/{t.request.id}.json",
                "open311.post_request": "/open311/v2/requests.json"}[endpoint]
        if method == "GET":
            return Call("GET", path, api=True, bearer=False)
        return Call("POST", path, data={"service_code": "repairs", "description": tag},
                    effect=lambda db: db.scalar(select(ServiceRequest.id).where(
                        ServiceRequest.description == tag)) is not None)
    if endpoint == "web.sign_in" and method == "GET":
        return Call("GET", "/login")
    if endpoint == "web.sign_in":
        username = USERNAMES.get(actor.name, "kunwu_sup")
        password = "wrong password" if actor.name == "signed_out" else s.password
        return Call("POST", "/login", data={"username": username, "password": password})
    if endpoint == "web.sign_out":
        return Call("POST", "/logout")
    r = t.resident
    issue12 = _issue12_call(endpoint, method, side, t, world, tag)
    if issue12 is not None:
        return issue12
    pages = {
        "web.dashboard": ("/", r.name),
        "web.area": (f"/areas/{t.community.id}", t.community.name),
        "web.residents": ("/residents?show=all" if side == "in"
                          else f"/residents?area={t.community.id}&show=all", r.name),
        "web.grid": (f"/grids/{t.grid.id}", r.name),
        "web.visits": (f"/visits?day={yesterday.isoformat()}", t.day_resident),
        "web.health": ("/health", r.name),
        "web.resident": (f"/residents/{r.id}", r.name),
        "web.move_resident_form": (f"/residents/{r.id}/move", r.name),
        "web.conflicts": ("/conflicts", r.name),
        "web.people": ("/people", t.person.display_name),
        "web.person": (f"/people/{t.person.id}", t.person.display_name),
        "web.tablets": ("/tablets", t.device.name),
        "web.import_form": ("/import", t.grid.name),
        "web.export_form": ("/export", t.community.name),
        "web.export_download": (f"/export/download?kind=residents&format=csv"
                                f"&area={t.community.id}", r.name),
        "web.audit_log": (f"/audit?resident={r.id}", r.name),
        "web.alert_list": ("/alerts", r.name),
        "web.points_table": (f"/points?area={t.community.id}", t.community.name),
        "web.points_person": (f"/points/people/{t.person.id}", t.person.display_name),
        "web.requests_board": ("/requests" if side == "in" else
                               f"/requests?area={t.community.id}", t.request.description),
        "web.request_page": (f"/requests/{t.request.id}", t.request.description),
        "web.request_rates": ("/requests/rates", None),
        "web.inbox": ("/inbox", None),
        "web.inbox_request": (f"/inbox/{t.request.id}", None),
    }
    if endpoint in pages:
        path, marker = pages[endpoint]
        missing_id, unknown = ((r.id, str(uuid.uuid4())) if endpoint in (
            "web.resident", "web.audit_log", "web.move_resident_form") else
            (t.request.id, str(uuid.uuid4())) if endpoint in ("web.request_page",
                                                               "web.inbox_request")
            else (t.person.id, "987654")
            if endpoint in ("web.person", "web.points_person") else (t.grid.id, "987654") if endpoint == "web.grid"
            else (t.community.id, "987654"))
        return Call("GET", path, marker=marker,
                    missing=re.sub(rf"(?<=[/=]){missing_id}\b", unknown, path))
    if endpoint == "web.edit_resident_view":
        world.db.rollback()
        r = world.db.get(Resident, r.id)  # its version now, after the pushes
        return Call("POST", f"/residents/{r.id}", data=resident_form(r, care_notes=tag),
                    effect=lambda db: db.get(Resident, r.id).care_notes == tag)
    if endpoint == "web.settle":
        return Call("POST", f"/conflicts/{t.conflict.id}/settle", data={"choice": "lost"},
                    effect=lambda db: db.get(Conflict, t.conflict.id).status == "settled")
    if endpoint == "web.pair_resident":
        visitor = t.person  # a volunteer of the side's grid, managed by both supervisors
        return Call("POST", f"/residents/{r.id}/pairings", data={"person_id": visitor.id},
                    effect=lambda db: db.scalar(select(Pairing.id).where(
                        Pairing.resident_id == r.id, Pairing.person_id == visitor.id)) is not None)
    if endpoint == "web.end_pairing":
        pairing = t.pairing
        return Call("POST", f"/pairings/{pairing.id}/end",
                    effect=lambda db: db.get(Pairing, pairing.id).ends_on is not None)
    if endpoint == "web.close_alert":
        return Call("POST", f"/alerts/{t.alert.id}", data={"resolution": "seen"},
                    effect=lambda db: db.get(Alert, t.alert.id).closed_at is not None)
    if endpoint == "web.add_person":
        username = f"new-{tag}"
        return Call("POST", "/people", data={
            "username": username, "display_name": "新志愿者", "password": "long enough",
            "role": p.VOLUNTEER, "area_id": t.grid.id},
            effect=lambda db: db.scalar(select(Person.id).where(
                Person.username == username)) is not None)
    if endpoint == "web.import_roster":
        name = "矩阵甲" if side == "in" else "矩阵乙"
        content = f"网格,姓名,性别,出生年份,地址\n{t.grid.code},{name},女,1940,昆吾路1号\n".encode()
        return Call("POST", "/import", files=True, data={
            "file": (io.BytesIO(content), "名册.csv"), "mode": "all"},
            effect=lambda db: db.scalar(select(Resident.id).where(
                Resident.name == name)) is not None)
    if endpoint == "web.add_assignment":
        return Call("POST", f"/people/{t.person.id}/assignments", data={
            "area_id": world.kunwu.other_grid.id, "role": p.GRID_WORKER},
            effect=lambda db: db.scalar(select(Assignment.id).where(
                Assignment.person_id == t.person.id,
                Assignment.role == p.GRID_WORKER)) is not None)
    if endpoint == "web.reset_person_password":
        password = f"矩阵新密码-{tag}"
        return Call("POST", f"/people/{t.person.id}/password", data={"password": password},
                    effect=lambda db: check_password_hash(db.get(Person, t.person.id)
                                                          .password_hash, password))
    if endpoint == "web.sign_in_sheet":
        return Call("POST", f"/people/{t.person.id}/sign-in-sheet",
                    marker=t.person.display_name)
    confirm = {"web.end_assignment": f"/assignments/{t.assignment.id}/end",
               "web.revoke_tablet": f"/tablets/{t.device.id}/revoke",
               "web.deactivate_person": f"/people/{t.person.id}/deactivate"}
    if endpoint in confirm and method == "GET":  # the confirmation page
        return Call("GET", confirm[endpoint])
    reports = {"web.points_export": f"/points/export?kind=ledger&format=csv&area={t.community.id}",
               "web.duty_report": f"/points/people/{t.person.id}/report.pdf",
               "web.area_duty_report": f"/points/areas/{t.community.id}/report.pdf",
               "web.duty_reports_zip": "/points/reports.zip", "web.points_rules": "/points/rules"}
    if endpoint in reports:
        return Call("GET", reports[endpoint])
    if endpoint == "web.adjust_points":
        return Call("POST", f"/points/people/{t.person.id}/adjust",
                    data={"points": "2", "reason": tag},
                    effect=lambda db: db.scalar(select(PointsAdjustment.id).where(
                        PointsAdjustment.reason == tag)) is not None)
    if endpoint == "web.add_points_rules":
        return Call("POST", "/points/rules", data={
            "effective": local_today().isoformat(), "amount_visit_met": "3",
            "weekly_cap": "10", "gap_minutes": "30", "follow_up_hours": "48",
            "vulnerable_age": "80", "once_a_day": "on"},
            effect=lambda db: db.get(PointsRuleVersion, 2) is not None)
    if endpoint == "web.points_settings":
        return Call("POST", "/points/settings", data={"show_ranking": "on"},
                    effect=lambda db: db.get(DistrictSetting, "points.show_ranking") is not None)
    reason = {"reason": "矩阵测试：人员调整"}
    if endpoint == "web.end_assignment":
        return Call("POST", f"/assignments/{t.assignment.id}/end", data=reason,
                    effect=lambda db: db.get(Assignment, t.assignment.id).ends_on is not None)
    if endpoint == "web.revoke_tablet":
        return Call("POST", f"/tablets/{t.device.id}/revoke", data=reason,
                    effect=lambda db: db.get(Device, t.device.id).revoked_at is not None)
    if endpoint == "web.move_resident_view":
        to_grid = world.kunwu.other_grid.id
        world.db.rollback()
        from_grid = world.db.get(Resident, r.id).grid_id
        return Call("POST", f"/residents/{r.id}/move", data={
            "to_grid": to_grid, "from_grid": from_grid, "reason": "按社区名册核对"},
            effect=lambda db: db.get(Resident, r.id).grid_id == to_grid)
    if endpoint == "web.raise_request_view":
        return Call("POST", "/requests", data={
            "grid_id": t.grid.id, "category": "errands", "description": tag},
            effect=lambda db: db.scalar(select(ServiceRequest.id).where(
                ServiceRequest.description == tag)) is not None)
    if endpoint in ("web.request_move", "web.inbox_move"):
        path = f"/requests/{t.request.id}/move" if endpoint == "web.request_move" \
            else f"/inbox/{t.request.id}/move"
        text = f"{tag}-{endpoint}"
        return Call("POST", path, data={"action": "note", "text": text},
                    effect=lambda db: any(
                        (event.data or {}).get("text") == text for event in db.scalars(
                            select(RequestEvent).where(RequestEvent.request_id == t.request.id))))
    if endpoint == "web.deactivate_person":
        return Call("POST", f"/people/{t.person.id}/deactivate", data=reason,
                    effect=lambda db: not db.get(Person, t.person.id).active)
    raise AssertionError(f"no request for {endpoint} {method}")


def _campaign_in(world: World, t: Side):
    from server.campaigns import start_campaign
    world.db.rollback()
    campaign = start_campaign(world.db, area_id=t.community.id,
                              grid_ids={t.grid.id, t.other_grid.id}, kind="heatwave", note=None,
                              categories=[], allowed_categories=p.LIVING_SITUATIONS,
                              person_id=None, now=utcnow())
    world.db.commit()
    return campaign


def _issue12_call(endpoint: str, method: str, side: str, t: Side, world: World,
                  tag: str) -> Call | None:
    """The pages of issue 12 (helper g): call lists, the monthly report, campaigns."""
    from server.models import Campaign
    area = t.community.id
    if endpoint == "web.call_list":
        return Call("GET", f"/calls?area={area}", marker=t.community.name,
                    missing="/calls?area=987654")
    if endpoint == "web.call_sheet_download":
        return Call("GET", f"/calls/download?list=overdue&format=csv&area={area}",
                    marker="联系电话", missing="/calls/download?list=overdue&format=csv"
                                          "&area=987654")
    if endpoint == "web.monthly_report":
        return Call("GET", f"/reports/monthly?area={area}", marker=t.community.name,
                    missing="/reports/monthly?area=987654")
    if endpoint == "web.monthly_report_download":
        return Call("GET", f"/reports/monthly/download?area={area}",
                    missing="/reports/monthly/download?area=987654")
    if endpoint == "web.campaigns":
        _campaign_in(world, t)
        return Call("GET", "/campaigns", marker=t.community.name)
    if endpoint == "web.campaign":
        campaign = _campaign_in(world, t)
        return Call("GET", f"/campaigns/{campaign.id}", marker=t.community.name,
                    missing=f"/campaigns/{uuid.uuid4()}")
    if endpoint == "web.start_campaign_view":
        note = f"矩阵{tag}"
        return Call("POST", "/campaigns", data={"area": area, "kind": "storm", "note": note},
                    effect=lambda db: db.scalar(select(Campaign.id).where(
                        Campaign.note == note)) is not None)
    if endpoint == "web.end_campaign_view":
        campaign = _campaign_in(world, t)
        return Call("POST", f"/campaigns/{campaign.id}/end",
                    effect=lambda db: db.get(Campaign, campaign.id).ended_at is not None)
    return None

