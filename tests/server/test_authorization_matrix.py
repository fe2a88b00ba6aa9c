"""The authorization matrix: every role × every route of the app × inside and outside its area.

Routes come from ``app.url_map``: a route added without a row here fails
:func:`test_every_route_has_a_row`. Each row gives, per side (``in``: a target inside the actor's
area, ``out``: one outside it; ``any``: routes that name no area), the outcome expected for each
actor, in the order of ``ACTORS``. Every cell is asserted, and for every answer:

* a change happened if and only if the outcome is ``done`` (the state is read back);
* a page hidden as out of scope (404) is byte for byte the answer for a missing id;
* nothing of another area leaks: no name, phone or record of an area the actor may not see
  appears in any answer, error message or redirect.

Outcomes: ``shown`` (200, the target's marker is in the answer), ``absent`` (200, it is not),
``page`` (200, nothing area-specific), ``done`` (the change was made: 2xx/3xx, an op applied),
``login`` (302 to the sign-in page), ``hidden`` (404, exactly like something missing),
``forbidden`` (403), ``refused`` (422, the request names an area not theirs), ``rejected``
(push: the op is refused, the batch is not), ``unauth`` (401), ``wipe`` (401, the tablet is
told to wipe itself).
"""
from __future__ import annotations

import io
import re
import secrets
import uuid
from dataclasses import dataclass, field
from datetime import timedelta

import pytest
from flask.json.tag import TaggedJSONSerializer
from sqlalchemy import select
from werkzeug.security import check_password_hash

from testkit.web_helpers import CSRF_META, api_login
from testkit.web_scenario import build_scenario

from server.models import (Alert, Assignment, AuditEntry, Conflict, Device, DistrictSetting,
                           Pairing, Person, PointsAdjustment, PointsRuleVersion, ProvisioningCode,
                           Resident, WebSession)
from server.provisioning import create_code
from server.web.sessions import _hash
from server.web.timeutil import local_today
from shared import protocol as p
from shared.clock import isoformat, utcnow
from testkit.factories import assign, make_person
from testkit.ops import visit_op

ACTORS = ("volunteer", "grid_worker", "representative", "community_supervisor",
          "street_supervisor", "admin", "signed_out", "revoked_device")
USERNAMES = {"volunteer": "vol_a", "grid_worker": "vol_b", "representative": "vol_c",
             "community_supervisor": "kunwu_sup", "street_supervisor": "street_sup",
             "admin": "admin", "revoked_device": "revoked_vol"}
FIELD = ("volunteer", "grid_worker", "representative")

# Shorthands for rows: the eight actors' outcomes.
LOGIN8 = ("login",) * 8


def web(csup: str, ssup: str, admin: str) -> tuple:
    """A web route: field roles, the signed-out and a revoked tablet are sent to sign in."""
    return ("login",) * 3 + (csup, ssup, admin) + ("login", "login")


PAGE8 = ("page",) * 8

#: (endpoint, method) -> {side: outcomes per actor}
EXPECTED: dict[tuple[str, str], dict[str, tuple]] = {
    # ---- the JSON API
    ("auth.login", "POST"): {"any": ("done",) * 6 + ("unauth", "wipe")},
    ("sync.pull", "POST"): {"in": ("shown",) * 6 + ("unauth", "wipe"),
                            "out": ("absent",) * 5 + ("shown", "unauth", "wipe")},
    ("sync.push", "POST"): {"in": ("done",) * 6 + ("unauth", "wipe"),
                            "out": ("rejected",) * 5 + ("done", "unauth", "wipe")},
    ("auth.renew", "POST"): {"any": ("page",) * 6 + ("unauth", "wipe")},
    # a sign-in sheet's code: anyone holding it signs in (signed_out holds a wrong one)
    ("auth.provision", "POST"): {"any": ("done",) * 6 + ("unauth", "wipe")},
    ("sync.state", "POST"): {"any": ("page",) * 6 + ("unauth", "wipe")},
    ("health.healthz", "GET"): {"any": PAGE8},
    ("api-docs.openapi_json", "GET"): {"any": PAGE8},
    ("api-docs.openapi_swagger_ui", "GET"): {"any": PAGE8},
    ("swagger_ui_asset", "GET"): {"any": PAGE8},
    ("static", "GET"): {"any": ("hidden",) * 8},  # the app serves no files there
    ("web.static", "GET"): {"any": PAGE8},
    # ---- web pages
    ("web.sign_in", "GET"): {"any": ("page",) * 3 + ("done",) * 3 + ("page", "page")},
    ("web.sign_in", "POST"): {"any": ("forbidden",) * 3 + ("done",) * 3
                              + ("unauth", "forbidden")},
    ("web.dashboard", "GET"): {"in": web("shown", "shown", "shown"),
                               "out": web("absent", "absent", "shown")},
    ("web.area", "GET"): {"in": web("shown", "shown", "shown"),
                          "out": web("hidden", "hidden", "shown")},
    ("web.residents", "GET"): {"in": web("shown", "shown", "shown"),
                               "out": web("hidden", "hidden", "shown")},
    ("web.grid", "GET"): {"in": web("shown", "shown", "shown"),
                          "out": web("hidden", "hidden", "shown")},
    ("web.visits", "GET"): {"in": web("shown", "shown", "shown"),
                            "out": web("absent", "absent", "shown")},
    ("web.health", "GET"): {"in": web("shown", "shown", "shown"),
                            "out": web("absent", "absent", "shown")},
    ("web.resident", "GET"): {"in": web("shown", "shown", "shown"),
                              "out": web("hidden", "hidden", "shown")},
    ("web.move_resident_form", "GET"): {"in": web("shown", "shown", "shown"),
                                        "out": web("hidden", "hidden", "shown")},
    ("web.conflicts", "GET"): {"in": web("shown", "shown", "shown"),
                               "out": web("absent", "absent", "shown")},
    ("web.people", "GET"): {"in": web("shown", "shown", "shown"),
                            "out": web("absent", "absent", "shown")},
    ("web.person", "GET"): {"in": web("shown", "shown", "shown"),
                            "out": web("hidden", "hidden", "shown")},
    ("web.tablets", "GET"): {"in": web("shown", "shown", "shown"),
                             "out": web("absent", "absent", "shown")},
    ("web.import_form", "GET"): {"in": web("shown", "shown", "shown"),
                                 "out": web("absent", "absent", "shown")},
    # the roster template: the same empty workbook for everyone who may import
    ("web.import_template", "GET"): {"any": web("page", "page", "page")},
    ("web.export_form", "GET"): {"in": web("shown", "shown", "shown"),
                                 "out": web("absent", "absent", "shown")},
    ("web.export_download", "GET"): {"in": web("shown", "shown", "shown"),
                                     "out": web("hidden", "hidden", "shown")},
    ("web.audit_log", "GET"): {"in": web("shown", "shown", "shown"),
                               "out": web("hidden", "hidden", "shown")},
    # issue 12 (g): call lists, the monthly report, campaigns
    ("web.call_list", "GET"): {"in": web("shown", "shown", "shown"),
                               "out": web("hidden", "hidden", "shown")},
    ("web.call_sheet_download", "GET"): {"in": web("shown", "shown", "shown"),
                                         "out": web("hidden", "hidden", "shown")},
    ("web.monthly_report", "GET"): {"in": web("shown", "shown", "shown"),
                                    "out": web("hidden", "hidden", "shown")},
    ("web.monthly_report_download", "GET"): {"in": web("page", "page", "page"),
                                             "out": web("hidden", "hidden", "page")},
    ("web.campaigns", "GET"): {"in": web("shown", "shown", "shown"),
                               "out": web("absent", "absent", "shown")},
    ("web.campaign", "GET"): {"in": web("shown", "shown", "shown"),
                              "out": web("hidden", "hidden", "shown")},
    ("web.alert_list", "GET"): {"in": web("shown", "shown", "shown"),
                                "out": web("absent", "absent", "shown")},
    ("web.points_table", "GET"): {"in": web("shown", "shown", "shown"),
                                  "out": web("hidden", "hidden", "shown")},
    ("web.points_person", "GET"): {"in": web("shown", "shown", "shown"),
                                   "out": web("hidden", "hidden", "shown")},
    ("web.points_export", "GET"): {"in": web("page", "page", "page"),
                                   "out": web("hidden", "hidden", "page")},
    ("web.duty_report", "GET"): {"in": web("page", "page", "page"),
                                 "out": web("hidden", "hidden", "page")},
    ("web.area_duty_report", "GET"): {"in": web("page", "page", "page"),
                                      "out": web("hidden", "hidden", "page")},
    ("web.duty_reports_zip", "GET"): {"any": web("page", "page", "page")},
    ("web.points_rules", "GET"): {"any": web("forbidden", "forbidden", "page")},
    # ---- web changes (run after the pages, in this order)
    ("web.edit_resident_view", "POST"): {"in": web("done", "done", "done"),
                                         "out": web("hidden", "hidden", "done")},
    ("web.settle", "POST"): {"in": web("done", "done", "done"),
                             "out": web("hidden", "hidden", "done")},
    ("web.close_alert", "POST"): {"in": web("done", "done", "done"),
                                  "out": web("hidden", "hidden", "done")},
    ("web.pair_resident", "POST"): {"in": web("done", "done", "done"),
                                    "out": web("hidden", "hidden", "done")},
    ("web.end_pairing", "POST"): {"in": web("done", "done", "done"),
                                  "out": web("hidden", "hidden", "done")},
    ("web.add_person", "POST"): {"in": web("done", "done", "done"),
                                 "out": web("refused", "refused", "done")},
    ("web.import_roster", "POST"): {"in": web("done", "done", "done"),
                                    "out": web("refused", "refused", "done")},
    ("web.add_assignment", "POST"): {"in": web("done", "done", "done"),
                                     "out": web("hidden", "hidden", "done")},
    ("web.adjust_points", "POST"): {"in": web("done", "done", "done"),
                                    "out": web("hidden", "hidden", "done")},
    ("web.add_points_rules", "POST"): {"any": web("forbidden", "forbidden", "done")},
    ("web.points_settings", "POST"): {"any": web("forbidden", "forbidden", "done")},
    ("web.reset_person_password", "POST"): {"in": web("done", "done", "done"),
                                            "out": web("hidden", "hidden", "done")},
    ("web.sign_in_sheet", "POST"): {"in": web("shown", "shown", "shown"),
                                    "out": web("hidden", "hidden", "shown")},
    ("web.end_assignment", "GET"): {"in": web("page", "page", "page"),
                                    "out": web("hidden", "hidden", "page")},
    ("web.revoke_tablet", "GET"): {"in": web("page", "page", "page"),
                                   "out": web("hidden", "hidden", "page")},
    ("web.deactivate_person", "GET"): {"in": web("page", "page", "page"),
                                       "out": web("hidden", "hidden", "page")},
    ("web.end_assignment", "POST"): {"in": web("done", "done", "done"),
                                     "out": web("hidden", "hidden", "done")},
    ("web.revoke_tablet", "POST"): {"in": web("done", "done", "done"),
                                    "out": web("hidden", "hidden", "done")},
    ("web.deactivate_person", "POST"): {"in": web("done", "done", "done"),
                                        "out": web("hidden", "hidden", "done")},
    ("web.move_resident_view", "POST"): {"in": web("done", "done", "done"),
                                         "out": web("hidden", "hidden", "done")},
    ("web.start_campaign_view", "POST"): {"in": web("done", "done", "done"),
                                          "out": web("refused", "refused", "done")},
    ("web.end_campaign_view", "POST"): {"in": web("done", "done", "done"),
                                        "out": web("hidden", "hidden", "done")},
    ("web.sign_out", "POST"): {"any": LOGIN8},
}


# ---- the world the matrix runs in ----------------------------------------------------------

@dataclass
class Side:
    """One area's targets: what ``in`` or ``out`` points at."""

    community: object
    grid: object
    resident: object
    other_grid: object  # a second grid of the same community, for new assignments
    conflict: object
    person: object  # a volunteer placed here, managed by the matrix's changes
    device: object
    assignment: object
    day_resident: str  # a resident visited yesterday (the visits page)
    markers: dict[str, str] = field(default_factory=dict)
    alert: object = None  # a dangerous reading raised for ``resident``
    pairing: object = None  # ``resident``'s pairing, for web.end_pairing


@dataclass
class World:
    scenario: object
    kunwu: Side
    pushang: Side
    revoked_token: str
    revoked_device_id: str
    foreign: dict[str, tuple[str, ...]]
    db: object = None
    codes: dict[str, str] = field(default_factory=dict)  # username -> a sign-in sheet's code


def build_world(db_session, client) -> World:
    s = build_scenario(db_session)
    target_in = make_person(db_session, "target_in", p.VOLUNTEER,
                            [s.grids["kunwu1"], s.grids["kunwu2"]], display_name="孙立新")
    target_out = make_person(db_session, "target_out", p.VOLUNTEER, [s.grids["pushang1"]],
                             display_name="钱志强")
    # Once helped in 昆吾社区 (finding 2): that past assignment gives 昆吾's supervisor nothing.
    assign(db_session, target_out, s.grids["kunwu1"], ends_on=local_today() - timedelta(days=30))
    make_person(db_session, "revoked_vol", p.VOLUNTEER, [s.grids["kunwu1"]],
                display_name="马文斌")
    devices = {}
    for person in (target_in, target_out):
        devices[person.id] = Device(id=str(uuid.uuid4()), person_id=person.id,
                                    name=f"平板-{person.display_name}",
                                    token_hash=uuid.uuid4().hex)
        db_session.add(devices[person.id])
    zhao = s.residents["zhao"]
    conflict_out = Conflict(id=str(uuid.uuid4()), grid_id=zhao.grid_id, resident_id=zhao.id,
                            field="phone", kept_value="13700000009", lost_value="13700000008",
                            kept_by=dict(s.conflict.kept_by), lost_by=dict(s.conflict.lost_by),
                            detected_at=utcnow(), status="open")
    db_session.add(conflict_out)
    alerts = {}
    for resident in (s.residents["zhang"], zhao):
        alerts[resident.id] = Alert(kind="reading", resident_id=resident.id,
                                    grid_id=resident.grid_id, detail={"dangers": [
                                        {"reading": "systolic", "value": 185, "direction": "high",
                                         "limit": 180}]}, raised_at=utcnow())
        db_session.add(alerts[resident.id])
    for resident in (s.residents["zhang"], zhao):
        db_session.add(AuditEntry(action="view_resident", person_id=s.people["admin"].id,
                                  entity=p.RESIDENT, entity_id=resident.id,
                                  grid_id=resident.grid_id, detail={}))
    db_session.commit()
    revoked_device_id = str(uuid.uuid4())
    revoked_token = api_login(client, "revoked_vol", s.password, revoked_device_id)
    db_session.get(Device, revoked_device_id).revoked_at = utcnow()
    # One sign-in sheet's code per account, made before any request (auth.provision).
    codes = {username: create_code(db_session, db_session.scalar(
        select(Person).where(Person.username == username)), None, utcnow())[0]
        for username in [*USERNAMES.values(), "vol_a"]}
    db_session.commit()

    def assignment_of(person, grid):
        return db_session.scalars(select(Assignment).where(
            Assignment.person_id == person.id, Assignment.area_id == grid.id)).one()

    kunwu = Side(s.communities["kunwu"], s.grids["kunwu1"], s.residents["zhang"],
                 s.grids["kunwu2"], s.conflict, target_in, devices[target_in.id],
                 assignment_of(target_in, s.grids["kunwu1"]), "王秀英")
    pushang = Side(s.communities["pushang"], s.grids["pushang1"], zhao, s.grids["pushang2"],
                   conflict_out, target_out, devices[target_out.id],
                   assignment_of(target_out, s.grids["pushang1"]), "赵桂芳")
    # Names and numbers that must never reach someone who may not see that area.
    foreign = {"kunwu": ("张利霞", "王秀英", "昆吾", "孙立新", "13800000001"),
               "pushang": ("赵桂芳", "濮上", "钱志强", "侯胜涛", "13700000009")}
    kunwu.alert, pushang.alert = alerts[kunwu.resident.id], alerts[zhao.id]
    for side in (kunwu, pushang):
        # with another visitor than the one web.pair_resident pairs, so both effects are new
        side.pairing = Pairing(resident_id=side.resident.id, person_id=s.people["admin"].id,
                               starts_on=local_today())
        db_session.add(side.pairing)
    db_session.commit()
    return World(s, kunwu, pushang, revoked_token, revoked_device_id, foreign, db_session, codes)


# ---- clients for each actor -----------------------------------------------------------------

class Actor:
    """One actor's web client (with a CSRF token) and tablet token."""

    def __init__(self, app, world: World, name: str) -> None:
        self.name, self.world = name, world
        self.web = app.test_client()
        self.api = app.test_client()
        self.token: str | None = None
        self.headers: dict[str, str] = {}
        scenario = world.scenario
        username = USERNAMES.get(name)
        if name == "revoked_device":
            self.token = world.revoked_token
            self.headers = {"Authorization": f"Bearer {self.token}"}
        elif username is not None:
            self.token = api_login(self.api, username, scenario.password)
            self.headers = {"Authorization": f"Bearer {self.token}"}
        if name in FIELD:
            # As if a field person held a web session: the web must still refuse them.
            plant_session(app, self.web, person_id(world, username))
        elif username is not None and name != "revoked_device":
            page = self.web.get("/login")
            token = CSRF_META.search(page.get_data(as_text=True)).group(1)
            response = self.web.post("/login", data={"username": username,
                                                     "password": scenario.password,
                                                     "csrf_token": token})
            assert response.status_code == 302, name
        self.refresh_csrf()
        self.seq = 0

    def refresh_csrf(self) -> None:
        """The form token of the current session (a sign-in starts a new session)."""
        page = self.web.get("/login", headers=self.web_headers)
        if page.status_code == 302:
            page = self.web.get("/", headers=self.web_headers)
        self.csrf = CSRF_META.search(page.get_data(as_text=True)).group(1)

    @property
    def web_headers(self) -> dict:
        # A revoked tablet's token sent to the web, too: the web knows no bearer tokens.
        return self.headers if self.name == "revoked_device" else {}

    @property
    def home(self) -> str:
        """Which area is ``in`` for this actor."""
        return "pushang" if self.name == "representative" else "kunwu"


def person_id(world: World, username: str) -> int:
    return next(person.id for person in world.scenario.people.values()
                if person.username == username)


def plant_session(app, client, person: int) -> None:
    token = secrets.token_urlsafe(32)
    with app.app_context():
        from server.db import db
        db.session.add(WebSession(token_hash=_hash(token),
                                  data=TaggedJSONSerializer().dumps({"person_id": person}),
                                  person_id=person, created_at=utcnow(), last_seen_at=utcnow()))
        db.session.commit()
    client.set_cookie("session", token)


# ---- one request per cell -------------------------------------------------------------------

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
    }
    if endpoint in pages:
        path, marker = pages[endpoint]
        missing_id, unknown = ((r.id, str(uuid.uuid4())) if endpoint in (
            "web.resident", "web.audit_log", "web.move_resident_form") else (t.person.id, "987654")
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


def send(actor: Actor, call: Call):
    if call.api:
        headers = actor.headers if call.bearer else {}
        return actor.api.open(call.path, method=call.method, json=call.json, headers=headers)
    data = dict(call.data or {})
    if call.method == "POST":
        data.setdefault("csrf_token", actor.csrf)
    kwargs = {"content_type": "multipart/form-data"} if call.files else {}
    return actor.web.open(call.path, method=call.method, data=data or None,
                          headers=actor.web_headers, **kwargs)


def outcome_of(response, call: Call) -> str:
    status = response.status_code
    if status == 401:
        body = response.get_json(silent=True) or {}
        return "wipe" if (body.get("details") or {}).get("action") == "wipe" else "unauth"
    if status in (302, 303):
        location = response.headers.get("Location", "")
        return "login" if location.startswith("/login") else "done"
    if status != 200:
        return {403: "forbidden", 404: "hidden", 422: "refused"}.get(status, f"status {status}")
    if call.path == "/api/v1/sync/push":
        [result] = response.get_json()["results"]
        return "done" if result["status"] == p.APPLIED else result["status"]
    if call.path in ("/api/v1/auth/login", "/api/v1/auth/provision"):
        return "done" if response.get_json().get("token") else "page"
    if call.pulled:
        return "shown" if f'"{call.pulled}"' in response.get_data(as_text=True) else "absent"
    if call.marker:
        return "shown" if call.marker in response.get_data(as_text=True) else "absent"
    return "page"


def order() -> list[tuple[str, str]]:
    return list(EXPECTED)


# ---- the tests ------------------------------------------------------------------------------

def routes_of(app) -> set[tuple[str, str]]:
    return {(rule.endpoint, method) for rule in app.url_map.iter_rules()
            for method in rule.methods - {"HEAD", "OPTIONS"}}


def test_every_route_has_a_row(app):
    assert routes_of(app) == set(EXPECTED), \
        "a route without a row in the authorization matrix (or a row for a route that is gone)"


def test_the_table_is_complete():
    for key, sides in EXPECTED.items():
        assert set(sides) in ({"any"}, {"in", "out"}), key
        for outcomes in sides.values():
            assert len(outcomes) == len(ACTORS), key


@pytest.mark.parametrize("actor_name", ACTORS)
def test_authorization_matrix(app, client, db_session, actor_name):
    world = build_world(db_session, client)
    actor = Actor(app, world, actor_name)
    index = ACTORS.index(actor_name)
    failures, cells = [], 0
    for endpoint, method in order():
        for side, outcomes in EXPECTED[(endpoint, method)].items():
            expected = outcomes[index]
            call = call_for(endpoint, method, side, actor, world)
            response = send(actor, call)
            actual = outcome_of(response, call)
            if endpoint == "web.sign_in" and method == "POST":
                actor.refresh_csrf()
            cells += 1
            where = f"{endpoint} {method} [{side}] as {actor_name}"
            if actual != expected:
                failures.append(f"{where}: expected {expected}, got {actual} "
                                f"({response.status_code})")
                continue
            if expected == "hidden" and call.missing and call.missing != call.path:
                # Out of scope answers exactly like missing: the same status, the same words.
                twin = send(actor, Call("GET", call.missing))
                if (twin.status_code, twin.get_data()) != (404, response.get_data()):
                    failures.append(f"{where}: answers unlike something missing")
            if call.effect is not None:
                db_session.expire_all()
                db_session.rollback()
                happened = bool(call.effect(db_session))
                if happened != (expected == "done"):
                    failures.append(f"{where}: the change {'was' if happened else 'was not'} "
                                    "made")
            # Nothing of an area the actor may not see, in any answer.
            if actor_name != "admin":
                foreign_area = "kunwu" if actor.home == "pushang" else "pushang"
                if actor_name in ("signed_out", "revoked_device"):
                    forbidden_words = world.foreign["kunwu"] + world.foreign["pushang"]
                else:
                    forbidden_words = world.foreign[foreign_area]
                body = readable_text(response) + response.headers.get("Location", "")
                leaked = [w for w in forbidden_words if w in body]
                if leaked:
                    failures.append(f"{where}: leaks {leaked}")
    assert cells == sum(len(sides) for sides in EXPECTED.values())
    assert failures == [], "\n".join(failures)


def readable_text(response) -> str:
    """The answer as a person reads it: a workbook's cells, every sheet, or the body's text."""
    if response.mimetype.endswith("spreadsheetml.sheet"):
        from openpyxl import load_workbook
        book = load_workbook(io.BytesIO(response.get_data()), read_only=True)
        return "\n".join(str(cell) for sheet in book.worksheets
                         for row in sheet.iter_rows(values_only=True) for cell in row
                         if cell is not None)
    if response.mimetype == "application/pdf":
        return pdf_text(response.get_data())
    if response.mimetype == "application/zip":
        import zipfile
        archive = zipfile.ZipFile(io.BytesIO(response.get_data()))
        return "\n".join(name + "\n" + pdf_text(archive.read(name)) for name in archive.namelist())
    return response.get_data(as_text=True)


def pdf_text(body: bytes) -> str:
    from pypdf import PdfReader
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(body)).pages)


def test_matrix_size():
    """The cells asserted per actor and in all (printed for the closing note)."""
    per_actor = sum(len(sides) for sides in EXPECTED.values())
    print(f"authorization matrix: {len(EXPECTED)} routes, {per_actor} cells per actor, "
          f"{per_actor * len(ACTORS)} cells per database backend")
    assert per_actor * len(ACTORS) >= 8 * 40
