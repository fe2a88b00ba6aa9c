"""Sending a call as an actor, and reading the answer: its outcome and its text as a person
reads it."""
from __future__ import annotations

import io

from shared import protocol as p

from tests.server.authorization.actors import Actor
from tests.server.authorization.calls import Call

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

