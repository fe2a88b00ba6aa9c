"""The roster import page (the reading and checking of the file is :mod:`server.web.roster`)."""
from __future__ import annotations

import uuid

from flask import current_app, flash, redirect, render_template, request, url_for

from shared import protocol as p

from ...audit import FROM_IMPORT, audit, audit_row, audit_rows
from ...db import db
from ...sync.edits import create_residents, lock_resident
from ...sync.moves import VIA_IMPORT, move_resident
from .. import roster
from ..access import current_person, current_scope, sign_in_required
from ..i18n import gettext as _
from ..queries.areas import grids_for_choice
from .blueprint import bp


@bp.get("/import")
@sign_in_required
def import_form():
    return render_template("web/import.html", grids=grids_for_choice(current_scope()),
                           check=None, columns=roster.COLUMNS)


@bp.post("/import")
@sign_in_required
def import_roster():
    s, scope, person = db.session, current_scope(), current_person()
    secret = current_app.config["SECRET_KEY"]
    default_grid = request.form.get("default_grid", type=int)
    mode = request.form.get("mode", "preview")
    try:
        if "file" in request.files and request.files["file"].filename:
            upload = request.files["file"]
            filename, content = upload.filename, upload.read()
        elif request.form.get("upload"):
            filename, content = roster.unpack_upload(secret, request.form["upload"])
        else:
            raise ValueError(_("Choose a CSV or .xlsx file."))
    except ValueError as error:
        flash(str(error), "error")
        return render_template("web/import.html", grids=grids_for_choice(scope),
                               check=None, columns=roster.COLUMNS), 400
    check = roster.check_roster(s, scope, filename, content, default_grid)
    status = 200 if check.all_valid else 422
    if mode in ("all", "valid_only"):
        chosen = check.rows if mode == "all" else check.valid_rows
        if mode == "all" and not check.all_valid or check.file_errors or not chosen:
            flash(_("Nothing was imported: fix the rows below, or import only the valid rows."),
                  "error")
        else:
            added = [row for row in chosen if not row.is_move]
            if added:
                ids = [str(uuid.uuid4()) for _row in added]
                create_residents(s, person, [(row.grid_id, row.fields) for row in added], ids)
                # One row per resident added, so each resident's history starts with its import.
                audit_rows(s, [audit_row(
                    "add_resident", person_id=person.id, entity=p.RESIDENT,
                    entity_id=resident_id, grid_id=row.grid_id,
                    detail={"source": FROM_IMPORT, "fields": sorted(row.fields)})
                    for resident_id, row in zip(ids, added)])
            per_grid: dict[int, int] = {}
            for row in added:
                per_grid[row.grid_id] = per_grid.get(row.grid_id, 0) + 1
            for grid_id, count in sorted(per_grid.items()):
                audit(s, "import_roster", person_id=person.id, grid_id=grid_id,
                      detail={"rows": count, "skipped": len(check.bad_rows)})
            moved = _import_moves(scope, person, [row for row in chosen if row.is_move],
                                  filename)
            if added or not moved:
                flash(_("Imported %(count)s residents. The grids' tablets receive them at "
                        "their next sync.", count=len(added)), "ok")
            if moved:
                flash(_("Moved %(count)s residents to the grid their row names, with their "
                        "whole history.", count=moved), "ok")
            return redirect(url_for("web.import_form"))
    return render_template("web/import.html", grids=grids_for_choice(scope), check=check,
                           upload=roster.pack_upload(secret, filename, content),
                           default_grid=default_grid, columns=roster.COLUMNS), status


def _import_moves(scope, person, rows, filename: str) -> int:
    """Move the residents that roster rows place in another grid (locked in id order, and
    checked again under the lock: someone may have moved them since the preview)."""
    s, count = db.session, 0
    filename = "".join(char for char in filename if char.isprintable())[:100]  # into a reason
    for row in sorted(rows, key=lambda r: r.resident_id):
        resident = lock_resident(s, row.resident_id)
        if resident.grid_id == row.grid_id or not scope.allows_grid(resident.grid_id):
            continue
        from_grid = resident.grid_id
        move = move_resident(s, person, resident, row.grid_id, via=VIA_IMPORT,
                             reason=_("Roster import: %(file)s, line %(line)s",
                                      file=filename, line=row.line))
        audit(s, "move_resident", person_id=person.id, entity=p.RESIDENT, entity_id=resident.id,
              grid_id=from_grid, detail={"from_grid": from_grid, "to_grid": row.grid_id,
                                         "move": move.id, "via": VIA_IMPORT})
        count += 1
    return count
