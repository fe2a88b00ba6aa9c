"""The resident fields are declared once (shared/resident_fields.py): every place that lists
them reads that declaration, and the few places that must still name each field (the wire
schema's rule, the server's column) agree with it. docs/contributing.md lists the files a new
field touches; this test is why the list is short."""
from sqlalchemy import inspect

from shared import protocol as p
from shared import resident_fields as rf
from shared import vocabulary
from shared.schemas import ResidentDataSchema

CONTROLLED_ON_TABLET = rf.TEXT_KINDS | {rf.CHOICE, rf.CHOICES, rf.DETAILS}


def test_the_protocol_lists_are_the_declaration():
    assert p.RESIDENT_FIELDS == rf.NAMES
    assert p.FIELD_EDITABLE_RESIDENT_FIELDS == rf.TABLET_EDITS
    assert len(set(rf.NAMES)) == len(rf.NAMES)


def test_the_wire_schema_declares_a_rule_for_every_field_and_no_other():
    schema = ResidentDataSchema()
    assert set(schema.fields) == set(rf.NAMES)
    assert {name for name, f in schema.fields.items() if f.required} == \
        {f.name for f in rf.FIELDS if f.required}
    assert {name for name, f in schema.fields.items() if f.allow_none} == \
        {f.name for f in rf.FIELDS if f.nullable}


def test_the_server_has_a_column_for_every_field_empty_where_the_field_may_be():
    from server.models import Resident

    columns = inspect(Resident).columns
    for field in rf.FIELDS:
        assert field.name in columns, field.name
        assert columns[field.name].nullable == field.nullable, field.name


def test_every_field_has_its_words_and_its_codes_have_theirs():
    for field in rf.FIELDS:
        assert vocabulary.label("field", field.name, "zh_CN") == field.zh
        assert vocabulary.label("field", field.name, "en") == field.en
        assert (field.codes is not None) == (field.kind in (rf.CHOICE, rf.CHOICES)), field.name
        if field.codes:
            assert vocabulary.codes(field.codes), field.name


def test_a_new_resident_gets_fresh_defaults():
    first, second = rf.defaults(), rf.defaults()
    assert first == {"care_categories": [], "safety_devices": [], "device_details": {},
                     "status": "active"}
    first["care_categories"].append("alone")
    assert second["care_categories"] == [] and rf.defaults()["care_categories"] == []


def test_the_web_form_export_import_and_masking_read_the_declaration():
    from server.roster.columns import IMPORT_NAMES, column_field
    from server.roster.existing import COMPARED
    from server.web import forms, labels, privacy
    from server.web.exports import FIELD_COLUMNS, RESIDENT_COLUMNS

    assert forms.NULLABLE_FIELDS == {f.name for f in rf.FIELDS if f.nullable}
    assert forms.INT_FIELDS == {f.name for f in rf.FIELDS if f.kind == rf.NUMBER}
    assert all(forms.field_kind(name) == rf.BY_NAME[name].kind for name in rf.NAMES)
    assert set(labels.FIELD_KINDS) == {f.name for f in rf.FIELDS if f.codes}
    assert privacy.PHONE_FIELDS == tuple(f.name for f in rf.FIELDS if f.kind == rf.PHONE)
    assert [column.key for column in FIELD_COLUMNS] == [f.name for f in rf.IN_FILES]
    assert [(c.zh, c.en) for c in FIELD_COLUMNS] == [(f.zh, f.en) for f in rf.IN_FILES]
    start = RESIDENT_COLUMNS.index(FIELD_COLUMNS[0])
    assert RESIDENT_COLUMNS[start:start + len(FIELD_COLUMNS)] == FIELD_COLUMNS
    for field in rf.IN_FILES:  # the import reads back what the export writes, in both languages
        wanted = IMPORT_NAMES.get(field.name, field.name)
        assert column_field(field.zh) == column_field(field.en) == wanted, field.name
    assert set(COMPARED) == {f.name for f in rf.IN_FILES} - {"name"}


def test_the_tablet_shows_and_edits_what_the_declaration_says():
    from client.ui.presenters import edit, resident

    assert resident.DOOR_FACTS == tuple(f.name for f in rf.FIELDS if f.at_door)
    assert set(edit.EDIT_ORDER) == {name for name in rf.TABLET_EDITS
                                    if rf.BY_NAME[name].kind != rf.DETAILS}
    assert edit.EDIT_ORDER[-1] == "care_notes"  # the text area below the choices
    for name in rf.TABLET_EDITS:  # each has a control on the tablet's edit form
        assert rf.BY_NAME[name].kind in CONTROLLED_ON_TABLET, name
        assert name in edit.TEXT_FIELDS or name in edit.CHOICE_FIELDS \
            or rf.BY_NAME[name].kind == rf.DETAILS, name
