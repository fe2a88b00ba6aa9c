"""residents.id_hash: a keyed hash of the resident's ID number, never the number

Revision ID: 0004e_resident_id_hash
Revises: 0003_search_keys
Create Date: 2026-12-01

A roster import recognises a resident it already has by the ID number (身份证号) in the file.
Knockdoor keeps only HMAC-SHA256 of the number under the server's ID hash key (docs/security.md):
enough to find the same person twice, useless without the key. Server only: the column is not
part of the wire schema, so it never reaches a tablet.
"""
import sqlalchemy as sa
from alembic import op

revision = "0004e_resident_id_hash"
down_revision = "0003_search_keys"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("residents") as batch:
        batch.add_column(sa.Column("id_hash", sa.String(64), nullable=True))
        batch.create_index("ix_residents_id_hash", ["id_hash"])


def downgrade() -> None:
    with op.batch_alter_table("residents") as batch:
        batch.drop_index("ix_residents_id_hash")
        batch.drop_column("id_hash")
