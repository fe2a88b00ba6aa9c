"""the audit log is append-only: the database refuses UPDATE and DELETE on it

Revision ID: 0003_audit_append_only
Revises: 0003_resident_moves
Create Date: 2026-12-01

Nobody changes or removes an audit entry, admins included: no route or command does, and the
database itself refuses it, so a bug or a stolen admin account cannot either. (The database's
owner can still TRUNCATE or drop the table; that is outside the application.)
"""
from alembic import op

revision = "0003_audit_append_only"
down_revision = "0003_resident_moves"
branch_labels = None
depends_on = None

POSTGRES_UP = [
    """CREATE FUNCTION audit_log_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        RAISE EXCEPTION 'audit_log is append-only: % refused', TG_OP
            USING ERRCODE = 'insufficient_privilege';
    END $$""",
    """CREATE TRIGGER audit_log_append_only BEFORE UPDATE OR DELETE ON audit_log
    FOR EACH ROW EXECUTE FUNCTION audit_log_append_only()""",
]
POSTGRES_DOWN = [
    "DROP TRIGGER IF EXISTS audit_log_append_only ON audit_log",
    "DROP FUNCTION IF EXISTS audit_log_append_only()",
]
SQLITE_UP = [
    """CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log
    BEGIN SELECT RAISE(ABORT, 'audit_log is append-only: UPDATE refused'); END""",
    """CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log
    BEGIN SELECT RAISE(ABORT, 'audit_log is append-only: DELETE refused'); END""",
]
SQLITE_DOWN = [
    "DROP TRIGGER IF EXISTS audit_log_no_update",
    "DROP TRIGGER IF EXISTS audit_log_no_delete",
]


def _statements(postgres: list[str], sqlite: list[str]) -> list[str]:
    return postgres if op.get_bind().dialect.name == "postgresql" else sqlite


def upgrade() -> None:
    for statement in _statements(POSTGRES_UP, SQLITE_UP):
        op.execute(statement)


def downgrade() -> None:
    for statement in _statements(POSTGRES_DOWN, SQLITE_DOWN):
        op.execute(statement)
