"""Protocol constants shared by server and client. See docs/sync-protocol.md."""
from enum import StrEnum

PROTOCOL_VERSION = 4
#: The oldest protocol whose pushes the server still accepts.
MIN_PROTOCOL_VERSION = 1

#: From this version on, pulls carry departure records (a resident moved to another grid);
#: older apps never receive one (their digest then differs, and they pull the grid again).
DEPARTURES_SINCE_PROTOCOL = 3
#: From this version on, pulls carry campaign records ("visit these residents within 24 hours",
#: docs/sync-protocol.md, *Campaigns*); older apps never receive one.
CAMPAIGNS_SINCE_PROTOCOL = 4

#: From this version on, residents carry 关爱类别 (``care_categories``), an ability level, a risk
#: tier; visits a method and the quick checklist. Older apps' resident fields are mapped on
#: arrival (shared/legacy.py) whatever version they say they speak.
CARE_MODEL_SINCE_PROTOCOL = 4

MAX_OPS_PER_PUSH = 1000
DEFAULT_PUSH_BATCH = 500
DEFAULT_PULL_LIMIT = 2000
MAX_PULL_LIMIT = 5000
#: Request bodies larger than this on the wire (compressed or not) are refused with 413.
MAX_WIRE_BYTES = 4 * 1024 * 1024
#: Request bodies larger than this after decompression are refused with 413.
MAX_BODY_BYTES = 8 * 1024 * 1024
#: JSON nested deeper than this (objects and arrays) is refused before it is parsed.
MAX_JSON_DEPTH = 32

#: A device clock further than this from the server's is corrected, not trusted.
CLOCK_TRUST_SECONDS = 5 * 60

#: How long after an assignment ends a device may still deliver ops it made for that grid.
ASSIGNMENT_GRACE_DAYS = 14

# entities
RESIDENT = "resident"
VISIT = "visit"
NOTE = "note"
CONFLICT = "conflict"
#: A resident left a grid (moved to another one): the grid's tablets drop the resident and
#: their history. Sent by the server only; counts nothing in the grid's digest.
DEPARTURE = "departure"
#: A supervisor's campaign, as it concerns one grid: everyone of some care categories there is
#: to be visited within 24 hours. Sent by the server only; counts nothing in the grid's digest.
CAMPAIGN = "campaign"
#: A request of the three lists (shared/requests.py), with its timeline: made by the server
#: from the moves (request events) pushed by tablets and made in the web view.
REQUEST = "request"
#: One move on a request (raise, claim, progress, note, done, verdict): pushed, never pulled.
REQUEST_EVENT = "request_event"
ENTITIES = (RESIDENT, VISIT, NOTE, CONFLICT, DEPARTURE, CAMPAIGN, REQUEST)
#: Entities a device may push; conflicts are made by the server.
PUSHABLE_ENTITIES = (RESIDENT, VISIT, NOTE, REQUEST_EVENT)

# actions
CREATE = "create"
UPDATE = "update"
ACTIONS = (CREATE, UPDATE)

# per-op results
APPLIED = "applied"
DUPLICATE = "duplicate"
CONFLICTED = "conflict"
REJECTED = "rejected"
RESULT_STATUSES = (APPLIED, DUPLICATE, CONFLICTED, REJECTED)

# ---- coded values (shared/codes.py, re-exported here: every name of it is part of the
# protocol's vocabulary)
from .codes import *  # noqa: E402,F401,F403

#: Resident fields a field worker may change from a tablet; supervisors and admins may change all.
FIELD_EDITABLE_RESIDENT_FIELDS = frozenset({
    "phone", "emergency_contact", "emergency_phone", "care_categories", "ability_level",
    "ability_assessed_on", "ability_assessor", "safety_devices", "device_details", "care_notes",
    "status",
})
RESIDENT_FIELDS = (
    "name", "sex", "birth_year", "address", "phone", "emergency_contact", "emergency_phone",
    "care_categories", "ability_level", "ability_assessed_on", "ability_assessor", "risk_tier",
    "risk_reason", "visit_cadence_days", "safety_devices", "device_details", "care_notes",
    "status",
)

# request-level error codes (the "error" member of every error body)


class ErrorCode(StrEnum):
    """The ``error`` member of every error body. Members are strings: they compare equal to,
    and serialise as, their value."""

    INVALID_BODY = "invalid_body"
    BODY_TOO_LARGE = "body_too_large"
    UNSUPPORTED_ENCODING = "unsupported_encoding"
    UPGRADE_REQUIRED = "upgrade_required"
    TOKEN_MISSING = "token_missing"
    TOKEN_UNKNOWN = "token_unknown"
    DEVICE_REVOKED = "device_revoked"
    #: The token was good once but the tablet has not reached the server for too long.
    TOKEN_EXPIRED = "token_expired"
    #: The person's account is switched off (it may be switched on again).
    ACCOUNT_INACTIVE = "account_inactive"
    #: A sign-in named a device id that belongs to another person's tablet.
    DEVICE_NOT_YOURS = "device_not_yours"
    BAD_CREDENTIALS = "bad_credentials"
    THROTTLED = "throttled"
    FORBIDDEN = "forbidden"
    NOT_FOUND = "not_found"
    BAD_CURSOR = "bad_cursor"
    #: A sign-in sheet's code that is wrong, used already or expired: ask for a new sheet.
    PROVISION_CODE_INVALID = "provision_code_invalid"


ERR_INVALID_BODY = ErrorCode.INVALID_BODY
ERR_BODY_TOO_LARGE = ErrorCode.BODY_TOO_LARGE
ERR_UNSUPPORTED_ENCODING = ErrorCode.UNSUPPORTED_ENCODING
ERR_UPGRADE_REQUIRED = ErrorCode.UPGRADE_REQUIRED
ERR_TOKEN_MISSING = ErrorCode.TOKEN_MISSING
ERR_TOKEN_UNKNOWN = ErrorCode.TOKEN_UNKNOWN
ERR_DEVICE_REVOKED = ErrorCode.DEVICE_REVOKED
ERR_TOKEN_EXPIRED = ErrorCode.TOKEN_EXPIRED
ERR_ACCOUNT_INACTIVE = ErrorCode.ACCOUNT_INACTIVE
ERR_DEVICE_NOT_YOURS = ErrorCode.DEVICE_NOT_YOURS
ERR_BAD_CREDENTIALS = ErrorCode.BAD_CREDENTIALS
ERR_THROTTLED = ErrorCode.THROTTLED
ERR_FORBIDDEN = ErrorCode.FORBIDDEN
ERR_NOT_FOUND = ErrorCode.NOT_FOUND
ERR_BAD_CURSOR = ErrorCode.BAD_CURSOR
ERR_PROVISION_CODE_INVALID = ErrorCode.PROVISION_CODE_INVALID
#: 401 codes after which the app must wipe its local data: only an explicit revocation.
WIPE_CODES = frozenset({ERR_DEVICE_REVOKED})
#: 401 codes after which the app goes back to sign-in and keeps everything, unsent ops
#: included, to push after the same person signs in again.
SIGN_IN_CODES = frozenset({ERR_TOKEN_MISSING, ERR_TOKEN_UNKNOWN, ERR_TOKEN_EXPIRED,
                           ERR_ACCOUNT_INACTIVE})

#: The tablet policy the server sends (see docs/app.md); these are the defaults a tablet uses
#: until it has heard from the server.
DEFAULT_TABLET_POLICY = {
    "pin_idle_minutes": 5,  # lock behind the PIN after this long without a tap
    "pin_attempts": 5,  # wrong PINs in a row before an online sign-in is required
    "lock_after_days": 14,  # no contact with the server: locked until an online sign-in
    "wipe_after_days": 60,  # no contact with the server: local data wiped
}

# per-op rejection reasons


class RejectCode(StrEnum):
    """``reason.code`` of a rejected op. ``reason.params`` carries what the message names (ids,
    grid, fields), so that the app can word the rejection itself (docs/sync-protocol.md)."""

    #: params: ``fields`` (the op's bad fields, dotted paths)
    INVALID = "invalid_op"
    #: params: ``grid_id``, ``grid_name`` (None unless the person was once assigned to it)
    OUT_OF_SCOPE = "out_of_scope"
    #: params: ``entity``, ``entity_id``, ``grid_id`` (the op's), ``resident_id``
    UNKNOWN_ENTITY = "unknown_entity"
    #: params: ``entity``, ``entity_id``
    ALREADY_EXISTS = "already_exists"
    #: params: ``fields`` (those the role may not change; empty: it may not add residents),
    #: ``role``
    FIELD_NOT_EDITABLE = "field_not_editable"
    #: params: ``op_id``
    OP_ID_REUSED = "op_id_reused"
    #: params: ``seq``
    SEQ_REUSED = "seq_reused"
    #: The resident moved to another grid too long ago for an op made for the old grid.
    #: params: ``resident_id``, ``grid_id`` and ``grid_name`` (where they live now), ``days``
    RESIDENT_MOVED = "resident_moved"
    #: Set by the tablet, not the server: the op kept failing (413, or 5xx when sent alone) and
    #: was set aside so the ops behind it could go through. Kept and shown like any rejected op.
    UNDELIVERABLE = "undeliverable"


REJ_INVALID = RejectCode.INVALID
REJ_OUT_OF_SCOPE = RejectCode.OUT_OF_SCOPE
REJ_UNKNOWN_ENTITY = RejectCode.UNKNOWN_ENTITY
REJ_ALREADY_EXISTS = RejectCode.ALREADY_EXISTS
REJ_FIELD_NOT_EDITABLE = RejectCode.FIELD_NOT_EDITABLE
REJ_OP_ID_REUSED = RejectCode.OP_ID_REUSED
REJ_SEQ_REUSED = RejectCode.SEQ_REUSED
REJ_RESIDENT_MOVED = RejectCode.RESIDENT_MOVED
REJ_UNDELIVERABLE = RejectCode.UNDELIVERABLE
