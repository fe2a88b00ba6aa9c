"""The resident record's fields, declared once: what each holds, its words, who may change it,
where it shows and whether the roster files carry it.

Everything that lists resident fields reads this table instead of naming them again: the
protocol's field lists (shared.protocol), the vocabulary's field words (shared.vocabulary), a new
resident's defaults (server.sync.edits), the web form (server.web.forms), the words of coded
values (server.web.labels), the resident export and the roster import's headers
(server.web.exports, server.roster.columns), the bulk-export masking of phone numbers
(server.web.privacy), and the tablet's resident screen and edit form (client.ui.presenters).
What stays per field elsewhere, each for a reason (docs/contributing.md, "Adding a resident
field"): the wire schema's rule (shared.schemas), the server's column and its migration, and
the record's description in docs/sync-protocol.md.

Pure: no I/O.
"""
from __future__ import annotations

from dataclasses import dataclass

#: What a field holds (the wire schema says the exact rule).
TEXT = "text"  # one line
LONG_TEXT = "long_text"  # several lines (the forms give it a text area)
PHONE = "phone"  # a phone number: masked in bulk exports to those who do not call
NUMBER = "number"  # a whole number
DATE = "date"  # a district day as ISO text
CHOICE = "choice"  # one code of a vocabulary kind
CHOICES = "choices"  # a list of codes of a vocabulary kind
DETAILS = "details"  # a structured value with its own form (device_details)

TEXT_KINDS = frozenset({TEXT, LONG_TEXT, PHONE, DATE})


@dataclass(frozen=True)
class ResidentField:
    name: str
    #: Its label, and its column header in files (Chinese, English).
    zh: str
    en: str
    kind: str = TEXT
    #: The vocabulary kind (shared.vocabulary) of its codes, for CHOICE and CHOICES.
    codes: str | None = None
    #: A new resident must have it (the wire schema requires it).
    required: bool = False
    #: What a new resident gets when it is not given; None: empty is allowed.
    default: object = None
    #: A field worker may change it from a tablet (supervisors and admins may change every field).
    tablet_edits: bool = False
    #: Shown among the facts on the tablet's resident screen ("at the door").
    at_door: bool = False
    #: Its column's width (characters) in the resident export, which the roster import reads
    #: back; None: not in the files.
    file_width: int | None = None

    @property
    def nullable(self) -> bool:
        """Empty means None (not "", [] or a default)."""
        return not self.required and self.default is None


FIELDS: tuple[ResidentField, ...] = (
    ResidentField("name", "姓名", "Name", required=True, file_width=10),
    ResidentField("sex", "性别", "Sex", CHOICE, "sex", required=True, file_width=6),
    ResidentField("birth_year", "出生年份", "Year of birth", NUMBER, required=True, file_width=9),
    ResidentField("address", "住址", "Address", required=True, file_width=30),
    ResidentField("phone", "联系电话", "Phone", PHONE, tablet_edits=True, at_door=True,
                  file_width=14),
    ResidentField("emergency_contact", "紧急联系人", "Emergency contact", tablet_edits=True,
                  at_door=True, file_width=10),
    ResidentField("emergency_phone", "紧急联系人电话", "Emergency contact's phone", PHONE,
                  tablet_edits=True, at_door=True, file_width=14),
    ResidentField("care_categories", "关爱类别", "Care categories", CHOICES, "care_category",
                  default=(), tablet_edits=True, at_door=True, file_width=16),
    ResidentField("ability_level", "能力等级", "Ability level", CHOICE, "ability_level",
                  tablet_edits=True, at_door=True, file_width=10),
    ResidentField("ability_assessed_on", "评估日期", "Assessed on", DATE, tablet_edits=True),
    ResidentField("ability_assessor", "评估人", "Assessed by", tablet_edits=True),
    ResidentField("risk_tier", "风险等级", "Risk tier", CHOICE, "risk_tier", at_door=True),
    ResidentField("risk_reason", "定级原因", "Why this tier"),
    ResidentField("visit_cadence_days", "走访周期（天）", "Visit every (days)", NUMBER,
                  file_width=10),
    ResidentField("safety_devices", "安全设备", "Safety devices", CHOICES, "device", default=(),
                  tablet_edits=True, at_door=True, file_width=20),
    ResidentField("device_details", "设备安装信息", "Device details", DETAILS, default={},
                  tablet_edits=True),
    ResidentField("care_notes", "照护备注", "Care notes", LONG_TEXT, tablet_edits=True,
                  at_door=True, file_width=30),
    ResidentField("status", "在册状态", "Roster status", CHOICE, "status", default="active",
                  tablet_edits=True),
)
BY_NAME = {field.name: field for field in FIELDS}
NAMES = tuple(field.name for field in FIELDS)
#: Fields a field worker may change from a tablet.
TABLET_EDITS = frozenset(field.name for field in FIELDS if field.tablet_edits)
#: The columns of the resident export (and of the roster files made from it), in order.
IN_FILES = tuple(field for field in FIELDS if field.file_width)
PHONES = tuple(field.name for field in FIELDS if field.kind == PHONE)


def defaults() -> dict:
    """A new resident's values for the fields not given (fresh lists and dicts each time)."""
    return {field.name: _fresh(field.default) for field in FIELDS if field.default is not None}


def _fresh(value):
    if isinstance(value, (tuple, list)):
        return list(value)
    if isinstance(value, dict):
        return dict(value)
    return value


def edit_order(editable) -> list[str]:
    """The fields of an edit form among ``editable``, in the table's order, long text last
    (a text area below the choices), structured values left to their own forms."""
    chosen = [field for field in FIELDS if field.name in editable and field.kind != DETAILS]
    return [field.name for field in sorted(chosen, key=lambda f: f.kind == LONG_TEXT)]
