"""The roster import page: upload, preview (column mapping, problems, duplicates), import.

The reading and checking of the file is :mod:`server.roster`.

The uploaded file travels with the page, signed (:func:`.roster.pack_upload`), so the
supervisor chooses it once: correcting a column or a word re-checks the same file, and the
import takes the file that was previewed.
"""
from __future__ import annotations

import io
import re
from urllib.parse import quote

from flask import (
    Response,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    url_for,
)

from shared import protocol as p

from ...db import db
from ...roster.apply import import_rows
from ...roster.columns import PLAIN_FIELDS
from ...roster.idnumber import masked
from ...roster.plan import Choices, check_roster, field_name
from ...roster.text import compact
from ...roster.words import KEEP_AS_NOTE
from .. import roster
from ..access import current_person, current_scope, sign_in_required
from ..i18n import current_locale
from ..i18n import gettext as _
from ..labels import field_value_text
from ..queries.areas import grids_for_choice
from .blueprint import bp

#: The template's columns, in the order a community's roster usually has them.
TEMPLATE_COLUMNS = (("seq", "序号", "no"), ("name", "姓名", "name"), ("sex", "性别", "sex"),
                    ("birth", "出生日期", "birth_date"), ("id_number", "身份证号", "id_number"),
                    ("address", "住址", "address"), ("phone", "联系电话", "phone"),
                    ("emergency_contact", "紧急联系人", "emergency_contact"),
                    ("emergency_phone", "紧急联系电话", "emergency_phone"),
                    ("living_situation", "居住情况", "living_situation"),
                    ("grid", "所属网格", "grid"), ("care_notes", "备注", "care_notes"))
#: Fields the supervisor can give a column in the preview.
MAPPABLE = ("name", "sex", "birth", "id_number", "address", "phone", "emergency_contact",
            "emergency_phone", "emergency_both", "living_situation", "grid", "care_level",
            "visit_cadence_days", "safety_devices", "care_notes", "resident_id", "seq", "age",
            *(field.name for field in PLAIN_FIELDS))


def _id_hash_key() -> str:
    config = current_app.config
    return config.get("ID_HASH_KEY") or config["SECRET_KEY"]


def _choices(form) -> Choices:
    choices = Choices(default_grid=form.get("default_grid", type=int))
    for key, value in form.items():
        if key.startswith("col_") and key[4:].isdigit() and (value in MAPPABLE or value == ""):
            choices.columns[int(key[4:])] = value
        if key.startswith("living_word_") and key[12:].isdigit():
            code = form.get(f"living_code_{key[12:]}", "")
            if code in p.CARE_CATEGORIES or code == KEEP_AS_NOTE:
                choices.living[value] = code
    return choices


def _page(status: int = 200, **context):
    scope = current_scope()
    context.setdefault("check", None)
    return render_template("web/import.html", grids=grids_for_choice(scope),
                           template_columns=TEMPLATE_COLUMNS, mappable=MAPPABLE,
                           field_name=field_name, living_codes=p.CARE_CATEGORIES,
                           keep_as_note=KEEP_AS_NOTE, column_rows=column_rows,
                           living_rows=living_rows, living_known=_("、").join(
                               field_value_text("care_categories", [code])
                               for code in p.CARE_CATEGORIES),
                           **context), status


@bp.get("/import")
@sign_in_required
def import_form():
    return _page()


@bp.post("/import")
@sign_in_required
def import_roster():
    session, scope, person = db.session, current_scope(), current_person()
    secret = current_app.config["SECRET_KEY"]
    mode = request.form.get("mode", "preview")
    choices = _choices(request.form)
    try:
        if "file" in request.files and request.files["file"].filename:
            upload = request.files["file"]
            filename, content = upload.filename, upload.read()
            choices.columns, choices.living = {}, {}  # a new file: its own columns and words
        elif request.form.get("upload"):
            filename, content = roster.unpack_upload(secret, request.form["upload"])
        else:
            raise ValueError(_("Choose a CSV or Excel file (.xlsx or .xls)."))
    except ValueError as error:
        flash(str(error), "error")
        return _page(400)
    check = check_roster(session, scope, filename, content, _id_hash_key(), choices)
    status = 200 if check.all_valid else 422
    if mode in ("all", "valid_only"):
        chosen = check.rows if mode == "all" else check.valid_rows
        if mode == "all" and not check.all_valid or check.file_errors or not chosen:
            flash(_("Nothing was imported: fix the rows below, or import only the valid rows."),
                  "error")
        else:
            outcome = import_rows(session, scope, person, chosen, filename,
                                  update_existing=request.form.get("existing") == "update",
                                  skipped=len(check.bad_rows))
            _report(outcome)
            return redirect(url_for("web.import_form"))
    return _page(status, check=check, upload=roster.pack_upload(secret, filename, content),
                 choices=choices, default_grid=choices.default_grid)


def _report(outcome) -> None:
    if outcome.added or not (outcome.moved or outcome.updated):
        flash(_("Imported %(count)s residents. The grids' tablets receive them at their next "
                "sync.", count=outcome.added), "ok")
    if outcome.updated:
        flash(_("Updated %(count)s residents already on the roster with the file's values.",
                count=outcome.updated), "ok")
    if outcome.unchanged:
        flash(_("%(count)s residents were already on the roster and were left as they are.",
                count=outcome.unchanged), "info")
    if outcome.moved:
        flash(_("Moved %(count)s residents to the grid their row names, with their whole "
                "history.", count=outcome.moved), "ok")


@bp.get("/import/template")
@sign_in_required
def import_template():
    """An empty roster with the columns Knockdoor reads, the ID column formatted as text so
    Excel keeps all 18 characters, and a sheet explaining each column."""
    from openpyxl import Workbook

    english = current_locale() == "en"
    book = Workbook()
    sheet = book.active
    sheet.title = "roster" if english else "名册"
    headers = [en if english else zh for _field, zh, en in TEMPLATE_COLUMNS]
    sheet.append(headers)
    for index, (name, _zh, _en) in enumerate(TEMPLATE_COLUMNS, start=1):
        letter = sheet.cell(row=1, column=index).column_letter
        sheet.column_dimensions[letter].width = 22 if name in ("id_number", "address") else 12
        if name in ("id_number", "phone", "emergency_phone", "birth"):
            for row in range(2, 502):  # text, so Excel neither rounds nor re-dates them
                sheet.cell(row=row, column=index).number_format = "@"
    notes = book.create_sheet("notes" if english else "填写说明")
    for line in _template_notes():
        notes.append([line])
    notes.column_dimensions["A"].width = 100
    buffer = io.BytesIO()
    book.save(buffer)
    name = "knockdoor-roster-template.xlsx" if english else "居民名册模板.xlsx"
    return Response(buffer.getvalue(), mimetype="application/vnd.openxmlformats-officedocument"
                    ".spreadsheetml.sheet", headers={
                        "Content-Disposition": "attachment; filename=knockdoor-roster-template"
                        f".xlsx; filename*=UTF-8''{quote(name)}"})


def _template_notes() -> list[str]:
    return [_("One row per resident. Required: name, sex, birth date, address (sex and birth "
              "date may come from the ID number)."),
            _("Birth date: 1946-05-20, 1946.5.20, 1946年5月20日 or 194605 are all read."),
            _("ID number: 18 characters, the last may be X. Type it as text: a number loses "
              "its last digits. Knockdoor keeps only a coded fingerprint of it for finding "
              "duplicates, never the number."),
            _("Phone: a mobile (11 digits) or a landline with its area code (0371-12345678)."),
            _("Living situation: 独居, 空巢, 高龄, 失能, several separated by 、. Other words are "
              "listed in the preview for you to map."),
            _("Grid: the grid's name or code (第1网格, 1网格, or the code); without it, choose a "
              "grid for the whole file when you upload."),
            _("A title row above the header, a 序号 column and a total row at the end are fine.")]


def column_rows(check) -> list[dict]:
    """The mapping preview's rows: each column of the sheet, its field and a few values."""
    header = check.header
    return [{"index": index, "label": label, "field": header.fields[index],
             "samples": [_masked(header.fields[index], value)
                         for value in check.samples.get(index, [])[:3]]}
            for index, label in enumerate(header.labels)
            if label or header.fields[index] or check.samples.get(index)]



#: Columns whose values the mapping preview shows only in part (no list shows phone numbers,
#: no page an ID number).
_MASKED = {"id_number", "phone", "emergency_phone", "emergency_both"}
_DIGIT_RUN = re.compile(r"\d{7,}")


def _masked(name: str | None, value: str) -> str:
    if name == "id_number":
        return masked(compact(value).upper())
    if name in _MASKED:
        return _DIGIT_RUN.sub(lambda m: m[0][:3] + "*" * (len(m[0]) - 7) + m[0][-4:],
                              compact(value))
    return value


def living_rows(check, choices) -> list[tuple[str, int, str]]:
    """The living-situation words to map: (word, rows using it, the supervisor's choice), the
    unknown ones and those already chosen (kept in the form so a re-check keeps them)."""
    rows = [(word, count, "") for word, count in check.unknown_living.items()]
    if choices:
        rows += [(word, 0, code) for word, code in choices.living.items()]
    return rows
