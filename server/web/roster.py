"""What the web view shares with the roster import (:mod:`server.roster` reads and checks the
files): the columns the resident export writes, so an export can be edited and imported again;
the words for codes in files people read; field labels; and the uploaded file, signed, carried
from the preview to the import.
"""
from __future__ import annotations

import base64
import zlib

from itsdangerous import BadSignature, URLSafeTimedSerializer

from shared import vocabulary

from ..roster.words import CARE_WORDS, DEVICE_WORDS, LIVING_WORDS
from .i18n import current_locale
from .i18n import gettext as _

#: (field, Chinese header, English header) of the resident export; "grid" is the grid's code.
COLUMNS = (
    ("grid", "网格", "grid"),
    ("name", "姓名", "name"),
    ("sex", "性别", "sex"),
    ("birth_year", "出生年份", "birth_year"),
    ("address", "地址", "address"),
    ("phone", "电话", "phone"),
    ("emergency_contact", "紧急联系人", "emergency_contact"),
    ("emergency_phone", "紧急联系电话", "emergency_phone"),
    ("care_categories", "关爱类别", "care_categories"),
    ("ability_level", "能力等级", "ability_level"),
    ("visit_cadence_days", "走访周期(天)", "visit_cadence_days"),
    ("safety_devices", "安全设备", "safety_devices"),
    ("care_notes", "照护备注", "care_notes"),
)
#: Chinese words for each code, for writing files people read (the first word of each code in
#: the import's tables is its label).
CODE_WORDS = {code: word for words in (LIVING_WORDS, CARE_WORDS, DEVICE_WORDS)
              for word, code in reversed(list(words.items()))}


def field_label(field_name: str) -> str:
    labels = {"grid": _("Grid"), "name": _("Name"), "sex": _("Sex"),
              "birth_year": _("Birth year"), "address": _("Address"), "phone": _("Phone"),
              "emergency_contact": _("Emergency contact"),
              "emergency_phone": _("Emergency phone"),
              "living_situation": _("Living situation"), "care_level": _("Care level"),
              "visit_cadence_days": _("Visit every (days)"),
              "safety_devices": _("Safety devices"), "care_notes": _("Care notes"),
              "status": _("Status"), "resident_id": _("Resident ID")}
    return labels.get(field_name) or vocabulary.label("field", field_name, current_locale())


def schema_message(message: str) -> str:
    """marshmallow's English messages, in the page's language where we know them."""
    known = {"Missing data for required field.": _("Missing data for required field."),
             "Not a valid integer.": _("Not a valid integer."),
             "String does not match expected pattern.": _("Not a valid phone number.")}
    if message in known:
        return known[message]
    if message.startswith("Must be greater than or equal to") or "not after" in message.lower():
        return _("Out of range.")
    if message.startswith("Length must be between"):
        return _("Too long or empty.")
    if message.startswith("Must be one of"):
        return _("Not an allowed value.")
    # Any other message of the library is English: never shown as it is (LANGUAGE.md rule 1).
    return _("Not a valid value; check it and enter it again.")


# ---- carrying the file from the preview to the import ---------------------------------------

def _serializer(secret_key: str) -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(secret_key, salt="knockdoor-roster-import")


def pack_upload(secret_key: str, filename: str, content: bytes) -> str:
    """The uploaded file, signed, for the preview form to send back with the import button.

    Carried by the page rather than kept on the server, so any app host can finish the import
    and nothing personal lingers on disk.
    """
    data = base64.b64encode(zlib.compress(content, 6)).decode()
    return _serializer(secret_key).dumps({"name": filename, "data": data})


def unpack_upload(secret_key: str, token: str, max_age: int = 3600) -> tuple[str, bytes]:
    try:
        payload = _serializer(secret_key).loads(token, max_age=max_age)
    except BadSignature as error:
        raise ValueError(_("The preview has expired; upload the file again.")) from error
    return payload["name"], zlib.decompress(base64.b64decode(payload["data"]))
