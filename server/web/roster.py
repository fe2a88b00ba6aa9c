"""What the web view shares with the roster import (:mod:`server.roster` reads and checks the
files): field labels, the schema's messages in the page's language, and the uploaded file,
signed, carried from the preview to the import. (The columns the resident export writes are
:data:`server.web.exports.RESIDENT_COLUMNS`.)
"""
from __future__ import annotations

import base64
import zlib

from itsdangerous import BadSignature, URLSafeTimedSerializer

from shared import resident_fields, vocabulary

from .i18n import current_locale
from .i18n import gettext as _


def field_label(field_name: str) -> str:
    """A field's label: a resident field's own words (shared/resident_fields.py), or the
    words of the import's other columns."""
    if field_name in resident_fields.BY_NAME:
        return vocabulary.label("field", field_name, current_locale())
    labels = {"grid": _("Grid"), "living_situation": _("Living situation"),
              "care_level": _("Care level"), "resident_id": _("Resident ID")}
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
